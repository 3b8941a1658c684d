import datetime

import pytest

from tests.factories import StartupFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_home_in_a_real_browser_is_accessible_and_csp_clean(page):
    today = datetime.date.today()
    StartupFactory(title="Aides Jeunes", phases=[("construction", today)])
    StartupFactory(title="Écobalyse", phases=[("investigation", today)])
    page.goto("/")
    assert page.title() == "Startups d’État — beta.gouv.fr"  # the site’s name, once
    assert page.get_by_role("link", name="Construction").is_visible()
    # The search box leads to the list, searched.
    page.get_by_label("Rechercher une startup", exact=True).fill("aides")
    page.get_by_label("Rechercher une startup", exact=True).press("Enter")
    page.wait_for_url("**/startups/?q=aides")
    assert page.locator("#resultats .fr-card__title").all_inner_texts() == ["Aides Jeunes"]
    page.go_back()
    page.assert_accessible()
    page.screenshot_as("home")
    assert page.console_errors == []
