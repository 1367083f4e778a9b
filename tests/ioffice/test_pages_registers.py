"""Sổ đăng ký văn bản đi: the page per year, its PDF and XLSX, and who may open it."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.ioffice.test_pages_dispatches import walk
from tests.ioffice.test_pages_drafts import client_for, make_office
from workflows.models import DispatchState

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbered():
    """The Sở with one numbered letter in this year's outgoing register."""
    from documents.actions import do_create_draft
    from tests.documents.factories import draft_input

    office = make_office()
    document = do_create_draft(
        acting_user=office.drafter, unit=office.division, data=draft_input(noi_nhan=["Như trên", "Giám đốc Sở"])
    )
    walk(office, document, DispatchState.NUMBERED)
    document.refresh_from_db()
    return office, document


def test_the_register_of_this_year_lists_the_numbered_documents(numbered):
    office, _document = numbered
    response = client_for(office.clerk).get(reverse("outgoing-register"))
    assert response.status_code == 200
    html = response.content.decode()
    year = timezone.localdate().year
    assert "Sổ đăng ký văn bản đi" in html and f'<option value="{year}" selected' in html
    assert "01/SGDĐT-CNTTTBT" in html and "V/v triển khai văn phòng điện tử" in html
    for column in ("Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu", "Người ký", "Nơi nhận", "Ghi chú"):
        assert column in html
    assert reverse("outgoing-register-pdf", args=[year]) in html
    assert reverse("outgoing-register-xlsx", args=[year]) in html


def test_another_year_is_empty_and_htmx_gets_the_table_alone(numbered):
    office, _document = numbered
    client = client_for(office.clerk)
    last_year = timezone.localdate().year - 1
    html = client.get(reverse("outgoing-register"), {"nam": last_year}).content.decode()
    assert "01/SGDĐT-CNTTTBT" not in html and "Chưa có văn bản nào" in html
    fragment = client.get(reverse("outgoing-register"), {"nam": last_year}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert client.get(reverse("outgoing-register"), {"nam": "abc"}).status_code == 400


def test_the_register_downloads_as_pdf_and_xlsx(numbered):
    office, _document = numbered
    client = client_for(office.clerk)
    year = timezone.localdate().year
    pdf = client.get(reverse("outgoing-register-pdf", args=[year]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("outgoing-register-xlsx", args=[year]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="so-van-ban-di-{year}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any("01/SGDĐT-CNTTTBT" in value for value in cells)


@pytest.mark.parametrize("who", ["drafter", "outsider"])
def test_only_the_agencys_clerks_heads_and_archivists_open_it(numbered, who):
    office, _document = numbered
    client = client_for(getattr(office, who))
    year = timezone.localdate().year
    for url in (
        reverse("outgoing-register"),
        reverse("outgoing-register-pdf", args=[year]),
        reverse("outgoing-register-xlsx", args=[year]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "Chỉ văn thư, lãnh đạo và lưu trữ viên của cơ quan ban hành" in response.content.decode()
    assert client_for(office.director).get(reverse("outgoing-register")).status_code == 200
