"""Real, minimal files of every kind the upload check accepts, and the bad ones it must refuse.

The upload check parses what it receives, so tests cannot upload ``b"%PDF-1.4 fake"`` any more: these
helpers make the smallest files that are genuinely valid (or precisely broken) in each format.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_pdf(
    text: str = "Van ban thu", *, catalog_extra: str = "", page_extra: str = "", objects_extra: tuple[str, ...] = ()
) -> bytes:
    """A one-page PDF with a correct cross-reference table, built by hand so every byte is known.

    ``catalog_extra`` and ``page_extra`` are added inside the catalog and the page dictionary, and
    ``objects_extra`` are further objects (numbered from 5): how the corpus makes a PDF with an
    /OpenAction, a page action or an embedded file.
    """
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>".encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R {page_extra}".encode()
        + b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        *(extra.encode("latin-1") for extra in objects_extra),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _writer_with_page() -> PdfFileWriter:
    writer = PdfFileWriter()
    content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 720 Td (x) Tj ET"))
    writer.insert_page(PageObject(contents=content, media_box=(0, 0, 595, 842)))
    return writer


def make_pdf_with_js_in_object_stream() -> bytes:
    """An /OpenAction whose JavaScript action lives inside a compressed object stream (invisible to grep)."""
    writer = _writer_with_page()
    object_stream = writer.prepare_object_stream(compress=True)
    action = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Action"),
            generic.pdf_name("/S"): generic.pdf_name("/JavaScript"),
            generic.pdf_name("/JS"): generic.pdf_string("app.alert('x')"),
        }
    )
    writer.root[generic.pdf_name("/OpenAction")] = writer.add_object(action, obj_stream=object_stream)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_encrypted_pdf() -> bytes:
    """A PDF protected with a password (AES-256, as pyHanko writes it)."""
    writer = _writer_with_page()
    writer.encrypt("owner-secret", "user-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(*paragraphs: str) -> bytes:
    """The three parts a Word document cannot do without (about 1 KB; python-docx's template is 36 KB)."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
        for text in paragraphs or ("Nội dung văn bản thử.",)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml"'
            ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return out.getvalue()


def make_xlsx(rows: tuple[tuple, ...] = (("STT", "Trường"), (1, "THPT Thành phố Cao Lãnh"))) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_odt(text: str = "Văn bản OpenDocument thử.") -> bytes:
    """The members an ODF text document needs, ``mimetype`` first and stored (the ODF rule)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
            f"<office:body><office:text><text:p>{text}</text:p></office:text></office:body>"
            "</office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
            ' manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return out.getvalue()


def make_png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def make_jpeg(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


def make_docx_bomb(*, expanded_mb: int = 200, members: int = 1) -> bytes:
    """A DOCX-shaped zip whose ``word/document.xml`` (or ``members`` parts) inflate to ``expanded_mb`` of zeros.

    Made at run time: 200 MB of zeros deflate to about 200 KB, too big a file to commit for no reason.
    """
    out = io.BytesIO()
    zeros = b"\x00" * (1024 * 1024)
    per_member = expanded_mb // members
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES)
        for index in range(members):
            name = "word/document.xml" if index == 0 else f"word/media/padding{index}.bin"
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(per_member):
                    member.write(zeros)
    return out.getvalue()


def rezip(data: bytes, *, rename: dict[str, str] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip (a DOCX) with members renamed or added: how the corpus makes traversal members."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr((rename or {}).get(info.filename, info.filename), source.read(info))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


_DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/word/document.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
