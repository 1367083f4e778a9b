"""The issued document as .docx, in the same Decree 30 layout as the PDF, for clerks who finish in Word.

Built with python-docx from the same :class:`~documents.rendering.printable.Printable`: A4, the same
margins, Times New Roman (Word has it; TeX Gyre Termes is its metric twin in the PDF), the header as
a borderless two-column table with the number and the date on one row, page numbers from page 2
(a "different first page" header), the justified body with a 1.27 cm first-line indent, and the
"Nơi nhận" list beside the signature block. The rules that Word draws as shapes on a paper template
(under the issuing body and the motto) are a paragraph border and an underline here: both survive
editing and both print.
"""

from __future__ import annotations

import datetime
import io

import docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from documents.rendering.printable import Printable

__all__ = ["FONT_NAME", "render_docx"]

FONT_NAME = "Times New Roman"
_PAGE_WIDTH = Mm(210)
_PAGE_HEIGHT = Mm(297)
_MARGIN_TOP = Mm(20)
_MARGIN_BOTTOM = Mm(20)
_MARGIN_LEFT = Mm(30)
_MARGIN_RIGHT = Mm(15)
_TEXT_WIDTH = _PAGE_WIDTH - _MARGIN_LEFT - _MARGIN_RIGHT
_HEADER_LEFT = int(_TEXT_WIDTH * 0.38)
_CLOSING_LEFT = int(_TEXT_WIDTH * 0.48)
#: Where the "- …;" lines of "Kính gửi:" start, and how far the label hangs left of them.
_ADDRESSEE_INDENT = Cm(5.2)
_ADDRESSEE_LABEL = Cm(2.4)
# WordprocessingML fixes the order of child elements and Word refuses a file that breaks it:
# what may follow each element this module inserts.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_AFTER_BDR = (
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def render_docx(doc: Printable) -> bytes:
    """The .docx of ``doc``."""
    document = docx.Document()
    _set_up_page(document)
    _set_up_styles(document)
    body = document.paragraphs[0] if document.paragraphs else None
    if body is not None:  # the default template starts with one empty paragraph; the header goes first
        body._element.getparent().remove(body._element)

    _header_table(document, doc)
    if not doc.is_cong_van:
        _centred(document.add_paragraph(), doc.type_name.upper(), size=14, bold=True, space_before=12)
        summary = document.add_paragraph()
        _centred(summary, doc.summary_lines[0] if doc.summary_lines else "", size=14, bold=True)
        for line in doc.summary_lines[1:]:
            summary.add_run().add_break(WD_BREAK.LINE)
            _run(summary, line, size=14, bold=True)
        _short_rule(document.add_paragraph(), width_fraction=0.25, of=_TEXT_WIDTH)
    _addressees(document, doc)
    for paragraph in doc.body:
        out = document.add_paragraph()
        out.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        out.paragraph_format.first_line_indent = Cm(1.27)
        out.paragraph_format.space_before = Pt(6)
        out.paragraph_format.space_after = Pt(0)
        for run in paragraph.runs:
            _run(out, run.text, size=14, bold=run.bold, italic=run.italic)
    _closing_table(document, doc)

    properties = document.core_properties
    properties.title = doc.title
    properties.author = doc.issuing_body
    properties.created = _midnight(doc)
    properties.last_modified_by = doc.issuing_body
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _midnight(doc: Printable) -> datetime.datetime:
    return datetime.datetime.combine(doc.date, datetime.time())


def _set_up_page(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width = _PAGE_WIDTH
    section.page_height = _PAGE_HEIGHT
    section.top_margin = _MARGIN_TOP
    section.bottom_margin = _MARGIN_BOTTOM
    section.left_margin = _MARGIN_LEFT
    section.right_margin = _MARGIN_RIGHT
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Page numbers from page 2: page 1 has its own, empty, header.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)


def _set_up_styles(document: docx.document.Document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT_NAME)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _page_field(paragraph: DocxParagraph) -> None:
    """A PAGE field, which Word (and LibreOffice) fill with the page number when they lay out."""
    run = paragraph.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = "PAGE"
            run._r.append(instruction)
        else:
            placeholder = OxmlElement("w:t")
            placeholder.text = text
            run._r.append(placeholder)


def _run(paragraph: DocxParagraph, text: str, *, size: float, bold: bool = False, italic: bool = False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    return run


def _centred(
    paragraph: DocxParagraph,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    space_before: float = 0,
) -> DocxParagraph:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space_before)
    _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _short_rule(paragraph: DocxParagraph, *, width_fraction: float, of: int) -> None:
    """An empty, tiny paragraph whose top border is the short rule, centred by equal indents."""
    side = int(of * (1 - width_fraction) / 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.space_before = Pt(4)
    # Exactly 3 pt high, or the empty paragraph would take a whole 14 pt line.
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(3)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for attribute, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(attribute), value)
    borders.append(top)
    properties.insert_element_before(borders, *_AFTER_PBDR)


def _plain(table) -> None:
    """No borders and no cell padding: the header and closing tables are layout, not tables."""
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.insert_element_before(borders, *_AFTER_TBLBORDERS)
    # No cell padding, as in the PDF: Word's default 0.19 cm would rewrap the "V/v" lines.
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _fixed_table(document: docx.document.Document, *, rows: int, left: int):
    table = document.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _plain(table)
    table.columns[0].width = left
    table.columns[1].width = _TEXT_WIDTH - left
    for row in table.rows:
        row.cells[0].width = left
        row.cells[1].width = _TEXT_WIDTH - left
    return table


def _next_paragraph(cell: _Cell) -> DocxParagraph:
    """The untouched paragraph python-docx puts in every new cell, then a new one each call."""
    paragraphs = cell.paragraphs
    if len(paragraphs) == 1 and paragraphs[0]._p.pPr is None and not paragraphs[0].runs:
        return paragraphs[0]
    return cell.add_paragraph()


def _header_table(document: docx.document.Document, doc: Printable) -> None:
    rows = 3 if (doc.is_cong_van or doc.urgency.stamp) else 2
    table = _fixed_table(document, rows=rows, left=_HEADER_LEFT)
    left, right = table.rows[0].cells
    _centred(_next_paragraph(left), doc.parent_body.upper(), size=12.5)
    _centred(_next_paragraph(left), doc.issuing_body.upper(), size=12.5, bold=True)
    _short_rule(_next_paragraph(left), width_fraction=0.32, of=_HEADER_LEFT)
    _centred(_next_paragraph(right), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12.5, bold=True)
    motto = _centred(_next_paragraph(right), "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    motto.runs[0].font.underline = True

    left, right = table.rows[1].cells
    _centred(_next_paragraph(left), doc.number_line, size=13, space_before=8)
    _centred(_next_paragraph(right), doc.date_line, size=14, italic=True, space_before=8)

    if rows == 3:
        left = table.rows[2].cells[0]
        if doc.is_cong_van:
            subject = _next_paragraph(left)
            subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
            subject.paragraph_format.space_before = Pt(3)
            for index, line in enumerate(doc.summary_lines):
                if index:
                    subject.add_run().add_break(WD_BREAK.LINE)
                _run(subject, line, size=12.5)
        if doc.urgency.stamp:
            stamp = _centred(_next_paragraph(left), doc.urgency.stamp, size=13.5, bold=True, space_before=8)
            border = OxmlElement("w:bdr")
            for attribute, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "2"), ("w:color", "000000")):
                border.set(qn(attribute), value)
            stamp.runs[0]._r.get_or_add_rPr().insert_element_before(border, *_AFTER_BDR)


def _addressees(document: docx.document.Document, doc: Printable) -> None:
    if not doc.recipients:
        return
    if len(doc.recipients) == 1:
        line = _centred(document.add_paragraph(), f"Kính gửi: {doc.recipients[0]}", size=14, space_before=12)
        line.paragraph_format.space_after = Pt(6)
        return
    for index, recipient in enumerate(doc.recipients):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = _ADDRESSEE_INDENT
        if index == 0:
            paragraph.paragraph_format.first_line_indent = -_ADDRESSEE_LABEL
            paragraph.paragraph_format.space_before = Pt(12)
            paragraph.paragraph_format.tab_stops.add_tab_stop(_ADDRESSEE_INDENT)
            _run(paragraph, "Kính gửi:\t", size=14)
        if index == len(doc.recipients) - 1:
            paragraph.paragraph_format.space_after = Pt(6)
        _run(paragraph, recipient, size=14)


def _closing_table(document: docx.document.Document, doc: Printable) -> None:
    table = _fixed_table(document, rows=1, left=_CLOSING_LEFT)
    left, right = table.rows[0].cells
    if doc.copies_to:
        label = _next_paragraph(left)
        label.paragraph_format.space_before = Pt(12)
        _run(label, "Nơi nhận:", size=12, bold=True, italic=True)
        for line in doc.copies_to:
            _run(_next_paragraph(left), line, size=11)
    for index, line in enumerate(doc.signature.title_lines):
        _centred(_next_paragraph(right), line, size=14, bold=True, space_before=12 if index == 0 else 0)
    space = _next_paragraph(right)
    space.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.signature.image:
        space.add_run().add_picture(io.BytesIO(doc.signature.image), height=Mm(24))
    else:
        space.paragraph_format.space_before = Mm(24)
        _run(space, "", size=14)
    _centred(_next_paragraph(right), doc.signature.signer_name, size=14, bold=True)
    # The block never splits across pages, as in the PDF.
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))
