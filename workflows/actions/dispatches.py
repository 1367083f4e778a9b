"""The outgoing dispatch actions: submit, return, approve, submit for signature, sign, number, seal.

Every action re-reads the dispatch inside its own durable transaction, checks the acting user's
right there (never trusting what the caller saw), moves the state with the model's transition,
saves (the optimistic lock refuses a stale row), then writes the log row, publishes
``dispatch.<transition>`` and records the audit row last.

The order of checks is fixed so the table of (state, role, transition) is predictable: a wrong
state is a :class:`Conflict` for everyone (the state is not a secret to anyone who may see the
dispatch), then the right is checked (:class:`Forbidden`), then the input (:class:`InvalidInput`).

Signing seam: :func:`do_sign` is where the PAdES signature joins. The signatures app will add its
step inside that action, between the right check and ``dispatch.sign(...)``, so that a failed
signature leaves the dispatch awaiting signature. Nothing else here needs to change for it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from documents.actions.drafts import set_review_lock
from documents.models import Document, SignerAuthority
from documents.numbering import take_number
from documents.symbols import build_symbol
from journal import events
from journal.audit import record
from journal.errors import Conflict, Forbidden, InvalidInput
from organizations.models import Role
from organizations.selectors import holds_authority, roles_in
from workflows.models import Dispatch, DispatchState, DispatchTransition

#: Who may review a division's draft: its head and deputy heads.
REVIEWER_ROLES = frozenset({Role.LEADER, Role.DEPUTY})

_ACTION_NAMES = {
    "submit_for_review": "trình duyệt",
    "return": "trả lại",
    "approve": "duyệt",
    "submit_for_signature": "trình ký",
    "sign": "ký",
    "number": "cấp số",
    "seal": "đóng dấu",
    "issue": "phát hành",
    "recall": "thu hồi",
}


def do_start_dispatch(document: Document, *, acting_user) -> Dispatch:
    """Open the outgoing process of a draft; only its drafter may, and only once, before numbering."""
    with transaction.atomic(durable=True):
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.created_by_id != acting_user.pk:
            raise Forbidden("Chỉ người soạn thảo mới được đưa dự thảo vào quy trình phát hành.")
        if document.number is not None or Dispatch.objects.filter(document=document).exists():
            raise Conflict(
                "Văn bản này đã có quy trình phát hành.",
                code="dispatch_exists",
                message_en="This document already has a dispatch.",
            )
        dispatch = Dispatch.objects.create(document=document)
        _log(dispatch, name="start", from_state="", actor=acting_user, comment="")
        events.publish("dispatch.started", dispatch_id=dispatch.pk)
        record(actor=acting_user, verb="workflows.dispatch.started", target=dispatch, unit=document.drafting_unit)
        return dispatch


def do_submit_for_review(dispatch: Dispatch, *, acting_user, reviewer, comment: str = "") -> Dispatch:
    """The drafter sends the draft to the head (or a deputy head) of the drafting unit."""

    def check(d: Dispatch) -> None:
        _require_drafter(d, acting_user)
        if not roles_in(user=reviewer, unit=d.document.drafting_unit) & REVIEWER_ROLES:
            raise InvalidInput(
                "Người duyệt phải là lãnh đạo hoặc phó lãnh đạo của đơn vị soạn thảo.",
                code="invalid_reviewer",
                message_en="The reviewer must head or deputy-head the drafting unit.",
            )

    def move(d: Dispatch, at) -> None:
        d.submit_for_review(reviewer=reviewer, at=at)
        set_review_lock(d.document, locked=True)

    return _run(dispatch, "submit_for_review", acting_user, comment, check, move)


def do_return(dispatch: Dispatch, *, acting_user, reason: str) -> Dispatch:
    """The reviewer (while submitted) or the signer (while awaiting signature) sends it back, saying why."""

    def check(d: Dispatch) -> None:
        responsible = d.reviewer_id if d.state == DispatchState.SUBMITTED else d.signer_id
        if responsible != acting_user.pk:
            raise Forbidden("Chỉ người đang duyệt hoặc ký văn bản mới được trả lại.")
        if not (reason or "").strip():
            raise InvalidInput(
                "Phải nêu lý do trả lại.", code="reason_required", message_en="A reason for returning is required."
            )

    def move(d: Dispatch, at) -> None:
        d.return_()
        set_review_lock(d.document, locked=False)

    return _run(dispatch, "return", acting_user, (reason or "").strip(), check, move)


def do_approve(dispatch: Dispatch, *, acting_user, comment: str = "") -> Dispatch:
    """The reviewer chosen at submission approves the draft."""

    def check(d: Dispatch) -> None:
        if d.reviewer_id != acting_user.pk:
            raise Forbidden("Chỉ lãnh đạo phòng được trình mới được duyệt dự thảo này.")

    return _run(dispatch, "approve", acting_user, comment, check, lambda d, at: d.approve(at=at))


def do_submit_for_signature(dispatch: Dispatch, *, acting_user, signer, authority: str, comment: str = "") -> Dispatch:
    """The reviewer or the drafter sends the approved draft to someone who may sign for the agency."""

    def check(d: Dispatch) -> None:
        if acting_user.pk not in (d.reviewer_id, d.document.created_by_id):
            raise Forbidden("Chỉ người soạn thảo hoặc lãnh đạo phòng đã duyệt mới được trình ký.")
        if authority not in SignerAuthority.values:
            raise InvalidInput("Thẩm quyền ký không hợp lệ.", code="invalid_authority")
        if not holds_authority(user=signer, unit=d.document.issuer, authority="sign"):
            raise InvalidInput(
                "Người được trình ký không có thẩm quyền ký văn bản của cơ quan.",
                code="invalid_signer",
                message_en="The chosen signer may not sign for the issuing agency.",
            )

    return _run(
        dispatch,
        "submit_for_signature",
        acting_user,
        comment,
        check,
        lambda d, at: d.submit_for_signature(signer=signer, authority=authority),
    )


def do_sign(dispatch: Dispatch, *, acting_user, comment: str = "") -> Dispatch:
    """The chosen signer signs off (the PAdES signature will join here: see the module docstring)."""

    def check(d: Dispatch) -> None:
        if d.signer_id != acting_user.pk:
            raise Forbidden("Chỉ người được trình ký mới được ký văn bản này.")

    return _run(dispatch, "sign", acting_user, comment, check, lambda d, at: d.sign(at=at))


def do_number(dispatch: Dispatch, *, acting_user) -> Dispatch:
    """A clerk of the issuing agency takes the next outgoing number; the draft is frozen from here on.

    The number is taken inside this transaction, so a failure anywhere after it gives it back.
    """

    def move(d: Dispatch, at) -> None:
        document = (
            Document.objects.select_for_update()
            .select_related("issuer", "drafting_unit", "document_type")
            .get(pk=d.document_id)
        )
        taken = take_number(unit=document.issuer, direction="outgoing", document_type=document.document_type, on=at)
        document.number = taken.number
        document.register_id = taken.register_id
        document.issued_on = timezone.localdate(at)
        document.symbol = build_symbol(
            number=taken.number,
            document_type=document.document_type,
            agency_abbreviation=document.issuer.abbreviation,
            drafting_unit_abbreviation=document.drafting_unit.abbreviation,
            year=taken.year if taken.document_type_id else None,
        )
        document.save(update_fields=["number", "register", "issued_on", "symbol"])
        d.number(at=at)

    return _run(dispatch, "number", acting_user, "", lambda d: _require_clerk(d, acting_user), move)


def do_seal(dispatch: Dispatch, *, acting_user) -> Dispatch:
    """A clerk of the issuing agency affixes the seal (or the agency's digital signature)."""
    return _run(
        dispatch, "seal", acting_user, "", lambda d: _require_clerk(d, acting_user), lambda d, at: d.seal(at=at)
    )


def _run(
    dispatch: Dispatch,
    name: str,
    acting_user,
    comment: str,
    check: Callable[[Dispatch], None],
    move: Callable[[Dispatch, object], None],
) -> Dispatch:
    """Check state, then right, then move, save, log, publish, audit: the shape every action shares."""
    with transaction.atomic(durable=True):
        current = reread_for(dispatch, name)
        from_state = current.state
        check(current)
        at = timezone.now()
        move(current, at)
        save_moved(current)
        _log(current, name=name, from_state=from_state, actor=acting_user, comment=comment, at=at)
        events.publish(f"dispatch.{name}", dispatch_id=current.pk)
        record(
            actor=acting_user,
            verb=f"workflows.dispatch.{name}",
            target=current,
            unit=current.document.drafting_unit,
            data={"from": from_state, "to": current.state},
        )
    return current


def reread_for(dispatch: Dispatch, name: str) -> Dispatch:
    """The dispatch read afresh, or :class:`Conflict` (409 ``illegal_transition``) if ``name`` cannot fire now.

    Re-read because the caller's row may be stale. The optimistic lock then compares against the
    state read here, so of two transactions that read the same state only the first to save wins.
    """
    current = Dispatch.objects.select_related("document__drafting_unit", "document__issuer").get(pk=dispatch.pk)
    state = current.state
    if not can_proceed(getattr(current, "return_" if name == "return" else name)):
        raise Conflict(
            f"Không thể {_ACTION_NAMES[name]} khi văn bản đang ở trạng thái “{DispatchState(state).label}”.",
            code="illegal_transition",
            message_en=f"Cannot {name.replace('_', ' ')} a dispatch in state “{state}”.",
            details={"state": state, "transition": name},
        )
    return current


def save_moved(dispatch: Dispatch) -> None:
    """Save a moved dispatch under its optimistic lock; someone else's earlier move is a 409."""
    try:
        dispatch.save()
    except ConcurrentTransition as exc:
        raise Conflict(
            "Văn bản vừa được người khác xử lý; hãy tải lại.",
            code="concurrent_transition",
            message_en="Someone else moved this dispatch first; reload it.",
        ) from exc


def _require_drafter(dispatch: Dispatch, acting_user) -> None:
    if dispatch.document.created_by_id != acting_user.pk:
        raise Forbidden("Chỉ người soạn thảo mới được trình duyệt dự thảo này.")


def _require_clerk(dispatch: Dispatch, acting_user) -> None:
    if Role.CLERK not in roles_in(user=acting_user, unit=dispatch.document.issuer):
        raise Forbidden("Chỉ văn thư của cơ quan ban hành mới được cấp số, đóng dấu văn bản.")


def _log(dispatch: Dispatch, *, name: str, from_state: str, actor, comment: str, at=None) -> DispatchTransition:
    return DispatchTransition.objects.create(
        dispatch=dispatch,
        from_state=from_state,
        to_state=dispatch.state,
        name=name,
        actor=actor,
        at=at or timezone.now(),
        comment=comment,
    )
