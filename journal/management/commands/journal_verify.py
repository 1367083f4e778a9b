"""``manage.py journal_verify``: recompute the audit chain and name the first broken row."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from journal.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Kiểm tra toàn bộ chuỗi nhật ký (mã băm từng bản ghi và liên kết giữa các bản ghi). "
        "Thoát với mã 0 nếu nguyên vẹn, 1 và tên bản ghi hỏng đầu tiên nếu không."
    )

    def add_arguments(self, parser):
        parser.add_argument("--page-size", type=int, default=1000, help="Số bản ghi đọc mỗi lượt (mặc định 1000).")

    def handle(self, *args, page_size: int, **options):
        result = verify_chain(page_size=page_size)
        if result.broken is not None:
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ tại bản ghi #{result.broken.event_id} "
                f"({result.broken.reason}): {result.broken.message}. "
                f"{result.count} bản ghi đầu tiên nguyên vẹn.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Chuỗi nhật ký nguyên vẹn: {result.count} bản ghi; đầu chuỗi #{result.head_id} {result.head_hash}."
            )
        )
