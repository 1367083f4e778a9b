"""The outgoing register (sổ đăng ký văn bản đi, Decree 30 Phụ lục IV) as PDF and as XLSX.

Both read the rows :func:`documents.selectors.outgoing_register_rows` returns and print the ten
columns of Phụ lục IV in its order. The PDF is A4 landscape in the same Termes faces as the
documents (embedded, so the book prints the same anywhere); the XLSX keeps dates as real dates, so
a clerk can sort and filter the year in a spreadsheet.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from documents.selectors import OutgoingRegisterRow
from organizations.models import Unit

__all__ = [
    "COLUMNS",
    "HEADING",
    "Column",
    "render_print_pdf",
    "render_register_pdf",
    "render_register_xlsx",
    "start_register_sheet",
    "workbook_bytes",
    "write_register_row",
]

HEADING = "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
TEMPLATE = "print/register_outgoing.html"


@dataclass(frozen=True)
class Column:
    title: str
    #: Share of the table's width in the PDF, in percent.
    width_pdf: int
    #: Width in the spreadsheet, in characters.
    width_xlsx: int


#: Phụ lục IV's columns, in its order.
COLUMNS = (
    Column("Số, ký hiệu văn bản", 15, 20),
    Column("Ngày tháng văn bản", 9, 12),
    Column("Tên loại và trích yếu nội dung văn bản", 19, 50),
    Column("Người ký", 9, 20),
    Column("Nơi nhận văn bản", 14, 35),
    Column("Đơn vị, người nhận bản lưu", 9, 18),
    Column("Số lượng bản", 5, 8),
    Column("Ngày chuyển", 8, 12),
    Column("Ký nhận", 5, 12),
    Column("Ghi chú", 7, 15),
)
_DATE_FORMAT = "DD/MM/YYYY"
_FACES = ("regular", "bold", "italic", "bolditalic")


def render_register_pdf(rows: Sequence[OutgoingRegisterRow], *, unit: Unit, year: int) -> bytes:
    """The register of ``unit`` (its issuing agency's name heads it) for ``year``, as a PDF."""
    context = {"rows": rows, "unit_name": unit.issuing_agency.name, "year": year, "columns": COLUMNS}
    return render_print_pdf(TEMPLATE, context)


def render_print_pdf(template: str, context: dict) -> bytes:
    """A print template (``templates/print/``) to PDF, with the Termes faces as ``fonts`` in its context.

    Shared by every register and slip, so all print in the same embedded faces.
    """
    import weasyprint  # only the processes that print pay WeasyPrint's import

    # One font configuration per thread, shared with the document renderer: building one is costly.
    from documents.rendering.pdf import BASE_URL, FONT_DIR, font_config

    fonts = {face: (FONT_DIR / f"texgyretermes-{face}.otf").as_uri() for face in _FACES}
    html = render_to_string(template, {**context, "fonts": fonts})
    return weasyprint.HTML(string=html, base_url=BASE_URL).write_pdf(font_config=font_config())


def render_register_xlsx(rows: Sequence[OutgoingRegisterRow], *, unit: Unit, year: int) -> bytes:
    """The same register as an .xlsx: a title block, a bold header row, wrapped cells, real dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Sổ VB đi {year}"
    header_row = start_register_sheet(
        sheet, agency_name=unit.issuing_agency.name, heading=HEADING, subheading=f"Năm {year}", columns=COLUMNS
    )
    for offset, row in enumerate(rows, start=1):
        values = (
            row.symbol,
            row.issued_on,
            row.type_and_summary,
            row.signer,
            "\n".join(row.recipients),
            row.kept_by,
            row.copies,
            row.sent_on,
            row.received_by,
            row.note,
        )
        write_register_row(sheet, header_row + offset, values)
    return workbook_bytes(workbook)


_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def start_register_sheet(sheet, *, agency_name: str, heading: str, subheading: str, columns: Sequence[Column]) -> int:
    """The title block (agency, heading, year or period) and the bold header row; returns the header's row.

    Shared by every register export so the books look alike: landscape A4, the header repeated on
    each printed page and frozen on screen.
    """
    last = get_column_letter(len(columns))
    sheet["A1"] = agency_name.upper()
    sheet["A1"].font = Font(bold=True)
    sheet["A2"] = heading
    sheet["A3"] = subheading
    for cell, size in (("A2", 14), ("A3", 12)):
        sheet.merge_cells(f"{cell}:{last}{cell[1:]}")
        sheet[cell].font = Font(bold=cell == "A2", size=size)
        sheet[cell].alignment = Alignment(horizontal="center")

    header_row = 5
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index, value=column.title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = _BORDER
        sheet.column_dimensions[get_column_letter(index)].width = column.width_xlsx
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    return header_row


def write_register_row(sheet, row: int, values: Sequence[object]) -> None:
    """One bordered, wrapped line; dates stay real dates (shown dd/mm/yyyy) so they sort and filter."""
    for index, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=index, value=value)
        cell.alignment = _WRAP
        cell.border = _BORDER
        if isinstance(value, datetime.date):
            cell.number_format = _DATE_FORMAT


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
