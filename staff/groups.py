"""Creating an incubator's staff group, with the permissions its members need and no more."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from staff.models import IncubatorGroup
from startups.models import Incubator

ALL = ("view", "add", "change", "delete")

# What an incubator's staff may do, per model; which rows is decided by `staff.scope`.
# Startups are not deleted by staff: a startup that stops is marked by its phases, and a
# deletion takes its phases, events and team links with it, beyond what a revert restores.
STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "startups.startup": ("view", "add", "change"),
    "startups.startupphase": ALL,
    "startups.event": ALL,
    "startups.startupincubator": ALL,
    "startups.startupsponsor": ALL,
    "startups.startupthematique": ALL,
    "startups.startupusertype": ALL,
    "members.mission": ALL,
    # A mission's startups are edited on the mission; deleting a mission deletes its links.
    "members.missionstartup": ALL,
    # Needed to pick sponsors, co-incubators, themes and team members; all public anyway.
    "startups.incubator": ("view",),
    "startups.organisation": ("view",),
    "startups.phase": ("view",),
    "startups.thematique": ("view", "add"),
    "startups.usertype": ("view", "add"),
    "members.member": ("view",),
}


def staff_permissions() -> list[Permission]:
    condition = Q(pk__in=[])
    for label, actions in STAFF_PERMISSIONS.items():
        app_label, model = label.split(".")
        condition |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    return list(Permission.objects.filter(condition))


def group_name(incubator: Incubator) -> str:
    name = f"Édition — {incubator.title}"[:100]
    if Group.objects.filter(name=name).exists():
        name = f"{name} ({incubator.slug})"[:150]
    return name


@transaction.atomic
def create_incubator_group(incubator: Incubator) -> tuple[IncubatorGroup, bool]:
    """The incubator's staff group, created if missing; its permissions reset to the standard set.

    Running it again is harmless: it repairs the permissions of an existing group.
    """
    link = IncubatorGroup.objects.select_related("group").filter(incubator=incubator).first()
    created = link is None
    if created:
        group = Group.objects.create(name=group_name(incubator))
        link = IncubatorGroup.objects.create(group=group, incubator=incubator)
    link.group.permissions.set(staff_permissions())
    return link, created
