"""Routing (phân phối) and the work on it: the slip, re-assignment, start, finish, return, extension.

A leader of the recipient routes a registered delivery once: exactly one lead (chủ trì), any
coordinators (phối hợp) and for-information lines (nhận để biết), each to a unit under the recipient
or a person working there, leads and coordinators with a deadline. A division head (or a school's
principal) re-assigns the division's line to one of its people: a child line, never later than its
parent. The lead line (or its child) drives the delivery: starting it moves the delivery to "in
progress", finishing it completes the delivery.

Checks run in the house order (:mod:`workflows.actions.delivery_steps`): a wrong state is a 409 for
everyone, then the right (403), then the input (400). Two leaders routing at once: the delivery row
is saved under its optimistic lock, so the second gets a 409 and writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import can_proceed

from journal import events
from journal.audit import record
from journal.errors import Conflict, Forbidden, InvalidInput
from organizations.models import Membership, Role, Unit
from workflows.actions.delivery_steps import (
    log_assignment,
    log_delivery,
    may_route,
    reread_assignment,
    reread_delivery,
    run_delivery_step,
    save_assignment,
    save_delivery,
)
from workflows.calendar import add_working_days
from workflows.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeadlineExtension,
    Delivery,
    DeliveryStatus,
    Routing,
)

K = AssignmentKind
S = AssignmentState

#: Who re-assigns a unit's line to one of its people: the unit's head and deputies (a school's principal).
REASSIGNING_ROLES = frozenset({Role.LEADER, Role.DEPUTY, Role.PRINCIPAL})
#: Who may work a unit's line that has not been re-assigned to a person.
WORKING_ROLES = frozenset({Role.LEADER, Role.DEPUTY, Role.OFFICER, Role.PRINCIPAL})
#: Delivery statuses in which assignments can still be worked.
WORKABLE = frozenset({DeliveryStatus.ROUTED, DeliveryStatus.IN_PROGRESS, DeliveryStatus.RECALL_REFUSED})


@dataclass(frozen=True)
class AssigneeSpec:
    """One line the leader writes: a unit or a person, a deadline (a date or a number of working days), a note."""

    unit: Unit | int | None = None
    user: object | int | None = None
    deadline: datetime.date | None = None
    working_days: int | None = None
    note: str = ""


@dataclass(frozen=True)
class _Line:
    kind: str
    unit_id: int | None
    user_id: int | None
    deadline: datetime.date | None
    note: str


# -- routing --------------------------------------------------------------------------------------


def do_route(
    delivery: Delivery | int,
    *,
    acting_user,
    lead: AssigneeSpec,
    coordinators: Sequence[AssigneeSpec] = (),
    informed: Sequence[AssigneeSpec] = (),
    direction: str = "",
) -> Routing:
    """A leader of the recipient routes a registered delivery (03 → 04): the slip and its lines, in one go."""
    with transaction.atomic(durable=True):
        current = reread_delivery(delivery, "route")
        from_status = current.status
        _check_may_route(acting_user, current)
        today = timezone.localdate()
        lines = [
            _line(K.LEAD, lead, today=today),
            *[_line(K.COORDINATE, spec, today=today) for spec in coordinators],
            *[_line(K.INFORM, spec, today=today) for spec in informed],
        ]
        _check_assignees(current.recipient, lines)
        at = timezone.now()
        current.route(at=at, due_on=lines[0].deadline)
        save_delivery(current)  # the lock point: a second leader fails here, before anything below is written
        routing = Routing.objects.create(
            delivery=current, routed_by=acting_user, routed_at=at, direction=_text(direction)
        )
        log_delivery(
            current, name="routed", from_status=from_status, actor=acting_user, at=at, comment=routing.direction
        )
        created = [_create(current, line, acting_user=acting_user, at=at) for line in lines]
        events.publish("delivery.routed", delivery_id=current.pk)
        for assignment in created:
            events.publish("assignment.created", assignment_id=assignment.pk)
        record(
            actor=acting_user,
            verb="workflows.delivery.routed",
            target=current,
            unit=current.recipient,
            data={
                "from": from_status,
                "to": current.status,
                "due_on": current.due_on.isoformat(),
                "assignments": [_describe(a) for a in created],
            },
        )
    return routing


def do_replace_lead(delivery: Delivery | int, *, acting_user, lead: AssigneeSpec) -> Assignment:
    """A new lead after the old one was returned (trả lại): the delivery keeps its slip and its status."""
    with transaction.atomic(durable=True):
        current = _locked_delivery(delivery)
        if current.status not in WORKABLE or current.routed_at is None:
            raise _not_workable(current)
        if Assignment.objects.filter(delivery=current, kind=K.LEAD, parent=None).exclude(state=S.RETURNED).exists():
            raise Conflict(
                "Văn bản đã có đơn vị, người chủ trì; chỉ giao chủ trì mới khi chủ trì cũ đã trả lại.",
                code="lead_active",
                message_en="The delivery still has an active lead.",
            )
        _check_may_route(acting_user, current)
        line = _line(K.LEAD, lead, today=timezone.localdate())
        taken = Assignment.objects.filter(delivery=current, parent=None).exclude(state=S.RETURNED)
        _check_assignees(current.recipient, [line], taken=taken)
        at = timezone.now()
        current.due_on = line.deadline
        save_delivery(current)
        log_delivery(
            current, name="lead_replaced", from_status=current.status, actor=acting_user, at=at, comment=line.note
        )
        assignment = _create(current, line, acting_user=acting_user, at=at)
        events.publish("assignment.created", assignment_id=assignment.pk)
        record(
            actor=acting_user,
            verb="workflows.assignment.lead_replaced",
            target=assignment,
            unit=current.recipient,
            data={"delivery": current.pk, **_describe(assignment)},
        )
    return assignment


def do_reassign(
    assignment: Assignment | int, *, acting_user, user, deadline: datetime.date | None = None, note: str = ""
) -> Assignment:
    """The head of an assigned unit gives its line to one of its people (giao lại): a child line."""
    with transaction.atomic(durable=True):
        parent = _locked_assignment(assignment)
        if parent.state not in (S.NEW, S.IN_PROGRESS) or parent.parent_id is not None or parent.unit_id is None:
            raise Conflict(
                "Chỉ giao lại được phân công của đơn vị đang mở.",
                code="illegal_transition",
                message_en="Only an open line assigned to a unit can be re-assigned.",
                details={"state": parent.state},
            )
        if parent.delivery.status not in WORKABLE:
            raise _not_workable(parent.delivery)
        if _active_child(parent) is not None:
            raise Conflict(
                "Phân công này đã được giao lại cho người khác; người đó cần trả lại trước.",
                code="already_reassigned",
                message_en="This line is already re-assigned to someone.",
            )
        if not _holds(acting_user, parent.unit_id, REASSIGNING_ROLES):
            raise Forbidden(
                "Chỉ lãnh đạo đơn vị được giao mới được giao lại cho cán bộ của đơn vị.",
                code="not_unit_head",
                message_en="Only the assigned unit's head or deputy may re-assign it.",
            )
        user_id = getattr(user, "pk", user)
        if not _holds(user_id, parent.unit_id, None):
            raise InvalidInput(
                "Người được giao lại phải là cán bộ của đơn vị được giao.",
                code="assignee_not_in_unit",
                message_en="The person must be a member of the assigned unit.",
            )
        deadline = deadline or parent.deadline
        if deadline is not None:
            _check_not_past(deadline, timezone.localdate())
            if parent.deadline is not None and deadline > parent.deadline:
                raise InvalidInput(
                    f"Hạn giao lại không được sau hạn của đơn vị ({parent.deadline:%d/%m/%Y}).",
                    code="deadline_after_parent",
                    message_en="The deadline may not be later than the unit's own deadline.",
                )
        at = timezone.now()
        child = Assignment.objects.create(
            delivery=parent.delivery,
            parent=parent,
            kind=parent.kind,
            user_id=user_id,
            deadline=deadline,
            assigned_by=acting_user,
            assigned_at=at,
            note=_text(note),
        )
        log_assignment(child, name="created", from_state="", actor=acting_user, at=at, comment=child.note)
        log_assignment(parent, name="reassigned", from_state=parent.state, actor=acting_user, at=at, comment=child.note)
        events.publish("assignment.created", assignment_id=child.pk)
        record(
            actor=acting_user,
            verb="workflows.assignment.reassigned",
            target=child,
            unit=parent.unit,
            data={"parent": parent.pk, **_describe(child)},
        )
    return child


# -- the assignee's steps -------------------------------------------------------------------------


def do_start_assignment(assignment: Assignment | int, *, acting_user) -> Assignment:
    """The assignee begins work (đang xử lý); on the lead line the delivery goes 04 → 05."""
    with transaction.atomic(durable=True):
        current = _step_target(assignment, "start", acting_user)
        at = timezone.now()
        moved = [current]
        current.start(at=at)
        save_assignment(current)
        parent = current.parent
        if parent is not None and parent.state == S.NEW:
            parent.start(at=at)
            save_assignment(parent)
            moved.append(parent)
        for row in moved:
            log_assignment(row, name="started", from_state=S.NEW, actor=acting_user, at=at)
            events.publish("assignment.started", assignment_id=row.pk)
        delivery = current.delivery
        if _is_lead_line(current) and delivery.status != DeliveryStatus.IN_PROGRESS and can_proceed(delivery.start):
            _move_delivery(delivery, "start", "started", acting_user=acting_user, at=at)
        record(
            actor=acting_user,
            verb="workflows.assignment.started",
            target=current,
            unit=delivery.recipient,
            data={"moved": [row.pk for row in moved], "delivery_status": delivery.status},
        )
    return current


def do_finish_assignment(assignment: Assignment | int, *, acting_user, result: str) -> Assignment:
    """The assignee reports the work done; a child finishes its unit's line too, the lead completes the delivery."""
    result = _text(result)
    with transaction.atomic(durable=True):
        current = _step_target(assignment, "finish", acting_user)
        if not result:
            raise InvalidInput(
                "Hãy ghi kết quả xử lý.", code="result_required", message_en="Say what was done (the result)."
            )
        at = timezone.now()
        moved = [(current, current.state)]
        current.finish(at=at, result=result)
        save_assignment(current)
        parent = current.parent
        if parent is not None and parent.state in (S.NEW, S.IN_PROGRESS):
            moved.append((parent, parent.state))
            parent.finish(at=at, result=result)
            save_assignment(parent)
        for row, from_state in moved:
            log_assignment(row, name="finished", from_state=from_state, actor=acting_user, at=at, comment=result)
            events.publish("assignment.finished", assignment_id=row.pk)
        delivery = current.delivery
        if _is_lead_line(current) and can_proceed(delivery.complete):
            _move_delivery(delivery, "complete", "completed", acting_user=acting_user, at=at, at_kwarg=True)
        record(
            actor=acting_user,
            verb="workflows.assignment.finished",
            target=current,
            unit=delivery.recipient,
            data={"moved": [row.pk for row, _ in moved], "delivery_status": delivery.status},
        )
    return current


def do_return_assignment(assignment: Assignment | int, *, acting_user, reason: str) -> Assignment:
    """The assignee gives the line back with a reason (not our remit); a returned lead is replaced by the leader."""
    reason = _text(reason)
    with transaction.atomic(durable=True):
        current = _step_target(assignment, "give_back", acting_user)
        if not reason:
            raise InvalidInput(
                "Hãy ghi lý do trả lại.", code="reason_required", message_en="A reason is required to return it."
            )
        from_state = current.state
        at = timezone.now()
        current.give_back(reason=reason)
        save_assignment(current)
        log_assignment(current, name="returned", from_state=from_state, actor=acting_user, at=at, comment=reason)
        events.publish("assignment.returned", assignment_id=current.pk)
        record(
            actor=acting_user,
            verb="workflows.assignment.returned",
            target=current,
            unit=current.delivery.recipient,
            data={"from": from_state, "to": current.state, "reason": reason},
        )
    return current


def do_acknowledge_assignment(assignment: Assignment | int, *, acting_user) -> Assignment:
    """ "Đã nhận" on a for-information line: one click, for good (a second click is a 409)."""
    with transaction.atomic(durable=True):
        current = reread_assignment(assignment, "acknowledge")
        if current.delivery.status not in WORKABLE | {DeliveryStatus.COMPLETED}:
            raise _not_workable(current.delivery)
        allowed = current.user_id == acting_user.pk if current.user_id else _holds(acting_user, current.unit_id, None)
        if not allowed:
            raise Forbidden(
                "Chỉ người, đơn vị nhận để biết mới xác nhận đã nhận.",
                code="not_assignee",
                message_en="Only the informed person or unit may acknowledge it.",
            )
        at = timezone.now()
        current.acknowledge(at=at, by=acting_user)
        save_assignment(current)
        log_assignment(current, name="acknowledged", from_state=S.NEW, actor=acting_user, at=at)
        events.publish("assignment.acknowledged", assignment_id=current.pk)
        record(
            actor=acting_user,
            verb="workflows.assignment.acknowledged",
            target=current,
            unit=current.delivery.recipient,
            data={"from": S.NEW, "to": current.state},
        )
    return current


def do_extend_deadline(
    assignment: Assignment | int, *, acting_user, new_deadline: datetime.date, reason: str
) -> DeadlineExtension:
    """Gia hạn: a new deadline with a reason, kept as history; the lead's also moves the delivery's due date."""
    reason = _text(reason)
    with transaction.atomic(durable=True):
        current = _locked_assignment(assignment)
        if current.state not in (S.NEW, S.IN_PROGRESS) or current.deadline is None:
            raise Conflict(
                "Chỉ gia hạn được phân công đang mở có hạn xử lý.",
                code="illegal_transition",
                message_en="Only an open line with a deadline can be extended.",
                details={"state": current.state},
            )
        delivery = current.delivery
        if delivery.status not in WORKABLE:
            raise _not_workable(delivery)
        if not _may_extend(acting_user, current):
            raise Forbidden(
                "Chỉ người đã giao việc hoặc lãnh đạo đơn vị nhận mới được gia hạn.",
                code="not_assigner",
                message_en="Only the one who assigned it or a leader of the recipient may extend it.",
            )
        if not reason:
            raise InvalidInput("Hãy ghi lý do gia hạn.", code="reason_required", message_en="A reason is required.")
        if new_deadline == current.deadline:
            raise InvalidInput("Hạn mới trùng hạn cũ.", code="deadline_unchanged", message_en="Same deadline.")
        _check_not_past(new_deadline, timezone.localdate())
        if current.parent is not None and current.parent.deadline and new_deadline > current.parent.deadline:
            raise InvalidInput(
                f"Hạn mới không được sau hạn của đơn vị ({current.parent.deadline:%d/%m/%Y}).",
                code="deadline_after_parent",
                message_en="The deadline may not be later than the unit's own deadline.",
            )
        at = timezone.now()
        old = current.deadline
        extension = DeadlineExtension.objects.create(
            assignment=current,
            old_deadline=old,
            new_deadline=new_deadline,
            reason=reason,
            extended_by=acting_user,
            at=at,
        )
        current.deadline = new_deadline
        save_assignment(current)
        if current.kind == K.LEAD and current.parent_id is None:
            Delivery.objects.filter(pk=delivery.pk).update(due_on=new_deadline)
        log_assignment(
            current,
            name="deadline_extended",
            from_state=current.state,
            actor=acting_user,
            at=at,
            comment=f"{old:%d/%m/%Y} → {new_deadline:%d/%m/%Y}: {reason}",
        )
        events.publish("assignment.deadline_extended", assignment_id=current.pk)
        record(
            actor=acting_user,
            verb="workflows.assignment.deadline_extended",
            target=current,
            unit=delivery.recipient,
            data={"old": old.isoformat(), "new": new_deadline.isoformat(), "reason": reason},
        )
    return extension


def do_complete_delivery(delivery: Delivery | int, *, acting_user, comment: str = "") -> Delivery:
    """A leader files a delivery as done without further work (lưu hồ sơ, để biết): 03/04/05 → 06."""

    def check(d: Delivery) -> None:
        _check_may_route(acting_user, d)

    return run_delivery_step(
        delivery,
        "complete",
        acting_user,
        check=check,
        move=lambda d, at: d.complete(at=at),
        comment=_text(comment),
        event="completed",
        data={"filed": True},
    )


# -- helpers --------------------------------------------------------------------------------------


def _text(value) -> str:
    return (value or "").strip()


def _check_may_route(user, delivery: Delivery) -> None:
    if not may_route(user, delivery.recipient):
        raise Forbidden(
            "Chỉ lãnh đạo đơn vị nhận (hoặc người được ủy quyền phân phối) mới được phân phối, chỉ đạo xử lý.",
            code="not_router",
            message_en="Only a leader of the recipient (or a delegate with routing authority) may do this.",
        )


def _not_workable(delivery: Delivery) -> Conflict:
    status = delivery.status
    return Conflict(
        f"Văn bản đến đang ở trạng thái “{DeliveryStatus(status).label}”, không thể xử lý tiếp.",
        code="delivery_not_workable",
        message_en=f"The delivery is “{status}”; its assignments cannot be worked.",
        details={"status": status},
    )


def _check_not_past(deadline: datetime.date, today: datetime.date) -> None:
    if deadline < today:
        raise InvalidInput(
            f"Hạn xử lý {deadline:%d/%m/%Y} đã qua.", code="deadline_in_past", message_en="The deadline is in the past."
        )


def _line(kind: str, spec: AssigneeSpec, *, today: datetime.date) -> _Line:
    unit_id, user_id = getattr(spec.unit, "pk", spec.unit), getattr(spec.user, "pk", spec.user)
    if (unit_id is None) == (user_id is None):
        raise InvalidInput(
            "Mỗi dòng phân công giao cho một đơn vị hoặc một người.",
            code="assignee_required",
            message_en="Each line names exactly one of a unit or a person.",
        )
    if spec.deadline is not None and spec.working_days is not None:
        raise InvalidInput(
            "Chỉ ghi hạn xử lý theo ngày hoặc theo số ngày làm việc, không cả hai.",
            code="deadline_twice",
            message_en="Give a deadline date or a number of working days, not both.",
        )
    deadline = spec.deadline
    if spec.working_days is not None:
        if spec.working_days < 1:
            raise InvalidInput("Số ngày làm việc phải từ 1 trở lên.", code="invalid_working_days")
        deadline = add_working_days(today, spec.working_days)
    if deadline is None and kind != K.INFORM:
        raise InvalidInput(
            "Chủ trì và phối hợp phải có hạn xử lý.",
            code="deadline_required",
            message_en="A lead or coordinating line needs a deadline.",
        )
    if deadline is not None:
        _check_not_past(deadline, today)
    return _Line(kind, unit_id, user_id, deadline, _text(spec.note))


def _check_assignees(recipient: Unit, lines: list[_Line], *, taken=None) -> None:
    """Units under the recipient, people working there, nobody twice (also against ``taken`` lines)."""
    keys = [("unit", line.unit_id) if line.unit_id else ("user", line.user_id) for line in lines]
    if taken is not None:
        keys += [("unit", u) if u else ("user", p) for u, p in taken.values_list("unit_id", "user_id")]
    if len(set(keys)) != len(keys):
        raise InvalidInput(
            "Một đơn vị hoặc người chỉ được phân công một lần.",
            code="duplicate_assignee",
            message_en="The same unit or person appears twice.",
        )
    unit_ids = {line.unit_id for line in lines if line.unit_id}
    user_ids = {line.user_id for line in lines if line.user_id}
    subtree = Q(path__startswith=recipient.path)
    if unit_ids and Unit.objects.filter(subtree, pk__in=unit_ids, is_active=True).count() != len(unit_ids):
        raise InvalidInput(
            f"Đơn vị được phân công phải là {recipient} hoặc đơn vị trực thuộc.",
            code="assignee_outside_unit",
            message_en="An assigned unit is not the recipient or under it.",
        )
    if user_ids:
        inside = (
            Membership.objects.in_force()
            .filter(user_id__in=user_ids, user__is_active=True, unit__path__startswith=recipient.path)
            .values("user_id")
            .distinct()
            .count()
        )
        if inside != len(user_ids):
            raise InvalidInput(
                f"Người được phân công phải công tác tại {recipient} hoặc đơn vị trực thuộc.",
                code="assignee_outside_unit",
                message_en="An assigned person holds no membership in the recipient or under it.",
            )


def _create(delivery: Delivery, line: _Line, *, acting_user, at) -> Assignment:
    assignment = Assignment.objects.create(
        delivery=delivery,
        kind=line.kind,
        unit_id=line.unit_id,
        user_id=line.user_id,
        deadline=line.deadline,
        assigned_by=acting_user,
        assigned_at=at,
        note=line.note,
    )
    log_assignment(assignment, name="created", from_state="", actor=acting_user, at=at, comment=line.note)
    return assignment


def _describe(assignment: Assignment) -> dict:
    return {
        "id": assignment.pk,
        "kind": assignment.kind,
        "unit": assignment.unit_id,
        "user": assignment.user_id,
        "deadline": assignment.deadline.isoformat() if assignment.deadline else None,
    }


def _holds(user, unit_id: int, roles) -> bool:
    """Whether ``user`` (a user or an id) holds one of ``roles`` (any role when None) in the unit today."""
    qs = Membership.objects.in_force().filter(user_id=getattr(user, "pk", user), unit_id=unit_id)
    if roles is not None:
        qs = qs.filter(role__in=roles)
    return qs.filter(user__is_active=True).exists()


def _locked_delivery(delivery: Delivery | int) -> Delivery:
    pk = getattr(delivery, "pk", delivery)
    return Delivery.objects.select_for_update(of=("self",)).select_related("recipient", "document").get(pk=pk)


def _locked_assignment(assignment: Assignment | int) -> Assignment:
    pk = getattr(assignment, "pk", assignment)
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("delivery__recipient", "parent", "unit", "user")
        .get(pk=pk)
    )


def _active_child(assignment: Assignment) -> Assignment | None:
    return assignment.children.exclude(state=S.RETURNED).first()


def _is_lead_line(assignment: Assignment) -> bool:
    """The slip's lead, or the person its unit re-assigned it to: the line whose work is the delivery's."""
    if assignment.kind != K.LEAD:
        return False
    return assignment.parent_id is None or assignment.parent.parent_id is None


def _step_target(assignment: Assignment | int, name: str, acting_user) -> Assignment:
    """Re-read for ``name`` and check the actor: the assignee person, or a working member of the unit."""
    current = reread_assignment(assignment, name)
    if current.delivery.status not in WORKABLE:
        raise _not_workable(current.delivery)
    if current.user_id is not None:
        allowed = current.user_id == acting_user.pk
    else:
        if _active_child(current) is not None:
            raise Conflict(
                "Phân công của đơn vị đã được giao lại; người được giao lại xử lý trên phần việc của mình.",
                code="assignment_reassigned",
                message_en="This unit line was re-assigned; the person works on their own line.",
            )
        allowed = _holds(acting_user, current.unit_id, WORKING_ROLES)
    if not allowed:
        raise Forbidden(
            "Bạn không phải người, đơn vị được giao phần việc này.",
            code="not_assignee",
            message_en="You are not the assignee of this line.",
        )
    return current


def _may_extend(user, assignment: Assignment) -> bool:
    if assignment.parent_id is not None:
        return assignment.assigned_by_id == user.pk or _holds(user, assignment.parent.unit_id, REASSIGNING_ROLES)
    routed_by = Routing.objects.filter(delivery_id=assignment.delivery_id).values_list("routed_by_id", flat=True)
    return user.pk in set(routed_by) or may_route(user, assignment.delivery.recipient)


def _move_delivery(delivery: Delivery, name: str, label: str, *, acting_user, at, at_kwarg: bool = False) -> None:
    from_status = delivery.status
    getattr(delivery, name)(**({"at": at} if at_kwarg else {}))
    save_delivery(delivery)
    log_delivery(delivery, name=label, from_status=from_status, actor=acting_user, at=at)
    events.publish(f"delivery.{label}", delivery_id=delivery.pk)
    record(
        actor=acting_user,
        verb=f"workflows.delivery.{label}",
        target=delivery,
        unit=delivery.recipient,
        data={"from": from_status, "to": delivery.status},
    )
