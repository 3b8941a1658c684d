"""Today's figures are computed once a change is answered, not by the next visitor."""

import datetime
import logging
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from startups.models import PortfolioVersion
from stats import figures
from stats.figures import compute
from stats.signals import note_change, prepare_after_change
from tests.factories import StartupFactory, UserFactory
from tests.staff.admin_forms import add_inline_row, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def startup(today):
    return StartupFactory(phases=[("investigation", today - datetime.timedelta(days=365))])


def add_phase_today(client, startup, today) -> None:
    """An editor gives `startup` a construction phase starting today, in the admin."""
    client.force_login(UserFactory(is_superuser=True))
    url = reverse("admin:startups_startup_change", args=[startup.pk])
    data = form_data(client.get(url))
    add_inline_row(data, "phases", phase="construction", start=today.isoformat())
    assert client.post(url, data).status_code == 302


def computes_figures(day: datetime.date) -> bool:
    """Whether `compute(day)` computes figures, rather than reading them all from the cache
    (one query: the version)."""
    with CaptureQueriesContext(connection) as queries:
        compute(day)
    return len(queries) > 1


def test_an_admin_edit_prepares_todays_figures_with_the_edit(client, startup, today):
    compute(today)  # the figures before the edit, cached under the version before it
    add_phase_today(client, startup, today)
    assert not computes_figures(today)
    on_day = compute(today)["on_day"]
    assert (on_day["construction"], on_day["investigation"]) == (1, 0)


def test_the_first_request_of_a_day_prepares_its_figures(client, startup, today):
    PortfolioVersion.objects.update(current_on=today - datetime.timedelta(days=1))
    client.get("/startups/")
    assert not computes_figures(today)


def test_reading_the_site_prepares_nothing(client, startup, today):
    client.get("/startups/")
    assert computes_figures(today)


def test_a_failure_to_prepare_is_logged_and_the_visitor_computes(
    client, startup, today, monkeypatch, caplog
):
    def broken(day):
        raise RuntimeError("database gone")

    monkeypatch.setitem(figures.FIGURES, "flows", broken)
    with caplog.at_level(logging.ERROR, logger="stats.figures"):
        add_phase_today(client, startup, today)
    assert "could not be prepared" in caplog.text
    monkeypatch.undo()
    assert compute(today)["on_day"]["construction"] == 1


@pytest.mark.parametrize("closed_before", [True, False])
def test_a_connection_opened_to_prepare_is_closed_again(startup, today, monkeypatch, closed_before):
    # Django closes a request's connection before this handler when it is not to be kept
    # (CONN_MAX_AGE=0): one opened to prepare must not stay open. The state is stood in for:
    # the tests' own connection cannot be closed inside their transaction.
    closes = []
    state = SimpleNamespace(connection=None if closed_before else object())
    state.close = lambda: closes.append(True)
    monkeypatch.setattr("stats.signals.connection", state)
    note_change(None)
    prepare_after_change(None)
    assert closes == ([True] if closed_before else [])
    assert not computes_figures(today)


def test_an_import_prepares_todays_figures(today):
    content = Path(__file__).parents[1] / "content" / "fixtures" / "content"
    call_command("import_betagouv", str(content), stdout=StringIO(), verbosity=0)
    assert not computes_figures(today)
    assert sum(compute(today)["on_day"].values()) > 0
