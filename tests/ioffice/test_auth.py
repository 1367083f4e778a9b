"""Sign-in page, lockout, sign-out."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ioffice.web import lockout
from tests.ioffice.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Tài khoản tạm thời bị khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html
    assert "ioffice — Văn phòng điện tử" in html


def test_successful_login_redirects_home(client, clerk):
    response = _sign_in(client, "vanthu", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # A clerk seals, so the password alone does not open home: enrolment of a second factor comes first
    # (tests/ioffice/test_two_factor.py walks it; an officer goes straight home there).
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("two-factor-enrol"))


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_password_and_unknown_user_read_the_same(client, clerk):
    wrong_password = _sign_in(client, "vanthu", "sai-mat-khau").content.decode()
    unknown_user = _sign_in(client, "khong-ton-tai", "sai-mat-khau").content.decode()
    assert WRONG in wrong_password
    assert WRONG in unknown_user


def test_lockout_refuses_even_the_right_password_then_lifts(client, clerk, lockout_after_three, monkeypatch):
    for _ in range(3):
        assert WRONG in _sign_in(client, "vanthu", "sai-mat-khau").content.decode()

    response = _sign_in(client, "vanthu", PASSWORD)
    assert response.status_code == 200, "a locked account must not sign in with the right password"
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session

    later = timezone.now() + datetime.timedelta(minutes=16)
    monkeypatch.setattr(lockout, "now", lambda: later)
    response = _sign_in(client, "vanthu", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_lockout_counts_only_failures_after_the_last_success(client, clerk, lockout_after_three):
    for _ in range(2):
        _sign_in(client, "vanthu", "sai-mat-khau")
    assert _sign_in(client, "vanthu", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        _sign_in(client, "vanthu", "sai-mat-khau")
    assert _sign_in(client, "vanthu", PASSWORD).status_code == 302


def test_unknown_username_is_locked_out_alike(client, lockout_after_three):
    for _ in range(3):
        _sign_in(client, "ai-do", "doan-mo")
    assert LOCKED in _sign_in(client, "ai-do", "doan-mo").content.decode()


def test_logout_requires_post(signed_in):
    assert signed_in.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in signed_in.session
    response = signed_in.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in signed_in.session
