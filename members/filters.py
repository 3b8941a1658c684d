"""The filters of the member list (`/membres/`).

GET parameters, all optional and combinable:

- `q`: words searched in the name (and GitHub login), ignoring case and accents;
- `statut`: `actif` (a mission under way today) or `ancien` (none under way today);
- `domain`: a member's domain, as written in the content (`Développement`, `Design`...);
- `incubator`: an incubator slug: members who worked for one of its startups.

An unknown value makes the form invalid (`filterset.errors`) and is ignored by `qs`.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from betagouv.caching import cached_value, digest
from members.models import Member, MemberQuerySet, member_domains
from startups.filters import ContentChoiceFilter, SearchFilter
from startups.models import Incubator

STATUSES = [("actif", "En activité"), ("ancien", "Ancien ou ancienne")]


def domain_choices() -> list[tuple[str, str]]:
    """The domains members have, from the data (the content gives them as free text).
    Cached until the data changes."""
    return [(domain, domain) for domain in cached_value("member-domains", member_domains)]


class MemberFilterForm(DsfrBaseForm):
    """The form validating the member filters."""


class MemberFilter(django_filters.FilterSet):
    """Search and filters of the member list (see the module docstring)."""

    q = SearchFilter(label="Nom", method="search")
    statut = django_filters.ChoiceFilter(label="Statut", choices=STATUSES, method="by_status")
    domain = django_filters.ChoiceFilter(label="Domaine")
    incubator = ContentChoiceFilter(
        label="Incubateur",
        queryset=Incubator.objects.all(),
        to_field_name="slug",
        method="by_incubator",
    )

    class Meta:
        model = Member
        fields: list[str] = []
        form = MemberFilterForm

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["domain"].extra["choices"] = domain_choices()

    def search(self, queryset: MemberQuerySet, name: str, value: str) -> MemberQuerySet:
        return queryset.search(value)

    def by_status(self, queryset: MemberQuerySet, name: str, value: str) -> MemberQuerySet:
        active = queryset.with_active_on(timezone.localdate())
        return active.filter(is_active=value == "actif")

    def by_incubator(self, queryset: MemberQuerySet, name: str, value: Incubator) -> MemberQuerySet:
        return queryset.worked_in_incubator(value)

    def selected(self, name: str) -> str:
        """The valid value of a parameter as it appears in the URL ("" when absent)."""
        self.errors  # noqa: B018 (validates the form)
        value = getattr(self.form, "cleaned_data", {}).get(name)
        return getattr(value, "slug", value) or ""

    def chosen(self) -> list[str]:
        """The valid filters in words, for the page's title (« curie », En activité, Design)."""
        self.errors  # noqa: B018 (validates the form)
        cleaned = getattr(self.form, "cleaned_data", {})
        words = [f"« {cleaned['q']} »"] if cleaned.get("q") else []
        if cleaned.get("statut"):
            words.append(dict(STATUSES)[cleaned["statut"]])
        if cleaned.get("domain"):
            words.append(cleaned["domain"])
        if cleaned.get("incubator"):
            words.append(cleaned["incubator"].title)
        return words

    def total(self) -> int:
        """How many members the filters give, cached until the data or the date changes
        (`cached_value`): every page of the same filters shares it."""
        selection = {name: self.selected(name) for name in self.filters}
        key = f"member-list:{timezone.localdate().isoformat()}:{digest(selection)}"
        return cached_value(key, self.qs.count)
