"""Every public page, crawled with hostile query strings and paths: never a 500."""

import pytest

from tests.portfolio import shared_portfolio

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/startups/",
    "/startups/aides-jeunes/",
    "/membres/",
    "/membres/marie.curie/",
    "/incubateurs/",
    "/incubateurs/dinum/",
    "/organisations/",
    "/organisations/cnam/",
    "/phases/construction/",
    "/recherche/",
]
PARAMETERS = ("q", "page", "phase", "groupe", "incubator", "sponsor", "domain", "thematique",
              "usertype", "sort", "statut")  # fmt: skip
VALUES = [
    "%00",
    "%01%1f%7f",
    "x" * 20_000,
    "%ff%fe",  # not UTF-8
    "%ed%a0%80",  # a lone surrogate
    "'%20OR%201=1--",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "..%2F..%2Fetc%2Fpasswd",
    "-1",
    "0",
    "9" * 40,  # a page number no integer column holds
    "1e999",
    "%E2%80%AE%F0%9F%98%80",  # right-to-left override, an emoji
    "%25",
]


@pytest.fixture(scope="module")
def portfolio(django_db_setup, django_db_blocker):
    yield from shared_portfolio(django_db_blocker)


def hostile(value_for) -> str:
    return "&".join(f"{name}={value_for(n)}" for n, name in enumerate(PARAMETERS))


def test_every_page_survives_hostile_query_strings(client, portfolio):
    queries = [hostile(lambda n: "%00"), hostile(lambda n: VALUES[n % len(VALUES)])]
    for page in PAGES:
        for query in queries:
            assert client.get(f"{page}?{query}").status_code == 200, (page, query[:80])


@pytest.mark.parametrize("page", ["/startups/", "/membres/"])
def test_the_filtered_lists_survive_every_hostile_value_in_every_parameter(client, portfolio, page):
    for value in VALUES:
        query = hostile(lambda n, value=value: value)
        assert client.get(f"{page}?{query}").status_code == 200, (page, value[:80])


def test_repeated_and_odd_parameters_never_break_the_list(client, portfolio):
    odd = [
        "phase=construction&" * 300,
        "groupe[]=arret&incubator=dinum&incubator=ademe",
        "=&&=x&q",
        "%ff=%ff",
        "page=2&page=x",
    ]
    for query in odd:
        for page in ("/startups/", "/membres/"):
            assert client.get(f"{page}?{query}").status_code == 200, (page, query)


@pytest.mark.parametrize(
    "path",
    [
        "/startups/%00/",
        "/startups/%ff/",
        "/startups/../",
        "/startups/" + "a" * 5000 + "/",
        "/membres/%00.x/",
        "/incubateurs/%ed%a0%80/",
        "/organisations/%3Cscript%3E/",
        "/phases/%00/",
        "/phases/abandon%00/",
        "/startups/%00.html",
        "/incubateurs/x%00y",
    ],
)
def test_hostile_paths_are_not_found(client, portfolio, path):
    response = client.get(path, follow=True)
    assert response.status_code == 404
