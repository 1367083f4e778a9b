"""Comparing two versions of a draft (so sánh phiên bản): what a reviewer needs to see changed.

Works on the snapshots versions keep, not on live rows, so any two versions compare the same way
forever. Scalar fields give old → new; recipients, lists, references and files give what was added
and removed; the body gives a line diff of its paragraphs' text (one paragraph per line), plus a
flag when only emphasis (bold/italic) changed, which a text diff cannot show.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from documents.models import DocumentVersion

#: Scalar fields of the snapshot, with the label a page shows for each.
FIELD_LABELS: dict[str, str] = {
    "document_type": "Loại văn bản",
    "drafting_unit": "Đơn vị soạn thảo",
    "summary": "Trích yếu",
    "urgency": "Độ khẩn",
    "kinh_gui": "Kính gửi",
    "noi_nhan": "Nơi nhận",
    "luu": "Lưu",
    "signer_authority": "Thẩm quyền ký",
    "signer_position": "Chức vụ người ký",
    "signer_name": "Người ký",
    "place": "Địa danh",
}

#: The list parts of a snapshot and what identifies one entry in each.
_COLLECTIONS: dict[str, tuple[str, ...]] = {
    "recipients": ("unit", "purpose"),
    "recipient_lists": ("distribution_list", "purpose"),
    "references": ("kind", "target", "citation"),
    "attachments": ("key", "role", "filename"),
}


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class BodyLine:
    """One line of the body diff: ``op`` is ``"equal"``, ``"removed"`` or ``"added"``."""

    op: str
    text: str


@dataclass(frozen=True)
class Changes:
    """Entries of one list part (as stored in the snapshot) present only in the older or the newer version."""

    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class VersionDiff:
    old_number: int
    new_number: int
    fields: list[FieldChange]
    recipients: Changes
    recipient_lists: Changes
    references: Changes
    attachments: Changes
    body: list[BodyLine]
    body_formatting_changed: bool

    @property
    def body_changed(self) -> bool:
        return any(line.op != "equal" for line in self.body) or self.body_formatting_changed

    @property
    def has_changes(self) -> bool:
        parts = (self.recipients, self.recipient_lists, self.references, self.attachments)
        return bool(self.fields) or any(parts) or self.body_changed


def compare_versions(a: DocumentVersion, b: DocumentVersion) -> VersionDiff:
    """What changed from ``a`` to ``b`` (two versions of one document, in either order of saving)."""
    if a.document_id != b.document_id:
        raise ValueError("only versions of the same document can be compared")
    old, new = a.snapshot, b.snapshot
    fields = [
        FieldChange(name=name, label=label, old=_display(old.get(name)), new=_display(new.get(name)))
        for name, label in FIELD_LABELS.items()
        if old.get(name) != new.get(name)
    ]
    old_lines, new_lines = body_lines(old.get("body", [])), body_lines(new.get("body", []))
    return VersionDiff(
        old_number=a.number,
        new_number=b.number,
        fields=fields,
        **{name: _changes(old.get(name, []), new.get(name, []), key) for name, key in _COLLECTIONS.items()},
        body=_line_diff(old_lines, new_lines),
        body_formatting_changed=old_lines == new_lines and old.get("body") != new.get("body"),
    )


def body_lines(body: list[list[dict]]) -> list[str]:
    """The body's text, one paragraph per line."""
    return ["".join(run["text"] for run in paragraph) for paragraph in body]


def _display(value: Any) -> Any:
    # Related rows are kept as {"id", "name"}: a page shows the name.
    if isinstance(value, dict) and "name" in value:
        return value["name"]
    return value


def _changes(old: list[dict], new: list[dict], key: tuple[str, ...]) -> Changes:
    old_keys = {tuple(item.get(k) for k in key) for item in old}
    new_keys = {tuple(item.get(k) for k in key) for item in new}
    return Changes(
        added=[item for item in new if tuple(item.get(k) for k in key) not in old_keys],
        removed=[item for item in old if tuple(item.get(k) for k in key) not in new_keys],
    )


def _line_diff(old: list[str], new: list[str]) -> list[BodyLine]:
    lines: list[BodyLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(BodyLine("equal", text) for text in old[i1:i2])
            continue
        lines.extend(BodyLine("removed", text) for text in old[i1:i2])
        lines.extend(BodyLine("added", text) for text in new[j1:j2])
    return lines
