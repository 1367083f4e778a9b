"""An outgoing letter goes the whole way in a browser: drafted, reviewed, signed, numbered, sealed, issued."""

import pytest

from organizations.models import Role
from tests.documents.factories import make_department, make_division
from tests.e2e.conftest import pass_second_factor
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # Document types come from a data migration: a transactional test must put them back after flushing.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "mat-khau-thu-nghiem-2026"


@pytest.fixture
def people():
    """The demo's people of the Sở for one letter of the IT division (same usernames as the demo data)."""
    so = make_department()
    cntt = make_division(department=so)
    make_unit(kind="school", parent=so, name="Trường THPT Thành phố Cao Lãnh", school_level="thpt")
    make_unit(kind="school", parent=so, name="Trường THPT Tháp Mười", school_level="thpt", enrolled=False)
    cast = [
        ("so.cntt.chuyenvien", "Chuyên", "Trần Thị", cntt, Role.OFFICER, "Chuyên viên"),
        ("so.cntt.truongphong", "Tín", "Trần Minh", cntt, Role.LEADER, "Trưởng phòng"),
        ("so.giamdoc", "Giám", "Trần Văn", so, Role.LEADER, "Giám đốc"),
        ("so.vanthu", "Thư", "Trần Thị", so, Role.CLERK, "Văn thư"),
    ]
    for username, first, last, unit, role, title in cast:
        user = make_user(username, password=PASSWORD, first_name=first, last_name=last)
        make_membership(user=user, unit=unit, role=role, title=title)


def sign_in(page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=True).fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    pass_second_factor(page, username)
    page.locator(".site-header__who").wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/dang-nhap/**")


def act(page, button: str) -> None:
    """Press a transition button of the document page and wait for the page to come back."""
    page.locator("form.transition").get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert page.locator(".message--success").is_visible(), page.content()


def test_a_letter_from_draft_to_issue(page, people):
    sign_in(page, "so.cntt.chuyenvien")
    page.get_by_role("link", name="Soạn dự thảo mới").first.click()
    page.get_by_label("Loại văn bản", exact=True).select_option(label="Công văn")
    page.get_by_label("Trích yếu", exact=True).fill("triển khai văn phòng điện tử")
    page.get_by_label("Nội dung", exact=True).fill("Sở đề nghị các đơn vị triển khai.\n\nTrân trọng.")
    page.get_by_label("Kính gửi", exact=True).fill("Hiệu trưởng các trường THPT")
    page.get_by_label("Nơi nhận", exact=True).fill("Như trên")
    page.locator("select[name=units_thuc_hien]").select_option(label="Trường THPT Thành phố Cao Lãnh")
    page.locator("select[name=units_biet]").select_option(label="Trường THPT Tháp Mười")
    page.get_by_label("Chức vụ người ký", exact=True).fill("GIÁM ĐỐC")
    page.get_by_label("Họ tên người ký", exact=True).fill("Trần Văn Giám")
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "V/v triển khai văn phòng điện tử"
    document_url = page.url
    # The preview is a real PDF served by our own server.
    assert page.locator("iframe.pdf-preview").get_attribute("src").endswith("/ban-in.pdf")

    page.get_by_label("Lãnh đạo duyệt", exact=True).select_option(label="Trần Minh Tín")
    act(page, "Trình lãnh đạo phòng duyệt")
    assert "Chờ lãnh đạo phòng duyệt" in page.locator(".badge").first.inner_text()
    sign_out(page)

    sign_in(page, "so.cntt.truongphong")
    page.get_by_role("link", name="V/v triển khai văn phòng điện tử").first.click()
    act(page, "Duyệt")
    page.get_by_label("Người ký", exact=True).select_option(label="Trần Văn Giám")
    act(page, "Trình ký")
    sign_out(page)

    sign_in(page, "so.giamdoc")
    page.get_by_role("link", name="V/v triển khai văn phòng điện tử").first.click()
    act(page, "Ký duyệt")
    sign_out(page)

    sign_in(page, "so.vanthu")
    page.get_by_role("link", name="V/v triển khai văn phòng điện tử").first.click()
    act(page, "Cấp số")
    assert "01/SGDĐT-CNTTTBT" in page.locator("h1").inner_text()
    act(page, "Đóng dấu")
    act(page, "Phát hành")
    assert page.locator(".badge").first.inner_text() == "Đã phát hành"

    page.get_by_role("link", name="Theo dõi gửi nhận").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Trường THPT Thành phố Cao Lãnh" in body and "Trường THPT Tháp Mười" in body
    assert page.url.startswith(document_url)
