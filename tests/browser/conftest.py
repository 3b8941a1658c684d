"""End-to-end tests in a real browser: Playwright driving Debian's Chromium (never a download).

`make test` skips them, saying why, where /usr/bin/chromium is missing; `.ci/run` installs it.
Screenshots go to test-artifacts/screenshots/ (kept out of git).
"""

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

# The sync Playwright API runs an event loop in this thread; Django must allow its ORM here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser(live_server):
    """Chromium, for the whole session. It needs the live server: so it closes first, and its
    last connections end before the server stops (`CountingServer`)."""
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


class Settling:
    """The live server's application, counting the requests it is still answering.

    A browser may leave a request running when a test ends (a request cut short by closing
    its page, a late fetch); its thread would then use the database while the test's
    teardown empties it. A test's page waits for them (`wait_until_idle`) first.
    """

    def __init__(self, application) -> None:
        self.application = application
        self.answering = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.answering += 1
        done = Once(self._done)
        try:
            response = self.application(environ, start_response)
        except BaseException:
            done()
            raise
        return Answer(response, done)

    def _done(self) -> None:
        with self.idle:
            self.answering -= 1
            self.idle.notify_all()

    def wait_until_idle(self, timeout: float = 5) -> None:
        """Wait for the requests being answered, for `timeout` seconds at most: a response
        the server never closes (a client gone in the middle of a request body) must not
        fail a test that passed."""
        with self.idle:
            self.idle.wait_for(lambda: self.answering == 0, timeout)


class Once:
    """A function that runs on its first call only."""

    def __init__(self, function) -> None:
        self.function = function
        self.called = False
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            if self.called:
                return
            self.called = True
        self.function()


class Answer:
    """A WSGI response that says when the server has closed it (sent, or cut short)."""

    def __init__(self, response, done) -> None:
        self.response = response
        self.done = done

    def __iter__(self):
        return iter(self.response)

    def close(self) -> None:
        try:
            self.response.close()
        finally:
            self.done()


class CountingServer(ThreadedWSGIServer):
    """The live server, counting its open connections, so that it stops once the browser's
    last ones are closed.

    Django's lets their threads run on as daemons after it stops: one still finishing a
    connection once the server no longer shares the in-memory database's connection between
    threads fails with « DatabaseWrapper objects created in a thread can only be used in that
    same thread », a teardown error CI once showed.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.open_connections = 0
        self.all_closed = threading.Condition()

    def process_request(self, request, client_address) -> None:
        with self.all_closed:
            self.open_connections += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        try:
            super().shutdown_request(request)
        finally:
            with self.all_closed:
                self.open_connections -= 1
                self.all_closed.notify_all()

    def wait_until_closed(self, timeout: float = 10) -> None:
        with self.all_closed:
            assert self.all_closed.wait_for(lambda: self.open_connections == 0, timeout), (
                f"{self.open_connections} connection(s) to the live server still open "
                f"after {timeout} s"
            )


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
    static_handler = server.thread.static_handler
    if apps.is_installed("django.contrib.staticfiles"):
        static_handler = StaticFilesHandler
    server.settling = None

    def settling(application):
        server.settling = Settling(static_handler(application))
        return server.settling

    server.thread.static_handler = settling
    server.thread.server_class = CountingServer
    server.start()
    yield server
    # The browser is closed by now (it depends on this fixture): its connections end.
    try:
        server.thread.httpd.wait_until_closed()
    finally:
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


@contextmanager
def opened_page(browser, live_server, javascript: bool = True, **options) -> Iterator[Page]:
    """A page in a browser context of its own, in French; when done, the context is closed
    and the live server has answered every request (`Settling`)."""
    context = browser.new_context(locale="fr-FR", java_script_enabled=javascript, **options)
    context.set_default_timeout(10_000)
    try:
        yield Page(context.new_page(), live_server.url, javascript=javascript)
    finally:
        try:
            context.close()
        finally:
            live_server.settling.wait_until_idle()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    with opened_page(browser, live_server, viewport={"width": 1280, "height": 900}) as page:
        yield page


@pytest.fixture
def no_js_page(browser, live_server) -> Iterator[Page]:
    """A page with JavaScript disabled: everything must still work."""
    with opened_page(browser, live_server, javascript=False) as page:
        yield page
