"""The admin in a real browser, as an incubator's staff member and as a superuser: edit a
startup's phase history, see it at once on the public page and in today's counts (for an
anonymous visitor, with the page caches on), then revert it from the history."""

import datetime
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import Page, opened_page
from tests.factories import IncubatorFactory, StartupFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "un-mot-de-passe-solide-42"
TODAY = timezone.localdate()


@pytest.fixture
def world(settings):
    settings.AXES_ENABLED = True  # the real login, lockout checks included
    # The production caches: public pages and API answers kept in the (locmem) cache.
    settings.RESPONSE_CACHE_SECONDS = 3600
    cache.clear()
    mine, theirs = IncubatorFactory(title="Mon incubateur"), IncubatorFactory()
    startup = StartupFactory(
        title="Aides Jeunes",
        incubator=mine,
        phases=[
            ("investigation", TODAY - datetime.timedelta(days=400)),
            ("construction", TODAY - datetime.timedelta(days=30)),
        ],
    )
    StartupFactory(title="Service voisin", incubator=theirs, phases=[("construction", TODAY)])
    UserFactory(username="agent", incubators=[mine])
    UserFactory(username="admin", is_superuser=True)
    yield startup
    cache.clear()


@pytest.fixture
def visitor(browser, live_server) -> Iterator[Page]:
    """Someone not signed in, in another browser: the one the caches serve."""
    with opened_page(browser, live_server) as page:
        yield page


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/admin/")


def public_phase(visitor, startup) -> str:
    """The current phase the public page of `startup` shows."""
    visitor.goto(startup.get_absolute_url())
    return visitor.locator("a.phase-link .fr-badge").first.text_content().strip()


def todays_counts(visitor) -> dict[str, int]:
    """Today's startups per phase, as the statistics page's table shows them."""
    visitor.goto("/statistiques/")
    rows = visitor.locator("section[aria-labelledby=phases] table tbody tr:has(td.stats-num)")
    return {
        row.get_by_role("rowheader").inner_text(): int(
            row.locator("td.stats-num").first.inner_text()
        )
        for row in rows.all()
    }


def saved(page) -> None:
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def test_staff_edit_a_phase_see_it_live_and_revert_it(page, visitor, world):
    startup = world
    counts = todays_counts(visitor)
    assert public_phase(visitor, startup) == "Construction"
    log_in(page, "agent")
    page.get_by_role("link", name="Startups", exact=True).first.click()
    expect(page.get_by_role("link", name="Aides Jeunes")).to_be_visible()
    assert page.get_by_text("Service voisin").count() == 0
    page.screenshot_as("admin-staff-startups")

    page.get_by_role("link", name="Aides Jeunes").click()
    page.locator("select[name='phases-1-phase']").select_option("acceleration")
    saved(page)

    assert public_phase(visitor, startup) == "Accélération"
    now = todays_counts(visitor)
    assert (now["Construction"], now["Accélération"]) == (
        counts["Construction"] - 1,
        counts["Accélération"] + 1,
    )

    page.goto(f"/admin/startups/startup/{startup.pk}/history/")
    page.screenshot_as("admin-startup-history")
    created = page.locator("#related-history tr", has_text="Création").filter(
        has_text="Construction"
    )
    created.get_by_role("link", name="Rétablir cette version").click()
    page.get_by_role("button", name="Rétablir cette version").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    assert public_phase(visitor, startup) == "Construction"
    assert todays_counts(visitor) == counts
    assert page.console_errors == []
    assert visitor.console_errors == []


def test_superuser_moves_a_phase_date_and_reverts_it_from_the_phases_history(page, visitor, world):
    startup = world
    counts = todays_counts(visitor)
    log_in(page, "admin")
    page.goto(f"/admin/startups/startup/{startup.pk}/change/")
    # Construction starts tomorrow instead: today, the startup is still in investigation.
    tomorrow = TODAY + datetime.timedelta(days=1)
    page.locator("input[name='phases-1-start']").fill(f"{tomorrow:%d/%m/%Y}")
    page.locator("textarea[name='phases-1-comment']").fill("Report du comité.")
    saved(page)

    assert public_phase(visitor, startup) == "Investigation"
    expect(visitor.get_by_text("Report du comité.")).to_be_visible()
    now = todays_counts(visitor)
    assert (now["Construction"], now["Investigation"]) == (
        counts["Construction"] - 1,
        counts["Investigation"] + 1,
    )

    # Back on the startup's page, the phase row links to its own history.
    page.goto(f"/admin/startups/startup/{startup.pk}/change/")
    page.locator("#phases-1").get_by_role("link", name="historique").click()
    expect(page.locator("#change-history")).to_contain_text("Début :")
    page.screenshot_as("admin-phase-history")
    page.locator("#change-history tbody tr").last.get_by_role("link").click()
    page.get_by_role("button", name="Rétablir cette version").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    assert public_phase(visitor, startup) == "Construction"
    assert todays_counts(visitor) == counts
    assert page.console_errors == []


def test_another_incubators_startup_is_forbidden_by_url(page, world):
    log_in(page, "agent")
    from startups.models import Startup

    other = Startup.objects.get(title="Service voisin")
    for url in [
        f"/admin/startups/startup/{other.pk}/change/",
        f"/admin/startups/startup/{other.pk}/history/",
        f"/admin/startups/startupphase/{other.phases.get().pk}/delete/",
    ]:
        assert page.goto(url).status == 403, url


def test_admin_pages_are_csp_clean_and_accessible(page, world):
    startup = world
    log_in(page, "agent")
    pages = [
        "/admin/startups/startup/",
        f"/admin/startups/startup/{startup.pk}/change/",
        f"/admin/startups/startup/{startup.pk}/history/",
    ]
    for url in pages:
        page.goto(url)
    page.screenshot_as("admin-startup-history-empty")
    # Before axe-core runs: it adds inline styles of its own, which the CSP reports.
    assert page.console_errors == []
    for url in pages:
        page.goto(url)
        page.assert_accessible()
