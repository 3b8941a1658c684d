"""The admin of the people: members with their missions, missions, incubators' teams.

Missions are edited inline on the member's page (superusers), or on their own page, where an
incubator's staff edit the missions of their startups' teams (`staff.scope`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone

from members.models import Member, Mission, MissionStartup, Team, TeamMembership
from staff.base_admin import (
    ContentForm,
    HistorySource,
    KeepsOneRowPerParent,
    LabelledTabularInline,
    LinkRowAdmin,
    PortfolioAdmin,
    append_positions,
    https_formfield,
    lines_field,
    parent_left_empty,
    renumber,
)
from staff.scope import IncubatorScopedAdmin, hosted_startups, incubator_ids
from startups.admin import (
    CONTENT_FILE_FIELDS,
    CONTENT_FILE_FIELDSET,
    SearchedAdmin,
    touch_startups,
)
from startups.models import Startup


def check_startup_slugs(slugs: list[str]) -> list[str]:
    """Slugs listed in a member's file must name startups, or the file would not import back."""
    unknown = sorted(
        set(slugs) - set(Startup.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    )
    if unknown:
        raise ValidationError(
            f"Startup(s) inconnue(s) : {', '.join(unknown)} (identifiants attendus)."
        )
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise ValidationError(f"En double : {', '.join(duplicates)}.")
    return slugs


class MissionForm(forms.ModelForm):
    """A mission and the startups it was for, kept in the file's order.

    `startups` goes through `MissionStartup` (ordered), which a plain model form cannot edit:
    the field is `mission_startups`, saved with the form. For an incubator's staff the choice
    is limited to their startups and those already on the mission, and the mission must keep
    one of theirs.
    """

    mission_startups = forms.ModelMultipleChoiceField(
        Startup.objects.all(),
        label="startups",
        required=False,
        widget=AutocompleteSelectMultiple(Mission._meta.get_field("startups"), admin.site),
    )
    scope: frozenset[int] | None = None
    restoring = False  # shown by the history's revert page

    class Meta:
        model = Mission
        fields = ("member", "start", "end", "status", "employer")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current = self.linked_startup_ids()
        deleted = self.restoring and not self.current and self.is_deleted()
        self.fields["mission_startups"].initial = (
            self.former_startup_ids() if deleted else self.current
        )
        if self.scope is not None:
            self.fields["mission_startups"].queryset = Startup.objects.filter(
                Q(pk__in=hosted_startups(self.scope)) | Q(pk__in=self.current)
            )

    def linked_startup_ids(self) -> list[int]:
        if self.instance.pk is None:
            return []
        links = getattr(self.instance, "ordered_links", None)
        if links is None:
            links = self.instance.missionstartup_set.order_by("position")
        return [link.startup_id for link in links]

    def touched_startup_ids(self) -> set[int]:
        """The startups whose team this form changes: those it had and those it has now."""
        chosen = self.cleaned_data.get("mission_startups") or []
        return {*self.current, *(startup.pk for startup in chosen)}

    def is_deleted(self) -> bool:
        """A deleted mission shown by its history, to be restored."""
        return not Mission.objects.filter(pk=self.instance.pk).exists()

    def former_startup_ids(self) -> list[int]:
        """The startups a deleted mission had: restoring it restores them too."""
        links = MissionStartup.history.filter(mission_id=self.instance.pk, history_type="-")
        former = dict(links.values_list("startup_id", "position"))
        existing = Startup.objects.filter(pk__in=former).values_list("pk", flat=True)
        return sorted(existing, key=former.__getitem__)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error(
                "end",
                f"La fin de la mission ({end:%d/%m/%Y}) précède son début ({start:%d/%m/%Y}).",
            )
        chosen = data.get("mission_startups")
        if self.scope is not None and chosen is not None:
            self._check_scope({startup.pk for startup in chosen})
        if data.get("member") and (error := self.left_without_mission(data["member"])):
            self.add_error("member", error)
        return data

    def left_without_mission(self, member: Member) -> str:
        """Why this mission may not move to `member`: it is the last of the member it has now
        (as the row is stored: a revert's version may describe another)."""
        left = parent_left_empty(self.instance, "member", member.pk)
        if left is None:
            return ""
        return (
            f"C’est la seule mission de « {Member.objects.get(pk=left)} » : un membre garde au "
            "moins une mission. Ajoutez-lui d’abord une autre mission."
        )

    def _check_scope(self, chosen: set[int]) -> None:
        mine = set(
            Startup.objects.filter(pk__in=hosted_startups(self.scope)).values_list("pk", flat=True)
        )
        if not chosen & mine:
            self.add_error(
                "mission_startups",
                "Choisissez au moins une startup de vos incubateurs : sans elle, la mission "
                "sortirait de votre périmètre.",
            )
        removed = (set(self.current) - chosen) - mine
        if removed:
            names = ", ".join(map(str, Startup.objects.filter(pk__in=removed)))
            self.add_error(
                "mission_startups",
                f"Vous ne pouvez pas retirer {names} : elle relève d’un autre incubateur.",
            )

    def _save_m2m(self) -> None:
        super()._save_m2m()
        chosen = self.cleaned_data.get("mission_startups")
        if chosen is None:
            return
        wanted = {startup.pk for startup in chosen}
        links = MissionStartup.objects.filter(mission=self.instance)
        for link in links:
            if link.startup_id not in wanted:
                link.delete()
        # In the order the startups were listed in the form (the file keeps that order).
        submitted = [str(pk) for pk in self.data.getlist(self.add_prefix("mission_startups"))]
        added = sorted(
            wanted - set(self.current),
            key=lambda pk: submitted.index(str(pk)) if str(pk) in submitted else len(submitted),
        )
        new = [MissionStartup(mission=self.instance, startup_id=pk) for pk in added]
        append_positions(new, links)
        for link in new:
            link.save()


class MemberRowInline:
    """A member's rows are edited with the member: read only for whoever may only view it
    (an incubator's staff edit their team's missions on each mission's own page)."""

    def member_editable(self, request, obj) -> bool:
        member_admin = self.admin_site.get_model_admin(Member)
        return obj is None or member_admin.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self.member_editable(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.member_editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.member_editable(request, obj)


class MissionInline(MemberRowInline, admin.StackedInline):
    model = Mission
    form = MissionForm
    readonly_fields = ("startup_names",)
    ordering = ("start", "position")
    extra = 0
    min_num = 1

    def get_fields(self, request, obj=None):
        # `mission_startups` is a form field: shown read only, it would have no value.
        startups = "mission_startups" if self.member_editable(request, obj) else "startup_names"
        return (("start", "end"), ("status", "employer"), startups)

    def get_queryset(self, request):
        links = MissionStartup.objects.order_by("position").select_related("startup")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("missionstartup_set", links, to_attr="ordered_links"))
        )

    @admin.display(description="startups")
    def startup_names(self, obj: Mission) -> str:
        return ", ".join(link.startup.title for link in obj.ordered_links) or "—"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.scope = incubator_ids(request.user)
        return formset


class TeamMembershipInline(MemberRowInline, LabelledTabularInline):
    model = TeamMembership
    autocomplete_fields = ("team",)
    exclude = ("position",)
    extra = 0
    verbose_name = "équipe d’incubateur"
    verbose_name_plural = "équipes d’incubateur"


MEMBER_FIELDS = (
    "fullname",
    "slug",
    "role",
    "domain",
    "member_type",
    "github",
    "link",
    "avatar",
    "bio",
    "competences",
    "badges",
    "previously",
    "legacy_startups",
)


class MemberForm(ContentForm):
    competences = lines_field(Member, "competences")
    badges = lines_field(Member, "badges")
    previously = lines_field(
        Member, "previously", help_text="Identifiants de startups, un par ligne."
    )
    legacy_startups = lines_field(
        Member, "legacy_startups", help_text="Identifiants de startups, un par ligne."
    )

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        formfield_callback = https_formfield

    def clean_previously(self) -> list[str]:
        return check_startup_slugs(self.cleaned_data["previously"])

    def clean_legacy_startups(self) -> list[str]:
        return check_startup_slugs(self.cleaned_data["legacy_startups"])


class ActiveMemberFilter(admin.SimpleListFilter):
    """Members with a mission under way today (`MemberQuerySet.active_on`)."""

    title = "en mission aujourd’hui"
    parameter_name = "actif"

    def lookups(self, request, model_admin):
        return [("1", "Oui"), ("0", "Non")]

    def queryset(self, request, queryset):
        if self.value() in {"0", "1"}:
            return queryset.filter(is_active=self.value() == "1")
        return queryset


class MissionsFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]
        if not kept and not any(form.errors for form in self.forms):
            raise ValidationError("Un membre a au moins une mission.")


MissionInline.formset = MissionsFormSet


@admin.register(Member)
class MemberAdmin(SearchedAdmin):
    form = MemberForm
    list_display = ("fullname", "slug", "github", "role", "domain", "is_active", "public_page")
    list_filter = (ActiveMemberFilter, "domain", "member_type")
    search_fields = ("fullname", "github", "slug")
    search_help_text = "Nom, identifiant GitHub ou identifiant, sans tenir compte des accents."
    prepopulated_fields = {"slug": ("fullname",)}
    readonly_fields = (*CONTENT_FILE_FIELDS, "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": MEMBER_FIELDS[:5]}),
        ("Liens", {"fields": MEMBER_FIELDS[5:8]}),
        ("Présentation", {"fields": MEMBER_FIELDS[8:11]}),
        ("Startups hors missions", {"fields": MEMBER_FIELDS[11:]}),
        (
            CONTENT_FILE_FIELDSET[0],
            {
                **CONTENT_FILE_FIELDSET[1],
                "fields": (*CONTENT_FILE_FIELDS, "created_at", "updated_at"),
            },
        ),
    )
    inlines = (MissionInline, TeamMembershipInline)
    history_sources_title = "Historique des missions et des équipes"

    def get_queryset(self, request):
        return super().get_queryset(request).with_active_on(timezone.localdate())

    def history_sources(self, obj):
        missions = Mission.history.filter(member_id=obj.pk).values("id")
        return [
            HistorySource(Mission, Q(member_id=obj.pk), "Mission"),
            HistorySource(MissionStartup, Q(mission_id__in=missions), "Startup d’une mission"),
            HistorySource(TeamMembership, Q(member_id=obj.pk), "Équipe d’incubateur"),
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        renumber(form.instance.missions.all(), "start")
        # The teams shown on the startups' pages changed: their "mis à jour le" too.
        touch_startups(
            {
                pk
                for formset in formsets
                if formset.model is Mission
                for mission_form in formset.forms
                if mission_form.has_changed() or formset._should_delete_form(mission_form)
                for pk in mission_form.touched_startup_ids()
            }
        )

    @admin.display(description="en mission", boolean=True, ordering="is_active")
    def is_active(self, obj: Member) -> bool:
        return obj.is_active


def touch_members(ids) -> None:
    """A member's page (and the sitemap) says when it was last updated: a change to one of
    their missions, made on the mission's own page, updates it too."""
    Member.objects.filter(pk__in=ids).update(updated_at=timezone.now())


@admin.register(Mission)
class MissionAdmin(KeepsOneRowPerParent, IncubatorScopedAdmin, PortfolioAdmin):
    form = MissionForm
    # As the member's page requires (`MissionsFormSet`).
    kept_by, kept_by_order = "member", "fullname"
    keep_one_message = "{parent} : un membre garde au moins une mission"
    fields = ("member", ("start", "end"), ("status", "employer"), "mission_startups")
    list_display = ("member", "start", "end", "status", "employer", "startup_list", "public_page")
    list_select_related = ("member",)
    list_filter = ("status",)
    search_fields = ("member__fullname", "member__slug", "startups__title", "employer")
    autocomplete_fields = ("member",)
    date_hierarchy = "start"
    history_sources_title = "Historique des startups de la mission"

    def scope_filter(self, ids):
        hosted = MissionStartup.objects.filter(startup_id__in=hosted_startups(ids))
        return Q(pk__in=hosted.values("mission_id"))

    def startup_ids(self, obj):
        if Mission.objects.filter(pk=obj.pk).exists():
            return MissionStartup.objects.filter(mission_id=obj.pk).values("startup_id")
        # A deleted mission being restored from its history: the startups it had.
        return MissionStartup.history.filter(mission_id=obj.pk).values("startup_id")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("startups")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = incubator_ids(request.user)
        match = request.resolver_match
        form.restoring = bool(match and match.url_name == "members_mission_simple_history")
        return form

    def history_sources(self, obj):
        return [HistorySource(MissionStartup, Q(mission_id=obj.pk), "Startup de la mission")]

    def public_url(self, obj):
        return reverse("members:member_detail", args=[obj.member.slug])

    def save_model(self, request, obj, form, change):
        # Also run by a revert from the history, which saves no inlines (no save_related).
        if obj.pk is None:
            append_positions([obj], Mission.objects.filter(member_id=obj.member_id))
        members = {obj.member_id, form.initial.get("member") or obj.member_id}
        super().save_model(request, obj, form, change)
        for member_id in members:
            renumber(Mission.objects.filter(member_id=member_id), "start")
        touch_startups(form.touched_startup_ids())
        touch_members(members)

    def delete_model(self, request, obj):
        startups = set(obj.startups.values_list("pk", flat=True))
        super().delete_model(request, obj)
        touch_startups(startups)
        touch_members({obj.member_id})

    def delete_queryset(self, request, queryset):
        startups = set(queryset.values_list("startups", flat=True)) - {None}
        members = set(queryset.values_list("member_id", flat=True))
        super().delete_queryset(request, queryset)
        touch_startups(startups)
        touch_members(members)

    @admin.display(description="startups")
    def startup_list(self, obj: Mission) -> str:
        return ", ".join(startup.title for startup in obj.startups.all()) or "—"


@admin.register(Team)
class TeamAdmin(PortfolioAdmin):
    """An incubator's transverse team: shown on the incubator's page."""

    list_display = ("name", "slug", "incubator", "public_page")
    list_select_related = ("incubator",)
    list_filter = (("incubator", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug")
    autocomplete_fields = ("incubator",)
    readonly_fields = CONTENT_FILE_FIELDS
    fieldsets = (
        (None, {"fields": ("name", "slug", "incubator", "mission", "description")}),
        CONTENT_FILE_FIELDSET,
    )

    def public_url(self, obj):
        return obj.incubator.get_absolute_url()


@admin.register(MissionStartup)
class MissionStartupAdmin(IncubatorScopedAdmin, LinkRowAdmin):
    """A startup of a mission: edited on the mission's page, restored from its history."""

    parent_field = "mission"
    list_display = ("__str__", "public_page")
    list_select_related = ("mission__member", "startup")
    exclude = ("position",)
    autocomplete_fields = ("mission", "startup")

    def scope_filter(self, ids):
        return Q(startup_id__in=hosted_startups(ids))

    def startup_ids(self, obj):
        return [obj.startup_id]

    def scope_key(self, obj):
        return ("startup", obj.startup_id)

    def public_url(self, obj):
        return obj.startup.get_absolute_url()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        touch_startups({obj.startup_id})


@admin.register(TeamMembership)
class TeamMembershipAdmin(LinkRowAdmin):
    """A member's incubator team: edited on the member's page, restored from its history."""

    parent_field = "member"
    list_display = ("__str__", "public_page")
    list_select_related = ("member", "team")
    exclude = ("position",)
    autocomplete_fields = ("member", "team")

    def public_url(self, obj):
        return obj.member.get_absolute_url()
