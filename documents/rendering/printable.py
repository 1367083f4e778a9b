"""What a document looks like on paper, as plain data (văn bản để in).

The PDF and the .docx renderers read only these frozen dataclasses, never the models, so whatever
fills them (the dispatch workflow at issue time, a preview of a draft, a test) decides where the
content comes from, and the layout code has one input shape to get right. Every string is normalised
to NFC on construction: TeX Gyre Termes has no combining horn (U+031B), so a decomposed "ơ" would
print as a fallback glyph, and the text extracted back from the PDF would not match the source.
"""

from __future__ import annotations

import datetime
import enum
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "Authority",
    "Paragraph",
    "Printable",
    "Run",
    "Signature",
    "Urgency",
    "format_date_line",
    "paragraphs_from_runs",
]


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


class Urgency(enum.StrEnum):
    """Độ khẩn; the values are the ones ``documents.models.Urgency`` stores, so either maps to the other."""

    NORMAL = ""
    KHAN = "khan"
    THUONG_KHAN = "thuong_khan"
    HOA_TOC = "hoa_toc"

    @property
    def stamp(self) -> str:
        """The words in the stamp's frame (Decree 30: upper-case, bold), empty for an ordinary document."""
        return {"": "", "khan": "KHẨN", "thuong_khan": "THƯỢNG KHẨN", "hoa_toc": "HỎA TỐC"}[self.value]


class Authority(enum.StrEnum):
    """Thẩm quyền ký: the prefix of the signature block (values as ``documents.models.SignerAuthority``)."""

    DIRECT = ""
    TM = "TM."
    KT = "KT."
    TL = "TL."
    TUQ = "TUQ."
    Q = "Q."


@dataclass(frozen=True)
class Run:
    """A stretch of text with one emphasis; a numbered item's "1." is just a bold run."""

    text: str
    bold: bool = False
    italic: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _nfc(self.text))


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph (justified, first line indented)."""

    runs: tuple[Run, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "runs", tuple(self.runs))

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def paragraphs_from_runs(body: Iterable[Iterable[Mapping[str, object]]]) -> tuple[Paragraph, ...]:
    """Paragraphs from the stored body shape ``[[{"text", "bold", "italic"}, ...], ...]`` of a draft."""
    return tuple(
        Paragraph(
            runs=tuple(
                Run(text=str(run["text"]), bold=bool(run.get("bold", False)), italic=bool(run.get("italic", False)))
                for run in paragraph
            )
        )
        for paragraph in body
    )


@dataclass(frozen=True)
class Signature:
    """The signature block (Phụ lục I, ô 7): authority, position, room for the signature, name.

    ``on_behalf_of`` is what follows the prefix for TM./KT./TL./TUQ. ("GIÁM ĐỐC" in "KT. GIÁM ĐỐC",
    "ỦY BAN NHÂN DÂN" in "TM. ỦY BAN NHÂN DÂN"); ``position`` is the signer's own title ("PHÓ GIÁM ĐỐC").
    A direct signature and "Q." print one line, the others two. ``image`` is the handwritten signature
    (PNG) when the signer signs electronically; without it the block keeps the blank space for ink.
    """

    position: str
    signer_name: str
    authority: Authority = Authority.DIRECT
    on_behalf_of: str = ""
    image: bytes | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "authority", Authority(self.authority))
        for name in ("position", "signer_name", "on_behalf_of"):
            object.__setattr__(self, name, _nfc(getattr(self, name)))
        if self.authority in {Authority.TM, Authority.KT, Authority.TL, Authority.TUQ} and not self.on_behalf_of:
            raise ValueError(f"{self.authority.value} needs on_behalf_of (the body or head signed for).")

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The upper-case lines above the signature: ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC") or ("GIÁM ĐỐC",)."""
        position = self.position.upper()
        if self.authority is Authority.DIRECT:
            return (position,)
        if self.authority is Authority.Q:
            return (f"Q. {position}",)
        return (f"{self.authority.value} {self.on_behalf_of.upper()}", position)


@dataclass(frozen=True)
class Printable:
    """Everything printed on an issued document, in the order of Phụ lục I.

    ``number_symbol`` is the finished symbol ("960/SGDĐT-CNTTTBT"); ``None`` prints the blank
    "Số:      /SGDĐT-…" of an unnumbered draft, using ``draft_symbol_suffix`` after the slash.
    ``type_name`` is empty for a công văn (its summary prints as "V/v …" under the number); for every
    other type it prints as the centred bold title with the summary under it. ``recipients`` are the
    "Kính gửi" lines (one prints on the same line, several as a "- …;" list); ``copies_to`` are the
    "Nơi nhận" lines as written, the last one "Lưu: VT, …". Secrecy is absent on purpose: secret
    documents never reach this system.
    """

    parent_body: str
    issuing_body: str
    number_symbol: str | None
    place: str
    date: datetime.date
    summary: str
    body: tuple[Paragraph, ...]
    signature: Signature
    copies_to: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    type_name: str = ""
    urgency: Urgency = Urgency.NORMAL
    draft_symbol_suffix: str = ""

    def __post_init__(self) -> None:
        for name in ("parent_body", "issuing_body", "place", "summary", "type_name", "draft_symbol_suffix"):
            object.__setattr__(self, name, _nfc(getattr(self, name)))
        if self.number_symbol is not None:
            object.__setattr__(self, "number_symbol", _nfc(self.number_symbol))
        object.__setattr__(self, "body", tuple(self.body))
        object.__setattr__(self, "recipients", tuple(_nfc(line) for line in self.recipients))
        object.__setattr__(self, "copies_to", tuple(_nfc(line) for line in self.copies_to))
        object.__setattr__(self, "urgency", Urgency(self.urgency))

    @property
    def is_cong_van(self) -> bool:
        """A công văn has no type title; its summary goes under the number as "V/v …"."""
        return not self.type_name

    @property
    def number_line(self) -> str:
        """ "Số: 960/SGDĐT-CNTTTBT", or the draft's blank "Số:      /SGDĐT-CNTTTBT" awaiting the number."""
        if self.number_symbol is not None:
            return f"Số: {self.number_symbol}"
        return f"Số:\u2002\u2002\u2002\u2002\u2002/{self.draft_symbol_suffix}"

    @property
    def date_line(self) -> str:
        return format_date_line(place=self.place, date=self.date)

    @property
    def summary_lines(self) -> tuple[str, ...]:
        """The summary split at the line breaks the drafter typed ("V/v …" is added for a công văn)."""
        lines = tuple(line.strip() for line in self.summary.splitlines() if line.strip())
        if self.is_cong_van and lines and not lines[0].startswith("V/v"):
            lines = (f"V/v {lines[0]}", *lines[1:])
        return lines

    @property
    def title(self) -> str:
        """The document's title for PDF metadata: the summary on one line."""
        return " ".join(self.summary_lines)


def format_date_line(*, place: str, date: datetime.date) -> str:
    """ "Đồng Tháp, ngày 13 tháng 8 năm 2018": day < 10 and months 1 and 2 get a leading zero (Decree 30)."""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return _nfc(f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}")
