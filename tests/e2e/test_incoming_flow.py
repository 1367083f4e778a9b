"""A Sở letter goes the whole incoming way in a browser: registered, routed, handled, seen done by the sender."""

import pytest

from organizations.models import Role, UnitKind
from tests.documents.factories import make_department, make_division
from tests.e2e.test_dispatch_flow import PASSWORD, sign_in, sign_out
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import Agency, make_sealed
from workflows.actions.issue import do_issue_dispatch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # Document types come from a data migration: a transactional test must put them back after flushing.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUMMARY = "V/v tổng kết năm học 2025-2026"


@pytest.fixture
def issued():
    """The Sở issues a letter to Phòng GDĐT Cao Lãnh, whose clerk, head and officer sign in below."""
    so = make_department()
    cntt = make_division(department=so)
    phong = make_unit(kind=UnitKind.DISTRICT_OFFICE, parent=so, name="Phòng Giáo dục và Đào tạo huyện Cao Lãnh")
    cast = [
        ("so.cntt.chuyenvien", "Chuyên", "Trần Thị", cntt, Role.OFFICER),
        ("so.vanthu", "Thư", "Trần Thị", so, Role.CLERK),
        ("so.giamdoc", "Giám", "Trần Văn", so, Role.LEADER),
        ("pgd.vanthu", "Vân", "Lê Thị", phong, Role.CLERK),
        ("pgd.truongphong", "Trưởng", "Phạm Văn", phong, Role.LEADER),
        ("pgd.chuyenvien", "Lan", "Nguyễn Thị", phong, Role.OFFICER),
    ]
    people = {}
    for username, first, last, unit, role in cast:
        people[username] = make_user(username, password=PASSWORD, first_name=first, last_name=last)
        make_membership(user=people[username], unit=unit, role=role)
    agency = Agency(so, cntt, people["so.cntt.chuyenvien"], people["so.vanthu"], people["so.giamdoc"], None)
    dispatch = make_sealed(agency, recipients=[phong], summary=SUMMARY)
    do_issue_dispatch(dispatch, acting_user=agency.clerk)
    return dispatch


def done(page, message: str) -> None:
    page.wait_for_load_state()
    assert message in page.locator(".message--success").inner_text(), page.content()


def test_an_incoming_letter_from_arrival_to_done(page, issued):
    sign_in(page, "pgd.vanthu")
    page.locator("#queue-incoming-to-register").wait_for()
    page.get_by_role("link", name=SUMMARY).first.click()
    page.wait_for_load_state()
    assert "mã 01" in page.locator("#delivery-status").inner_text()
    page.locator("#step-register").get_by_role("button", name="Vào sổ").click()
    done(page, "số đến 1")
    assert page.locator("#incoming-number").inner_text().startswith("1")
    sign_out(page)

    sign_in(page, "pgd.truongphong")
    page.get_by_role("link", name="Chờ phân phối").click()
    page.get_by_role("link", name=SUMMARY).click()
    page.wait_for_load_state()
    route = page.locator("#step-route")
    route.locator("#route-lead").select_option(label="Nguyễn Thị Lan")
    route.locator("#route-lead_days").fill("5")
    route.locator("#route-direction").fill("Chị Lan tổng hợp, báo cáo Sở.")
    route.get_by_role("button", name="Phân phối").click()
    done(page, "Đã phân phối văn bản.")
    assert "mã 04" in page.locator("#delivery-status").inner_text()
    sign_out(page)

    sign_in(page, "pgd.chuyenvien")
    page.get_by_role("link", name="Việc được giao").click()
    page.get_by_role("link", name=SUMMARY).click()
    page.wait_for_load_state()
    assert "Chị Lan tổng hợp, báo cáo Sở." in page.locator("#phieu-giai-quyet").inner_text()
    page.get_by_role("button", name="Bắt đầu xử lý").click()
    done(page, "Đã bắt đầu xử lý.")
    page.get_by_label("Kết quả xử lý").fill("Đã tổng hợp và gửi báo cáo.")
    page.get_by_role("button", name="Hoàn thành", exact=True).click()
    done(page, "Đã báo cáo hoàn thành.")
    assert "mã 06" in page.locator("#delivery-status").inner_text()
    sign_out(page)

    sign_in(page, "so.vanthu")
    page.get_by_role("link", name="Văn bản đã phát hành").first.click()
    page.get_by_role("link", name="Theo dõi").first.click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Phòng Giáo dục và Đào tạo huyện Cao Lãnh" in body and "Hoàn thành" in body
    row = page.locator("tr", has_text="Phòng Giáo dục và Đào tạo huyện Cao Lãnh").last
    assert "Hoàn thành" in row.inner_text()
