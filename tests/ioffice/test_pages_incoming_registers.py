"""Sổ đăng ký văn bản đến, sổ theo dõi giải quyết and the handling report: pages, downloads, who may open them."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role, UnitKind
from tests.ioffice.test_pages_drafts import client_for
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.incoming import do_register_delivery
from workflows.actions.routing import AssigneeSpec, do_route
from workflows.models import Delivery

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = timezone.localdate().year


@pytest.fixture
def books():
    """A Phòng GDĐT with three arrivals: one routed (and overdue), one only registered, one not registered."""
    agency = make_agency()
    office = make_office(agency=agency)
    routed = make_arrived(agency, office.unit, summary="V/v báo cáo số liệu thiết bị")[0]
    waiting = make_arrived(agency, office.unit, summary="V/v tổng kết năm học")[0]
    make_arrived(agency, office.unit, summary="V/v chưa vào sổ")  # arrived, not registered: not in the books
    do_register_delivery(routed, acting_user=office.clerk)
    do_register_delivery(waiting, acting_user=office.clerk)
    do_route(routed, acting_user=office.leader, lead=AssigneeSpec(user=office.officers[0], working_days=5))
    # The lead's deadline has passed (a deadline in the past cannot be given, so the test moves it).
    Delivery.objects.filter(pk=routed.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    archivist = make_user()
    make_membership(user=archivist, unit=office.unit, role=Role.ARCHIVIST)
    office.archivist = archivist
    return agency, office, Delivery.objects.get(pk=routed.pk), Delivery.objects.get(pk=waiting.pk)


def cells(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_the_incoming_register_lists_the_registered_deliveries_by_so_den(books):
    _agency, office, routed, waiting = books
    response = client_for(office.clerk).get(reverse("incoming-register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sổ đăng ký văn bản đến" in html and f'<option value="{YEAR}" selected' in html
    for column in ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận"):
        assert column in html
    assert routed.document.symbol in html and "V/v tổng kết năm học" in html and "V/v chưa vào sổ" not in html
    assert (
        reverse("delivery-detail", args=[routed.pk]) in html and reverse("delivery-detail", args=[waiting.pk]) in html
    )
    assert "(chủ trì)" in html  # the routed one names its lead
    assert html.index(f">{routed.incoming_number}</a>") < html.index(f">{waiting.incoming_number}</a>")
    assert reverse("incoming-register-pdf", args=[YEAR]) in html
    assert reverse("incoming-register-xlsx", args=[YEAR]) in html


def test_another_year_is_empty_htmx_gets_the_table_and_a_bad_year_is_400(books):
    _agency, office, routed, _waiting = books
    client = client_for(office.clerk)
    html = client.get(reverse("incoming-register"), {"nam": YEAR - 1}).content.decode()
    assert routed.document.symbol not in html and "Chưa có văn bản nào" in html
    fragment = client.get(reverse("incoming-register"), {"nam": YEAR}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and routed.document.symbol in fragment.content.decode()
    bad = client.get(reverse("incoming-register"), {"nam": "hai nghìn"})
    assert bad.status_code == 400 and "Năm không hợp lệ" in bad.content.decode()
    assert client.get(reverse("followup-register"), {"nam": "0"}).status_code == 400


def test_the_incoming_register_downloads_as_pdf_and_xlsx(books):
    _agency, office, routed, _waiting = books
    client = client_for(office.deputy)
    pdf = client.get(reverse("incoming-register-pdf", args=[YEAR]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("incoming-register-xlsx", args=[YEAR]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX
    assert xlsx["Content-Disposition"] == f'attachment; filename="so-van-ban-den-{YEAR}.xlsx"'
    values = cells(xlsx.content)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in values and routed.document.symbol in values


def test_the_followup_book_shows_deadline_progress_and_overdue_in_bold(books):
    _agency, office, routed, waiting = books
    client = client_for(office.leader)
    html = client.get(reverse("followup-register")).content.decode()
    assert "Sổ theo dõi giải quyết văn bản đến" in html
    for column in ("Thời hạn giải quyết", "Tiến độ giải quyết", "Số, ký hiệu văn bản trả lời"):
        assert column in html
    assert '<strong class="overdue">Đã phân phối — Quá hạn 3 ngày</strong>' in html
    assert f"{routed.due_on:%d/%m/%Y}" in html and reverse("delivery-detail", args=[waiting.pk]) in html
    pdf = client.get(reverse("followup-register-pdf", args=[YEAR]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("followup-register-xlsx", args=[YEAR]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX
    assert "Đã phân phối — Quá hạn 3 ngày" in cells(xlsx.content)


def test_the_handling_report_defaults_to_this_month_and_counts(books):
    _agency, office, _routed, _waiting = books
    client = client_for(office.archivist)
    response = client.get(reverse("handling-report"))
    assert response.status_code == 200
    html = response.content.decode()
    today = timezone.localdate()
    assert f'name="tu" value="{today.replace(day=1):%Y-%m-%d}"' in html
    assert f'name="den" value="{today:%Y-%m-%d}"' in html
    assert 'Văn bản đến nhận được</td><td class="num">3</td>' in html
    assert 'Đã vào sổ</td><td class="num">2</td>' in html
    assert 'Chưa hoàn thành, quá hạn</td><td class="num">1</td>' in html
    query = f"tu={today.replace(day=1):%Y-%m-%d}&amp;den={today:%Y-%m-%d}"
    assert f"{reverse('handling-report-pdf')}?{query}" in html


def test_the_handling_report_for_another_period_and_its_downloads(books):
    _agency, office, _routed, _waiting = books
    client = client_for(office.clerk)
    last_year = {"tu": f"01/01/{YEAR - 1}", "den": f"{YEAR - 1}-12-31"}
    html = client.get(reverse("handling-report"), last_year).content.decode()
    assert f"Từ ngày 01/01/{YEAR - 1} đến ngày 31/12/{YEAR - 1}" in html
    assert 'Văn bản đến nhận được</td><td class="num">0</td>' in html
    pdf = client.get(reverse("handling-report-pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("handling-report-xlsx"), last_year)
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX
    assert f'filename="bao-cao-xu-ly-van-ban-{YEAR - 1}0101-{YEAR - 1}1231.xlsx"' in xlsx["Content-Disposition"]
    values = cells(xlsx.content)
    assert "BÁO CÁO TÌNH HÌNH XỬ LÝ VĂN BẢN" in values and "Văn bản đến nhận được" in values


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tu": "32/01/2026"}, "Ngày bắt đầu không hợp lệ"),
        ({"den": "hôm nay"}, "Ngày kết thúc không hợp lệ"),
        ({"tu": "0001-01-01"}, "Ngày bắt đầu không hợp lệ"),
        ({"tu": "2026-03-02", "den": "2026-03-01"}, "Ngày bắt đầu phải trước hoặc trùng ngày kết thúc"),
    ],
)
def test_a_bad_period_is_400_in_vietnamese(books, query, message):
    _agency, office, _routed, _waiting = books
    for name in ("handling-report", "handling-report-pdf", "handling-report-xlsx"):
        response = client_for(office.clerk).get(reverse(name), query)
        assert response.status_code == 400
        assert message in response.content.decode()


@pytest.mark.parametrize("who", ["officer", "other_clerk", "sender_drafter"])
def test_other_roles_and_units_are_refused(books, who):
    agency, office, routed, _waiting = books
    user = {
        "officer": office.officers[0],
        "other_clerk": make_office(agency=agency).clerk,
        "sender_drafter": agency.drafter,
    }[who]
    client = client_for(user)
    for url in (
        reverse("incoming-register"),
        reverse("incoming-register-pdf", args=[YEAR]),
        reverse("incoming-register-xlsx", args=[YEAR]),
        reverse("followup-register"),
        reverse("followup-register-pdf", args=[YEAR]),
        reverse("followup-register-xlsx", args=[YEAR]),
    ):
        response = client.get(url)
        if who == "other_clerk":
            # Another office's clerk opens a register — its own, empty one, never this office's rows.
            assert response.status_code == 200
            assert routed.document.symbol.encode() not in response.content
            continue
        assert response.status_code == 403
        assert "Chỉ văn thư, lãnh đạo, lưu trữ viên và hiệu trưởng" in response.content.decode()
    report = client.get(reverse("handling-report"))
    assert report.status_code == (200 if who == "other_clerk" else 403)


def test_a_school_principal_keeps_the_schools_books_and_a_division_head_gets_only_the_report():
    agency = make_agency()
    school = make_unit(kind=UnitKind.SCHOOL, parent=agency.department, school_level="thpt")
    principal = make_user()
    make_membership(user=principal, unit=school, role=Role.PRINCIPAL)
    delivery = make_arrived(agency, school, summary="V/v kế hoạch kiểm tra")[0]
    do_register_delivery(delivery, acting_user=principal)  # a school with no clerk: its principal registers
    html = client_for(principal).get(reverse("incoming-register")).content.decode()
    assert "V/v kế hoạch kiểm tra" in html and school.name in html

    head = make_user()
    make_membership(user=head, unit=agency.division, role=Role.LEADER)
    client = client_for(head)
    assert client.get(reverse("incoming-register")).status_code == 403
    report = client.get(reverse("handling-report"))
    assert report.status_code == 200 and agency.division.name in report.content.decode()
