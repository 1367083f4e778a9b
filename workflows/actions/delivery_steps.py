"""The shape every recipient-side action shares: re-read, check the transition, move, save, log, publish, audit.

The order of checks is the one the outgoing actions use (:mod:`workflows.actions.dispatches`): a wrong
status is a :class:`Conflict` (409 ``illegal_transition``) for everyone, then the right
(:class:`Forbidden`), then the input (:class:`InvalidInput`). The row is saved under its optimistic
lock (``ConcurrentTransitionMixin``), so of two clerks registering or two leaders routing the same
delivery at once, the second gets a 409 ``concurrent_transition`` and writes nothing.

Events published (``delivery_id`` always, more ids where named): ``delivery.<name>`` for every
delivery transition (``delivery.registered`` etc. are spelled from the transition name: ``reject``,
``register``, ``route``, ``start``, ``complete``, ``accept_recall``, ``refuse_recall``), and
``assignment.<name>`` with ``assignment_id`` for assignment steps. Notifications, tracking and
search subscribe to them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from journal import events
from journal.audit import record
from journal.errors import Conflict
from organizations.models import Role
from organizations.selectors import holds_authority, roles_in
from workflows.compiled import CompiledGet
from workflows.models import (
    Assignment,
    AssignmentState,
    AssignmentTransition,
    Delivery,
    DeliveryStatus,
    DeliveryTransition,
)

#: Vietnamese verbs of the transitions, for the 409 messages ("Không thể vào sổ khi …").
DELIVERY_ACTION_NAMES = {
    "reject": "từ chối nhận",
    "register_incoming": "vào sổ",
    "route": "phân phối",
    "start": "bắt đầu xử lý",
    "complete": "hoàn thành",
    "accept_recall": "chấp nhận thu hồi",
    "refuse_recall": "từ chối thu hồi",
    "request_recall": "đề nghị thu hồi",
}

ASSIGNMENT_ACTION_NAMES = {
    "start": "bắt đầu xử lý",
    "finish": "hoàn thành",
    "give_back": "trả lại",
    "acknowledge": "xác nhận đã nhận",
}


def is_clerk_of(user, unit) -> bool:
    """The unit's clerk, or — for a unit that has no clerk in force (a small school) — its principal."""
    roles = roles_in(user=user, unit=unit)
    if Role.CLERK in roles:
        return True
    if Role.PRINCIPAL in roles:
        from organizations.selectors import members_with

        return not members_with(unit=unit, roles=[Role.CLERK]).exists()
    return False


def may_route(user, unit) -> bool:
    """The unit's leader, deputy, principal, or a delegate holding the routing authority."""
    return holds_authority(user=user, unit=unit, authority="route")


#: What a step usually reads beside the delivery: enough to check rights and to name it in messages.
DEFAULT_RELATED = ("document__issuer", "document__document_type", "recipient", "dispatch")


@functools.cache
def _reread(related: tuple[str, ...], lock: bool) -> CompiledGet:
    def build(pk) -> QuerySet[Delivery]:
        qs = Delivery.objects.select_related(*related)
        return (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=pk)

    return CompiledGet(build)


def reread_delivery(
    delivery: Delivery | int, name: str, *, lock: bool = False, related: tuple[str, ...] = DEFAULT_RELATED
) -> Delivery:
    """The delivery read afresh, or 409 ``illegal_transition`` if transition ``name`` cannot fire now.

    ``related`` narrows the joins for a hot path (registration reads only what it checks). The query is
    compiled once per connection (:mod:`workflows.compiled`): every step reads this first.
    """
    pk = delivery if isinstance(delivery, int) else delivery.pk
    current = _reread(related, lock).get(pk)
    if not can_proceed(getattr(current, name)):
        status = current.status
        raise Conflict(
            f"Không thể {DELIVERY_ACTION_NAMES.get(name, name)} khi văn bản đến đang ở trạng thái "
            f"“{DeliveryStatus(status).label}”.",
            code="illegal_transition",
            message_en=f"Cannot {name.replace('_', ' ')} a delivery in status “{status}”.",
            details={"status": status, "transition": name},
        )
    return current


def save_delivery(delivery: Delivery, *, fields: list[str] | None = None) -> None:
    """Save a moved delivery under its optimistic lock; someone else's earlier move is a 409.

    ``fields`` limits the UPDATE to the columns the step changed (the status is always among them).
    """
    with concurrent_transition_as_conflict():
        delivery.save(update_fields=None if fields is None else sorted({"status", *fields}))


@contextmanager
def concurrent_transition_as_conflict() -> Iterator[None]:
    """A delivery saved under its optimistic lock after someone else moved it: a 409 that says so."""
    try:
        yield
    except ConcurrentTransition as exc:
        raise Conflict(
            "Văn bản đến vừa được người khác xử lý; hãy tải lại.",
            code="concurrent_transition",
            message_en="Someone else moved this delivery first; reload it.",
        ) from exc


def log_delivery(
    delivery: Delivery, *, name: str, from_status: str, actor, at, comment: str = ""
) -> DeliveryTransition:
    return DeliveryTransition.objects.create(
        delivery=delivery,
        from_status=from_status,
        to_status=delivery.status,
        name=name,
        actor=actor,
        at=at,
        comment=comment,
    )


def run_delivery_step(
    delivery: Delivery | int,
    name: str,
    acting_user,
    *,
    check: Callable[[Delivery], None],
    move: Callable[[Delivery, object], None],
    comment: str = "",
    event: str | None = None,
    data: dict | None = None,
) -> Delivery:
    """One recipient-side transition in one durable transaction, in the house order.

    ``check(d)`` raises Forbidden / InvalidInput; ``move(d, at)`` calls the model transition (and may
    write rows beside it: call those after :func:`save_delivery` yourself when they depend on the lock).
    The event is ``delivery.<event or name>``; the audit verb ``workflows.delivery.<event or name>``.
    """
    label = event or name
    with transaction.atomic(durable=True):
        current = reread_delivery(delivery, name)
        from_status = current.status
        check(current)
        at = timezone.now()
        move(current, at)
        save_delivery(current)
        log_delivery(current, name=label, from_status=from_status, actor=acting_user, at=at, comment=comment)
        events.publish(f"delivery.{label}", delivery_id=current.pk)
        record(
            actor=acting_user,
            verb=f"workflows.delivery.{label}",
            target=current,
            unit=current.recipient,
            data={"from": from_status, "to": current.status, **(data or {})},
        )
    return current


def reread_assignment(assignment: Assignment | int, name: str) -> Assignment:
    """The assignment read afresh, or 409 ``illegal_transition`` if ``name`` cannot fire now."""
    pk = assignment if isinstance(assignment, int) else assignment.pk
    current = Assignment.objects.select_related("delivery__recipient", "delivery__document", "unit", "user").get(pk=pk)
    if not can_proceed(getattr(current, name)):
        state = current.state
        raise Conflict(
            f"Không thể {ASSIGNMENT_ACTION_NAMES.get(name, name)} khi phân công đang ở trạng thái "
            f"“{AssignmentState(state).label}”.",
            code="illegal_transition",
            message_en=f"Cannot {name.replace('_', ' ')} an assignment in state “{state}”.",
            details={"state": state, "transition": name},
        )
    return current


def save_assignment(assignment: Assignment) -> None:
    try:
        assignment.save()
    except ConcurrentTransition as exc:
        raise Conflict(
            "Phân công vừa được người khác xử lý; hãy tải lại.",
            code="concurrent_transition",
            message_en="Someone else moved this assignment first; reload it.",
        ) from exc


def log_assignment(
    assignment: Assignment, *, name: str, from_state: str, actor, at, comment: str = ""
) -> AssignmentTransition:
    return AssignmentTransition.objects.create(
        assignment=assignment,
        from_state=from_state,
        to_state=assignment.state,
        name=name,
        actor=actor,
        at=at,
        comment=comment,
    )
