"""Hardening: check --deploy in production, the Content-Security-Policy, no inline code, CSRF, passwords."""

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from ioffice.config import BASE_DIR
from ioffice.web import urls as web_urls
from ioffice.web.security import HEADER, ContentSecurityPolicyMiddleware
from tests.ioffice.conftest import PASSWORD
from tests.ioffice.test_xss import _pages, world  # noqa: F401 - the fixture, shared with the escaping test
from tests.organizations.factories import make_user

pytestmark = pytest.mark.django_db

REQUIRED = {
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _directives(value: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in value.split(";") if part.strip())


# -- Production settings -------------------------------------------------------------------------

DEPLOY = """
import json, django; django.setup()
from django.conf import settings as s
from django.core.management import call_command
call_command("check", "--deploy", "--fail-level", "WARNING")
print(json.dumps({name: getattr(s, name, None) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF",
)}))
"""


@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_a_warning(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IOFFICE_", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "ioffice.settings",
        "IOFFICE_VAR_DIR": str(tmp_path),
        "IOFFICE_DEBUG": "0",
        "IOFFICE_SECRET_KEY": secrets.token_urlsafe(64),
        "IOFFICE_ALLOWED_HOSTS": "ioffice.test",
    }
    run = subprocess.run([sys.executable, "-c", DEPLOY], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout + run.stderr, run.stdout + run.stderr
    values = json.loads(run.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }


# -- The Content-Security-Policy ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/dang-nhap/", "/static/css/ioffice.css", "/static/js/ioffice.js", "/api/v1/", "/khong-co/", "/healthz"],
)
def test_every_response_carries_the_policy_without_unsafe_inline(client, path):
    response = client.get(path)
    policy = response[HEADER]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = _directives(policy)
    assert {name: directives.get(name) for name in REQUIRED} == REQUIRED
    if not path.startswith("/static/"):  # WhiteNoise answers before the X-Frame-Options middleware; CSP covers it
        assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_response_our_pages_may_frame_lets_only_our_pages_frame_it():
    """The PDF preview is framed by the document page (X-Frame-Options SAMEORIGIN): frame-ancestors follows."""
    framed = HttpResponse()
    framed["X-Frame-Options"] = "SAMEORIGIN"
    response = ContentSecurityPolicyMiddleware(lambda request: framed)(RequestFactory().get("/"))
    assert _directives(response[HEADER])["frame-ancestors"] == "'self'"
    plain = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))
    assert _directives(plain[HEADER])["frame-ancestors"] == "'none'"


def test_htmx_is_told_not_to_inject_styles_and_the_stylesheet_has_its_indicator(client):
    html = client.get(reverse("login")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert config, "htmx-config meta"
    assert json.loads(config.group(1)) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }
    css = (BASE_DIR / "ioffice" / "static" / "css" / "ioffice.css").read_text()
    assert ".htmx-indicator {" in css and ".htmx-request .htmx-indicator" in css


# -- No inline code, in any template or page ------------------------------------------------------


class _InlineFinder(HTMLParser):
    """Inline scripts, styles, style attributes, on* handlers and javascript: URLs in one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")


def inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


_TEMPLATE_INLINE = re.compile(r"<style|\sstyle\s*=|<script(?![^>]*\ssrc=)|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
#: Not pages: print layouts go to WeasyPrint (never a browser), e-mails to mail clients (which need inline styles).
_NOT_PAGES = ("print/", "email/")


def test_no_page_template_holds_inline_code():
    root = BASE_DIR / "templates"
    offending = {}
    for path in sorted(root.rglob("*.html")):
        name = str(path.relative_to(root))
        if name.startswith(_NOT_PAGES):
            continue
        hits = _TEMPLATE_INLINE.findall(path.read_text(encoding="utf-8"))
        if hits:
            offending[name] = hits
    assert not offending, offending
    assert inline_code('<p style="x"><a href="javascript:x()" onclick="y">a</a><script>1</script></p>') == [
        "<p style=...>",
        "<a href=javascript:...>",
        "<a onclick=...>",
        "<script> without src",
    ], "the page check itself sees what it looks for"


def _plain_page_names() -> list[str]:
    """Every page URL of ioffice/web/urls.py that takes no argument."""
    names = []
    for entry in web_urls.urlpatterns:
        assert not isinstance(entry, URLResolver)
        if isinstance(entry, URLPattern) and not entry.pattern.converters and entry.name:
            names.append(entry.name)
    return names


def test_every_page_renders_without_inline_code_and_with_the_policy(client, world):  # noqa: F811
    agency, office = world["agency"], world["office"]
    people = [agency.drafter, agency.clerk, agency.leader, office.clerk, office.leader, office.officers[0]]
    seen = 0
    for user in people:
        client.force_login(user)
        for name in _plain_page_names():
            if name in {"logout", "switch-membership", "notification-read-all"}:
                continue  # POST-only
            response = client.get(reverse(name))
            assert HEADER in response, name
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                assert not inline_code(response.content.decode()), (name, inline_code(response.content.decode()))
                seen += 1
    for user, url in _pages(world):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and HEADER in response, url
        assert not inline_code(response.content.decode()), (url, inline_code(response.content.decode()))
        seen += 1
    anonymous = Client()
    for url in (reverse("login"), "/khong-co/", "/api/docs/"):
        response = anonymous.get(url)
        assert not inline_code(response.content.decode()), url
    assert seen > 60


@pytest.mark.real_two_factor
def test_the_two_factor_pages_have_no_inline_code_either(clerk):
    client = Client()
    client.post(reverse("login"), {"username": "vanthu", "password": PASSWORD})
    enrol = client.get(reverse("two-factor-enrol"))
    assert enrol.status_code == 200 and "<svg" in enrol.content.decode()
    assert not inline_code(enrol.content.decode())


# -- CSRF ----------------------------------------------------------------------------------------

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)


def test_every_post_form_in_the_templates_carries_the_token():
    missing = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        for form in _FORM.findall(path.read_text(encoding="utf-8")):
            if re.search(r"method=\"post\"", form, re.IGNORECASE) and "{% csrf_token %}" not in form:
                missing.append(f"{path.relative_to(BASE_DIR)}: {form[:80]}")
    assert not missing, missing


def test_a_page_post_without_the_token_is_refused_and_htmx_sends_it_in_a_header(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    assert client.post(reverse("notification-read-all")).status_code == 403
    html = client.get(reverse("home")).content.decode()
    token = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", html).group(1)
    assert client.post(reverse("notification-read-all"), HTTP_X_CSRFTOKEN=token).status_code == 302


def test_a_session_api_post_without_the_token_is_refused(clerk):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(clerk)
    refused = api.post("/api/v1/notifications/mark-read/", {"all": True}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in json.dumps(refused.json())
    html = api.get(reverse("home")).content.decode()
    token = re.search(r"\"X-CSRFToken\": \"([^\"]+)\"", html).group(1)
    assert (
        api.post("/api/v1/notifications/mark-read/", {"all": True}, format="json", HTTP_X_CSRFTOKEN=token).status_code
        == 200
    )


def test_a_token_api_call_needs_no_csrf_token(clerk):
    from rest_framework.authtoken.models import Token

    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    assert api.post("/api/v1/notifications/mark-read/", {"all": True}, format="json").status_code == 200


def test_cookies_are_http_only_and_same_site(client, clerk):
    client.post(reverse("login"), {"username": "vanthu", "password": PASSWORD})
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    client.get(reverse("login"))
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


# -- The admin sign-in and passwords -------------------------------------------------------------


def test_the_admin_sign_in_page_is_locked_out_like_ours(client, lockout_after_three):
    make_user("quantri", password=PASSWORD, is_staff=True)
    for _ in range(3):
        client.post("/admin/login/", {"username": "quantri", "password": "sai-mat-khau"})
    response = client.post("/admin/login/", {"username": "quantri", "password": PASSWORD})
    assert response.status_code == 200
    assert "Tài khoản tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("ngan-qua", "password_too_short"),
        ("1234567890123", "password_entirely_numeric"),
        ("password1234", "password_too_common"),
        ("nguyenvanlan2024", "password_too_similar"),
    ],
)
def test_the_validators_refuse_weak_passwords(password, code):
    user = get_user_model()(username="nguyenvanlan2024", first_name="Lan", last_name="Nguyễn Văn")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    assert code in [e.code for e in refused.value.error_list]
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] >= 10


def test_a_weak_password_is_refused_by_the_admin_pages(client):
    root = make_user("quantri", password=PASSWORD, superuser=True)
    client.force_login(root)
    assert client.session.get(DEVICE_ID_SESSION_KEY), "force_login passed the admin's second factor"
    added = client.post(
        "/admin/auth/user/add/",
        {"username": "moi", "password1": "1234567890", "password2": "1234567890", "usable_password": "true"},
    )
    assert added.status_code == 200
    assert not get_user_model().objects.filter(username="moi").exists()
    changed = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": "abc", "password2": "abc", "usable_password": "true"},
    )
    assert changed.status_code == 200
    root.refresh_from_db()
    assert root.check_password(PASSWORD)
    own = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert own.status_code == 200
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_set_password_from_a_shell_is_validated_too():
    user = make_user("canbo", password=PASSWORD)
    user.set_password("123")
    with pytest.raises(ValidationError):
        user.save()


@pytest.mark.parametrize("weak", ["123", "quantrivien2026", "password1234"])
def test_createsuperuser_noinput_holds_the_environment_password_to_the_validators(monkeypatch, weak):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", weak)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("createsuperuser", "--noinput", username="quantrivien2026", email="qt@dongthap.edu.vn")
    assert not get_user_model().objects.filter(username="quantrivien2026").exists()


def test_createsuperuser_noinput_with_a_strong_password_makes_the_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", username="quantrivien", email="qt@dongthap.edu.vn", verbosity=0)
    root = get_user_model().objects.get(username="quantrivien")
    assert root.is_superuser and root.check_password(PASSWORD)
