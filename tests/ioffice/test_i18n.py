"""Vietnamese by default; English through the catalogue in locale/en."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_browser_set_up_in_english_still_gets_vietnamese(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html
    assert "Mật khẩu" in html


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_login_page_in_english_once_chosen(english):
    html = english.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "Password" in html
    assert "ioffice — Electronic office" in html
    assert "Mật khẩu" not in html


def test_wrong_password_message_in_english(english, clerk):
    response = english.post(reverse("login"), {"username": "vanthu", "password": "wrong"})
    assert "Incorrect username or password." in response.content.decode()


def test_set_language_switches_the_ui_to_english_and_back(client, clerk):
    client.force_login(clerk)  # the clerk's second factor is passed by tests/conftest.py
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Incoming documents awaiting registration" in html
    assert "Sign out" in html

    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "Văn bản đến chờ vào sổ" in html


def test_language_switch_names_each_language_in_itself(client, settings):
    for code in ("vi", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        html = client.get(reverse("login")).content.decode()
        assert '<option value="vi" lang="vi"' in html
        assert ">Tiếng Việt</option>" in html
        assert ">English</option>" in html


def test_role_and_unit_kind_labels_follow_the_language():
    from django.utils import translation

    from organizations.models import Role, SchoolLevel, UnitKind

    with translation.override("en"):
        assert (str(Role.CLERK.label), str(UnitKind.DISTRICT_OFFICE.label)) == ("Clerk", "District education office")
        assert str(SchoolLevel.THCS.label) == "Lower secondary"
    with translation.override("vi"):
        assert (str(Role.CLERK.label), str(UnitKind.DISTRICT_OFFICE.label)) == ("Văn thư", "Phòng Giáo dục và Đào tạo")
