"""Reads for the outgoing work lists: what waits for this user's review, signature or number."""

from __future__ import annotations

from django.db.models import QuerySet

from organizations.models import Membership, Role
from workflows.models import Dispatch, DispatchState

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
    agencies = Membership.objects.in_force().filter(user=user, role=Role.CLERK).values("unit_id")
    return (
        Dispatch.objects.filter(state=DispatchState.SIGNED, document__issuer__in=agencies)
        .select_related(*_RELATED)
        .order_by("signed_at", "pk")
    )
