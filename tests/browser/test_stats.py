import datetime

import pytest

from startups.models import MinisterialDomain
from tests.factories import MemberFactory, MissionFactory, OrganisationFactory, StartupFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

D = datetime.date


@pytest.fixture
def portfolio():
    sponsor = OrganisationFactory(ministerial_domain=MinisterialDomain.CULTURE)
    StartupFactory(
        title="Aides Jeunes",
        sponsors=[sponsor],
        phases=[("investigation", D(2019, 3, 1)), ("construction", D(2019, 9, 1))],
    )
    StartupFactory(
        title="Écobalyse",
        phases=[("investigation", D(2020, 2, 1)), ("acceleration", D(2022, 4, 1))],
    )
    StartupFactory(
        title="Ancien service",
        phases=[("construction", D(2018, 6, 1)), ("abandon", D(2021, 10, 1))],
    )
    MissionFactory(member=MemberFactory(domain="Design"), start=D(2019, 1, 1), end=None)
    MissionFactory(start=D(2020, 1, 1), end=D(2022, 12, 31))


def test_statistics_in_a_real_browser_are_accessible_and_csp_clean(page, portfolio):
    page.goto("/statistiques/?date=2023-06-30")
    assert page.title() == "Statistiques au 30 juin 2023 — Startups d’État — beta.gouv.fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Statistiques au 30 juin 2023"
    charts = page.get_by_role("img")
    assert charts.count() >= 7
    assert page.locator("svg.stats-chart").first.is_visible()
    page.assert_accessible()
    page.screenshot_as("statistiques")
    assert page.console_errors == []
    # Printed: no navigation, no form, the charts kept.
    page.emulate_media(media="print")
    assert not page.locator(".stats-date-form").is_visible()
    assert page.locator("svg.stats-chart").first.is_visible()
    page.screenshot_as("statistiques-impression")


def test_a_wrong_date_is_explained_in_french(page, portfolio):
    response = page.goto("/statistiques/?date=2024-13-45")
    assert response.status == 400
    assert page.locator(".fr-error-text").inner_text().startswith("Date invalide")
    page.assert_accessible()


def test_without_javascript_the_date_form_and_the_charts_work(no_js_page, portfolio):
    no_js_page.goto("/statistiques/")
    no_js_page.fill("input[name=date]", "2021-12-31")
    no_js_page.get_by_role("button", name="Afficher les statistiques à cette date").click()
    assert no_js_page.url.endswith("/statistiques/?date=2021-12-31")
    assert "Statistiques au 31 décembre 2021" in no_js_page.locator("h1").inner_text()
    assert no_js_page.locator("svg.stats-chart").first.is_visible()


def test_statistics_fit_a_narrow_screen_and_their_tables_take_the_keyboard(page, portfolio):
    """At 320 px (a phone, 400 % zoom) the page does not scroll sideways: the download links'
    hidden texts stay in their table's box (WCAG 1.4.10); every table's box can take the
    focus, to be scrolled with the keyboard (WCAG 2.1.1)."""
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/statistiques/?date=2023-06-30")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    boxes = page.locator(".fr-table__container").all()
    assert len(boxes) >= 9
    for box in boxes:
        assert box.get_attribute("tabindex") == "0"
        assert page.locator(f"#{box.get_attribute('aria-labelledby')}").count() == 1
    page.assert_accessible()
