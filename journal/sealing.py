"""Sealing committed audit rows into the hash chain, in id order, under the chain head's lock.

:func:`journal.audit.record` inserts rows without a seal and without touching anything shared, so
actions never wait on one another for the audit trail. :func:`seal_pending` — run by the worker every
few seconds (the ``journal.seal`` job) and by ``manage.py journal_verify`` before it checks — locks
the single :class:`~journal.models.ChainHead` row in a short transaction of its own, reads the
committed rows that have no seal yet in id order, gives each the next ``seq``, the previous hash and
its own hash, and moves the head on. Rows that commit while a pass runs are sealed by the next one.

Sealing in the requests themselves was tried: even a pass that gives up at once when another holds
the head costs every action three more statements after its commit, and with eight clerks
registering at once on two cores it cut registrations per second by half (bench/numbering.py).

A pass that fails loses nothing: the rows stay unsealed, :func:`journal.verify.verify_chain` counts
them (with the oldest one's time), and the next pass seals them.
"""

from __future__ import annotations

from django.db import connection, transaction

from journal.models import AuditEvent, ChainHead
from journal.models.audit import chain_hash

#: Rows sealed per statement batch; a pass loops until none are left.
BATCH = 500


def seal_pending() -> int:
    """Seal every committed row that has no seal yet, after any pass under way; return how many."""
    sealed = 0
    with transaction.atomic():
        head = _lock_head()
        seq, last_hash = head.last_seq, head.last_hash
        while True:
            rows = list(AuditEvent.objects.filter(hash__isnull=True).order_by("id")[:BATCH])
            if not rows:
                break
            seals = []
            for row in rows:
                seq += 1
                row.seq, row.prev_hash = seq, last_hash
                row.hash = last_hash = chain_hash(last_hash, row.canonical_content())
                seals.append((row.seq, row.prev_hash, row.hash, row.pk))
            with connection.cursor() as cursor:
                # The one UPDATE the append-only triggers allow: a whole seal on an unsealed row.
                cursor.executemany(
                    "UPDATE journal_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND hash IS NULL",
                    seals,
                )
            sealed += len(rows)
            if len(rows) < BATCH:
                break
        if sealed:
            ChainHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=last_hash)
    return sealed


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=ChainHead.SINGLETON_ID).first()
    if head is None:
        # The very first pass (or the first after a flush). Two first sealers must not both start a
        # chain: the insert that loses the race does nothing and then waits on the winner's lock.
        ChainHead.objects.bulk_create([ChainHead(pk=ChainHead.SINGLETON_ID)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().get(pk=ChainHead.SINGLETON_ID)
    return head
