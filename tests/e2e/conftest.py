"""Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server."""

import re
import threading
from base64 import b32decode
from pathlib import Path

import pytest
from django.db import connections

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


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time():
    """Serve the browser's requests one after another.

    On SQLite the test database lives in memory, and the live server's request threads all share the
    test's one connection: two requests at once (a page and the PDF preview in its iframe, both writing
    their read to the audit trail) would interleave savepoints on it. Outside tests every thread has its
    own connection. Must run before pytest-django builds the live server, which picks the handler then.
    """
    from django.contrib.staticfiles import handlers

    original, lock = handlers.StaticFilesHandler, threading.Lock()

    class Serialised(original):
        def __call__(self, environ, start_response):
            with lock:
                return super().__call__(environ, start_response)

    handlers.StaticFilesHandler = Serialised
    yield
    handlers.StaticFilesHandler = original


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
    assert live_server.thread.static_handler.__name__ == "Serialised", "the live server was built too early"
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
        # A refused inline script or style (the Content-Security-Policy) shows only in the console.
        refused: list[str] = []
        page.on("console", lambda msg: refused.append(msg.text) if CSP_REFUSAL.search(msg.text) else None)
        page.on("pageerror", lambda error: refused.append(str(error)))
        yield page
        browser.close()
        # Django keeps its connections per context, and while Playwright runs the test's database calls
        # get a connection of their own (not the one pytest-django closes): left open, that session
        # kept PostgreSQL from dropping the test database at the end of the run.
        connections.close_all()
    assert not outside, f"the page loaded from another host: {outside}"
    assert not refused, f"refused under the Content-Security-Policy, or a script failed: {refused}"


CSP_REFUSAL = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)
CODE_LABEL = "Mã xác thực (6 chữ số)"


def pass_second_factor(page, username: str) -> None:
    """After the password: enrol an authenticator (reading the secret off the page) or type its next code.

    Signers, clerks and admins are asked (ioffice.web.two_factor); others land on their page and
    this does nothing. The code is computed here as the person's app would.
    """
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import next_code

    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    if "/xac-thuc-hai-lop/cai-dat/" in page.url:
        secret = page.locator("#totp-secret").inner_text().strip()
        code = f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}"
    elif "/xac-thuc-hai-lop/" in page.url:
        code = next_code(TOTPDevice.objects.get(user__username=username, confirmed=True))
    else:
        return
    page.get_by_label(CODE_LABEL).fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(lambda url: "/xac-thuc-hai-lop/" not in url)
