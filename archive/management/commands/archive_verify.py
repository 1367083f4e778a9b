"""``manage.py archive_verify``: the fixity sweep (kiểm tra tính toàn vẹn) over the blob store.

Every stored blob is re-hashed and compared with its key. A walk of the store cannot see a blob that
is gone, so the keys the database expects (given as arguments or one per line in a file, e.g. the
output of a query over the rows that point at blobs) are checked too, and an absent one is reported
as missing. Exit status 1 if anything is damaged or missing, so a cron job or monitor notices.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from archive.errors import InvalidBlobKey
from archive.storage import check_key


def _listed_keys(keys: list[str], keys_from: str | None) -> Iterator[str]:
    yield from keys
    if keys_from is None:
        return
    lines = sys.stdin if keys_from == "-" else Path(keys_from).open(encoding="utf-8")  # noqa: SIM115
    with lines:
        for line in lines:
            if line.strip():
                yield line.strip()


class Command(BaseCommand):
    help = (
        "Kiểm tra tính toàn vẹn (mã băm SHA-256) của mọi tệp trong kho, và sự có mặt của các mã tệp "
        "được liệt kê. Thoát với mã 1 nếu có tệp hư hỏng hoặc bị mất."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="Mã tệp (SHA-256) phải có trong kho.")
        parser.add_argument(
            "--keys-from", metavar="FILE", help="Tệp liệt kê mã tệp phải có, mỗi dòng một mã ('-' là stdin)."
        )

    def handle(self, *args, keys: list[str], keys_from: str | None, **options):
        store = storages["blobs"]
        checked, damaged = 0, []
        for key in store.iter_keys():
            checked += 1
            if not store.verify(key):
                damaged.append(key)
                self.stderr.write(f"hư hỏng / damaged: {key}")
        missing, expected = [], 0
        for key in _listed_keys(keys, keys_from):
            expected += 1
            try:
                check_key(key)
            except InvalidBlobKey:
                raise CommandError(f"Mã tệp không hợp lệ / not a blob key: {key[:100]!r}") from None
            if not store.exists(key):
                missing.append(key)
                self.stderr.write(f"mất / missing: {key}")
        if damaged or missing:
            raise CommandError(
                f"{len(damaged)} trong {checked} tệp bị hư hỏng, {len(missing)} trong {expected} mã tệp bị mất / "
                f"{len(damaged)} of {checked} blobs damaged, {len(missing)} of {expected} expected blobs missing.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Kho nguyên vẹn: {checked} tệp, {expected} mã tệp được liệt kê đều có / "
                f"store intact: {checked} blobs, all {expected} expected present."
            )
        )
