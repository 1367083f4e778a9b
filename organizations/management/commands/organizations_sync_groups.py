"""Bring unit groups in line with memberships in force today; run daily, as validity dates pass."""

from django.core.management.base import BaseCommand
from django.db import transaction

from organizations.groups import ensure_unit_groups, sync_groups
from organizations.models import Unit


class Command(BaseCommand):
    help = "Đồng bộ nhóm của đơn vị với các phân công vai trò đang có hiệu lực (chạy hằng ngày)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = ensure_unit_groups(Unit.objects.only("pk"))
            result = sync_groups()
        self.stdout.write(f"groups created: {created}, added: {result.added}, removed: {result.removed}")
