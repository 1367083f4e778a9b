"""``manage.py workflows_load_holidays --year 2026``: the year's legal days off into the working-day calendar.

Inserts only what is missing, so it can run at every deployment and after an administrator has
corrected a row by hand; then prints what must still be entered by hand, because lunar holidays
and the government's swaps change every year.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workflows.calendar import MANUAL_TODO, load_public_holidays


class Command(BaseCommand):
    help = "Nạp các ngày nghỉ lễ cố định (và ngày âm lịch đã biết) của một năm vào lịch làm việc."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="Năm cần nạp (mặc định: năm hiện tại).")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError(f"Năm không hợp lệ: {year}.")
        inserted, kept = load_public_holidays(year)
        for row in inserted:
            self.stdout.write(f"Đã thêm {row.date:%d/%m/%Y} — {row.name}")
        for day in kept:
            self.stdout.write(f"Giữ nguyên {day:%d/%m/%Y} (đã có trong lịch)")
        self.stdout.write(f"Năm {year}: thêm {len(inserted)} ngày, giữ nguyên {len(kept)} ngày.")
        self.stdout.write(MANUAL_TODO)
