"""Who is told what when a document moves: the subscribers to the workflow events.

Each handler runs in the worker after the change committed (:mod:`journal.events`), is called as
``handler(kind=..., <id>=...)``, re-reads what it needs by id, treats a row that is gone as done, and
is idempotent: every notification has a key (``delivery.registered:12``), so a retried event writes
nothing new and mails no one twice (:func:`workflows.notifications.notify_many`).

The fan-outs (a dispatch issued to 750 schools, a recall, a district office forwarding to its
schools) find every clerk of every unit in one query and write every notification in one insert:
the number of statements does not grow with the number of units.

Who is "the clerk" of a unit: its clerks (văn thư) in force; a small school without one is served by
its principal, the same rule as :func:`workflows.actions.delivery_steps.is_clerk_of`. Who is "the
sender" of a delivery: for a copy sent by the issuing agency, the person who drafted the document and
the agency's clerks; for a copy a district office forwarded to a school, the office's clerks (they
sent it; the agency follows the whole tree on its tracking page).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from organizations.models import Membership, Role
from organizations.names import display_name
from organizations.selectors import authority_holders
from workflows.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeadlineExtension,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    DeliveryTransition,
    Dispatch,
    NotificationKind,
    Priority,
)
from workflows.notifications import Item, notify, notify_many

K = NotificationKind
D = DeliveryStatus

#: Assignments that still owe work: reminders and overdue notices about any other are stale.
OPEN_ASSIGNMENT_STATES = frozenset({AssignmentState.NEW, AssignmentState.IN_PROGRESS})


# Links ---------------------------------------------------------------------------------------------


def delivery_url(delivery_id: int) -> str:
    """The delivery page (``delivery-detail``); its fixed path while the page is not yet routed."""
    try:
        return reverse("delivery-detail", args=[delivery_id])
    except NoReverseMatch:
        return f"/van-ban-den/{delivery_id}/"


def tracking_url(document_id: int) -> str:
    """The sender's tracking page of an issued document: every recipient's status."""
    return reverse("dispatch-tracking", args=[document_id])


# Words ---------------------------------------------------------------------------------------------


def document_label(document) -> str:
    """ "Công văn số 12/SGDĐT-CNTTTBT": the type and number the trade calls a document by."""
    kind = document.document_type.name if document.document_type_id else "Văn bản"
    return f"{kind} số {document.symbol}" if document.symbol else kind


def vn_date(day: datetime.date | None) -> str:
    return f"ngày {day.day} tháng {day.month} năm {day.year}" if day else ""


def _about(document) -> str:
    return f"{document_label(document)} của {document.issuer.name}: {document.summary}"


# Who -----------------------------------------------------------------------------------------------


def clerks_of(unit_ids) -> QuerySet:
    """The active clerks of the units (ids or an id subquery); a unit without one, its principals. One query."""
    in_force = Membership.objects.in_force(timezone.localdate()).filter(unit_id__in=unit_ids, user__is_active=True)
    staffed = in_force.filter(role=Role.CLERK).values("unit_id")
    held = in_force.filter(Q(role=Role.CLERK) | (Q(role=Role.PRINCIPAL) & ~Q(unit_id__in=staffed))).values("user_id")
    return get_user_model().objects.filter(pk__in=held, is_active=True)


def clerks_of_deliveries(deliveries: QuerySet[Delivery]) -> list[tuple[int, int, int]]:
    """``(user_id, delivery_id, priority)`` for the clerk(s) of each delivery's unit, as :func:`clerks_of`.

    One query for any number of deliveries: the membership conditions sit in one ``filter()`` so they
    apply to the same joined membership row.
    """
    today = timezone.localdate()
    m = "recipient__memberships__"
    staffed = (
        Membership.objects.in_force(today)
        .filter(role=Role.CLERK, user__is_active=True, unit_id__in=deliveries.values("recipient_id"))
        .values("unit_id")
    )
    return list(
        deliveries.filter(
            Q(**{f"{m}role": Role.CLERK}) | (Q(**{f"{m}role": Role.PRINCIPAL}) & ~Q(recipient_id__in=staffed)),
            Membership.in_force_q(today, prefix=m),
            **{f"{m}user__is_active": True},
        )
        .values_list(f"{m}user_id", "pk", "priority")
        .distinct()
        .order_by("pk", f"{m}user_id")
    )


def leaders_of(unit) -> list[int]:
    """Who routes for the unit (leader, deputies, principal, a delegate): the people a routing waits on."""
    return list(authority_holders(unit=unit, authority="route").values_list("pk", flat=True))


def sender_ids(delivery: Delivery) -> list[int]:
    """Who sent this copy and so is told what became of it (see the module docstring); none from outside."""
    if delivery.dispatch_id is None:
        return []
    if delivery.parent_id is not None:
        return list(clerks_of([delivery.parent.recipient_id]).values_list("pk", flat=True))
    clerks = clerks_of([delivery.document.issuer_id]).values("pk")
    senders = get_user_model().objects.filter(Q(pk__in=clerks) | Q(pk=delivery.document.created_by_id), is_active=True)
    return sorted(senders.values_list("pk", flat=True))


def assignee_ids(assignment: Assignment) -> list[int]:
    """The person assigned, or for a unit (a division, a school) the ones who lead it and re-assign inside it."""
    if assignment.user_id is not None:
        return [assignment.user_id]
    return leaders_of(assignment.unit)


def assignee_name(assignment: Assignment) -> str:
    return display_name(assignment.user) if assignment.user_id else assignment.unit.name


# Re-reading ----------------------------------------------------------------------------------------


def _delivery(delivery_id: int) -> Delivery | None:
    return (
        Delivery.objects.select_related(
            "document__document_type", "document__issuer", "recipient", "parent__recipient", "acknowledged_by"
        )
        .filter(pk=delivery_id)
        .first()
    )


def _assignment(assignment_id: int) -> Assignment | None:
    return (
        Assignment.objects.select_related(
            "delivery__document__document_type", "delivery__document__issuer", "delivery__recipient", "unit", "user"
        )
        .filter(pk=assignment_id)
        .first()
    )


def _dispatch(dispatch_id: int) -> Dispatch | None:
    return Dispatch.objects.select_related("document__document_type", "document__issuer").filter(pk=dispatch_id).first()


def _last_comment(delivery: Delivery, *, to_status: str) -> str:
    """The reason given with the latest move into ``to_status`` (a rejection, a refused recall)."""
    row = DeliveryTransition.objects.filter(delivery=delivery, to_status=to_status).order_by("-at", "-pk").first()
    return row.comment if row else ""


# Arrivals ------------------------------------------------------------------------------------------


def _announce_arrivals(deliveries: QuerySet[Delivery], document) -> None:
    """Tell the clerks of every unit that received one of ``deliveries``: Hỏa tốc and Thượng khẩn as urgent."""
    about = _about(document)
    urgent: list[Item] = []
    ordinary: list[Item] = []
    for user_id, delivery_id, priority in clerks_of_deliveries(deliveries):
        key, url = f"delivery.arrived:{delivery_id}", delivery_url(delivery_id)
        if priority > Priority.NORMAL:
            title = f"{Priority(priority).label}: văn bản đến cần tiếp nhận ngay"
            urgent.append(Item(user_id, key, title, about, url))
        else:
            ordinary.append(Item(user_id, key, "Văn bản đến mới cần tiếp nhận, vào sổ", about, url))
    notify_many(urgent, kind=K.URGENT, urgent=True)
    notify_many(ordinary, kind=K.ARRIVED)


def on_dispatch_issued(*, kind: str, dispatch_id: int) -> None:
    """A dispatch went out: the clerks of every electronic recipient have a document to receive."""
    dispatch = _dispatch(dispatch_id)
    if dispatch is None:
        return
    deliveries = Delivery.objects.filter(dispatch=dispatch, parent__isnull=True, channel=DeliveryChannel.ELECTRONIC)
    _announce_arrivals(deliveries, dispatch.document)


def on_delivery_forwarded(*, kind: str, delivery_id: int) -> None:
    """A district office forwarded its copy: the clerks (or principals) of the schools it went to."""
    parent = _delivery(delivery_id)
    if parent is None:
        return
    _announce_arrivals(parent.children.filter(channel=DeliveryChannel.ELECTRONIC), parent.document)


def on_dispatch_recalled(*, kind: str, dispatch_id: int) -> None:
    """The sender asks its document back: the clerks of every unit whose copy is now awaiting the answer."""
    dispatch = _dispatch(dispatch_id)
    if dispatch is None:
        return
    asked = Delivery.objects.filter(dispatch=dispatch, status=D.RECALL_REQUESTED, channel=DeliveryChannel.ELECTRONIC)
    title = f"{dispatch.document.issuer.name} đề nghị thu hồi {document_label(dispatch.document)}"
    body = f"Trích yếu: {dispatch.document.summary}\nLý do thu hồi: {dispatch.recall_reason}"
    notify_many(
        [
            Item(user_id, f"dispatch.recalled:{dispatch.pk}:{delivery_id}", title, body, delivery_url(delivery_id))
            for user_id, delivery_id, _ in clerks_of_deliveries(asked)
        ],
        kind=K.RECALL,
    )


# What became of a delivery -------------------------------------------------------------------------


def on_delivery_registered(*, kind: str, delivery_id: int) -> None:
    """Registered (vào sổ): the unit's leaders have one to route; the sender is told it was received."""
    delivery = _delivery(delivery_id)
    if delivery is None:
        return
    document = delivery.document
    urgent = delivery.priority > Priority.NORMAL
    title = f"Văn bản chờ phân phối: {document_label(document)} (số đến {delivery.incoming_number})"
    if urgent:
        title = f"{Priority(delivery.priority).label} — {title}"
    notify(
        leaders_of(delivery.recipient),
        kind=K.URGENT if urgent else K.ARRIVED,
        title=title,
        body=_about(document),
        url=delivery_url(delivery.pk),
        urgent=urgent,
        key=f"{kind}:{delivery.pk}",
    )
    on = timezone.localdate(delivery.registered_at) if delivery.registered_at else None
    _tell_sender(
        delivery,
        kind,
        title=f"{delivery.recipient.name} đã nhận và vào sổ {document_label(document)}",
        body=f"Số đến {delivery.incoming_number}, vào sổ {vn_date(on)}.\nTrích yếu: {document.summary}",
    )


def _tell_sender(delivery: Delivery, kind: str, *, title: str, body: str, notification_kind: str = K.STATUS) -> None:
    ids = sender_ids(delivery)
    if not ids:
        return
    notify(
        ids,
        kind=notification_kind,
        title=title,
        body=body,
        url=tracking_url(delivery.document_id),
        key=f"{kind}:{delivery.pk}:sender",
    )


def on_delivery_status(*, kind: str, delivery_id: int) -> None:
    """Rejected, recall answered, completed, acknowledged: the sender sees the recipient's answer."""
    delivery = _delivery(delivery_id)
    if delivery is None:
        return
    unit, label = delivery.recipient.name, document_label(delivery.document)
    summary = f"Trích yếu: {delivery.document.summary}"
    if kind == "delivery.rejected":
        reason = _last_comment(delivery, to_status=D.REJECTED)
        _tell_sender(delivery, kind, title=f"{unit} từ chối nhận {label}", body=f"Lý do: {reason}\n{summary}")
    elif kind == "delivery.recall_accepted":
        _tell_sender(delivery, kind, title=f"{unit} đồng ý thu hồi {label}", body=summary, notification_kind=K.RECALL)
    elif kind == "delivery.recall_refused":
        reason = _last_comment(delivery, to_status=D.RECALL_REFUSED)
        _tell_sender(
            delivery,
            kind,
            title=f"{unit} từ chối thu hồi {label}",
            body=f"Lý do: {reason}\n{summary}",
            notification_kind=K.RECALL,
        )
    elif kind == "delivery.completed":
        _tell_sender(delivery, kind, title=f"{unit} đã hoàn thành xử lý {label}", body=summary)
    elif kind == "delivery.acknowledged":
        who = display_name(delivery.acknowledged_by) if delivery.acknowledged_by_id else unit
        _tell_sender(delivery, kind, title=f"{unit} xác nhận đã nhận {label}", body=f"Người xác nhận: {who}\n{summary}")
    else:
        raise ValueError(f"on_delivery_status does not handle {kind!r}")


# Assignments ---------------------------------------------------------------------------------------


def _deadline_line(assignment: Assignment) -> str:
    return f"Hạn xử lý: {vn_date(assignment.deadline)}." if assignment.deadline else ""


def on_assignment_created(*, kind: str, assignment_id: int) -> None:
    """Assigned (phân công): the person, or the heads of the unit, now have work (or a document to note)."""
    assignment = _assignment(assignment_id)
    if assignment is None:
        return
    delivery = assignment.delivery
    role = AssignmentKind(assignment.kind).label.lower()
    lines = [_about(delivery.document), _deadline_line(assignment)]
    if assignment.note:
        lines.append(f"Ý kiến: {assignment.note}")
    urgent = delivery.priority > Priority.NORMAL
    notify(
        assignee_ids(assignment),
        kind=K.ASSIGNED,
        title=f"Được giao {role}: {document_label(delivery.document)}",
        body="\n".join(line for line in lines if line),
        url=delivery_url(delivery.pk),
        urgent=urgent,
        key=f"{kind}:{assignment.pk}",
    )


_ANSWERS = {
    "assignment.finished": "đã hoàn thành",
    "assignment.returned": "trả lại",
    "assignment.acknowledged": "đã nhận để biết",
}


def on_assignment_answered(*, kind: str, assignment_id: int) -> None:
    """Finished, returned, acknowledged: the one who assigned it learns the outcome."""
    assignment = _assignment(assignment_id)
    if assignment is None:
        return
    verb = _ANSWERS[kind]
    lines = [_about(assignment.delivery.document)]
    if kind == "assignment.finished" and assignment.result:
        lines.append(f"Kết quả: {assignment.result}")
    if kind == "assignment.returned":
        lines.append(f"Lý do trả lại: {assignment.returned_reason}")
    notify(
        [assignment.assigned_by_id],
        kind=K.STATUS,
        title=f"{assignee_name(assignment)} {verb} {document_label(assignment.delivery.document)}",
        body="\n".join(lines),
        url=delivery_url(assignment.delivery_id),
        key=f"{kind}:{assignment.pk}",
    )


def on_assignment_due(*, kind: str, assignment_id: int) -> None:
    """Reminder (đôn đốc) before the deadline, or overdue notice: to the assignee, once per deadline."""
    assignment = _assignment(assignment_id)
    if assignment is None or assignment.state not in OPEN_ASSIGNMENT_STATES or assignment.deadline is None:
        return
    label = document_label(assignment.delivery.document)
    if kind == "assignment.reminder":
        notification_kind, title = K.REMINDER, f"Sắp đến hạn xử lý: {label}"
    else:
        notification_kind, title = K.OVERDUE, f"Quá hạn xử lý: {label}"
    notify(
        assignee_ids(assignment),
        kind=notification_kind,
        title=title,
        body=f"{_deadline_line(assignment)}\n{_about(assignment.delivery.document)}",
        url=delivery_url(assignment.delivery_id),
        key=f"{kind}:{assignment.pk}:{assignment.deadline.isoformat()}",
    )


def on_assignment_escalated(*, kind: str, assignment_id: int) -> None:
    """Overdue, told upward: the one who assigned it and the leaders of the receiving unit."""
    assignment = _assignment(assignment_id)
    if assignment is None or assignment.state not in OPEN_ASSIGNMENT_STATES or assignment.deadline is None:
        return
    delivery = assignment.delivery
    users = {assignment.assigned_by_id, *leaders_of(delivery.recipient)}
    notify(
        sorted(users),
        kind=K.OVERDUE,
        title=f"Quá hạn: {assignee_name(assignment)} chưa xử lý xong {document_label(delivery.document)}",
        body=f"{_deadline_line(assignment)}\n{_about(delivery.document)}",
        url=delivery_url(delivery.pk),
        key=f"{kind}:{assignment.pk}:{assignment.deadline.isoformat()}",
    )


def on_assignment_deadline_extended(*, kind: str, assignment_id: int) -> None:
    """Gia hạn: the assignee learns the new deadline and why (each new deadline is its own notice)."""
    assignment = _assignment(assignment_id)
    if assignment is None or assignment.deadline is None:
        return
    extension = DeadlineExtension.objects.filter(assignment=assignment).order_by("-at", "-pk").first()
    lines = [f"Hạn mới: {vn_date(assignment.deadline)}."]
    if extension is not None:
        lines[0] = f"Hạn cũ: {vn_date(extension.old_deadline)}; hạn mới: {vn_date(assignment.deadline)}."
        lines.append(f"Lý do: {extension.reason}")
    lines.append(_about(assignment.delivery.document))
    notify(
        assignee_ids(assignment),
        kind=K.STATUS,
        title=f"Gia hạn xử lý: {document_label(assignment.delivery.document)}",
        body="\n".join(lines),
        url=delivery_url(assignment.delivery_id),
        key=f"{kind}:{assignment.pk}:{assignment.deadline.isoformat()}",
    )


#: Event kind → handler; :class:`workflows.apps.WorkflowsConfig` subscribes each at start-up.
# Accounts ------------------------------------------------------------------------------------------


def on_two_factor_enrolled(*, kind: str, user_id: int, device_id: int) -> None:
    """An authenticator was added to an account: its owner and the admins of their units are told at once.

    Enrolment trusts whoever holds the password the first time (the person has no device yet to prove
    anything with), so the real owner must hear of it: by e-mail whatever their preferences (as an
    urgent notice, mailed whenever their e-mail is on), and their unit admins in the app, who have a
    system administrator remove the device in the admin if the owner did not add it.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(pk=device_id, user_id=user_id).select_related("user").first()
    if device is None:
        return
    owner = device.user
    when = timezone.localtime(device.created_at or timezone.now())
    moment = f"lúc {when:%H:%M} {vn_date(when.date())}"
    notify(
        [owner.pk],
        kind=K.SECURITY,
        title="Tài khoản của bạn vừa được cài ứng dụng xác thực hai lớp",
        body=(
            f"Ứng dụng “{device.name}” được cài cho tài khoản {owner.get_username()} {moment}. "
            "Nếu không phải bạn cài, hãy báo ngay quản trị đơn vị và đổi mật khẩu."
        ),
        urgent=True,
        key=f"{kind}:{device.pk}",
    )
    today = timezone.localdate()
    units = Membership.objects.in_force(today).filter(user=owner).values("unit_id")
    admins = set(
        Membership.objects.in_force(today)
        .filter(unit_id__in=units, role=Role.ADMIN, user__is_active=True)
        .exclude(user=owner)
        .values_list("user_id", flat=True)
    )
    if admins:
        notify(
            sorted(admins),
            kind=K.SECURITY,
            title=f"{display_name(owner)} vừa cài ứng dụng xác thực hai lớp",
            body=(
                f"Tài khoản {owner.get_username()}, {moment}. Nếu người này không tự cài, "
                "hãy báo quản trị hệ thống gỡ thiết bị và đổi mật khẩu tài khoản."
            ),
            key=f"{kind}:{device.pk}",
        )


SUBSCRIPTIONS = {
    "dispatch.issued": on_dispatch_issued,
    "dispatch.recalled": on_dispatch_recalled,
    "delivery.forwarded": on_delivery_forwarded,
    "delivery.registered": on_delivery_registered,
    "delivery.rejected": on_delivery_status,
    "delivery.recall_accepted": on_delivery_status,
    "delivery.recall_refused": on_delivery_status,
    "delivery.completed": on_delivery_status,
    "delivery.acknowledged": on_delivery_status,
    "assignment.created": on_assignment_created,
    "assignment.finished": on_assignment_answered,
    "assignment.returned": on_assignment_answered,
    "assignment.acknowledged": on_assignment_answered,
    "assignment.reminder": on_assignment_due,
    "assignment.overdue": on_assignment_due,
    "assignment.escalated": on_assignment_escalated,
    "assignment.deadline_extended": on_assignment_deadline_extended,
    "auth.two_factor_enrolled": on_two_factor_enrolled,
}
