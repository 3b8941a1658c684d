"""The public pages in a real browser: filters with and without JavaScript, htmx and the back
button, keyboard-only use, and axe-core on every page type."""

import re

import pytest

from tests.factories import StartupFactory
from tests.portfolio import build_portfolio, days_ago

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def portfolio():
    return build_portfolio()


def tick(page, label: str) -> None:
    """Click a DSFR checkbox or radio by its label, as a user does (the input itself is
    drawn by its label, which receives the click)."""
    page.locator("label.fr-label", has_text=label).click()


def result_titles(page) -> list[str]:
    return page.locator("#resultats .fr-card__title").all_inner_texts()


def test_filters_work_without_javascript(no_js_page, portfolio):
    no_js_page.goto("/startups/")
    tick(no_js_page, "Construction (1)")
    tick(no_js_page, "Accélération (1)")
    no_js_page.get_by_label("Sponsor", exact=True).select_option("dinum")
    no_js_page.get_by_role("button", name="Appliquer les filtres").click()
    no_js_page.wait_for_load_state()
    assert "phase=acceleration" in no_js_page.url
    assert "phase=construction" in no_js_page.url
    assert "sponsor=dinum" in no_js_page.url
    assert result_titles(no_js_page) == ["Aides Jeunes"]
    # The address is a bookmark: opened again, it gives the same page.
    no_js_page.goto(no_js_page.url.removeprefix(no_js_page.base_url))
    assert result_titles(no_js_page) == ["Aides Jeunes"]
    assert no_js_page.get_by_label("Accélération (1)").is_checked()
    no_js_page.assert_accessible()
    no_js_page.screenshot_as("startup-list-no-js")


def test_htmx_updates_results_and_address_and_the_back_button_restores(page, portfolio):
    page.goto("/startups/")
    page.evaluate("window.notReloaded = true")
    with page.expect_response(re.compile(r"/startups/\?")):
        tick(page, "En incubation (2)")
    page.wait_for_url(re.compile(r"groupe=incubation"))
    assert "q=" not in page.url  # empty parameters left out of the address
    page.wait_for_function("() => document.title.startsWith('Startups : En incubation')")
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 2")
    assert sorted(result_titles(page)) == ["Aides Jeunes", "Écobalyse"]
    # The facet counts follow: the incubators' counts now apply the group filter.
    assert (
        page.get_by_label("Incubateur (co-incubation comprise)", exact=True)
        .locator("option", has_text="Incubateur de la DINUM (1)")
        .count()
        == 1
    )

    with page.expect_response(re.compile(r"incubator=ademe")):
        page.get_by_label("Incubateur (co-incubation comprise)", exact=True).select_option("ademe")
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 1")
    assert result_titles(page) == ["Écobalyse"]
    assert page.evaluate("window.notReloaded") is True  # no full page load

    page.go_back()
    page.wait_for_url(re.compile(r"/startups/\?groupe=incubation$"))
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 2")
    assert page.get_by_label("Incubateur (co-incubation comprise)", exact=True).input_value() == ""
    assert page.get_by_label("En incubation (2)").is_checked()
    page.go_back()
    page.wait_for_url(re.compile(r"/startups/$"))
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 5")
    assert not page.get_by_label("En incubation (2)").is_checked()
    assert page.console_errors == []


def test_a_drop_down_list_walked_with_the_keyboard_applies_once_left(page, portfolio):
    """Arrow keys change a closed list's value, option after option: the results follow when
    the person leaves the list (or presses Enter), not at each option (WCAG 3.2.2)."""
    page.goto("/startups/")
    requests = []
    page.on("request", lambda request: "/startups/?" in request.url and requests.append(request))
    sponsor = page.get_by_label("Sponsor", exact=True)
    sponsor.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert requests == []
    assert page.url.endswith("/startups/")
    chosen = sponsor.input_value()
    assert chosen
    with page.expect_response(re.compile(rf"sponsor={chosen}")):
        page.keyboard.press("Tab")
    page.wait_for_url(re.compile(rf"sponsor={chosen}"))
    assert len(requests) == 1
    # Enter applies too, without leaving the list.
    sponsor = page.get_by_label("Sponsor", exact=True)
    sponsor.focus()
    page.keyboard.press("ArrowDown")
    chosen = sponsor.input_value()
    with page.expect_response(re.compile(rf"sponsor={chosen}")):
        page.keyboard.press("Enter")
    assert len(requests) == 2
    assert page.console_errors == []


def test_filters_and_pages_with_the_keyboard_only(page, portfolio):
    StartupFactory.create_batch(50, title="Série", phases=[("construction", days_ago(3))])
    page.goto("/startups/")
    # Skip links first: « Contenu », then « Filtres ».
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Filtres"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filtre-q"
    page.keyboard.type("ECOBALYSE")
    with page.expect_response(re.compile(r"q=ECOBALYSE")):
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 1")
    assert result_titles(page) == ["Écobalyse"]
    # Clear the search, then check a phase with the space bar: the focus stays on it.
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Tab")  # the sort select
    page.keyboard.press("Tab")  # the first group
    assert page.evaluate("document.activeElement.id") == "groupe-incubation"
    with page.expect_response(re.compile(r"groupe=incubation")):
        page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 48")
    assert page.evaluate("document.activeElement.id") == "groupe-incubation"
    assert page.locator("#groupe-incubation").is_checked()
    # Next page, from the keyboard: the focus goes to the results' heading.
    page.locator("#resultats .fr-pagination__link--next").focus()
    with page.expect_response(re.compile(r"page=2")):
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function("() => document.activeElement.id === 'resultats-titre'")
    assert "page 2 sur 2" in page.locator("#resultats-titre").inner_text()
    page.assert_accessible()
    assert page.console_errors == []


def test_member_filters_with_htmx(page, portfolio):
    page.goto("/membres/")
    with page.expect_response(re.compile(r"statut=actif")):
        tick(page, "En activité")
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 2")
    assert result_titles(page) == ["Irène Joliot", "Marie Curie"]
    page.go_back()
    page.wait_for_function("() => document.querySelectorAll('#resultats .fr-card').length === 4")
    assert page.console_errors == []


PAGES = {
    "home": "/",
    "startup-list": "/startups/",
    "startup-list-filtered": "/startups/?groupe=incubation&sponsor=dinum&q=aides&sort=-launch",
    "startup-detail": "/startups/aides-jeunes/",
    "phase": "/phases/acceleration/",
    "incubator-list": "/incubateurs/",
    "incubator-detail": "/incubateurs/dinum/",
    "organisation-list": "/organisations/",
    "organisation-detail": "/organisations/cnam/",
    "member-list": "/membres/",
    "member-detail": "/membres/marie.curie/",
    "search": "/recherche/?q=a",
    "accessibility": "/accessibilite/",
    "not-found": "/startups/inexistante/",
}


def test_every_page_type_is_accessible_and_csp_clean(page, portfolio):
    for name, path in PAGES.items():
        response = page.goto(path)
        assert response.status == (404 if name == "not-found" else 200), name
        assert page.title().endswith("Startups d’État — beta.gouv.fr"), name
        assert page.title().count("Startups d’État") == 1, name
        violations = page.axe_violations()
        assert violations == [], (name, violations)
        page.screenshot_as(name)
    # The only console message: the browser noting the 404 of the last page itself.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]


def test_every_page_type_fits_a_narrow_screen(page, portfolio):
    """At 320 px (a phone, or 400 % zoom), nothing scrolls sideways but the tables' own
    boxes, which the keyboard can reach (WCAG 1.4.10, 2.1.1: axe's scrollable-region-focusable)."""
    page.set_viewport_size({"width": 320, "height": 720})
    for name, path in PAGES.items():
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, name
        assert page.axe_violations() == [], name
        # Whether or not this data makes them scroll, the keyboard can reach them.
        for box in page.locator(".fr-table__container").all():
            assert box.get_attribute("tabindex") == "0", name
            assert box.get_attribute("role") == "region", name
            assert page.locator(f"#{box.get_attribute('aria-labelledby')}").count() == 1, name


def test_the_server_error_page_has_the_site_look_and_is_accessible(page, rf):
    """Django's handler500 renders 500.html without a request or the database: shown here in
    the browser, on the live server's address so that its stylesheets load."""
    from django.views.defaults import server_error

    html = server_error(rf.get("/")).content.decode()
    page.goto("/robots.txt")
    page.set_content(html)
    assert page.title() == "Erreur inattendue — Startups d’État — beta.gouv.fr"
    assert page.locator("header.fr-header").is_visible()
    assert page.locator("footer.fr-footer").is_visible()
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Marianne")
    page.assert_accessible()
    page.screenshot_as("server-error")
