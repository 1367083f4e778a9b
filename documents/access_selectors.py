"""Reads about explicit access rights on documents: who may change them, the access list, what waits.

The rule of who may ask for and who may confirm a change of access (Decree 30, Phụ lục VI: recorded,
and in force only once a second authorised person confirms) is :func:`access_role`, written once and
used by the actions, the pages and the API alike. It is decided by the document's *responsible
unit*: the drafting unit while the document is a draft (its heads answer for it), the issuing agency
once it is numbered (the agency's heads and its unit administrators answer for what it issued).
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from documents.models import (
    AccessChange,
    AccessChangeKind,
    AccessChangeState,
    Document,
    DocumentGroupObjectPermission,
    DocumentUserObjectPermission,
)
from journal.errors import NotFound
from organizations.models import Membership, Role, Unit
from organizations.selectors import roles_in

#: Who may confirm (or refuse) a change of access: the responsible unit's heads and its unit administrators.
CONFIRMER_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.DEPUTY, Role.PRINCIPAL, Role.ADMIN})
#: Who may ask for a change: the confirmers, and the clerks and archivists who keep the unit's documents.
REQUESTER_ROLES: frozenset[str] = CONFIRMER_ROLES | {Role.CLERK, Role.ARCHIVIST}


class AccessRole(enum.IntEnum):
    """What a person may do about access to one document; each level includes the ones below it."""

    NONE = 0
    REQUESTER = 1
    CONFIRMER = 2


def responsible_unit(document: Document) -> Unit:
    """The unit that answers for who may read ``document``: its drafting unit while a draft, else its issuer."""
    return document.drafting_unit if document.is_draft else document.issuer


def access_role(*, user, document: Document, on: datetime.date | None = None) -> AccessRole:
    """The one rule: ``user``'s roles in force in the document's responsible unit decide (one query).

    Being the requester does not stop someone from being a confirmer in general; the actions refuse
    the confirmation of one's own request separately, because that is about the request, not the person.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return AccessRole.NONE
    roles = roles_in(user=user, unit=responsible_unit(document), on=on)
    if roles & CONFIRMER_ROLES:
        return AccessRole.CONFIRMER
    if roles & REQUESTER_ROLES:
        return AccessRole.REQUESTER
    return AccessRole.NONE


def _draft_q(prefix: str = "document__") -> Q:
    return Q(**{f"{prefix}number__isnull": True, f"{prefix}external": False})


def _responsible_in(units: QuerySet, prefix: str = "document__") -> Q:
    """Rows whose document's responsible unit is among ``units``, as SQL (see :func:`responsible_unit`)."""
    draft = _draft_q(prefix)
    return (draft & Q(**{f"{prefix}drafting_unit__in": units})) | (~draft & Q(**{f"{prefix}issuer__in": units}))


def _units_where(user, roles, on: datetime.date | None = None) -> QuerySet:
    return Membership.objects.in_force(on).filter(user=user, role__in=roles).values("unit_id")


def document_for_access(*, user, pk: int) -> Document:
    """Document ``pk`` if ``user`` may ask for changes of access to it, else :class:`NotFound`.

    The access list says who else reads the document, so it is shown only to those who answer for
    it; to everyone else the document's access list does not exist.
    """
    document = Document.objects.select_related("document_type", "issuer", "drafting_unit").filter(pk=pk).first()
    if document is None or access_role(user=user, document=document) < AccessRole.REQUESTER:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found", message_en="Document not found.")
    return document


def access_changes_visible_to(*, user) -> QuerySet[AccessChange]:
    """Changes ``user`` may read: those they asked for, and those on documents they may ask about."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return AccessChange.objects.none()
    return (
        AccessChange.objects.filter(Q(requested_by=user) | _responsible_in(_units_where(user, REQUESTER_ROLES)))
        .select_related(*_CHANGE_RELATED)
        .order_by("-requested_at", "-pk")
    )


def visible_access_change(*, user, pk: int) -> AccessChange:
    """Change ``pk`` if ``user`` may read it, else :class:`NotFound` (never saying that it exists)."""
    change = access_changes_visible_to(user=user).filter(pk=pk).first()
    if change is None:
        raise NotFound(
            "Không tìm thấy đề nghị thay đổi quyền truy cập.",
            code="access_change_not_found",
            message_en="Access change not found.",
        )
    return change


def access_changes_awaiting(*, user, on: datetime.date | None = None) -> QuerySet[AccessChange]:
    """Pending changes ``user`` may confirm (quyền truy cập chờ xác nhận), oldest first; their own left out."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return AccessChange.objects.none()
    return (
        AccessChange.objects.filter(state=AccessChangeState.PENDING)
        .filter(_responsible_in(_units_where(user, CONFIRMER_ROLES, on)))
        .exclude(requested_by=user)
        .select_related(*_CHANGE_RELATED)
        .order_by("requested_at", "pk")
    )


_CHANGE_RELATED = (
    "document__document_type",
    "document__issuer",
    "document__drafting_unit",
    "grantee_user",
    "grantee_unit",
    "requested_by",
    "decided_by",
)


def _last_confirmed_kind(*, grantee: str, grantee_ref: str) -> Subquery:
    """The kind of the latest confirmed change for the outer guardian row's document, grantee and right."""
    return Subquery(
        AccessChange.objects.filter(
            document_id=OuterRef("content_object_id"),
            permission=OuterRef("permission__codename"),
            state=AccessChangeState.CONFIRMED,
            **{grantee: OuterRef(grantee_ref)},
        )
        .order_by("-decided_at", "-pk")
        .values("kind")[:1]
    )


def explicit_user_grants(*, document: Document) -> QuerySet[DocumentUserObjectPermission]:
    """Guardian rows of people on ``document``, each marked ``explicit`` when a confirmed grant made it."""
    return (
        DocumentUserObjectPermission.objects.filter(
            content_object=document, permission__content_type__app_label="documents"
        )
        .annotate(last_kind=_last_confirmed_kind(grantee="grantee_user_id", grantee_ref="user_id"))
        .select_related("user", "permission")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def unit_grants(*, document: Document) -> QuerySet[DocumentGroupObjectPermission]:
    """Guardian rows of unit groups on ``document`` (any made outside this process included), each with its unit."""
    return (
        DocumentGroupObjectPermission.objects.filter(
            content_object=document,
            permission__content_type__app_label="documents",
            group__unit_link__role="",
        )
        .annotate(
            last_kind=_last_confirmed_kind(grantee="grantee_unit__unit_groups__group_id", grantee_ref="group_id"),
        )
        .select_related("group__unit_link__unit", "permission")
        .order_by("group__unit_link__unit__path", "pk")
    )


@dataclass(frozen=True)
class Grant:
    """One right in force on the document: to a person or a unit, explicit (revocable here) or the system's."""

    kind: str  # "user" or "unit"
    grantee_id: int
    grantee_label: str
    permission: str
    permission_label: str
    explicit: bool
    username: str = ""  # a person's user name, how the forms name them


@dataclass(frozen=True)
class AccessList:
    """The document's access list: the rights in force, the changes waiting, and the latest decisions."""

    grants: list[Grant]
    pending: list[AccessChange]
    decided: list[AccessChange]


#: How many decided changes the access list shows; the audit trail keeps them all.
DECIDED_SHOWN = 50


def access_list(*, document: Document) -> AccessList:
    """Rights in force on ``document`` and the changes asked for; the caller has checked :func:`access_role`.

    A fixed number of queries whatever the number of grants: people, unit groups, and the changes.
    """
    grants = [
        Grant(
            "user",
            row.user_id,
            f"{row.user.last_name} {row.user.first_name}".strip() or row.user.get_username(),
            row.permission.codename,
            row.permission.name,
            row.last_kind == AccessChangeKind.GRANT,
            row.user.get_username(),
        )
        for row in explicit_user_grants(document=document)
    ]
    grants += [
        Grant(
            "unit",
            row.group.unit_link.unit_id,
            row.group.unit_link.unit.name,
            row.permission.codename,
            row.permission.name,
            row.last_kind == AccessChangeKind.GRANT,
        )
        for row in unit_grants(document=document)
    ]
    changes = AccessChange.objects.filter(document=document).select_related(*_CHANGE_RELATED)
    pending = list(changes.filter(state=AccessChangeState.PENDING).order_by("requested_at", "pk"))
    decided = list(changes.exclude(state=AccessChangeState.PENDING).order_by("-decided_at", "-pk")[:DECIDED_SHOWN])
    return AccessList(grants=grants, pending=pending, decided=decided)


def holds_explicit_grant(*, document: Document, user_id: int | None, unit_id: int | None, permission: str) -> bool:
    """Whether the grantee holds ``permission`` on ``document`` by a confirmed grant (one query).

    Only such rights are revoked here: the rights issuing gave to recipient units are withdrawn by
    recalling the document, not by one person asking and another confirming.
    """
    if user_id is not None:
        rows = explicit_user_grants(document=document).filter(user_id=user_id, permission__codename=permission)
    else:
        rows = unit_grants(document=document).filter(group__unit_link__unit_id=unit_id, permission__codename=permission)
    return rows.filter(last_kind=AccessChangeKind.GRANT).exists()


def holds_right(*, document: Document, user_id: int | None, unit_id: int | None, permission: str) -> bool:
    """Whether the grantee holds ``permission`` on ``document`` in any way guardian records it (one query)."""
    if user_id is not None:
        return explicit_user_grants(document=document).filter(user_id=user_id, permission__codename=permission).exists()
    return (
        unit_grants(document=document)
        .filter(group__unit_link__unit_id=unit_id, permission__codename=permission)
        .exists()
    )


__all__ = [
    "CONFIRMER_ROLES",
    "REQUESTER_ROLES",
    "AccessList",
    "AccessRole",
    "Grant",
    "access_changes_awaiting",
    "access_changes_visible_to",
    "access_list",
    "access_role",
    "document_for_access",
    "holds_explicit_grant",
    "holds_right",
    "responsible_unit",
    "visible_access_change",
]
