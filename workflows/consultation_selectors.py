"""Reads about consultations on drafts (lấy ý kiến): the consolidated view, a draft's rounds, a user's queue.

These take no viewing user: who may open a draft's consultations is the draft's visibility, which
the page checks before calling them (as it does for the draft itself). That rule, with
:func:`visible_consultation`, is :mod:`workflows.visibility` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from documents.models import Document
from organizations.models import Membership
from organizations.selectors import AUTHORITY_ROLES
from workflows.models import (
    Consultation,
    ConsultationRequest,
    ConsultationState,
    Opinion,
    OpinionFile,
    OpinionStance,
)
from workflows.visibility import visible_consultation as visible_consultation


@dataclass(frozen=True)
class PartyOpinion:
    """One asked party and its current opinion (``None`` while unanswered)."""

    request: ConsultationRequest
    party: Any
    opinion: Opinion | None


@dataclass(frozen=True)
class ConsultationSummary:
    """The consolidated opinions (tổng hợp ý kiến) of one consultation."""

    consultation: Consultation
    counts: dict[str, int]
    unanswered: int
    parties: list[PartyOpinion]

    @property
    def counts_labelled(self) -> list[tuple[str, str, int]]:
        """(stance, Vietnamese label, count) in the order the form offers them."""
        return [(value, label, self.counts[value]) for value, label in OpinionStance.choices]


def consultation_summary(*, consultation: Consultation) -> ConsultationSummary:
    """Counts per stance, the unanswered count and every party with its current opinion.

    Two queries whatever the number of parties: the parties joined to their current opinion and its
    author, then the files of those opinions. Counts are taken from the same rows, so they always
    agree with the list.
    """
    requests = list(
        ConsultationRequest.objects.filter(consultation=consultation)
        .select_related("user", "unit", "current_opinion__by")
        .prefetch_related(Prefetch("current_opinion__files", queryset=OpinionFile.objects.order_by("pk")))
        .order_by("position", "pk")
    )
    counts = dict.fromkeys(OpinionStance.values, 0)
    parties = []
    for request in requests:
        opinion = request.current_opinion
        if opinion is not None:
            counts[opinion.stance] += 1
        parties.append(PartyOpinion(request=request, party=request.party, opinion=opinion))
    unanswered = sum(1 for p in parties if p.opinion is None)
    return ConsultationSummary(consultation=consultation, counts=counts, unanswered=unanswered, parties=parties)


def consultations_of(*, document: Document) -> QuerySet[Consultation]:
    """The consultation rounds on ``document``, newest first, each with ``asked`` and ``answered`` counts."""
    return (
        Consultation.objects.filter(document=document)
        .select_related("asked_by", "closed_by")
        .annotate(
            asked=Count("requests"),
            answered=Count("requests", filter=Q(requests__current_opinion__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )


def consultations_awaiting(*, user) -> QuerySet[ConsultationRequest]:
    """Requests ``user`` can still answer: open, before the deadline, unanswered, nearest deadline first.

    Addressed to ``user`` in person, or to a unit where ``user`` holds a leader, deputy or principal
    role today (the people who answer for a unit; see :mod:`workflows.actions.consultations`).
    """
    led_units = _answering_units(user)
    return (
        ConsultationRequest.objects.filter(
            Q(user=user) | Q(unit_id__in=led_units),
            consultation__state=ConsultationState.OPEN,
            consultation__deadline__gt=timezone.now(),
            current_opinion__isnull=True,
        )
        .select_related(
            "unit",
            "user",
            "consultation__asked_by",
            "consultation__document__document_type",
            "consultation__document__drafting_unit",
        )
        .order_by("consultation__deadline", "pk")
    )


def opinion_history(*, request: ConsultationRequest) -> QuerySet[Opinion]:
    """Every opinion the party gave, superseded ones included, oldest first, with author and files."""
    return (
        Opinion.objects.filter(request=request)
        .select_related("by")
        .prefetch_related(Prefetch("files", queryset=OpinionFile.objects.order_by("pk")))
        .order_by("answered_at", "pk")
    )


def _answering_units(user) -> QuerySet:
    """The units ``user`` answers for today (leader, deputy, principal), as a subquery of ids."""
    return Membership.objects.in_force().filter(user=user, role__in=AUTHORITY_ROLES).values("unit_id")
