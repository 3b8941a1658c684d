"""Two app servers, one PostgreSQL, one Redis: an edit through one is on the other at once.

Each instance is gunicorn with the production settings (two worker processes each; static
files from the apps, as nothing is collected in tests), started on its own port against the
test database. A staff member edits a startup's phase in the
admin of instance A, in a real browser; instance B, whose pages, statistics and API answers
were cached in Redis just before, shows the edit on its next answer.
"""

import datetime
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import global_settings
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import IncubatorFactory, StartupFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "un-mot-de-passe-solide-42"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (needed for the scale-out test)")
    return client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start(port: int, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.scale_out_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "scale-out-test-only-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        # Plain HTTP on loopback; the rest of the production settings stay as they are.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "betagouv.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def two_app_servers() -> Iterator[tuple[str, str]]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://… make test (.ci/run does it)")
    redis_client = redis_or_skip()
    redis_client.flushdb()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    ports = [free_port(), free_port()]
    servers = [start(port, database_url) for port in ports]
    urls = [f"http://localhost:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 30
        for url in urls:
            while get_health(url) != 200:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer on {url}/healthz within 30 s")
                time.sleep(0.2)
        yield urls[0], urls[1]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
        redis_client.flushdb()


def get_health(url: str) -> int | None:
    try:
        return get(url + "/healthz")[0]
    except OSError:
        return None


def test_an_edit_through_one_server_is_on_the_other_at_once(browser, two_app_servers, settings):
    server_a, server_b = two_app_servers
    # The app servers know only the real password hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    today = timezone.localdate()
    incubator = IncubatorFactory(title="Mon incubateur")
    startup = StartupFactory(
        slug="aides-jeunes",
        title="Aides Jeunes",
        incubator=incubator,
        phases=[
            ("investigation", today - datetime.timedelta(days=400)),
            ("construction", today - datetime.timedelta(days=30)),
        ],
    )
    UserFactory(username="agent", incubators=[incubator])

    def phases_on_b() -> dict[str, int]:
        return json.loads(get(server_b + "/api/v1/stats/phases")[1])["phases"]

    # Instance B answers, and its answers are now in Redis.
    for _ in range(2):
        assert "Construction" in get(server_b + startup.get_absolute_url())[1]
        assert phases_on_b()["construction"] == 1
        assert json.loads(get(server_b + "/api/v1/startups/aides-jeunes")[1])["current_phase"] == (
            "construction"
        )

    context = browser.new_context(locale="fr-FR", base_url=server_a)
    try:
        page = context.new_page()
        page.goto("/admin/login/")
        page.get_by_label("Nom d’utilisateur").fill("agent")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_url("**/admin/")
        page.goto(f"/admin/startups/startup/{startup.pk}/change/")
        page.locator("select[name='phases-1-phase']").select_option("acceleration")
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(page.locator(".messagelist .success")).to_be_visible()
    finally:
        context.close()

    status, body = get(server_b + startup.get_absolute_url())
    assert status == 200
    assert "Accélération" in body
    assert phases_on_b()["acceleration"] == 1
    assert phases_on_b()["construction"] == 0
    assert json.loads(get(server_b + "/api/v1/startups/aides-jeunes")[1])["current_phase"] == (
        "acceleration"
    )
    stats_status, stats = get(server_b + "/statistiques/")
    assert stats_status == 200
    assert "Accélération" in stats
