"""The Decree 30 print layout: the seed letter reproduced as PDF (and PDF/A-3b) and as .docx.

The PDF checks read the output the way a person would, through poppler's tools (``pdftotext
-layout``, ``pdffonts``, ``pdfinfo``): every element of the seed in order, A4, the page number on
page 2 only, and every font embedded and Termes (a fallback font is how a missing Vietnamese glyph
shows); poppler-utils is a test requirement like Chromium. Rendered once per module: each render costs about 0.1 s.
"""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from documents.numbering import take_number
from documents.rendering.docx import FONT_NAME, render_docx
from documents.rendering.pdf import render_pdf
from documents.rendering.printable import (
    Authority,
    Paragraph,
    Printable,
    Run,
    Signature,
    Urgency,
    format_date_line,
    paragraphs_from_runs,
)
from documents.symbols import build_symbol
from tests.documents.factories import document_type, make_department, make_division, make_register
from tests.documents.seed import BODY, COPIES_TO, RECIPIENTS, SEED_SYMBOL, SUMMARY_LINES, seed_letter

#: What the seed shows, in reading order, down the page: the header's two columns share lines.
SEED_SEQUENCE = (
    "UBND TỈNH ĐỒNG THÁP",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "Độc lập - Tự do - Hạnh phúc",
    f"Số: {SEED_SYMBOL}",
    "Đồng Tháp, ngày 13 tháng 8 năm 2018",
    *SUMMARY_LINES,
    "Kính gửi:",
    *RECIPIENTS,
    *(paragraph.text[:40] for paragraph in BODY),
    "giải quyết./.",
)


def _tool(*args: str, data: bytes, tmp_path: Path, name: str = "doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(
        [*args, str(path), "-"] if args[0] == "pdftotext" else [*args, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _pdftotext(data: bytes, tmp_path: Path, *pages: str) -> str:
    return _tool("pdftotext", "-layout", *pages, data=data, tmp_path=tmp_path)


def _flat(text: str) -> str:
    """Whitespace collapsed: justified lines and column gaps become single spaces."""
    return re.sub(r"\s+", " ", text)


def _assert_in_order(text: str, items: tuple[str, ...] | list[str], *, start: int = 0) -> int:
    position = start
    for item in items:
        found = text.find(_flat(item), position)
        assert found >= 0, f"{item!r} missing or out of order after: …{text[max(0, position - 80) : position]!r}"
        position = found + len(_flat(item))
    return position


@pytest.fixture(scope="module")
def seed_pdf() -> bytes:
    return render_pdf(seed_letter())


@pytest.fixture(scope="module")
def seed_docx() -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(seed_letter())))


def test_seed_pdf_has_every_element_in_order(seed_pdf, tmp_path):
    text = _flat(_pdftotext(seed_pdf, tmp_path))
    end_of_body = _assert_in_order(text, SEED_SEQUENCE)
    # Nơi nhận (left) and the signature block (right) share lines: each column in its own order.
    _assert_in_order(text, ["Nơi nhận:", *COPIES_TO], start=end_of_body)
    _assert_in_order(text, ["GIÁM ĐỐC", "Trần Thanh Liêm"], start=end_of_body)
    for number in ("1.", "2.", "3.", "4."):
        assert f" {number} " in text
    assert _assert_in_order(text, ["1. 100%", "2. Khuyến khích", "3. Các trường", "4. Triển khai"])


@pytest.mark.django_db
def test_seed_printed_with_the_number_its_register_hands_out(tmp_path):
    """The register of the Sở stood at 959 on 13 August 2018: the letter prints as 960/SGDĐT-CNTTTBT."""
    department = make_department()
    make_register(unit=department, year=2018, last_number=959)
    division = make_division(department=department)
    cong_van = document_type(name="Công văn")
    taken = take_number(unit=division, direction="outgoing", document_type=cong_van, on=datetime.date(2018, 8, 13))
    symbol = build_symbol(
        number=taken.number,
        document_type=cong_van,
        agency_abbreviation=division.issuing_agency.abbreviation,
        drafting_unit_abbreviation=division.abbreviation,
    )
    text = _pdftotext(render_pdf(seed_letter(number_symbol=symbol)), tmp_path)
    assert re.search(r"Số: 960/SGDĐT-CNTTTBT\s+Đồng Tháp, ngày 13 tháng 8 năm 2018", text)


def test_seed_number_and_date_share_a_line(seed_pdf, tmp_path):
    lines = _pdftotext(seed_pdf, tmp_path).splitlines()
    number_line = next(line for line in lines if "Số:" in line)
    assert re.search(r"Số: 960/SGDĐT-CNTTTBT\s+Đồng Tháp, ngày 13 tháng 8 năm 2018", number_line)
    # V/v sits under the number, in the left column.
    summary_line = lines[lines.index(number_line) + 1]
    assert summary_line.strip() == SUMMARY_LINES[0]
    assert summary_line.index("V/v") < number_line.index("Đồng Tháp")


def test_seed_pdf_is_a4_two_pages_with_numbers_from_page_two(seed_pdf, tmp_path):
    info = _tool("pdfinfo", data=seed_pdf, tmp_path=tmp_path)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2
    first = _pdftotext(seed_pdf, tmp_path, "-f", "1", "-l", "1").strip().splitlines()
    second = _pdftotext(seed_pdf, tmp_path, "-f", "2", "-l", "2").strip().splitlines()
    assert first[0].split()[0] == "UBND"
    assert not any(line.strip().isdigit() for line in first)
    assert second[0].strip() == "2"


def test_seed_pdf_metadata(seed_pdf, tmp_path):
    info = _tool("pdfinfo", data=seed_pdf, tmp_path=tmp_path)
    assert re.search(r"Title:\s+V/v thực hiện chương trình Vnedu ở các trường phổ thông", info)
    assert re.search(r"Author:\s+SỞ GIÁO DỤC VÀ ĐÀO TẠO", info)
    # Midnight on the document's date in Vietnam, whatever the time zone of the machine.
    assert "CreationDate:    D:20180813000000+07'00" in _tool("pdfinfo", "-rawdates", data=seed_pdf, tmp_path=tmp_path)


def test_fonts_are_embedded_termes_only(seed_pdf, tmp_path):
    rows = _tool("pdffonts", data=seed_pdf, tmp_path=tmp_path).splitlines()[2:]
    assert len(rows) == 4, rows  # regular, bold, italic, bold italic: the seed uses all four
    for row in rows:
        name, *_, emb, _sub, _uni, _obj, _gen = row.split()
        assert "TeX-Gyre-Termes" in name, row
        assert emb == "yes", row


def test_decomposed_vietnamese_is_normalised_and_prints_in_termes(tmp_path):
    # "Phước" typed with a combining horn (U+031B), which Termes lacks: NFC makes it one glyph.
    decomposed = "Phu\u031bo\u031b\u0301c Hòa"
    doc = seed_letter(body=(Paragraph(runs=(Run(decomposed),)),), copies_to=())
    assert doc.body[0].text == "Phước Hòa"
    pdf = render_pdf(doc)
    assert "Phước Hòa" in _pdftotext(pdf, tmp_path)
    for row in _tool("pdffonts", data=pdf, tmp_path=tmp_path).splitlines()[2:]:
        assert "TeX-Gyre-Termes" in row.split()[0], row


def test_pdfa_3b_variant_declares_itself(tmp_path):
    pdf = render_pdf(seed_letter(), variant="pdf/a-3b")
    metadata = _tool("pdfinfo", "-meta", data=pdf, tmp_path=tmp_path)
    assert re.search(r"<pdfaid:part>3</pdfaid:part>|pdfaid:part=\"3\"", metadata), metadata
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>|pdfaid:conformance=\"B\"", metadata), metadata
    plain = _tool("pdfinfo", "-meta", data=render_pdf(seed_letter()), tmp_path=tmp_path, name="plain.pdf")
    assert "pdfaid" not in plain


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="pdf/a-1b"):
        render_pdf(seed_letter(), variant="pdf/a-1b")


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (datetime.date(2024, 1, 3), "Đồng Tháp, ngày 03 tháng 01 năm 2024"),
        (datetime.date(2024, 2, 29), "Đồng Tháp, ngày 29 tháng 02 năm 2024"),
        (datetime.date(2018, 8, 13), "Đồng Tháp, ngày 13 tháng 8 năm 2018"),
        (datetime.date(2025, 12, 5), "Đồng Tháp, ngày 05 tháng 12 năm 2025"),
        (datetime.date(2025, 3, 9), "Đồng Tháp, ngày 09 tháng 3 năm 2025"),
    ],
)
def test_date_line_leading_zeros(day, line):
    assert format_date_line(place="Đồng Tháp", date=day) == line


@pytest.mark.parametrize("urgency", [Urgency.KHAN, Urgency.THUONG_KHAN, Urgency.HOA_TOC])
def test_urgency_stamp_printed_under_the_summary(urgency, tmp_path):
    text = _flat(_pdftotext(render_pdf(seed_letter(urgency=urgency)), tmp_path))
    _assert_in_order(text, [SUMMARY_LINES[-1], urgency.stamp, "Kính gửi:"])
    document = docx.Document(io.BytesIO(render_docx(seed_letter(urgency=urgency))))
    assert urgency.stamp in [paragraph.text for paragraph in _docx_paragraphs(document)]


def test_no_stamp_without_urgency(seed_pdf, tmp_path):
    text = _pdftotext(seed_pdf, tmp_path)
    assert not any(stamp in text for stamp in ("KHẨN", "HỎA TỐC"))


@pytest.mark.parametrize(
    ("signature", "lines"),
    [
        (
            Signature(authority=Authority.KT, on_behalf_of="Giám đốc", position="Phó Giám đốc", signer_name="Lê Văn A"),
            ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
        ),
        (
            Signature(authority=Authority.TM, on_behalf_of="Ủy ban nhân dân", position="Chủ tịch", signer_name="B"),
            ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
        ),
        (
            Signature(authority=Authority.TL, on_behalf_of="GIÁM ĐỐC", position="CHÁNH VĂN PHÒNG", signer_name="C"),
            ("TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"),
        ),
        (
            Signature(authority=Authority.TUQ, on_behalf_of="GIÁM ĐỐC", position="TRƯỞNG PHÒNG", signer_name="D"),
            ("TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG"),
        ),
        (Signature(authority=Authority.Q, position="Giám đốc", signer_name="E"), ("Q. GIÁM ĐỐC",)),
        (Signature(position="GIÁM ĐỐC", signer_name="F"), ("GIÁM ĐỐC",)),
    ],
)
def test_authority_prefix_lines(signature, lines, tmp_path):
    assert signature.title_lines == lines
    if signature.authority is Authority.KT:
        text = _pdftotext(render_pdf(seed_letter(signature=signature)), tmp_path)
        _assert_in_order(_flat(text), [*lines, "Lê Văn A"], start=_flat(text).find("giải quyết./."))
        printed = [line.strip() for line in text.splitlines()]
        assert any(line.endswith("KT. GIÁM ĐỐC") for line in printed)
        assert any(line.endswith("PHÓ GIÁM ĐỐC") for line in printed)


def test_prefix_without_the_body_signed_for_is_refused():
    with pytest.raises(ValueError, match=r"KT\."):
        Signature(authority=Authority.KT, position="PHÓ GIÁM ĐỐC", signer_name="Lê Văn A")


def test_unnumbered_draft_leaves_the_number_blank(tmp_path):
    text = _pdftotext(render_pdf(seed_letter(number_symbol=None)), tmp_path)
    assert re.search(r"Số:\s+/SGDĐT-CNTTTBT", text)
    assert "960" not in text.split("Kính gửi")[0]


def test_other_types_print_a_title_and_no_vv(tmp_path):
    doc = seed_letter(
        type_name="Quyết định",
        number_symbol="05/QĐ-SGDĐT",
        summary="Về việc thành lập Tổ công tác triển khai văn phòng điện tử",
        recipients=(),
    )
    text = _flat(_pdftotext(render_pdf(doc), tmp_path))
    _assert_in_order(text, ["Số: 05/QĐ-SGDĐT", "QUYẾT ĐỊNH", "Về việc thành lập Tổ công tác", BODY[0].text[:40]])
    assert "V/v" not in text
    assert "Kính gửi" not in text


def test_single_recipient_on_the_kinh_gui_line(tmp_path):
    text = _pdftotext(render_pdf(seed_letter(recipients=("Ủy ban nhân dân tỉnh Đồng Tháp.",))), tmp_path)
    assert re.search(r"Kính gửi:\s+Ủy ban nhân dân tỉnh Đồng Tháp\.", text)


def test_paragraphs_from_stored_runs():
    paragraphs = paragraphs_from_runs([[{"text": "1.", "bold": True}, {"text": " Làm", "italic": False}]])
    assert paragraphs == (Paragraph(runs=(Run("1.", bold=True), Run(" Làm"))),)


def _docx_paragraphs(document: docx.document.Document) -> list[docx.text.paragraph.Paragraph]:
    """Every paragraph in body order, table cells (row by row, left to right) included."""
    return [docx.text.paragraph.Paragraph(p, document) for p in document.element.body.iter(qn("w:p"))]


def test_seed_docx_has_every_element_in_order(seed_docx):
    text = _flat(" ".join(paragraph.text for paragraph in _docx_paragraphs(seed_docx)))
    sequence = [
        "UBND TỈNH ĐỒNG THÁP",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Số: {SEED_SYMBOL}",
        "Đồng Tháp, ngày 13 tháng 8 năm 2018",
        " ".join(SUMMARY_LINES),
        "Kính gửi:",
        *RECIPIENTS,
        *(paragraph.text for paragraph in BODY),
        "Nơi nhận:",
        *COPIES_TO,
        "GIÁM ĐỐC",
        "Trần Thanh Liêm",
    ]
    _assert_in_order(text, sequence)


def test_seed_docx_page_and_fonts(seed_docx):
    section = seed_docx.sections[0]
    # Word stores twentieths of a point: compare to a tenth of a millimetre.
    measured = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
    expected = (Mm(210), Mm(297), Mm(20), Mm(20))
    measured += (section.left_margin, section.right_margin)
    expected += (Mm(30), Mm(15))
    assert all(abs(got - want) < Mm(0.1) for got, want in zip(measured, expected, strict=True)), measured
    normal = seed_docx.styles["Normal"]
    assert normal.font.name == FONT_NAME
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {FONT_NAME}
    assert normal.font.size == Pt(14)
    # No run names another font.
    for paragraph in _docx_paragraphs(seed_docx):
        for run in paragraph.runs:
            assert run.font.name in (None, FONT_NAME)


def test_seed_docx_numbers_pages_from_two(seed_docx):
    section = seed_docx.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(section.header._element.itertext())
    assert "".join(section.first_page_header._element.itertext()).strip() == ""


def test_seed_docx_body_is_justified_with_indent(seed_docx):
    body = [p for p in _docx_paragraphs(seed_docx) if p.text.startswith(BODY[0].text[:30])]
    assert len(body) == 1
    assert body[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(body[0].paragraph_format.first_line_indent - Mm(12.7)) < Mm(0.1)
    bold = [run.text for p in _docx_paragraphs(seed_docx) for run in p.runs if run.bold]
    assert bold[:3] == ["SỞ GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert {"1.", "2.", "3.", "4.", "Vnedu", "VNPT-iOffice"} <= set(bold)


def test_seed_docx_metadata(seed_docx):
    properties = seed_docx.core_properties
    assert properties.title.startswith("V/v thực hiện chương trình Vnedu")
    assert properties.author == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert properties.created.date() == datetime.date(2018, 8, 13)


def test_printable_normalises_every_text_field():
    decomposed = "Đo\u0302\u0300ng Tha\u0301p"
    doc = Printable(
        parent_body=decomposed,
        issuing_body=decomposed,
        number_symbol=decomposed,
        place=decomposed,
        date=datetime.date(2018, 8, 13),
        summary=decomposed,
        body=(),
        signature=Signature(position=decomposed, signer_name=decomposed),
        recipients=(decomposed,),
        copies_to=(decomposed,),
    )
    nfc = "Đồng Tháp"
    assert {doc.parent_body, doc.issuing_body, doc.number_symbol, doc.place, doc.signature.signer_name} == {nfc}
    assert doc.recipients == (nfc,) and doc.copies_to == (nfc,) and doc.summary == nfc
