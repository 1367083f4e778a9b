"""A person signs in, sees their unit and role, switches to their other role, and signs out."""

import pytest

from organizations.models import Role, UnitKind
from tests.e2e.conftest import pass_second_factor
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-2026"


@pytest.fixture
def deputy():
    so = make_unit(name="Sở Giáo dục và Đào tạo", kind=UnitKind.DEPARTMENT, abbreviation="SGDĐT")
    division = make_unit(name="Phòng Giáo dục Trung học", kind=UnitKind.DIVISION, parent=so)
    user = make_user("so.phogiamdoc", password=PASSWORD, first_name="Phương", last_name="Trần Thị")
    make_membership(user=user, unit=so, role=Role.DEPUTY, title="Phó Giám đốc")
    make_membership(user=user, unit=division, role=Role.LEADER, title="Trưởng phòng")
    return user


def test_sign_in_switch_role_sign_out(page, deputy):
    page.goto("/")
    # An English browser still gets the office's language.
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Tên đăng nhập").fill("so.phogiamdoc")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # A deputy signs: the first sign-in enrols an authenticator (the secret is read off the page).
    pass_second_factor(page, "so.phogiamdoc")

    who = page.locator(".site-header__who")
    who.wait_for()
    assert "Phó lãnh đạo (Phó Giám đốc)" in who.inner_text()
    assert "Sở Giáo dục và Đào tạo" in who.inner_text()
    # The stylesheet came from our own server and applied.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )

    page.locator("select[name=membership]").select_option(label="Lãnh đạo — Phòng Giáo dục Trung học")
    page.get_by_role("button", name="Chuyển").click()
    page.wait_for_load_state()
    assert "Phòng Giáo dục Trung học" in page.locator(".site-header__who").inner_text()
    assert "Lãnh đạo (Trưởng phòng)" in page.locator(".site-header__who").inner_text()

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/dang-nhap/**")
    assert page.get_by_role("button", name="Đăng nhập").is_visible()


def test_wrong_password_is_refused_in_vietnamese(page, deputy):
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("so.phogiamdoc")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").is_visible()
