"""The one check every uploaded file passes before a byte of it reaches the blob store.

An e-office receives files from outside (scanned letters, e-mailed originals) and from every officer's
computer, and hands them on to every unit they are sent to: a file that runs a script, hides another
file, expands to gigabytes or lies about its type would travel through the whole province. So the type
is read from the content (the name and the browser's Content-Type are what the sender *says*), checked
against an allow-list each path may narrow, and the content is parsed far enough to refuse what a
viewer would execute or choke on. The name is kept for people (Vietnamese letters included) but made
safe for disks and downloads.

Every refusal is an :class:`journal.errors.InvalidInput` with a stable ``upload_*`` code, a Vietnamese
message naming the file, and ``message_en``; callers check before they store, so a refused upload
leaves no blob, no row and no task.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, NoReturn

from django.conf import settings
from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from journal.errors import InvalidInput


class FileKind(StrEnum):
    """The kinds of file the e-office keeps; anything else is refused."""

    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"
    PNG = "png"
    JPEG = "jpeg"


#: What each kind is stored and served as.
CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
}
#: The name endings each kind may carry; the first is added to a name that has none.
EXTENSIONS = {
    FileKind.PDF: (".pdf",),
    FileKind.DOCX: (".docx",),
    FileKind.XLSX: (".xlsx",),
    FileKind.ODT: (".odt",),
    FileKind.PNG: (".png",),
    FileKind.JPEG: (".jpg", ".jpeg"),
}
#: How the kind is named to a Vietnamese user.
LABELS = {
    FileKind.PDF: "PDF (.pdf)",
    FileKind.DOCX: "Word (.docx)",
    FileKind.XLSX: "Excel (.xlsx)",
    FileKind.ODT: "OpenDocument (.odt)",
    FileKind.PNG: "ảnh PNG (.png)",
    FileKind.JPEG: "ảnh JPEG (.jpg)",
}

#: Any file a document or an opinion may carry.
ANY_DOCUMENT = frozenset(FileKind)
#: What a scanner or an e-mailed original produces: an external document's main file.
SCANNED = frozenset({FileKind.PDF, FileKind.PNG, FileKind.JPEG})
#: A draft's body uploaded as a file: its paragraphs are read out of it.
WORD = frozenset({FileKind.DOCX})

#: Longest file name kept; longer names are shortened, keeping the extension.
MAX_NAME_LENGTH = 150
#: Office files are zips: at most this many members, this many bytes once expanded, and no member
#: expanding more than this ratio (Deflate tops out near 1030:1, which only a bomb of zeros reaches;
#: real XML stays far below it), counted only for members over the floor.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_EXPANDED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR = 1024 * 1024
#: Objects walked in a PDF before it is judged too complex to be a document.
PDF_MAX_OBJECTS = 200_000

_CHUNK = 64 * 1024
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})

# What a refused file really is, for a message that helps ("an EXE renamed .pdf").
_OTHER_SIGNATURES = (
    (b"MZ", "chương trình chạy (.exe)"),
    (b"\x7fELF", "chương trình chạy (ELF)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tệp Word/Excel đời cũ (.doc/.xls) hoặc tệp Office có mật khẩu"),
    (b"II*\x00", "ảnh TIFF"),
    (b"MM\x00*", "ảnh TIFF"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7z"),
    (b"{\\rtf", "tệp RTF"),
)

_OOXML_MAIN = {
    "word/document.xml": (
        FileKind.DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xl/workbook.xml": (FileKind.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

# Names in a PDF whose presence means a viewer would run something or unpack a hidden file.
_PDF_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/XFA": "biểu mẫu XFA (có thể chứa mã lệnh)",
    "/EmbeddedFiles": "tệp nhúng",
    "/EF": "tệp nhúng",
    "/RichMedia": "nội dung đa phương tiện chạy được",
}
_PDF_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "lệnh mở chương trình (Launch)",
    "/ImportData": "lệnh nhập dữ liệu (ImportData)",
    "/RichMediaExecute": "nội dung đa phương tiện chạy được",
}
_PDF_ACTIVE_TYPES = {"/EmbeddedFile": "tệp nhúng", "/RichMedia": "nội dung đa phương tiện chạy được"}


@dataclass(frozen=True)
class CheckedUpload:
    """What the check learned: the kind from the content, the name to keep, and the bytes' digest."""

    kind: FileKind
    content_type: str
    safe_name: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    """The size limit in bytes, read at each call so that a settings change (or a test) takes effect."""
    return settings.IOFFICE_MAX_UPLOAD_MB * 1024 * 1024


def check_upload(
    name: str,
    data: bytes | IO[bytes],
    *,
    allowed: Iterable[FileKind] = ANY_DOCUMENT,
    field: str | None = None,
) -> CheckedUpload:
    """Check one uploaded file and say what it is; ``InvalidInput`` (``upload_*``) if it must be refused.

    ``data`` is the bytes or a seekable file (Django's ``UploadedFile``); it is read in chunks and left
    at its start. ``field`` goes into the error's details so a form can show the error at its input.
    """
    allowed = frozenset(allowed)
    details = {"field": field} if field else {}
    safe_name = clean_upload_name(name, details=details)
    details["filename"] = safe_name
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    sha256, size = _digest(stream, safe_name, details)
    if size == 0:
        _refuse("upload_empty", f"Tệp “{safe_name}” rỗng (0 byte).", "The uploaded file is empty.", details)
    try:
        kind = _sniff(stream, safe_name, details, allowed)
        if kind not in allowed:
            _refuse_kind(safe_name, LABELS[kind], allowed, details)
        safe_name = _check_extension(safe_name, kind, details)
        stream.seek(0)
        if kind == FileKind.PDF:
            _check_pdf(stream, safe_name, details)
        elif kind in (FileKind.PNG, FileKind.JPEG):
            _check_image(stream, safe_name, details)
    finally:
        stream.seek(0)
    return CheckedUpload(kind=kind, content_type=CONTENT_TYPES[kind], safe_name=safe_name, size=size, sha256=sha256)


def clean_upload_name(name: str, *, details: dict | None = None) -> str:
    """The name to keep: the last path component, NFC, no control characters, at most 150 characters.

    A browser may send a whole client path (``C:\\Users\\x\\a.pdf``): only its last component is kept.
    A ``..`` component has no innocent reason to be there and is refused, as are control and
    direction-override characters (``baocao\\u202efdp.exe`` shows as ``baocaoexe.pdf``).
    """
    details = dict(details or {})
    raw = unicodedata.normalize("NFC", name or "")
    shown = "".join(c if unicodedata.category(c) not in _BAD_CATEGORIES else "?" for c in raw)[:MAX_NAME_LENGTH]
    details.setdefault("filename", shown)
    if any(unicodedata.category(c) in _BAD_CATEGORIES for c in raw):
        _refuse(
            "upload_bad_name",
            f"Tên tệp “{shown}” chứa ký tự điều khiển hoặc ký tự ẩn; hãy đổi tên tệp rồi tải lên lại.",
            "The file name contains control or invisible characters.",
            details,
        )
    parts = re.split(r"[\\/]", raw)
    if any(part.strip() == ".." for part in parts):
        _refuse(
            "upload_bad_name",
            f"Tên tệp “{shown}” chứa đường dẫn thư mục (“..”); hãy chọn đúng tệp rồi tải lên lại.",
            "The file name contains a '..' path component.",
            details,
        )
    base = " ".join(parts[-1].split()).strip(" .")
    base = _WINDOWS_RESERVED.sub("_", base)
    if not base:
        _refuse("upload_bad_name", "Tệp tải lên phải có tên.", "The upload has no file name.", details)
    if len(base) > MAX_NAME_LENGTH:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            base = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            base = base[:MAX_NAME_LENGTH].rstrip(" .")
    return base


# -- size and type ---------------------------------------------------------------------------------


def _digest(stream: IO[bytes], name: str, details: dict) -> tuple[str, int]:
    """SHA-256 and size, reading no further than one chunk past the limit."""
    limit = max_upload_bytes()
    declared = getattr(stream, "size", None)
    if isinstance(declared, int) and declared > limit:
        _too_large(name, limit, details)
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            stream.seek(0)
            _too_large(name, limit, details)
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def _too_large(name: str, limit: int, details: dict) -> NoReturn:
    """Refused past the limit: reading stops there, so the message gives the limit, not the full size."""
    limit_mb = limit // (1024 * 1024)
    _refuse(
        "upload_too_large",
        f"Tệp “{name}” lớn hơn dung lượng cho phép ({limit_mb} MB); "
        "hãy nén, chia nhỏ hoặc quét lại ở độ phân giải thấp hơn.",
        f"The file exceeds the {limit_mb} MB limit.",
        {**details, "max_bytes": limit, "max_mb": limit_mb},
    )


def _sniff(stream: IO[bytes], name: str, details: dict, allowed: frozenset[FileKind]) -> FileKind:
    """The kind read from the content: magic bytes, and for zips the members that make the format."""
    stream.seek(0)
    head = stream.read(1024)
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"PK\x03\x04"):
        return _check_zip(stream, name, details, allowed)
    what = next((label for magic, label in _OTHER_SIGNATURES if head.startswith(magic)), None)
    if what is None and head.startswith(b"PK"):
        what = "tệp nén ZIP hỏng hoặc không đầy đủ"
    if what is None:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if b"<svg" in text:
            what = "ảnh SVG (có thể chứa mã lệnh)"
        elif text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
            what = "trang HTML"
        elif text.startswith(b"<?xml") or text.startswith(b"<"):
            what = "tệp XML/HTML"
    _refuse_kind(name, what or "loại tệp không nhận dạng được", allowed, details)


def _refuse_kind(name: str, what: str, allowed: frozenset[FileKind], details: dict) -> NoReturn:
    kinds = [kind for kind in FileKind if kind in allowed]
    _refuse(
        "upload_type_not_allowed",
        f"Tệp “{name}” là {what}; ở đây chỉ nhận: {', '.join(LABELS[kind] for kind in kinds)}.",
        f"This type of file is not accepted here; accepted: {', '.join(kind.value for kind in kinds)}.",
        {**details, "detected": what},
    )


def _check_extension(name: str, kind: FileKind, details: dict) -> str:
    """The name, with the kind's extension added if it had none; a different extension is refused."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return name + EXTENSIONS[kind][0]
    if "." + extension.lower() in EXTENSIONS[kind]:
        return name
    _refuse(
        "upload_name_mismatch",
        f"Tên tệp “{name}” có đuôi .{extension} nhưng nội dung là {LABELS[kind]}; "
        f"hãy kiểm tra lại tệp hoặc đổi đuôi tên tệp cho đúng.",
        f"The name says .{extension} but the content is {kind.value}.",
        {**details, "detected": kind.value, "extension": extension},
    )


# -- zip containers (DOCX, XLSX, ODT) ------------------------------------------------------------------


def _check_zip(stream: IO[bytes], name: str, details: dict, allowed: frozenset[FileKind]) -> FileKind:
    """Refuse what is unsafe to unpack, then tell DOCX, XLSX and ODT apart by their defining members."""
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
        _office_malformed(name, details, exc)
    if len(members) > ZIP_MAX_MEMBERS:
        _bomb(name, details, f"{len(members)} thành phần")
    names = set()
    expanded = 0
    for member in members:
        member_name = member.filename
        if (
            member_name.startswith(("/", "\\"))
            or re.match(r"^[A-Za-z]:", member_name)
            or ".." in re.split(r"[\\/]", member_name)
            or "\x00" in member_name
        ):
            _refuse(
                "upload_office_malformed",
                f"Tệp “{name}” chứa thành phần có đường dẫn không hợp lệ (“{member_name[:80]}”).",
                "A member of the file has an absolute or '..' path.",
                details,
            )
        if member.flag_bits & 0x1:
            _refuse(
                "upload_office_malformed",
                f"Tệp “{name}” được nén có mật khẩu nên không kiểm tra được; hãy gỡ mật khẩu rồi tải lên lại.",
                "The file is an encrypted zip.",
                details,
            )
        if member_name in names:
            _office_malformed(name, details, None)
        names.add(member_name)
        if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            _bomb(name, details, f"tỉ lệ nén {member.file_size // max(member.compress_size, 1)}:1")
        expanded += member.file_size
        if expanded > ZIP_MAX_EXPANDED:
            _bomb(name, details, f"hơn {ZIP_MAX_EXPANDED // (1024 * 1024)} MB khi giải nén")
    kind = _zip_kind(archive, names, name, details, allowed)
    # Read every member through: a bad CRC or a stream longer than its header says is refused here,
    # and the sizes just checked bound how much is inflated (zipfile stops at the declared size).
    try:
        for member in members:
            with archive.open(member) as member_file:
                while member_file.read(_CHUNK):
                    pass
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, zlib.error) as exc:
        _office_malformed(name, details, exc)
    return kind


def _zip_kind(
    archive: zipfile.ZipFile, names: set[str], name: str, details: dict, allowed: frozenset[FileKind]
) -> FileKind:
    if "mimetype" in names and _read_member(archive, "mimetype", name, details).strip() == _ODT_MIMETYPE:
        if "content.xml" not in names:
            _office_malformed(name, details, None)
        return FileKind.ODT
    if "[Content_Types].xml" in names:
        types = _parse_content_types(_read_member(archive, "[Content_Types].xml", name, details), name, details)
        for part, (kind, main_type) in _OOXML_MAIN.items():
            if part in names:
                # A macro-enabled document (.docm, .xlsm) or a template differs only in this content type.
                if types.get("/" + part) != main_type:
                    _refuse_kind(name, "tệp Office có macro hoặc tệp mẫu", allowed, details)
                return kind
        _office_malformed(name, details, None)
    _refuse_kind(name, "tệp nén ZIP", allowed, details)


def _read_member(archive: zipfile.ZipFile, member: str, name: str, details: dict) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > 1024 * 1024:
        _office_malformed(name, details, None)
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, zlib.error) as exc:
        _office_malformed(name, details, exc)


def _parse_content_types(raw: bytes, name: str, details: dict) -> dict[str, str]:
    """The part → content type overrides; a DOCTYPE (entity tricks) is never part of a real one."""
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        _office_malformed(name, details, None)
    try:
        # No DOCTYPE (refused above) means no entity to expand: what defusedxml would guard against.
        root = ET.fromstring(raw)  # noqa: S314
    except ET.ParseError as exc:
        _office_malformed(name, details, exc)
    return {
        element.get("PartName", ""): element.get("ContentType", "")
        for element in root
        if element.tag.endswith("}Override")
    }


def _bomb(name: str, details: dict, what: str) -> NoReturn:
    _refuse(
        "upload_zip_bomb",
        f"Tệp “{name}” bung ra quá lớn ({what}), có dấu hiệu tệp nén độc hại nên không được nhận.",
        "The file expands far beyond its size (a zip bomb).",
        details,
    )


def _office_malformed(name: str, details: dict, exc: Exception | None) -> NoReturn:
    _refuse(
        "upload_office_malformed",
        f"Tệp “{name}” bị hỏng hoặc không đúng định dạng Word/Excel/OpenDocument.",
        "The office file is damaged or not in a recognised format.",
        details,
        cause=exc,
    )


# -- PDF ------------------------------------------------------------------------------------------------


_PDF_PARSE_ERRORS = (
    PdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    OverflowError,
    RecursionError,
    NotImplementedError,
    EOFError,
    zlib.error,
    struct.error,
)


def _check_pdf(stream: IO[bytes], name: str, details: dict) -> None:
    """Parse the PDF (pyHanko, with its decoding limits for untrusted input) and walk every object it uses.

    The walk starts at the trailer and follows every reference, so objects packed in compressed object
    streams are read like any other: hiding ``/JavaScript`` in an object stream does not hide it.
    pyHanko's non-strict mode repairs what viewers repair too (a ``startxref`` a few bytes off, common
    from office scanners); every object the document uses must still parse, so a truncated or garbage
    file is refused.
    """
    found = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfFileReader(stream, strict=False)
            encrypted = reader.encrypt_dict is not None
            if not encrypted:
                found = _pdf_active_content(reader)
    except _PDF_PARSE_ERRORS as exc:
        _refuse(
            "upload_pdf_malformed",
            f"Tệp “{name}” không phải PDF hợp lệ (bị hỏng hoặc tải lên chưa hết) nên không đọc được.",
            "The PDF is damaged or truncated and cannot be read.",
            details,
            cause=exc,
        )
    if encrypted:
        _refuse(
            "upload_pdf_encrypted",
            f"Tệp “{name}” là PDF có mật khẩu hoặc mã hoá; hãy gỡ mật khẩu rồi tải lên lại.",
            "The PDF is encrypted; remove the password and upload it again.",
            details,
        )
    if found:
        _refuse(
            "upload_pdf_active_content",
            f"Tệp “{name}” chứa {found}, có thể chạy mã độc khi mở nên không được nhận; "
            f"hãy in lại ra PDF thường (Print to PDF) rồi tải lên.",
            "The PDF carries active content (JavaScript, launch actions or embedded files).",
            {**details, "found": found},
        )


def _pdf_active_content(reader: PdfFileReader) -> str:
    """What a viewer would run or unpack, in Vietnamese, or ``""``; malformed structure raises."""
    root = reader.root
    pages = root["/Pages"]
    if not isinstance(pages, generic.DictionaryObject) or int(pages.get("/Count", 0)) < 1:
        raise ValueError("the document has no pages")
    stack: list = [reader.trailer_view]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > PDF_MAX_OBJECTS:
                raise ValueError("too many objects")
            obj = obj.get_object()
        if isinstance(obj, generic.DictionaryObject):
            for dict_key, value in dict.items(obj):
                if dict_key in _PDF_ACTIVE_KEYS:
                    return _PDF_ACTIVE_KEYS[dict_key]
                if dict_key == "/S" and isinstance(value, generic.NameObject) and value in _PDF_ACTIVE_ACTIONS:
                    return _PDF_ACTIVE_ACTIONS[value]
                if dict_key in ("/Type", "/Subtype") and value in _PDF_ACTIVE_TYPES:
                    return _PDF_ACTIVE_TYPES[value]
                stack.append(value)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj.iterate())
    return ""


# -- images ---------------------------------------------------------------------------------------------


def _check_image(stream: IO[bytes], name: str, details: dict) -> None:
    """The header parses, the size is a page's rather than a decompression bomb's, PNG chunks verify.

    Pillow's own guard (``Image.MAX_IMAGE_PIXELS``, about 89 million pixels; an A4 page scanned at
    600 dpi is 35 million) is made an error, so a header claiming billions of pixels is refused unread.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        _refuse(
            "upload_image_too_large",
            f"Ảnh “{name}” có quá nhiều điểm ảnh; hãy quét lại ở độ phân giải thấp hơn.",
            "The image has too many pixels.",
            details,
            cause=exc,
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error) as exc:
        _refuse(
            "upload_image_malformed",
            f"Ảnh “{name}” bị hỏng hoặc không đúng định dạng nên không đọc được.",
            "The image is damaged or not in the format it claims.",
            details,
            cause=exc,
        )


def _refuse(code: str, message: str, message_en: str, details: dict, *, cause: Exception | None = None) -> NoReturn:
    error = InvalidInput(message, code=code, message_en=message_en, details=dict(details))
    if cause is not None:
        raise error from cause
    raise error
