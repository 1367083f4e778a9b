"""Who sees what: the one visibility rule (issue 5), written once as SQL and asked by every read.

A user sees a document when

(a) their unit (or a division of it) drafted or issued it and their role there allows: a draft its
    drafter, reviewer and signer, the heads of the drafting unit, and once it is in the approval
    process the heads of the agency the drafting division belongs to (its issuer); from signature
    on, also the clerks and archivists of the issuing agency and of the drafting division (the
    clerk numbers and seals it, the archivist files it);
(b) it was delivered to their unit and their role there allows: clerks, heads, the principal and
    archivists see every delivery of the unit; an officer only the lines assigned to them, or to a
    unit they work in while that line has not been re-assigned to someone else;
(c) it is assigned to them personally;
(d) a delegation in force hands them a head's view of a unit: "sign" the issuing side, "route" the
    receiving side (the delegate acts with the delegator's role for that scope and period);
(e) an explicit grant opens it: guardian's ``view_document`` to the user or to a group they belong to,
    written when a second person confirms it (:mod:`documents.actions.access`). Grants open the
    *document* only, never deliveries or the sender's tracking. Issuing and forwarding write no grant:
    a recipient sees the document through its own delivery, by role (b);
(f) a supervising unit follows what it forwarded: the readers of the unit a delivery was forwarded
    from see the child delivery; the sending side sees every copy down the tree.

Every function returns (or filters on) one queryset whose rule is a handful of ``IN`` subqueries and
one ``NOT EXISTS``: evaluating it is one SQL statement, whatever the number of units, roles or rows,
and nothing is decided in a Python loop. The ``visible_*`` functions raise :class:`NotFound` for a
row that does not exist and for one the user may not see alike, so a probe learns nothing.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from documents.models import Document, DocumentGroupObjectPermission, DocumentUserObjectPermission
from journal.errors import NotFound
from organizations.models import Delegation, DelegationScope, Membership, Role
from organizations.selectors import AUTHORITY_ROLES
from workflows.actions.routing import REASSIGNING_ROLES, WORKING_ROLES
from workflows.models import (
    Assignment,
    AssignmentState,
    Consultation,
    ConsultationRequest,
    Delivery,
    Dispatch,
    DispatchState,
)

S = DispatchState

#: The heads of a unit: they read its drafts (a), re-assign its lines (b) and answer for it.
HEAD_ROLES: frozenset[str] = AUTHORITY_ROLES
#: Who sees what the agency (or the drafting division) signed and issued (a).
ISSUING_SIDE_ROLES: frozenset[str] = HEAD_ROLES | {Role.CLERK, Role.ARCHIVIST}
#: From signature on a document is the issuing agency's: at the clerk's desk, then issued.
ISSUING_SIDE_STATES: tuple[str, ...] = (S.SIGNED, S.NUMBERED, S.SEALED, S.ISSUED, S.RECALLED, S.REPLACED)
#: Who sees every delivery of the unit (b), and the deliveries the unit forwarded on (f).
UNIT_VIEWER_ROLES: frozenset[str] = HEAD_ROLES | {Role.CLERK, Role.ARCHIVIST}
#: Who sees a line given to their unit even after it was re-assigned to a person: those who re-assign.
LINE_HEAD_ROLES: frozenset[str] = frozenset(REASSIGNING_ROLES)
#: Who sees (and works) a line given to their unit until it is re-assigned: the routing actions' rule.
LINE_WORKER_ROLES: frozenset[str] = frozenset(WORKING_ROLES)

_DISPATCH_RELATED = ("document__document_type", "document__drafting_unit", "document__issuer", "document__created_by")
_VIEW = {"permission__codename": "view_document", "permission__content_type__app_label": "documents"}


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def _units(user, roles, on: datetime.date) -> QuerySet:
    """The ids of the units where ``user`` holds one of ``roles`` on ``on``, as a subquery."""
    return Membership.objects.in_force(on).filter(user=user, role__in=sorted(roles)).values("unit_id")


def _delegated(user, scope: str, on: datetime.date) -> QuerySet:
    """The ids of the units where a delegation in force on ``on`` gives ``user`` the ``scope`` authority."""
    return Delegation.objects.in_force(on).covering(scope).filter(delegate=user).values("unit_id")


# --- The clauses, as Q objects reusable from any model that reaches a document ------------------------


def authored_q(user, *, document: str = "", dispatch: str = "dispatch__", on: datetime.date | None = None) -> Q:
    """Clauses (a) and (d, "sign"): the drafting and issuing side of a document, grants left out.

    ``document`` and ``dispatch`` are the lookup prefixes that reach the document and its dispatch
    from the queried model (``""``/``"dispatch__"`` on Document, ``"document__"``/``""`` on Dispatch).
    """
    on = _today(on)
    d, x = document, dispatch
    heads = _units(user, HEAD_ROLES, on)
    issuing = _units(user, ISSUING_SIDE_ROLES, on)
    signing = _delegated(user, DelegationScope.SIGN, on)
    # A dispatch always has a state: on Document this is "the draft is in the approval process".
    in_process = Q(**{f"{x}state__isnull": False})
    issued_side = Q(**{f"{x}state__in": ISSUING_SIDE_STATES}) & (
        Q(**{f"{d}issuer__in": issuing})
        | Q(**{f"{d}drafting_unit__in": issuing})
        | Q(**{f"{d}issuer__in": signing})
        | Q(**{f"{d}drafting_unit__in": signing})
    )
    return (
        Q(**{f"{d}created_by": user})
        | Q(**{f"{x}reviewer": user})
        | Q(**{f"{x}signer": user})
        | Q(**{f"{d}drafting_unit__in": heads})
        | (in_process & Q(**{f"{d}issuer__in": heads}))
        | issued_side
    )


def assigned_lines_q(user, *, on: datetime.date | None = None) -> Q:
    """Clauses (b, officers) and (c) on :class:`Assignment`: the routing-slip lines ``user`` works or heads.

    Their own lines; the lines of units they head (or hold a "route" delegation for); and the lines
    of units they work in as long as nobody inside the unit was given the line in person.
    """
    on = _today(on)
    reassigned = Assignment.objects.filter(parent=OuterRef("pk")).exclude(state=AssignmentState.RETURNED)
    return (
        Q(user=user)
        | Q(unit__in=_units(user, LINE_HEAD_ROLES, on))
        | Q(unit__in=_delegated(user, DelegationScope.ROUTE, on))
        | (Q(unit__in=_units(user, LINE_WORKER_ROLES, on)) & ~Exists(reassigned))
    )


def received_q(user, *, on: datetime.date | None = None) -> Q:
    """Clauses (b), (c), (d, "route") and (f) on :class:`Delivery`: the receiving side of a copy."""
    on = _today(on)
    viewed = _units(user, UNIT_VIEWER_ROLES, on)
    routing = _delegated(user, DelegationScope.ROUTE, on)
    lines = Assignment.objects.filter(assigned_lines_q(user, on=on)).values("delivery_id")
    return (
        Q(recipient__in=viewed)
        | Q(recipient__in=routing)
        | Q(parent__recipient__in=viewed)
        | Q(parent__recipient__in=routing)
        | Q(pk__in=lines)
    )


def granted_q(user, *, document: str = "pk") -> Q:
    """Clause (e): an explicit ``view_document`` to ``user`` or to one of their groups (unit groups included)."""
    to_user = DocumentUserObjectPermission.objects.filter(user=user, **_VIEW).values("content_object_id")
    to_group = DocumentGroupObjectPermission.objects.filter(group__user=user, **_VIEW).values("content_object_id")
    return Q(**{f"{document}__in": to_user}) | Q(**{f"{document}__in": to_group})


# --- Querysets ----------------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "is_active", False)


def documents_visible_to(user, *, on: datetime.date | None = None) -> QuerySet[Document]:
    """Every document ``user`` may open on ``on`` (today by default): clauses (a)–(f), one query."""
    if not _signed_in(user):
        return Document.objects.none()
    received = Delivery.objects.filter(received_q(user, on=on)).values("document_id")
    return Document.objects.filter(authored_q(user, on=on) | Q(pk__in=received) | granted_q(user))


def deliveries_visible_to(user, *, on: datetime.date | None = None) -> QuerySet[Delivery]:
    """Every delivery ``user`` may open: the receiving side's, and every copy the sending side sent.

    The sending side is :func:`authored_q` on the dispatch, never a grant: a recipient unit's group
    holds ``view_document`` from issue on, and that must not show it the other recipients' copies.
    A document registered from outside the system has no dispatch, hence no sending side here.
    """
    if not _signed_in(user):
        return Delivery.objects.none()
    sent = Q(dispatch__isnull=False) & authored_q(user, document="document__", dispatch="dispatch__", on=on)
    return (
        Delivery.objects.filter(received_q(user, on=on) | sent)
        .select_related("document__issuer", "document__document_type", "recipient")
        .order_by("-priority", "-arrived_at", "-pk")
    )


def assignments_visible_to(user, *, on: datetime.date | None = None) -> QuerySet[Assignment]:
    """The routing-slip lines of every delivery ``user`` may open (the slip is part of the delivery page)."""
    visible = deliveries_visible_to(user, on=on).order_by().values("pk")
    return Assignment.objects.filter(delivery__in=visible).select_related("unit", "user", "delivery")


def dispatches_visible_to(user, *, on: datetime.date | None = None) -> QuerySet[Dispatch]:
    """The dispatches of every document ``user`` may open, newest first."""
    visible = documents_visible_to(user, on=on).order_by().values("pk")
    return (
        Dispatch.objects.filter(document__in=visible).select_related(*_DISPATCH_RELATED).order_by("-created_at", "-pk")
    )


def dispatches_tracked_by(user, *, on: datetime.date | None = None) -> QuerySet[Dispatch]:
    """The dispatches whose recipients' progress ``user`` may follow: the sending side only, no grants.

    A recipient sees the document and its own delivery, never the other recipients' statuses.
    """
    if not _signed_in(user):
        return Dispatch.objects.none()
    return Dispatch.objects.filter(authored_q(user, document="document__", dispatch="", on=on)).order_by(
        "-created_at", "-pk"
    )


def consultations_visible_to(user, *, on: datetime.date | None = None) -> QuerySet[Consultation]:
    """Consultations on documents ``user`` may open, and those ``user`` was asked in (in person or for a unit)."""
    if not _signed_in(user):
        return Consultation.objects.none()
    on = _today(on)
    asked = ConsultationRequest.objects.filter(Q(user=user) | Q(unit__in=_units(user, HEAD_ROLES, on))).values(
        "consultation_id"
    )
    documents = documents_visible_to(user, on=on).order_by().values("pk")
    return Consultation.objects.filter(Q(document__in=documents) | Q(pk__in=asked))


# --- One row, or NotFound -----------------------------------------------------------------------------


def visible_document(user, pk: int) -> Document:
    """Document ``pk`` if ``user`` may open it, else :class:`NotFound` (never saying that it exists)."""
    document = (
        documents_visible_to(user)
        .select_related("document_type", "issuer", "drafting_unit", "created_by")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found", message_en="Document not found.")
    return document


def visible_delivery(user, pk: int) -> Delivery:
    """Delivery ``pk`` if ``user`` may open it, else :class:`NotFound` (never saying that it exists)."""
    delivery = (
        deliveries_visible_to(user)
        .select_related("registered_by", "acknowledged_by", "reply", "parent__recipient", "dispatch", "register")
        .filter(pk=pk)
        .first()
    )
    if delivery is None:
        raise NotFound("Không tìm thấy văn bản đến.", code="delivery_not_found", message_en="Delivery not found.")
    return delivery


def visible_assignment(user, pk: int) -> Assignment:
    """Assignment ``pk`` if ``user`` may open its delivery, else :class:`NotFound`."""
    assignment = assignments_visible_to(user).filter(pk=pk).first()
    if assignment is None:
        raise NotFound(
            "Không tìm thấy phân công xử lý.", code="assignment_not_found", message_en="Assignment not found."
        )
    return assignment


def visible_dispatch(user, pk: int) -> Dispatch:
    """Dispatch ``pk`` if ``user`` may open its document, else :class:`NotFound`."""
    dispatch = dispatches_visible_to(user).filter(pk=pk).first()
    if dispatch is None:
        raise NotFound("Không tìm thấy văn bản.", code="dispatch_not_found", message_en="Dispatch not found.")
    return dispatch


def tracked_dispatch(user, pk: int) -> Dispatch:
    """Dispatch ``pk`` if ``user`` is on its sending side (may follow every recipient), else :class:`NotFound`."""
    dispatch = dispatches_tracked_by(user).select_related("document").filter(pk=pk).first()
    if dispatch is None:
        raise NotFound("Không tìm thấy văn bản.", code="dispatch_not_found", message_en="Dispatch not found.")
    return dispatch


def visible_consultation(user, pk: int) -> Consultation:
    """Consultation ``pk`` if ``user`` may read it, else :class:`NotFound` (never saying that it exists)."""
    consultation = consultations_visible_to(user).select_related("document", "asked_by").filter(pk=pk).first()
    if consultation is None:
        raise NotFound(
            "Không tìm thấy đợt lấy ý kiến.", code="consultation_not_found", message_en="Consultation not found."
        )
    return consultation
