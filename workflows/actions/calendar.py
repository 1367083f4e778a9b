"""Editing the working-day calendar (lịch nghỉ lễ, làm bù): one exception day added or removed.

The calendar is the province's, not a unit's: every deadline in working days reads it. So only a
superuser or a unit administrator (quản trị đơn vị) edits it. A change applies to deadlines computed
after it; deadlines already set on routing slips stay as they were given, because the person who
received a deadline must be able to rely on it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from journal.audit import record
from journal.errors import Conflict, Forbidden, InvalidInput, NotFound
from organizations.models import Membership, Role
from workflows.calendar import WEEKEND
from workflows.models import CalendarDay

__all__ = ["do_add_calendar_day", "do_remove_calendar_day", "may_edit_calendar"]

_NAME_LENGTH = CalendarDay._meta.get_field("name").max_length


def may_edit_calendar(user) -> bool:
    """A superuser, or anyone holding the administrator role in force in some unit."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.in_force().filter(user=user, role=Role.ADMIN).exists()


def _check_may_edit(user) -> None:
    if not may_edit_calendar(user):
        raise Forbidden(
            "Chỉ quản trị viên được sửa lịch nghỉ lễ, làm bù.",
            code="calendar_forbidden",
            message_en="Only administrators may edit the holiday calendar.",
        )


def do_add_calendar_day(*, acting_user, date: datetime.date, name: str, working: bool = False) -> CalendarDay:
    """Add one exception: a weekday off (``working=False``) or a weekend day worked (``working=True``).

    A row that changes nothing (a holiday on a Sunday, a "make-up" Tuesday) is refused rather than
    stored, so the list administrators read stays the list of real exceptions. A date that already
    has a row is a conflict: the administrator removes it first, and the audit shows both steps.
    """
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Hãy nhập tên ngày nghỉ.", code="calendar_name_missing", message_en="Enter the day's name.")
    if len(name) > _NAME_LENGTH:
        raise InvalidInput(
            f"Tên ngày dài quá {_NAME_LENGTH} ký tự.",
            code="calendar_name_too_long",
            message_en=f"The name is longer than {_NAME_LENGTH} characters.",
        )
    weekend = date.weekday() in WEEKEND
    if working and not weekend:
        raise InvalidInput(
            "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật: ngày thường vốn đã là ngày làm việc.",
            code="calendar_day_redundant",
            message_en="A make-up working day must be a Saturday or Sunday: weekdays are worked anyway.",
        )
    if not working and weekend:
        raise InvalidInput(
            "Thứ Bảy, Chủ nhật vốn là ngày nghỉ; hãy nhập ngày nghỉ bù vào ngày làm việc kế tiếp.",
            code="calendar_day_redundant",
            message_en="Saturdays and Sundays are off anyway; enter the compensating weekday instead.",
        )
    with transaction.atomic(durable=True):
        _check_may_edit(acting_user)
        day = CalendarDay(date=date, name=name, working=bool(working))
        try:
            day.full_clean(validate_unique=False)
        except ValidationError as error:
            raise InvalidInput(
                "Ngày nghỉ không hợp lệ.", code="calendar_day_invalid", message_en="The day is not valid."
            ) from error
        try:
            # A savepoint: a concurrent insert of the same date fails here, not the whole transaction.
            with transaction.atomic():
                day.save()
        except IntegrityError as error:
            raise _exists(date) from error
        record(
            actor=acting_user,
            verb="workflows.calendar.day_added",
            target=day,
            data={"date": date.isoformat(), "name": name, "working": bool(working)},
        )
    return day


def _exists(date: datetime.date) -> Conflict:
    return Conflict(
        f"Ngày {date:%d/%m/%Y} đã có trong lịch; hãy xóa dòng cũ trước khi nhập lại.",
        code="calendar_day_exists",
        message_en=f"{date:%d/%m/%Y} is already in the calendar; remove it first.",
    )


def do_remove_calendar_day(day: CalendarDay | int, *, acting_user) -> None:
    """Remove one exception; the date falls back to the weekly rhythm (Monday–Friday worked)."""
    pk = day if isinstance(day, int) else day.pk
    with transaction.atomic(durable=True):
        _check_may_edit(acting_user)
        found = CalendarDay.objects.select_for_update().filter(pk=pk).first()
        if found is None:
            raise NotFound(
                "Ngày này không còn trong lịch.",
                code="calendar_day_not_found",
                message_en="This day is no longer in the calendar.",
            )
        data = {"date": found.date.isoformat(), "name": found.name, "working": found.working}
        found.delete()
        record(
            actor=acting_user,
            verb="workflows.calendar.day_removed",
            object_type="workflows.calendarday",
            object_id=pk,
            data=data,
        )
