"""The bad-upload corpus: each committed file with the code the upload check must refuse it with.

``None`` marks a good file (every allowed kind, once). ``make_corpus.py`` in this folder wrote the
files; README.md says what each one is. Files too big to commit (the 200 MB zip bomb) are made by the
tests at run time with :mod:`tests.documents.files`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

#: File name → expected ``upload_*`` code, or ``None`` for a good file.
CORPUS: dict[str, str | None] = {
    # good files, one of each allowed kind
    "good.pdf": None,
    "good.docx": None,
    "good.xlsx": None,
    "good.odt": None,
    "good.png": None,
    "good.jpg": None,
    # PDF
    "garbage.pdf": "upload_pdf_malformed",
    "truncated.pdf": "upload_pdf_malformed",
    "no-pages.pdf": "upload_pdf_malformed",
    "encrypted.pdf": "upload_pdf_encrypted",
    "js-openaction.pdf": "upload_pdf_active_content",
    "js-object-stream.pdf": "upload_pdf_active_content",
    "js-names-tree.pdf": "upload_pdf_active_content",
    "js-page-aa.pdf": "upload_pdf_active_content",
    "js-escaped-name.pdf": "upload_pdf_active_content",
    "launch.pdf": "upload_pdf_active_content",
    "embedded-file.pdf": "upload_pdf_active_content",
    "pdf-after-junk.pdf": "upload_type_not_allowed",
    # office files (zips)
    "bomb-ratio.docx": "upload_zip_bomb",
    "traversal-member.docx": "upload_office_malformed",
    "absolute-member.docx": "upload_office_malformed",
    "encrypted-zip.docx": "upload_office_malformed",
    "corrupt-member.docx": "upload_office_malformed",
    "truncated.docx": "upload_office_malformed",
    "doctype-entities.docx": "upload_office_malformed",
    "macro-enabled.docx": "upload_type_not_allowed",
    "plain.zip": "upload_type_not_allowed",
    # images
    "truncated.png": "upload_image_malformed",
    "pixel-bomb.png": "upload_image_too_large",
    "scan.tif": "upload_type_not_allowed",
    # wrong or lying types
    "empty.pdf": "upload_empty",
    "exe-renamed.pdf": "upload_type_not_allowed",
    "html-renamed.pdf": "upload_type_not_allowed",
    "svg-renamed.pdf": "upload_type_not_allowed",
    "text-renamed.docx": "upload_type_not_allowed",
    "png-named.pdf": "upload_name_mismatch",
    "xlsx-named.docx": "upload_name_mismatch",
    "pdf-named.docx": "upload_name_mismatch",
}

#: File names sent with ``good.pdf``'s bytes → the expected code, or the name that is kept.
NAMES: dict[str, tuple[str, str]] = {
    "../../etc/passwd.pdf": ("error", "upload_bad_name"),
    "..\\..\\Windows\\win.ini.pdf": ("error", "upload_bad_name"),
    "a\x00.pdf": ("error", "upload_bad_name"),
    "bao\x1bcao.pdf": ("error", "upload_bad_name"),
    "hoa-don\u202efdp.exe": ("error", "upload_bad_name"),
    "": ("error", "upload_bad_name"),
    " . ": ("error", "upload_bad_name"),
    "C:\\Users\\vanthu\\Desktop\\Công văn 12.pdf": ("kept", "Công văn 12.pdf"),
    "/home/vanthu/to-trinh.pdf": ("kept", "to-trinh.pdf"),
    "Ke\u0302\u0301 hoa\u0323ch.pdf": ("kept", "Kế hoạch.pdf"),
    "baocao": ("kept", "baocao.pdf"),
    'a<b>:"c".pdf': ("kept", "a_b___c_.pdf"),
    "BÁO CÁO.PDF": ("kept", "BÁO CÁO.PDF"),
    "x" * 300 + ".pdf": ("kept", "x" * 146 + ".pdf"),
}


def read(name: str) -> bytes:
    return (HERE / name).read_bytes()
