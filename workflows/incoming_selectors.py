"""Reads for the incoming side: the clerk's, the leader's and the handler's inboxes, visibility, and tracking.

Every inbox costs a fixed number of SQL statements whatever the page size: the right to see the
list is checked first (one or two small membership queries, the same rules the actions apply; as
``EXISTS`` subqueries inside the list query they cost more to compile than they save), then one
query with the document, its issuer and its type joined, in the order the lists show: urgent first
(``-priority``), then newest (``-arrived_at``, ``-pk``). :func:`to_register` is written so that both databases answer it
from the partial index ``wf_delivery_unit_unregistered`` (the clerk's backlog), which is what keeps
it in milliseconds with millions of delivery rows (``bench/inbox.py``).

The sender's roll-up (:func:`tracking_tree`) is two queries for any number of recipients: the direct
recipients' copies, then one conditional aggregation over their children and grandchildren grouped
by the direct recipient. Deeper levels (a school forwarding again) are not counted: the province's
tree is Sở → Phòng → trường, so two levels below the sender cover it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from organizations.models import Role
from organizations.selectors import AUTHORITY_ROLES, roles_in
from workflows.actions.delivery_steps import is_clerk_of, may_route
from workflows.models import (
    EDXML_CODES,
    FROZEN_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentState,
    AssignmentTransition,
    DeadlineExtension,
    Delivery,
    DeliveryStatus,
    DeliveryTransition,
    Dispatch,
)
from workflows.models.deliveries import ON_HOLD_STATUSES, overdue_q
from workflows.visibility import assigned_lines_q
from workflows.visibility import deliveries_visible_to as deliveries_visible_to

D = DeliveryStatus

#: What every list of a unit's deliveries shows beside the row: the document, who issued it, its type
#: (the recipient is the unit itself, set on each row by ``unit.deliveries``).
_INBOX_RELATED = ("document__issuer", "document__document_type")
#: The inbox order: Hỏa tốc and Thượng khẩn on top, then the newest arrival.
_INBOX_ORDER = ("-priority", "-arrived_at", "-pk")

#: Who sees everything their unit received (the "all incoming" list).
UNIT_READER_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.PRINCIPAL})
#: Who sees a unit's deliveries on the delivery page is :data:`workflows.visibility.UNIT_VIEWER_ROLES`
#: (these and its archivist); the rule itself, :func:`deliveries_visible_to`, lives there and is re-exported.

#: Who gives the "đã nhận" on a whole delivery: the unit's head (leader, deputy; a school's principal).
ACKNOWLEDGER_ROLES = AUTHORITY_ROLES
_OPEN_ASSIGNMENT_STATES = (AssignmentState.NEW, AssignmentState.IN_PROGRESS)


@dataclass(frozen=True)
class IncomingFilters:
    """The filters every incoming list offers; ``None`` (or empty text) leaves a filter off.

    ``text`` matches the summary (trích yếu) or the number/symbol; ``status`` is the delivery's (on
    assignment lists too); ``arrived_from``/``arrived_until`` are local calendar days, both inclusive;
    ``urgency`` is a ``documents.models.Urgency`` value ("" for ordinary mail); ``document_type`` and
    ``issuer`` are rows or ids.
    """

    text: str = ""
    arrived_from: datetime.date | None = None
    arrived_until: datetime.date | None = None
    urgency: str | None = None
    status: str | None = None
    document_type: Any = None
    issuer: Any = None


def apply_filters(qs: QuerySet, filters: IncomingFilters | None, *, prefix: str = "") -> QuerySet:
    """``qs`` narrowed by ``filters``; ``prefix`` reaches the delivery through a relation (``"delivery__"``).

    Dates become local-midnight bounds on ``arrived_at`` rather than a ``__date`` cast, so the
    comparison stays on the indexed column.
    """
    if filters is None:
        return qs
    p = prefix
    text = (filters.text or "").strip()
    if text:
        qs = qs.filter(Q(**{f"{p}document__summary__icontains": text}) | Q(**{f"{p}document__symbol__icontains": text}))
    if filters.arrived_from is not None:
        qs = qs.filter(**{f"{p}arrived_at__gte": _local_midnight(filters.arrived_from)})
    if filters.arrived_until is not None:
        qs = qs.filter(**{f"{p}arrived_at__lt": _local_midnight(filters.arrived_until + datetime.timedelta(days=1))})
    if filters.urgency is not None:
        qs = qs.filter(**{f"{p}document__urgency": filters.urgency})
    if filters.status:
        qs = qs.filter(**{f"{p}status": filters.status})
    if filters.document_type is not None:
        qs = qs.filter(**{f"{p}document__document_type": filters.document_type})
    if filters.issuer is not None:
        qs = qs.filter(**{f"{p}document__issuer": filters.issuer})
    return qs


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _inbox(unit) -> QuerySet[Delivery]:
    """Every delivery of ``unit``: the lists below offer it only to people the visibility rule shows it all.

    Each list first checks a role that, by clause (b) of :mod:`workflows.visibility`, sees every delivery
    of the unit (clerk, heads, principal), or narrows to lines given to the user (c); so the rows are
    the rule's without asking it again. Asking it again costs its subqueries on every page (measured:
    the inbox's p95 from 3.9 to 9.4 ms at 2 million rows); ``tests/workflows/test_incoming_selectors.py``
    proves every row of every list is in :func:`deliveries_visible_to`.

    Read through ``unit.deliveries``, so every row's ``recipient`` is ``unit`` itself rather than a
    joined copy of it (a join and fifty objects fewer on a page: ~8 % of the inbox's time).
    """
    return unit.deliveries.select_related(*_INBOX_RELATED).order_by(*_INBOX_ORDER)


# --- Inboxes ------------------------------------------------------------------------------------------


def to_register(user, unit, *, filters: IncomingFilters | None = None) -> QuerySet[Delivery]:
    """The unit's mail waiting for a số đến (chờ vào sổ), if ``user`` is its clerk; else nothing.

    Only ``arrived`` rows: the partial index holds exactly those, so the list costs the size of the
    backlog, not of the table. (A copy whose recall was refused before it was registered is back in
    ``recall_refused`` and shows in :func:`unit_deliveries`; it is rare enough not to cost the index.)
    """
    if not is_clerk_of(user, unit):
        return Delivery.objects.none()
    return apply_filters(_inbox(unit).filter(status=D.ARRIVED), filters)


def to_route(user, unit, *, filters: IncomingFilters | None = None) -> QuerySet[Delivery]:
    """Registered mail not yet routed (chờ phân phối), for whoever holds the unit's routing authority."""
    if not may_route(user, unit):
        return Delivery.objects.none()
    waiting = Q(status=D.REGISTERED) | Q(status=D.RECALL_REFUSED, incoming_number__isnull=False, routed_at__isnull=True)
    return apply_filters(_inbox(unit).filter(waiting), filters)


def my_assignments(user, state: str | None = None, *, filters: IncomingFilters | None = None) -> QuerySet[Assignment]:
    """Assignment lines for ``user``: their own, and those of their unit (to re-assign or to work inside it).

    Which unit lines is the visibility rule's (:func:`workflows.visibility.assigned_lines_q`): a head
    sees them all, an officer only those not yet re-assigned to a person. Open lines (new, in
    progress) first, then by deadline (none last), urgent deliveries first within a day.
    """
    qs = Assignment.objects.filter(assigned_lines_q(user))
    if state is not None:
        qs = qs.filter(state=state)
    qs = apply_filters(qs, filters, prefix="delivery__")
    return (
        qs.select_related(
            "delivery__document__issuer", "delivery__document__document_type", "delivery__recipient", "unit", "user"
        )
        .annotate(
            closed=Case(
                When(state__in=_OPEN_ASSIGNMENT_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("closed", F("deadline").asc(nulls_last=True), "-delivery__priority", "-pk")
    )


def to_acknowledge(user, unit, *, filters: IncomingFilters | None = None) -> QuerySet[Delivery]:
    """What ``user`` still has to mark "đã nhận" at ``unit``, each delivery once.

    Two reasons put a delivery here, annotated on each row so the page knows which button to show:
    ``awaits_receipt`` — ``user`` heads the unit and nobody has acknowledged the whole delivery yet
    (registered or later, not rejected, recalled or awaiting a recall answer); ``fyi_assignment_id``
    — a "nhận để biết" line to ``user`` personally not acknowledged yet (``None`` when there is none).
    """
    fyi = Assignment.objects.filter(
        delivery=OuterRef("pk"), user=user, kind=AssignmentKind.INFORM, state=AssignmentState.NEW
    ).filter(acknowledged_at__isnull=True)
    if roles_in(user=user, unit=unit) & ACKNOWLEDGER_ROLES:
        receipt_due = Q(acknowledged_at__isnull=True, incoming_number__isnull=False) & ~Q(
            status__in=sorted(ON_HOLD_STATUSES)
        )
        awaits: Any = ExpressionWrapper(receipt_due, output_field=BooleanField())
        wanted = receipt_due | Q(Exists(fyi))
    else:
        awaits, wanted = Value(False), Q(Exists(fyi))
    qs = (
        _inbox(unit)
        .filter(wanted)
        .annotate(awaits_receipt=awaits, fyi_assignment_id=Subquery(fyi.order_by("pk").values("pk")[:1]))
    )
    return apply_filters(qs, filters)


def unit_deliveries(
    user, unit, status: str | None = None, *, filters: IncomingFilters | None = None
) -> QuerySet[Delivery]:
    """Everything ``unit`` received (tất cả văn bản đến), for its clerk, heads and principal; else nothing."""
    if not roles_in(user=user, unit=unit) & UNIT_READER_ROLES:
        return Delivery.objects.none()
    qs = _inbox(unit)
    if status is not None:
        qs = qs.filter(status=status)
    return apply_filters(qs, filters)


# --- History --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a delivery's history (quá trình xử lý): a delivery step, an assignment step or an extension.

    ``source`` is ``"delivery"``, ``"assignment"`` or ``"extension"``; ``before``/``after`` are the
    statuses or states (for an extension, the old and new deadlines as ISO dates).
    """

    at: datetime.datetime
    source: str
    name: str
    actor: Any
    before: str
    after: str
    comment: str
    assignment: Assignment | None = None


def delivery_history(delivery: Delivery) -> list[HistoryEntry]:
    """The delivery's steps, its assignments' steps and their deadline extensions, merged by time (3 queries)."""
    entries = [
        HistoryEntry(t.at, "delivery", t.name, t.actor, t.from_status, t.to_status, t.comment)
        for t in DeliveryTransition.objects.filter(delivery=delivery).select_related("actor")
    ]
    entries += [
        HistoryEntry(t.at, "assignment", t.name, t.actor, t.from_state, t.to_state, t.comment, t.assignment)
        for t in AssignmentTransition.objects.filter(assignment__delivery=delivery).select_related(
            "actor", "assignment__unit", "assignment__user"
        )
    ]
    entries += [
        HistoryEntry(
            e.at,
            "extension",
            "extend_deadline",
            e.extended_by,
            e.old_deadline.isoformat(),
            e.new_deadline.isoformat(),
            e.reason,
            e.assignment,
        )
        for e in DeadlineExtension.objects.filter(assignment__delivery=delivery).select_related(
            "extended_by", "assignment__unit", "assignment__user"
        )
    ]
    # A stable sort on time alone: rows of one source keep their own (at, pk) order on a tie.
    entries.sort(key=lambda e: e.at)
    return entries


# --- Tracking for the sender ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RollUp:
    """Counts over the copies one recipient forwarded (and, for ``grandchildren``, their forwards).

    ``received``: copies that reached the unit and stayed (not rejected, not recalled); ``registered``:
    given a số đến; ``overdue``: past ``due_on`` and not completed, among the ones still live.
    """

    total: int
    received: int
    registered: int
    acknowledged: int
    completed: int
    overdue: int
    rejected: int


@dataclass(frozen=True)
class RecipientTrack:
    """One direct recipient of a dispatch as the sender sees it, with the roll-up of what it forwarded."""

    delivery: Delivery
    status: str
    edxml_code: str
    acknowledged_at: datetime.datetime | None
    reply: Any
    overdue: bool
    children: RollUp | None
    grandchildren: RollUp | None


_ROLLUP_FIELDS = ("total", "received", "registered", "acknowledged", "completed", "overdue", "rejected")


def _rollup_counts(prefix: str, depth: Q, today: datetime.date) -> dict[str, Count]:
    """``{prefix}_{count}``: the :class:`RollUp` counts over the rows at ``depth``, as conditional aggregates."""
    conditions = {
        "total": Q(),
        "received": ~Q(status__in=list(FROZEN_STATUSES)),
        "registered": Q(incoming_number__isnull=False),
        "acknowledged": Q(acknowledged_at__isnull=False),
        "completed": Q(status=D.COMPLETED),
        "overdue": overdue_q(today),
        "rejected": Q(status=D.REJECTED),
    }
    return {f"{prefix}_{name}": Count("pk", filter=depth & cond) for name, cond in conditions.items()}


def tracking_tree(dispatch: Dispatch) -> list[RecipientTrack]:
    """Per direct recipient: its own status, "đã nhận", reply, and counts over its forwards (2 queries).

    The second query groups every child and grandchild copy by the direct recipient's delivery
    (``CASE`` on the depth), counting children and grandchildren separately with conditional
    aggregates, so the cost does not depend on how many schools a Phòng forwarded to.
    """
    today = timezone.localdate()
    direct = list(
        Delivery.objects.filter(dispatch=dispatch, parent__isnull=True)
        .select_related("recipient", "reply")
        .order_by("recipient__path", "pk")
    )
    child = Q(parent__parent__isnull=True)
    grandchild = Q(parent__parent__parent__isnull=True, parent__parent__isnull=False)
    rows = (
        Delivery.objects.filter(
            Q(parent__dispatch=dispatch, parent__parent__isnull=True)
            | Q(parent__parent__dispatch=dispatch, parent__parent__parent__isnull=True)
        )
        .annotate(
            root=Case(
                When(parent__parent__isnull=True, then=F("parent_id")),
                default=F("parent__parent_id"),
                output_field=IntegerField(),
            )
        )
        .values("root")
        .annotate(**_rollup_counts("c", child, today), **_rollup_counts("g", grandchild, today))
        .order_by()
    )
    by_root = {row["root"]: row for row in rows}

    def rollup(row: dict | None, prefix: str) -> RollUp | None:
        if row is None or not row[f"{prefix}_total"]:
            return None
        return RollUp(**{name: row[f"{prefix}_{name}"] for name in _ROLLUP_FIELDS})

    return [
        RecipientTrack(
            delivery=d,
            status=d.status,
            edxml_code=EDXML_CODES[d.status],
            acknowledged_at=d.acknowledged_at,
            reply=d.reply,
            overdue=d.due_on is not None
            and d.due_on < today
            and d.completed_at is None
            and d.status not in FROZEN_STATUSES,
            children=rollup(by_root.get(d.pk), "c"),
            grandchildren=rollup(by_root.get(d.pk), "g"),
        )
        for d in direct
    ]


def recipient_status_log(dispatch: Dispatch) -> QuerySet[DeliveryTransition]:
    """Who moved which recipient's copy to which status, when: every copy of ``dispatch``, newest first."""
    return (
        DeliveryTransition.objects.filter(delivery__dispatch=dispatch)
        .select_related("delivery__recipient", "actor")
        .order_by("-at", "-pk")
    )
