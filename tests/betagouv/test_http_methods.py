"""Which methods the public answers accept: GET, and HEAD with the same headers (link
checkers, monitors and `curl -I` ask for the headers only); anything else is a 405."""

import pytest
from django.test import Client

from tests.portfolio import shared_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def portfolio(django_db_setup, django_db_blocker):
    yield from shared_portfolio(django_db_blocker)


def public_urls(p) -> list[str]:
    startup, incubator = p.startups["aides"], p.incubators["dinum"]
    return [
        "/",
        "/startups/",
        "/startups/?phase=construction&q=aides",
        startup.get_absolute_url(),
        "/incubateurs/",
        incubator.get_absolute_url(),
        "/organisations/",
        p.organisations["dinum"].get_absolute_url(),
        "/phases/construction/",
        "/recherche/?q=aides",
        "/membres/",
        p.members["marie"].get_absolute_url(),
        "/statistiques/",
        "/statistiques/phases.csv",
        "/flux/changements-de-phase.atom",
        "/sitemap.xml",
        "/robots.txt",
        "/api/v1/startups",
        "/api/v1/startups.csv",
        f"/api/v1/startups/{startup.slug}",
        "/api/v1/stats/phases",
        "/api/v1/stats/evolution",
        "/api/v2.7/startups.json",
        "/api/v2.7/authors.json",
    ]


def test_head_answers_every_public_address_as_get_does_without_the_body(client, portfolio):
    for url in public_urls(portfolio):
        get = client.get(url)
        head = client.head(url)
        assert (url, get.status_code, head.status_code) == (url, 200, 200)
        assert head.content == b""
        for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control"):
            assert head.get(header) == get.get(header), (url, header)


def test_head_first_gives_get_the_whole_page(client, settings, portfolio):
    """The first request of a version may be a HEAD: the answer it stores has its body."""
    settings.RESPONSE_CACHE_SECONDS = 60
    url = portfolio.startups["aides"].get_absolute_url()
    assert client.head(url).status_code == 200
    page = client.get(url)
    assert "Aides Jeunes" in page.content.decode()


def test_other_methods_are_refused_with_the_allowed_ones(client, portfolio):
    urls = [
        *public_urls(portfolio),
        "/flux/nouvelles-startups.atom",
        "/flux/incubateurs/dinum/changements-de-phase.atom",
        "/flux/phases/construction.atom",
        "/sitemap-startups.xml",
    ]
    for url in urls:
        for method in (client.post, client.put, client.delete, client.options):
            response = method(url)
            assert (url, method.__name__, response.status_code) == (url, method.__name__, 405)
            assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}, url


def test_the_api_schema_lists_get_alone(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {method for item in paths.values() for method in item} == {"get"}


def test_a_post_without_csrf_token_gets_the_sites_french_403(portfolio):
    response = Client(enforce_csrf_checks=True).post("/startups/")
    assert response.status_code == 403
    assert "<h1>Envoi refusé</h1>" in response.text
