"""Number symbols (số, ký hiệu) of Decree 30, Phụ lục III: build them, and read them back as typed.

``05/QĐ-SGDĐT`` is number / type abbreviation - agency abbreviation; a type without abbreviation (a
công văn) takes the drafting unit instead: ``960/SGDĐT-CNTTTBT``. Numbers under 10 get a leading
zero, and there are no spaces. A legal normative document carries its year: ``05/2026/NQ-HĐND``.
Symbols typed from paper come with stray spaces ("960 /SGDĐT- CNTTTBT") and other dashes;
:func:`parse_symbol` reads them into parts whose ``canonical`` form compares equal, which is what
duplicate detection on registration needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from documents.models import ABBREVIATION_PATTERN, DocumentType
from journal.errors import InvalidInput

_ABBREVIATION = re.compile(ABBREVIATION_PATTERN)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_SYMBOL = re.compile(
    r"^(?:số\s*:?\s*)?(?P<number>\d+)\s*/\s*(?:(?P<year>\d{4})\s*/\s*)?(?P<rest>[^\W_]+(?:\s*-\s*[^\W_]+)+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedSymbol:
    """A symbol read back into its parts; ``type_abbreviation`` is empty for the công văn form."""

    number: int
    year: int | None
    type_abbreviation: str
    agency: str
    drafting_unit: str

    @property
    def canonical(self) -> str:
        """The symbol as :func:`build_symbol` writes it."""
        head = f"{format_number(self.number)}/" + (f"{self.year}/" if self.year else "")
        tail = [self.type_abbreviation, self.agency, self.drafting_unit]
        return head + "-".join(part for part in tail if part)


def format_number(n: int) -> str:
    """``5`` → ``"05"``, ``10`` → ``"10"``: numbers under 10 get a leading zero."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInput(
            f"Số văn bản phải là số nguyên dương, không phải {n!r}.",
            code="invalid_document_number",
            message_en=f"A document number must be a positive whole number, not {n!r}.",
        )
    return f"{n:02d}"


def build_symbol(
    *,
    number: int,
    document_type: DocumentType,
    agency_abbreviation: str,
    drafting_unit_abbreviation: str | None = None,
    year: int | None = None,
) -> str:
    """The number symbol: ``05/QĐ-SGDĐT``, or ``960/SGDĐT-CNTTTBT`` for a type without abbreviation.

    The drafting unit is required for a type without abbreviation and ignored otherwise; ``year`` is
    given only for a legal normative document (``05/2026/NQ-HĐND``).
    """
    head = format_number(number) + "/"
    if year is not None:
        if not 1000 <= year <= 9999:
            raise InvalidInput(
                f"Năm ban hành {year!r} không hợp lệ.", code="invalid_symbol_year", message_en=f"Invalid year {year!r}."
            )
        head += f"{year}/"
    agency = _abbreviation(agency_abbreviation, what="cơ quan ban hành", code="invalid_agency_abbreviation")
    if document_type.abbreviation:
        kind = _abbreviation(document_type.abbreviation, what="loại văn bản", code="invalid_type_abbreviation")
        return f"{head}{kind}-{agency}"
    if not drafting_unit_abbreviation or not drafting_unit_abbreviation.strip():
        raise InvalidInput(
            f"{document_type.name} phải ghi chữ viết tắt của đơn vị soạn thảo trong ký hiệu.",
            code="drafting_unit_required",
            message_en=f"A {document_type.name} symbol needs the drafting unit's abbreviation.",
        )
    drafting = _abbreviation(
        drafting_unit_abbreviation, what="đơn vị soạn thảo", code="invalid_drafting_unit_abbreviation"
    )
    return f"{head}{agency}-{drafting}"


def parse_symbol(text: str, *, type_abbreviations: Collection[str] | None = None) -> ParsedSymbol:
    """Read a symbol as typed (``"Số: 960 /SGDĐT- CNTTTBT"``) into its parts.

    Whether the first part after the number is a type abbreviation or an agency is decided by
    ``type_abbreviations`` (every document type's, read from the database when not given).
    """
    cleaned = unicodedata.normalize("NFC", text or "").translate(_DASHES).strip()
    match = _SYMBOL.match(cleaned)
    if match is None or int(match["number"]) < 1:
        raise InvalidInput(
            f"Không đọc được số, ký hiệu văn bản “{text}”. Ví dụ đúng: 05/QĐ-SGDĐT, 960/SGDĐT-CNTTTBT.",
            code="invalid_symbol",
            message_en=f"Cannot read the document symbol {text!r}; expected e.g. 05/QĐ-SGDĐT.",
        )
    parts = [part.strip() for part in match["rest"].split("-")]
    if type_abbreviations is None:
        type_abbreviations = set(DocumentType.objects.exclude(abbreviation="").values_list("abbreviation", flat=True))
    year = int(match["year"]) if match["year"] else None
    if parts[0] in type_abbreviations:
        return ParsedSymbol(
            number=int(match["number"]),
            year=year,
            type_abbreviation=parts[0],
            agency=parts[1],
            drafting_unit="-".join(parts[2:]),
        )
    return ParsedSymbol(
        number=int(match["number"]), year=year, type_abbreviation="", agency=parts[0], drafting_unit="-".join(parts[1:])
    )


def _abbreviation(value: str, *, what: str, code: str) -> str:
    value = unicodedata.normalize("NFC", value or "")
    if not _ABBREVIATION.match(value):
        raise InvalidInput(
            f"Chữ viết tắt của {what} “{value}” không hợp lệ: chỉ gồm chữ cái và chữ số, "
            "không có dấu cách, '/' hay '-'.",
            code=code,
            message_en=f"The abbreviation {value!r} may contain only letters and digits.",
        )
    return value
