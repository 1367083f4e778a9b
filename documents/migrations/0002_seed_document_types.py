"""Seed the 29 document types and 3 copy kinds of Decree 30/2020/NĐ-CP, Phụ lục III.

The list is frozen here, as migrations must be: later changes are made by an administrator (or by a
later migration), never by editing this one.
"""

import unicodedata

from django.db import migrations

#: (name, abbreviation) in the order of Phụ lục III; Công văn and Thư công have no abbreviation.
DOCUMENT_TYPES = [
    ("Nghị quyết", "NQ"),
    ("Quyết định", "QĐ"),
    ("Chỉ thị", "CT"),
    ("Quy chế", "QC"),
    ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"),
    ("Thông báo", "TB"),
    ("Hướng dẫn", "HD"),
    ("Chương trình", "CTr"),
    ("Kế hoạch", "KH"),
    ("Phương án", "PA"),
    ("Đề án", "ĐA"),
    ("Dự án", "DA"),
    ("Báo cáo", "BC"),
    ("Biên bản", "BB"),
    ("Tờ trình", "TTr"),
    ("Hợp đồng", "HĐ"),
    ("Công văn", ""),
    ("Công điện", "CĐ"),
    ("Bản ghi nhớ", "BGN"),
    ("Bản thỏa thuận", "BTT"),
    ("Giấy ủy quyền", "GUQ"),
    ("Giấy mời", "GM"),
    ("Giấy giới thiệu", "GGT"),
    ("Giấy nghỉ phép", "GNP"),
    ("Phiếu gửi", "PG"),
    ("Phiếu chuyển", "PC"),
    ("Phiếu báo", "PB"),
    ("Thư công", ""),
]

COPY_KINDS = [
    ("Sao y", "SY"),
    ("Trích sao", "TrS"),
    ("Sao lục", "SL"),
]


def _nfc(text):
    return unicodedata.normalize("NFC", text)


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    rows = [
        DocumentType(name=_nfc(name), abbreviation=_nfc(abbr), kind="document", ordering=n)
        for n, (name, abbr) in enumerate(DOCUMENT_TYPES, start=1)
    ]
    rows += [
        DocumentType(name=_nfc(name), abbreviation=_nfc(abbr), kind="copy", ordering=100 + n)
        for n, (name, abbr) in enumerate(COPY_KINDS, start=1)
    ]
    DocumentType.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    names = [_nfc(name) for name, _ in DOCUMENT_TYPES + COPY_KINDS]
    DocumentType.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
