"""Fixity sweep: re-hash every blob in the store; exit 1 if any is damaged."""

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn (mã băm SHA-256) của mọi tệp trong kho."

    def handle(self, *args, **options):
        store = storages["blobs"]
        checked, damaged = 0, []
        for key in store.iter_keys():
            checked += 1
            if not store.verify(key):
                damaged.append(key)
                self.stderr.write(f"hư hỏng / damaged: {key}")
        if damaged:
            raise CommandError(f"{len(damaged)} trong {checked} tệp bị hư hỏng / of {checked} blobs are damaged.")
        self.stdout.write(f"Kho nguyên vẹn: {checked} tệp / store intact: {checked} blobs.")
