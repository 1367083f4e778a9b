"""Đôn đốc: reminders before the deadline, overdue notices and escalations, each once; the overdue lists."""

import datetime

import pytest
from django_tasks_db.models import DBTaskResult

from journal import events
from journal.models import AuditEvent
from journal.schedule import jobs
from tests.concurrency import at_once, postgresql_only
from tests.journal import handlers
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.incoming import do_refuse_recall, do_register_delivery
from workflows.actions.issue import do_recall_dispatch
from workflows.actions.routing import (
    AssigneeSpec,
    do_complete_delivery,
    do_extend_deadline,
    do_finish_assignment,
    do_route,
)
from workflows.models import Assignment, AssignmentKind, CalendarDay, ReminderKind, ReminderSent
from workflows.registers import handling_report
from workflows.reminders import overdue_assignments, overdue_deliveries, run_daily

pytestmark = pytest.mark.django_db
D = datetime.date
K = AssignmentKind
REMEMBER = "tests.journal.handlers.remember"
KINDS = ["assignment.reminder", "assignment.overdue", "assignment.escalated"]
LEAD_DUE = D(2027, 1, 15)  # a Friday
COORD_DUE = D(2027, 1, 20)  # a Wednesday


@pytest.fixture
def remember():
    for kind in KINDS:
        events.subscribe(kind, handlers.remember)
    yield
    for kind in KINDS:
        events.unsubscribe(kind, handlers.remember)


def published(kind: str) -> list[int]:
    rows = DBTaskResult.objects.filter(args_kwargs__kwargs__kind=kind, args_kwargs__kwargs__handler=REMEMBER)
    return sorted(row.args_kwargs["kwargs"]["ids"]["assignment_id"] for row in rows)


def routed(agency=None):
    a = agency or make_agency()
    o = make_office(agency=a, officers=3)
    delivery = make_arrived(a, o.unit)[0]
    do_register_delivery(delivery, acting_user=o.clerk)
    do_route(
        delivery,
        acting_user=o.leader,
        lead=AssigneeSpec(user=o.officers[0], deadline=LEAD_DUE),
        coordinators=[AssigneeSpec(user=o.officers[1], deadline=COORD_DUE)],
        informed=[AssigneeSpec(user=o.officers[2])],
    )
    lines = {x.kind: x for x in Assignment.objects.filter(delivery=delivery)}
    return a, o, delivery, lines[K.LEAD], lines[K.COORDINATE], lines[K.INFORM]


def test_the_daily_job_is_registered():
    assert "workflows.reminders.run_daily" in {job.function for job in jobs()}


def test_each_reminder_goes_out_once_per_deadline(remember):
    _, o, _, lead, coordinate, _ = routed()
    assert run_daily(D(2027, 1, 12)) == {"before": 0, "overdue": 0, "escalated": 0}
    # Thursday 14/1: one working day before the lead's deadline.
    assert run_daily(D(2027, 1, 14)) == {"before": 1, "overdue": 0, "escalated": 0}
    assert run_daily(D(2027, 1, 14)) == {"before": 0, "overdue": 0, "escalated": 0}
    assert run_daily(D(2027, 1, 15)) == {"before": 0, "overdue": 0, "escalated": 0}  # due today: already reminded
    assert published("assignment.reminder") == [lead.pk]
    # Monday 18/1: the lead is overdue (told to the assignee, escalated to the assigner); twice, still once.
    assert run_daily(D(2027, 1, 18)) == {"before": 0, "overdue": 1, "escalated": 1}
    assert run_daily(D(2027, 1, 18)) == {"before": 0, "overdue": 0, "escalated": 0}
    assert run_daily(D(2027, 1, 19)) == {"before": 1, "overdue": 0, "escalated": 0}  # the coordinator's turn
    assert published("assignment.overdue") == [lead.pk] and published("assignment.escalated") == [lead.pk]
    assert published("assignment.reminder") == sorted([lead.pk, coordinate.pk])
    assert set(ReminderSent.objects.values_list("assignment_id", "kind", "deadline")) == {
        (lead.pk, ReminderKind.BEFORE, LEAD_DUE),
        (lead.pk, ReminderKind.OVERDUE, LEAD_DUE),
        (lead.pk, ReminderKind.ESCALATED, LEAD_DUE),
        (coordinate.pk, ReminderKind.BEFORE, COORD_DUE),
    }
    assert AuditEvent.objects.filter(verb="workflows.reminders.sent").count() == 3
    del o


def test_an_extension_earns_its_own_reminders_and_finished_lines_get_none(remember):
    _, o, _, lead, coordinate, inform = routed()
    run_daily(D(2027, 1, 14))
    do_extend_deadline(lead, acting_user=o.leader, new_deadline=D(2027, 1, 22), reason="Chờ số liệu")
    do_finish_assignment(coordinate, acting_user=o.officers[1], result="Đã góp ý")
    assert run_daily(D(2027, 1, 18)) == {"before": 0, "overdue": 0, "escalated": 0}
    assert run_daily(D(2027, 1, 21)) == {"before": 1, "overdue": 0, "escalated": 0}
    assert run_daily(D(2027, 1, 25)) == {"before": 0, "overdue": 1, "escalated": 1}
    assert published("assignment.reminder") == [lead.pk, lead.pk]
    assert list(
        ReminderSent.objects.filter(assignment=lead, kind=ReminderKind.BEFORE)
        .order_by("deadline")
        .values_list("deadline", flat=True)
    ) == [LEAD_DUE, D(2027, 1, 22)]
    assert not ReminderSent.objects.filter(assignment__in=[coordinate, inform]).exists()


def test_the_reminder_horizon_counts_working_days_and_follows_the_setting(remember, settings):
    _, _, _, lead, _, _ = routed()
    settings.IOFFICE_REMIND_DAYS_BEFORE = 4
    # From Friday 8/1, four working days reach Thursday 14/1: the deadline (Friday 15/1) is not yet near.
    assert run_daily(D(2027, 1, 8))["before"] == 0
    # With Monday 11/1 off, the four working days reach Friday 15/1: reminded.
    CalendarDay.objects.create(date=D(2027, 1, 11), working=False, name="Nghỉ thử")
    assert run_daily(D(2027, 1, 8))["before"] == 1
    settings.IOFFICE_REMIND_DAYS_BEFORE = 1
    assert run_daily(D(2027, 1, 14))["before"] == 0  # already reminded for this deadline
    assert published("assignment.reminder") == [lead.pk]


def test_a_completed_delivery_is_neither_reminded_nor_listed_overdue(remember):
    a, o, delivery, lead, coordinate, _ = routed()
    other = routed(agency=a)
    do_complete_delivery(delivery, acting_user=o.leader, comment="Lưu")
    assert run_daily(D(2027, 1, 25)) == {"before": 0, "overdue": 2, "escalated": 2}
    assert published("assignment.overdue") == sorted([other[3].pk, other[4].pk])
    del lead, coordinate


def test_overdue_lists_filter_by_date_and_unit_in_sql(django_assert_num_queries):
    a, o, delivery, lead, coordinate, _ = routed()
    _, o2, delivery2, lead2, _, _ = routed(agency=a)
    do_finish_assignment(lead2, acting_user=o2.officers[0], result="Xong")  # completes delivery2
    with django_assert_num_queries(1):
        assert [x.pk for x in overdue_assignments(on=D(2027, 1, 18))] == [lead.pk]
    assert [x.pk for x in overdue_assignments(on=D(2027, 1, 21))] == [lead.pk, coordinate.pk]
    assert list(overdue_assignments(on=D(2027, 1, 15))) == []
    assert [x.pk for x in overdue_assignments(unit=o.unit, on=D(2027, 1, 21))] == [lead.pk, coordinate.pk]
    assert [x.pk for x in overdue_assignments(unit=a.department, on=D(2027, 1, 21))] == [lead.pk, coordinate.pk]
    assert list(overdue_assignments(unit=o2.unit, on=D(2027, 1, 21))) == []
    with django_assert_num_queries(1):
        assert [d.pk for d in overdue_deliveries(on=D(2027, 1, 18))] == [delivery.pk]
    assert list(overdue_deliveries(on=D(2027, 1, 15))) == []
    assert list(overdue_deliveries(unit=o2.unit, on=D(2027, 1, 18))) == []
    assert [d.pk for d in overdue_deliveries(unit=a.department, on=D(2027, 1, 18))] == [delivery.pk]
    del delivery2


@postgresql_only()
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_reminder_once(remember):
    routed()
    routed()
    results = at_once(lambda: run_daily(D(2027, 1, 18)), lambda: run_daily(D(2027, 1, 18)))
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["overdue"] for r in results) == 2 and sum(r["escalated"] for r in results) == 2
    assert len(published("assignment.overdue")) == 2 and len(published("assignment.escalated")) == 2
    assert ReminderSent.objects.filter(kind=ReminderKind.OVERDUE).count() == 2


def test_a_copy_kept_after_a_refused_recall_stays_open_work_everywhere(remember):
    """Refusing a recall (16) keeps the copy in work: reminders, overdue lists and the report all still count it."""
    a, o, delivery, lead, coordinate, _ = routed()
    do_recall_dispatch(delivery.dispatch, acting_user=a.leader, reason="Sai phụ lục.")
    do_refuse_recall(delivery, acting_user=o.clerk, reason="Đã triển khai, giữ lại.")
    late = D(2027, 1, 25)
    assert run_daily(late) == {"before": 0, "overdue": 2, "escalated": 2}
    assert list(overdue_deliveries(o.unit, on=late)) == [delivery]
    report = handling_report(unit=o.unit, start=D(2000, 1, 1), end=late, today=late)
    assert report["incoming"]["open_overdue"] == 1
    del lead, coordinate
