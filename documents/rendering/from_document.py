"""A :class:`~documents.rendering.printable.Printable` built from a ``Document`` row (văn bản để in).

The layout code reads only plain data; this module is the one place that decides how the stored
fields map onto Decree 30's header, number line, date line, "Kính gửi", "Nơi nhận" and signature
block. A draft (no number yet) prints in the form Decree 30 gives a dự thảo: the number blank before
the slash ("Số:      /SGDĐT-CNTTTBT") and the date as "ngày … tháng … năm …", both filled by the
clerk at issue.

The two header lines come from the unit tree: the issuing body is the issuer unit, the parent body
(cơ quan chủ quản) its parent. Phụ lục I lets the parent body abbreviate common phrases ("Ủy ban nhân
dân" → "UBND"), and the issuing body drops the place name the parent line already carries, which is
how "Sở Giáo dục và Đào tạo Đồng Tháp" under "Ủy ban nhân dân tỉnh Đồng Tháp" prints as "UBND TỈNH ĐỒNG
THÁP" over "SỞ GIÁO DỤC VÀ ĐÀO TẠO". A Phòng GDĐT hangs under the Sở in the tree (its professional
line), but its cơ quan chủ quản is the district People's Committee, so its parent line is "UBND" plus
the district named in its own name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import timezone

from documents.models import Document
from documents.rendering.printable import (
    Authority,
    Printable,
    Signature,
    Urgency,
    paragraphs_from_runs,
)
from organizations.models import Unit, UnitKind

__all__ = ["CONG_VAN", "DraftPrintable", "issuing_body_of", "parent_body_of", "printable_for"]

CONG_VAN = "Công văn"
#: Types whose summary prints as "V/v …" under the number, with no title line.
_UNTITLED_TYPES = frozenset({CONG_VAN})
#: Phụ lục I: the parent body "may abbreviate common phrases".
_ABBREVIATIONS = (
    ("Ủy ban nhân dân", "UBND"),
    ("Uỷ ban nhân dân", "UBND"),
    ("Hội đồng nhân dân", "HĐND"),
    ("Giáo dục và Đào tạo", "GDĐT"),
)
#: Words that start a place name in a unit's name ("… tỉnh Đồng Tháp", "… thành phố Cao Lãnh").
_PLACE = re.compile(r"\s+((?:tỉnh|thành phố|thị xã|huyện|quận)\s+.+)$", re.IGNORECASE)
_DISTRICT_OFFICE = re.compile(r"^(Phòng Giáo dục và Đào tạo)\s+(.+)$", re.IGNORECASE)
#: The head of a unit, for TL./TUQ. when the drafter gave only the signer's own title.
_HEAD_TITLE = {
    UnitKind.DEPARTMENT: "GIÁM ĐỐC",
    UnitKind.DISTRICT_OFFICE: "TRƯỞNG PHÒNG",
    UnitKind.DIVISION: "TRƯỞNG PHÒNG",
    UnitKind.SCHOOL: "HIỆU TRƯỞNG",
}
#: "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" may be typed in the one position field as two parts.
_POSITION_SPLIT = re.compile(r"\s*(?:\n|/)\s*")
_DRAFT_DATE_LINE = "{place}, ngày\u2002\u2002\u2002\u2002tháng\u2002\u2002\u2002\u2002năm\u2002\u2002\u2002\u2002"


@dataclass(frozen=True)
class DraftPrintable(Printable):
    """A draft's printable: the date line keeps the day and month blank for the clerk (Decree 30 draft form).

    ``date`` is still set (the day the preview was made) because the PDF metadata needs a date; it
    never prints.
    """

    @property
    def date_line(self) -> str:
        return _DRAFT_DATE_LINE.format(place=self.place)


def printable_for(document: Document) -> Printable:
    """What ``document`` looks like on paper: issued (number and date) or a draft (blanks).

    Reads the type, the issuer and its parent (and grandparent, for a school under the Sở) and the
    drafting unit; pass a document fetched with ``select_related("document_type",
    "issuer__parent__parent", "drafting_unit")`` to do it without further queries.
    """
    issuer = document.issuer
    fields: dict[str, object] = {
        "parent_body": parent_body_of(issuer),
        "issuing_body": issuing_body_of(issuer),
        "number_symbol": (document.symbol or None) if document.number is not None else None,
        "draft_symbol_suffix": _draft_symbol_suffix(document),
        "place": document.place,
        "date": document.issued_on or timezone.localdate(),
        "summary": document.summary,
        "type_name": "" if document.document_type.name in _UNTITLED_TYPES else document.document_type.name,
        "recipients": kinh_gui_lines(document.kinh_gui),
        "body": paragraphs_from_runs(document.body or []),
        "copies_to": noi_nhan_lines(document.noi_nhan, luu=document.luu),
        "signature": signature_for(document),
        "urgency": Urgency(document.urgency or ""),
    }
    if document.number is None or document.issued_on is None:
        return DraftPrintable(**fields)
    return Printable(**fields)


def parent_body_of(issuer: Unit) -> str:
    """The cơ quan chủ quản line, upper-case; empty for a unit with none above it."""
    if issuer.kind == UnitKind.DISTRICT_OFFICE:
        match = _DISTRICT_OFFICE.match(issuer.name)
        if match:
            return f"UBND {match.group(2)}".upper()
    parent = issuer.parent
    if parent is None:
        return ""
    name = _abbreviate(parent.name)
    if _PLACE.search(parent.name) is None and parent.parent_id is not None:
        # "Sở GDĐT" alone does not say which province: borrow the place from the body above it.
        place = _PLACE.search(parent.parent.name)
        if place and not name.lower().endswith(_place_name(place.group(1)).lower()):
            name = f"{name} {_place_name(place.group(1))}"
    return name.upper()


def issuing_body_of(issuer: Unit) -> str:
    """The issuing body's line, upper-case, without a place name the parent line already shows."""
    name = issuer.name
    if issuer.kind == UnitKind.DISTRICT_OFFICE:
        match = _DISTRICT_OFFICE.match(name)
        if match:
            return match.group(1).upper()
    parent = issuer.parent
    place = _PLACE.search(parent.name) if parent is not None else None
    if place:
        for suffix in (place.group(1), _place_name(place.group(1))):
            if name.lower().endswith(" " + suffix.lower()):
                name = name[: -len(suffix)].rstrip()
                break
    return name.upper()


def kinh_gui_lines(lines: list[str]) -> tuple[str, ...]:
    """One addressee prints on the "Kính gửi:" line ending in "."; several as "- …;" with "." last."""
    lines = [line for line in (lines or []) if line.strip()]
    if len(lines) == 1:
        return (f"{lines[0]}.",)
    return tuple(f"- {line}{'.' if i == len(lines) - 1 else ';'}" for i, line in enumerate(lines))


def noi_nhan_lines(lines: list[str], *, luu: str) -> tuple[str, ...]:
    """ "- …;" per recipient, then "- Lưu: VT, …." (the drafting action stores both without punctuation)."""
    out = [f"- {line};" for line in (lines or []) if line.strip()]
    if luu.strip():
        out.append(f"- Lưu: {luu.strip().rstrip('.')}.")
    return tuple(out)


def signature_for(document: Document) -> Signature:
    """The signature block from the authority prefix, the position field and the name.

    The model keeps one position field. "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" may be typed in it as two parts
    ("GIÁM ĐỐC / PHÓ GIÁM ĐỐC"); given one part, KT. reads it as the head signed for and prints the
    deputy's title under it (a KT. signer is always the deputy), TM. signs for the issuing body
    itself, and TL./TUQ. sign for the issuer's head.
    """
    authority = Authority(document.signer_authority or "")
    # Upper-case as printed (Phụ lục I), so a stored "Giám đốc" and "GIÁM ĐỐC" give equal blocks.
    parts = [part.upper() for part in _POSITION_SPLIT.split(document.signer_position.strip()) if part]
    position = parts[-1] if parts else ""
    on_behalf_of = parts[0] if len(parts) > 1 else ""
    if authority in {Authority.TM, Authority.KT, Authority.TL, Authority.TUQ} and not on_behalf_of:
        if authority is Authority.KT:
            if position.startswith("PHÓ "):
                on_behalf_of = position[4:]
            else:
                on_behalf_of, position = position, f"PHÓ {position}"
        elif authority is Authority.TM:
            on_behalf_of = issuing_body_of(document.issuer)
        else:
            on_behalf_of = _HEAD_TITLE.get(document.issuer.kind, "THỦ TRƯỞNG CƠ QUAN")
    return Signature(
        position=position,
        signer_name=document.signer_name,
        authority=authority,
        on_behalf_of=on_behalf_of or "",
    )


def _draft_symbol_suffix(document: Document) -> str:
    """What follows the slash: "QĐ-SGDĐT", or "SGDĐT-CNTTTBT" for a type without abbreviation."""
    agency = document.issuer.abbreviation
    kind = document.document_type.abbreviation
    if kind:
        return "-".join(part for part in (kind, agency) if part)
    return "-".join(part for part in (agency, document.drafting_unit.abbreviation) if part)


def _abbreviate(name: str) -> str:
    for phrase, short in _ABBREVIATIONS:
        name = re.sub(re.escape(phrase), short, name, flags=re.IGNORECASE)
    return name


def _place_name(place: str) -> str:
    """ "tỉnh Đồng Tháp" → "Đồng Tháp": a Sở's line reads "SỞ GDĐT ĐỒNG THÁP"."""
    return re.sub(r"^(?:tỉnh|thành phố|thị xã|huyện|quận)\s+", "", place, flags=re.IGNORECASE)
