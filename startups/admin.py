"""The admin of the portfolio: startups with their phase history, events, incubators, sponsors.

Staff of an incubator see and edit only the startups their incubators host (`staff.scope`);
superusers edit everything. Every change is recorded by django-simple-history and can be
reverted from the object's history page, which also lists its phases' and events' history.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from members.models import Mission, MissionStartup
from staff.base_admin import (
    TEXT_FIELDS,
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
    public_link,
    renumber,
)
from staff.groups import create_incubator_group
from staff.scope import IncubatorScopedAdmin, hosted_startups, incubator_ids
from staff.views import admin_page_of_public_page
from startups.models import (
    Event,
    HighlightedStartup,
    Incubator,
    Organisation,
    Phase,
    PhaseSlug,
    PortfolioVersion,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    Thematique,
    Usertype,
)

admin.site.site_header = "Administration des Startups d’État"
admin.site.site_title = "Administration des Startups d’État"
admin.site.index_title = "Portefeuille beta.gouv.fr"

CONTENT_FILE_FIELDSET = (
    "Fichier de contenu",
    {
        "classes": ("collapse",),
        "fields": ("front_matter_keys", "extra_front_matter"),
        "description": "Ce que le fichier d’origine contient en plus, repris tel quel à l’export.",
    },
)
CONTENT_FILE_FIELDS = ("front_matter_keys", "extra_front_matter")


def search_with_slug(queryset: models.QuerySet, term: str) -> models.QuerySet:
    """Accent-insensitive search on the model's search fields, or the identifier itself."""
    term = term.strip()
    if not term:
        return queryset
    found = queryset.model.objects.search(term).values("pk")
    return queryset.filter(Q(pk__in=found) | Q(slug__icontains=term))


class SearchedAdmin(PortfolioAdmin):
    """Search ignores accents and case (`betagouv.search`) and also matches the identifier."""

    def get_search_results(self, request, queryset, search_term):
        return search_with_slug(queryset, search_term), False


# Validation shared by the startup's phase inline and the phase admin.


def phase_dates_error(start: datetime.date | None, end: datetime.date | None) -> str | None:
    if start and end and end < start:
        return (
            f"La fin déclarée ({end:%d/%m/%Y}) précède le début de la phase ({start:%d/%m/%Y}) : "
            "corrigez l’une des deux dates."
        )
    return None


def same_day_error(phase: Phase, other: Phase, start: datetime.date) -> str:
    return (
        f"La phase « {other} » commence déjà le {start:%d/%m/%Y} : deux phases ne peuvent pas "
        f"commencer le même jour. Indiquez la date à laquelle la startup est entrée en « {phase} »."
    )


def duplicate_phase_error(phase: Phase) -> str:
    return (
        f"La phase « {phase} » figure déjà dans l’historique : une startup n’entre qu’une fois "
        "dans chaque phase. Modifiez la ligne existante plutôt que d’en ajouter une."
    )


class PhaseForm(forms.ModelForm):
    """A row of a startup's phase history: its declared end may not precede its start."""

    class Meta:
        model = StartupPhase
        fields = ("phase", "start", "end", "comment")
        widgets = {"comment": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def clean(self) -> dict:
        data = super().clean()
        error = phase_dates_error(data.get("start"), data.get("end"))
        if error:
            self.add_error("end", error)
        return data

    def touches_dates(self) -> bool:
        """A new row, or one whose phase or start changed: the one-phase-a-day rule applies.

        Legacy histories with two phases on one day (56 real startups) stay editable: the rule
        only refuses what an editor enters or changes.
        """
        return self.instance.pk is None or bool({"phase", "start"} & set(self.changed_data))


class PhaseFormSet(BaseInlineFormSet):
    """A startup's whole phase history: at least one phase, each once, no new same-day pair."""

    def clean(self) -> None:
        rows = [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]
        if not any(form.cleaned_data.get("phase") for form in rows) and not any(
            form.errors for form in self.forms
        ):
            raise ValidationError(
                "Une startup a au moins une phase : indiquez la phase dans laquelle elle est "
                "entrée et sa date de début."
            )
        duplicates = False
        for index, form in enumerate(rows):
            phase, start = form.cleaned_data.get("phase"), form.cleaned_data.get("start")
            for other in rows[:index]:
                if phase and other.cleaned_data.get("phase") == phase:
                    form.add_error("phase", duplicate_phase_error(phase))
                    duplicates = True
                    break
            if not (phase and start and form.touches_dates()):
                continue
            for other in rows:
                other_phase = other.cleaned_data.get("phase")
                if other is not form and other_phase and other.cleaned_data.get("start") == start:
                    form.add_error("start", same_day_error(phase, other_phase, start))
                    break
        if not duplicates:
            # Django's own check of unique rows across the forms (its message is less clear).
            super().clean()


class PositionedInline(LabelledTabularInline):
    """Rows listed in the content file's order; new rows are written after the others."""

    extra = 0
    exclude = ("position",)

    def get_queryset(self, request):
        # Each row is titled with its __str__, which names both ends of the link.
        related = [field.name for field in self.model._meta.fields if field.is_relation]
        return super().get_queryset(request).select_related(*related)


class StartupPhaseInline(PositionedInline):
    model = StartupPhase
    form = PhaseForm
    formset = PhaseFormSet
    fields = ("phase", "start", "end", "comment", "row_history")
    readonly_fields = ("row_history",)
    ordering = ("start", "position")
    min_num = 1
    verbose_name = "phase"
    verbose_name_plural = "historique des phases"

    @admin.display(description="Historique")
    def row_history(self, obj: StartupPhase) -> str:
        if obj.pk is None:
            return ""
        url = reverse("admin:startups_startupphase_history", args=[obj.pk])
        return format_html('<a href="{}">historique</a>', url)


class EventInline(PositionedInline):
    model = Event
    fields = ("name", "date", "comment")
    ordering = ("date", "position")
    formfield_overrides = {
        models.TextField: {**TEXT_FIELDS[models.TextField], "widget": forms.Textarea({"rows": 2})}
    }


class IncubatorsFormSet(BaseInlineFormSet):
    """Staff may not take a startup out of their own incubators (it would vanish for them)."""

    scope: frozenset[int] | None = None

    def clean(self) -> None:
        super().clean()
        if self.scope is None:
            return
        kept = {
            form.cleaned_data["incubator"].pk
            for form in self.forms
            if form.cleaned_data.get("incubator") and not self._should_delete_form(form)
        }
        kept.add(self.instance.incubator_id)
        if not kept & self.scope:
            raise ValidationError(
                "La startup doit rester rattachée à l’un de vos incubateurs : sinon vous ne "
                "pourriez plus la modifier."
            )


class StartupIncubatorInline(PositionedInline):
    model = StartupIncubator
    formset = IncubatorsFormSet
    autocomplete_fields = ("incubator",)
    verbose_name = "incubateur"
    verbose_name_plural = "incubateurs (co-incubation)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.scope = incubator_ids(request.user)
        return formset


class StartupSponsorInline(PositionedInline):
    model = StartupSponsor
    autocomplete_fields = ("organisation",)
    verbose_name_plural = "sponsors"


class StartupThematiqueInline(PositionedInline):
    model = StartupThematique
    autocomplete_fields = ("thematique",)
    verbose_name = "thématique"
    verbose_name_plural = "thématiques"


class StartupUsertypeInline(PositionedInline):
    model = StartupUsertype
    autocomplete_fields = ("usertype",)
    verbose_name = "type d’usager"
    verbose_name_plural = "types d’usagers"


class TeamInline(LabelledTabularInline):
    """The missions of the startup's team, read here and edited on each mission's page."""

    model = MissionStartup
    fields = ("mission_link", "period", "status")
    readonly_fields = fields
    ordering = ("-mission__start",)
    extra = 0
    can_delete = False
    verbose_name = "mission de l’équipe"
    verbose_name_plural = "missions de l’équipe (modifiables depuis chaque mission)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mission__member", "startup")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="membre")
    def mission_link(self, obj: MissionStartup) -> str:
        url = reverse("admin:members_mission_change", args=[obj.mission_id])
        return format_html('<a href="{}">{}</a>', url, obj.mission.member)

    @admin.display(description="période")
    def period(self, obj: MissionStartup) -> str:
        end = f"{obj.mission.end:%d/%m/%Y}" if obj.mission.end else "…"
        return f"{obj.mission.start:%d/%m/%Y} → {end}"

    @admin.display(description="statut")
    def status(self, obj: MissionStartup) -> str:
        return obj.mission.get_status_display()


STARTUP_FIELDSETS = (
    (None, ("title", "slug", "mission", "incubator", "description")),
    ("Contacts", ("contact", "contact_dinum", "contact_incubator")),
    (
        "Liens",
        (
            "link",
            "repository",
            "stats",
            "stats_url",
            "budget_url",
            "impact_url",
            "dashlord_url",
        ),
    ),
    (
        "Conformité",
        ("accessibility_status", "analyse_risques", "analyse_risques_url", "mon_service_securise"),
    ),
    ("Financement FAST", ("fast_promotion", "fast_amount")),
    ("Autres informations", ("techno", "redirect_from")),
)
STARTUP_FIELDS = tuple(name for _, names in STARTUP_FIELDSETS for name in names)


class StartupForm(ContentForm):
    techno = lines_field(Startup, "techno")
    redirect_from = lines_field(
        Startup, "redirect_from", help_text="Anciennes adresses de la page, une par ligne."
    )

    class Meta:
        model = Startup
        fields = STARTUP_FIELDS
        formfield_callback = https_formfield

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "contact" in self.fields:
            # The content format requires it (the import refuses a startup without contact).
            self.fields["contact"].required = True

    def clean(self) -> dict:
        data = super().clean()
        promotion, amount = data.get("fast_promotion"), data.get("fast_amount")
        if (promotion is None) != (amount is None) and not self.has_error("fast_promotion"):
            self.add_error(
                "fast_amount" if amount is None else "fast_promotion",
                "Indiquez la promotion et le montant FAST, ou ni l’un ni l’autre.",
            )
        return data


def team_size_today() -> Coalesce:
    """How many members have a mission for the startup active today (its team), per row."""
    missions = Mission.objects.active_on(timezone.localdate())
    sizes = (
        MissionStartup.objects.filter(startup=OuterRef("pk"), mission__in=missions)
        .order_by()
        .values("startup")
        .annotate(size=Count("mission__member", distinct=True))
        .values("size")
    )
    return Coalesce(Subquery(sizes), 0)


class CurrentPhaseFilter(admin.SimpleListFilter):
    title = "phase actuelle"
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return [(phase.value, phase.label) for phase in PhaseSlug]

    def queryset(self, request, queryset):
        if self.value() in PhaseSlug.values:
            return queryset.filter(current_phase=self.value())
        return queryset


class ActiveFilter(admin.SimpleListFilter):
    """beta.gouv.fr's active startups (`PhaseSlug.counts_as_active`), or the others."""

    title = "active"
    parameter_name = "active"
    active_phases = [phase.value for phase in PhaseSlug if phase.counts_as_active]

    def lookups(self, request, model_admin):
        return [("1", "Oui"), ("0", "Non")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(current_phase__in=self.active_phases)
        if self.value() == "0":
            return queryset.exclude(current_phase__in=self.active_phases)
        return queryset


@admin.register(Startup)
class StartupAdmin(IncubatorScopedAdmin, SearchedAdmin):
    form = StartupForm
    list_display = (
        "title",
        "incubator",
        "phase_label",
        "team_size",
        "is_active",
        "updated_at",
        "public_page",
    )
    list_select_related = ("incubator",)
    list_filter = (
        CurrentPhaseFilter,
        ActiveFilter,
        ("incubator", RelatedOnlyFieldListFilter),
        ("sponsors", RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "slug", "mission")
    search_help_text = "Nom, identifiant ou mission, sans tenir compte des accents."
    autocomplete_fields = ("incubator",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = (*CONTENT_FILE_FIELDS, "created_at", "updated_at")
    fieldsets = (
        *((title, {"fields": names}) for title, names in STARTUP_FIELDSETS),
        (
            CONTENT_FILE_FIELDSET[0],
            {
                **CONTENT_FILE_FIELDSET[1],
                "fields": (*CONTENT_FILE_FIELDS, "created_at", "updated_at"),
            },
        ),
    )
    inlines = (
        StartupPhaseInline,
        EventInline,
        StartupIncubatorInline,
        StartupSponsorInline,
        StartupThematiqueInline,
        StartupUsertypeInline,
        TeamInline,
    )
    history_sources_title = "Historique des phases, événements, incubateurs et sponsors"

    def scope_filter(self, ids):
        return Q(pk__in=hosted_startups(ids))

    def startup_ids(self, obj):
        return [obj.pk]

    def scope_key(self, obj):
        return ("startup", obj.pk)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).with_current_phase().annotate(team_size=team_size_today())
        )

    def get_urls(self):
        view = self.admin_site.admin_view(admin_page_of_public_page)
        return [
            path("depuis-le-site/", view, name="startups_startup_from_public_page"),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        ids = incubator_ids(request.user)
        if ids is not None and "incubator" in form.base_fields:
            allowed = set(ids) | ({obj.incubator_id} if obj else set())
            form.base_fields["incubator"].queryset = Incubator.objects.filter(pk__in=allowed)
        return form

    def history_sources(self, obj):
        condition = Q(startup_id=obj.pk)
        return [
            HistorySource(StartupPhase, condition, "Phase"),
            HistorySource(Event, condition, "Événement"),
            HistorySource(StartupIncubator, condition, "Incubateur"),
            HistorySource(StartupSponsor, condition, "Sponsor"),
            HistorySource(StartupThematique, condition, "Thématique"),
            HistorySource(StartupUsertype, condition, "Type d’usager"),
        ]

    def save_related(self, request, form, formsets, change):
        previous_main = form.initial.get("incubator") if change else None
        super().save_related(request, form, formsets, change)
        startup = form.instance
        rows = StartupIncubator.objects.filter(startup=startup)
        moved = previous_main and previous_main != startup.incubator_id
        if moved and set(rows.values_list("incubator_id", flat=True)) == {previous_main}:
            # Moving a startup that was not co-incubated: it leaves its former incubator.
            rows.filter(incubator_id=previous_main).delete()
        if not rows.filter(incubator_id=startup.incubator_id).exists():
            main = StartupIncubator(startup=startup, incubator_id=startup.incubator_id)
            append_positions([main], rows)
            main.save()
        renumber(startup.phases.all(), "start")
        renumber(startup.events.all(), "date")

    @admin.display(description="phase actuelle", ordering="current_phase")
    def phase_label(self, obj: Startup) -> str:
        return PhaseSlug(obj.current_phase).label if obj.current_phase else "—"

    @admin.display(description="équipe", ordering="team_size")
    def team_size(self, obj: Startup) -> int:
        return obj.team_size

    @admin.display(description="active", boolean=True)
    def is_active(self, obj: Startup) -> bool:
        return bool(obj.current_phase) and PhaseSlug(obj.current_phase).counts_as_active


class StartupChildForm(forms.ModelForm):
    """A row of a startup edited on its own page: the same rules as in the startup's page."""

    def touches_dates(self) -> bool:
        return self.instance.pk is None or bool(
            {"startup", "phase", "start"} & set(self.changed_data)
        )


class StartupPhaseForm(StartupChildForm):
    class Meta:
        model = StartupPhase
        fields = ("startup", "phase", "start", "end", "comment")

    def clean(self) -> dict:
        data = super().clean()
        startup, phase, start = data.get("startup"), data.get("phase"), data.get("start")
        error = phase_dates_error(start, data.get("end"))
        if error:
            self.add_error("end", error)
        if startup and (error := self.left_without_phase(startup)):
            self.add_error("startup", error)
        if startup and phase:
            siblings = StartupPhase.objects.filter(startup=startup).exclude(pk=self.instance.pk)
            if siblings.filter(phase=phase).exists():
                self.add_error("phase", duplicate_phase_error(phase))
            elif start and self.touches_dates():
                other = siblings.filter(start=start).select_related("phase").first()
                if other:
                    self.add_error("start", same_day_error(phase, other.phase, start))
        return data

    def left_without_phase(self, startup: Startup) -> str:
        """Why this phase may not move to `startup`: it is the last of the startup it has now
        (as the row is stored: a revert's version may describe another)."""
        left = parent_left_empty(self.instance, "startup", startup.pk)
        if left is None:
            return ""
        return (
            f"C’est la seule phase de « {Startup.objects.get(pk=left)} » : une startup garde "
            "au moins une phase. Ajoutez-lui d’abord une autre phase."
        )

    def validate_unique(self) -> None:
        # The clean() above says it in clearer words.
        exclude = self._get_validation_exclusions() | {"phase"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


def touch_startups(ids) -> None:
    """A startup's page says when it was last updated: a change to its rows updates it too.

    (Saving the startup's own page does it already.) No history record: the row has its own.
    """
    Startup.objects.filter(pk__in=ids).update(updated_at=timezone.now())


class StartupRowAdmin(IncubatorScopedAdmin, PortfolioAdmin):
    """A phase or event on its own page: for its history and revert, and for bulk review.

    Rows are kept in date order (`date_order`), as the content files list them.
    """

    list_select_related = ("startup",)
    autocomplete_fields = ("startup",)
    search_fields = ("startup__title", "startup__slug")
    date_order: str | None = "start"

    def scope_filter(self, ids):
        return Q(startup_id__in=hosted_startups(ids))

    def startup_ids(self, obj):
        return [obj.startup_id]

    def scope_key(self, obj):
        return ("startup", obj.startup_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "startup":
            ids = incubator_ids(request.user)
            if ids is not None:
                kwargs["queryset"] = Startup.objects.filter(pk__in=hosted_startups(ids))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def public_url(self, obj):
        return reverse("startups:startup_detail", args=[obj.startup.slug])

    def save_model(self, request, obj, form, change):
        if obj.pk is None:
            append_positions([obj], self.model.objects.filter(startup_id=obj.startup_id))
        super().save_model(request, obj, form, change)
        startups = {obj.startup_id, form.initial.get("startup") or obj.startup_id}
        if self.date_order:
            for startup_id in startups:
                renumber(self.model.objects.filter(startup_id=startup_id), self.date_order)
        touch_startups(startups)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        touch_startups({obj.startup_id})

    def delete_queryset(self, request, queryset):
        startups = set(queryset.values_list("startup_id", flat=True))
        super().delete_queryset(request, queryset)
        touch_startups(startups)


@admin.register(StartupPhase)
class StartupPhaseAdmin(KeepsOneRowPerParent, StartupRowAdmin):
    form = StartupPhaseForm
    # As the startup's page requires (`PhaseFormSet`).
    kept_by, kept_by_order = "startup", "title"
    keep_one_message = "{parent} : une startup garde au moins une phase"
    list_display = ("startup", "phase", "start", "end", "public_page")
    list_select_related = ("startup", "phase")
    list_filter = ("phase",)
    date_hierarchy = "start"


@admin.register(Event)
class EventAdmin(StartupRowAdmin):
    fields = ("startup", "name", "date", "comment")
    list_display = ("startup", "name", "date", "public_page")
    list_filter = ("name",)
    date_order = "date"


class StartupLinkAdmin(LinkRowAdmin, StartupRowAdmin):
    """A startup's incubator, sponsor, thematique or user type: edited on the startup's page,
    restored from its history."""

    parent_field = "startup"
    list_display = ("__str__", "public_page")
    exclude = ("position",)
    date_order = None


class StartupIncubatorAdmin(StartupLinkAdmin):
    def restore_error(self, restored: StartupIncubator) -> str:
        """A startup keeps its main incubator among its incubators (`save_related`)."""
        startup = restored.startup
        if restored.incubator_id == startup.incubator_id:
            return ""
        main = StartupIncubator.objects.filter(startup=startup, incubator=startup.incubator_id)
        if main.exclude(pk=restored.pk).exists():
            return ""
        return (
            f"« {startup} » garde son incubateur principal, {startup.incubator}, parmi ses "
            "incubateurs : changez d’abord l’incubateur principal, sur la page de la startup."
        )


for link_model, target, link_admin in (
    (StartupIncubator, "incubator", StartupIncubatorAdmin),
    (StartupSponsor, "organisation", StartupLinkAdmin),
    (StartupThematique, "thematique", StartupLinkAdmin),
    (StartupUsertype, "usertype", StartupLinkAdmin),
):
    admin.site.register(
        link_model,
        link_admin,
        autocomplete_fields=("startup", target),
        list_select_related=("startup", target),
    )


@admin.register(HighlightedStartup)
class HighlightedStartupAdmin(LinkRowAdmin):
    """A startup an incubator puts forward: edited on the incubator's page."""

    parent_field = "incubator"
    list_display = ("__str__", "public_page")
    list_select_related = ("incubator", "startup")
    exclude = ("position",)
    autocomplete_fields = ("incubator", "startup")

    def public_url(self, obj):
        return reverse("startups:incubator_detail", args=[obj.incubator.slug])


class HighlightedStartupInline(PositionedInline):
    model = HighlightedStartup
    autocomplete_fields = ("startup",)
    verbose_name_plural = "startups mises en avant"


INCUBATOR_FIELDSETS = (
    (None, ("title", "slug", "owner", "short_description", "description")),
    ("Coordonnées", ("address", "contact", "website", "github", "logo")),
    ("Publication", ("hidden", "redirect_from")),
)
INCUBATOR_FIELDS = tuple(name for _, names in INCUBATOR_FIELDSETS for name in names)


class IncubatorForm(ContentForm):
    redirect_from = lines_field(Incubator, "redirect_from")

    class Meta:
        model = Incubator
        fields = INCUBATOR_FIELDS
        formfield_callback = https_formfield


@admin.register(Incubator)
class IncubatorAdmin(SearchedAdmin):
    form = IncubatorForm
    list_display = ("title", "slug", "owner", "hidden", "staff_group", "public_page")
    list_select_related = ("owner", "staff_group__group")
    list_filter = ("hidden",)
    search_fields = ("title", "slug")
    autocomplete_fields = ("owner",)
    readonly_fields = CONTENT_FILE_FIELDS
    inlines = (HighlightedStartupInline,)
    actions = ("create_staff_groups",)
    fieldsets = (
        *((title, {"fields": names}) for title, names in INCUBATOR_FIELDSETS),
        CONTENT_FILE_FIELDSET,
    )

    history_sources_title = "Historique des startups mises en avant"

    def history_sources(self, obj):
        return [HistorySource(HighlightedStartup, Q(incubator_id=obj.pk), "Mise en avant")]

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        # The main incubator of a startup, chosen by staff: one of their incubators.
        ids = incubator_ids(request.user)
        main_incubator = (request.GET.get("model_name"), request.GET.get("field_name"))
        if ids is not None and main_incubator == ("startup", "incubator"):
            queryset = queryset.filter(pk__in=ids)
        return queryset, distinct

    @admin.display(description="groupe d’édition")
    def staff_group(self, obj: Incubator) -> str:
        link = getattr(obj, "staff_group", None)
        return str(link.group) if link else "—"

    @admin.action(
        description="Créer le groupe d’édition des incubateurs choisis",
        permissions=["create_staff_groups"],
    )
    def create_staff_groups(self, request: HttpRequest, queryset) -> None:
        created = 0
        for incubator in queryset:
            created += create_incubator_group(incubator)[1]
        self.message_user(
            request,
            f"{created} groupe(s) créé(s), {queryset.count() - created} mis à jour. Ajoutez-y "
            "les personnes depuis la page de chaque utilisateur.",
            messages.SUCCESS,
        )

    def has_create_staff_groups_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(Organisation)
class OrganisationAdmin(SearchedAdmin):
    list_display = ("name", "acronym", "slug", "kind", "ministerial_domain", "public_page")
    list_filter = ("kind", "ministerial_domain")
    search_fields = ("name", "acronym", "slug")
    readonly_fields = CONTENT_FILE_FIELDS
    fieldsets = (
        (None, {"fields": ("name", "acronym", "slug", "kind", "ministerial_domain")}),
        ("Présentation", {"fields": ("description",)}),
        CONTENT_FILE_FIELDSET,
    )


@admin.register(Phase)
class PhaseAdmin(PortfolioAdmin):
    """The eight phases are fixed (the business rules name them); their texts are editable."""

    list_display = ("label", "slug", "order", "public_page")
    fields = ("slug", "label", "order", "description", "documentation_url")
    readonly_fields = ("slug",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Thematique, Usertype)
class TagAdmin(admin.ModelAdmin):
    """Thematiques and user types: their public page is the startups' list filtered by them."""

    list_display = ("name", "public_page")
    search_fields = ("name",)

    def view_on_site(self, obj: Thematique | Usertype) -> str:
        parameter = obj._meta.model_name
        return f"{reverse('startups:startup_list')}?{urlencode({parameter: obj.name})}"

    @admin.display(description="Page publique")
    def public_page(self, obj: Thematique | Usertype) -> str:
        return public_link(self.view_on_site(obj))


@admin.register(PortfolioVersion)
class PortfolioVersionAdmin(admin.ModelAdmin):
    """The version every write bumps (pages' ETags and caches derive from it): read only."""

    list_display = ("number", "changed_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
