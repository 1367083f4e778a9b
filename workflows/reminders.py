"""Đôn đốc: the daily reminders before a deadline, the overdue notices and escalations, the overdue lists.

:func:`run_daily` is registered as a daily job (:mod:`journal.schedule`); it may run twice on a day
(a retry beside a re-queued run, two workers) and must not send anything twice. Each reminder is a
:class:`ReminderSent` row keyed on (assignment, kind, deadline), inserted with ``ON CONFLICT DO
NOTHING ... RETURNING``: only the run whose insert returned the row publishes its event, whoever
else races it. The deadline in the key gives an extended deadline reminders of its own.

Events: ``assignment.reminder`` (to the assignee, a few working days before), ``assignment.overdue``
(to the assignee) and ``assignment.escalated`` (to whoever assigned it) once the deadline has passed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from journal import events
from journal.audit import record
from organizations.models import Unit
from workflows.calendar import add_working_days
from workflows.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentState,
    Delivery,
    ReminderKind,
    ReminderSent,
)
from workflows.models.deliveries import overdue_q

#: Working days before the deadline when the assignee is reminded, unless settings say otherwise.
REMIND_DAYS_BEFORE = 1
_CHUNK = 500

_EVENTS = {
    ReminderKind.BEFORE: "assignment.reminder",
    ReminderKind.OVERDUE: "assignment.overdue",
    ReminderKind.ESCALATED: "assignment.escalated",
}


def remind_days_before() -> int:
    return int(getattr(settings, "IOFFICE_REMIND_DAYS_BEFORE", REMIND_DAYS_BEFORE))


def _open_assignments() -> QuerySet[Assignment]:
    """Lines that still owe work by a date: lead and coordinate, new or in progress, on a delivery still open."""
    return Assignment.objects.filter(
        state__in=[AssignmentState.NEW, AssignmentState.IN_PROGRESS],
        kind__in=[AssignmentKind.LEAD, AssignmentKind.COORDINATE],
        deadline__isnull=False,
        delivery__status__in=OPEN_STATUSES,
    )


def run_daily(today: datetime.date | None = None) -> dict[str, int]:
    """Send today's reminders, overdue notices and escalations that have not gone out; returns counts by kind."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, remind_days_before())
    due = {
        ReminderKind.BEFORE: Q(deadline__gte=today, deadline__lte=horizon),
        ReminderKind.OVERDUE: Q(deadline__lt=today),
        ReminderKind.ESCALATED: Q(deadline__lt=today),
    }
    sent: dict[str, int] = {}
    with transaction.atomic(durable=True):
        now = timezone.now()
        for kind, when in due.items():
            already = ReminderSent.objects.filter(assignment=OuterRef("pk"), kind=kind, deadline=OuterRef("deadline"))
            rows = list(
                _open_assignments().filter(when).exclude(Exists(already)).order_by("pk").values_list("pk", "deadline")
            )
            inserted = _insert(kind, rows, now)
            for assignment_id in inserted:
                events.publish(_EVENTS[kind], assignment_id=assignment_id)
            sent[str(kind)] = len(inserted)
        if any(sent.values()):
            record(
                actor=None,
                verb="workflows.reminders.sent",
                object_type="reminder_run",
                object_id=today.isoformat(),
                data={"today": today.isoformat(), "horizon": horizon.isoformat(), **sent},
            )
    return sent


def _insert(kind: str, rows: list[tuple[int, datetime.date]], now: datetime.datetime) -> list[int]:
    """Insert the reminder rows that are not there yet; the assignment ids this call inserted, sorted."""
    table = ReminderSent._meta.db_table
    ops = connection.ops
    sent_at = ops.adapt_datetimefield_value(now)
    inserted: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params: list = []
        for assignment_id, deadline in chunk:
            params += [assignment_id, kind, ops.adapt_datefield_value(deadline), sent_at]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (assignment_id, kind, deadline, sent_at) VALUES {values} "  # noqa: S608
                "ON CONFLICT (assignment_id, kind, deadline) DO NOTHING RETURNING assignment_id",
                params,
            )
            inserted += [row[0] for row in cursor.fetchall()]
    return sorted(inserted)


# -- overdue lists --------------------------------------------------------------------------------


def overdue_assignments(unit: Unit | None = None, on: datetime.date | None = None) -> QuerySet[Assignment]:
    """Open lead/coordinate lines past their deadline on ``on`` (today), in ``unit``'s tree when given.

    "In the tree" means the delivery went to a unit of the tree or the line is assigned inside it, so
    a Sở sees its divisions' and schools' lateness and a division sees what it was given.
    """
    on = on or timezone.localdate()
    qs = _open_assignments().filter(deadline__lt=on)
    if unit is not None:
        qs = qs.filter(Q(delivery__recipient__path__startswith=unit.path) | Q(unit__path__startswith=unit.path))
    return qs.select_related("delivery__document", "delivery__recipient", "unit", "user").order_by("deadline", "pk")


def overdue_deliveries(unit: Unit | None = None, on: datetime.date | None = None) -> QuerySet[Delivery]:
    """Deliveries still open past their due date (hạn giải quyết) on ``on`` (today), in ``unit``'s tree."""
    on = on or timezone.localdate()
    qs = Delivery.objects.filter(overdue_q(on))
    if unit is not None:
        qs = qs.filter(recipient__path__startswith=unit.path)
    return qs.select_related("document", "recipient").order_by("due_on", "pk")
