"""The incoming books, the handling report and the routing slip as PDF and XLSX (Decree 30 Phụ lục IV).

They print and export like the outgoing register (:mod:`documents.rendering.register`), whose page,
faces and spreadsheet styling they share: A4 landscape books in the embedded Termes faces, XLSX with
a title block, a bold header row and real dates. The slip is A4 portrait, in the Phụ lục IV form.

None of these checks permissions: the pages do, through the selectors that chose the rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from documents.rendering.register import (
    Column,
    render_print_pdf,
    start_register_sheet,
    workbook_bytes,
    write_register_row,
)
from organizations.models import Unit
from workflows.models import Delivery, DeliveryStatus
from workflows.registers import (
    INCOMING_FIGURES,
    OUTGOING_FIGURES,
    FollowupRow,
    IncomingRegisterRow,
    routing_slip,
)

__all__ = [
    "FOLLOWUP_COLUMNS",
    "FOLLOWUP_HEADING",
    "INCOMING_COLUMNS",
    "INCOMING_HEADING",
    "REPORT_HEADING",
    "render_followup_pdf",
    "render_followup_xlsx",
    "render_handling_report_pdf",
    "render_handling_report_xlsx",
    "render_incoming_register_pdf",
    "render_incoming_register_xlsx",
    "render_routing_slip_pdf",
]

INCOMING_HEADING = "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
FOLLOWUP_HEADING = "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN"
REPORT_HEADING = "BÁO CÁO TÌNH HÌNH XỬ LÝ VĂN BẢN"

#: Phụ lục IV's columns of the incoming register, in its order.
INCOMING_COLUMNS = (
    Column("Ngày đến", 8, 12),
    Column("Số đến", 5, 8),
    Column("Tác giả", 11, 30),
    Column("Số, ký hiệu", 15, 20),
    Column("Ngày tháng", 8, 12),
    Column("Tên loại và trích yếu nội dung", 20, 50),
    Column("Đơn vị hoặc người nhận", 12, 30),
    Column("Ngày chuyển", 8, 12),
    Column("Ký nhận", 5, 12),
    Column("Ghi chú", 8, 18),
)

#: Phụ lục IV's columns of the follow-up book, in its order.
FOLLOWUP_COLUMNS = (
    Column("Số đến", 6, 8),
    Column("Tên loại, số ký hiệu, ngày tháng văn bản, cơ quan ban hành", 28, 50),
    Column("Đơn vị hoặc người nhận", 17, 30),
    Column("Thời hạn giải quyết", 9, 12),
    Column("Tiến độ giải quyết", 17, 30),
    Column("Số, ký hiệu văn bản trả lời", 13, 20),
    Column("Ghi chú", 10, 18),
)

_REPORT_COLUMNS = (Column("Nội dung", 70, 50), Column("Số lượng", 30, 12))


# -- Sổ đăng ký văn bản đến ------------------------------------------------------------------------


def render_incoming_register_pdf(rows: Sequence[IncomingRegisterRow], *, unit: Unit, year: int) -> bytes:
    """The incoming register of ``unit``'s agency for ``year`` as a PDF. Does not check permissions."""
    context = {
        "rows": rows,
        "unit_name": unit.issuing_agency.name,
        "year": year,
        "columns": INCOMING_COLUMNS,
        "heading": INCOMING_HEADING,
    }
    return render_print_pdf("print/register_incoming.html", context)


def render_incoming_register_xlsx(rows: Sequence[IncomingRegisterRow], *, unit: Unit, year: int) -> bytes:
    """The same register as an .xlsx, one line per số đến. Does not check permissions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Sổ VB đến {year}"
    header = start_register_sheet(
        sheet,
        agency_name=unit.issuing_agency.name,
        heading=INCOMING_HEADING,
        subheading=f"Năm {year}",
        columns=INCOMING_COLUMNS,
    )
    for offset, row in enumerate(rows, start=1):
        values = (
            row.arrived_on,
            row.incoming_number,
            row.issuer,
            row.symbol,
            row.issued_on,
            row.type_and_summary,
            "\n".join(row.recipients),
            row.routed_on,
            row.received_by,
            row.note,
        )
        write_register_row(sheet, header + offset, values)
    return workbook_bytes(workbook)


# -- Sổ theo dõi giải quyết văn bản đến -----------------------------------------------------------


def render_followup_pdf(rows: Sequence[FollowupRow], *, unit: Unit, year: int) -> bytes:
    """The follow-up book of ``unit``'s agency for ``year`` as a PDF. Does not check permissions."""
    context = {
        "rows": rows,
        "unit_name": unit.issuing_agency.name,
        "year": year,
        "columns": FOLLOWUP_COLUMNS,
        "heading": FOLLOWUP_HEADING,
    }
    return render_print_pdf("print/followup.html", context)


def render_followup_xlsx(rows: Sequence[FollowupRow], *, unit: Unit, year: int) -> bytes:
    """The same book as an .xlsx; overdue progress in bold, as on the PDF. Does not check permissions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Theo dõi VB đến {year}"
    header = start_register_sheet(
        sheet,
        agency_name=unit.issuing_agency.name,
        heading=FOLLOWUP_HEADING,
        subheading=f"Năm {year}",
        columns=FOLLOWUP_COLUMNS,
    )
    for offset, row in enumerate(rows, start=1):
        values = (
            row.incoming_number,
            row.document,
            "\n".join(row.recipients),
            row.due_on,
            row.progress,
            row.reply_symbol,
            row.note,
        )
        write_register_row(sheet, header + offset, values)
        if row.overdue_days:
            sheet.cell(row=header + offset, column=5).font = Font(bold=True)
    return workbook_bytes(workbook)


# -- Báo cáo tình hình xử lý văn bản ---------------------------------------------------------------


def _period(start: datetime.date, end: datetime.date) -> str:
    return f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def _report_sections(report: dict) -> tuple[list, list, list]:
    incoming = [(label, report["incoming"][key]) for key, label in INCOMING_FIGURES]
    outgoing = [(label, report["outgoing"][key]) for key, label in OUTGOING_FIGURES]
    recipients = [(status.label, report["recipients"][status.value]) for status in DeliveryStatus]
    return incoming, outgoing, recipients


def render_handling_report_pdf(report: dict) -> bytes:
    """The report :func:`workflows.registers.handling_report` returned, as a PDF. Does not check permissions."""
    unit = report["unit"]
    incoming, outgoing, recipients = _report_sections(report)
    context = {
        "agency_name": unit.issuing_agency.name,
        "unit_name": unit.name,
        "heading": REPORT_HEADING,
        "period": _period(report["start"], report["end"]),
        "today": report["today"],
        "incoming": incoming,
        "outgoing": outgoing,
        "recipients": recipients,
    }
    return render_print_pdf("print/handling_report.html", context)


def render_handling_report_xlsx(report: dict) -> bytes:
    """The same report as an .xlsx: three headed blocks of (label, count). Does not check permissions."""
    unit = report["unit"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Báo cáo xử lý văn bản"
    period = _period(report["start"], report["end"])
    header = start_register_sheet(
        sheet,
        agency_name=unit.issuing_agency.name,
        heading=REPORT_HEADING,
        subheading=period if unit.pk == unit.issuing_agency.pk else f"{unit.name} — {period}",
        columns=_REPORT_COLUMNS,
    )
    row = header + 1
    for title, figures in zip(
        ("I. VĂN BẢN ĐẾN", "II. VĂN BẢN ĐI", "III. TÌNH TRẠNG TẠI NƠI NHẬN VĂN BẢN ĐI"),
        _report_sections(report),
        strict=True,
    ):
        sheet.cell(row=row, column=1, value=title).font = Font(bold=True)
        row += 1
        for label, count in figures:
            write_register_row(sheet, row, (label, count))
            row += 1
    sheet.cell(row=row + 1, column=1, value=f"Số liệu tính đến ngày {report['today']:%d/%m/%Y}.")
    return workbook_bytes(workbook)


# -- Phiếu giải quyết văn bản đến ----------------------------------------------------------------


def render_routing_slip_pdf(delivery: Delivery | int) -> bytes:
    """The phiếu giải quyết văn bản đến of ``delivery`` as a PDF (Phụ lục IV). Does not check permissions.

    An unrouted delivery prints the blank form with the document's identity filled in, for the
    leader who still routes on paper.
    """
    slip = routing_slip(delivery)
    reassigned = [line for line in (*slip.lead, *slip.coordinators, *slip.informed) if line.children]
    return render_print_pdf("print/routing_slip.html", {"slip": slip, "reassigned": reassigned})
