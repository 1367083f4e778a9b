"""Sổ đăng ký văn bản đến, sổ theo dõi giải quyết văn bản đến and the handling report, on screen, PDF and XLSX.

The books are the agency's (the Sở, a Phòng GDĐT, a school), like the outgoing register: its clerks,
heads, archivists and — at a school — its principal open them. The handling report is also open to
the heads of a division (phòng thuộc Sở), who see their own division's figures; the rows and figures
come from :mod:`workflows.registers`, the files from :mod:`workflows.rendering`.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from documents.models import Register, RegisterDirection
from ioffice.web.params import year_param
from ioffice.web.views.registers import REGISTER_OBJECT, REPORT_OBJECT
from journal.errors import Forbidden, InvalidInput
from journal.reads import record_export
from organizations.models import Membership, Role, Unit
from workflows.models import EDXML_CODES, DeliveryStatus
from workflows.registers import INCOMING_FIGURES, OUTGOING_FIGURES, followup_rows, handling_report
from workflows.registers import incoming_register_rows as register_rows
from workflows.rendering import (
    render_followup_pdf,
    render_followup_xlsx,
    render_handling_report_pdf,
    render_handling_report_xlsx,
    render_incoming_register_pdf,
    render_incoming_register_xlsx,
)

#: Who keeps or reads the agency's incoming books: its clerks, heads, archivists, a school's principal.
INCOMING_REGISTER_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.ARCHIVIST, Role.PRINCIPAL})
#: Who may read a division's own handling report: the division's heads.
DIVISION_REPORT_ROLES = frozenset({Role.LEADER, Role.DEPUTY})

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _membership(request: HttpRequest) -> Membership | None:
    return getattr(request, "active_membership", None)


def _agency(request: HttpRequest) -> Unit:
    """The agency whose books the active membership may read; 403 for any other role or a division."""
    membership = _membership(request)
    if (
        membership is None
        or membership.role not in INCOMING_REGISTER_ROLES
        or membership.unit.issuing_agency != membership.unit
    ):
        raise Forbidden(
            "Chỉ văn thư, lãnh đạo, lưu trữ viên và hiệu trưởng của cơ quan được xem sổ văn bản đến.",
            code="incoming_register_forbidden",
            message_en="Only the agency's clerks, heads, archivists and principal may open its incoming registers.",
        )
    return membership.unit


def _report_unit(request: HttpRequest) -> Unit:
    """The unit whose report the active membership may read: its agency, or the division a head leads."""
    membership = _membership(request)
    if membership is not None:
        unit = membership.unit
        if unit.issuing_agency == unit and membership.role in INCOMING_REGISTER_ROLES:
            return unit
        if unit.issuing_agency != unit and membership.role in DIVISION_REPORT_ROLES:
            return unit
    raise Forbidden(
        "Chỉ văn thư, lãnh đạo, lưu trữ viên của cơ quan và lãnh đạo phòng được xem báo cáo xử lý văn bản.",
        code="handling_report_forbidden",
        message_en="Only the agency's clerks, heads and archivists, and division heads, may open the handling report.",
    )


def _years(agency: Unit, year: int) -> list[int]:
    """The years the agency has an incoming register for, this year and the one asked for, newest first."""
    years = set(
        Register.objects.filter(unit=agency, direction=RegisterDirection.INCOMING).values_list("year", flat=True)
    )
    return sorted(years | {timezone.localdate().year, year}, reverse=True)


def _book_taken(request: HttpRequest, book: str, agency, year: int, fmt: str) -> None:
    """The audit row of a register printed or exported: which book of which agency and year."""
    record_export(actor=request.user, object_type=REGISTER_OBJECT, object_id=f"{agency.pk}:{book}:{year}", fmt=fmt)


def _report_taken(request: HttpRequest, figures: dict, fmt: str) -> None:
    record_export(
        actor=request.user,
        object_type=REPORT_OBJECT,
        object_id=figures["unit"].pk,
        fmt=fmt,
        data={"from": figures["start"].isoformat(), "to": figures["end"].isoformat()},
    )


def _download(content: bytes, *, filename: str, content_type: str, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


# -- Sổ đăng ký văn bản đến ---------------------------------------------------------------------------


@login_required
def incoming_register(request: HttpRequest) -> HttpResponse:
    """The incoming register of ``?nam=`` (this year by default), with links to its PDF and XLSX."""
    agency = _agency(request)
    year = year_param(request.GET.get("nam"))
    context = {
        "agency": agency,
        "year": year,
        "years": _years(agency, year),
        "rows": register_rows(unit=agency, year=year),
    }
    htmx = request.headers.get("HX-Request")
    template = "incoming/registers_incoming_rows.html" if htmx else "incoming/registers_incoming.html"
    return render(request, template, context)


@login_required
def incoming_register_pdf(request: HttpRequest, year: int) -> HttpResponse:
    agency = _agency(request)
    year = year_param(year)
    content = render_incoming_register_pdf(register_rows(unit=agency, year=year), unit=agency, year=year)
    _book_taken(request, "incoming", agency, year, "pdf")
    return _download(content, filename=f"so-van-ban-den-{year}.pdf", content_type="application/pdf", inline=True)


@login_required
def incoming_register_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    agency = _agency(request)
    year = year_param(year)
    content = render_incoming_register_xlsx(register_rows(unit=agency, year=year), unit=agency, year=year)
    _book_taken(request, "incoming", agency, year, "xlsx")
    return _download(content, filename=f"so-van-ban-den-{year}.xlsx", content_type=XLSX, inline=False)


# -- Sổ theo dõi giải quyết văn bản đến -----------------------------------------------------------------


@login_required
def followup_register(request: HttpRequest) -> HttpResponse:
    """The follow-up book of ``?nam=``: deadline, progress (overdue in bold) and the reply of each số đến."""
    agency = _agency(request)
    year = year_param(request.GET.get("nam"))
    context = {
        "agency": agency,
        "year": year,
        "years": _years(agency, year),
        "rows": followup_rows(unit=agency, year=year),
    }
    htmx = request.headers.get("HX-Request")
    template = "incoming/registers_followup_rows.html" if htmx else "incoming/registers_followup.html"
    return render(request, template, context)


@login_required
def followup_register_pdf(request: HttpRequest, year: int) -> HttpResponse:
    agency = _agency(request)
    year = year_param(year)
    content = render_followup_pdf(followup_rows(unit=agency, year=year), unit=agency, year=year)
    _book_taken(request, "followup", agency, year, "pdf")
    filename = f"so-theo-doi-giai-quyet-van-ban-den-{year}.pdf"
    return _download(content, filename=filename, content_type="application/pdf", inline=True)


@login_required
def followup_register_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    agency = _agency(request)
    year = year_param(year)
    content = render_followup_xlsx(followup_rows(unit=agency, year=year), unit=agency, year=year)
    _book_taken(request, "followup", agency, year, "xlsx")
    filename = f"so-theo-doi-giai-quyet-van-ban-den-{year}.xlsx"
    return _download(content, filename=filename, content_type=XLSX, inline=False)


# -- Báo cáo tình hình xử lý văn bản -----------------------------------------------------------------------


def _date(raw: str, *, which: str, which_en: str) -> datetime.date:
    """An ISO date (what ``<input type="date">`` sends) or dd/mm/yyyy (what people type), from 1900 on."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.datetime.strptime(raw.strip(), pattern).date()
        except ValueError:
            continue
        # Year 1 parses, but midnight of 1/1/0001 in Asia/Ho_Chi_Minh is before the first UTC datetime.
        if day.year >= 1900:
            return day
    raise InvalidInput(
        f"Ngày {which} không hợp lệ (nhập theo dạng ngày/tháng/năm).",
        code="invalid_date",
        message_en=f"The {which_en} date is not valid.",
    )


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """``?tu=&den=``: by default from the first of this month to today."""
    today = timezone.localdate()
    raw_start, raw_end = request.GET.get("tu", ""), request.GET.get("den", "")
    start = _date(raw_start, which="bắt đầu", which_en="start") if raw_start else today.replace(day=1)
    end = _date(raw_end, which="kết thúc", which_en="end") if raw_end else today
    if start > end:
        raise InvalidInput(
            "Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.",
            code="invalid_period",
            message_en="The start date must be on or before the end date.",
        )
    return start, end


def _report(request: HttpRequest) -> dict:
    unit = _report_unit(request)
    start, end = _period(request)
    return handling_report(unit=unit, start=start, end=end)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Báo cáo tình hình xử lý văn bản for a period: incoming, outgoing and the recipients' statuses."""
    figures = _report(request)
    context = {
        "report": figures,
        "unit": figures["unit"],
        "start": figures["start"],
        "end": figures["end"],
        "incoming": [(label, figures["incoming"][key]) for key, label in INCOMING_FIGURES],
        "outgoing": [(label, figures["outgoing"][key]) for key, label in OUTGOING_FIGURES],
        "recipients": [
            (status.label, EDXML_CODES[status.value], figures["recipients"][status.value]) for status in DeliveryStatus
        ],
        "period_query": f"tu={figures['start']:%Y-%m-%d}&den={figures['end']:%Y-%m-%d}",
    }
    return render(request, "incoming/report.html", context)


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    figures = _report(request)
    filename = f"bao-cao-xu-ly-van-ban-{figures['start']:%Y%m%d}-{figures['end']:%Y%m%d}.pdf"
    content = render_handling_report_pdf(figures)
    _report_taken(request, figures, "pdf")
    return _download(content, filename=filename, content_type="application/pdf", inline=True)


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    figures = _report(request)
    filename = f"bao-cao-xu-ly-van-ban-{figures['start']:%Y%m%d}-{figures['end']:%Y%m%d}.xlsx"
    content = render_handling_report_xlsx(figures)
    _report_taken(request, figures, "xlsx")
    return _download(content, filename=filename, content_type=XLSX, inline=False)
