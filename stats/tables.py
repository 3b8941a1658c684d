"""The downloadable tables: stable column names, one row builder each, from the figures.

The column names are a public interface (documented in the README): add columns at the
end, never rename or remove one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from startups.models import PhaseGroup
from stats.figures import PHASES, summary

GROUPS: list[str] = PhaseGroup.values
SUMMARY_LABELS = {
    "startups": "Startups ayant une phase à la date",
    PhaseGroup.INCUBATION.value: PhaseGroup.INCUBATION.label,
    PhaseGroup.LIVING.value: PhaseGroup.LIVING.label,
    PhaseGroup.STOPPED.value: PhaseGroup.STOPPED.label,
    # Not a fourth group: a part of `startups`, each also counted in its group.
    "actives": "Dont startups actives (définition beta.gouv.fr), déjà comptées dans leur groupe",
    "membres-actifs": "Membres actifs",
}

Row = tuple[object, ...]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    figures: tuple[str, ...]
    rows: Callable[[dict, datetime.date], list[Row]]


def _summary(figures: dict, day: datetime.date) -> list[Row]:
    return [(key, SUMMARY_LABELS[key], value) for key, value in summary(figures).items()]


def _phases(figures: dict, day: datetime.date) -> list[Row]:
    on_day = figures["on_day"]
    return [(phase, figures["labels"][phase], on_day[phase]) for phase in PHASES]


def _evolution(figures: dict, day: datetime.date) -> list[Row]:
    return [
        (f"{point:%Y-%m}", point.isoformat(), *(counts[phase] for phase in PHASES))
        for point, counts in figures["evolution"].counted
    ]


def _flows(figures: dict, day: datetime.date) -> list[Row]:
    return [
        (
            year.year,
            year.launched,
            *(year.entered[phase] for phase in PHASES),
            year.transferred,
            year.abandoned,
        )
        for year in figures["flows"]
    ]


def _durations(figures: dict, day: datetime.date) -> list[Row]:
    return [
        (row.phase, figures["labels"][row.phase], row.completed, row.q1, row.median, row.q3)
        for row in figures["durations"]
    ]


def _cohorts(figures: dict, day: datetime.date) -> list[Row]:
    return [
        (cohort.year, cohort.launched, *(cohort.groups[group] for group in GROUPS))
        for cohort in figures["cohorts"]
    ]


def _breakdown(name: str) -> Callable[[dict, datetime.date], list[Row]]:
    def rows(figures: dict, day: datetime.date) -> list[Row]:
        return [
            (row.key, row.label, *(row.counts[phase] for phase in PHASES), row.total)
            for row in figures[name]
        ]

    return rows


def _members(figures: dict, day: datetime.date) -> list[Row]:
    return list(figures["members"])


def _member_flows(figures: dict, day: datetime.date) -> list[Row]:
    return [(year.year, year.arrivals, year.departures) for year in figures["member_flows"]]


TABLES: dict[str, Table] = {
    table.name: table
    for table in [
        Table(
            "synthese",
            "Synthèse à la date",
            ("indicator", "label", "value"),
            ("on_day", "members"),
            _summary,
        ),
        Table(
            "phases",
            "Startups par phase à la date",
            ("phase", "label", "count"),
            ("on_day", "labels"),
            _phases,
        ),
        Table(
            "evolution",
            "Startups par phase à la fin de chaque mois",
            ("month", "date", *PHASES),
            ("evolution",),
            _evolution,
        ),
        Table(
            "flux",
            "Lancements et changements de phase par année",
            (
                "year",
                "launched",
                *(f"entered_{phase}" for phase in PHASES),
                "transferred",
                "abandoned",
            ),
            ("flows",),
            _flows,
        ),
        Table(
            "durees",
            "Durée des phases terminées (en jours)",
            ("phase", "label", "completed", "q1_days", "median_days", "q3_days"),
            ("durations", "labels"),
            _durations,
        ),
        Table(
            "cohortes",
            "Devenir des startups selon leur année de lancement",
            ("launch_year", "launched", *GROUPS),
            ("cohorts",),
            _cohorts,
        ),
        Table(
            "incubateurs",
            "Startups par incubateur et par phase à la date",
            ("incubator", "title", *PHASES, "total"),
            ("incubators",),
            _breakdown("incubators"),
        ),
        Table(
            "domaines",
            "Startups par domaine ministériel du sponsor et par phase à la date",
            ("domain", "label", *PHASES, "total"),
            ("domains",),
            _breakdown("domains"),
        ),
        Table(
            "membres",
            "Membres actifs à la date par domaine",
            ("domain", "count"),
            ("members",),
            _members,
        ),
        Table(
            "membres-flux",
            "Arrivées et départs de membres par année",
            ("year", "arrivals", "departures"),
            ("member_flows",),
            _member_flows,
        ),
    ]
}
