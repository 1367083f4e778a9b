"""Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a closed network: without the background-networking ones Chromium keeps dialling out.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Chromium's own pages (its PDF viewer opens inside an <iframe> of a PDF): not another host.
BROWSER_INTERNAL = ("chrome://", "chrome-extension://")


@pytest.fixture
def page(live_server, monkeypatch):
    """A fresh browser page on the live server; fails the test if the page loads anything from elsewhere.

    Playwright's synchronous API keeps an event loop running in this thread, and Django then refuses
    ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set; Playwright starts and stops with the test, and
    the setting lives exactly as long, so no other test (or a subprocess it starts) inherits either.
    """
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (scripts/test installs it: apt-get install chromium)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, locale="en-US")
        page = context.new_page()
        outside: list[str] = []

        def note(request) -> None:
            if not request.url.startswith((live_server.url, *BROWSER_INTERNAL)):
                outside.append(request.url)

        page.on("request", note)
        yield page
        browser.close()
    assert not outside, f"the page loaded from another host: {outside}"
