"""Revalidation, caching, compression, CORS and the rate limit."""

import gzip

import brotli
import pytest
from django.core.cache import cache

from startups.models import Startup
from tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/startups?page_size=5"


def test_etag_and_last_modified_give_304(client, portfolio):
    response = client.get(URL)
    assert response["ETag"].startswith('W/"')
    assert response["Cache-Control"] == "public, no-cache"
    assert client.get(URL, headers={"if-none-match": response["ETag"]}).status_code == 304
    since = response["Last-Modified"]
    assert client.get(URL, headers={"if-modified-since": since}).status_code == 304
    # Another query is another resource.
    other = client.get(URL + "&sort=title", headers={"if-none-match": response["ETag"]})
    assert other.status_code == 200


def test_a_304_does_no_work(client, portfolio, django_assert_num_queries):
    etag = client.get(URL)["ETag"]
    with django_assert_num_queries(1):
        assert client.get(URL, headers={"if-none-match": etag}).status_code == 304


def test_an_edit_changes_the_etag(client, portfolio):
    etag = client.get(URL)["ETag"]
    startup = Startup.objects.get(slug="ecobalyse")
    startup.title = "Écobalyse 2"
    startup.save()
    response = client.get(URL, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_errors_carry_no_etag(client):
    response = client.get("/api/v1/startups?page=0")
    assert response.status_code == 400
    assert not response.has_header("ETag")


def test_cache_max_age_is_configurable(client, portfolio, settings):
    settings.CACHE_MAX_AGE = 120
    assert client.get(URL)["Cache-Control"] == "public, max-age=120"


def test_response_cache_follows_the_portfolio_version(client, portfolio, settings):
    settings.RESPONSE_CACHE_SECONDS = 60
    cache.clear()
    first = client.get("/api/v1/startups?fields=title").json()
    Startup.objects.filter(slug="ecobalyse").update(title="Écobalyse 2")  # no signal: no bump
    assert client.get("/api/v1/startups?fields=title").json() == first
    StartupFactory(slug="nouvelle", phases=[("investigation", "2020-01-01")])  # bumps
    assert client.get("/api/v1/startups?fields=title").json()["count"] == 4
    cache.clear()


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0.5, gzip", "gzip"), ("identity", None)],
)
def test_compression(client, portfolio, accept, encoding):
    plain = client.get(URL).content
    response = client.get(URL, headers={"accept-encoding": accept})
    assert "Accept-Encoding" in response["Vary"]
    assert response.get("Content-Encoding") == encoding
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda body: body}
    assert decode[encoding](response.content) == plain


def test_a_304_repeats_the_vary_of_the_answer_it_stands_for(client, portfolio):
    response = client.get(URL, headers={"accept-encoding": "gzip"})
    again = client.get(URL, headers={"accept-encoding": "gzip", "if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert "Accept-Encoding" in again["Vary"]


def test_html_pages_are_not_compressed_here(client):
    response = client.get("/", headers={"accept-encoding": "gzip, br"})
    assert not response.has_header("Content-Encoding")


def test_cors_is_open_for_reading(client, portfolio):
    response = client.get(URL, headers={"origin": "https://exemple.fr"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        URL,
        headers={"origin": "https://exemple.fr", "access-control-request-method": "GET"},
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    revalidation = client.options(
        URL,
        headers={
            "origin": "https://exemple.fr",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match, if-modified-since",
        },
    )
    allowed = revalidation["Access-Control-Allow-Headers"].split(", ")
    assert {"if-none-match", "if-modified-since"} <= set(allowed)
    page = client.get("/", headers={"origin": "https://exemple.fr"})
    assert not page.has_header("Access-Control-Allow-Origin")


@pytest.fixture
def rate_limit(settings):
    settings.API_RATE_LIMIT = 2
    settings.API_RATE_LIMIT_WINDOW = 60
    cache.clear()
    yield settings
    cache.clear()


def test_rate_limit_answers_429_with_retry_after(client, rate_limit):
    for _ in range(2):
        assert client.get("/api/v1/phases").status_code == 200
    response = client.get("/api/v1/phases")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"]
    # Another client is not limited; pages are not limited.
    assert client.get("/api/v1/phases", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get("/").status_code == 200


def test_rate_limit_trusts_the_configured_proxy_header(client, rate_limit):
    rate_limit.API_CLIENT_IP_HEADER = "X-Forwarded-For"
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        # The client can forge the first address; our proxy appends the real one last.
        headers = {"x-forwarded-for": f"203.0.113.9, {address}"}
        assert client.get("/api/v1/phases", headers=headers).status_code == 200
