"""Write the bad-upload corpus next to this script: ``.venv/bin/python -m tests.documents.upload_corpus.make_corpus``.

Each file is made from a real, valid one (:mod:`tests.documents.files`) and then broken in exactly one
way, so a refusal can only come from that one defect. Re-running rewrites the files; the PDFs pyHanko
writes carry a random document id, so their bytes change while their meaning does not.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

from tests.documents import files
from tests.documents.upload_corpus import CORPUS, HERE

_JS = "<< /Type /Action /S /JavaScript /JS (app.alert\\('x'\\)) >>"


def _encrypted_flag(data: bytes) -> bytes:
    """The same zip with the "encrypted" bit set in every local and central header (zipfile cannot write one)."""
    out = bytearray(data)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        while at != -1:
            out[at + flag_offset] |= 0x01
            at = out.find(signature, at + 4)
    return bytes(out)


def _corrupt_member(data: bytes, member: str) -> bytes:
    """Flip bytes in the middle of one member's compressed data: its CRC (or inflate) must fail."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    out = bytearray(data)
    name_length, extra_length = struct.unpack("<HH", out[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 8):
        out[i] ^= 0xFF
    return bytes(out)


def _replace_member(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info))
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` pixels: opening it must not allocate them."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def build() -> dict[str, bytes]:
    docx = files.make_docx("Công văn thử nghiệm.")
    pdf = files.make_pdf()
    content_types = zipfile.ZipFile(io.BytesIO(docx)).read("[Content_Types].xml")
    tiff = io.BytesIO()
    Image.new("L", (8, 8), 128).save(tiff, format="TIFF")
    return {
        "good.pdf": pdf,
        "good.docx": docx,
        "good.xlsx": files.make_xlsx(),
        "good.odt": files.make_odt(),
        "good.png": files.make_png(),
        "good.jpg": files.make_jpeg(),
        "garbage.pdf": b"%PDF-1.7\nthis is not a PDF body at all\n%%EOF\n",
        "truncated.pdf": pdf[: len(pdf) // 2],
        "no-pages.pdf": files.make_pdf().replace(b"/Count 1", b"/Count 0"),
        "encrypted.pdf": files.make_encrypted_pdf(),
        "js-openaction.pdf": files.make_pdf(catalog_extra="/OpenAction 5 0 R ", objects_extra=(_JS,)),
        "js-object-stream.pdf": files.make_pdf_with_js_in_object_stream(),
        "js-names-tree.pdf": files.make_pdf(
            catalog_extra="/Names << /JavaScript 5 0 R >> ", objects_extra=("<< /Names [(x) 6 0 R] >>", _JS)
        ),
        "js-page-aa.pdf": files.make_pdf(page_extra="/AA << /O 5 0 R >> ", objects_extra=(_JS,)),
        "js-escaped-name.pdf": files.make_pdf(
            catalog_extra="/OpenAction 5 0 R ", objects_extra=("<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",)
        ),
        "launch.pdf": files.make_pdf(
            catalog_extra="/OpenAction 5 0 R ", objects_extra=("<< /S /Launch /F (cmd.exe) /NewWindow true >>",)
        ),
        "embedded-file.pdf": files.make_pdf(
            catalog_extra="/Names << /EmbeddedFiles << /Names [(payload.exe) 5 0 R] >> >> ",
            objects_extra=("<< /Type /Filespec /F (payload.exe) /EF << /F 6 0 R >> >>", _embedded_stream()),
        ),
        "pdf-after-junk.pdf": b"<html>junk</html>\n" + pdf,
        "bomb-ratio.docx": files.make_docx_bomb(expanded_mb=20),
        "traversal-member.docx": files.rezip(docx, add={"../../../tmp/evil.sh": b"#!/bin/sh\n"}),
        "absolute-member.docx": files.rezip(docx, add={"/etc/cron.d/evil": b"* * * * * root true\n"}),
        "encrypted-zip.docx": _encrypted_flag(docx),
        "corrupt-member.docx": _corrupt_member(docx, "word/document.xml"),
        "truncated.docx": docx[: len(docx) // 2],
        "doctype-entities.docx": _replace_member(
            docx,
            "[Content_Types].xml",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            + content_types.split(b"?>", 1)[1],
        ),
        "macro-enabled.docx": files.rezip(
            _replace_member(
                docx,
                "[Content_Types].xml",
                content_types.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                ),
            ),
            add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 not a real macro project"},
        ),
        "plain.zip": _plain_zip(),
        "truncated.png": files.make_png((64, 64))[:-30],
        "pixel-bomb.png": _png_header_only(50_000, 50_000),
        "scan.tif": tiff.getvalue(),
        "empty.pdf": b"",
        "exe-renamed.pdf": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 48
        + b"This program cannot be run in DOS mode.\r\n",
        "html-renamed.pdf": b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n",
        "svg-renamed.pdf": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n',
        "text-renamed.docx": "Chỉ là văn bản thuần, không phải Word.\n".encode(),
        "png-named.pdf": files.make_png(),
        "xlsx-named.docx": files.make_xlsx(),
        "pdf-named.docx": pdf,
    }


def _embedded_stream() -> str:
    payload = "MZ fake payload"
    return f"<< /Type /EmbeddedFile /Length {len(payload)} >>\nstream\n{payload}\nendstream"


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bao-cao.txt", "Báo cáo tổng kết.")
    return out.getvalue()


def main() -> None:
    made = build()
    missing = set(CORPUS) ^ set(made)
    if missing:
        raise SystemExit(f"corpus and generator disagree on: {sorted(missing)}")
    for name, data in made.items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(made)} files to {HERE}")


if __name__ == "__main__":
    main()
