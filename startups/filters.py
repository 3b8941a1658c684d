"""The filters of the public startup list (`/startups/`), meant to be reused as they are by the
open-data API, so that both answer the same question the same way.

GET parameters, all optional, all combinable (a startup must match every one given):

- `q`: words searched in the title, mission and description, ignoring case and accents;
  every word must appear (`Startup.objects.search`): « educ » finds « Éducation ».
- `phase`: a current phase slug (`investigation`, `construction`, `acceleration`,
  `consolidation`, `opere`, `transfere`, `abandon-investigation`, `abandon`); repeatable.
- `groupe`: `incubation`, `service-vivant` or `arret`, repeatable: the phases of that group.
  `phase` and `groupe` add up: the current phase must be one of the phases named or belong to
  one of the groups named.
- `incubator`: an incubator slug; a co-incubated startup counts for each of its incubators.
- `sponsor`: the slug of a sponsor organisation.
- `domain`: a ministerial domain code (`solidarite-sante`...) of one of the startup's sponsors.
- `thematique`: a thematique name, as written in the content (`Santé`).
- `usertype`: a usertype name, as written in the content (`particulier`).
- `sort`: `phase` (the default: current phase in the phases' display order, then name),
  `title` (name), `-latest` (latest phase change first), `-launch` (latest launch first),
  `launch` (earliest launch first).

The current phase is the phase on today's date (Europe/Paris), by the model's rule.

An unknown value (a phase that does not exist, an incubator slug nobody has...) makes the
bound form invalid: `filterset.is_valid()` is False and `filterset.errors` names the
parameter. `filterset.qs` then ignores that parameter alone and applies the others: the API
answers 400 on errors, the HTML page shows the results with a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from betagouv.caching import cached_value, digest
from betagouv.search import MAX_QUERY_WORDS, fold
from startups.models import (
    Incubator,
    MinisterialDomain,
    Organisation,
    Phase,
    PhaseGroup,
    PhaseSlug,
    Startup,
    StartupIncubator,
    StartupQuerySet,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    Thematique,
    Usertype,
    count_groups,
    usertype_label,
)
from startups.pages import alphabetical

DEFAULT_SORT = "phase"
SORT_CHOICES = [
    ("phase", "Phase actuelle"),
    ("title", "Nom"),
    ("-latest", "Dernier changement de phase"),
    ("-launch", "Lancement le plus récent"),
    ("launch", "Lancement le plus ancien"),
]

# A facet lists at most this many values (the most frequent, the selected one always): the
# real content has ~140 sponsors, but 100 times the data would make a 14,000-option list.
FACET_LIMIT = 200

# The parameters whose value is a list; every other one takes a single value.
MULTIPLE_VALUED = ("phase", "groupe")


# A query is cut to this length (the search itself reads its first ten words only).
MAX_QUERY_LENGTH = 200
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def clean_query(text: str) -> str:
    """A search as typed, without control characters, cut to a sensible length."""
    return CONTROL_CHARACTERS.sub(" ", text).strip()[:MAX_QUERY_LENGTH]


def query_problems(text: str) -> list[str]:
    """What a search as typed loses, in words (for the message above the results)."""
    problems = []
    if len(text.strip()) > MAX_QUERY_LENGTH:
        problems.append(
            f"La recherche est limitée à {MAX_QUERY_LENGTH} caractères : la suite est ignorée."
        )
    if len(fold(clean_query(text)).split()) > MAX_QUERY_WORDS:
        problems.append(f"Seuls les {MAX_QUERY_WORDS} premiers mots de la recherche comptent.")
    return problems


class SearchField(forms.CharField):
    """A search box: control characters and excess length are dropped, never an error."""

    def to_python(self, value: str | None) -> str:
        return clean_query(super().to_python(value))


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SafeModelChoiceField(forms.ModelChoiceField):
    """A choice by slug or name that rejects what no slug or name can be before querying.

    (PostgreSQL refuses a NUL character in a query: that must be a form error, not a 500.)
    """

    def to_python(self, value):
        if isinstance(value, str) and (
            len(value) > MAX_QUERY_LENGTH or CONTROL_CHARACTERS.search(value)
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ContentChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SafeModelChoiceField


class FacetValue(NamedTuple):
    """One value of a filter, with how many startups it gives with the other filters applied.

    A named tuple: a list page reads a thousand of them from the cache, and tuples unpickle
    ten times faster than dataclasses."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class ListCounts:
    """What the list shows besides its page, the same whatever the page and the sort: how
    many startups the filters give, how many per current phase, and every facet."""

    total: int
    phase_counts: dict[str, int]
    facets: dict[str, list[FacetValue]]


class StartupFilterForm(DsfrBaseForm):
    """The form validating the filters; its fields are those of `StartupFilter`."""


class StartupFilter(django_filters.FilterSet):
    """The startup list's filters, sort and facet counts (see the module docstring)."""

    q = SearchFilter(label="Rechercher", method="search")
    phase = django_filters.MultipleChoiceFilter(label="Phase", choices=PhaseSlug.choices)
    groupe = django_filters.MultipleChoiceFilter(label="Statut", choices=PhaseGroup.choices)
    incubator = ContentChoiceFilter(
        label="Incubateur",
        queryset=Incubator.objects.all(),
        to_field_name="slug",
        method="filter_incubator",
    )
    sponsor = ContentChoiceFilter(
        label="Sponsor",
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        method="filter_sponsor",
    )
    domain = django_filters.ChoiceFilter(
        label="Domaine ministériel", choices=MinisterialDomain.choices, method="filter_domain"
    )
    thematique = ContentChoiceFilter(
        label="Thématique",
        queryset=Thematique.objects.all(),
        to_field_name="name",
        method="filter_thematique",
    )
    usertype = ContentChoiceFilter(
        label="Usagers",
        queryset=Usertype.objects.all(),
        to_field_name="name",
        method="filter_usertype",
    )
    sort = django_filters.ChoiceFilter(label="Trier par", choices=SORT_CHOICES, empty_label=None)

    class Meta:
        model = Startup
        fields: list[str] = []
        form = StartupFilterForm

    def __init__(self, data=None, queryset: StartupQuerySet | None = None, **kwargs) -> None:
        super().__init__(data, queryset=queryset, **kwargs)
        self.today = timezone.localdate()

    # The filters applied one by one, in `filter_except`.

    def search(self, queryset: StartupQuerySet, name: str, value: str) -> StartupQuerySet:
        return queryset.search(value)

    def filter_incubator(
        self, queryset: StartupQuerySet, name: str, value: Incubator
    ) -> StartupQuerySet:
        return queryset.incubated_by(value)

    def filter_sponsor(
        self, queryset: StartupQuerySet, name: str, value: Organisation
    ) -> StartupQuerySet:
        return queryset.sponsored_by(value)

    def filter_domain(self, queryset: StartupQuerySet, name: str, value: str) -> StartupQuerySet:
        return queryset.in_ministerial_domain(value)

    def filter_thematique(
        self, queryset: StartupQuerySet, name: str, value: Thematique
    ) -> StartupQuerySet:
        return queryset.filter(thematiques=value)

    def filter_usertype(
        self, queryset: StartupQuerySet, name: str, value: Usertype
    ) -> StartupQuerySet:
        return queryset.filter(usertypes=value)

    # Combining them.

    @property
    def selected(self) -> dict:
        """The valid parameters, cleaned (model instances for slugs and names)."""
        self.errors  # noqa: B018 (validates the form)
        return {
            name: value
            for name, value in getattr(self.form, "cleaned_data", {}).items()
            if value not in (None, "", [])
        }

    @property
    def sort_value(self) -> str:
        return self.selected.get("sort", DEFAULT_SORT)

    @property
    def selected_phases(self) -> list[str]:
        """The phases asked for through `phase` and `groupe`, in lifecycle order."""
        return self._phases_in(self.selected)

    def filter_queryset(self, queryset: StartupQuerySet) -> StartupQuerySet:
        return self.sorted(self.filter_except(queryset))

    def filter_except(self, queryset: StartupQuerySet, *excluded: str) -> StartupQuerySet:
        """`queryset` filtered by every valid parameter except those named (and `sort`)."""
        selected = {name: value for name, value in self.selected.items() if name not in excluded}
        if phases := self._phases_in(selected):
            queryset = queryset.in_phase_on(phases, self.today)
        for name, value in selected.items():
            if name not in (*MULTIPLE_VALUED, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def sorted(self, queryset: StartupQuerySet) -> StartupQuerySet:
        sort = self.sort_value
        if sort == "phase":
            return queryset.order_by(self.phase_order(), *alphabetical("title"))
        if sort == "-latest":
            latest = F("phase_since").desc(nulls_last=True)
            return queryset.order_by(latest, *alphabetical("title"))
        if sort in ("-launch", "launch"):
            launch = F("launched_on")
            launch = launch.desc(nulls_last=True) if sort == "-launch" else launch.asc()
            return queryset.order_by(launch, *alphabetical("title"))
        return queryset.order_by(*alphabetical("title"))

    @cached_property
    def phases(self) -> list[Phase]:
        """The eight phases, in display order, with their labels (one query)."""
        return list(Phase.objects.all())

    @staticmethod
    def phase_order() -> OrderBy:
        """Order by the display order of the current phase; startups without one come last."""
        return F("phase_order").asc(nulls_last=True)

    @staticmethod
    def _phases_in(selected: dict) -> list[str]:
        wanted = set(selected.get("phase", []))
        for group in selected.get("groupe", []):
            wanted.update(PhaseSlug.in_group(PhaseGroup(group)))
        return [phase.value for phase in PhaseSlug if phase in wanted]

    # Counts: how many startups the filters give and, for each filter, how many each of its
    # values gives with the other filters. They are counted on plain startups: the columns and
    # joins the listed page needs (current phase, sort) would only slow them down.

    def counts(self) -> ListCounts:
        """The list's counts, cached until the data or the date changes (`cached_value`).

        They depend on the valid filters, not on the sort nor the page.
        """
        selection = {
            name: sorted(value) if isinstance(value, list) else getattr(value, "pk", value)
            for name, value in self.selected.items()
            if name != "sort"
        }
        key = f"startup-list:{self.today.isoformat()}:{digest(selection)}"
        return cached_value(key, self.count_all)

    def count_all(self) -> ListCounts:
        phase_counts = self.phase_counts()
        return ListCounts(
            total=self.filter_except(Startup.objects.all()).count(),
            phase_counts=phase_counts,
            facets=facets_for(self, phase_counts),
        )

    def phase_counts(self) -> dict[str, int]:
        """Startups per current phase, with every filter applied but `phase` and `groupe`."""
        others = self.filter_except(Startup.objects.all(), *MULTIPLE_VALUED)
        return others.phase_counts_on(self.today)

    def phase_facets(self, phase_counts: dict[str, int]) -> list[FacetValue]:
        chosen = self.selected.get("phase", [])
        return [
            FacetValue(phase.slug, phase.label, phase_counts[phase.slug], phase.slug in chosen)
            for phase in self.phases
        ]

    def group_facets(self, phase_counts: dict[str, int]) -> list[FacetValue]:
        chosen = self.selected.get("groupe", [])
        return [
            FacetValue(group.value, group.label, count, group.value in chosen)
            for group, count in count_groups(phase_counts).items()
        ]

    def incubator_facets(self) -> list[FacetValue]:
        rows = self.links_of_others(StartupIncubator.objects.all(), "incubator")
        return self._facet(rows, "incubator", "incubator", ("title",), str)

    def sponsor_facets(self) -> list[FacetValue]:
        rows = self.links_of_others(StartupSponsor.objects.all(), "sponsor")
        return self._facet(rows, "sponsor", "organisation", ("name", "acronym"), organisation_label)

    def domain_facets(self) -> list[FacetValue]:
        rows = (
            self.links_of_others(StartupSponsor.objects.all(), "domain")
            .order_by()
            .values_list("ministerial_domain")
            .annotate(count=Count("startup", distinct=True))
        )
        counts = dict(rows)
        chosen = self.selected.get("domain")
        return [
            FacetValue(code, label, counts.get(code, 0), code == chosen)
            for code, label in MinisterialDomain.choices
            if counts.get(code) or code == chosen
        ]

    def thematique_facets(self) -> list[FacetValue]:
        rows = self.links_of_others(StartupThematique.objects.all(), "thematique")
        return self._facet(rows, "thematique", "thematique")

    def usertype_facets(self) -> list[FacetValue]:
        rows = self.links_of_others(StartupUsertype.objects.all(), "usertype")
        return self._facet(rows, "usertype", "usertype", ("name",), usertype_label)

    def links_of_others(self, links: QuerySet, name: str) -> QuerySet:
        """The rows of a link table (startup ↔ value) of the startups the filters other than
        `name` give; all of them when no other filter is set (no needless semi-join)."""
        if not set(self.selected) - {name, "sort"}:
            return links
        others = self.filter_except(Startup.objects.all(), name)
        return links.filter(startup__in=others.values("pk"))

    def _facet(
        self,
        rows: QuerySet,
        name: str,
        field: str,
        label_fields: tuple[str, ...] = (),
        label: Callable[..., str] | None = None,
    ) -> list[FacetValue]:
        """The FACET_LIMIT most frequent values of a link table's `field` (startup ↔ value),
        and the selected one whatever its count, sorted by label.

        Two queries: the counts, grouped by the value's id on the link table alone (grouping
        the joined labels was three times slower at 100 times the data), then the labels.
        """
        chosen = self.selected.get(name)
        chosen_pk = chosen.pk if chosen else None
        order = ["-count", field]
        if chosen:
            order.insert(0, Case(When(**{field: chosen_pk}, then=Value(0)), default=Value(1)))
        counts = dict(
            rows.order_by()
            .values_list(field)
            .annotate(count=Count("*"))
            .order_by(*order)[:FACET_LIMIT]
        )
        # The selected value is shown even when the other filters leave it no startup.
        shown = [*counts, chosen_pk] if chosen else list(counts)
        key = self.filters[name].field.to_field_name
        model = rows.model._meta.get_field(field).related_model
        values = model.objects.filter(pk__in=shown).order_by().values_list("pk", key, *label_fields)
        facets = [
            FacetValue(value, label(*names) if label else value, counts.get(pk, 0), pk == chosen_pk)
            for pk, value, *names in values
        ]
        return sorted(facets, key=lambda facet: fold(facet.label))


def organisation_label(name: str, acronym: str) -> str:
    """« Direction interministérielle du numérique (DINUM) »: what a sponsor is called in lists."""
    return f"{name} ({acronym})" if acronym and acronym != name else name


def facets_for(filters: StartupFilter, phase_counts: dict[str, int]) -> dict[str, list[FacetValue]]:
    """Every facet of the list: phase and groupe share `phase_counts`
    (`filters.phase_counts()`), domain is one grouped query, the others two (`_facet`)."""
    return {
        "groupe": filters.group_facets(phase_counts),
        "phase": filters.phase_facets(phase_counts),
        "incubator": filters.incubator_facets(),
        "sponsor": filters.sponsor_facets(),
        "domain": filters.domain_facets(),
        "thematique": filters.thematique_facets(),
        "usertype": filters.usertype_facets(),
    }
