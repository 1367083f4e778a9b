"""The working-day calendar: weekends, holidays, make-up Saturdays, and the yearly holiday loader."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import AuditEvent
from workflows.calendar import (
    add_working_days,
    is_working_day,
    next_working_day,
    public_holidays,
    working_days_between,
)
from workflows.models import CalendarDay

pytestmark = pytest.mark.django_db
D = datetime.date


def load(year: int) -> str:
    out = StringIO()
    call_command("workflows_load_holidays", year=year, stdout=out)
    return out.getvalue()


def test_weekends_are_off_and_the_start_day_does_not_count():
    friday = D(2026, 11, 27)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == D(2026, 11, 30)
    assert add_working_days(friday, 5) == D(2026, 12, 4)
    assert add_working_days(D(2026, 11, 29), 1) == D(2026, 11, 30)  # from a Sunday: Monday
    assert not is_working_day(D(2026, 11, 28)) and is_working_day(D(2026, 11, 30))
    assert working_days_between(friday, D(2026, 12, 4)) == 5
    assert working_days_between(D(2026, 12, 4), friday) == -5
    assert working_days_between(friday, friday) == 0
    with pytest.raises(ValueError):
        add_working_days(friday, -1)


def test_a_tet_week_is_skipped():
    load(2026)
    before_tet = D(2026, 2, 13)  # Friday before Tết Bính Ngọ
    assert [is_working_day(D(2026, 2, d)) for d in range(16, 21)] == [False] * 5
    assert add_working_days(before_tet, 1) == D(2026, 2, 23)
    assert add_working_days(before_tet, 3) == D(2026, 2, 25)
    assert working_days_between(before_tet, D(2026, 2, 23)) == 1
    assert next_working_day(D(2026, 2, 14)) == D(2026, 2, 23)
    assert next_working_day(D(2026, 2, 23)) == D(2026, 2, 23)
    # Giỗ Tổ falls on Sunday 26/4: Monday 27/4 is off, then 30/4 and 1/5.
    assert add_working_days(D(2026, 4, 24), 1) == D(2026, 4, 28)
    assert add_working_days(D(2026, 4, 29), 1) == D(2026, 5, 4)


def test_a_make_up_saturday_is_worked_and_a_long_run_of_holidays_is_crossed():
    CalendarDay.objects.create(date=D(2026, 1, 10), working=True, name="Làm bù")
    assert is_working_day(D(2026, 1, 10))
    assert add_working_days(D(2026, 1, 9), 1) == D(2026, 1, 10)
    assert working_days_between(D(2026, 1, 9), D(2026, 1, 12)) == 2
    # Six weeks off (more than the first window reads): the arithmetic reads on.
    start = D(2026, 6, 1)
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=start + datetime.timedelta(days=i), name="Nghỉ thử") for i in range(1, 43)]
    )
    assert add_working_days(start, 1) == D(2026, 7, 14)
    assert next_working_day(start + datetime.timedelta(days=1)) == D(2026, 7, 14)


def test_each_call_reads_the_calendar_once(django_assert_num_queries):
    load(2026)
    with django_assert_num_queries(1):
        assert add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 6)
    with django_assert_num_queries(1):
        assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 11
    with django_assert_num_queries(1):
        is_working_day(D(2026, 9, 2))


def test_add_and_between_are_inverse_over_a_year():
    load(2026)
    start = D(2026, 1, 2)
    for n in range(0, 250, 7):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_the_loader_inserts_the_legal_holidays_once_and_keeps_hand_edits():
    CalendarDay.objects.create(date=D(2026, 9, 1), working=False, name="Quốc khánh (sửa tay)")
    out = load(2026)
    rows = dict(CalendarDay.objects.values_list("date", "name"))
    expected = {
        D(2026, 1, 1),
        *[D(2026, 2, d) for d in range(16, 21)],
        D(2026, 4, 27),
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 9, 1),
        D(2026, 9, 2),
    }
    assert set(rows) == expected
    assert rows[D(2026, 9, 1)] == "Quốc khánh (sửa tay)"
    assert "(cần xác nhận)" in rows[D(2026, 2, 16)] and "(cần xác nhận)" in rows[D(2026, 4, 27)]
    assert not CalendarDay.objects.filter(working=True).exists()
    assert "Tết Âm lịch" in out and "Giỗ Tổ Hùng Vương" in out and "làm bù" in out
    assert "Giữ nguyên 01/09/2026" in out
    count = CalendarDay.objects.count()
    again = load(2026)
    assert CalendarDay.objects.count() == count
    assert "thêm 0 ngày" in again
    assert AuditEvent.objects.filter(verb="workflows.calendar.holidays_loaded").count() == 2


def test_holidays_on_a_weekend_are_compensated_on_the_next_free_weekday():
    # 2028: 1/1 is a Saturday; 30/4 a Sunday with 1/5 on the Monday, so 30/4 is taken on Tuesday 2/5.
    days = dict(public_holidays(2028))
    assert D(2028, 1, 1) not in days and days[D(2028, 1, 3)].startswith("Nghỉ bù Tết Dương lịch")
    assert D(2028, 5, 1) in days and days[D(2028, 5, 2)].startswith("Nghỉ bù Ngày Chiến thắng")
    # 2027: 1/5 is a Saturday (→ Monday 3/5); 2/9 a Thursday, its adjacent day Friday 3/9.
    days = dict(public_holidays(2027))
    assert days[D(2027, 5, 3)].startswith("Nghỉ bù Ngày Quốc tế Lao động")
    assert D(2027, 9, 2) in days and D(2027, 9, 3) in days and D(2027, 9, 1) not in days
    assert all(day.weekday() < 5 for day in days)
