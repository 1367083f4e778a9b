"""Checking the audit chain end to end, and naming the first row where it breaks.

The sealed rows are read in ``seq`` order in fixed-size pages (keyset pagination), so memory stays
constant however long the trail. For each row, in this order:

1. ``sequence``: its ``seq`` is the previous one + 1 (the chain starts at 1); otherwise rows were
   deleted, inserted or renumbered;
2. ``link``: its ``prev_hash`` is the previous row's ``hash``; otherwise a row before it was deleted,
   inserted or moved, or the previous row was rewritten together with its hash;
3. ``content``: its ``hash`` is what its content gives; otherwise the row was edited.

At the end, ``head``: the chain head names the last row and its hash; otherwise rows were cut off the
end, added after it, or the head itself was altered.

Rows not sealed yet are not part of the chain: they are counted (``unsealed``, with the oldest one's
time) so that a sealing pass that keeps failing is seen; ``manage.py journal_verify`` seals them first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Min

from journal.models import GENESIS_HASH, AuditEvent, ChainHead

SEQUENCE = "sequence"
LINK = "link"
CONTENT = "content"
HEAD = "head"


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain breaks: the first row that fails, which check it fails, and what that means."""

    seq: int
    """The place in the chain (``AuditEvent.seq``) of the first row that fails."""
    reason: str
    message: str


@dataclass(frozen=True)
class VerifyResult:
    count: int
    """Rows that passed every check, from the start of the chain."""
    head_seq: int
    """The last sealed row's ``seq``, as the chain head records it."""
    head_hash: str
    broken: ChainBreak | None
    unsealed: int = 0
    """Committed rows not sealed into the chain yet."""
    oldest_unsealed_at: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(*, page_size: int = 1000) -> VerifyResult:
    """Recompute the whole chain; stop at the first broken row."""
    count, last_seq, last_hash = 0, 0, GENESIS_HASH
    while True:
        for row in _rows_after(last_seq if count else None, page_size):
            broken = _check_row(row, expected_seq=last_seq + 1, prev_hash=last_hash)
            if broken is not None:
                head_seq, head_hash = _head()
                return VerifyResult(count=count, head_seq=head_seq, head_hash=head_hash, broken=broken)
            count, last_seq, last_hash = count + 1, row.seq, row.hash
        head_seq, head_hash = _head()
        # The head is read after the rows: events appended meanwhile moved it on, so read those too
        # before calling the end of the chain missing.
        if head_seq > last_seq and AuditEvent.objects.filter(seq__gt=last_seq).exists():
            continue
        break
    pending = AuditEvent.objects.filter(hash__isnull=True).aggregate(n=Count("id"), oldest=Min("at"))
    return VerifyResult(
        count=count,
        head_seq=head_seq,
        head_hash=head_hash,
        broken=_check_head(head_seq=head_seq, head_hash=head_hash, last_seq=last_seq, last_hash=last_hash),
        unsealed=pending["n"],
        oldest_unsealed_at=pending["oldest"],
    )


def _rows_after(after_seq: int | None, page_size: int) -> Iterator[AuditEvent]:
    """Sealed rows with a ``seq`` above ``after_seq`` (all for ``None``: a forged ``seq`` 0 or below counts)."""
    while True:
        rows = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
        if after_seq is not None:
            rows = rows.filter(seq__gt=after_seq)
        page = list(rows[:page_size])
        yield from page
        if len(page) < page_size:
            return
        after_seq = page[-1].seq


def _head() -> tuple[int, str]:
    head = ChainHead.objects.filter(pk=ChainHead.SINGLETON_ID).first()
    return (head.last_seq, head.last_hash) if head is not None else (0, GENESIS_HASH)


def _check_row(row: AuditEvent, *, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if row.seq != expected_seq:
        if row.seq > expected_seq:
            missing = f"#{expected_seq}" if row.seq == expected_seq + 1 else f"#{expected_seq}–#{row.seq - 1}"
            message = f"thiếu bản ghi {missing} ngay trước bản ghi này (bị xóa hoặc đánh số lại)"
        else:
            message = f"số thứ tự {row.seq} không đúng chỗ, phải là {expected_seq} (bản ghi chèn thêm hoặc đánh số lại)"
        return ChainBreak(seq=row.seq, reason=SEQUENCE, message=message)
    if row.prev_hash != prev_hash:
        return ChainBreak(
            seq=row.seq,
            reason=LINK,
            message=(
                "mã băm bản ghi trước không khớp: một bản ghi trước nó đã bị xóa, chèn thêm, đổi chỗ "
                f"hoặc bị ghi lại (cần {prev_hash[:16]}…, có {row.prev_hash[:16]}…)"
            ),
        )
    if row.compute_hash() != row.hash:
        return ChainBreak(
            seq=row.seq,
            reason=CONTENT,
            message="nội dung bản ghi đã bị sửa: mã băm tính lại không khớp mã băm đã lưu",
        )
    return None


def _check_head(*, head_seq: int, head_hash: str, last_seq: int, last_hash: str) -> ChainBreak | None:
    if head_seq == last_seq and head_hash == last_hash:
        return None
    if head_seq > last_seq:
        return ChainBreak(
            seq=last_seq + 1,
            reason=HEAD,
            message=(
                f"đầu chuỗi ghi bản ghi cuối là #{head_seq} nhưng chuỗi dừng ở #{last_seq}: các bản ghi cuối đã bị xóa"
            ),
        )
    if head_seq < last_seq:
        where = "không có đầu chuỗi" if head_seq == 0 else f"đầu chuỗi dừng ở #{head_seq}"
        return ChainBreak(
            seq=head_seq + 1,
            reason=HEAD,
            message=f"{where} nhưng còn bản ghi sau đó: bản ghi được thêm ngoài ứng dụng",
        )
    return ChainBreak(
        seq=last_seq,
        reason=HEAD,
        message="mã băm ở đầu chuỗi khác mã băm bản ghi cuối: bản ghi cuối hoặc đầu chuỗi đã bị sửa",
    )
