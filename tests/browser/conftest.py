"""Fixtures for the browser suite: one Chromium per session, the Latvian network per test.

The tests drive the Debian Chromium through Playwright's sync API against pytest-django's
`live_server`. `live_server` forces `transactional_db`, which empties the database after every
test, so each test that needs the network loads it again with `load_network` (0.2-0.5 s);
the journeys are therefore grouped into a few tests rather than many small ones.

Works on SQLite in memory (the live server shares the test thread's connection) and on
PostgreSQL (the live server's request threads open their own connections and see the data
because `transactional_db` commits it).
"""

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 390, "height": 844}
# Fail fast: nothing on this site should take seconds to appear.
TIMEOUT_MS = 10_000
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def playwright_browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `make test`, which installs it.")
    # Playwright's sync API keeps an asyncio event loop running in this thread; Django refuses
    # ORM calls from a thread with a running loop unless told that it is safe (it is: the loop
    # is idle while the ORM runs).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def network(live_server, settings):
    """The Latvian network (31 schools, pages, flagships) behind a live server.

    Returns the live server's base URL. The map draws its markers on a plain background:
    the tile server is outside and unreachable here.
    """
    from django.core.management import call_command

    settings.ASPHUB_MAP_TILE_URL = ""
    call_command("load_network", stdout=io.StringIO())
    return live_server.url


@dataclass
class BrowserLog:
    """What the pages reported that a user would not see: errors and blocked requests."""

    base_url: str
    errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [f"request outside the site: {url}" for url in self.outside_requests] + self.errors


@dataclass
class Browsing:
    """Opens browser contexts (each a fresh visitor) on the live site and records their errors."""

    browser: object
    base_url: str
    log: BrowserLog
    contexts: list = field(default_factory=list)

    def context(self, *, viewport=DESKTOP, mobile=False, javascript=True, storage_state=None):
        """A new context; `storage_state` (another context's `storage_state()`) carries its
        cookies over, so a signed-in person can look at the same pages on another device."""
        context = self.browser.new_context(
            base_url=self.base_url,
            storage_state=storage_state,
            viewport=viewport,
            is_mobile=mobile,
            has_touch=mobile,
            java_script_enabled=javascript,
            locale="lv-LV",
            timezone_id="Europe/Riga",
            reduced_motion="reduce",
        )
        context.set_default_timeout(TIMEOUT_MS)
        # Listen rather than intercept: interception would switch off the HTTP cache, and the
        # cache is part of what a visitor's back button does.
        context.on("request", self._request)
        context.on("response", self._response)
        self.contexts.append(context)
        return context

    def page(self, **options):
        page = self.context(**options).new_page()
        page.on("pageerror", lambda error: self.log.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        return page

    def _is_local(self, url: str) -> bool:
        return url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:"))

    def _request(self, request):
        if not self._is_local(request.url):
            self.log.outside_requests.append(request.url)

    def _response(self, response):
        # Chromium asks every site for /favicon.ico; the site has none (reported separately).
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.log.errors.append(f"HTTP {response.status} for {response.url}")

    def _console(self, page, message):
        # Failed loads are reported with their URL by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.log.errors.append(f"{page.url}: console error: {message.text}")

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(playwright_browser, network) -> Iterator[Browsing]:
    browsing = Browsing(playwright_browser, network, BrowserLog(network))
    yield browsing
    browsing.close()


@pytest.fixture
def page(browsing):
    """A desktop Chromium tab of a Latvian visitor."""
    return browsing.page()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    configured = os.environ.get("ASPHUB_SCREENSHOT_DIR")
    directory = Path(configured) if configured else PROJECT_ROOT / "build" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
