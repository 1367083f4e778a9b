"""Editing the holiday calendar: who may, what is refused, the audit rows, and two administrators at once."""

from __future__ import annotations

import datetime

import pytest

from journal.errors import Conflict, Forbidden, InvalidInput, NotFound
from journal.models import AuditEvent
from organizations.models import Role
from tests.concurrency import at_once, codes, postgresql_only
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.actions.calendar import do_add_calendar_day, do_remove_calendar_day, may_edit_calendar
from workflows.calendar import add_working_days, is_working_day
from workflows.models import CalendarDay

pytestmark = pytest.mark.django_db

TUESDAY = datetime.date(2030, 1, 1)
SATURDAY = datetime.date(2030, 2, 2)


def admin_user():
    user = make_user()
    make_membership(user=user, unit=make_unit(), role=Role.ADMIN)
    return user


def test_an_added_holiday_moves_deadlines_and_removing_it_moves_them_back():
    admin = admin_user()
    monday = TUESDAY - datetime.timedelta(days=1)
    assert add_working_days(monday, 1) == TUESDAY
    day = do_add_calendar_day(acting_user=admin, date=TUESDAY, name="  Tết   Dương lịch ")
    assert (day.date, day.name, day.working) == (TUESDAY, "Tết Dương lịch", False)
    assert not is_working_day(TUESDAY) and add_working_days(monday, 1) == TUESDAY + datetime.timedelta(days=1)
    audit = AuditEvent.objects.get(verb="workflows.calendar.day_added")
    assert (audit.actor, audit.object_id) == (admin, str(day.pk))
    assert audit.data == {"date": "2030-01-01", "name": "Tết Dương lịch", "working": False}

    do_remove_calendar_day(day, acting_user=admin)
    assert is_working_day(TUESDAY) and not CalendarDay.objects.exists()
    removed = AuditEvent.objects.get(verb="workflows.calendar.day_removed")
    assert removed.actor == admin and removed.data == audit.data
    with pytest.raises(NotFound):
        do_remove_calendar_day(day.pk, acting_user=admin)


def test_a_make_up_saturday_is_worked():
    day = do_add_calendar_day(acting_user=make_user(superuser=True), date=SATURDAY, name="Làm bù", working=True)
    assert day.working and is_working_day(SATURDAY)


@pytest.mark.parametrize(
    ("date", "name", "working", "code"),
    [
        (TUESDAY, "", False, "calendar_name_missing"),
        (TUESDAY, "x" * 151, False, "calendar_name_too_long"),
        (SATURDAY, "Nghỉ", False, "calendar_day_redundant"),
        (TUESDAY, "Làm bù", True, "calendar_day_redundant"),
    ],
)
def test_what_is_refused_as_input(date, name, working, code):
    with pytest.raises(InvalidInput) as exc:
        do_add_calendar_day(acting_user=admin_user(), date=date, name=name, working=working)
    assert exc.value.code == code
    assert not CalendarDay.objects.exists() and not AuditEvent.objects.filter(verb__startswith="workflows.cal").exists()


def test_a_date_already_there_is_a_conflict():
    admin = admin_user()
    do_add_calendar_day(acting_user=admin, date=TUESDAY, name="Tết Dương lịch")
    with pytest.raises(Conflict) as exc:
        do_add_calendar_day(acting_user=admin, date=TUESDAY, name="Lần hai")
    assert exc.value.code == "calendar_day_exists"
    assert CalendarDay.objects.get().name == "Tết Dương lịch"


def test_only_administrators_edit():
    officer = make_user()
    unit = make_unit()
    make_membership(user=officer, unit=unit, role=Role.OFFICER)
    assert not may_edit_calendar(officer) and may_edit_calendar(admin_user())
    with pytest.raises(Forbidden) as exc:
        do_add_calendar_day(acting_user=officer, date=TUESDAY, name="Nghỉ")
    assert exc.value.code == "calendar_forbidden"
    day = CalendarDay.objects.create(date=TUESDAY, name="Tết Dương lịch")
    with pytest.raises(Forbidden):
        do_remove_calendar_day(day, acting_user=officer)
    ended = make_user()
    make_membership(
        user=ended,
        unit=unit,
        role=Role.ADMIN,
        valid_from=datetime.date(1999, 1, 1),
        valid_until=datetime.date(2000, 1, 1),
    )
    assert not may_edit_calendar(ended)
    assert CalendarDay.objects.count() == 1


@postgresql_only()
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_adding_the_same_day_at_once_make_one_row():
    admins = [admin_user(), admin_user()]
    adds = [lambda u=u: do_add_calendar_day(acting_user=u, date=TUESDAY, name=f"Nghỉ ({u.pk})") for u in admins]
    outcomes = codes(at_once(*adds), ok="added")
    assert sorted(outcomes) == ["added", "calendar_day_exists"]
    assert CalendarDay.objects.count() == 1
    assert AuditEvent.objects.filter(verb="workflows.calendar.day_added").count() == 1
