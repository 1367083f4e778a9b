"""Danh sách quá hạn: what a unit owes past its deadline, the lists the daily reminder job works from.

Three lists for the unit of the active membership: its incoming documents past their hạn giải quyết,
the routing-slip lines of its documents past their own deadlines (who is late inside the unit), and
the copies it forwarded down the tree that its schools have not finished in time. Its clerk, leader,
deputies and (for a school) principal see them; everyone else gets a 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ioffice.acting import acting_unit
from journal.errors import Forbidden
from organizations.models import Role
from organizations.selectors import roles_in
from workflows.reminders import overdue_assignments, overdue_deliveries

#: Who follows a unit's lateness: those who register and route its mail.
OVERDUE_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.PRINCIPAL})

#: Rows per list: an office with more than this overdue has a conversation to have, not a page to scroll.
LIMIT = 200


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    unit = acting_unit(request)
    if not roles_in(user=request.user, unit=unit) & OVERDUE_ROLES:
        raise Forbidden(
            "Chỉ văn thư và lãnh đạo đơn vị được xem danh sách văn bản quá hạn.",
            code="overdue_forbidden",
            message_en="Only the unit's clerks and heads may see its overdue lists.",
        )
    today = timezone.localdate()
    deliveries = overdue_deliveries(unit, on=today)
    context = {
        "unit": unit,
        "today": today,
        "deliveries": list(deliveries.filter(recipient=unit).select_related("document__issuer")[:LIMIT]),
        "assignments": list(overdue_assignments(unit, on=today).filter(delivery__recipient=unit)[:LIMIT]),
        "forwarded": list(deliveries.filter(parent__recipient=unit)[:LIMIT]),
        "limit": LIMIT,
    }
    return render(request, "incoming/overdue.html", context)
