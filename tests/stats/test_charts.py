import datetime

import pytest

from stats import charts
from stats.charts import Series
from stats.templatetags.stats_charts import count_rows


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (4, [0, 1, 2, 3, 4]),
        (97, [0, 20, 40, 60, 80, 100]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_ticks_are_round_and_cover_the_maximum(maximum, ticks):
    assert charts.nice_ticks(maximum) == ticks


def test_numbers_are_written_the_french_way():
    assert charts.fr_number(1234567) == "1\xa0234\xa0567"
    assert charts.fr_number(5.26, 1) == "5,3"
    # Halves go up, as people round: round() gives 84.2 and 480.8.
    assert (charts.fr_number(84.25, 1), charts.fr_number(480.75, 1)) == ("84,3", "480,8")
    assert charts.fr_number(2.5) == "3"
    assert charts.fr_number(1234.5, 1) == "1\xa0234,5"
    assert charts.fr_percent(1, 3) == "33,3 %"
    assert charts.fr_percent(0, 0) == "—"


def test_stacked_layers_share_their_edges():
    series = [Series("a", "A", "solid"), Series("b", "B", "dots")]
    points = [
        (datetime.date(2020, 1, 31), {"a": 1, "b": 0}),
        (datetime.date(2020, 2, 29), {"a": 2, "b": 2}),
    ]
    chart = charts.stacked_area("test", series, points)
    lower, upper = (layer["points"].split() for layer in chart["layers"])
    # The top edge of the lower layer is the bottom edge of the upper one.
    assert lower[:2] == list(reversed(upper[2:]))
    assert chart["layers"][1]["value"] == "2"


def test_empty_charts_say_so():
    assert charts.stacked_area("test", [], [])["empty"]
    assert charts.grouped_bars("test", [], [], [])["empty"]
    assert charts.share_bars("test", [], [])["rows"] == []


def test_count_rows_escape_labels_and_write_numbers_in_french():
    html = count_rows([("Incubateur <A> & co", [0, 1234, 56]), ("B", [1234567])])
    assert html == (
        '<tr><th scope="row">Incubateur &lt;A&gt; &amp; co</th><td class="stats-num">0</td>'
        '<td class="stats-num">1\xa0234</td><td class="stats-num">56</td></tr>'
        '<tr><th scope="row">B</th><td class="stats-num">1\xa0234\xa0567</td></tr>'
    )


def test_boxes_leave_out_series_with_too_few_values_and_keep_the_axis_to_the_others():
    many, few, none = (Series(key, key, "solid") for key in ("many", "few", "none"))
    chart = charts.boxes(
        "test",
        [
            (many, 12, 30.44, 60.88, 91.32),
            (few, 3, 300.0, 3000.0, 9000.0),
            (none, 0, None, None, None),
        ],
        fewest=10,
    )
    boxed, thin, empty = chart["rows"]
    assert "x" in boxed
    assert not boxed["few"]
    assert (thin["few"], thin["count"], "x" in thin) == (True, 3, False)
    assert (empty["missing"], empty["few"]) == (True, False)
    # The axis reaches the drawn boxes' 3 months, not the thin series' 296.
    assert chart["ticks"][-1]["label"] == "3"
