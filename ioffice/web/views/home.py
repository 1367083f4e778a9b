"""The home page (trang chủ): one template per role of the active membership.

Each template names the queues that person works from. The queues of the outgoing and incoming flows
are filled here from the selectors of documents and workflows (a few rows and the total, with a link
to the full list); the others say plainly that they are empty until their feature lands. Incoming
queues are the active unit's, urgent mail first, as the inboxes are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from documents.access_selectors import access_changes_awaiting
from documents.selectors import drafts_of
from organizations.models import Role
from workflows.actions.delivery_steps import is_clerk_of
from workflows.consultation_selectors import consultations_awaiting
from workflows.incoming_selectors import my_assignments, to_acknowledge, to_register, to_route
from workflows.models import AssignmentKind, AssignmentState, DispatchState
from workflows.selectors import at_clerk_desk, awaiting_numbering, awaiting_review, awaiting_signature

HOME_TEMPLATES: dict[str, str] = {
    Role.CLERK: "home/clerk.html",
    Role.OFFICER: "home/officer.html",
    Role.LEADER: "home/leader.html",
    Role.DEPUTY: "home/leader.html",
    Role.PRINCIPAL: "home/principal.html",
    Role.ARCHIVIST: "home/archivist.html",
    Role.ADMIN: "home/admin.html",
}
NO_MEMBERSHIP_TEMPLATE = "home/no_membership.html"
#: Rows a home queue shows before "xem tất cả".
QUEUE_PREVIEW = 5


@dataclass(frozen=True)
class QueuePreview:
    """The first rows of a work list, its total and where the full list is."""

    items: list
    count: int
    url: str


def home_template(request: HttpRequest) -> str:
    """The template for the active role; a superuser holding no membership gets the administrator's."""
    membership = request.active_membership
    if membership is not None:
        return HOME_TEMPLATES[membership.role]
    if request.user.is_superuser:
        return HOME_TEMPLATES[Role.ADMIN]
    return NO_MEMBERSHIP_TEMPLATE


def _preview(queryset: QuerySet, url_name: str, *, document_of=lambda row: row.document) -> QueuePreview:
    rows = list(queryset[: QUEUE_PREVIEW + 1])
    count = len(rows) if len(rows) <= QUEUE_PREVIEW else queryset.count()
    return QueuePreview(items=[document_of(row) for row in rows[:QUEUE_PREVIEW]], count=count, url=reverse(url_name))


def queues_for(request: HttpRequest) -> dict[str, QueuePreview]:
    """The queues of the active role (outgoing and incoming), keyed by the slug the template uses."""
    membership = request.active_membership
    if membership is None:
        return {}
    user = request.user
    role = membership.role
    queues: dict[str, QueuePreview] = {}
    if role in (Role.OFFICER, Role.LEADER, Role.DEPUTY, Role.CLERK):
        queues["drafts"] = _preview(drafts_of(user=user), "draft-list", document_of=lambda d: d)
    if role in (Role.LEADER, Role.DEPUTY, Role.PRINCIPAL):
        queues["drafts_to_review"] = _preview(awaiting_review(user=user), "queue-review")
        queues["to_sign"] = _preview(awaiting_signature(user=user), "queue-signature")
    if role == Role.CLERK:
        queues["outgoing_to_number"] = _preview(awaiting_numbering(user=user), "queue-clerk")
        queues["outgoing_to_seal"] = _preview(at_clerk_desk(user=user, state=DispatchState.NUMBERED), "queue-clerk")
        queues["outgoing_to_issue"] = _preview(at_clerk_desk(user=user, state=DispatchState.SEALED), "queue-clerk")
    queues.update(_incoming_queues(user, membership))
    return queues


def _itself(row):
    return row


def _incoming_queues(user, membership) -> dict[str, QueuePreview]:
    """The incoming-flow queues of the active role; each row is a delivery (văn bản đến)."""
    unit, role = membership.unit, membership.role
    queues: dict[str, QueuePreview] = {}
    # A small school has no clerk: its principal registers what arrives (workflows' is_clerk_of).
    if role == Role.CLERK or (role == Role.PRINCIPAL and is_clerk_of(user, unit)):
        queues["incoming_to_register"] = _preview(to_register(user, unit), "incoming-to-register", document_of=_itself)
    if role in (Role.LEADER, Role.DEPUTY, Role.PRINCIPAL):
        queues["incoming_to_route"] = _preview(to_route(user, unit), "incoming-to-route", document_of=_itself)
        queues["to_acknowledge"] = _preview(to_acknowledge(user, unit), "incoming-to-acknowledge", document_of=_itself)
    if role in (Role.OFFICER, Role.LEADER, Role.DEPUTY):
        open_lines = my_assignments(user).filter(state__in=[AssignmentState.NEW, AssignmentState.IN_PROGRESS])
        queues["assigned"] = _preview(
            open_lines.exclude(kind=AssignmentKind.INFORM), "my-assignments", document_of=lambda a: a.delivery
        )
        queues["for_information"] = _preview(
            open_lines.filter(kind=AssignmentKind.INFORM), "my-assignments", document_of=lambda a: a.delivery
        )
    return queues


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {"queues": queues_for(request)}
    if request.active_membership is not None:
        # Anyone may be asked in person, so every role sees the opinions waiting for them.
        awaiting = consultations_awaiting(user=request.user)
        context["consultations_awaiting"] = list(awaiting[:QUEUE_PREVIEW])
        context["consultations_awaiting_count"] = awaiting.count()
        # Changes of access wait for a second person (Phụ lục VI): heads and unit admins are told here.
        context["access_awaiting_count"] = access_changes_awaiting(user=request.user).count()
    return render(request, home_template(request), context)
