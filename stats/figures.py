"""The figures of the statistics page, computed by the database from the models' rules.

Each figure is a function of the observation day `day` returning plain, picklable data, so
that the page, the CSV and JSON downloads and the cache share one computation. None of them
re-states a rule: the phase on a date, periods, launch dates, groups, active startups and
active members come from `startups.models` and `members.models`. Every query groups in the
database; the Python loops below run over the grouped rows (phases, years, months,
incubators), never over startups or members.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone

from betagouv.caching import cached_data
from betagouv.search import fold
from members.models import Member
from startups.models import (
    DaysBetween,
    Incubator,
    MinisterialDomain,
    Phase,
    PhaseGroup,
    PhaseSlug,
    Startup,
    StartupPhase,
    count_active,
    count_groups,
    count_per_year,
)

logger = logging.getLogger(__name__)
PHASES: list[str] = PhaseSlug.values
# Quartiles asked of the durations, as fractions of four.
QUARTILES = (1, 2, 3)
# Fewer completed periods than this make quartiles to read with care: the table marks them
# and the chart draws no box for them.
FEW_PERIODS = 10
NO_SPONSOR = "aucun-sponsor"
NO_SPONSOR_LABEL = "Aucun sponsor"


def zero_counts() -> dict[str, int]:
    return dict.fromkeys(PHASES, 0)


@dataclass(frozen=True)
class Evolution:
    """Counts per phase at every month's end, and on the observation day itself: the points
    of `Startup.objects.phase_counts_by_month(day)`, the last one on the day (made of the
    figures `month_ends` and `on_day`: see `DERIVED`)."""

    points: list[tuple[datetime.date, dict[str, int]]]

    @property
    def months(self) -> list[tuple[datetime.date, dict[str, int]]]:
        return self.points[:-1]

    @property
    def on_day(self) -> dict[str, int]:
        return self.points[-1][1] if self.points else zero_counts()

    @property
    def counted(self) -> list[tuple[datetime.date, dict[str, int]]]:
        """The points the tables show: none while no startup has had a phase."""
        return self.points if self.months or any(self.on_day.values()) else []


@dataclass(frozen=True)
class FlowYear:
    year: int
    launched: int
    entered: dict[str, int]

    @property
    def transferred(self) -> int:
        return self.entered[PhaseSlug.TRANSFERE]

    @property
    def abandoned(self) -> int:
        return self.entered[PhaseSlug.ABANDON] + self.entered[PhaseSlug.ABANDON_INVESTIGATION]


@dataclass(frozen=True)
class Duration:
    """Quartiles, in days, of the completed periods of one phase (None when there are none)."""

    phase: str
    completed: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def few(self) -> bool:
        """Some completed periods, too few for the quartiles to say much (FEW_PERIODS)."""
        return 0 < self.completed < FEW_PERIODS


@dataclass(frozen=True)
class Cohort:
    year: int
    groups: dict[str, int]

    @property
    def launched(self) -> int:
        return sum(self.groups.values())


@dataclass(frozen=True)
class Breakdown:
    """Counts per phase on the day for one incubator or one ministerial domain."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=zero_counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ordered_counts(self) -> list[int]:
        return [self.counts[phase] for phase in PHASES]


@dataclass(frozen=True)
class MemberYear:
    year: int
    arrivals: int
    departures: int


def phase_labels() -> dict[str, str]:
    """The phases' labels from the content, in lifecycle order (the enum's as fallback)."""
    labels = dict(Phase.objects.values_list("slug", "label"))
    return {phase.value: labels.get(phase.value, phase.label) for phase in PhaseSlug}


def flows(day: datetime.date) -> list[FlowYear]:
    """Per year up to `day`: launches, and entries into each phase (`entries_by`). 2 queries."""
    launches = count_per_year(Startup.objects.filter(launched_on__lte=day), "launched_on")
    entries = (
        StartupPhase.objects.entries_by(day)
        .annotate(year=ExtractYear("start"))
        .order_by()
        .values_list("year", "phase")
        .annotate(total=Count("*"))
    )
    entered: dict[int, dict[str, int]] = {}
    for year, phase, total in entries:
        entered.setdefault(year, zero_counts())[phase] = total
    years = set(launches) | set(entered)
    if not years:
        return []
    return [
        FlowYear(year, launches.get(year, 0), entered.get(year, zero_counts()))
        for year in range(min(years), day.year + 1)
    ]


def durations(day: datetime.date) -> list[Duration]:
    """Quartiles of the completed periods' lengths per phase, computed by the database: 1 query.

    PostgreSQL has the aggregate for it (`PercentileCont`, one sort per phase); elsewhere a
    window picks the rows around each quartile (`_quartiles_by_window`): on PostgreSQL at
    100 times the data, 84 ms against 49. Both give the same values (a test compares them
    on PostgreSQL; CI runs the suite on both databases).
    """
    periods = StartupPhase.objects.completed_by(day).annotate(
        length=DaysBetween("start", "period_end")
    )
    if connection.vendor == "postgresql":
        found = _quartiles_by_aggregate(periods)
    else:
        found = _quartiles_by_window(periods)
    return [
        Duration(phase, *found[phase]) if phase in found else Duration(phase, 0) for phase in PHASES
    ]


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile: the value `fraction` of the way through the sorted
    values, interpolated linearly between the two nearest."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)r) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


Quartiles = dict[str, tuple[int, float, float, float]]


def _quartiles_by_aggregate(periods: QuerySet) -> Quartiles:
    """(completed, q1, median, q3) per phase of `periods` (annotated with their `length`)."""
    rows = (
        periods.order_by()
        .values_list("phase")
        .annotate(
            completed=Count("*"),
            **{f"q{quarter}": PercentileCont("length", quarter / 4) for quarter in QUARTILES},
        )
    )
    return {phase: (completed, *quartiles) for phase, completed, *quartiles in rows}


def _quartiles_by_window(periods: QuerySet) -> Quartiles:
    """As `_quartiles_by_aggregate`, with a window that numbers each phase's periods by
    length: only the (at most six per phase) rows around each quartile's position come back,
    and are interpolated as `percentile_cont` does: the quartile q of n sorted values
    v(1..n) lies at h = 1 + (n - 1) q / 4, between v(floor h) and v(ceil h). A row at place p
    is needed when |4 (p - 1) - (n - 1) q| < 4, which is an integer test."""
    offset = ExpressionWrapper((F("place") - 1) * 4, output_field=IntegerField())
    span = ExpressionWrapper(F("size") - 1, output_field=IntegerField())
    near_a_quartile = Q()
    for quarter in QUARTILES:
        near_a_quartile |= Q(offset__gt=span * quarter - 4, offset__lt=span * quarter + 4)
    rows = (
        periods.annotate(
            place=Window(RowNumber(), partition_by=F("phase"), order_by=F("length").asc()),
            size=Window(Count("*"), partition_by=F("phase")),
        )
        .annotate(offset=offset)
        .filter(near_a_quartile)
        .order_by()
        .values_list("phase", "place", "size", "length")
    )
    values: dict[str, dict[int, int]] = {}
    sizes: dict[str, int] = {}
    for phase, place, size, length in rows:
        values.setdefault(phase, {})[place] = length
        sizes[phase] = size
    return {
        phase: (size, *(_interpolate(values[phase], size, quarter) for quarter in QUARTILES))
        for phase, size in sizes.items()
    }


def _interpolate(values: dict[int, int], size: int, quarter: int) -> float:
    low, remainder = divmod((size - 1) * quarter, 4)
    below = values[low + 1]
    if not remainder:
        return float(below)
    return below + (values[low + 2] - below) * remainder / 4


def cohorts(day: datetime.date) -> list[Cohort]:
    """For startups launched each year up to `day`, how many are in each group on `day`.

    One query grouped by launch year and phase on `day`; a startup launched after `day` has
    no phase on `day` (its rows are skipped), so no filter evaluates the subqueries again.
    """
    rows = (
        Startup.objects.with_phase_on(day)
        .annotate(year=ExtractYear("launched_on"))
        .order_by()
        .values_list("year", "phase_on")
        # Rows, not ids: today's are then counted from PostgreSQL's index on (phase,
        # launched_on) alone, without reading the startups.
        .annotate(total=Count("*"))
    )
    per_year: dict[int, dict[str, int]] = {}
    for year, phase, total in rows:
        if phase is not None:
            per_year.setdefault(year, zero_counts())[phase] = total
    return [
        Cohort(year, {group.value: total for group, total in count_groups(counts).items()})
        for year, counts in sorted(per_year.items())
    ]


def by_incubator(day: datetime.date) -> list[Breakdown]:
    """Counts per phase on `day` for every incubator; a co-incubated startup counts for each.

    Two queries: the counts grouped by incubator id, then every incubator's name (grouping
    the joined names was twice as slow at 100 times the data; asking for the names of the
    2,300 ids counted, slower than reading all of them).
    """
    counts = Startup.objects.phase_counts_per("incubators", day)
    labels = Incubator.objects.order_by().values_list("pk", "slug", "title")
    breakdowns = [Breakdown(slug, title, counts[pk]) for pk, slug, title in labels if pk in counts]
    return sorted(breakdowns, key=lambda row: (fold(row.label), row.key))


def by_sponsor_domain(day: datetime.date) -> list[Breakdown]:
    """Counts per phase on `day` per sponsors' ministerial domain, by label.

    A startup with sponsors in two domains counts once in each (and once in a domain where
    it has two sponsors); startups without any sponsor make the « Aucun sponsor » row.
    """
    rows = (
        Startup.objects.with_phase_on(day)
        .order_by()
        .values_list("startupsponsor__ministerial_domain", "phase_on")
        .annotate(total=Count("pk", distinct=True))
    )
    labels = dict(MinisterialDomain.choices)
    breakdowns: dict[str, Breakdown] = {}
    for domain, phase, total in rows:
        if phase is None:
            continue
        key = domain or NO_SPONSOR
        label = labels.get(domain, domain) if domain else NO_SPONSOR_LABEL
        breakdowns.setdefault(key, Breakdown(key, label)).counts[phase] = total
    # By label as a French reader sorts (« Économie et finances » among the E), « Aucun
    # sponsor » last.
    return sorted(
        breakdowns.values(), key=lambda row: (row.key == NO_SPONSOR, fold(row.label), row.key)
    )


def members_by_domain(day: datetime.date) -> list[tuple[str, int]]:
    """Active members on `day` per member domain (their `domain` field), most first."""
    rows = (
        Member.objects.active_on(day)
        .order_by()
        .values_list("domain")
        # Rows, not ids: today's are then counted from the index on (active, domain) alone,
        # without reading the members.
        .annotate(total=Count("*"))
        .order_by("-total", "domain")
    )
    return list(rows)


def member_flows(day: datetime.date) -> list[MemberYear]:
    """Arrivals and departures per year up to `day` (`Member.objects`' rules): 2 queries."""
    arrivals = Member.objects.arrivals_by_year(day)
    departures = Member.objects.departures_by_year(day)
    years = set(arrivals) | set(departures)
    if not years:
        return []
    return [
        MemberYear(year, arrivals.get(year, 0), departures.get(year, 0))
        for year in range(min(years), day.year + 1)
    ]


FIGURES: dict[str, Callable[[datetime.date], object]] = {
    "labels": lambda day: phase_labels(),
    # The counts on the day, also the evolution's last point: on their own, a download of
    # today's costs one index read instead of two scans of the phase history.
    "on_day": lambda day: Startup.objects.phase_counts_on(day),
    "month_ends": lambda day: Startup.objects.phase_counts_at_month_ends(day),
    "flows": flows,
    "durations": durations,
    "cohorts": cohorts,
    "incubators": by_incubator,
    "domains": by_sponsor_domain,
    "members": members_by_domain,
    "member_flows": member_flows,
}


def _evolution(figures: dict, day: datetime.date) -> Evolution:
    month_ends = figures["month_ends"]
    return Evolution([] if month_ends is None else [*month_ends, (day, figures["on_day"])])


# Figures made of others: the ones they need, and how. The evolution's last point is the
# counts on the day, computed once for both.
DERIVED: dict[str, tuple[tuple[str, ...], Callable[[dict, datetime.date], object]]] = {
    "evolution": (("month_ends", "on_day"), _evolution),
}


def compute(day: datetime.date, names: list[str] | None = None) -> dict[str, object]:
    """The figures named (all by default) for `day`, from the cache when the data is unchanged
    (`betagouv.caching.cached_data`): figures depend on nothing else than the data and `day`.
    Costs one query, plus the figures' own when they are not cached.
    """
    names = [*FIGURES, *DERIVED] if names is None else names
    needed = dict.fromkeys(
        part for name in names for part in (DERIVED[name][0] if name in DERIVED else (name,))
    )
    keys = {f"stats:{day.isoformat()}:{name}": name for name in needed}
    found = cached_data(keys, lambda key: FIGURES[keys[key]](day))
    figures = {name: found[key] for key, name in keys.items()}
    for name in names:
        if name in DERIVED:
            figures[name] = DERIVED[name][1](figures, day)
    return figures


def prepare_todays_figures() -> None:
    """Compute today's figures into the cache, if they are not there yet: done after every
    change to the portfolio (`stats.signals`, the import), so that no visitor waits for them.

    Done after the change is committed and answered: a failure is logged, nobody is shown an
    error, and the first visitor computes the figures, as any visitor of a past date does.
    """
    try:
        compute(timezone.localdate())
    except Exception:
        logger.exception("Today's statistics could not be prepared after a change")


def summary(figures: dict) -> dict[str, int]:
    """The headline numbers on `day`: startups with a phase, per group, active, members."""
    on_day = figures["on_day"]
    groups = count_groups(on_day)
    return {
        "startups": sum(on_day.values()),
        PhaseGroup.INCUBATION.value: groups[PhaseGroup.INCUBATION],
        PhaseGroup.LIVING.value: groups[PhaseGroup.LIVING],
        PhaseGroup.STOPPED.value: groups[PhaseGroup.STOPPED],
        "actives": count_active(on_day),
        "membres-actifs": sum(total for _, total in figures["members"]),
    }
