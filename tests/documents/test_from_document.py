"""A Document row printed: the seed letter drafted through the real action prints as the hand-built seed."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.db import transaction

from documents.actions import do_create_draft
from documents.models import Document
from documents.numbering import take_number
from documents.rendering.from_document import (
    DraftPrintable,
    issuing_body_of,
    kinh_gui_lines,
    noi_nhan_lines,
    parent_body_of,
    printable_for,
    signature_for,
)
from documents.rendering.pdf import render_pdf
from documents.rendering.printable import Authority, Printable, Signature, Urgency
from documents.symbols import build_symbol
from organizations.models import Role
from tests.documents.factories import document_type, draft_input, make_division, make_register
from tests.documents.seed import BODY, COPIES_TO, RECIPIENTS, SEED_SYMBOL, SUMMARY, seed_letter
from tests.documents.test_rendering import SEED_SEQUENCE, _assert_in_order, _flat, _pdftotext
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db

SEED_DAY = datetime.date(2018, 8, 13)


def _body_as_stored() -> list[list[dict]]:
    return [[{"text": r.text, "bold": r.bold, "italic": r.italic} for r in paragraph.runs] for paragraph in BODY]


def _strip(line: str) -> str:
    return line.lstrip("- ").rstrip(";.")


def make_seed_tree():
    """UBND tỉnh Đồng Tháp → Sở GDĐT (the factories' name, with the province) → Phòng CNTTTBT."""
    ubnd = make_unit(kind="external", name="Ủy ban nhân dân tỉnh Đồng Tháp", abbreviation="UBND")
    department = make_unit(
        kind="department", parent=ubnd, name="Sở Giáo dục và Đào tạo Đồng Tháp", abbreviation="SGDĐT"
    )
    return ubnd, department, make_division(department=department)


def draft_seed_letter(division, **changes) -> Document:
    drafter = make_user()
    make_membership(user=drafter, unit=division, role=Role.OFFICER)
    fields = {
        "document_type": document_type(name="Công văn"),
        "summary": SUMMARY,
        "body": _body_as_stored(),
        "kinh_gui": [_strip(line) for line in RECIPIENTS],
        "noi_nhan": [_strip(line) for line in COPIES_TO[:-1]],
        "luu": "VT, VH, 07b",
        "signer_authority": "",
        "signer_position": "Giám đốc",
        "signer_name": "Trần Thanh Liêm",
        "place": "Đồng Tháp",
    }
    fields.update(changes)
    return do_create_draft(acting_user=drafter, unit=division, data=draft_input(**fields))


def number_it(document: Document, *, on: datetime.date = SEED_DAY) -> Document:
    """What the dispatch workflow does at numbering, without importing workflows into this app's tests."""
    document = Document.objects.select_related("document_type", "drafting_unit", "issuer").get(pk=document.pk)
    with transaction.atomic():
        taken = take_number(
            unit=document.drafting_unit, direction="outgoing", document_type=document.document_type, on=on
        )
        symbol = build_symbol(
            number=taken.number,
            document_type=document.document_type,
            agency_abbreviation=document.issuer.abbreviation,
            drafting_unit_abbreviation=document.drafting_unit.abbreviation,
        )
        Document.objects.filter(pk=document.pk).update(
            number=taken.number, symbol=symbol, issued_on=on, register_id=taken.register_id
        )
    return Document.objects.get(pk=document.pk)


@pytest.fixture
def seed_document() -> Document:
    _ubnd, department, division = make_seed_tree()
    make_register(unit=department, year=2018, last_number=959)
    return number_it(draft_seed_letter(division))


def test_seed_document_gives_the_seed_printable(seed_document):
    printable = printable_for(seed_document)
    assert seed_document.symbol == SEED_SYMBOL
    assert type(printable) is Printable
    assert dataclasses.asdict(printable) == dataclasses.asdict(seed_letter())
    assert printable == seed_letter()


def test_seed_document_pdf_has_every_element_in_order(seed_document, tmp_path):
    text = _flat(_pdftotext(render_pdf(printable_for(seed_document)), tmp_path))
    end_of_body = _assert_in_order(text, SEED_SEQUENCE)
    _assert_in_order(text, ["Nơi nhận:", *COPIES_TO], start=end_of_body)
    _assert_in_order(text, ["GIÁM ĐỐC", "Trần Thanh Liêm"], start=end_of_body)


def test_a_draft_prints_blank_number_and_date(tmp_path):
    _ubnd, _department, division = make_seed_tree()
    draft = draft_seed_letter(division, urgency="hoa_toc")
    printable = printable_for(draft)
    assert isinstance(printable, DraftPrintable)
    assert printable.number_symbol is None
    assert printable.number_line.startswith("Số:") and printable.number_line.endswith("/SGDĐT-CNTTTBT")
    assert printable.date_line.startswith("Đồng Tháp, ngày")
    assert not any(ch.isdigit() for ch in printable.date_line)
    assert printable.urgency is Urgency.HOA_TOC
    text = _flat(_pdftotext(render_pdf(printable), tmp_path))
    _assert_in_order(text, ["Số: /SGDĐT-CNTTTBT", "Đồng Tháp, ngày tháng năm", "HỎA TỐC", "Kính gửi:"])


def test_other_type_has_title_and_type_symbol_suffix():
    _ubnd, _department, division = make_seed_tree()
    draft = draft_seed_letter(
        division, document_type=document_type("QĐ"), summary="Về việc thành lập Tổ công tác", kinh_gui=[]
    )
    printable = printable_for(draft)
    assert printable.type_name == "Quyết định"
    assert printable.draft_symbol_suffix == "QĐ-SGDĐT"
    assert printable.recipients == ()


def test_header_lines_from_the_unit_tree():
    ubnd, department, _division = make_seed_tree()
    assert (parent_body_of(department), issuing_body_of(department)) == (
        "UBND TỈNH ĐỒNG THÁP",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    )
    # A Phòng GDĐT's cơ quan chủ quản is its district's People's Committee, not the Sở above it.
    district = make_unit(kind="district_office", parent=department, name="Phòng Giáo dục và Đào tạo thành phố Cao Lãnh")
    assert (parent_body_of(district), issuing_body_of(district)) == (
        "UBND THÀNH PHỐ CAO LÃNH",
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
    )
    school = make_unit(kind="school", parent=department, name="Trường THPT Thành phố Cao Lãnh", school_level="thpt")
    assert (parent_body_of(school), issuing_body_of(school)) == ("SỞ GDĐT ĐỒNG THÁP", "TRƯỜNG THPT THÀNH PHỐ CAO LÃNH")
    assert parent_body_of(ubnd) == ""


def test_kinh_gui_and_noi_nhan_punctuation():
    assert kinh_gui_lines(["Ủy ban nhân dân tỉnh Đồng Tháp"]) == ("Ủy ban nhân dân tỉnh Đồng Tháp.",)
    assert kinh_gui_lines(["A", "B"]) == ("- A;", "- B.")
    assert noi_nhan_lines(["Như trên"], luu="VT, CNTTTBT") == ("- Như trên;", "- Lưu: VT, CNTTTBT.")


def _sig(position: str, authority: str = "", on_behalf_of: str = "") -> Signature:
    return Signature(position=position, signer_name="X", authority=Authority(authority), on_behalf_of=on_behalf_of)


@pytest.mark.parametrize(
    ("authority", "position", "expected"),
    [
        ("", "Giám đốc", _sig("GIÁM ĐỐC")),
        ("KT.", "GIÁM ĐỐC", _sig("PHÓ GIÁM ĐỐC", "KT.", "GIÁM ĐỐC")),
        ("KT.", "Phó Giám đốc", _sig("PHÓ GIÁM ĐỐC", "KT.", "GIÁM ĐỐC")),
        ("TL.", "Chánh Văn phòng", _sig("CHÁNH VĂN PHÒNG", "TL.", "GIÁM ĐỐC")),
        ("TUQ.", "GIÁM ĐỐC / TRƯỞNG PHÒNG", _sig("TRƯỞNG PHÒNG", "TUQ.", "GIÁM ĐỐC")),
        ("TM.", "Giám đốc", _sig("GIÁM ĐỐC", "TM.", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")),
        ("Q.", "Giám đốc", _sig("GIÁM ĐỐC", "Q.")),
    ],
)
def test_signature_block_from_the_position_field(authority, position, expected):
    _ubnd, department, division = make_seed_tree()
    document = Document(
        issuer=department, drafting_unit=division, signer_authority=authority, signer_position=position, signer_name="X"
    )
    assert signature_for(document) == expected
