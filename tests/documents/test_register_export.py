"""The outgoing register (sổ đăng ký văn bản đi): rows from the database, printed to PDF, exported to XLSX."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from documents.rendering.register import COLUMNS, HEADING, render_register_pdf, render_register_xlsx
from documents.selectors import outgoing_register_rows
from tests.documents.factories import make_register
from tests.documents.test_from_document import draft_seed_letter, make_seed_tree, number_it
from tests.documents.test_rendering import _flat, _pdftotext, _tool
from tests.organizations.factories import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def register_2018():
    """The Sở's 2018 book from 959 on: 960 (the seed), 961 (Hỏa tốc); a draft, a 2019 letter and another agency's."""
    _ubnd, department, division = make_seed_tree()
    make_register(unit=department, year=2018, last_number=959)
    seed = number_it(draft_seed_letter(division))
    urgent = number_it(
        draft_seed_letter(division, summary="V/v họp giao ban", noi_nhan=["Các Phòng GDĐT"], urgency="hoa_toc"),
        on=datetime.date(2018, 8, 20),
    )
    draft_seed_letter(division, summary="V/v chưa ban hành")
    number_it(draft_seed_letter(division, summary="V/v năm sau"), on=datetime.date(2019, 1, 2))
    other = make_unit(kind="department", name="Sở Y tế", abbreviation="SYT")
    other_division = make_unit(kind="division", parent=other, name="Văn phòng", abbreviation="VP")
    number_it(draft_seed_letter(other_division, summary="V/v của sở khác"), on=datetime.date(2018, 8, 14))
    return department, division, seed, urgent


def test_rows_in_number_order_with_every_column(register_2018, django_assert_num_queries):
    department, division, seed, _urgent = register_2018
    with django_assert_num_queries(1):
        rows = outgoing_register_rows(unit=department, year=2018)
    assert [row.symbol for row in rows] == ["960/SGDĐT-CNTTTBT", "961/SGDĐT-CNTTTBT"]
    first, second = rows
    assert first.document_id == seed.pk and first.number == 960
    assert first.issued_on == datetime.date(2018, 8, 13)
    assert first.type_and_summary.startswith("Công văn: V/v thực hiện chương trình Vnedu")
    assert first.signer == "Trần Thanh Liêm"
    assert first.recipients == ("Như trên", "VNPT Đồng Tháp (để phối hợp)")
    assert first.kept_by == "VT, VH, 07b"
    assert first.copies == 3  # two "Nơi nhận" lines and the văn thư's copy
    assert first.sent_on == first.issued_on
    assert (first.received_by, first.note) == ("", "")
    assert second.note == "Hỏa tốc" and second.copies == 2
    # A division reads its agency's book.
    assert outgoing_register_rows(unit=division, year=2018) == rows
    assert [row.symbol for row in outgoing_register_rows(unit=department, year=2019)] == ["01/SGDĐT-CNTTTBT"]


def test_register_pdf(register_2018, tmp_path):
    department, _division, _seed, _urgent = register_2018
    rows = outgoing_register_rows(unit=department, year=2018)
    pdf = render_register_pdf(rows, unit=department, year=2018)
    text = _flat(_pdftotext(pdf, tmp_path))
    assert HEADING in text
    assert "Năm 2018" in text
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO ĐỒNG THÁP" in text
    # Titles wrap inside their cells (pdftotext interleaves the lines), the column numbers do not.
    assert " ".join(f"({n})" for n in range(1, len(COLUMNS) + 1)) in text
    for title in ("Người ký", "Nơi nhận văn bản"):
        assert title in text
    position = text.find("960/SGDĐT-CNTTTBT")
    assert 0 <= position < text.find("961/SGDĐT-CNTTTBT")
    assert "13/08/2018" in text and "Hỏa tốc" in text
    assert "của sở khác" not in text and "năm sau" not in text
    info = _tool("pdfinfo", data=pdf, tmp_path=tmp_path)
    assert "841.89 x 595.276 pts (A4)" in info or "842 x 595 pts (A4)" in info, info
    for row in _tool("pdffonts", data=pdf, tmp_path=tmp_path).splitlines()[2:]:
        assert "TeX-Gyre-Termes" in row.split()[0], row


def test_register_xlsx(register_2018):
    department, _division, _seed, _urgent = register_2018
    rows = outgoing_register_rows(unit=department, year=2018)
    workbook = openpyxl.load_workbook(io.BytesIO(render_register_xlsx(rows, unit=department, year=2018)))
    sheet = workbook.active
    assert sheet["A2"].value == HEADING
    assert sheet["A3"].value == "Năm 2018"
    header = [cell.value for cell in sheet[5]]
    assert header == [column.title for column in COLUMNS]
    assert all(cell.font.bold for cell in sheet[5])
    first = [cell.value for cell in sheet[6]]
    assert first[0] == "960/SGDĐT-CNTTTBT"
    assert first[1] == datetime.datetime(2018, 8, 13)  # a real date, not text
    assert sheet.cell(row=6, column=2).is_date
    assert first[4] == "Như trên\nVNPT Đồng Tháp (để phối hợp)"
    assert first[5:7] == ["VT, VH, 07b", 3]
    assert sheet.cell(row=6, column=3).alignment.wrap_text
    assert sheet.column_dimensions["C"].width == COLUMNS[2].width_xlsx
    assert sheet["A7"].value == "961/SGDĐT-CNTTTBT"
    assert sheet.max_row == 7


def test_empty_year_still_prints(tmp_path):
    _ubnd, department, _division = make_seed_tree()
    pdf = render_register_pdf([], unit=department, year=2020)
    assert "Chưa có văn bản nào" in _pdftotext(pdf, tmp_path)
