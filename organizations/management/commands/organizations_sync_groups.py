"""Bring unit groups in line with memberships in force today; run daily, as validity dates pass."""

from django.core.management.base import BaseCommand

from organizations.groups import sync_all


class Command(BaseCommand):
    help = "Đồng bộ nhóm của đơn vị với các phân công vai trò đang có hiệu lực (chạy hằng ngày)."

    def handle(self, *args, **options):
        created, result = sync_all()
        self.stdout.write(f"groups created: {created}, added: {result.added}, removed: {result.removed}")
