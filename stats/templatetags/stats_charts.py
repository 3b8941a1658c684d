"""Template tags drawing the statistics charts as inline SVG, and French number filters."""

from __future__ import annotations

import datetime
import functools
from html import escape as escape_html

from django import template
from django.utils.safestring import SafeString, mark_safe

from startups.models import PhaseGroup
from startups.templatetags.portfolio import long_date
from stats import charts
from stats.charts import PATTERNS, Series
from stats.figures import FEW_PERIODS, PHASES, Cohort, Duration, Evolution, FlowYear, MemberYear

register = template.Library()

GROUP_SERIES = [
    Series(group.value, group.label, pattern)
    for group, pattern in zip(PhaseGroup, ("diagonal", "dots", "cross"), strict=True)
]
FLOW_SERIES = [
    Series("launched", "Lancées", "solid"),
    Series("transfere", "Transférées", "dots"),
    Series("abandon", "Arrêtées (dont investigations non concluantes)", "cross"),
]
MEMBER_SERIES = [
    Series("arrivals", "Arrivées", "solid"),
    Series("departures", "Départs", "diagonal"),
]
TABLE_NOTE = "Les mêmes données sont dans le tableau qui suit."


def phase_series(labels: dict[str, str]) -> list[Series]:
    return [
        Series(phase, labels[phase], pattern)
        for phase, pattern in zip(PHASES, PATTERNS, strict=True)
    ]


@register.filter
def fr_number(value: float | int | None, decimals: int = 0) -> str:
    return charts.fr_number(value, decimals)


@register.filter
def share_of(part: int, whole: int) -> str:
    """`{{ count|share_of:total }}`: « 12,5 % »."""
    return charts.fr_percent(part, whole)


@register.filter
def in_months(days: float | None) -> str:
    """A length in days, in months of 30.44 days, one decimal: « 5,3 »."""
    return "—" if days is None else charts.fr_number(days / 30.44, 1)


# The few counts a table shows, formatted once: a table holds 20,000 cells at scale.
_count_text = functools.lru_cache(maxsize=4096)(charts.fr_number)
_BETWEEN_CELLS = '</td><td class="stats-num">'


@register.simple_tag
def count_rows(rows: list[tuple[str, list[int]]]) -> SafeString:
    """Table rows `<tr><th>label</th><td>n</td>…</tr>`, built here rather than in a template loop:
    the tables by incubator and by month hold thousands of cells at scale (2,300 incubators at
    100 times the data: 31 ms with Django's escaping and a format per cell, 4 ms so)."""
    # Safe: the labels (plain text: names, months) are escaped, the rest are formatted numbers.
    return mark_safe(
        "".join(
            [
                f'<tr><th scope="row">{escape_html(str(label))}</th><td class="stats-num">'
                f"{_BETWEEN_CELLS.join(map(_count_text, counts))}</td></tr>"
                for label, counts in rows
            ]
        )
    )


@register.inclusion_tag("stats/charts/horizontal_bars.html")
def phases_chart(labels: dict[str, str], on_day: dict[str, int], day: datetime.date) -> dict:
    series = phase_series(labels)
    return {
        "chart": charts.horizontal_bars("graphique-phases", series, [on_day[p] for p in PHASES]),
        "title": f"Startups par phase au {long_date(day)}",
        "description": "Diagramme en barres horizontales, une barre par phase, dans l’ordre du "
        f"cycle de vie, chacune libellée de son nombre et de sa part. {TABLE_NOTE}",
    }


@register.inclusion_tag("stats/charts/horizontal_bars.html")
def members_chart(members: list[tuple[str, int]], day: datetime.date) -> dict:
    series = [Series("membres", domain or "(sans domaine)", "solid") for domain, _ in members]
    return {
        "chart": charts.horizontal_bars(
            "graphique-membres", series, [total for _, total in members]
        ),
        "title": f"Membres actifs au {long_date(day)} par domaine",
        "description": "Diagramme en barres horizontales, une barre par domaine, chacune "
        f"libellée de son nombre et de sa part. {TABLE_NOTE}",
    }


@register.inclusion_tag("stats/charts/stacked_area.html")
def evolution_chart(labels: dict[str, str], evolution: Evolution, day: datetime.date) -> dict:
    series = phase_series(labels)
    # A line needs two points at least.
    points = evolution.points if evolution.months else []
    return {
        "chart": charts.stacked_area("graphique-evolution", series, points),
        "series": series,
        "title": "Évolution du nombre de startups par phase, à la fin de chaque mois",
        "description": "Aires empilées, une par phase (investigation en bas, arrêté en haut), "
        f"de la première phase connue jusqu’au {long_date(day)}. {TABLE_NOTE}",
    }


@register.inclusion_tag("stats/charts/grouped_bars.html")
def flows_chart(flows: list[FlowYear]) -> dict:
    return {
        "chart": charts.grouped_bars(
            "graphique-flux",
            FLOW_SERIES,
            [year.year for year in flows],
            [[year.launched, year.transferred, year.abandoned] for year in flows],
        ),
        "title": "Startups lancées, transférées et arrêtées par année",
        "description": f"Barres groupées par année : lancements, transferts, arrêts. {TABLE_NOTE}",
    }


@register.inclusion_tag("stats/charts/grouped_bars.html")
def member_flows_chart(member_flows: list[MemberYear]) -> dict:
    return {
        "chart": charts.grouped_bars(
            "graphique-membres-flux",
            MEMBER_SERIES,
            [year.year for year in member_flows],
            [[year.arrivals, year.departures] for year in member_flows],
        ),
        "title": "Arrivées et départs de membres par année",
        "description": f"Barres groupées par année : arrivées, départs. {TABLE_NOTE}",
    }


@register.inclusion_tag("stats/charts/boxes.html")
def durations_chart(labels: dict[str, str], durations: list[Duration]) -> dict:
    series = {item.key: item for item in phase_series(labels)}
    rows = [(series[row.phase], row.completed, row.q1, row.median, row.q3) for row in durations]
    return {
        "chart": charts.boxes("graphique-durees", rows, fewest=FEW_PERIODS),
        "series": list(series.values()),
        "title": "Durée des phases terminées, en mois",
        "description": "Pour chaque phase, une boîte du premier au troisième quartile et un "
        "trait à la médiane, libellé de la médiane en mois ; pas de boîte pour une phase "
        f"terminée moins de {FEW_PERIODS} fois, trop peu pour en tirer une durée. {TABLE_NOTE}",
    }


@register.inclusion_tag("stats/charts/share_bars.html")
def cohorts_chart(cohorts: list[Cohort], day: datetime.date) -> dict:
    rows = [
        (str(cohort.year), [cohort.groups[group.key] for group in GROUP_SERIES])
        for cohort in cohorts
    ]
    return {
        "chart": charts.share_bars("graphique-cohortes", GROUP_SERIES, rows),
        "title": f"Devenir au {long_date(day)} des startups selon leur année de lancement",
        "description": "Une barre par année de lancement, partagée entre en incubation, "
        f"sortie avec un service vivant et arrêtée, libellée en pourcentages. {TABLE_NOTE}",
    }
