"""Rows of the incoming registers and figures of the handling report (Decree 30 Phụ lục IV, VI).

* :func:`incoming_register_rows` — sổ đăng ký văn bản đến: one line per registered delivery, by số đến.
* :func:`followup_rows` — sổ theo dõi giải quyết văn bản đến: the same deliveries, with deadline,
  progress and the reply.
* :func:`handling_report` — báo cáo tình hình xử lý văn bản for a period: counts, in SQL.
* :func:`routing_slip` — phiếu giải quyết văn bản đến of one delivery, everything the slip prints.

None of these checks who asks: the pages call them after their own selectors decided the user may
read the unit's registers (clerks, leaders, archivists), the same split as
:func:`documents.selectors.outgoing_register_rows`. Each reads a fixed number of queries, however
many rows the year holds, so a 5,000-line book costs what a 5-line one does.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from documents.models import Document, RegisterDirection, Urgency
from organizations.models import Unit
from organizations.names import display_name
from workflows.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Dispatch,
    DispatchState,
    Routing,
)
from workflows.models.deliveries import OPEN_STATUSES, overdue_q

__all__ = [
    "INCOMING_FIGURES",
    "OUTGOING_FIGURES",
    "FollowupRow",
    "IncomingRegisterRow",
    "RoutingSlip",
    "SlipLine",
    "followup_rows",
    "handling_report",
    "incoming_register_rows",
    "routing_slip",
]

D = DeliveryStatus


def _assignee_name(assignment: Assignment) -> str:
    return display_name(assignment.user) if assignment.user_id else assignment.unit.name


def _type_and_summary(document: Document) -> str:
    """ "Công văn: V/v …", unless the summary already begins with the type's name (as the outgoing book does)."""
    type_name = document.document_type.name
    summary = document.summary
    return summary if summary.startswith(type_name) else f"{type_name}: {summary}"


def _register_scope(*, unit: Unit, year: int):
    """The registered deliveries of ``unit``'s agency for ``year``: the incoming register is the agency's."""
    return Delivery.objects.filter(
        register__unit=unit.issuing_agency,
        register__direction=RegisterDirection.INCOMING,
        register__year=year,
        incoming_number__isnull=False,
    )


def _routing_lines(delivery_ids: Iterable[int]) -> dict[int, list[tuple[str, Assignment]]]:
    """The slip's lead and coordinators of each delivery (returned lines left out), lead first. One query."""
    lines: dict[int, list[tuple[str, Assignment]]] = defaultdict(list)
    assignments = (
        Assignment.objects.filter(
            delivery_id__in=list(delivery_ids),
            parent__isnull=True,
            kind__in=[AssignmentKind.LEAD, AssignmentKind.COORDINATE],
        )
        .exclude(state=AssignmentState.RETURNED)
        .select_related("unit", "user")
        .order_by("delivery_id", "-kind", "pk")  # "lead" sorts after "coordinate": descending puts it first
    )
    for assignment in assignments:
        lines[assignment.delivery_id].append((assignment.kind, assignment))
    return lines


def _recipient_lines(lines: list[tuple[str, Assignment]]) -> tuple[str, ...]:
    return tuple(
        f"{_assignee_name(a)} ({'chủ trì' if kind == AssignmentKind.LEAD else 'phối hợp'})" for kind, a in lines
    )


def _note(delivery: Delivery) -> str:
    """What a clerk writes in Ghi chú: urgency, recall, paper copy, forwarded-from."""
    notes = []
    if delivery.document.urgency:
        notes.append(Urgency(delivery.document.urgency).label)
    if delivery.status == D.RECALLED:
        notes.append("Đã thu hồi")
    elif delivery.status == D.RECALL_REQUESTED:
        notes.append("Bên gửi đề nghị thu hồi")
    if delivery.channel == DeliveryChannel.PAPER:
        notes.append("Văn bản giấy")
    return "; ".join(notes)


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


# -- Sổ đăng ký văn bản đến -----------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingRegisterRow:
    """One line of the sổ đăng ký văn bản đến, column by column as Phụ lục IV lists them.

    ``recipients`` (Đơn vị hoặc người nhận) are the slip's lead and coordinators, empty until routed;
    ``routed_on`` (Ngày chuyển) is the routing date. ``received_by`` (Ký nhận) stays empty: it is a
    signature on the printed book.
    """

    delivery_id: int
    incoming_number: int
    arrived_on: datetime.date
    issuer: str
    symbol: str
    issued_on: datetime.date | None
    type_and_summary: str
    recipients: tuple[str, ...]
    routed_on: datetime.date | None
    received_by: str
    note: str


def incoming_register_rows(*, unit: Unit, year: int) -> list[IncomingRegisterRow]:
    """The registered deliveries in ``unit``'s agency's incoming register of ``year``, by số đến.

    External documents (no dispatch) are in it like the others. Two queries: the rows, and the
    routing names of all of them. Does not check permissions: the caller does.
    """
    deliveries = list(
        _register_scope(unit=unit, year=year)
        .select_related("document__document_type", "document__issuer")
        .order_by("register_id", "incoming_number", "pk")
    )
    routing = _routing_lines(d.pk for d in deliveries)
    return [
        IncomingRegisterRow(
            delivery_id=d.pk,
            incoming_number=d.incoming_number,
            arrived_on=_local_date(d.arrived_at),
            issuer=d.document.issuer.name,
            symbol=d.document.symbol,
            issued_on=d.document.issued_on,
            type_and_summary=_type_and_summary(d.document),
            recipients=_recipient_lines(routing.get(d.pk, [])),
            routed_on=_local_date(d.routed_at),
            received_by="",
            note=_note(d),
        )
        for d in deliveries
    ]


# -- Sổ theo dõi giải quyết văn bản đến -----------------------------------------------------------


@dataclass(frozen=True)
class FollowupRow:
    """One line of the sổ theo dõi giải quyết văn bản đến (Phụ lục IV).

    ``due_on`` is the delivery's deadline (the lead's, copied at routing), or the lead line's own
    when the delivery carries none. ``progress`` is in words: status, then "Đúng hạn" / "Quá hạn N
    ngày" (calendar days past the deadline), or "Hoàn thành ngày dd/mm/yyyy" (with "trễ N ngày" when
    late). ``reply_symbol`` is the số, ký hiệu of the reply once it is numbered.
    """

    delivery_id: int
    incoming_number: int
    document: str
    recipients: tuple[str, ...]
    due_on: datetime.date | None
    progress: str
    overdue_days: int
    reply_symbol: str
    note: str


def _document_line(document: Document) -> str:
    """ "Công văn số 12/SGDĐT-VP ngày 01/02/2026 của Sở …": type, number, date, issuer in one cell."""
    parts = [document.document_type.name]
    if document.symbol:
        parts.append(f"số {document.symbol}")
    if document.issued_on:
        parts.append(f"ngày {document.issued_on:%d/%m/%Y}")
    parts.append(f"của {document.issuer.name}")
    return " ".join(parts)


def _progress(delivery: Delivery, due_on: datetime.date | None, today: datetime.date) -> tuple[str, int]:
    """The progress in words and the days overdue (0 when not overdue)."""
    if delivery.completed_at is not None:
        done_on = _local_date(delivery.completed_at)
        words = f"Hoàn thành ngày {done_on:%d/%m/%Y}"
        late = (done_on - due_on).days if due_on and done_on > due_on else 0
        return (f"{words} (trễ {late} ngày)" if late else words), late
    if delivery.status in (D.RECALLED, D.RECALL_REQUESTED, D.REJECTED):
        return delivery.get_status_display(), 0
    status = delivery.get_status_display()
    if due_on is None:
        return status, 0
    if today > due_on:
        days = (today - due_on).days
        return f"{status} — Quá hạn {days} ngày", days
    return f"{status} — Đúng hạn", 0


def followup_rows(*, unit: Unit, year: int, today: datetime.date | None = None) -> list[FollowupRow]:
    """The follow-up book of ``unit``'s agency for ``year``, by số đến, progress as of ``today``.

    Two queries (rows with the reply joined; routing names). Does not check permissions: the caller does.
    """
    today = today or timezone.localdate()
    deliveries = list(
        _register_scope(unit=unit, year=year)
        .select_related("document__document_type", "document__issuer", "reply")
        .order_by("register_id", "incoming_number", "pk")
    )
    routing = _routing_lines(d.pk for d in deliveries)
    rows = []
    for d in deliveries:
        lines = routing.get(d.pk, [])
        lead_deadline = next((a.deadline for kind, a in lines if kind == AssignmentKind.LEAD), None)
        due_on = d.due_on or lead_deadline
        progress, overdue = _progress(d, due_on, today)
        reply = d.reply
        rows.append(
            FollowupRow(
                delivery_id=d.pk,
                incoming_number=d.incoming_number,
                document=_document_line(d.document),
                recipients=_recipient_lines(lines),
                due_on=due_on,
                progress=progress,
                overdue_days=overdue,
                reply_symbol=reply.symbol if reply is not None and reply.number is not None else "",
                note=_note(d),
            )
        )
    return rows


# -- Báo cáo tình hình xử lý văn bản ---------------------------------------------------------------

#: The incoming figures of the report, in the order it prints them, with their Vietnamese labels.
INCOMING_FIGURES = (
    ("received", "Văn bản đến nhận được"),
    ("registered", "Đã vào sổ"),
    ("rejected", "Từ chối nhận (trả lại nơi gửi)"),
    ("routed", "Đã phân phối"),
    ("in_progress", "Đang xử lý"),
    ("completed_on_time", "Hoàn thành đúng hạn"),
    ("completed_late", "Hoàn thành quá hạn"),
    ("open_not_due", "Chưa hoàn thành, còn hạn"),
    ("open_overdue", "Chưa hoàn thành, quá hạn"),
)

#: The outgoing figures; the per-recipient status counts follow them, one per delivery status.
OUTGOING_FIGURES = (
    ("issued", "Văn bản đi đã phát hành"),
    ("recalled", "Đã thu hồi"),
)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def handling_report(
    *, unit: Unit, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> dict:
    """The handling figures of ``unit`` for the days ``start``–``end`` (inclusive, local dates).

    Incoming: the deliveries that arrived at ``unit``'s agency in the period, and where each stands
    now — for a division (phòng thuộc Sở), only those routed to it. "On time" means the local date of
    ``completed_at`` is on or before ``due_on`` (no deadline counts as on time); "overdue" compares
    ``due_on`` with ``today``. Outgoing: the dispatches the agency (a division: that it drafted)
    issued in the period, those since recalled, and their deliveries counted by status. Three
    queries, each a conditional aggregation. Does not check permissions: the caller does.

    Returns ``{"unit", "start", "end", "today", "incoming": {key: n}, "outgoing": {key: n},
    "recipients": {status: n}}`` with the keys of :data:`INCOMING_FIGURES`, :data:`OUTGOING_FIGURES`
    and every :class:`DeliveryStatus`.
    """
    today = today or timezone.localdate()
    agency = unit.issuing_agency
    since, until = _local_midnight(start), _local_midnight(end + datetime.timedelta(days=1))

    deliveries = Delivery.objects.filter(recipient=agency, arrived_at__gte=since, arrived_at__lt=until)
    if unit.pk != agency.pk:
        deliveries = deliveries.filter(
            Exists(
                Assignment.objects.filter(delivery=OuterRef("pk"), unit=unit, parent__isnull=True).exclude(
                    state=AssignmentState.RETURNED
                )
            )
        )
    completed = Q(completed_at__isnull=False)
    on_time = Q(due_on__isnull=True) | Q(completed_on__lte=F("due_on"))
    open_ = Q(status__in=list(OPEN_STATUSES))
    incoming = deliveries.annotate(
        completed_on=TruncDate("completed_at", tzinfo=timezone.get_current_timezone())
    ).aggregate(
        received=Count("pk"),
        registered=Count("pk", filter=Q(incoming_number__isnull=False)),
        rejected=Count("pk", filter=Q(status=D.REJECTED)),
        routed=Count("pk", filter=Q(routed_at__isnull=False)),
        in_progress=Count("pk", filter=Q(status=D.IN_PROGRESS)),
        completed_on_time=Count("pk", filter=completed & on_time),
        completed_late=Count("pk", filter=completed & ~on_time),
        open_not_due=Count("pk", filter=open_ & (Q(due_on__isnull=True) | Q(due_on__gte=today))),
        open_overdue=Count("pk", filter=overdue_q(today)),
    )

    dispatches = Dispatch.objects.filter(issued_at__gte=since, issued_at__lt=until)
    if unit.pk != agency.pk:
        dispatches = dispatches.filter(document__drafting_unit=unit)
    else:
        dispatches = dispatches.filter(document__issuer=agency)
    outgoing = dispatches.aggregate(
        issued=Count("pk"),
        recalled=Count("pk", filter=Q(state=DispatchState.RECALLED)),
    )
    by_status = dict(
        Delivery.objects.filter(dispatch__in=dispatches.values("pk"), parent__isnull=True)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "unit": unit,
        "start": start,
        "end": end,
        "today": today,
        "incoming": incoming,
        "outgoing": outgoing,
        "recipients": {status: by_status.get(status, 0) for status in D.values},
    }


# -- Phiếu giải quyết văn bản đến ----------------------------------------------------------------


@dataclass(frozen=True)
class SlipLine:
    """One line of the slip: who, in what role, by when, and — for a re-assignment — by whom."""

    kind: str
    kind_label: str
    assignee: str
    deadline: datetime.date | None
    state: str
    note: str
    assigned_by: str
    assigned_on: datetime.date | None
    children: tuple[SlipLine, ...] = ()


@dataclass(frozen=True)
class RoutingSlip:
    """Everything the phiếu giải quyết văn bản đến prints for one delivery."""

    agency_name: str
    issuer: str
    symbol: str
    issued_on: datetime.date | None
    type_and_summary: str
    incoming_number: int | None
    arrived_on: datetime.date | None
    urgency: str
    routed: bool
    direction: str
    routed_by: str
    routed_at: datetime.datetime | None
    lead: tuple[SlipLine, ...]
    coordinators: tuple[SlipLine, ...]
    informed: tuple[SlipLine, ...]
    proposal: str
    due_on: datetime.date | None


def _slip_line(assignment: Assignment, *, top: bool = True) -> SlipLine:
    """A slip line, with its re-assignments when it is one of the slip's own (a unit head gives it to a person)."""
    return SlipLine(
        kind=assignment.kind,
        kind_label=assignment.get_kind_display(),
        assignee=_assignee_name(assignment),
        deadline=assignment.deadline,
        state=assignment.get_state_display(),
        note=assignment.note,
        assigned_by=display_name(assignment.assigned_by),
        assigned_on=_local_date(assignment.assigned_at),
        children=tuple(_slip_line(child, top=False) for child in assignment.slip_children) if top else (),
    )


def routing_slip(delivery: Delivery | int) -> RoutingSlip:
    """The slip of ``delivery``: the document, the leader's routing, the re-assignments, the proposal.

    The slip's lines are the routing's own (``parent`` null), returned ones left out; each carries
    its re-assignments inside the unit (child assignments). Four queries. An unrouted delivery gives
    an empty slip to fill in by hand. Does not check permissions: the caller does.
    """
    pk = delivery if isinstance(delivery, int) else delivery.pk
    live = ~Q(state=AssignmentState.RETURNED)
    children = Assignment.objects.filter(live).select_related("unit", "user", "assigned_by").order_by("pk")
    delivery = (
        Delivery.objects.select_related("document__document_type", "document__issuer", "recipient")
        .prefetch_related(
            Prefetch(
                "assignments",
                Assignment.objects.filter(live, parent__isnull=True)
                .select_related("unit", "user", "assigned_by")
                .prefetch_related(Prefetch("children", children, to_attr="slip_children"))
                .order_by("pk"),
                to_attr="slip_lines",
            )
        )
        .get(pk=pk)
    )
    routing = Routing.objects.select_related("routed_by").filter(delivery_id=pk).first()
    lines = [_slip_line(a) for a in delivery.slip_lines]
    document = delivery.document
    return RoutingSlip(
        agency_name=delivery.recipient.issuing_agency.name,
        issuer=document.issuer.name,
        symbol=document.symbol,
        issued_on=document.issued_on,
        type_and_summary=_type_and_summary(document),
        incoming_number=delivery.incoming_number,
        arrived_on=_local_date(delivery.arrived_at),
        urgency=Urgency(document.urgency).label if document.urgency else "",
        routed=routing is not None,
        direction=routing.direction if routing else "",
        routed_by=display_name(routing.routed_by) if routing else "",
        routed_at=timezone.localtime(routing.routed_at) if routing else None,
        lead=tuple(line for line in lines if line.kind == AssignmentKind.LEAD),
        coordinators=tuple(line for line in lines if line.kind == AssignmentKind.COORDINATE),
        informed=tuple(line for line in lines if line.kind == AssignmentKind.INFORM),
        proposal=routing.proposal if routing else "",
        due_on=delivery.due_on,
    )
