"""The working-day calendar (lịch làm việc): the exceptions to "Monday to Friday".

Saturdays and Sundays are days off and every other day is a working day, except the rows here: a
holiday on a weekday (Tết, 30/4, 1/5, 2/9, Giỗ Tổ Hùng Vương) is a row with ``working=False``, a
make-up working Saturday (làm bù) is a row with ``working=True``. The lunar holidays and the
government's yearly swaps change every year, so administrators edit each year's rows;
:mod:`workflows.calendar` does the arithmetic.
"""

from __future__ import annotations

from django.db import models


class CalendarDay(models.Model):
    """One exception to the weekly rhythm: a weekday off, or a weekend day worked."""

    date = models.DateField("ngày", unique=True)
    working = models.BooleanField(
        "là ngày làm việc", default=False, help_text="Chọn cho ngày làm bù vào thứ Bảy, Chủ nhật."
    )
    name = models.CharField("tên ngày", max_length=150, help_text="Ví dụ: Tết Nguyên đán, Quốc khánh, làm bù.")

    class Meta:
        verbose_name = "ngày nghỉ, ngày làm bù"
        verbose_name_plural = "lịch nghỉ lễ, làm bù"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"
