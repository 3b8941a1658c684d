"""StartupFilter: the contract shared by the public list and the open-data API."""

import pytest
from django.http import QueryDict

from startups.filters import SORT_CHOICES, FacetValue, StartupFilter, facets_for
from startups.models import Startup
from tests.portfolio import shared_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def portfolio(django_db_setup, django_db_blocker):
    yield from shared_portfolio(django_db_blocker)


def filtered(query: str) -> StartupFilter:
    return StartupFilter(QueryDict(query), queryset=Startup.objects.all())


def slugs(filters: StartupFilter) -> list[str]:
    return [startup.slug for startup in filters.qs]


def test_the_parameters_are_the_documented_ones():
    assert list(StartupFilter.base_filters) == [
        "q",
        "phase",
        "groupe",
        "incubator",
        "sponsor",
        "domain",
        "thematique",
        "usertype",
        "sort",
    ]
    sorts = [value for value, _ in SORT_CHOICES]
    assert sorts == ["phase", "title", "-latest", "-launch", "launch"]


def test_phase_and_groupe_add_up(portfolio):
    filters = filtered("phase=opere&groupe=arret&sort=title")
    assert filters.is_valid()
    assert filters.selected_phases == ["opere", "abandon-investigation", "abandon"]
    assert slugs(filters) == ["ancien-service", "service-opere"]


def test_works_on_a_plain_queryset_for_every_sort(portfolio):
    for sort, _ in SORT_CHOICES:
        filters = filtered(f"sort={sort}&groupe=incubation")
        assert sorted(slugs(filters)) == ["aides-jeunes", "ecobalyse"]


@pytest.mark.parametrize(
    ("query", "invalid"),
    [
        ("phase=nope", "phase"),
        ("groupe=vivant", "groupe"),
        ("incubator=inconnu", "incubator"),
        ("sponsor=%00", "sponsor"),
        ("domain=lune", "domain"),
        ("thematique=Inexistante", "thematique"),
        ("usertype=" + "x" * 1000, "usertype"),
        ("sort=random", "sort"),
    ],
)
def test_invalid_values_are_reported_and_ignored(portfolio, query, invalid):
    filters = filtered(query + "&sponsor=dinum" * (invalid != "sponsor"))
    assert not filters.is_valid()
    assert list(filters.errors) == [invalid]
    # The other parameters still apply.
    expected = 5 if invalid == "sponsor" else 2
    assert len(slugs(filters)) == expected


def test_a_search_is_never_invalid(portfolio):
    filters = filtered("q=%00%01" + "é" * 500)
    assert filters.is_valid()
    assert filters.selected["q"] == "é" * 200


def test_facets_count_values_with_the_other_filters(portfolio):
    filters = filtered("incubator=dinum")
    facets = facets_for(filters, filters.phase_counts())
    phase = {f.value: f.count for f in facets["phase"]}
    assert phase["acceleration"] == 1
    assert phase["opere"] == 1
    assert phase["abandon"] == 0
    incubator = {f.value: (f.count, f.selected) for f in facets["incubator"]}
    # Ignores its own filter: every incubator with its count, DINUM selected.
    assert incubator == {
        "ademe": (1, False),
        "dinum": (3, True),
        "fabrique-sociale": (2, False),
    }


def test_a_selected_value_the_other_filters_leave_empty_keeps_its_label(portfolio):
    filters = filtered("incubator=ademe&sponsor=cnam")
    assert facets_for(filters, filters.phase_counts())["sponsor"] == [
        FacetValue("ademe", "Agence de la transition écologique (ADEME)", 1, False),
        FacetValue("cnam", "Caisse nationale de l’Assurance maladie (CNAM)", 0, True),
    ]
