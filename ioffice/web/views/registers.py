"""Sổ đăng ký văn bản đi: the agency's outgoing register for one year, on screen, as PDF and as XLSX."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from documents.models import Register, RegisterDirection
from documents.rendering.register import render_register_pdf, render_register_xlsx
from documents.selectors import outgoing_register_rows
from ioffice.web.params import year_param
from journal.errors import Forbidden
from journal.reads import record_export
from organizations.models import Role, Unit

#: Who keeps or reads the agency's register: its clerks, heads and archivists.
REGISTER_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.ARCHIVIST})

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: How printed and exported registers and reports are named on the audit trail (they are not rows).
REGISTER_OBJECT = "documents.register"
REPORT_OBJECT = "workflows.report"


def _agency(request: HttpRequest) -> Unit:
    membership = request.active_membership
    if membership is None or membership.role not in REGISTER_ROLES or membership.unit.issuing_agency != membership.unit:
        raise Forbidden(
            "Chỉ văn thư, lãnh đạo và lưu trữ viên của cơ quan ban hành được xem sổ đăng ký văn bản đi.",
            code="register_forbidden",
            message_en="Only the agency's clerks, heads and archivists may open its outgoing register.",
        )
    return membership.unit


@login_required
def outgoing_register(request: HttpRequest) -> HttpResponse:
    """The register of ``?nam=`` (this year by default), with links to its PDF and XLSX."""
    agency = _agency(request)
    year = year_param(request.GET.get("nam"))
    years = set(
        Register.objects.filter(unit=agency, direction=RegisterDirection.OUTGOING).values_list("year", flat=True)
    )
    years.add(timezone.localdate().year)
    context = {
        "agency": agency,
        "year": year,
        "years": sorted(years | {year}, reverse=True),
        "rows": outgoing_register_rows(unit=agency, year=year),
    }
    template = "registers/_rows.html" if request.headers.get("HX-Request") else "registers/outgoing.html"
    return render(request, template, context)


def _book_taken(request: HttpRequest, agency, year: int, fmt: str) -> None:
    record_export(actor=request.user, object_type=REGISTER_OBJECT, object_id=f"{agency.pk}:outgoing:{year}", fmt=fmt)


@login_required
def outgoing_register_pdf(request: HttpRequest, year: int) -> HttpResponse:
    agency = _agency(request)
    rows = outgoing_register_rows(unit=agency, year=year_param(year))
    content = render_register_pdf(rows, unit=agency, year=year)
    _book_taken(request, agency, year, "pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-van-ban-di-{year}.pdf"'
    return response


@login_required
def outgoing_register_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    agency = _agency(request)
    rows = outgoing_register_rows(unit=agency, year=year_param(year))
    content = render_register_xlsx(rows, unit=agency, year=year)
    _book_taken(request, agency, year, "xlsx")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="so-van-ban-di-{year}.xlsx"'
    return response
