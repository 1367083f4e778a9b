"""Replies (văn bản trả lời): a draft answering an incoming document, and the delivery it completes.

Someone of the recipient who may draft there starts the reply from the delivery: a Công văn draft of
the recipient (or of the drafter's division inside it) with a "trả lời" reference to the incoming
document, addressed back to its issuer, linked as ``delivery.reply``. The draft then goes the
ordinary outgoing way; issuing it (:func:`workflows.actions.issue.do_issue_dispatch`) completes the
deliveries it answers, so the sender's tracking page shows the answer beside its copy.

The draft is written here rather than through ``do_create_draft`` because the draft and the link
must commit together, and that action owns a durable transaction of its own; the drafting rules
(who may draft, how input is normalised, the first version) are the same functions it uses.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from documents.actions.drafts import (
    DRAFTING_ROLES,
    DraftInput,
    RecipientInput,
    ReferenceInput,
    create_draft,
)
from documents.models import Document, DocumentType, ReferenceKind
from journal import events
from journal.audit import record
from journal.errors import Conflict, InvalidInput
from organizations.models import Membership, UnitKind
from workflows.actions.delivery_steps import log_delivery, save_delivery
from workflows.models import Delivery, DeliveryStatus

#: A reply can be started while the recipient still owes an answer.
REPLYABLE = frozenset(
    {DeliveryStatus.REGISTERED, DeliveryStatus.ROUTED, DeliveryStatus.IN_PROGRESS, DeliveryStatus.RECALL_REFUSED}
)
_CONG_VAN = "Công văn"


def default_reply_summary(document: Document) -> str:
    """ "V/v trả lời Công văn số 12/SGDĐT-VP ngày 13/8/2026 của Sở …": how a reply's trích yếu usually reads."""
    parts = [f"V/v trả lời {document.document_type.name} số {document.symbol or document.number or ''}".rstrip()]
    if document.issued_on:
        parts.append(f"ngày {document.issued_on:%d/%m/%Y}")
    parts.append(f"của {document.issuer}")
    return " ".join(parts)[:500]


def do_start_reply(delivery: Delivery | int, *, acting_user, summary: str | None = None) -> Document:
    """Start the recipient's reply draft to a delivery and link it (``delivery.reply``); one open reply at a time."""
    with transaction.atomic(durable=True):
        pk = getattr(delivery, "pk", delivery)
        current = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("document__document_type", "document__issuer", "recipient", "reply")
            .get(pk=pk)
        )
        if current.status not in REPLYABLE:
            status = current.status
            raise Conflict(
                f"Không thể soạn văn bản trả lời khi văn bản đến đang ở trạng thái “{DeliveryStatus(status).label}”.",
                code="illegal_transition",
                message_en=f"Cannot start a reply to a delivery in status “{status}”.",
                details={"status": status},
            )
        if current.reply_id is not None and current.reply.number is None:
            raise Conflict(
                "Văn bản này đã có dự thảo trả lời đang soạn; hãy tiếp tục dự thảo đó.",
                code="reply_exists",
                message_en="A reply draft is already linked to this delivery.",
                details={"reply": current.reply_id},
            )
        drafting_unit = _drafting_unit(acting_user, current)
        document_type = DocumentType.objects.filter(name=_CONG_VAN, is_active=True).first()
        if document_type is None:
            raise InvalidInput(
                "Chưa có loại văn bản “Công văn” đang dùng.", code="no_reply_type", message_en="No Công văn type."
            )
        original = current.document
        issuer = original.issuer
        data = DraftInput(
            document_type=document_type,
            summary=(summary or "").strip() or default_reply_summary(original),
            recipients=[RecipientInput(unit=issuer)] if issuer.is_active and issuer.pk != current.recipient_id else [],
            references=[ReferenceInput(kind=ReferenceKind.TRA_LOI, target=original)],
            comment=f"Trả lời văn bản đến số {current.incoming_number}",
        )
        reply = create_draft(
            acting_user=acting_user, unit=drafting_unit, data=data, audit_data={"reply_to_delivery": current.pk}
        )
        current.reply = reply
        save_delivery(current)
        at = timezone.now()
        log_delivery(
            current, name="reply_started", from_status=current.status, actor=acting_user, at=at, comment=reply.summary
        )
        record(
            actor=acting_user,
            verb="workflows.delivery.reply_started",
            target=current,
            unit=current.recipient,
            data={"reply": reply.pk},
        )
    return reply


def complete_replied_deliveries(document: Document, *, actor, at: datetime.datetime) -> list[int]:
    """Complete every open delivery this just-issued ``document`` answers (called inside the issuing action).

    Runs in the caller's transaction: the reply is issued and the deliveries it answers are completed,
    or neither. A delivery already completed, rejected or recalled is left as it is.
    """
    with transaction.atomic(savepoint=False):
        open_ = list(
            Delivery.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(reply=document, completed_at__isnull=True, status__in=REPLYABLE)
            .order_by("pk")
        )
        for delivery in open_:
            from_status = delivery.status
            delivery.complete(at=at)
            save_delivery(delivery)
            log_delivery(
                delivery,
                name="reply_issued",
                from_status=from_status,
                actor=actor,
                at=at,
                comment=document.symbol,
            )
            events.publish("delivery.completed", delivery_id=delivery.pk)
            record(
                actor=actor,
                verb="workflows.delivery.completed",
                target=delivery,
                unit=delivery.recipient,
                data={"from": from_status, "to": delivery.status, "reply": document.pk},
            )
    return [delivery.pk for delivery in open_]


def _drafting_unit(user, delivery: Delivery):
    """The recipient itself when the user drafts there, else the user's division inside the recipient."""
    recipient = delivery.recipient
    if Membership.objects.in_force().filter(user=user, role__in=DRAFTING_ROLES, unit=recipient).exists():
        return recipient
    division = (
        Membership.objects.in_force()
        .filter(user=user, role__in=DRAFTING_ROLES, unit__parent=recipient, unit__kind=UnitKind.DIVISION)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    return division.unit if division is not None else recipient
