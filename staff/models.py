"""An incubator's staff group: the auth group whose members edit that incubator's startups."""

from django.contrib.auth.models import Group
from django.db import models

from startups.models import Incubator


class IncubatorGroup(models.Model):
    """Links an auth group to the incubator its members edit in the admin.

    The group carries Django model permissions (what kind of rows its members may view, add,
    change or delete: `staff.groups.STAFF_PERMISSIONS`); this link decides which rows:
    the startups incubated by `incubator` (co-incubation included), their phases, events and
    team missions. A user may belong to several groups, hence edit several incubators.
    """

    group = models.OneToOneField(
        Group, verbose_name="groupe", on_delete=models.CASCADE, related_name="incubator_link"
    )
    incubator = models.OneToOneField(
        Incubator,
        verbose_name="incubateur",
        on_delete=models.CASCADE,
        related_name="staff_group",
    )

    class Meta:
        verbose_name = "groupe d’édition d’un incubateur"
        verbose_name_plural = "groupes d’édition des incubateurs"

    def __str__(self) -> str:
        return f"{self.group} → {self.incubator}"
