"""``manage.py journal_verify``: seal what is pending, recompute the audit chain, name the first broken row."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from journal.sealing import seal_pending
from journal.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Kiểm tra toàn bộ chuỗi nhật ký (mã băm từng bản ghi và liên kết giữa các bản ghi). "
        "Thoát với mã 0 nếu nguyên vẹn, 1 và tên bản ghi hỏng đầu tiên nếu không."
    )

    def add_arguments(self, parser):
        parser.add_argument("--page-size", type=int, default=1000, help="Số bản ghi đọc mỗi lượt (mặc định 1000).")
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Chỉ kiểm tra, không niêm phong trước các bản ghi chưa vào chuỗi (mặc định: niêm phong trước).",
        )

    def handle(self, *args, page_size: int, no_seal: bool, **options):
        if not no_seal:
            sealed = seal_pending()
            if sealed:
                self.stdout.write(f"Đã niêm phong {sealed} bản ghi chưa vào chuỗi.")
        result = verify_chain(page_size=page_size)
        if result.broken is not None:
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ tại bản ghi #{result.broken.seq} "
                f"({result.broken.reason}): {result.broken.message}. "
                f"{result.count} bản ghi đầu tiên nguyên vẹn.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Chuỗi nhật ký nguyên vẹn: {result.count} bản ghi; đầu chuỗi #{result.head_seq} {result.head_hash}."
            )
        )
        if result.unsealed:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.unsealed} bản ghi chưa niêm phong vào chuỗi "
                    f"(cũ nhất lúc {timezone.localtime(result.oldest_unsealed_at):%d/%m/%Y %H:%M:%S})."
                )
            )
