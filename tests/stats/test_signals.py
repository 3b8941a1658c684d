"""Today's figures are computed once a change is answered, not by the next visitor."""

import datetime
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stats import figures
from stats.figures import compute
from tests.factories import StartupFactory, UserFactory
from tests.staff.admin_forms import add_inline_row, form_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


@pytest.fixture
def startup():
    return StartupFactory(phases=[("investigation", LAST_YEAR)])


def add_phase_today(client, startup) -> None:
    """An editor gives `startup` a construction phase starting today, in the admin."""
    client.force_login(UserFactory(is_superuser=True))
    url = reverse("admin:startups_startup_change", args=[startup.pk])
    data = form_data(client.get(url))
    add_inline_row(data, "phases", phase="construction", start=TODAY.isoformat())
    assert client.post(url, data).status_code == 302


def test_an_admin_edit_prepares_todays_figures_with_the_edit(
    client, startup, django_assert_num_queries
):
    compute(TODAY)  # the figures before the edit, cached under the version before it
    add_phase_today(client, startup)
    with django_assert_num_queries(1):  # the version: every figure comes from the cache
        figures = compute(TODAY)
    assert figures["on_day"]["construction"] == 1
    assert figures["on_day"]["investigation"] == 0


def test_reading_the_site_prepares_nothing(client, startup):
    client.get("/startups/")
    with CaptureQueriesContext(connection) as queries:
        compute(TODAY)
    assert len(queries) > 1  # computed now: nothing had prepared them


def test_a_failure_to_prepare_is_logged_and_the_visitor_computes(
    client, startup, monkeypatch, caplog
):
    def broken(day):
        raise RuntimeError("database gone")

    monkeypatch.setitem(figures.FIGURES, "flows", broken)
    with caplog.at_level(logging.ERROR, logger="stats.signals"):
        add_phase_today(client, startup)
    assert "could not be prepared" in caplog.text
    monkeypatch.undo()
    assert compute(TODAY)["on_day"]["construction"] == 1


def test_an_import_prepares_todays_figures(django_assert_num_queries):
    content = Path(__file__).parents[1] / "content" / "fixtures" / "content"
    call_command("import_betagouv", str(content), stdout=StringIO(), verbosity=0)
    with django_assert_num_queries(1):
        assert sum(compute(TODAY)["on_day"].values()) > 0
