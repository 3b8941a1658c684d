"""Public answers: ETag/304, the shared response cache, its bypasses, and security headers."""

import os
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from betagouv import caching
from startups.models import Startup
from tests.factories import StartupFactory, UserFactory

pytestmark = pytest.mark.django_db

URL_API = "/api/v1/startups?page_size=100"


@pytest.fixture
def startup():
    return StartupFactory(
        slug="aides-jeunes", title="Aides Jeunes", phases=[("investigation", "2020-01-01")]
    )


@pytest.fixture
def response_cache(settings):
    settings.RESPONSE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_a_public_page_can_be_revalidated_by_a_cdn(client, startup, django_assert_num_queries):
    response = client.get(startup.get_absolute_url())
    assert response["ETag"].startswith('W/"')
    assert response.has_header("Last-Modified")
    assert response["Cache-Control"] == "public, no-cache"
    vary = {value.strip() for value in response["Vary"].split(",")}
    assert {"Cookie", "HX-Request"} <= vary
    assert "Accept-Language" not in vary  # one language: a CDN keeps one copy
    assert not response.cookies
    with django_assert_num_queries(1):  # the portfolio version, then 304: no view runs
        again = client.get(startup.get_absolute_url(), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    since = client.get(
        startup.get_absolute_url(), headers={"if-modified-since": response["Last-Modified"]}
    )
    assert since.status_code == 304


def test_an_htmx_fragment_is_another_representation(client, startup):
    full = client.get(reverse("startups:startup_list"))
    fragment = client.get(reverse("startups:startup_list"), headers={"hx-request": "true"})
    assert full["ETag"] != fragment["ETag"]
    stale = client.get(
        reverse("startups:startup_list"),
        headers={"hx-request": "true", "if-none-match": full["ETag"]},
    )
    assert stale.status_code == 200


def test_each_address_and_query_string_is_its_own_answer(client, startup):
    list_url = reverse("startups:startup_list")
    etags = {url: client.get(url)["ETag"] for url in (list_url, f"{list_url}?page=2")}
    assert len(set(etags.values())) == 2
    assert client.get(f"{list_url}?page=2")["ETag"] == etags[f"{list_url}?page=2"]


def test_no_two_requests_share_an_etag_whatever_characters_they_hold(client, startup):
    list_url = reverse("startups:startup_list")
    shared_link = client.get(f"{list_url}?q=a|b")["ETag"]
    crafted = client.get(f"{list_url}?q=a", headers={"hx-request": "b|"})["ETag"]
    assert shared_link != crafted


def test_a_precondition_that_fails_is_a_412(client, startup):
    response = client.get(startup.get_absolute_url(), headers={"if-match": '"another"'})
    assert response.status_code == 412


def test_a_views_own_cache_directives_are_kept(rf, startup):
    def view(request):
        response = HttpResponse("page")
        response["Cache-Control"] = "no-transform"
        response["Vary"] = "Accept-Language"
        return response

    response = caching.ConditionalGetMiddleware(view)(rf.get("/startups/"))
    assert response["Cache-Control"] == "no-transform, public, no-cache"
    assert response["Vary"] == "Accept-Language, Cookie, HX-Request, HX-History-Restore-Request"


def test_an_edit_is_on_the_next_request_despite_the_cache(
    client, startup, response_cache, django_assert_num_queries
):
    url = startup.get_absolute_url()
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):  # the version; the page comes from the cache
        assert "Aides Jeunes" in client.get(url).text
    startup.title = "Aides Jeunes 2"
    startup.save()
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Aides Jeunes 2" in response.text
    assert "Aides Jeunes 2" in client.get(reverse("startups:startup_list")).text


def test_each_process_keeps_a_copy_that_is_never_stale(
    client, startup, response_cache, django_assert_num_queries
):
    """The shared cache is a round trip away (Redis); the process's own copy is not. Its key
    holds the version too: after an edit, the copy of the old page is never served."""
    url = startup.get_absolute_url()
    client.get(url)
    cache.clear()  # Only this process's copy is left.
    with django_assert_num_queries(1):  # the version; no view runs
        assert "Aides Jeunes" in client.get(url).text
    startup.title = "Aides Jeunes 2"
    startup.save()
    assert "Aides Jeunes 2" in client.get(url).text


def test_a_process_keeps_its_latest_answers_and_drops_the_least_recently_used():
    copies = caching.AnswerCopies(2)
    copies.set("a", (b"A", [], 200))
    copies.set("b", (b"B", [], 200))
    assert copies.get("a") == (b"A", [], 200)  # "b" is now the least recently used.
    copies.set("c", (b"C", [], 200))
    assert copies.get("b") is None
    assert copies.get("a") == (b"A", [], 200)
    assert copies.get("c") == (b"C", [], 200)
    copies.clear()
    assert copies.get("a") is None


def test_a_write_without_signal_is_not_seen_until_the_version_changes(
    client, startup, response_cache
):
    """The cache trusts the version: writers that bypass signals must bump it (the importer,
    the demo data and the admin do). This pins that the cache is really used."""
    url = startup.get_absolute_url()
    client.get(url)
    Startup.objects.filter(pk=startup.pk).update(title="Changé en douce")
    assert "Changé en douce" not in client.get(url).text


def test_signed_in_staff_never_get_a_shared_page(client, startup, response_cache):
    url = startup.get_absolute_url()
    client.get(url)  # cached for the public
    client.force_login(UserFactory(is_staff=True))
    response = client.get(url)
    assert not response.has_header("ETag")
    Startup.objects.filter(pk=startup.pk).update(title="Vu par l’équipe")
    assert "Vu par l’équipe" in client.get(url).text


@pytest.mark.parametrize("path", ["/admin/login/", "/healthz"])
def test_the_admin_and_the_health_check_are_never_cached(client, path):
    assert not client.get(path).has_header("ETag")


def test_errors_are_neither_validated_nor_cached(client, response_cache):
    response = client.get("/startups/inconnue/")
    assert response.status_code == 404
    assert not response.has_header("ETag")
    assert not caching.answer_copies.answers


def test_an_old_address_redirect_is_kept_like_a_page_and_follows_edits(
    client, startup, response_cache, django_assert_num_queries
):
    startup.redirect_from = ["/startups/ancienne-adresse/"]
    startup.save()
    assert client.get("/startups/ancienne-adresse/")["Location"] == "/startups/aides-jeunes/"
    with django_assert_num_queries(1):  # the portfolio version: no view, no lookup
        again = client.get("/startups/ancienne-adresse/")
    assert (again.status_code, again.url) == (301, "/startups/aides-jeunes/")
    assert client.get("/startups/ancienne-adresse/", follow=True).status_code == 200
    startup.redirect_from = []
    startup.save()
    assert client.get("/startups/ancienne-adresse/").status_code == 404


def test_security_headers_on_fresh_and_cached_pages(client, startup, response_cache):
    for _ in range(2):
        response = client.get(startup.get_absolute_url())
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "nonce" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]


def test_hsts_over_https(client, startup, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(startup.get_absolute_url(), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_a_stored_fragment_is_never_given_to_a_history_restore(client, startup, response_cache):
    """htmx sends HX-Request with both; only the restore wants the whole page."""
    list_url = reverse("startups:startup_list")
    fragment = client.get(list_url, headers={"hx-request": "true"})
    assert "<html" not in fragment.text
    restore = {"hx-request": "true", "hx-history-restore-request": "true"}
    whole = client.get(list_url, headers=restore)
    assert "<html" in whole.text
    assert whole["ETag"] != fragment["ETag"]
    assert "HX-History-Restore-Request" in whole["Vary"]
    assert "<html" not in client.get(list_url, headers={"hx-request": "true"}).text


@pytest.mark.parametrize(
    "conditions",
    [
        {"if-none-match": "*"},
        {"if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        {"if-match": '"another"'},
    ],
)
def test_only_a_200_can_become_a_304_or_a_412(client, startup, conditions):
    for url, status in [
        ("/startups/nexiste-pas/", 404),
        ("/statistiques/?date=abc", 400),
        ("/api/v1/startups?page=999", 400),
        ("/startups/ancienne-adresse.html", 404),
    ]:
        assert client.get(url, headers=conditions).status_code == status, url
    page = client.get(startup.get_absolute_url(), headers=conditions)
    assert page.status_code == (412 if "if-match" in conditions else 304)


def test_an_answer_that_renews_the_csrf_cookie_is_not_public(client, startup, response_cache):
    client.cookies["csrftoken"] = "malformed"
    response = client.get(startup.get_absolute_url())
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")
    del client.cookies["csrftoken"]
    assert "csrftoken" not in client.get(startup.get_absolute_url()).cookies


def test_a_release_moves_last_modified(client, startup, monkeypatch):
    page = client.get(startup.get_absolute_url())
    since = {"if-modified-since": page["Last-Modified"]}
    assert client.get(startup.get_absolute_url(), headers=since).status_code == 304
    monkeypatch.setattr(caching, "RELEASED_AT", int(time.time()) + 60)
    again = client.get(startup.get_absolute_url(), headers=since)
    assert again.status_code == 200
    assert again["Last-Modified"] != page["Last-Modified"]


def test_the_release_time_is_the_newest_source_never_the_future(tmp_path):
    old, new = tmp_path / "old.py", tmp_path / "new.html"
    old.write_text("")
    new.write_text("")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    os.utime(new, (1_500_000_000, 1_500_000_000))
    assert caching.released_at(tmp_path) == 1_500_000_000
    os.utime(new, (4_000_000_000, 4_000_000_000))
    assert caching.released_at(tmp_path) <= time.time()


def test_a_cache_that_refuses_writes_costs_no_answer(
    client, startup, response_cache, monkeypatch, caplog
):
    """A full Redis that may not evict refuses writes: pages, statistics and API data are
    served all the same, and the refusal is logged."""

    def refuse(*args, **kwargs):
        raise ConnectionError("OOM command not allowed when used memory > 'maxmemory'")

    monkeypatch.setattr(cache, "set_many", refuse)
    for url in (startup.get_absolute_url(), "/startups/?q=aides", "/statistiques/", URL_API):
        assert client.get(url, headers={"accept-encoding": "gzip"}).status_code == 200, url
    assert "The shared cache refused a write" in caplog.text


def test_with_the_cache_down_answers_are_computed_and_served(client, startup, settings, caplog):
    """Redis unreachable: every answer is computed (slower) rather than refused, the API's
    rate limit lets requests through, and /healthz says what is wrong."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.RESPONSE_CACHE_SECONDS = 60
    settings.API_RATE_LIMIT = 5
    for url in (startup.get_absolute_url(), "/startups/?q=aides", "/statistiques/", URL_API):
        assert client.get(url, headers={"accept-encoding": "gzip"}).status_code == 200, url
    assert "The shared cache could not be read" in caplog.text
    assert "The API's rate limit could not be counted" in caplog.text
    assert client.get("/healthz").status_code == 503


def test_a_release_changes_every_etag(client, startup, monkeypatch):
    etag = client.get(startup.get_absolute_url())["ETag"]
    monkeypatch.setattr(caching, "CODE_VERSION", "another-release")
    response = client.get(startup.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_code_version_follows_sources_not_tests(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "tests").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>v1</p>")
    (tmp_path / "tests" / "test_page.py").write_text("assert True")
    before = caching.code_version(tmp_path)
    (tmp_path / "tests" / "test_page.py").write_text("assert 1")
    assert caching.code_version(tmp_path) == before
    template.write_text("<p>v2</p>")
    assert caching.code_version(tmp_path) != before


def test_development_serves_every_page_fresh(client, startup, settings):
    settings.DEBUG = True
    assert not client.get(startup.get_absolute_url()).has_header("ETag")
