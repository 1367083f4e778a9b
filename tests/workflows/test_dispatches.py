import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from documents.actions import RecipientInput, do_create_draft
from documents.models import Document, ReferenceKind, Register
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import Delegation, DelegationScope, Role
from tests.concurrency import at_once, codes, postgresql_only
from tests.documents.factories import draft_input, make_department, make_division
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.actions import (
    do_approve,
    do_issue_dispatch,
    do_number,
    do_recall_dispatch,
    do_return,
    do_seal,
    do_sign,
    do_start_dispatch,
    do_submit_for_review,
    do_submit_for_signature,
)
from workflows.models import Dispatch, DispatchState, DispatchTransition
from workflows.selectors import awaiting_numbering, awaiting_review, awaiting_signature

pytestmark = pytest.mark.django_db
S = DispatchState


@dataclass
class World:
    department: object
    division: object
    drafter: object
    reviewer: object
    officer: object
    signer: object
    other_leader: object
    clerk: object
    principal: object
    document: Document


def make_world() -> World:
    department = make_department()
    division = make_division(department=department)
    school = make_unit(kind="school", parent=department, name="Trường THPT Thành phố Cao Lãnh", school_level="thpt")
    users = {
        name: make_user() for name in World.__dataclass_fields__ if name not in {"department", "division", "document"}
    }
    make_membership(user=users["drafter"], unit=division, role=Role.OFFICER)
    make_membership(user=users["officer"], unit=division, role=Role.OFFICER)
    make_membership(user=users["reviewer"], unit=division, role=Role.LEADER)
    make_membership(user=users["signer"], unit=department, role=Role.LEADER)
    make_membership(user=users["other_leader"], unit=department, role=Role.DEPUTY)
    make_membership(user=users["clerk"], unit=department, role=Role.CLERK)
    make_membership(user=users["principal"], unit=school, role=Role.PRINCIPAL)
    document = do_create_draft(
        acting_user=users["drafter"], unit=division, data=draft_input(recipients=[RecipientInput(unit=school)])
    )
    return World(department=department, division=division, document=document, **users)


def refetch(dispatch: Dispatch) -> Dispatch:
    return Dispatch.objects.get(pk=dispatch.pk)


def step(w: World, d: Dispatch, name: str, user) -> Dispatch:
    """Run transition ``name`` as ``user`` with valid input."""
    match name:
        case "submit_for_review":
            return do_submit_for_review(d, acting_user=user, reviewer=w.reviewer)
        case "return":
            return do_return(d, acting_user=user, reason="Đề nghị sửa lại đoạn 2.")
        case "approve":
            return do_approve(d, acting_user=user)
        case "submit_for_signature":
            return do_submit_for_signature(d, acting_user=user, signer=w.signer, authority="")
        case "sign":
            return do_sign(d, acting_user=user)
        case "number":
            return do_number(d, acting_user=user)
        case "seal":
            return do_seal(d, acting_user=user)
        case "issue":
            return do_issue_dispatch(d, acting_user=user)
        case "recall":
            return do_recall_dispatch(d, acting_user=user, reason="Văn bản có sai sót, thu hồi để sửa.")
        case "replace":
            # Not an action of its own: issuing a document that replaces (thay thế) this one moves it.
            from tests.workflows.factories import make_sealed

            new = make_sealed(w, recipients=[w.division], references=[(ReferenceKind.THAY_THE, w.document)])
            do_issue_dispatch(new, acting_user=user)
            return refetch(d)
    raise AssertionError(name)


#: How to reach each state from draft: (transition, who).
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [("submit_for_review", "drafter")],
    S.RETURNED: [("submit_for_review", "drafter"), ("return", "reviewer")],
    S.APPROVED: [("submit_for_review", "drafter"), ("approve", "reviewer")],
}
PATHS[S.AWAITING_SIGNATURE] = PATHS[S.APPROVED] + [("submit_for_signature", "drafter")]
PATHS[S.SIGNED] = PATHS[S.AWAITING_SIGNATURE] + [("sign", "signer")]
PATHS[S.NUMBERED] = PATHS[S.SIGNED] + [("number", "clerk")]
PATHS[S.SEALED] = PATHS[S.NUMBERED] + [("seal", "clerk")]
PATHS[S.ISSUED] = PATHS[S.SEALED] + [("issue", "clerk")]
PATHS[S.RECALLED] = PATHS[S.ISSUED] + [("recall", "signer")]
PATHS[S.REPLACED] = PATHS[S.ISSUED] + [("replace", "clerk")]

#: (state, transition) → the roles allowed; every other pair is a Conflict for everyone.
ALLOWED = {
    (S.DRAFT, "submit_for_review"): {"drafter"},
    (S.RETURNED, "submit_for_review"): {"drafter"},
    (S.SUBMITTED, "return"): {"reviewer"},
    (S.AWAITING_SIGNATURE, "return"): {"signer"},
    (S.SUBMITTED, "approve"): {"reviewer"},
    (S.APPROVED, "submit_for_signature"): {"drafter", "reviewer"},
    (S.AWAITING_SIGNATURE, "sign"): {"signer"},
    (S.SIGNED, "number"): {"clerk"},
    (S.NUMBERED, "seal"): {"clerk"},
    (S.SEALED, "issue"): {"clerk"},
    # Recall is the agency leadership's decision (the leader "signer" and the deputy "other_leader").
    (S.ISSUED, "recall"): {"signer", "other_leader"},
}
TARGET = {
    "submit_for_review": S.SUBMITTED,
    "return": S.RETURNED,
    "approve": S.APPROVED,
    "submit_for_signature": S.AWAITING_SIGNATURE,
    "sign": S.SIGNED,
    "number": S.NUMBERED,
    "seal": S.SEALED,
    "issue": S.ISSUED,
    "recall": S.RECALLED,
}
ROLES = ["drafter", "reviewer", "officer", "signer", "other_leader", "clerk", "principal"]


def dispatch_in(state: str) -> tuple[World, Dispatch]:
    w = make_world()
    d = do_start_dispatch(w.document, acting_user=w.drafter)
    for name, who in PATHS[state]:
        d = step(w, d, name, getattr(w, who))
    assert refetch(d).state == state
    return w, d


def test_the_table_covers_every_state():
    assert set(PATHS) == set(S)


@pytest.mark.parametrize("transition", list(TARGET))
@pytest.mark.parametrize("state", list(PATHS))
def test_transition_table(state, transition):
    allowed = ALLOWED.get((state, transition), set())
    w, d = dispatch_in(state)
    for role in ROLES:
        if role in allowed:
            continue
        expected = Forbidden if allowed else Conflict
        with pytest.raises(expected) as exc:
            step(w, d, transition, getattr(w, role))
        if expected is Conflict:
            assert exc.value.code == "illegal_transition"
            assert S(state).label in exc.value.message
        assert refetch(d).state == state
    for i, role in enumerate(sorted(allowed)):
        if i:
            w, d = dispatch_in(state)
        moved = step(w, d, transition, getattr(w, role))
        assert refetch(moved).state == TARGET[transition]


def test_happy_path_numbers_960_and_logs_every_step():
    w = make_world()
    year = timezone.localdate().year
    Register.objects.create(
        name=f"Sổ văn bản đi năm {year}", unit=w.department, direction="outgoing", year=year, last_number=959
    )
    d = do_start_dispatch(w.document, acting_user=w.drafter)
    assert list(awaiting_review(user=w.reviewer)) == []
    d = do_submit_for_review(d, acting_user=w.drafter, reviewer=w.reviewer, comment="Kính trình")
    assert list(awaiting_review(user=w.reviewer)) == [d]
    d = do_approve(d, acting_user=w.reviewer)
    d = do_submit_for_signature(d, acting_user=w.reviewer, signer=w.signer, authority="KT.")
    assert list(awaiting_signature(user=w.signer)) == [d]
    d = do_sign(d, acting_user=w.signer)
    assert list(awaiting_numbering(user=w.clerk)) == [d]
    assert list(awaiting_numbering(user=w.officer)) == []
    d = do_number(d, acting_user=w.clerk)
    d = do_seal(d, acting_user=w.clerk)

    document = Document.objects.get(pk=w.document.pk)
    assert (document.number, document.symbol) == (960, "960/SGDĐT-CNTTTBT")
    assert document.issued_on == timezone.localdate()
    assert document.register.last_number == 960
    assert refetch(d).state == S.SEALED
    assert refetch(d).signer_authority == "KT."
    log = list(DispatchTransition.objects.filter(dispatch=d).values_list("name", "from_state", "to_state"))
    assert log == [
        ("start", "", S.DRAFT),
        ("submit_for_review", S.DRAFT, S.SUBMITTED),
        ("approve", S.SUBMITTED, S.APPROVED),
        ("submit_for_signature", S.APPROVED, S.AWAITING_SIGNATURE),
        ("sign", S.AWAITING_SIGNATURE, S.SIGNED),
        ("number", S.SIGNED, S.NUMBERED),
        ("seal", S.NUMBERED, S.SEALED),
    ]
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="workflows.dispatch.").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == [f"workflows.dispatch.{name}" for name, _, _ in [("started", 0, 0), *log[1:]]]


def test_return_needs_a_reason():
    w, d = dispatch_in(S.SUBMITTED)
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as exc:
            do_return(d, acting_user=w.reviewer, reason=reason)
        assert exc.value.code == "reason_required"
    assert refetch(d).state == S.SUBMITTED


def test_reviewer_must_lead_the_drafting_unit_and_signer_must_hold_sign_authority():
    w, d = dispatch_in(S.DRAFT)
    with pytest.raises(InvalidInput):
        do_submit_for_review(d, acting_user=w.drafter, reviewer=w.officer)
    w, d = dispatch_in(S.APPROVED)
    with pytest.raises(InvalidInput) as exc:
        do_submit_for_signature(d, acting_user=w.drafter, signer=w.reviewer, authority="")
    assert exc.value.code == "invalid_signer"


def test_a_delegate_with_sign_scope_can_be_chosen_and_sign():
    w, d = dispatch_in(S.APPROVED)
    today = timezone.localdate()
    Delegation.objects.create(
        unit=w.department,
        delegator=w.signer,
        delegate=w.officer,
        scope=DelegationScope.SIGN,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=3),
    )
    d = do_submit_for_signature(d, acting_user=w.drafter, signer=w.officer, authority="TUQ.")
    d = do_sign(d, acting_user=w.officer)
    assert refetch(d).state == S.SIGNED


def test_rolled_back_numbering_leaves_the_register_unchanged():
    w, d = dispatch_in(S.SIGNED)
    w.department.abbreviation = ""
    w.department.save(update_fields=["abbreviation"])  # build_symbol refuses after the number is taken
    with pytest.raises(InvalidInput):
        do_number(d, acting_user=w.clerk)
    assert Register.objects.filter(unit=w.department).values_list("last_number", flat=True).first() in (None, 0)
    assert Document.objects.get(pk=w.document.pk).number is None
    assert refetch(d).state == S.SIGNED


@postgresql_only("SQLite serialises writers, so two transitions never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approve_and_return_exactly_one_wins():
    w, d = dispatch_in(S.SUBMITTED)
    outcomes = codes(
        at_once(
            lambda: do_approve(d, acting_user=w.reviewer),
            lambda: do_return(d, acting_user=w.reviewer, reason="Sửa"),
        )
    )
    assert len(outcomes) == 2
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} <= {"concurrent_transition", "illegal_transition"}
    assert DispatchTransition.objects.filter(dispatch=d).exclude(name__in=["start", "submit_for_review"]).count() == 1


def test_a_submitted_draft_is_frozen_until_it_is_returned():
    from documents.actions import do_update_draft

    w, d = dispatch_in(S.SUBMITTED)
    document = Document.objects.get(pk=w.document.pk)
    assert document.locked
    with pytest.raises(Conflict) as refused:
        do_update_draft(
            document,
            acting_user=w.drafter,
            data=draft_input(summary="V/v sửa khi đang trình"),
            expected_version=document.version,
        )
    assert refused.value.code == "draft_locked"
    assert Document.objects.get(pk=document.pk).summary == document.summary

    do_return(d, acting_user=w.reviewer, reason="Sửa lại trích yếu.")
    document.refresh_from_db()
    assert not document.locked
    updated = do_update_draft(
        document,
        acting_user=w.drafter,
        data=draft_input(summary="V/v sửa sau khi trả lại"),
        expected_version=document.version,
    )
    assert updated.summary == "V/v sửa sau khi trả lại"


def test_the_draft_stays_frozen_from_approval_to_issue():
    w, _ = dispatch_in(S.SEALED)
    assert Document.objects.get(pk=w.document.pk).locked
