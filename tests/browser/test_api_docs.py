import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_api_docs_render_swagger_ui_under_the_csp(page):
    page.goto("/api/v1/docs")
    # Swagger UI built the operations from the schema, with the site's own static files.
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    assert page.locator(".opblock-summary-path", has_text="/api/v1/startups").first.is_visible()
    assert page.get_by_role("heading", level=1, name="API des données ouvertes").is_visible()
    page.screenshot_as("api-docs")
    assert page.console_errors == []
    # Swagger UI nests its operation buttons (axe's nested-interactive): not ours to change.
    violations = [v for v in page.axe_violations() if v["id"] != "nested-interactive"]
    assert violations == []


def test_api_docs_page_hosting_swagger_is_accessible(page):
    # Swagger UI's own widgets are outside our control (see the README): axe checks the page
    # that hosts it, with the bundle blocked.
    page.route("**/swagger-ui-bundle.js", lambda route: route.abort())
    page.goto("/api/v1/docs")
    assert page.get_by_role("link", name="startups.json").is_visible()
    page.assert_accessible()
