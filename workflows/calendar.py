"""Working-day arithmetic (ngày làm việc) over the calendar of exceptions in :class:`CalendarDay`.

Deadlines for handling incoming documents are counted in working days: Saturday and Sunday are off,
every other day is worked, except the rows administrators keep per year (weekday holidays off,
make-up Saturdays worked). Each function reads the exceptions of the range it needs in one query,
never one query per day, because a routing slip computes several deadlines and the overdue lists
compute thousands.

:func:`load_public_holidays` writes the fixed solar holidays of the Labour Code 2019 (art. 112) and
their compensations (art. 111: a holiday on a weekly rest day is taken on the next working day); the
lunar holidays and the government's yearly swaps must be added by hand, except the ones listed in
:data:`KNOWN_LUNAR_HOLIDAYS`.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from journal.audit import record
from workflows.models import CalendarDay

ONE_DAY = datetime.timedelta(days=1)
#: Monday..Friday are the weekly working days (``date.weekday()`` 0..4).
WEEKEND = frozenset({5, 6})

CONFIRM = "(cần xác nhận)"

#: Lunar holidays already announced for a year, as (date, name); they change every year, so only the
#: known ones are data here. The Tết week of the civil service 2026 (Bính Ngọ) is Mon 16/2–Fri 20/2,
#: with the weekends around it off anyway; Giỗ Tổ 10/3 âm lịch falls on Sun 26/4/2026, so Mon 27/4 is off.
KNOWN_LUNAR_HOLIDAYS: dict[int, list[tuple[datetime.date, str]]] = {
    2026: [
        *[(datetime.date(2026, 2, day), f"Tết Nguyên đán Bính Ngọ {CONFIRM}") for day in range(16, 21)],
        (datetime.date(2026, 4, 27), f"Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch rơi vào Chủ nhật 26/4) {CONFIRM}"),
    ],
}

#: What an administrator must still add each year by hand (printed by ``workflows_load_holidays``).
MANUAL_TODO = (
    "Cần quản trị viên bổ sung thủ công (thay đổi hằng năm theo âm lịch và thông báo của Chính phủ):\n"
    "  - Tết Âm lịch: 05 ngày (thường nghỉ liền kề với cuối tuần theo thông báo của Bộ Nội vụ);\n"
    "  - Giỗ Tổ Hùng Vương: ngày 10/3 âm lịch (nghỉ bù nếu trùng thứ Bảy, Chủ nhật);\n"
    "  - Ngày làm bù (thứ Bảy làm việc, đánh dấu “là ngày làm việc”) và ngày hoán đổi;\n"
    "  - Kiểm tra ngày liền kề Quốc khánh (01/9 hoặc 03/9) theo thông báo của Chính phủ."
)


def _exceptions(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "working"))


def _working(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() not in WEEKEND


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is worked: a weekday unless it is a holiday, a weekend day only if made up."""
    return _working(day, _exceptions(day, day))


def _window(n: int) -> datetime.timedelta:
    # Room for n working days plus weekends and a Tết week or two; a longer run of days off reads on.
    return datetime.timedelta(days=n * 2 + 21)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The date ``n`` working days after ``start`` (the start day itself does not count).

    Routing "trong 5 ngày làm việc" on a Friday gives the next Friday; over Tết it moves past the week off.
    """
    if n < 0:
        raise ValueError("n must be ≥ 0 working days")
    day, left = start, n
    while left:
        last = day + _window(left)
        exceptions = _exceptions(day + ONE_DAY, last)
        while left and day < last:
            day += ONE_DAY
            if _working(day, exceptions):
                left -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """How many working days lie after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``).

    The inverse of :func:`add_working_days`: ``working_days_between(a, add_working_days(a, n)) == n``.
    """
    if b < a:
        return -working_days_between(b, a)
    exceptions = _exceptions(a + ONE_DAY, b)
    days = (b - a).days
    return sum(1 for i in range(1, days + 1) if _working(a + datetime.timedelta(days=i), exceptions))


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself when worked, otherwise the first working day after it.

    A deadline someone picks on a holiday or a Sunday is due on the next day the office is open.
    """
    left = 1
    while True:
        last = day + _window(left)
        exceptions = _exceptions(day, last)
        while day <= last:
            if _working(day, exceptions):
                return day
            day += ONE_DAY
        left += 30


# -- public holidays ------------------------------------------------------------------------------


def _national_day_adjacent(year: int) -> datetime.date:
    """The day beside 2/9 (art. 112: "ngày 02 tháng 9 và 01 ngày liền kề trước hoặc sau").

    The government picks it yearly; the choice that joins the weekend is the usual one: Monday 2/9 →
    Tuesday 3/9, Thursday → Friday 3/9, otherwise 1/9 (Tuesday → Monday, Saturday → Friday).
    """
    national = datetime.date(year, 9, 2)
    return national + ONE_DAY if national.weekday() in (0, 3) else national - ONE_DAY


def public_holidays(year: int) -> list[tuple[datetime.date, str]]:
    """The weekday days off of ``year`` that follow from the law alone, with their compensations.

    Fixed solar holidays on a weekend are not rows (the day is off anyway) but earn the next working
    day off (nghỉ bù, art. 111(3)); known lunar holidays of :data:`KNOWN_LUNAR_HOLIDAYS` are added.
    """
    adjacent = _national_day_adjacent(year)
    fixed = [
        (datetime.date(year, 1, 1), "Tết Dương lịch"),
        (datetime.date(year, 4, 30), "Ngày Chiến thắng (30/4)"),
        (datetime.date(year, 5, 1), "Ngày Quốc tế Lao động (1/5)"),
        *sorted(
            [
                (datetime.date(year, 9, 2), "Quốc khánh (2/9)"),
                (adjacent, f"Quốc khánh — ngày liền kề {CONFIRM}"),
            ]
        ),
    ]
    known = KNOWN_LUNAR_HOLIDAYS.get(year, [])
    taken = {day for day, _ in fixed} | {day for day, _ in known}
    days: list[tuple[datetime.date, str]] = []
    for day, name in fixed:
        if day.weekday() not in WEEKEND:
            days.append((day, name))
            continue
        compensation = day + ONE_DAY
        while compensation.weekday() in WEEKEND or compensation in taken:
            compensation += ONE_DAY
        taken.add(compensation)
        days.append((compensation, f"Nghỉ bù {name}"))
    days.extend(known)
    return sorted(days)


def load_public_holidays(year: int, *, acting_user=None) -> tuple[list[CalendarDay], list[datetime.date]]:
    """Insert ``year``'s legal holidays that are missing; rows already there (edited by hand) stay as they are.

    Returns the rows inserted and the dates skipped because a row existed. Safe to run again.
    """
    wanted = public_holidays(year)
    with transaction.atomic(durable=True):
        existing = set(CalendarDay.objects.filter(date__in=[day for day, _ in wanted]).values_list("date", flat=True))
        rows = [CalendarDay(date=day, working=False, name=name) for day, name in wanted if day not in existing]
        CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
        record(
            actor=acting_user,
            verb="workflows.calendar.holidays_loaded",
            object_type="calendar_year",
            object_id=year,
            data={"inserted": [row.date.isoformat() for row in rows], "kept": sorted(d.isoformat() for d in existing)},
        )
    return rows, sorted(existing)
