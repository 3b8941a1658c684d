import datetime

import pytest

from startups.filters import FacetValue
from startups.templatetags.portfolio import (
    facet_options,
    group_badge,
    long_date,
    phase_badge,
    pluriel,
    select_options,
)
from tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    ("phase", "badge"),
    [
        ("investigation", "fr-badge--info"),
        ("consolidation", "fr-badge--info"),
        ("opere", "fr-badge--success"),
        ("transfere", "fr-badge--success"),
        ("abandon", "fr-badge--purple-glycine"),
        ("abandon-investigation", "fr-badge--purple-glycine"),
        ("inconnue", ""),
        (None, ""),
    ],
)
def test_a_phase_badge_has_its_groups_colour(phase, badge):
    assert phase_badge(phase) == badge


def test_a_group_badge_has_its_colour_and_an_unknown_group_none():
    assert group_badge("service-vivant") == "fr-badge--success"
    assert group_badge("inconnu") == ""


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


def test_long_dates_write_the_first_of_a_month_1er():
    assert long_date(datetime.date(2020, 1, 1)) == "1er janvier 2020"
    assert long_date(datetime.date(2020, 1, 2)) == "2 janvier 2020"
    assert long_date(datetime.date(2024, 3, 31)) == "31 mars 2024"
    assert long_date(None) == ""


def test_french_plurals_take_the_singular_for_zero_and_one():
    assert [pluriel(count) for count in (0, 1, 1.5, 2, 1000, -3)] == ["", "", "", "s", "s", "s"]
    assert pluriel([]) == pluriel(["a"]) == ""
    assert pluriel(["a", "b"]) == "s"
    assert pluriel(0, "l’incubateur,les incubateurs") == "l’incubateur"
    assert pluriel(2, "l’incubateur,les incubateurs") == "les incubateurs"
    assert pluriel("deux") == ""


@pytest.mark.django_db
def test_a_sponsor_without_startups_says_it_in_the_singular(client):
    organisation = OrganisationFactory()
    assert "<h2>0 startup financée</h2>" in client.get(organisation.get_absolute_url()).text
