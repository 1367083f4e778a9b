"""Access-right changes with two people (Decree 30, Phụ lục VI): asked, pending without effect, confirmed by another.

The proof that a pending change does nothing and a confirmed one does is read from the visibility
rule the pages and the API use (:mod:`workflows.selectors`), not from the guardian rows alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents.access_selectors import (
    AccessRole,
    access_changes_awaiting,
    access_changes_visible_to,
    access_list,
    access_role,
    document_for_access,
    visible_access_change,
)
from documents.actions.access import (
    do_cancel_access_change,
    do_confirm_access_change,
    do_refuse_access_change,
    do_request_access_grant,
    do_request_access_revoke,
)
from documents.actions.drafts import do_create_draft
from documents.models import (
    AccessChange,
    AccessChangeState,
    DocumentGroupObjectPermission,
    DocumentUserObjectPermission,
)
from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput, NotFound
from journal.models import AuditEvent
from organizations.groups import unit_group
from organizations.models import Membership, Role
from tests.concurrency import at_once, postgresql_only
from tests.documents.factories import draft_input
from tests.journal import handlers
from tests.journal.handlers import queued
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import make_agency, make_sealed
from workflows.selectors import dispatches_visible_to, visible_document

KINDS = (
    "document.access_requested",
    "document.access_confirmed",
    "document.access_refused",
    "document.access_cancelled",
)
REASON = "Chia sẻ cho Thanh tra Sở để phục vụ thanh tra chuyên đề."


def given_outside(w) -> None:
    """A unit right not made by a confirmed change (the admin, or data from before this process)."""
    from guardian.shortcuts import assign_perm

    from organizations.groups import unit_group

    assign_perm("documents.view_document", unit_group(w.school), w.document)


@pytest.fixture(autouse=True)
def observed():
    """Subscribe a test handler, as a higher app would from its ready(), so events become tasks."""
    for kind in KINDS:
        events.subscribe(kind, handlers.remember)
    yield
    for kind in KINDS:
        events.unsubscribe(kind, handlers.remember)


@dataclass
class World:
    agency: object
    document: object
    admin: object
    archivist: object
    officer: object
    outsider: object
    school: object
    teacher: object


def make_world() -> World:
    agency = make_agency()
    dispatch = make_sealed(agency)
    admin, archivist, officer, outsider, teacher = (make_user() for _ in range(5))
    make_membership(user=admin, unit=agency.department, role=Role.ADMIN)
    make_membership(user=archivist, unit=agency.department, role=Role.ARCHIVIST)
    make_membership(user=officer, unit=agency.department, role=Role.OFFICER)
    school = make_unit(kind="school", parent=agency.department, name="Trường THPT Tháp Mười", school_level="thpt")
    make_membership(user=outsider, unit=make_unit(kind="school", parent=agency.department), role=Role.PRINCIPAL)
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    return World(agency, dispatch.document, admin, archivist, officer, outsider, school, teacher)


@pytest.fixture
def w(db) -> World:
    return make_world()


def sees(user, document) -> bool:
    """Whether the visibility rule lets ``user`` open ``document`` (and lists its dispatch)."""
    try:
        visible_document(user=user, pk=document.pk)
    except NotFound:
        assert not dispatches_visible_to(user=user).filter(document_id=document.pk).exists()
        return False
    assert dispatches_visible_to(user=user).filter(document_id=document.pk).exists()
    return True


def ask_for(w: World, **kwargs) -> AccessChange:
    kwargs.setdefault("acting_user", w.agency.clerk)
    kwargs.setdefault("reason", REASON)
    if "grantee_unit" not in kwargs:
        kwargs.setdefault("grantee_user", w.outsider)
    return do_request_access_grant(w.document, **kwargs)


def audit(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=f"documents.access.{verb}").order_by("pk"))


# -- who may: the one rule ----------------------------------------------------------------------


def test_the_rule_heads_and_admins_confirm_clerks_and_archivists_ask_others_nothing(w):
    a = w.agency
    expected = {
        a.leader: AccessRole.CONFIRMER,
        a.deputy: AccessRole.CONFIRMER,
        w.admin: AccessRole.CONFIRMER,
        a.clerk: AccessRole.REQUESTER,
        w.archivist: AccessRole.REQUESTER,
        w.officer: AccessRole.NONE,
        a.drafter: AccessRole.NONE,  # the drafting division's officer: the issued document is the Sở's now
        w.outsider: AccessRole.NONE,
    }
    assert {user: access_role(user=user, document=w.document) for user in expected} == expected


def test_for_a_draft_the_drafting_unit_answers_not_the_agency(w):
    a = w.agency
    head = make_user()
    make_membership(user=head, unit=a.division, role=Role.LEADER)
    draft = do_create_draft(acting_user=a.drafter, unit=a.division, data=draft_input())
    assert access_role(user=head, document=draft) == AccessRole.CONFIRMER
    assert access_role(user=a.leader, document=draft) == AccessRole.NONE
    assert access_role(user=a.drafter, document=draft) == AccessRole.NONE


def test_a_role_no_longer_in_force_or_an_inactive_account_gives_nothing(w):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Membership.objects.filter(user=w.agency.deputy).update(valid_from=yesterday, valid_until=yesterday)
    assert access_role(user=w.agency.deputy, document=w.document) == AccessRole.NONE
    w.admin.is_active = False
    w.admin.save()
    assert access_role(user=w.admin, document=w.document) == AccessRole.NONE


# -- a grant: pending does nothing, confirmed opens ----------------------------------------------


def test_a_pending_grant_opens_nothing_and_the_confirmed_one_opens_the_document(w):
    assert not sees(w.outsider, w.document)
    change = ask_for(w)

    change.refresh_from_db()
    assert (change.state, change.kind, change.grantee_user, change.requested_by) == (
        AccessChangeState.PENDING,
        "grant",
        w.outsider,
        w.agency.clerk,
    )
    assert not sees(w.outsider, w.document), "a request alone must not open the document"
    assert not DocumentUserObjectPermission.objects.filter(user=w.outsider).exists()
    (requested,) = audit("requested")
    assert (requested.actor_id, requested.object_id, requested.unit_id) == (
        w.agency.clerk.pk,
        str(change.pk),
        w.agency.department.pk,
    )
    assert requested.data["grantee_user"] == w.outsider.pk and requested.data["reason"] == REASON
    assert queued("document.access_requested") == [{"access_change_id": change.pk, "document_id": w.document.pk}]

    do_confirm_access_change(change, acting_user=w.agency.leader, comment="Đồng ý.")

    change.refresh_from_db()
    assert (change.state, change.decided_by, change.decision_comment) == (
        AccessChangeState.CONFIRMED,
        w.agency.leader,
        "Đồng ý.",
    )
    assert change.decided_at is not None
    assert sees(w.outsider, w.document)
    (confirmed,) = audit("confirmed")
    assert confirmed.actor_id == w.agency.leader.pk
    assert confirmed.data["applied"] is True and confirmed.data["requested_by"] == w.agency.clerk.pk
    assert queued("document.access_confirmed") == [{"access_change_id": change.pk, "document_id": w.document.pk}]


def test_a_grant_to_a_unit_opens_the_document_to_its_people_once_confirmed(w):
    change = ask_for(w, grantee_unit=w.school, acting_user=w.archivist)
    assert not sees(w.teacher, w.document)
    do_confirm_access_change(change, acting_user=w.admin)
    assert DocumentGroupObjectPermission.objects.filter(group=unit_group(w.school), content_object=w.document).exists()
    assert sees(w.teacher, w.document)


# -- refusals ------------------------------------------------------------------------------------


def test_nobody_confirms_or_refuses_their_own_request(w):
    change = ask_for(w, acting_user=w.agency.leader)
    with pytest.raises(Forbidden) as confirmed:
        do_confirm_access_change(change, acting_user=w.agency.leader)
    with pytest.raises(Forbidden) as refused:
        do_refuse_access_change(change, acting_user=w.agency.leader, comment="Thôi.")
    assert confirmed.value.code == refused.value.code == "self_confirmation"
    assert confirmed.value.http_status == 403
    change.refresh_from_db()
    assert change.state == AccessChangeState.PENDING
    assert not sees(w.outsider, w.document)
    assert audit("confirmed") == [] and audit("refused") == []


def test_the_database_refuses_a_self_confirmed_row_too(w):
    change = ask_for(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessChange.objects.filter(pk=change.pk).update(
            state=AccessChangeState.CONFIRMED, decided_by=w.agency.clerk, decided_at=timezone.now()
        )


def test_the_database_wants_exactly_one_grantee(w):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessChange.objects.create(
            document=w.document,
            kind="grant",
            grantee_user=w.outsider,
            grantee_unit=w.school,
            reason=REASON,
            requested_by=w.agency.clerk,
            requested_at=timezone.now(),
        )


@pytest.mark.parametrize("who", ["clerk", "archivist", "officer", "outsider", "drafter"])
def test_only_heads_and_admins_of_the_responsible_unit_may_confirm(w, who):
    change = ask_for(w, acting_user=w.agency.deputy)
    user = getattr(w.agency, who, None) or getattr(w, who)
    with pytest.raises(Forbidden) as refused:
        do_confirm_access_change(change, acting_user=user)
    assert refused.value.code == "not_access_confirmer"
    change.refresh_from_db()
    assert change.state == AccessChangeState.PENDING and not sees(w.outsider, w.document)


@pytest.mark.parametrize("who", ["officer", "outsider", "drafter"])
def test_only_the_unit_s_heads_admins_clerks_and_archivists_may_ask(w, who):
    user = getattr(w.agency, who, None) or getattr(w, who)
    with pytest.raises(Forbidden) as refused:
        ask_for(w, acting_user=user)
    assert refused.value.code == "not_access_requester"
    assert not AccessChange.objects.exists() and audit("requested") == []
    assert not DBTaskResult.objects.exists()


def test_confirming_twice_is_a_409_and_changes_nothing_more(w):
    change = ask_for(w)
    do_confirm_access_change(change, acting_user=w.agency.leader)
    with pytest.raises(Conflict) as again:
        do_confirm_access_change(change, acting_user=w.agency.deputy)
    assert again.value.http_status == 409 and again.value.code == "access_change_decided"
    with pytest.raises(Conflict):
        do_refuse_access_change(change, acting_user=w.agency.deputy, comment="Không.")
    with pytest.raises(Conflict):
        do_cancel_access_change(change, acting_user=w.agency.clerk)
    change.refresh_from_db()
    assert change.decided_by == w.agency.leader
    assert len(audit("confirmed")) == 1


def test_a_refused_grant_opens_nothing_and_needs_a_reason(w):
    change = ask_for(w)
    with pytest.raises(InvalidInput) as no_reason:
        do_refuse_access_change(change, acting_user=w.agency.leader, comment="  ")
    assert no_reason.value.code == "refusal_reason_required"
    do_refuse_access_change(change, acting_user=w.agency.leader, comment="Không thuộc phạm vi thanh tra.")
    change.refresh_from_db()
    assert change.state == AccessChangeState.REFUSED and change.decision_comment == "Không thuộc phạm vi thanh tra."
    assert not sees(w.outsider, w.document)
    (refused,) = audit("refused")
    assert refused.data["comment"] == "Không thuộc phạm vi thanh tra."
    assert queued("document.access_refused") == [{"access_change_id": change.pk, "document_id": w.document.pk}]


def test_only_the_asker_cancels_and_then_may_ask_again(w):
    change = ask_for(w)
    with pytest.raises(Forbidden) as refused:
        do_cancel_access_change(change, acting_user=w.agency.leader)
    assert refused.value.code == "not_your_request"
    do_cancel_access_change(change, acting_user=w.agency.clerk, comment="Nhầm người.")
    change.refresh_from_db()
    assert change.state == AccessChangeState.CANCELLED and change.decided_by == w.agency.clerk
    assert len(audit("cancelled")) == 1
    assert queued("document.access_cancelled") == [{"access_change_id": change.pk, "document_id": w.document.pk}]
    again = ask_for(w)
    assert again.pk != change.pk and again.state == AccessChangeState.PENDING


def test_one_pending_change_per_grantee_and_right(w):
    ask_for(w)
    with pytest.raises(Conflict) as refused:
        ask_for(w, acting_user=w.archivist)
    assert refused.value.code == "access_change_pending"
    # Another grantee is a separate question.
    ask_for(w, grantee_user=w.teacher)
    assert AccessChange.objects.filter(state=AccessChangeState.PENDING).count() == 2


def test_the_pending_index_holds_whatever_the_code_does(w):
    change = ask_for(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessChange.objects.create(
            document=w.document,
            kind="revoke",
            grantee_user_id=change.grantee_user_id,
            reason=REASON,
            requested_by=w.archivist,
            requested_at=timezone.now(),
        )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"reason": " "}, "reason_required"),
        ({"grantee_user": None}, "one_grantee"),
        ({"grantee_unit": "school"}, "one_grantee"),
        ({"grantee_user": 987654}, "unknown_grantee"),
        ({"permission": "change_document"}, "invalid_permission"),
        ({"reason": "x" * 2001}, "text_too_long"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_written(w, fields, code):
    if fields.get("grantee_unit") == "school":
        fields = {"grantee_unit": w.school, "grantee_user": w.outsider}
    with pytest.raises(InvalidInput) as refused:
        do_request_access_grant(w.document, acting_user=w.agency.clerk, **{"reason": REASON, **fields})
    assert refused.value.code == code
    assert not AccessChange.objects.exists() and not DBTaskResult.objects.exists()


def test_a_right_already_held_is_not_granted_again(w):
    given_outside(w)  # e.g. given in the admin before this process
    with pytest.raises(Conflict) as refused:
        ask_for(w, grantee_unit=w.school)
    assert refused.value.code == "already_granted"


# -- a revoke: pending keeps access, confirmed ends it --------------------------------------------


def test_a_pending_revoke_keeps_access_until_a_second_person_confirms_it(w):
    do_confirm_access_change(ask_for(w), acting_user=w.agency.leader)
    assert sees(w.outsider, w.document)

    revoke = do_request_access_revoke(w.document, acting_user=w.archivist, grantee_user=w.outsider, reason="Hết đợt.")
    assert sees(w.outsider, w.document), "a revocation waiting for confirmation must not take the right yet"
    with pytest.raises(Forbidden):
        do_confirm_access_change(revoke, acting_user=w.archivist)

    do_confirm_access_change(revoke, acting_user=w.agency.deputy)
    assert not sees(w.outsider, w.document)
    assert not DocumentUserObjectPermission.objects.filter(user=w.outsider, content_object=w.document).exists()
    confirmed = audit("confirmed")[-1]
    assert confirmed.data["kind"] == "revoke" and confirmed.data["applied"] is True


def test_a_right_not_given_through_a_confirmed_change_is_not_revoked_here(w):
    given_outside(w)
    with pytest.raises(Conflict) as refused:
        do_request_access_revoke(w.document, acting_user=w.agency.clerk, grantee_unit=w.school, reason="Thu hồi.")
    assert refused.value.code == "no_explicit_grant"
    with pytest.raises(Conflict):
        do_request_access_revoke(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason="Thu hồi.")
    assert sees(w.teacher, w.document)


# -- reads ---------------------------------------------------------------------------------------


def test_the_access_list_shows_rights_in_force_which_are_explicit_and_what_waits(w):
    given_outside(w)
    do_confirm_access_change(ask_for(w), acting_user=w.agency.leader)
    pending = ask_for(w, grantee_user=w.teacher)

    listing = access_list(document=w.document)

    by_grantee = {(g.kind, g.grantee_id): g for g in listing.grants}
    assert by_grantee[("user", w.outsider.pk)].explicit is True
    assert (
        by_grantee[("unit", w.school.pk)].explicit is False
    )  # not given through a confirmed change: not revocable here
    assert by_grantee[("unit", w.school.pk)].grantee_label == "Trường THPT Tháp Mười"
    assert ("user", w.teacher.pk) not in by_grantee
    assert [c.pk for c in listing.pending] == [pending.pk]
    assert [c.state for c in listing.decided] == [AccessChangeState.CONFIRMED]


def test_after_a_confirmed_revoke_the_right_is_no_longer_listed_and_a_new_grant_is_explicit_again(w):
    do_confirm_access_change(ask_for(w), acting_user=w.agency.leader)
    revoke = do_request_access_revoke(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason="Hết.")
    do_confirm_access_change(revoke, acting_user=w.agency.leader)
    assert access_list(document=w.document).grants == []
    do_confirm_access_change(ask_for(w), acting_user=w.agency.deputy)
    (grant,) = access_list(document=w.document).grants
    assert grant.explicit


def test_the_confirmer_s_list_holds_what_others_asked_in_units_they_head(w):
    by_clerk = ask_for(w)
    by_leader = ask_for(w, acting_user=w.agency.leader, grantee_user=w.teacher)
    assert list(access_changes_awaiting(user=w.agency.leader)) == [by_clerk]
    assert list(access_changes_awaiting(user=w.agency.deputy)) == [by_clerk, by_leader]
    assert list(access_changes_awaiting(user=w.admin)) == [by_clerk, by_leader]
    for user in (w.agency.clerk, w.archivist, w.officer, w.outsider):
        assert list(access_changes_awaiting(user=user)) == []
    do_confirm_access_change(by_clerk, acting_user=w.agency.deputy)
    assert list(access_changes_awaiting(user=w.agency.leader)) == []


def test_who_may_read_a_change_and_the_document_s_access(w):
    change = ask_for(w)
    for user in (w.agency.clerk, w.agency.leader, w.archivist, w.admin):
        assert visible_access_change(user=user, pk=change.pk) == change
        assert document_for_access(user=user, pk=w.document.pk) == w.document
    for user in (w.officer, w.outsider, w.agency.drafter):
        with pytest.raises(NotFound):
            visible_access_change(user=user, pk=change.pk)
        with pytest.raises(NotFound):
            document_for_access(user=user, pk=w.document.pk)
    assert not access_changes_visible_to(user=w.outsider).exists()


def test_the_lists_are_one_query_whatever_their_length(w, django_assert_num_queries):
    for _ in range(5):
        ask_for(w, grantee_user=make_user())
    with django_assert_num_queries(1):
        rows = list(access_changes_awaiting(user=w.agency.leader))
        assert [r.grantee_label for r in rows] and [r.document.issuer.name for r in rows]
    with django_assert_num_queries(4):
        access_list(document=w.document)


def test_confirming_writes_the_guardian_row_with_the_document_s_own_permission(w):
    do_confirm_access_change(ask_for(w), acting_user=w.agency.leader)
    row = DocumentUserObjectPermission.objects.get(user=w.outsider, content_object=w.document)
    assert row.permission == Permission.objects.get(content_type__app_label="documents", codename="view_document")


# -- two confirmers at once (PostgreSQL) -----------------------------------------------------------


@postgresql_only()
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_confirmers_at_once_one_decides_the_other_gets_409():
    w = make_world()
    change = ask_for(w)
    outcomes = at_once(
        *(lambda u=u: do_confirm_access_change(change, acting_user=u) for u in (w.agency.leader, w.agency.deputy))
    )
    won = [o for o in outcomes if isinstance(o, AccessChange)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].code in {"access_change_decided", "concurrent_transition"}
    change.refresh_from_db()
    assert change.state == AccessChangeState.CONFIRMED and change.decided_by_id == won[0].decided_by_id
    assert len(audit("confirmed")) == 1
    assert DocumentUserObjectPermission.objects.filter(user=w.outsider, content_object=w.document).count() == 1


def test_the_admin_shows_changes_read_only(w, client):
    change = ask_for(w)
    client.force_login(make_user("quantri", superuser=True))
    assert client.get("/admin/documents/accesschange/").status_code == 200
    assert client.get(f"/admin/documents/accesschange/{change.pk}/change/").status_code == 200
    assert client.get("/admin/documents/accesschange/add/").status_code == 403
    assert client.post(f"/admin/documents/accesschange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessChange.objects.get(pk=change.pk).state == AccessChangeState.PENDING
