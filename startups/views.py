"""The public pages of the portfolio: home, startups, incubators, sponsors, phases, search.

Every count comes from the models' rules (`phase_counts_on`, `count_groups`...), never from
counting here; every page runs a fixed number of queries, whatever the size of the data.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from betagouv.caching import cached_value, wants_fragment
from betagouv.search import query_words
from members.models import Member, Mission, TeamMembership
from startups.filters import (
    DEFAULT_SORT,
    SORT_CHOICES,
    StartupFilter,
    clean_query,
    organisation_label,
    query_problems,
)
from startups.models import (
    Incubator,
    Organisation,
    Phase,
    PhaseGroup,
    PhaseSlug,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupQuerySet,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    count_active,
    count_groups,
)
from startups.pages import alphabetical, list_title, numbered, paginate, phase_sections

# How many startups of each phase an incubator or sponsor page shows before "see all".
FIRST_PER_PHASE = 12
# An incubator puts forward a handful of startups (8 at most in the real content): the page
# shows the first ones, however many the data gives.
HIGHLIGHTED_SHOWN = 12
# How many results of each kind the site-wide search shows before "see all".
SEARCH_LIMIT = 10
# What a startup card shows: lists read these columns only (the descriptions are long), and
# fetch the incubators of a page in a second query rather than joining them to every row
# (a join to a filtered subquery makes PostgreSQL misjudge the plan at 100 times the data).
CARD_FIELDS = ("slug", "title", "mission", "incubator", "launched_on")


def startups_by_phase(
    startups: StartupQuerySet, name: str, today: datetime.date
) -> tuple[dict[str, int], list[Startup]]:
    """How many of `startups` are in each phase today, and the first FIRST_PER_PHASE of each
    phase by name, with what their cards show (the incubator's title only): incubator and
    sponsor pages. Cached as `name` until the next write: at 100 times the data, an
    incubator has 8,000 startups to rank."""

    def count_and_rank() -> tuple[dict[str, int], list[Startup]]:
        first = (
            startups.only(*CARD_FIELDS, "incubator__title")
            .first_per_phase_on(today, FIRST_PER_PHASE)
            .select_related("incubator")
        )
        return startups.phase_counts_on(today), list(first)

    return cached_value(f"{name}:{today.isoformat()}", count_and_rank)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = Startup.objects.phase_counts_on(today)
    return render(
        request,
        "startups/home.html",
        {
            "today": today,
            "total": sum(counts.values()),
            "active": count_active(counts),
            "groups": list(count_groups(counts).items()),
            "phases": [(phase, counts[phase.slug]) for phase in Phase.objects.all()],
        },
    )


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def startup_list(request: HttpRequest) -> HttpResponse:
    partial = wants_fragment(request)
    filters = StartupFilter(
        request.GET,
        queryset=Startup.objects.with_current_phase()
        .only(*CARD_FIELDS)
        .prefetch_related("incubator"),
    )
    counts = filters.counts()
    phase_counts, facets = counts.phase_counts, counts.facets
    page, page_message = paginate(request, filters.qs, count=counts.total)
    grouped = filters.sort_value == DEFAULT_SORT
    sections = []
    if grouped:
        shown_phases = filters.selected_phases or PhaseSlug.values
        sections = phase_sections(
            filters.phases,
            phase_counts,
            page.object_list,
            "current_phase",
            without_phase=page.paginator.count - sum(phase_counts[p] for p in shown_phases),
        )
    chosen = [facet.label for values in facets.values() for facet in values if facet.selected]
    if query := filters.selected.get("q"):
        chosen.insert(0, f"« {query} »")
    page_title = f"Startups : {', '.join(chosen)}" if chosen else "Toutes les startups"
    page_title = numbered(page_title, page)
    return render(
        request,
        "startups/startup_list.html#results" if partial else "startups/startup_list.html",
        {
            "filters": filters,
            "facets": facets,
            "query": filters.selected.get("q", ""),
            # The default sort is the empty value, so that addresses leave it out.
            "sort": "" if grouped else filters.sort_value,
            "sort_choices": [
                ("" if value == DEFAULT_SORT else value, label) for value, label in SORT_CHOICES
            ],
            "chosen": chosen,
            "problems": problems_of(filters),
            "page": page,
            "page_message": page_message,
            "grouped": grouped,
            # Sorted by launch date: the cards show it.
            "launch_sort": filters.sort_value in ("-launch", "launch"),
            "sections": sections,
            "phases_by_slug": {phase.slug: phase for phase in filters.phases},
            "page_title": page_title,
            "oob": partial,
        },
    )


def problems_of(filters) -> list[str]:
    """What was wrong in the parameters, in words, for the message above the results."""
    return [
        f"Le filtre « {filters.form[name].label} » est ignoré : {' '.join(errors)}"
        for name, errors in filters.errors.items()
    ] + query_problems(filters.data.get("q", ""))


@require_safe
def startup_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    startup = get_object_or_404(
        Startup.objects.with_current_phase().select_related("incubator"), slug=slug
    )
    timeline = [
        timeline_entry(period, startup, today)
        for period in startup.phases.with_period_end()
        .select_related("phase")
        .order_by("start", "rank")
    ]
    current = next((entry for entry in timeline if entry["current"]), None)
    team = list(Member.objects.in_team_of(startup, today).order_by(*alphabetical("fullname")))
    alumni = list(Member.objects.alumni_of(startup, today).order_by(*alphabetical("fullname")))
    give_missions(team + alumni, Mission.objects.for_startup(startup))
    return render(
        request,
        "startups/startup_detail.html",
        {
            "startup": startup,
            "current": current,
            "timeline": timeline,
            "events": list(startup.events.all()),
            "incubators": [
                link.incubator
                for link in StartupIncubator.objects.filter(startup=startup).select_related(
                    "incubator"
                )
            ],
            "sponsors": [
                link.organisation
                for link in StartupSponsor.objects.filter(startup=startup).select_related(
                    "organisation"
                )
            ],
            "thematiques": [
                link.thematique
                for link in StartupThematique.objects.filter(startup=startup).select_related(
                    "thematique"
                )
            ],
            "usertypes": [
                link.usertype
                for link in StartupUsertype.objects.filter(startup=startup).select_related(
                    "usertype"
                )
            ],
            "team": team,
            "alumni": alumni,
            "transparency": transparency_links(startup),
        },
    )


def give_missions(members: list[Member], missions: Iterable[Mission]) -> None:
    """Set `startup_missions` on each of `members`: their missions among `missions`, in
    order of start.

    One query whoever the members are: a prefetch would be skipped when a list is empty, and
    the page's query count would then depend on the data.
    """
    by_member: dict[int, list[Mission]] = {}
    for mission in missions.order_by("start", "position"):
        by_member.setdefault(mission.member_id, []).append(mission)
    for member in members:
        member.startup_missions = by_member.get(member.pk, [])


def timeline_entry(period: StartupPhase, startup: Startup, today: datetime.date) -> dict:
    """A row of the phase timeline: dates, duration, and whether it is today's phase.

    A period ends where the next phase starts (`with_period_end`); a phase replaced on the
    day it started (investigation and construction on one date) lasted no time at all.
    """
    current = (
        period.phase_id == startup.current_phase and period.start == startup.current_phase_start
    )
    upcoming = period.start > today
    end = period.period_end
    return {
        "phase": period.phase,
        "start": period.start,
        "end": end,
        "declared_end": period.end,
        "comment": period.comment,
        "current": current,
        "upcoming": upcoming,
        "same_day": end == period.start,
        "duration": None if upcoming else ((end or today) - period.start),
    }


def transparency_links(startup: Startup) -> list[tuple[str, str, str]]:
    """The public documents of a startup: (label, address, what to say when there is none).

    The statistics are where `Startup.usage_statistics_url` says; without its address, the
    risk analysis says what the content says of it (`analyse_risques`: done, not done, or
    nothing), and so does the security follow-up, which has no address
    (`mon_service_securise`).
    """
    risk_analysis = {True: "réalisée, non publiée", False: "non réalisée"}.get(
        startup.analyse_risques, "non renseignée"
    )
    security = {True: "homologation suivie", False: "non suivie"}.get(
        startup.mon_service_securise, "non renseignée"
    )
    return [
        ("Site du service", startup.link, "non renseigné"),
        ("Code source", startup.repository, "non renseigné"),
        ("Statistiques d’usage", startup.usage_statistics_url, "non renseignées"),
        ("Budget", startup.budget_url, "non renseigné"),
        ("Mesure d’impact", startup.impact_url, "non renseignée"),
        ("Analyse de risques", startup.analyse_risques_url, risk_analysis),
        ("Tableau de bord DashLord", startup.dashlord_url, "non renseigné"),
        ("Sécurité (MonServiceSécurisé)", "", security),
    ]


def plain_text(text: str) -> str:
    """Text the content writes with some HTML (`<span class="fr-text--bold">`, `&quot;`),
    as plain text: for a card or a meta description, escaped again by the template."""
    return html.unescape(strip_tags(text)).strip()


@require_safe
def incubator_list(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    incubators = (
        Incubator.objects.search(query).filter(hidden=False).select_related("owner")
    ).order_by(*alphabetical("title"))
    page, page_message = paginate(request, incubators)
    counts = Startup.objects.filter(
        pk__in=StartupIncubator.objects.filter(incubator__in=page.object_list).values("startup")
    ).phase_counts_per("incubators", timezone.localdate())
    cards = [
        (incubator, plain_text(incubator.short_description), group_counts(counts.get(incubator.pk)))
        for incubator in page.object_list
    ]
    return render(
        request,
        "startups/incubator_list.html",
        {
            "page_title": list_title("Incubateurs", [f"« {query} »"] if query else [], page),
            "query": query,
            "problems": query_problems(request.GET.get("q", "")),
            "page": page,
            "page_message": page_message,
            "cards": cards,
        },
    )


def group_counts(phase_counts: dict[str, int] | None) -> list[tuple[PhaseGroup, int]]:
    return list(count_groups(phase_counts or dict.fromkeys(PhaseSlug.values, 0)).items())


@require_safe
def incubator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    incubator = get_object_or_404(Incubator.objects.select_related("owner"), slug=slug)
    counts, first = startups_by_phase(
        Startup.objects.incubated_by(incubator), f"incubator-startups:{incubator.pk}", today
    )
    phases = list(Phase.objects.all())
    # Its teams, each with its members active today (a team may have none today): two
    # queries, even without teams (a prefetch would then skip one).
    active: dict[int, list[Member]] = {}
    memberships = (
        TeamMembership.objects.filter(
            team__incubator=incubator, member__in=Member.objects.active_on(today)
        )
        .select_related("member")
        .order_by("member__search_text", "member__fullname", "member")
    )
    for membership in memberships:
        active.setdefault(membership.team_id, []).append(membership.member)
    teams = [(team, active.get(team.pk, [])) for team in incubator.teams.order_by("name", "pk")]
    return render(
        request,
        "startups/incubator_detail.html",
        {
            "incubator": incubator,
            "summary": plain_text(incubator.short_description),
            "total": sum(counts.values()),
            "groups": list(count_groups(counts).items()),
            "phase_counts": [(phase, counts[phase.slug]) for phase in phases],
            "sections": phase_sections(phases, counts, first),
            "teams": teams,
            "highlighted": list(
                incubator.highlighted_startups.order_by("highlightedstartup__position").only(
                    "slug", "title", "mission"
                )[:HIGHLIGHTED_SHOWN]
            ),
        },
    )


@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    organisations = Organisation.objects.search(query).order_by(*alphabetical("name"))
    page, page_message = paginate(request, organisations)
    counts = Startup.objects.filter(
        pk__in=StartupSponsor.objects.filter(organisation__in=page.object_list).values("startup")
    ).phase_counts_per("sponsors", timezone.localdate())
    cards = [
        (
            organisation,
            organisation_label(organisation.name, organisation.acronym),
            group_counts(counts.get(organisation.pk)),
        )
        for organisation in page.object_list
    ]
    return render(
        request,
        "startups/organisation_list.html",
        {
            "page_title": list_title("Sponsors", [f"« {query} »"] if query else [], page),
            "query": query,
            "problems": query_problems(request.GET.get("q", "")),
            "page": page,
            "page_message": page_message,
            "cards": cards,
        },
    )


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    organisation = get_object_or_404(Organisation, slug=slug)
    counts, first = startups_by_phase(
        Startup.objects.sponsored_by(organisation), f"sponsored-startups:{organisation.pk}", today
    )
    phases = list(Phase.objects.all())
    return render(
        request,
        "startups/organisation_detail.html",
        {
            "organisation": organisation,
            "name": organisation_label(organisation.name, organisation.acronym),
            "total": sum(counts.values()),
            "groups": list(count_groups(counts).items()),
            "phase_counts": [(phase, counts[phase.slug]) for phase in phases],
            "sections": phase_sections(phases, counts, first),
            "incubators": list(organisation.incubators_owned.all()),
        },
    )


@require_safe
def phase_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    phase = get_object_or_404(Phase, slug=slug)
    startups = (
        Startup.objects.with_current_phase()
        .in_phase_on([phase.slug], today)
        .only(*CARD_FIELDS)
        .prefetch_related("incubator")
        .order_by(*alphabetical("title"))
    )
    # Counted on the phase rows alone, by the rule every count follows.
    count = Startup.objects.phase_counts_on(today)[phase.slug]
    page, page_message = paginate(request, startups, count=count)
    return render(
        request,
        "startups/phase_detail.html",
        {"phase": phase, "today": today, "page": page, "page_message": page_message},
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """One box for everything: startups, members, incubators and sponsors."""
    query = clean_query(request.GET.get("q", ""))
    results = []
    if query_words(query):
        today = timezone.localdate()
        kinds = [
            ("startups", "Startups", Startup.objects.only(*CARD_FIELDS), "title"),
            ("membres", "Membres", Member.objects.with_active_on(today), "fullname"),
            ("incubateurs", "Incubateurs", Incubator.objects.filter(hidden=False), "title"),
            ("organisations", "Sponsors", Organisation.objects.all(), "name"),
        ]
        for kind, label, queryset, name in kinds:
            queryset = queryset.search(query).order_by(*alphabetical(name))
            results.append(
                {
                    "kind": kind,
                    "label": label,
                    "total": queryset.count(),
                    "found": list(queryset[:SEARCH_LIMIT]),
                }
            )
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "problems": query_problems(request.GET.get("q", "")),
            "results": results,
            "searched": bool(query_words(query)),
            "page_title": list_title("Recherche", [f"« {query} »"] if query_words(query) else []),
        },
    )
