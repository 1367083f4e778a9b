"""Changing explicit access to a document with two people (Decree 30, Phụ lục VI).

One person asks (:func:`do_request_access_grant`, :func:`do_request_access_revoke`); a second,
authorised person confirms (:func:`do_confirm_access_change`) or refuses
(:func:`do_refuse_access_change`); the asker may withdraw the request while it waits
(:func:`do_cancel_access_change`). Until confirmed a request changes nothing: the guardian object
permission is written (grant) or deleted (revoke) in the confirming transaction, so nobody reads the
document on one person's word, and a revoked reader keeps reading until the revocation is confirmed.

Who may ask and who may confirm is :func:`documents.access_selectors.access_role`; nobody confirms or
refuses their own request (also a database check). Deciding locks the change row, so of two
confirmers at once one decides and the other gets 409.

Only rights made by a confirmed grant are revoked here. What issuing gave the recipient units is the
system's consequence of issuing and goes away by recalling the document.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from documents.access_selectors import (
    AccessRole,
    access_role,
    holds_explicit_grant,
    holds_right,
    responsible_unit,
)
from documents.models import (
    AccessChange,
    AccessChangeKind,
    AccessChangeState,
    AccessPermission,
    Document,
    DocumentGroupObjectPermission,
    DocumentUserObjectPermission,
)
from documents.text import clean_text
from journal import events
from journal.audit import record
from journal.errors import Conflict, Forbidden, InvalidInput
from organizations.groups import unit_group
from organizations.models import Unit

#: Longest reason or decision comment; a longer argument belongs in a document of its own.
MAX_TEXT_LENGTH = 2000


def do_request_access_grant(
    document: Document,
    *,
    acting_user,
    reason: str,
    grantee_user=None,
    grantee_unit: Unit | None = None,
    permission: str = AccessPermission.VIEW,
) -> AccessChange:
    """Ask that ``grantee_user`` or ``grantee_unit`` be given ``permission`` on ``document`` (chờ xác nhận)."""
    return _request(
        document,
        kind=AccessChangeKind.GRANT,
        acting_user=acting_user,
        reason=reason,
        grantee_user=grantee_user,
        grantee_unit=grantee_unit,
        permission=permission,
    )


def do_request_access_revoke(
    document: Document,
    *,
    acting_user,
    reason: str,
    grantee_user=None,
    grantee_unit: Unit | None = None,
    permission: str = AccessPermission.VIEW,
) -> AccessChange:
    """Ask that a right given by a confirmed grant be taken back; it stays in force until confirmed."""
    return _request(
        document,
        kind=AccessChangeKind.REVOKE,
        acting_user=acting_user,
        reason=reason,
        grantee_user=grantee_user,
        grantee_unit=grantee_unit,
        permission=permission,
    )


def do_confirm_access_change(change: AccessChange, *, acting_user, comment: str = "") -> AccessChange:
    """Confirm a pending change as the second person; the right is granted or revoked in this transaction."""
    comment = _text(comment, "comment")
    with transaction.atomic(durable=True):
        change = _lock(change)
        _check_may_decide(change, acting_user=acting_user, what="xác nhận")
        now = timezone.now()
        change.confirm(by=acting_user, at=now, comment=comment)
        _save(change)
        applied = _apply(change)
        events.publish("document.access_confirmed", access_change_id=change.pk, document_id=change.document_id)
        record(
            actor=acting_user,
            verb="documents.access.confirmed",
            target=change,
            unit=responsible_unit(change.document),
            data=_audit_data(change) | {"requested_by": change.requested_by_id, "applied": applied},
        )
        return change


def do_refuse_access_change(change: AccessChange, *, acting_user, comment: str) -> AccessChange:
    """Refuse a pending change as the second person, saying why; nothing about the right changes."""
    comment = _text(comment, "comment")
    if not comment:
        raise InvalidInput(
            "Phải nêu lý do từ chối.",
            code="refusal_reason_required",
            message_en="Say why the change is refused.",
            details={"field": "comment"},
        )
    with transaction.atomic(durable=True):
        change = _lock(change)
        _check_may_decide(change, acting_user=acting_user, what="từ chối")
        change.refuse(by=acting_user, at=timezone.now(), comment=comment)
        _save(change)
        events.publish("document.access_refused", access_change_id=change.pk, document_id=change.document_id)
        record(
            actor=acting_user,
            verb="documents.access.refused",
            target=change,
            unit=responsible_unit(change.document),
            data=_audit_data(change) | {"requested_by": change.requested_by_id, "comment": comment},
        )
        return change


def do_cancel_access_change(change: AccessChange, *, acting_user, comment: str = "") -> AccessChange:
    """Withdraw one's own pending request (hủy đề nghị); only the person who asked may."""
    comment = _text(comment, "comment")
    with transaction.atomic(durable=True):
        change = _lock(change)
        _check_pending(change)
        if change.requested_by_id != acting_user.pk:
            raise Forbidden(
                "Chỉ người đề nghị được hủy đề nghị thay đổi quyền truy cập này.",
                code="not_your_request",
                message_en="Only the person who asked may cancel this request.",
            )
        change.cancel(by=acting_user, at=timezone.now(), comment=comment)
        _save(change)
        events.publish("document.access_cancelled", access_change_id=change.pk, document_id=change.document_id)
        record(
            actor=acting_user,
            verb="documents.access.cancelled",
            target=change,
            unit=responsible_unit(change.document),
            data=_audit_data(change),
        )
        return change


# -- requesting ------------------------------------------------------------------------------------


def _request(
    document: Document,
    *,
    kind: str,
    acting_user,
    reason: str,
    grantee_user,
    grantee_unit: Unit | None,
    permission: str,
) -> AccessChange:
    reason = _text(reason, "reason")
    if not reason:
        raise InvalidInput(
            "Phải nêu lý do cấp hoặc thu hồi quyền truy cập.",
            code="reason_required",
            message_en="Say why the right is to be granted or revoked.",
            details={"field": "reason"},
        )
    if permission not in AccessPermission.values:
        raise InvalidInput(
            "Quyền không hợp lệ.",
            code="invalid_permission",
            message_en="Unknown right.",
            details={"field": "permission"},
        )
    user_id, unit_id = _grantee_ids(grantee_user, grantee_unit)
    with transaction.atomic(durable=True):
        document = Document.objects.select_related("issuer", "drafting_unit").get(pk=document.pk)
        if access_role(user=acting_user, document=document) < AccessRole.REQUESTER:
            raise Forbidden(
                "Chỉ lãnh đạo, quản trị, văn thư hoặc lưu trữ của đơn vị chịu trách nhiệm về văn bản "
                "được đề nghị thay đổi quyền truy cập văn bản này.",
                code="not_access_requester",
                message_en="Only the heads, admins, clerks or archivists of the document's unit may ask.",
            )
        rights = {"document": document, "user_id": user_id, "unit_id": unit_id, "permission": permission}
        pending = AccessChange.objects.filter(document=document, state=AccessChangeState.PENDING, permission=permission)
        if pending.filter(grantee_user_id=user_id, grantee_unit_id=unit_id).exists():
            raise _pending_conflict()
        if kind == AccessChangeKind.GRANT and holds_right(**rights):
            raise Conflict(
                "Người (đơn vị) này đã có quyền này trên văn bản.",
                code="already_granted",
                message_en="The grantee already holds this right on the document.",
            )
        if kind == AccessChangeKind.REVOKE and not holds_explicit_grant(**rights):
            raise Conflict(
                "Người (đơn vị) này không có quyền được cấp riêng (đã xác nhận) trên văn bản nên không có gì "
                "để thu hồi; quyền của đơn vị nhận văn bản đi theo văn bản gửi đến, không thu hồi tại đây.",
                code="no_explicit_grant",
                message_en="The grantee holds no confirmed explicit right to revoke (a recipient's sight of the "
                "document comes with its delivery).",
            )
        change = AccessChange(
            document=document,
            kind=kind,
            grantee_user_id=user_id,
            grantee_unit_id=unit_id,
            permission=permission,
            reason=reason,
            requested_by=acting_user,
            requested_at=timezone.now(),
        )
        # The protected state field refuses even full_clean's re-assignment; it has its default here. The
        # constraints are the database's to enforce: a lost race on the pending index is a 409 below.
        change.full_clean(exclude=["state"], validate_constraints=False)
        try:
            with transaction.atomic():
                change.save()
        except IntegrityError as exc:
            # The partial unique index: someone asked about the same grantee and right first.
            raise _pending_conflict() from exc
        events.publish("document.access_requested", access_change_id=change.pk, document_id=document.pk)
        record(
            actor=acting_user,
            verb="documents.access.requested",
            target=change,
            unit=responsible_unit(document),
            data=_audit_data(change) | {"reason": reason},
        )
        return change


def _grantee_ids(grantee_user, grantee_unit) -> tuple[int | None, int | None]:
    if (grantee_user is None) == (grantee_unit is None):
        raise InvalidInput(
            "Chọn một người hoặc một đơn vị được cấp quyền (một trong hai).",
            code="one_grantee",
            message_en="Choose either a person or a unit (exactly one).",
            details={"field": "grantee"},
        )
    if grantee_user is not None:
        user_id = getattr(grantee_user, "pk", grantee_user)
        if not isinstance(user_id, int) or not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
            raise InvalidInput(
                "Người được cấp quyền không tồn tại hoặc đã ngừng hoạt động.",
                code="unknown_grantee",
                message_en="Unknown or inactive user.",
                details={"field": "grantee_user"},
            )
        return user_id, None
    unit_id = getattr(grantee_unit, "pk", grantee_unit)
    if not isinstance(unit_id, int) or not Unit.objects.filter(pk=unit_id, is_active=True).exists():
        raise InvalidInput(
            "Đơn vị được cấp quyền không tồn tại hoặc đã ngừng hoạt động.",
            code="unknown_grantee",
            message_en="Unknown or inactive unit.",
            details={"field": "grantee_unit"},
        )
    return None, unit_id


def _pending_conflict() -> Conflict:
    return Conflict(
        "Đã có một đề nghị thay đổi quyền này của người (đơn vị) này đang chờ xác nhận.",
        code="access_change_pending",
        message_en="A change of this right for this grantee is already waiting for confirmation.",
    )


# -- deciding --------------------------------------------------------------------------------------


def _lock(change: AccessChange) -> AccessChange:
    """The change row under a lock, so two deciders take turns and the second sees the first's decision."""
    return (
        AccessChange.objects.select_for_update(of=("self",))
        .select_related("document__issuer", "document__drafting_unit", "grantee_unit", "grantee_user")
        .get(pk=change.pk)
    )


def _check_pending(change: AccessChange) -> None:
    if change.state != AccessChangeState.PENDING:
        raise Conflict(
            f"Đề nghị này đã được xử lý ({change.get_state_display().lower()}), không còn chờ xác nhận.",
            code="access_change_decided",
            message_en="This request has already been decided; it is no longer pending.",
            details={"state": change.state},
        )


def _check_may_decide(change: AccessChange, *, acting_user, what: str) -> None:
    _check_pending(change)
    if change.requested_by_id == acting_user.pk:
        raise Forbidden(
            f"Không thể tự {what} đề nghị của chính mình: việc thay đổi quyền truy cập phải do người thứ hai "
            "có thẩm quyền xác nhận.",
            code="self_confirmation",
            message_en="A second person must decide; you cannot decide your own request.",
        )
    if access_role(user=acting_user, document=change.document) < AccessRole.CONFIRMER:
        raise Forbidden(
            f"Chỉ lãnh đạo hoặc quản trị của đơn vị chịu trách nhiệm về văn bản được {what} thay đổi quyền truy cập.",
            code="not_access_confirmer",
            message_en="Only the heads or unit admins of the document's unit may decide.",
        )


def _save(change: AccessChange) -> None:
    try:
        change.save()
    except ConcurrentTransition as exc:
        raise Conflict(
            "Đề nghị vừa được người khác xử lý; hãy tải lại trang.",
            code="concurrent_transition",
            message_en="Someone else decided this request a moment ago.",
        ) from exc


def _apply(change: AccessChange) -> bool:
    """Write or delete the guardian row the confirmed change calls for; whether anything changed.

    A grant finding the right already there (issuing gave it meanwhile) or a revoke finding it gone
    changes nothing and says so in the audit row.
    """
    permission = Permission.objects.get(content_type__app_label="documents", codename=change.permission)
    if change.grantee_user_id is not None:
        model: Any = DocumentUserObjectPermission
        holder = {"user_id": change.grantee_user_id}
    else:
        model = DocumentGroupObjectPermission
        holder = {"group": unit_group(change.grantee_unit)}
    key = {"content_object_id": change.document_id, "permission": permission, **holder}
    if change.kind == AccessChangeKind.GRANT:
        _, created = model.objects.get_or_create(**key)
        return created
    deleted, _ = model.objects.filter(**key).delete()
    return deleted > 0


def _audit_data(change: AccessChange) -> dict:
    return {
        "document": change.document_id,
        "kind": change.kind,
        "grantee_user": change.grantee_user_id,
        "grantee_unit": change.grantee_unit_id,
        "permission": change.permission,
    }


def _text(value: Any, name: str) -> str:
    return clean_text(value, field=name, max_length=MAX_TEXT_LENGTH)
