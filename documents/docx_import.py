"""Reading a draft's body out of a .docx main file (python-docx), keeping bold and italic runs.

Officers often write in Word and upload the file as the main file; the body of the draft is then the
file's paragraphs, as the same structure the editor writes: a list of paragraphs, each a list of runs
``{"text", "bold", "italic"}``. Only the text and those two emphases are taken: layout is the print
template's job. Empty paragraphs (the blank lines people use for spacing) are skipped, and adjacent
runs with the same emphasis are merged, because Word splits runs at every edit and spell-check.
"""

from __future__ import annotations

import unicodedata
import zipfile
from typing import IO

import docx
from docx.opc.exceptions import PackageNotFoundError

from journal.errors import InvalidInput

Run = dict[str, object]
Paragraph = list[Run]


def extract_paragraphs(fileobj: IO[bytes]) -> list[Paragraph]:
    """The non-empty paragraphs of a .docx, runs with bold/italic; ``docx_unreadable`` if it is not one."""
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    try:
        document = docx.Document(fileobj)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InvalidInput(
            "Tệp không phải là tệp Word (.docx) hợp lệ nên không đọc được nội dung.",
            code="docx_unreadable",
            message_en="The file is not a valid Word (.docx) document, so its text cannot be read.",
        ) from exc
    finally:
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)
    paragraphs: list[Paragraph] = []
    for paragraph in document.paragraphs:
        runs: Paragraph = []
        for run in paragraph.runs:
            text = unicodedata.normalize("NFC", run.text)
            if not text:
                continue
            bold, italic = bool(run.bold), bool(run.italic)
            if runs and runs[-1]["bold"] == bold and runs[-1]["italic"] == italic:
                runs[-1]["text"] = f"{runs[-1]['text']}{text}"
            else:
                runs.append({"text": text, "bold": bold, "italic": italic})
        if any(str(run["text"]).strip() for run in runs):
            paragraphs.append(runs)
    return paragraphs
