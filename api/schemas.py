"""What the API returns, as pydantic models: the OpenAPI schema is generated from them.

Every field of an item is always present (a missing value is `null`, a missing list `[]`),
unless the request's `fields=` leaves it out; only `slug` is then guaranteed. Dates are
ISO 8601 (`YYYY-MM-DD`).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Field, Schema

from members.models import Mission
from startups.models import MinisterialDomain, OrganisationKind, PhaseGroup, PhaseSlug, Startup

# Addresses the site builds (percent-encoded): URIs.
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]
# Addresses written in the content: free text that may hold accents (IRIs), not checked as URIs.
ContentUrl = str


class ParameterError(Schema):
    parameter: str = Field(description="Le paramètre en cause (`page`, `phase`…).")
    message: str


class Error(Schema):
    """A JSON error body: 400, 404 and 429 answers all have this shape."""

    detail: str = Field(description="Ce qui ne va pas, en français.")
    errors: list[ParameterError] = Field(description="Un élément par paramètre en cause.")


class PhasePeriod(Schema):
    phase: PhaseSlug
    start: datetime.date
    end: datetime.date | None = Field(
        description="Début de la phase suivante (la règle du site) ; null pour la phase en cours."
    )
    declared_end: datetime.date | None = Field(
        description="Fin indiquée dans le fichier de contenu, indicative."
    )
    comment: str | None


class StartupEvent(Schema):
    name: str = Field(description="committee, product_launch, national_impact, fast, eig, end…")
    date: datetime.date
    comment: str | None


class StartupLinks(Schema):
    website: ContentUrl | None
    repository: ContentUrl | None
    stats: ContentUrl | None
    budget: ContentUrl | None
    impact: ContentUrl | None
    dashlord: ContentUrl | None
    risk_analysis: ContentUrl | None


class Fast(Schema):
    promotion: int
    amount: int | None = Field(description="Montant en euros.")


class StartupItem(Schema):
    slug: str
    title: str
    mission: str
    url: Url = Field(description="La page de la startup sur le site.")
    api_url: Url
    current_phase: PhaseSlug | None = Field(description="Phase à la date du jour (heure de Paris).")
    current_phase_start: datetime.date | None
    launched_on: datetime.date | None = Field(description="Début de la première phase.")
    incubator: str = Field(description="Identifiant de l’incubateur principal.")
    incubators: list[str] = Field(description="Tous les incubateurs (co-incubation).")
    sponsors: list[str] = Field(description="Identifiants des organisations sponsors.")
    thematiques: list[str]
    usertypes: list[str]
    techno: list[str]
    phases: list[PhasePeriod] = Field(description="Historique des phases, dans l’ordre.")
    events: list[StartupEvent]
    links: StartupLinks
    contact: str | None
    accessibility_status: Startup.AccessibilityStatus | None
    analyse_risques: bool | None
    mon_service_securise: bool | None
    fast: Fast | None


class TeamMember(Schema):
    slug: str
    fullname: str
    role: str
    domain: str
    api_url: Url


class StartupDetail(StartupItem):
    description: str = Field(description="Présentation, en Markdown.")
    team: list[TeamMember] = Field(description="Membres en mission pour la startup ce jour.")
    alumni: list[TeamMember] = Field(description="Anciens membres, sans mission en cours.")


class MissionItem(Schema):
    start: datetime.date
    end: datetime.date | None
    status: Mission.Status
    employer: str | None
    startups: list[str]


class MemberItem(Schema):
    slug: str
    fullname: str
    api_url: Url
    role: str
    domain: str
    member_type: str | None
    github: str | None
    link: ContentUrl | None
    competences: list[str]
    is_active: bool = Field(description="Une mission en cours ce jour.")
    teams: list[str]
    missions: list[MissionItem]


class MemberDetail(MemberItem):
    bio: str = Field(description="Présentation, en Markdown.")


class IncubatorItem(Schema):
    slug: str
    title: str
    api_url: Url
    owner: str | None = Field(description="Identifiant de l’organisation porteuse.")
    short_description: str | None
    address: str | None
    contact: str | None
    website: ContentUrl | None
    github: ContentUrl | None
    hidden: bool
    startups: list[str] = Field(description="Startups incubées, co-incubation comprise.")


class IncubatorDetail(IncubatorItem):
    description: str
    highlighted_startups: list[str]


class OrganisationItem(Schema):
    slug: str
    name: str
    api_url: Url
    acronym: str | None
    kind: OrganisationKind
    ministerial_domain: MinisterialDomain
    sponsored_startups: list[str]


class OrganisationDetail(OrganisationItem):
    description: str
    incubators: list[str] = Field(description="Incubateurs portés par l’organisation.")


class PhaseItem(Schema):
    slug: PhaseSlug
    label: str
    order: int
    group: PhaseGroup
    counts_as_active: bool = Field(description="Compte parmi les startups actives.")
    description: str | None
    documentation_url: str | None


class PhaseCounts(Schema):
    """How many startups are in each phase; every phase is listed."""

    investigation: int
    construction: int
    acceleration: int
    consolidation: int
    opere: int
    transfere: int
    abandon_investigation: int = Field(alias="abandon-investigation")
    abandon: int


class GroupCounts(Schema):
    incubation: int
    service_vivant: int = Field(alias="service-vivant")
    arret: int


class PhaseStats(Schema):
    date: datetime.date
    phases: PhaseCounts
    groups: GroupCounts
    active: int = Field(
        description="Investigation, construction, accélération, consolidation, opéré."
    )
    total: int = Field(description="Startups ayant une phase à cette date.")


class MonthCounts(Schema):
    date: datetime.date = Field(description="Dernier jour du mois, ou `until` pour le dernier.")
    phases: PhaseCounts


class Evolution(Schema):
    until: datetime.date
    months: list[MonthCounts]


def page_of(item: type[Schema]) -> type[Schema]:
    """The paginated envelope of a list of `item`."""
    return type(
        f"{item.__name__.removesuffix('Item')}Page",
        (Schema,),
        {
            "__annotations__": {
                "count": int,
                "next": str | None,
                "previous": str | None,
                "results": list[item],
            },
            "__doc__": "Une page de résultats : `next` et `previous` sont des adresses absolues.",
        },
    )


LIST_ITEMS = (StartupItem, MemberItem, IncubatorItem, OrganisationItem, PhaseItem)
StartupPage, MemberPage, IncubatorPage, OrganisationPage, PhasePage = map(page_of, LIST_ITEMS)
