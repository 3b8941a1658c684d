"""Which portfolio rows a user may touch in the admin: everything, or their incubators' startups.

Superusers edit everything. A member of one or more incubators' staff groups
(`IncubatorGroup`) edits the startups those incubators host, co-incubation included, and
what belongs to them: phases, events, and the missions of their teams. Model permissions
(`staff.groups.STAFF_PERMISSIONS`) say which kinds of rows; this module says which rows.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest

from staff.models import IncubatorGroup


def incubator_ids(user) -> frozenset[int] | None:
    """The incubators whose startups `user` edits; None means every incubator (superuser).

    Cached on the user object, which lives for one request: admin pages ask many times.
    """
    if user.is_active and user.is_superuser:
        return None
    cached = getattr(user, "_staff_incubator_ids", None)
    if cached is None:
        cached = frozenset()
        if user.is_active and user.is_staff:
            cached = frozenset(
                IncubatorGroup.objects.filter(group__user=user).values_list(
                    "incubator_id", flat=True
                )
            )
        user._staff_incubator_ids = cached
    return cached


def hosted_startups(ids: frozenset[int]) -> models.QuerySet:
    """The startups hosted by incubators `ids` (co-incubation included), as an id subquery."""
    from startups.models import StartupIncubator

    return StartupIncubator.objects.filter(incubator_id__in=ids).values("startup_id")


class IncubatorScopedAdmin:
    """ModelAdmin mixin: staff list, open and edit only the rows of their incubators' startups.

    Subclasses say how a row belongs to startups: `scope_filter(ids)` (a filter on the model)
    and `startup_ids(obj)` (for one row, which may be a deleted row being restored from
    history). A row outside the scope is missing from lists and autocompletes, and its pages
    answer 403 rather than the admin's "does not exist" redirect, which would hide a mistake.
    """

    def scope_filter(self, ids: frozenset[int]) -> models.Q:
        raise NotImplementedError

    def startup_ids(self, obj: models.Model) -> models.QuerySet | list[int]:
        raise NotImplementedError

    def scope_key(self, obj: models.Model) -> tuple:
        """What the scope of `obj` depends on, to ask the database once per request."""
        return (obj._meta.label, obj.pk)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)
        ids = incubator_ids(request.user)
        return queryset if ids is None else queryset.filter(self.scope_filter(ids))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and incubator_ids(request.user) is not None:
            field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
            try:
                exists = self.model._default_manager.filter(**{field.name: object_id}).exists()
            except (ValidationError, ValueError):
                exists = False
            if exists:
                raise PermissionDenied
        return obj

    def in_scope(self, request: HttpRequest, obj: models.Model | None) -> bool:
        ids = incubator_ids(request.user)
        if obj is None or ids is None:
            return True
        cache = request.__dict__.setdefault("_scope_cache", {})
        key = self.scope_key(obj)
        if key not in cache:
            from startups.models import StartupIncubator

            cache[key] = StartupIncubator.objects.filter(
                startup_id__in=self.startup_ids(obj), incubator_id__in=ids
            ).exists()
        return cache[key]

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)
