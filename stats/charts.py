"""Geometry of the server-rendered SVG charts (no JavaScript): coordinates, ticks, labels.

Each function returns a plain dict for a template of `templates/stats/charts/`. Colours come
from CSS classes (`static/css/stats.css`) and every series also has its own pattern, so
that the charts read without colour and in print. Numbers are formatted the French way.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

WIDTH = 720
# The pattern drawn over each series' colour (see templates/stats/charts/patterns.html).
PATTERNS = ("solid", "diagonal", "dots", "cross", "horizontal", "vertical", "antidiagonal", "grid")


@dataclass(frozen=True)
class Series:
    """A series of a chart: its key (CSS class suffix), its label, its pattern."""

    key: str
    label: str
    pattern: str


def fr_number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) and not decimals:
        # The common case, thousands of table cells: as number_format would write it.
        return f"{value:,}".replace(",", "\xa0")
    # number_format cuts decimals off: round first, half up as people do (round() gives
    # 84.2 for 84.25, as binary floats and banker's rounding have it), from the shortest
    # decimal writing of the value.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return number_format(rounded, decimals, use_l10n=True, force_grouping=True)


def fr_percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{fr_number(100 * part / whole, 1)} %"


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum` (1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
    ticks = [0.0]
    while ticks[-1] < maximum:
        ticks.append(ticks[-1] + step)
    return ticks


def horizontal_bars(chart_id: str, series: list[Series], values: list[int]) -> dict:
    """One bar per series, labelled directly with its name, value and share."""
    label_width, value_width, row = 270, 130, 30
    bar_width = WIDTH - label_width - value_width
    total = sum(values)
    top = max(values, default=0) or 1
    rows = []
    for index, (item, value) in enumerate(zip(series, values, strict=True)):
        rows.append(
            {
                "series": item,
                "y": index * row + 4,
                "text_y": index * row + 21,
                "width": round(bar_width * value / top, 1),
                "value_x": label_width + round(bar_width * value / top, 1) + 6,
                "value": fr_number(value),
                "share": fr_percent(value, total),
            }
        )
    return {
        "id": chart_id,
        "patterns": list({item.key: item for item in series}.values()),
        "rows": rows,
        "label_x": label_width - 8,
        "bar_x": label_width,
        "height": len(rows) * row + 8,
        "width": WIDTH,
    }


def stacked_area(
    chart_id: str, series: list[Series], points: list[tuple[datetime.date, dict[str, int]]]
) -> dict:
    """Stacked areas over time, a label at the right of each layer thick enough to hold one."""
    left, right, top, bottom, height = 56, 190, 10, 28, 340
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    if not points:
        return {"id": chart_id, "empty": True}
    totals = [sum(counts[item.key] for item in series) for _, counts in points]
    ticks = nice_ticks(max(totals))
    scale = plot_height / ticks[-1]
    step = plot_width / max(len(points) - 1, 1)
    xs = [round(left + index * step, 1) for index in range(len(points))]
    below = [0] * len(points)
    layers = []
    for item in series:
        above = [below[i] + points[i][1][item.key] for i in range(len(points))]
        top_edge = [
            f"{xs[i]},{round(top + plot_height - above[i] * scale, 1)}" for i in range(len(points))
        ]
        bottom_edge = [
            f"{xs[i]},{round(top + plot_height - below[i] * scale, 1)}"
            for i in reversed(range(len(points)))
        ]
        thickness = (above[-1] - below[-1]) * scale
        layers.append(
            {
                "series": item,
                "points": " ".join(top_edge + bottom_edge),
                "label_y": round(top + plot_height - (above[-1] + below[-1]) / 2 * scale + 4, 1),
                "labelled": thickness >= 13,
                "value": fr_number(points[-1][1][item.key]),
            }
        )
        below = above
    years = [{"x": xs[i], "label": day.year} for i, (day, _) in enumerate(points) if day.month == 1]
    if not years or years[0]["x"] - xs[0] >= 36:
        years.insert(0, {"x": xs[0], "label": points[0][0].year})
    return {
        "id": chart_id,
        "empty": False,
        "width": WIDTH,
        "height": height,
        "layers": layers,
        "label_x": xs[-1] + 8,
        "axis_y": top + plot_height,
        "left": left,
        "right": xs[-1],
        "ticks": [
            {"y": round(top + plot_height - tick * scale, 1), "label": fr_number(tick)}
            for tick in ticks
        ],
        "years": years[:: max(1, math.ceil(len(years) / 14))],
        "year_y": top + plot_height + 18,
    }


def grouped_bars(
    chart_id: str, series: list[Series], categories: list[int], values: list[list[int]]
) -> dict:
    """For each category (a year), one bar per series side by side."""
    left, top, bottom, height = 56, 10, 28, 280
    plot_width, plot_height = WIDTH - left - 10, height - top - bottom
    if not categories:
        return {"id": chart_id, "empty": True}
    ticks = nice_ticks(max((max(row) for row in values if row), default=0))
    scale = plot_height / ticks[-1]
    slot = plot_width / len(categories)
    bar = max(min(slot * 0.8 / len(series), 18), 2)
    groups = []
    for index, category in enumerate(categories):
        start = left + index * slot + (slot - bar * len(series)) / 2
        bars = []
        for position, item in enumerate(series):
            value = values[index][position]
            bar_height = round(value * scale, 1)
            bars.append(
                {
                    "series": item,
                    "x": round(start + position * bar, 1),
                    "y": round(top + plot_height - bar_height, 1),
                    "height": bar_height,
                }
            )
        groups.append({"label": category, "x": round(left + (index + 0.5) * slot, 1), "bars": bars})
    return {
        "id": chart_id,
        "empty": False,
        "width": WIDTH,
        "height": height,
        "series": series,
        "groups": groups,
        "bar": round(bar, 1),
        "left": left,
        "right": WIDTH - 10,
        "axis_y": top + plot_height,
        "label_y": top + plot_height + 18,
        "ticks": [
            {"y": round(top + plot_height - tick * scale, 1), "label": fr_number(tick)}
            for tick in ticks
        ],
    }


def boxes(
    chart_id: str,
    rows: list[tuple[Series, int, float | None, float | None, float | None]],
    fewest: int = 1,
) -> dict:
    """For each phase, a box from the first to the third quartile and a line at the median.

    `rows` give each series' number of values, then its quartiles. A series with fewer
    values than `fewest` gets no box, a note instead (its quartiles stay in the table), and
    does not stretch the axis. Lengths are given in days and drawn in months (30.44 days)
    on a shared axis.
    """
    label_width, value_width, row, axis = 270, 150, 34, 26
    plot_width = WIDTH - label_width - value_width
    boxed = [q3 for _, count, _, _, q3 in rows if count >= fewest and q3 is not None]
    longest = max(boxed, default=0) / 30.44
    ticks = nice_ticks(longest, 4)
    scale = plot_width / ticks[-1]
    drawn = []
    for index, (item, count, q1, median, q3) in enumerate(rows):
        y = index * row + 6
        entry = {
            "series": item,
            "y": y,
            "text_y": y + 17,
            "missing": median is None,
            "few": median is not None and count < fewest,
            "count": count,
        }
        if median is not None and count >= fewest:
            entry.update(
                {
                    "x": round(label_width + q1 / 30.44 * scale, 1),
                    "width": max(round((q3 - q1) / 30.44 * scale, 1), 1),
                    "median_x": round(label_width + median / 30.44 * scale, 1),
                    "value_x": round(label_width + q3 / 30.44 * scale + 6, 1),
                    "median": fr_number(median / 30.44, 1),
                }
            )
        drawn.append(entry)
    axis_y = len(rows) * row + 8
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": axis_y + axis,
        "rows": drawn,
        "label_x": label_width - 8,
        "box_height": row - 12,
        "axis_y": axis_y,
        "tick_label_y": axis_y + 16,
        "left": label_width,
        "ticks": [
            {"x": round(label_width + tick * scale, 1), "label": fr_number(tick)} for tick in ticks
        ],
    }


def share_bars(chart_id: str, series: list[Series], rows: list[tuple[str, list[int]]]) -> dict:
    """One bar per row split into the series' shares (100 % stacked), labelled inside."""
    label_width, row = 60, 28
    plot_width = WIDTH - label_width - 10
    drawn = []
    for index, (label, values) in enumerate(rows):
        total = sum(values)
        x = label_width
        segments = []
        for item, value in zip(series, values, strict=True):
            width = plot_width * value / total if total else 0
            segments.append(
                {
                    "series": item,
                    "x": round(x, 1),
                    "width": round(width, 1),
                    "text_x": round(x + width / 2, 1),
                    "share": fr_percent(value, total),
                    "labelled": width >= 48,
                }
            )
            x += width
        drawn.append(
            {"label": label, "y": index * row + 4, "text_y": index * row + 21, "segments": segments}
        )
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": len(rows) * row + 8,
        "series": series,
        "rows": drawn,
        "label_x": label_width - 8,
    }
