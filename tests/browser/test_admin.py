"""The admin in a real browser, as an incubator's staff member: edit a phase, see it, revert it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import IncubatorFactory, StartupFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "un-mot-de-passe-solide-42"


@pytest.fixture
def staff_world(settings):
    settings.AXES_ENABLED = True  # the real login, lockout checks included
    today = timezone.localdate()
    mine, theirs = IncubatorFactory(title="Mon incubateur"), IncubatorFactory()
    startup = StartupFactory(
        title="Aides Jeunes",
        incubator=mine,
        phases=[
            ("investigation", today - datetime.timedelta(days=400)),
            ("construction", today - datetime.timedelta(days=30)),
        ],
    )
    other = StartupFactory(title="Service voisin", incubator=theirs)
    UserFactory(username="agent", incubators=[mine])
    return startup, other


def log_in(page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill("agent")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/admin/")


def test_staff_edit_a_phase_see_it_live_and_revert_it(page, staff_world):
    startup, _ = staff_world
    log_in(page)
    page.get_by_role("link", name="Startups", exact=True).first.click()
    expect(page.get_by_role("link", name="Aides Jeunes")).to_be_visible()
    assert page.get_by_text("Service voisin").count() == 0
    page.screenshot_as("admin-staff-startups")

    page.get_by_role("link", name="Aides Jeunes").click()
    phase = page.locator("select[name='phases-1-phase']")
    phase.select_option("acceleration")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.goto(startup.get_absolute_url())
    expect(page.get_by_text("Accélération").first).to_be_visible()

    page.goto(f"/admin/startups/startup/{startup.pk}/history/")
    page.screenshot_as("admin-startup-history")
    created = page.locator("#related-history tr", has_text="Création").filter(
        has_text="Construction"
    )
    created.get_by_role("link", name="Rétablir cette version").click()
    page.get_by_role("button", name="Rétablir cette version").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.goto(startup.get_absolute_url())
    expect(page.get_by_text("Construction").first).to_be_visible()
    assert page.console_errors == []


def test_another_incubators_startup_is_forbidden_by_url(page, staff_world):
    _, other = staff_world
    log_in(page)
    response = page.goto(f"/admin/startups/startup/{other.pk}/change/")
    assert response.status == 403


def test_admin_pages_are_csp_clean_and_accessible(page, staff_world):
    startup, _ = staff_world
    log_in(page)
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
