import io
import unicodedata
import zipfile

import docx
import pytest

from documents.docx_import import extract_paragraphs
from journal.errors import InvalidInput


def _docx(*paragraphs) -> io.BytesIO:
    document = docx.Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, bold, italic in runs:
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    return buffer


def test_paragraphs_keep_bold_and_italic_runs():
    fileobj = _docx(
        [("Căn cứ ", False, False), ("Nghị định số 30/2020/NĐ-CP", False, True), (";", False, False)],
        [("Sở GDĐT", True, False), (" đề nghị:", False, False)],
    )
    assert extract_paragraphs(fileobj) == [
        [
            {"text": "Căn cứ ", "bold": False, "italic": False},
            {"text": "Nghị định số 30/2020/NĐ-CP", "bold": False, "italic": True},
            {"text": ";", "bold": False, "italic": False},
        ],
        [{"text": "Sở GDĐT", "bold": True, "italic": False}, {"text": " đề nghị:", "bold": False, "italic": False}],
    ]
    assert fileobj.tell() == 0  # handed back rewound: the same upload is stored next


def test_empty_paragraphs_are_skipped_and_split_runs_merged():
    fileobj = _docx([], [("   ", False, False)], [("Hỏa ", True, True), ("tốc", True, True)], [])
    assert extract_paragraphs(fileobj) == [[{"text": "Hỏa tốc", "bold": True, "italic": True}]]


def test_text_comes_out_composed():
    fileobj = _docx([(unicodedata.normalize("NFD", "Thượng khẩn"), False, False)])
    assert extract_paragraphs(fileobj)[0][0]["text"] == "Thượng khẩn"


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken zip", b"%PDF-1.4\n"])
def test_anything_else_is_unreadable(content):
    with pytest.raises(InvalidInput) as caught:
        extract_paragraphs(io.BytesIO(content))
    assert caught.value.code == "docx_unreadable"
    assert "Word" in caught.value.message


def test_a_zip_that_is_not_a_word_document_is_unreadable():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(InvalidInput, match="Word"):
        extract_paragraphs(buffer)
