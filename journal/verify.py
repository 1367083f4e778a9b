"""Checking the audit chain end to end, and naming the first row where it breaks.

The rows are read in id order in fixed-size pages (keyset pagination), so memory stays constant
however long the trail. For each row, in this order:

1. ``sequence``: its id is the previous id + 1 (the chain starts at 1); otherwise rows were deleted,
   inserted or renumbered;
2. ``link``: its ``prev_hash`` is the previous row's ``hash``; otherwise a row before it was deleted,
   inserted or moved, or the previous row was rewritten together with its hash;
3. ``content``: its ``hash`` is what its content gives; otherwise the row was edited.

At the end, ``head``: the chain head names the last row and its hash; otherwise rows were cut off the
end, added after it, or the head itself was altered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from journal.models import GENESIS_HASH, AuditEvent, ChainHead

SEQUENCE = "sequence"
LINK = "link"
CONTENT = "content"
HEAD = "head"


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain breaks: the first row that fails, which check it fails, and what that means."""

    event_id: int
    reason: str
    message: str


@dataclass(frozen=True)
class VerifyResult:
    count: int
    """Rows that passed every check, from the start of the chain."""
    head_id: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(*, page_size: int = 1000) -> VerifyResult:
    """Recompute the whole chain; stop at the first broken row."""
    count, last_id, last_hash = 0, 0, GENESIS_HASH
    while True:
        for row in _rows_after(last_id if count else None, page_size):
            broken = _check_row(row, expected_id=last_id + 1, prev_hash=last_hash)
            if broken is not None:
                head_id, head_hash = _head()
                return VerifyResult(count=count, head_id=head_id, head_hash=head_hash, broken=broken)
            count, last_id, last_hash = count + 1, row.id, row.hash
        head_id, head_hash = _head()
        # The head is read after the rows: events appended meanwhile moved it on, so read those too
        # before calling the end of the chain missing.
        if head_id > last_id and AuditEvent.objects.filter(id__gt=last_id).exists():
            continue
        break
    return VerifyResult(
        count=count,
        head_id=head_id,
        head_hash=head_hash,
        broken=_check_head(head_id=head_id, head_hash=head_hash, last_id=last_id, last_hash=last_hash),
    )


def _rows_after(after_id: int | None, page_size: int) -> Iterator[AuditEvent]:
    """Rows with an id above ``after_id`` (all of them for ``None``: a forged id 0 or below counts)."""
    while True:
        rows = AuditEvent.objects.order_by("id")
        if after_id is not None:
            rows = rows.filter(id__gt=after_id)
        page = list(rows[:page_size])
        yield from page
        if len(page) < page_size:
            return
        after_id = page[-1].id


def _head() -> tuple[int, str]:
    head = ChainHead.objects.filter(pk=ChainHead.SINGLETON_ID).first()
    return (head.last_id, head.last_hash) if head is not None else (0, GENESIS_HASH)


def _check_row(row: AuditEvent, *, expected_id: int, prev_hash: str) -> ChainBreak | None:
    if row.id != expected_id:
        if row.id > expected_id:
            missing = f"#{expected_id}" if row.id == expected_id + 1 else f"#{expected_id}–#{row.id - 1}"
            message = f"thiếu bản ghi {missing} ngay trước bản ghi này (bị xóa hoặc đánh số lại)"
        else:
            message = f"số thứ tự {row.id} không đúng chỗ, phải là {expected_id} (bản ghi chèn thêm hoặc đánh số lại)"
        return ChainBreak(event_id=row.id, reason=SEQUENCE, message=message)
    if row.prev_hash != prev_hash:
        return ChainBreak(
            event_id=row.id,
            reason=LINK,
            message=(
                "mã băm bản ghi trước không khớp: một bản ghi trước nó đã bị xóa, chèn thêm, đổi chỗ "
                f"hoặc bị ghi lại (cần {prev_hash[:16]}…, có {row.prev_hash[:16]}…)"
            ),
        )
    if row.compute_hash() != row.hash:
        return ChainBreak(
            event_id=row.id,
            reason=CONTENT,
            message="nội dung bản ghi đã bị sửa: mã băm tính lại không khớp mã băm đã lưu",
        )
    return None


def _check_head(*, head_id: int, head_hash: str, last_id: int, last_hash: str) -> ChainBreak | None:
    if head_id == last_id and head_hash == last_hash:
        return None
    if head_id > last_id:
        return ChainBreak(
            event_id=last_id + 1,
            reason=HEAD,
            message=(
                f"đầu chuỗi ghi bản ghi cuối là #{head_id} nhưng chuỗi dừng ở #{last_id}: các bản ghi cuối đã bị xóa"
            ),
        )
    if head_id < last_id:
        where = "không có đầu chuỗi" if head_id == 0 else f"đầu chuỗi dừng ở #{head_id}"
        return ChainBreak(
            event_id=head_id + 1,
            reason=HEAD,
            message=f"{where} nhưng còn bản ghi sau đó: bản ghi được thêm ngoài ứng dụng",
        )
    return ChainBreak(
        event_id=last_id,
        reason=HEAD,
        message="mã băm ở đầu chuỗi khác mã băm bản ghi cuối: bản ghi cuối hoặc đầu chuỗi đã bị sửa",
    )
