"""Forwarding (chuyển tiếp): a district office passes a Department directive on to its schools.

The Phòng registers the Sở's document once, then forwards it to the units directly under it — all of
them, those of one school level, or a chosen few — as child deliveries of its own copy. Each child is
an ordinary delivery (registered, routed, acknowledged at the school) that shares the parent's
dispatch and document, so the Sở's tracking page sees the whole tree through ``parent``.

Like issuing, forwarding is one durable transaction whose statement count does not depend on how many
schools receive it: the targets are one query, the children and their log rows are each one bulk
statement. No grant is written: a school sees the document through its own delivery
(:mod:`workflows.visibility`). The parent row is locked first, so two forwards of the same copy run one after
the other and the second leaves out the units the first already reached.

Forwarding to divisions is not offered: a division of the office is routed to, not forwarded to.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from journal import events
from journal.audit import record
from journal.errors import Conflict, Forbidden, InvalidInput
from organizations.models import SchoolLevel, Unit, UnitKind
from workflows.actions.delivery_steps import is_clerk_of, log_delivery, may_route
from workflows.actions.issue import _insert_rows
from workflows.models import Delivery, DeliveryChannel, DeliveryStatus, DeliveryTransition
from workflows.models.deliveries import ON_HOLD_STATUSES

#: Statuses of the parent copy from which it may not be passed on: sent back, withdrawn, or asked back.
NOT_FORWARDABLE = ON_HOLD_STATUSES


def do_forward_delivery(
    delivery: Delivery | int,
    *,
    acting_user,
    units: Iterable[Unit | int] | None = None,
    school_level: str | None = None,
    all_children: bool = False,
    note: str = "",
) -> list[int]:
    """The office's clerk or leader forwards its registered copy to units directly under it.

    Exactly one of ``all_children``, ``school_level`` or ``units`` says which. Returns the ids of the
    child deliveries made; units already forwarded to from this copy are left out (each at most once).
    """
    note = (note or "").strip()
    with transaction.atomic(durable=True):
        pk = delivery if isinstance(delivery, int) else delivery.pk
        current = Delivery.objects.select_for_update(of=("self",)).select_related("recipient").get(pk=pk)
        _check_forwardable(current)
        office = current.recipient
        if not (is_clerk_of(acting_user, office) or may_route(acting_user, office)):
            raise Forbidden(
                "Chỉ văn thư hoặc lãnh đạo của đơn vị nhận mới được chuyển tiếp văn bản.",
                code="not_recipient_clerk_or_leader",
                message_en="Only the recipient unit's clerk or leader may forward a delivery.",
            )
        targets = _targets(office, units=units, school_level=school_level, all_children=all_children)
        already = set(Delivery.objects.filter(parent=current).values_list("recipient_id", flat=True))
        fresh = {uid: enrolled for uid, enrolled in targets.items() if uid not in already}
        if not fresh:
            raise Conflict(
                "Văn bản đã được chuyển tiếp đến tất cả các đơn vị đã chọn.",
                code="already_forwarded",
                message_en="The delivery was already forwarded to every unit chosen.",
                details={"units": sorted(targets)},
            )

        at = timezone.now()
        unit_ids = sorted(fresh)
        _insert_rows(
            Delivery,
            [
                "dispatch",
                "document",
                "recipient",
                "parent",
                "purpose",
                "channel",
                "status",
                "arrived_at",
                "priority",
            ],
            [
                (
                    current.dispatch_id,
                    current.document_id,
                    uid,
                    current.pk,
                    current.purpose,
                    DeliveryChannel.ELECTRONIC if fresh[uid] else DeliveryChannel.PAPER,
                    DeliveryStatus.ARRIVED,
                    at,
                    current.priority,
                )
                for uid in unit_ids
            ],
        )
        _log_children(current, unit_ids, actor=acting_user, at=at, comment=note)
        children = list(
            Delivery.objects.filter(parent=current, recipient_id__in=unit_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        log_delivery(current, name="forwarded", from_status=current.status, actor=acting_user, at=at, comment=note)
        events.publish("delivery.forwarded", delivery_id=current.pk)
        record(
            actor=acting_user,
            verb="workflows.delivery.forwarded",
            target=current,
            unit=office,
            data={
                "count": len(unit_ids),
                "mode": "all" if all_children else "school_level" if school_level else "chosen",
                **({"school_level": school_level} if school_level else {}),
                "paper": sum(1 for uid in unit_ids if not fresh[uid]),
            },
        )
    return children


def _check_forwardable(delivery: Delivery) -> None:
    if delivery.status in NOT_FORWARDABLE or delivery.incoming_number is None:
        raise Conflict(
            f"Không thể chuyển tiếp khi văn bản đến đang ở trạng thái “{delivery.get_status_display()}”; "
            "văn bản phải được vào sổ trước.",
            code="illegal_transition",
            message_en=f"Cannot forward a delivery in status “{delivery.status}”; it must be registered first.",
            details={"status": delivery.status, "transition": "forward"},
        )
    if delivery.dispatch_id is None:
        # A child shares its parent's dispatch (wf_delivery_forwarded_has_dispatch): a document
        # registered from outside the system has none, so its copies go out as a new dispatch instead.
        raise Conflict(
            "Văn bản ngoài hệ thống không chuyển tiếp được; hãy ban hành văn bản sao gửi các đơn vị.",
            code="external_not_forwardable",
            message_en="A document registered from outside the system cannot be forwarded; issue a copy instead.",
        )


def _targets(office: Unit, *, units, school_level, all_children: bool) -> dict[int, bool]:
    """``{unit_id: enrolled}`` of the chosen units directly under ``office``: one query, whatever the count."""
    modes = sum([bool(all_children), school_level is not None, units is not None])
    if modes != 1:
        raise InvalidInput(
            "Chọn một cách chuyển tiếp: tất cả đơn vị trực thuộc, theo cấp học, hoặc từng đơn vị.",
            code="forward_choice",
            message_en="Choose exactly one of: all units under the office, a school level, or chosen units.",
        )
    under = Unit.objects.filter(parent=office, is_active=True).exclude(kind=UnitKind.DIVISION)
    if school_level is not None:
        if school_level not in SchoolLevel.values:
            raise InvalidInput(
                "Cấp học không hợp lệ.",
                code="invalid_school_level",
                message_en="Unknown school level.",
                details={"school_level": school_level},
            )
        under = under.filter(kind=UnitKind.SCHOOL, school_level=school_level)
    chosen: set[int] | None = None
    if units is not None:
        chosen = {getattr(u, "pk", u) for u in units}
        under = under.filter(pk__in=chosen)
    found = dict(under.values_list("pk", "enrolled"))
    if chosen is not None and (outside := sorted(chosen - set(found))):
        raise InvalidInput(
            "Chỉ chuyển tiếp được đến các đơn vị trực thuộc đơn vị mình.",
            code="unit_not_under_office",
            message_en="Only units directly under the office can be forwarded to.",
            details={"units": outside},
        )
    if not found:
        raise InvalidInput(
            "Không có đơn vị trực thuộc nào phù hợp để chuyển tiếp.",
            code="no_units_to_forward",
            message_en="No unit under the office matches.",
        )
    return found


def _log_children(parent: Delivery, unit_ids: list[int], *, actor, at, comment: str) -> None:
    """A "forwarded in" log row for each new child: one INSERT … SELECT over the children just made."""
    qn = connection.ops.quote_name
    log, delivery = DeliveryTransition._meta, Delivery._meta
    col = {f.name: qn(f.column) for f in log.concrete_fields}
    dcol = {f.name: qn(f.column) for f in delivery.concrete_fields}
    at_db = log.get_field("at").get_db_prep_save(at, connection)
    marks = ", ".join(["%s"] * len(unit_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(log.db_table)} ({col['delivery']}, {col['from_status']}, {col['to_status']}, "  # noqa: S608 (identifiers from _meta)
            f"{col['name']}, {col['actor']}, {col['at']}, {col['comment']}) "
            f"SELECT {dcol['id']}, %s, {dcol['status']}, %s, %s, %s, %s FROM {qn(delivery.db_table)} "
            f"WHERE {dcol['parent']} = %s AND {dcol['recipient']} IN ({marks})",
            ["", "forward", actor.pk, at_db, comment, parent.pk, *unit_ids],
        )
