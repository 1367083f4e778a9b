"""The upload check: every corpus file and name, the run-time bombs, the size limit, narrowing per path."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.uploads import ANY_DOCUMENT, SCANNED, WORD, FileKind, check_upload
from ioffice import config
from journal.errors import InvalidInput
from tests.documents import files
from tests.documents.upload_corpus import CORPUS, HERE, NAMES, read

GOOD_KINDS = {
    "good.pdf": FileKind.PDF,
    "good.docx": FileKind.DOCX,
    "good.xlsx": FileKind.XLSX,
    "good.odt": FileKind.ODT,
    "good.png": FileKind.PNG,
    "good.jpg": FileKind.JPEG,
}


def refused(name: str, data, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_upload(name, data, **kwargs)
    return caught.value


# -- the corpus ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_corpus_file_gets_its_verdict(name):
    data = read(name)
    expected = CORPUS[name]
    if expected is None:
        checked = check_upload(name, data)
        assert checked.kind == GOOD_KINDS[name]
        assert checked.safe_name == name
        assert checked.size == len(data)
        assert checked.sha256 == hashlib.sha256(data).hexdigest()
        assert checked.content_type.startswith(("application/", "image/"))
        return
    error = refused(name, data)
    assert error.code == expected
    assert name in error.message, "the Vietnamese message names the file"
    assert error.message_en and error.message_en != error.message
    assert error.http_status == 400


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_an_uploaded_file_object_gets_the_same_verdict_and_is_left_at_its_start(name):
    upload = SimpleUploadedFile(name, read(name), content_type="application/pdf")
    try:
        checked = check_upload(name, upload)
    except InvalidInput as error:
        assert error.code == CORPUS[name]
    else:
        assert CORPUS[name] is None and checked.kind == GOOD_KINDS[name]
    assert upload.tell() == 0


def test_the_corpus_folder_the_table_the_readme_and_the_generator_agree():
    on_disk = {p.name for p in HERE.iterdir() if p.is_file() and p.suffix not in {".py", ".md"}}
    assert on_disk == set(CORPUS)
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    for name, code in CORPUS.items():
        row = re.search(rf"^\| `{re.escape(name)}` \| ([^|]+) \|", readme, re.MULTILINE)
        assert row, f"README does not list {name}"
        assert row.group(1).strip() == (f"`{code}`" if code else "accepted"), name
    from tests.documents.upload_corpus.make_corpus import build

    assert set(build()) == set(CORPUS)


def test_the_object_stream_script_is_invisible_to_a_byte_search():
    """The point of that corpus file: only a parser that opens object streams finds the script."""
    data = read("js-object-stream.pdf")
    assert b"/JavaScript" not in data and b"/ObjStm" in data
    assert refused("a.pdf", data).code == "upload_pdf_active_content"


@pytest.mark.parametrize("name", sorted(NAMES, key=repr))
def test_names_are_stripped_refused_or_kept(name):
    outcome, expected = NAMES[name]
    if outcome == "error":
        error = refused(name, read("good.pdf"))
        assert error.code == expected
        assert "\x00" not in error.message and "\u202e" not in error.message
    else:
        assert check_upload(name, read("good.pdf")).safe_name == expected


# -- bombs made at run time ------------------------------------------------------------------------


def test_a_200_mb_docx_bomb_is_refused_before_inflating_it():
    bomb = files.make_docx_bomb(expanded_mb=200)
    assert len(bomb) < 1024 * 1024
    error = refused("bao-cao.docx", bomb)
    assert error.code == "upload_zip_bomb"
    assert "bao-cao.docx" in error.message and "tỉ lệ nén" in error.message


def test_many_members_each_small_but_together_huge_are_a_bomb():
    bomb = files.make_docx_bomb(expanded_mb=120, members=120)
    error = refused("bao-cao.docx", bomb)
    assert error.code == "upload_zip_bomb" and "100 MB" in error.message


def test_too_many_members_are_a_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for i in range(5001):
            archive.writestr(f"word/m{i}.xml", "")
    assert refused("a.docx", out.getvalue()).code == "upload_zip_bomb"


# -- size -------------------------------------------------------------------------------------------


def test_over_the_limit_is_refused_with_the_limit_in_mb(settings):
    settings.IOFFICE_MAX_UPLOAD_MB = 1
    limit = 1024 * 1024
    jpeg = files.make_jpeg()
    at_limit = jpeg + b"\x00" * (limit - len(jpeg))
    assert check_upload("scan.jpg", at_limit).size == limit
    error = refused("scan.jpg", at_limit + b"\x00")
    assert error.code == "upload_too_large"
    assert "1 MB" in error.message and "scan.jpg" in error.message
    assert error.details["max_bytes"] == limit


def test_a_declared_size_over_the_limit_is_refused_without_reading(settings):
    settings.IOFFICE_MAX_UPLOAD_MB = 1

    class Unreadable(io.BytesIO):
        size = 5 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("the check read a file whose declared size is already too large")

    assert refused("a.pdf", Unreadable(b"%PDF-")).code == "upload_too_large"


def test_the_limit_is_configured_by_environment():
    assert config.load({}).max_upload_mb == 20
    assert config.load({"IOFFICE_MAX_UPLOAD_MB": "35"}).max_upload_mb == 35
    with pytest.raises(config.ConfigError, match="IOFFICE_MAX_UPLOAD_MB"):
        config.load({"IOFFICE_MAX_UPLOAD_MB": "0"})


# -- per-path allow-lists and messages -------------------------------------------------------------


def test_a_path_may_narrow_the_allow_list():
    error = refused("phu-luc.docx", read("good.docx"), allowed=SCANNED, field="files")
    assert error.code == "upload_type_not_allowed"
    assert "PDF (.pdf), ảnh PNG (.png), ảnh JPEG (.jpg)" in error.message and "Excel" not in error.message
    assert error.details["field"] == "files"
    # Whatever the file turns out to be, the message lists what this path takes, and only that.
    for name in ("exe-renamed.pdf", "plain.zip", "macro-enabled.docx"):
        message = refused(name, read(name), allowed=SCANNED).message
        assert message.endswith("ở đây chỉ nhận: PDF (.pdf), ảnh PNG (.png), ảnh JPEG (.jpg).")
    assert refused("a.pdf", read("good.pdf"), allowed=WORD).code == "upload_type_not_allowed"
    assert check_upload("a.docx", read("good.docx"), allowed=WORD).kind == FileKind.DOCX
    assert {check_upload(n, read(n), allowed=ANY_DOCUMENT).kind for n in GOOD_KINDS} == set(FileKind)


def test_a_lying_name_is_refused_naming_both_types():
    message = refused("a.docx", read("good.xlsx")).message
    assert ".docx" in message and "Excel (.xlsx)" in message
    message = refused("baocao.pdf", read("good.png")).message
    assert ".pdf" in message and "ảnh PNG" in message


def test_tiff_is_no_longer_accepted_and_the_message_says_what_it_is():
    error = refused("scan.tif", read("scan.tif"), allowed=SCANNED)
    assert error.code == "upload_type_not_allowed" and "ảnh TIFF" in error.message


def test_an_exe_renamed_pdf_is_called_what_it_is():
    assert "chương trình chạy" in refused("hoa-don.pdf", read("exe-renamed.pdf")).message


# -- PDF parsing edges -------------------------------------------------------------------------------


def test_a_startxref_a_few_bytes_off_is_repaired_as_viewers_do():
    pdf = files.make_pdf()
    at = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    shifted = pdf.replace(b"startxref\n%d" % at, b"startxref\n%d" % (at + 2))
    assert check_upload("scan.pdf", shifted).kind == FileKind.PDF


def test_a_reference_loop_is_malformed_not_a_hang():
    looping = files.make_pdf(catalog_extra="/OpenAction 5 0 R ", objects_extra=("6 0 R", "5 0 R"))
    assert refused("scan.pdf", looping).code == "upload_pdf_malformed"


def test_a_script_deep_in_the_page_tree_is_found():
    annotation = "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /JavaScript /JS (x) >> >>"
    pdf = files.make_pdf(page_extra="/Annots [5 0 R] ", objects_extra=(annotation,))
    error = refused("scan.pdf", pdf)
    assert error.code == "upload_pdf_active_content" and error.details["found"] == "JavaScript"
