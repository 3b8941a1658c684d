from startups.filters import FacetValue
from startups.templatetags.portfolio import facet_options, select_options


def test_facet_options_escape_labels_and_values_and_mark_the_selected_one():
    html = facet_options(
        [
            FacetValue("dinum", "DINUM (Direction <interministérielle>)", 1204, True),
            FacetValue('a"b', "R&D", 3, False),
        ]
    )
    assert html.splitlines() == [
        '<option value="dinum" selected>DINUM (Direction &lt;interministérielle&gt;) (1204)'
        "</option>",
        '<option value="a&quot;b">R&amp;D (3)</option>',
    ]


def test_select_options_escape_labels_and_values_and_mark_the_chosen_one():
    html = select_options([("dinum", "Incubateur <DINUM>"), ('a"b', "R&D")], "dinum")
    assert html == (
        '<option value="dinum" selected>Incubateur &lt;DINUM&gt;</option>'
        '<option value="a&quot;b">R&amp;D</option>'
    )
    assert "selected" not in select_options([("dinum", "DINUM")], "")
