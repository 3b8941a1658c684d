"""End-to-end tests in a real browser: Playwright driving Debian's Chromium (never a download).

`make test` skips them, saying why, where /usr/bin/chromium is missing; `.ci/run` installs it.
Screenshots go to test-artifacts/screenshots/ (kept out of git).
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# The sync Playwright API runs an event loop in this thread; Django must allow its ORM here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium (.ci/run does it)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }

    with sync_playwright() as playwright:
        # The sync API keeps an asyncio loop running in this thread, so Django now hands out
        # new connection objects (thread-critical locals follow the context once a loop runs).
        # Django keeps the migrations' data (phases, permissions) for `serialized_rollback` on
        # the connection object: without it on the new ones, every flush between browser tests
        # lost the phases for good. Hand it over.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, serving the apps' static files whenever the staticfiles app
    is installed: pytest-django looks for the string "django.contrib.staticfiles" in
    INSTALLED_APPS, which an AppConfig of that app (`betagouv.apps.SiteStaticFilesConfig`)
    does not match, and then serves nothing but STATIC_ROOT, which tests do not collect."""
    from django.apps import apps
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from pytest_django.live_server_helper import LiveServer

    address = request.config.getvalue("liveserver") or "localhost"
    server = LiveServer(address, start=False)
    if apps.is_installed("django.contrib.staticfiles"):
        server.thread.static_handler = StaticFilesHandler
    server.start()
    yield server
    server.stop()


def run_axe(page) -> list[dict]:
    page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
    ]


class Page:
    """A browser page on the live server, recording console errors (CSP violations included)."""

    def __init__(self, page, base_url: str, javascript: bool = True) -> None:
        self.page = page
        self.base_url = base_url
        self.javascript = javascript
        self.console_errors: list[str] = []
        page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def goto(self, path: str, **kwargs):
        return self.page.goto(self.base_url + path, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.page, name)

    def axe_violations(self) -> list[dict]:
        """WCAG 2.1 A and AA violations found by axe-core on the page as it is now.

        axe is a script: where JavaScript is off, its promise would never settle. There, the
        same address is opened in a page that runs scripts but has the site's own blocked,
        which gives the document a browser without JavaScript shows.
        """
        if not self.javascript:
            context = self.page.context.browser.new_context(locale="fr-FR")
            try:
                helper = context.new_page()
                helper.route(re.compile(r"\.m?js(\?|$)"), lambda route: route.abort())
                helper.goto(self.page.url)
                return run_axe(helper)
            finally:
                context.close()
        return run_axe(self.page)

    def assert_accessible(self) -> None:
        violations = self.axe_violations()
        assert violations == [], violations

    def screenshot_as(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    wrapped = Page(context.new_page(), live_server.url)
    yield wrapped
    context.close()


@pytest.fixture
def no_js_page(browser, live_server) -> Iterator[Page]:
    """A page with JavaScript disabled: everything must still work."""
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    context.set_default_timeout(10_000)
    wrapped = Page(context.new_page(), live_server.url, javascript=False)
    yield wrapped
    context.close()
