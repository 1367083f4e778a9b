"""Reads on the audit trail: who viewed, downloaded, printed or exported what, and when.

Decree 30 asks that access to records be traceable, and a leaked directive is only investigated
if the trail says who opened it. Every page, file and export that shows a document's content calls
:func:`record_read` once the reader's right to it has been checked (so a refused attempt is not
logged as a read, and nothing is logged for an object the reader may not know exists).

A read happens outside any action, so the row gets a short transaction of its own. It is one plain
insert (:func:`journal.audit.record` takes no shared lock): opening a page costs one statement more.

Reads of a document are recorded against the document itself (``object_type`` ``documents.document``),
whichever page or file they came through (the data says which: a delivery, a file, a format), so
:func:`readers_of` answers "who has seen this document?" from one index range.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Count, Max, Min

from journal.audit import record
from journal.models import AuditEvent

VIEWED = "viewed"
DOWNLOADED = "downloaded"
PRINTED = "printed"
EXPORTED = "exported"
KINDS = (VIEWED, DOWNLOADED, PRINTED, EXPORTED)

#: What the kinds are called on the pages.
KIND_LABELS = {VIEWED: "xem", DOWNLOADED: "tải tệp", PRINTED: "in", EXPORTED: "xuất"}


def record_read(
    *,
    actor,
    kind: str,
    target: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Write one read of ``target`` (or of ``object_type``/``object_id``) by ``actor``; verb ``<type>.<kind>``."""
    if kind not in KINDS:
        raise ValueError(f"read kind {kind!r} must be one of {', '.join(KINDS)}")
    if target is None and not object_type:
        raise ValueError("a read names what was read: a target, or an object_type and object_id")
    label = object_type or target._meta.label_lower
    with transaction.atomic():
        return record(
            actor=actor,
            verb=f"{label}.{kind}",
            target=target,
            object_type=object_type,
            object_id=object_id,
            data=data,
        )


def record_export(*, actor, object_type: str, object_id: str | int, fmt: str, data: dict | None = None) -> AuditEvent:
    """A register or report taken away: as PDF it is for printing (``printed``), otherwise ``exported``."""
    kind = PRINTED if fmt == "pdf" else EXPORTED
    return record_read(
        actor=actor, kind=kind, object_type=object_type, object_id=object_id, data={"format": fmt, **(data or {})}
    )


@dataclass(frozen=True)
class Reader:
    """One person's reads of one object: first and last time, how many, of which kinds."""

    actor_id: int | None
    username: str
    unit_name: str
    first_at: datetime.datetime
    last_at: datetime.datetime
    times: int
    kinds: tuple[str, ...]

    @property
    def kinds_display(self) -> str:
        return ", ".join(KIND_LABELS[kind] for kind in self.kinds)


def readers_of(*, object_type: str, object_id: str | int, limit: int = 200) -> list[Reader]:
    """Who read the object, most recent first: one grouped query on the (object_type, object_id) index."""
    verbs = [f"{object_type}.{kind}" for kind in KINDS]
    rows = (
        AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id), verb__in=verbs)
        .values("actor_id", "actor_username", "unit_name", "verb")
        .annotate(first_at=Min("at"), last_at=Max("at"), times=Count("id"))
        .order_by()
    )
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = (row["actor_id"], row["actor_username"], row["unit_name"])
        entry = merged.setdefault(
            key, {"first_at": row["first_at"], "last_at": row["last_at"], "times": 0, "kinds": set()}
        )
        entry["first_at"] = min(entry["first_at"], row["first_at"])
        entry["last_at"] = max(entry["last_at"], row["last_at"])
        entry["times"] += row["times"]
        entry["kinds"].add(row["verb"].rsplit(".", 1)[1])
    readers = [
        Reader(
            actor_id=actor_id,
            username=username,
            unit_name=unit_name,
            first_at=entry["first_at"],
            last_at=entry["last_at"],
            times=entry["times"],
            kinds=tuple(kind for kind in KINDS if kind in entry["kinds"]),
        )
        for (actor_id, username, unit_name), entry in merged.items()
    ]
    readers.sort(key=lambda reader: reader.last_at, reverse=True)
    return readers[:limit]
