"""The incoming work lists (văn bản đến): to register, to route, to acknowledge, all of the unit's, my lines.

Each list is the acting unit's, refused (403) to whoever the unit's role does not allow rather than
shown empty, filtered and paginated, and answers an HTMX request from its filter form with the rows only.
The delivery page and its steps are in :mod:`ioffice.web.views.incoming`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ioffice.acting import acting_unit
from ioffice.web.forms_incoming import InboxFilterForm
from journal.errors import Forbidden
from organizations.selectors import roles_in
from workflows.actions.delivery_steps import is_clerk_of, may_route
from workflows.incoming_selectors import (
    ACKNOWLEDGER_ROLES,
    UNIT_READER_ROLES,
    my_assignments,
    to_acknowledge,
    to_register,
    to_route,
    unit_deliveries,
)
from workflows.models import AssignmentState

#: Rows per page of every incoming list.
PAGE_SIZE = 20


def _refuse(message: str, message_en: str, code: str) -> Forbidden:
    return Forbidden(message, code=code, message_en=message_en)


def _inbox(
    request: HttpRequest,
    *,
    title: str,
    empty: str,
    rows: Callable[[InboxFilterForm], QuerySet],
    template: str = "incoming/inbox.html",
    extra: dict | None = None,
) -> HttpResponse:
    """A filtered, paginated list; only the rows when HTMX asks (the filter form swaps them in place)."""
    form = InboxFilterForm(request.GET or None)
    page = Paginator(rows(form), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": title,
        "empty": empty,
        "form": form,
        "page": page,
        "unit": acting_unit(request),
        **(extra or {}),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "inbox-rows":
        return render(request, template.replace(".html", "_rows.html"), context)
    return render(request, template, context)


def _filters(form: InboxFilterForm):
    return form.to_filters() if form.is_bound else None


@login_required
def to_register_list(request: HttpRequest) -> HttpResponse:
    """Văn bản đến chờ vào sổ: the unit's arrived mail, for its clerk."""
    unit = acting_unit(request)
    if not is_clerk_of(request.user, unit):
        raise _refuse(
            "Chỉ văn thư của đơn vị mới xem được văn bản đến chờ vào sổ.",
            "Only the unit's clerk sees the mail waiting to be registered.",
            "not_unit_clerk",
        )
    return _inbox(
        request,
        title=_("Văn bản đến chờ vào sổ"),
        empty=_("Không có văn bản nào chờ vào sổ."),
        rows=lambda form: to_register(request.user, unit, filters=_filters(form)),
        extra={"show_external_link": True},
    )


@login_required
def to_route_list(request: HttpRequest) -> HttpResponse:
    """Chờ phân phối: registered mail not yet routed, for whoever holds the unit's routing authority."""
    unit = acting_unit(request)
    if not may_route(request.user, unit):
        raise _refuse(
            "Chỉ lãnh đạo đơn vị (hoặc người được ủy quyền) mới phân phối văn bản đến.",
            "Only the unit's leaders (or a delegate) route incoming documents.",
            "not_unit_router",
        )
    return _inbox(
        request,
        title=_("Văn bản đến chờ phân phối"),
        empty=_("Không có văn bản nào chờ phân phối."),
        rows=lambda form: to_route(request.user, unit, filters=_filters(form)),
    )


@login_required
def to_acknowledge_list(request: HttpRequest) -> HttpResponse:
    """Chờ xác nhận đã nhận: directives the unit's head has not yet marked received, and FYI lines."""
    unit = acting_unit(request)
    if not roles_in(user=request.user, unit=unit) & ACKNOWLEDGER_ROLES:
        raise _refuse(
            "Chỉ thủ trưởng hoặc cấp phó của đơn vị mới xác nhận đã nhận văn bản.",
            "Only the unit's head or a deputy acknowledges incoming documents.",
            "not_unit_head",
        )
    return _inbox(
        request,
        title=_("Văn bản chờ xác nhận đã nhận"),
        empty=_("Không có văn bản nào chờ xác nhận."),
        rows=lambda form: to_acknowledge(request.user, unit, filters=_filters(form)),
        extra={"acknowledge_buttons": True},
    )


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """Tất cả văn bản đến of the unit, for its clerk, heads and principal."""
    unit = acting_unit(request)
    if not roles_in(user=request.user, unit=unit) & UNIT_READER_ROLES:
        raise _refuse(
            "Chỉ văn thư và lãnh đạo đơn vị mới xem được toàn bộ văn bản đến của đơn vị.",
            "Only the unit's clerk and heads see all its incoming documents.",
            "not_unit_reader",
        )
    return _inbox(
        request,
        title=_("Tất cả văn bản đến"),
        empty=_("Chưa có văn bản đến nào."),
        rows=lambda form: unit_deliveries(request.user, unit, filters=_filters(form)),
        extra={"show_external_link": is_clerk_of(request.user, unit)},
    )


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    """Việc được giao: my lines and those of the units I head, open ones first, by deadline."""
    acting_unit(request)
    state = request.GET.get("state") or None
    if state not in (None, *AssignmentState.values):
        state = None
    return _inbox(
        request,
        title=_("Việc được giao"),
        empty=_("Bạn không có việc nào được giao."),
        rows=lambda form: my_assignments(request.user, state, filters=_filters(form)),
        template="incoming/assignments.html",
        extra={"states": AssignmentState.choices, "state": state or ""},
    )
