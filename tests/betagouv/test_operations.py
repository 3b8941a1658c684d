import logging
import os
import subprocess
import sys

import pytest

from betagouv.observability import RequestIdFilter


@pytest.mark.django_db
def test_healthz_answers_ok_whatever_the_host_and_scheme(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-Id"]


@pytest.mark.django_db
def test_healthz_is_unavailable_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("erreur")
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first = client.get("/")["X-Request-Id"]
    second = client.get("/")["X-Request-Id"]
    assert first
    assert first != second
    assert client.get("/", HTTP_X_REQUEST_ID="proxy-42")["X-Request-Id"] == "proxy-42"
    assert client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-Id"] != "<script>"


@pytest.mark.django_db
def test_one_log_line_per_request_with_status_time_and_queries(client, settings, caplog):
    settings.REQUEST_LOG = True
    with caplog.at_level(logging.INFO, logger="betagouv.requests"):
        client.get("/?page=2")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "betagouv.requests"]
    assert line.startswith("GET /?page=2 200 ")
    assert line.endswith(" queries")


@pytest.mark.django_db
def test_errors_are_logged_with_the_request_id(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/nulle-part/")
    assert response.status_code == 404
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == response["X-Request-Id"]


@pytest.mark.django_db
def test_unused_browser_features_are_off(client):
    policy = client.get("/")["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy


def test_the_wsgi_entry_point_puts_what_it_loaded_out_of_the_collectors_reach():
    """gunicorn's workers import betagouv.wsgi: Django and the apps, frozen (`gc.freeze`), so
    that a full collection inside a request scans only what requests create."""
    frozen = subprocess.run(
        [sys.executable, "-c", "import gc, betagouv.wsgi; print(gc.get_freeze_count())"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "betagouv.settings", "DJANGO_DEBUG": "1"},
    ).stdout
    assert int(frozen) > 10_000


@pytest.mark.django_db
def test_a_request_for_another_host_gets_the_french_400_and_logs_no_error(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/startups/", HTTP_HOST="scanner.example")
    assert response.status_code == 400
    assert "<h1>Requête invalide</h1>" in response.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_a_query_string_too_long_to_read_gets_the_french_400_and_logs_no_error(client, caplog):
    query = "&".join(f"phase={number}" for number in range(1_001))
    with caplog.at_level(logging.INFO):
        response = client.get(f"/startups/?{query}")
    assert response.status_code == 400
    assert "<h1>Requête invalide</h1>" in response.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
