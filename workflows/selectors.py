"""Reads for the outgoing work lists (review, signature, number) and issue tracking.

Who may see a document or a dispatch is :mod:`workflows.visibility`, the one rule; its
``dispatches_visible_to`` and ``visible_document`` are re-exported here for the callers that know
them by this module.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from documents.models import DocumentReference, ReferenceKind
from organizations.models import Membership, Role
from workflows.models import EDXML_CODES, Delivery, DeliveryChannel, DeliveryStatus, Dispatch, DispatchState
from workflows.visibility import dispatches_visible_to, visible_document

__all__ = [
    "DRAFT_READER_ROLES",
    "at_clerk_desk",
    "awaiting_numbering",
    "awaiting_review",
    "awaiting_signature",
    "deliveries_of",
    "dispatches_visible_to",
    "issued_by",
    "paper_deliveries",
    "related_documents",
    "tracking_summary",
    "visible_document",
]

_RELATED = ("document__document_type", "document__drafting_unit", "document__issuer", "document__created_by")


def awaiting_review(*, user) -> QuerySet[Dispatch]:
    """Dispatches submitted to ``user`` for review, oldest submission first."""
    return (
        Dispatch.objects.filter(state=DispatchState.SUBMITTED, reviewer=user)
        .select_related(*_RELATED)
        .order_by("submitted_at", "pk")
    )


def awaiting_signature(*, user) -> QuerySet[Dispatch]:
    """Dispatches waiting for ``user``'s signature, oldest approval first."""
    return (
        Dispatch.objects.filter(state=DispatchState.AWAITING_SIGNATURE, signer=user)
        .select_related(*_RELATED)
        .order_by("approved_at", "pk")
    )


def awaiting_numbering(*, user) -> QuerySet[Dispatch]:
    """Signed dispatches of the agencies where ``user`` is a clerk today: the clerk's numbering queue."""
    return at_clerk_desk(user=user, state=DispatchState.SIGNED)


def at_clerk_desk(*, user, state: str) -> QuerySet[Dispatch]:
    """Dispatches in ``state`` (signed, numbered, sealed) at the agencies where ``user`` is a clerk today."""
    agencies = Membership.objects.in_force().filter(user=user, role=Role.CLERK).values("unit_id")
    return (
        Dispatch.objects.filter(state=state, document__issuer__in=agencies)
        .select_related(*_RELATED)
        .order_by("signed_at", "pk")
    )


# --- Issue and tracking -------------------------------------------------------------------

_ISSUED_STATES = (DispatchState.ISSUED, DispatchState.RECALLED, DispatchState.REPLACED)


def deliveries_of(*, dispatch: Dispatch) -> QuerySet[Delivery]:
    """The copies ``dispatch`` sent itself (forwarded ones left out), in unit tree order: the sender's list.

    What recipients forwarded down the tree is their own delivery; the sender sees it rolled up under
    the forwarding unit (:func:`workflows.incoming_selectors.tracking_tree`).
    """
    return (
        Delivery.objects.filter(dispatch=dispatch, parent__isnull=True)
        .select_related("recipient")
        .order_by("recipient__path", "pk")
    )


def tracking_summary(*, dispatch: Dispatch) -> dict:
    """Counts per status (with the edXML code) and per channel of the copies the dispatch sent, in one query."""
    counts = {f"s_{s}": Count("pk", filter=Q(status=s)) for s in DeliveryStatus.values}
    counts |= {f"c_{c}": Count("pk", filter=Q(channel=c)) for c in DeliveryChannel.values}
    row = Delivery.objects.filter(dispatch=dispatch, parent__isnull=True).aggregate(total=Count("pk"), **counts)
    return {
        "total": row["total"],
        "by_status": {s: row[f"s_{s}"] for s in DeliveryStatus.values},
        "by_edxml_code": {EDXML_CODES[s]: row[f"s_{s}"] for s in DeliveryStatus.values},
        "by_channel": {c: row[f"c_{c}"] for c in DeliveryChannel.values},
    }


def paper_deliveries(*, dispatch: Dispatch) -> QuerySet:
    """The phiếu gửi: units still on paper, what to write on the envelope, and the purpose.

    Units carry no postal address yet; the name, short name and directory code are what there is.
    """
    return (
        Delivery.objects.filter(dispatch=dispatch, parent__isnull=True, channel=DeliveryChannel.PAPER)
        .order_by("recipient__path", "pk")
        .values("pk", "purpose", unit_name=F("recipient__name"), unit_short_name=F("recipient__short_name"))
        .annotate(unit_code=F("recipient__code"))
    )


def issued_by(*, unit) -> QuerySet[Dispatch]:
    """The agency's issued dispatches (recalled and replaced ones included), newest first."""
    return (
        Dispatch.objects.filter(document__issuer=unit, state__in=_ISSUED_STATES)
        .select_related(*_RELATED)
        .order_by("-issued_at", "-pk")
    )


def related_documents(*, document) -> dict[str, list]:
    """What ``document`` replaces / corrects and what replaces / corrects it, from one query."""
    rows = DocumentReference.objects.filter(
        Q(document=document) | Q(target=document),
        kind__in=[ReferenceKind.THAY_THE, ReferenceKind.DINH_CHINH],
        target__isnull=False,
    ).select_related("document", "target")
    out: dict[str, list] = {"replaces": [], "replaced_by": [], "corrects": [], "corrected_by": []}
    for ref in rows:
        outgoing = ref.document_id == document.pk
        if ref.kind == ReferenceKind.THAY_THE:
            out["replaces" if outgoing else "replaced_by"].append(ref.target if outgoing else ref.document)
        else:
            out["corrects" if outgoing else "corrected_by"].append(ref.target if outgoing else ref.document)
    return out


#: Who edits a draft of their unit beside its drafter: its heads (the document page's editor button).
DRAFT_READER_ROLES = frozenset({Role.LEADER, Role.DEPUTY})
