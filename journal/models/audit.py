"""The audit trail (nhật ký): append-only rows, each sealed with the hash of its content and of the row before.

An action appends its :class:`AuditEvent` inside its own transaction, as a plain insert that takes no
shared lock (:func:`journal.audit.record`), so busy offices do not queue behind each other's audit rows.
Right after the transaction commits, :mod:`journal.sealing` seals the committed rows into the chain, in
id order, under the single :class:`ChainHead`'s lock: each gets ``seq`` (1, 2, 3… without gaps: the
chain's order), ``prev_hash`` (the previous sealed row's ``hash``, or :data:`GENESIS_HASH` for the
first) and ``hash = sha256(prev_hash + canonical content)``, where the canonical content is a
deterministic JSON rendering of every stored field but ``seq`` and ``hash``. Editing a sealed row
breaks its own hash; deleting, inserting or reordering sealed rows breaks the next row's link or the
``seq`` run; the head remembers the last ``seq`` and hash, so rows cut off the end are noticed too.
:func:`journal.verify.verify_chain` checks all of it and counts rows not sealed yet (a row is unsealed
only between its commit and the sealing pass that follows it, or if that pass failed: the next one or
``journal_verify`` picks it up).

Ids come from the database and may skip a value when a transaction rolls back (its row goes with it,
as it should); ``seq`` never does.

The chain is unkeyed: someone who can rewrite the table *and* the head can forge a consistent chain.
The guards here (ORM refusals, database triggers that allow only the one sealing update of a row)
stop the application and careless hands; copying the head hash somewhere else now and then (a printed
report, another system) is what proves the past.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64

#: The fields the hash covers, in no particular order (the JSON is key-sorted). Every stored field
#: but ``seq`` and ``hash`` (``seq`` is the chain position, which ``prev_hash`` already pins); a test
#: keeps this list equal to the model's fields, so adding a column is a deliberate change to the chain
#: format rather than an accident that breaks every old hash.
HASHED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "unit_id",
    "unit_name",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "data",
    "prev_hash",
)


class AppendOnlyError(Exception):
    """Something tried to change or remove an audit row, or to add one outside ``journal.audit.record``."""


#: Set on an instance by :func:`journal.audit.record` before it saves; any other ``save()`` is refused.
RECORDED = "_journal_recorded"


def _utc_iso(value: datetime.datetime) -> str:
    # Fixed width with microseconds: the same instant always renders the same, whatever the zone.
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """``sha256(prev_hash + canonical)`` as 64 lowercase hex digits."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


class AuditEventQuerySet(models.QuerySet):
    """Reads only: every bulk write path of the ORM is refused."""

    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only: they cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events are append-only: they cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit events are append-only: they cannot be changed")

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOnlyError("audit events are written by journal.audit.record() only")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only: they cannot be changed")


class AuditEvent(models.Model):
    """One thing that happened: who, for which unit, did what to which object, when, from where."""

    # From the database at insert; a rolled-back action leaves a gap here, never in ``seq``.
    id = models.BigAutoField("mã", primary_key=True, editable=False)
    at = models.DateTimeField("thời điểm", editable=False)
    # No database constraint and DO_NOTHING: deleting a user or a unit must never touch history; the
    # snapshot columns keep the name as it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        editable=False,
    )
    actor_username = models.CharField("tên đăng nhập", max_length=150, blank=True, editable=False)
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name="đơn vị",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        editable=False,
    )
    unit_name = models.CharField("tên đơn vị", max_length=255, blank=True, editable=False)
    verb = models.CharField("hành động", max_length=100, editable=False)
    object_type = models.CharField("loại đối tượng", max_length=100, blank=True, editable=False)
    object_id = models.CharField("mã đối tượng", max_length=255, blank=True, editable=False)
    object_repr = models.CharField("đối tượng", max_length=200, blank=True, editable=False)
    ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True, editable=False)
    data = models.JSONField("dữ liệu", default=dict, blank=True, editable=False)
    # The seal, written once by journal.sealing after the row's transaction committed. NULL, not "",
    # until then: "not sealed yet" is a state of its own, and many unsealed rows share the unique column.
    seq = models.BigIntegerField("số thứ tự trong chuỗi", null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(  # noqa: DJ001
        "mã băm bản ghi trước", max_length=64, null=True, blank=True, editable=False
    )
    hash = models.CharField("mã băm", max_length=64, null=True, blank=True, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký"
        ordering = ["-id"]
        indexes = [
            # Sign-in lockout: failures and successes for one username after a moment.
            models.Index(fields=["verb", "object_type", "object_id", "at"], name="journal_audit_verb_obj_at"),
            # The history of one object, in chain order.
            models.Index(fields=["object_type", "object_id", "id"], name="journal_audit_object"),
            models.Index(fields=["at"], name="journal_audit_at"),
            # What the sealer reads after every commit: the few rows not in the chain yet, in id order.
            models.Index(fields=["id"], condition=models.Q(hash__isnull=True), name="journal_audit_unsealed"),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "hệ thống"
        what = f" {self.object_type}:{self.object_id}" if self.object_type else ""
        return f"#{self.id} {self.verb}{what} — {who}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only: they cannot be changed")
        if not getattr(self, RECORDED, False):
            raise AppendOnlyError("audit events are written by journal.audit.record() only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only: they cannot be deleted")

    def canonical_content(self) -> bytes:
        """Every stored field but ``hash``, as key-sorted compact UTF-8 JSON."""
        content = {name: getattr(self, name) for name in HASHED_FIELDS}
        content["at"] = _utc_iso(self.at)
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
            "utf-8"
        )

    def compute_hash(self) -> str:
        """What ``hash`` must be for the content and ``prev_hash`` this row holds."""
        return chain_hash(self.prev_hash, self.canonical_content())


class ChainHeadQuerySet(models.QuerySet):
    def delete(self):
        raise AppendOnlyError("the audit chain head cannot be deleted")


class ChainHead(models.Model):
    """The single row that says where the chain ends: the last sealed event's ``seq`` and hash.

    :mod:`journal.sealing` locks it (``SELECT … FOR UPDATE``) for the short transaction in which it
    seals, so sealing passes take turns while actions, which never touch it, do not wait.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    last_seq = models.BigIntegerField("số thứ tự cuối", default=0)
    last_hash = models.CharField("mã băm cuối", max_length=64, default=GENESIS_HASH)

    objects = ChainHeadQuerySet.as_manager()

    class Meta:
        verbose_name = "đầu chuỗi nhật ký"
        verbose_name_plural = "đầu chuỗi nhật ký"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="journal_chainhead_singleton")]

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}…"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit chain head cannot be deleted")
