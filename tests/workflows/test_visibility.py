"""The one visibility rule (issue 5, point 1): each clause (a)–(f), each role, both ways, and its cost.

The world: the Sở (``a.department``) with a drafting division, a Phòng GDĐT (``o``) with two schools,
and a second Phòng (``other``) that must never see the first one's mail. Deliveries are made by the
real issue action, which writes no grant: recipients see documents through their deliveries (b), and
grants (e) are only the explicit, confirmed ones.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from documents.models import Document
from journal.errors import NotFound
from organizations.groups import role_group, unit_group
from organizations.models import Delegation, DelegationScope, Role, UnitKind
from tests.documents.factories import document_type
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office, make_sealed
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import do_register_delivery
from workflows.actions.routing import AssigneeSpec, do_reassign, do_return_assignment, do_route
from workflows.incoming_selectors import my_assignments
from workflows.models import Assignment, Consultation, ConsultationRequest, Delivery, Dispatch, DispatchState
from workflows.visibility import (
    assignments_visible_to,
    consultations_visible_to,
    deliveries_visible_to,
    dispatches_tracked_by,
    dispatches_visible_to,
    documents_visible_to,
    tracked_dispatch,
    visible_assignment,
    visible_consultation,
    visible_delivery,
    visible_dispatch,
    visible_document,
)

pytestmark = pytest.mark.django_db

S = DispatchState
TODAY = timezone.localdate()


def sees_document(user, document) -> bool:
    return documents_visible_to(user).filter(pk=document.pk).exists()


def sees_delivery(user, delivery) -> bool:
    return deliveries_visible_to(user).filter(pk=delivery.pk).exists()


def member(unit, role):
    user = make_user()
    make_membership(user=user, unit=unit, role=role)
    return user


def draft(a, *, state=None, reviewer=None, signer=None, unit=None, created_by=None) -> Document:
    """A draft of ``a``'s division (or of ``unit``), with a dispatch in ``state`` when given."""
    unit = unit or a.division
    document = Document.objects.create(
        document_type=document_type(name="Công văn"),
        issuer=unit.issuing_agency,
        drafting_unit=unit,
        created_by=created_by or a.drafter,
        summary="V/v dự thảo kế hoạch",
    )
    if state is not None:
        Dispatch.objects.create(document=document, state=state, reviewer=reviewer, signer=signer)
    return document


@pytest.fixture
def world():
    a = make_agency()
    o = make_office(agency=a, schools=2)
    other = make_office(agency=a)
    return a, o, other


# --- (a) the drafting and issuing side ---------------------------------------------------------------


def test_a_draft_is_seen_by_its_drafter_and_the_heads_of_the_drafting_unit_only(world):
    a, o, other = world
    division_leader, division_deputy = member(a.division, Role.LEADER), member(a.division, Role.DEPUTY)
    colleague, archivist = member(a.division, Role.OFFICER), member(a.department, Role.ARCHIVIST)
    document = draft(a)
    for reader in (a.drafter, division_leader, division_deputy):
        assert sees_document(reader, document)
    # Not yet in the approval process: not the agency's heads, clerk or archivist, nor a colleague.
    for outsider in (a.leader, a.deputy, a.clerk, archivist, colleague, o.leader, other.clerk):
        assert not sees_document(outsider, document)


def test_in_process_the_reviewer_the_signer_and_the_agency_heads_see_it_the_clerk_not_yet(world):
    a, o, _ = world
    reviewer, signer = member(a.division, Role.LEADER), make_user()
    submitted = draft(a, state=S.SUBMITTED, reviewer=reviewer)
    awaiting = draft(a, state=S.AWAITING_SIGNATURE, reviewer=reviewer, signer=signer)
    assert sees_document(reviewer, submitted) and sees_document(signer, awaiting)
    assert not sees_document(signer, submitted)
    for head in (a.leader, a.deputy):
        assert sees_document(head, submitted)
    for nobody in (a.clerk, member(a.department, Role.ARCHIVIST), member(a.department, Role.OFFICER), o.leader):
        assert not sees_document(nobody, submitted) and not sees_document(nobody, awaiting)


@pytest.mark.parametrize("role", [Role.LEADER, Role.DEPUTY, Role.CLERK, Role.ARCHIVIST])
def test_from_signature_the_issuing_side_roles_see_it(world, role):
    a, _, _ = world
    signed = draft(a, state=S.SIGNED)
    for unit in (a.department, a.division):  # the issuing agency, or the division that drafted it
        assert sees_document(member(unit, role), signed)
    dispatch = Dispatch.objects.get(document=signed)
    assert dispatches_visible_to(member(a.department, role)).filter(pk=dispatch.pk).exists()


def test_from_signature_an_officer_of_the_agency_and_other_units_still_do_not(world):
    a, o, other = world
    signed = draft(a, state=S.SIGNED)
    for nobody in (member(a.department, Role.OFFICER), member(a.division, Role.OFFICER), o.clerk, other.leader):
        assert not sees_document(nobody, signed)


def test_a_school_never_sees_another_schools_document_or_delivery(world):
    a, o, _ = world
    (school, sibling), (principal, sibling_principal) = o.schools, o.principals
    reply = draft(a, unit=school, created_by=principal, state=S.SIGNED)
    school_clerk = member(school, Role.CLERK)
    assert sees_document(principal, reply) and sees_document(school_clerk, reply)
    assert not sees_document(sibling_principal, reply)
    assert not sees_document(member(sibling, Role.CLERK), reply)
    mine, theirs = make_arrived(a, school, sibling)
    assert sees_delivery(principal, mine) and not sees_delivery(principal, theirs)
    assert sees_delivery(sibling_principal, theirs) and not sees_delivery(sibling_principal, mine)


# --- (b) delivered to the unit, per role; the officer narrowed to their lines --------------------------


@pytest.mark.parametrize("role", [Role.CLERK, Role.LEADER, Role.DEPUTY, Role.PRINCIPAL, Role.ARCHIVIST])
def test_the_units_readers_see_every_delivery_of_their_unit_and_none_of_another(world, role):
    a, o, other = world
    mine, theirs = make_arrived(a, o.unit, other.unit)
    reader = member(o.unit, role)
    assert sees_delivery(reader, mine) and not sees_delivery(reader, theirs)
    assert sees_document(reader, mine.document)


def test_an_officer_sees_no_delivery_of_the_unit_that_is_not_assigned_to_them(world):
    a, o, _ = world
    (delivery,) = make_arrived(a, o.unit)
    officer = o.officers[0]
    assert not sees_delivery(officer, delivery)
    # Nor the document: a recipient unit's people see it through the delivery, by role (b), not as a unit.
    assert not sees_document(officer, delivery.document)


def test_an_officer_sees_a_unit_line_only_until_it_is_reassigned_to_someone_else(world):
    a, o, _ = world
    (delivery,) = make_arrived(a, o.unit)
    team = make_unit(kind=UnitKind.DIVISION, parent=o.unit)
    head, first, second = member(team, Role.LEADER), member(team, Role.OFFICER), member(team, Role.OFFICER)
    do_register_delivery(delivery, acting_user=o.clerk)
    deadline = TODAY + datetime.timedelta(days=10)
    do_route(delivery, acting_user=o.leader, lead=AssigneeSpec(unit=team, deadline=deadline))
    line = Assignment.objects.get(delivery=delivery, unit=team)
    for person in (head, first, second):
        assert sees_delivery(person, delivery)
        assert list(my_assignments(person)) == [line]

    child = do_reassign(line, acting_user=head, user=first)
    assert sees_delivery(first, delivery) and sees_delivery(head, delivery)
    assert not sees_delivery(second, delivery)
    assert list(my_assignments(second)) == []
    assert list(my_assignments(first)) == [child]
    assert set(my_assignments(head)) == {line}
    with pytest.raises(NotFound):
        visible_assignment(second, line.pk)

    # Given back: the line is the team's again, every officer of it sees and may work it.
    do_return_assignment(child, acting_user=first, reason="Không đúng chuyên môn")
    assert sees_delivery(second, delivery)


# --- (c) assigned in person ------------------------------------------------------------------------


def test_a_person_assigned_sees_the_delivery_and_its_slip_a_colleague_does_not(world):
    a, o, _ = world
    (delivery,) = make_arrived(a, o.unit)
    do_register_delivery(delivery, acting_user=o.clerk)
    lead, idle = o.officers
    do_route(delivery, acting_user=o.leader, lead=AssigneeSpec(user=lead, deadline=TODAY + datetime.timedelta(days=5)))
    assert sees_delivery(lead, delivery) and not sees_delivery(idle, delivery)
    line = Assignment.objects.get(delivery=delivery)
    assert visible_assignment(lead, line.pk) == line
    assert list(assignments_visible_to(idle)) == []
    with pytest.raises(NotFound):
        visible_delivery(idle, delivery.pk)


# --- (d) delegation in force ---------------------------------------------------------------------


def delegate(unit, delegator, to, scope, *, starts, ends, revoked=False) -> Delegation:
    return Delegation.objects.create(
        unit=unit,
        delegator=delegator,
        delegate=to,
        scope=scope,
        starts_on=starts,
        ends_on=ends,
        revoked_at=timezone.now() if revoked else None,
    )


def test_a_route_delegation_gives_the_unit_mail_for_its_period_only(world):
    a, o, other = world
    mine, theirs = make_arrived(a, o.unit, other.unit)
    deputy_for = o.officers[1]
    later = TODAY + datetime.timedelta(days=3)
    delegate(o.unit, o.leader, deputy_for, DelegationScope.ROUTE, starts=later, ends=later + datetime.timedelta(days=2))
    assert not sees_delivery(deputy_for, mine)  # not started yet
    assert deliveries_visible_to(deputy_for, on=later).filter(pk=mine.pk).exists()
    assert not deliveries_visible_to(deputy_for, on=later + datetime.timedelta(days=3)).filter(pk=mine.pk).exists()
    assert not deliveries_visible_to(deputy_for, on=later).filter(pk=theirs.pk).exists()

    today = delegate(o.unit, o.leader, deputy_for, DelegationScope.BOTH, starts=TODAY, ends=TODAY)
    assert sees_delivery(deputy_for, mine)
    Delegation.objects.filter(pk=today.pk).update(revoked_at=timezone.now() - datetime.timedelta(days=1))
    assert not sees_delivery(deputy_for, mine)  # revoked before today


def test_a_sign_delegation_gives_the_issuing_side_not_the_unit_mail(world):
    a, _, _ = world
    signed = draft(a, state=S.SIGNED)
    (incoming,) = make_arrived(make_agency(), a.department)  # another agency's letter to the Sở
    proxy = member(a.department, Role.OFFICER)
    assert not sees_document(proxy, signed)
    delegate(a.department, a.leader, proxy, DelegationScope.SIGN, starts=TODAY, ends=TODAY)
    assert sees_document(proxy, signed)
    assert not sees_delivery(proxy, incoming)
    ended = TODAY - datetime.timedelta(days=1)
    assert not documents_visible_to(proxy, on=ended).filter(pk=signed.pk).exists()


# --- (e) explicit grants ----------------------------------------------------------------------------


def test_a_grant_to_a_user_opens_the_document_and_nothing_else(world):
    a, o, other = world
    mine, theirs = make_arrived(a, o.unit, other.unit)
    stranger = make_user()
    assert not sees_document(stranger, mine.document)
    assign_perm("documents.view_document", stranger, mine.document)
    assert visible_document(stranger, mine.document_id) == mine.document
    assert not sees_delivery(stranger, mine) and not sees_delivery(stranger, theirs)
    assert not dispatches_tracked_by(stranger).exists()


def test_a_grant_to_a_unit_group_or_a_role_group_opens_it_to_its_members(world):
    a, o, _ = world
    document = draft(a)
    archive = make_unit(kind=UnitKind.DIVISION, parent=a.department, name="Phòng Lưu trữ")
    archivist, officer = member(archive, Role.ARCHIVIST), member(archive, Role.OFFICER)
    assign_perm("documents.view_document", role_group(archive, Role.ARCHIVIST), document)
    assert sees_document(archivist, document) and not sees_document(officer, document)
    assign_perm("documents.view_document", unit_group(archive), document)
    assert sees_document(officer, document)
    assert not sees_document(o.clerk, document)


def test_the_issue_grant_never_opens_the_other_recipients_copies_or_tracking(world):
    a, o, other = world
    mine, theirs = make_arrived(a, o.unit, other.unit)
    for reader in (o.clerk, o.leader):
        assert sees_document(reader, theirs.document)  # the same document, granted to the unit at issue
        assert sees_delivery(reader, mine) and not sees_delivery(reader, theirs)
        assert not dispatches_tracked_by(reader).filter(pk=mine.dispatch_id).exists()
        with pytest.raises(NotFound):
            tracked_dispatch(reader, mine.dispatch_id)
    for sender in (a.leader, a.clerk, a.drafter):
        assert tracked_dispatch(sender, mine.dispatch_id).pk == mine.dispatch_id


# --- (f) following forwarded copies --------------------------------------------------------------------


def test_the_forwarding_unit_follows_its_children_the_sender_the_whole_tree(world):
    a, o, other = world
    (delivery,) = make_arrived(a, o.unit)
    do_register_delivery(delivery, acting_user=o.clerk)
    do_forward_delivery(delivery, acting_user=o.clerk, all_children=True)
    first, second = (Delivery.objects.get(parent=delivery, recipient=s) for s in o.schools)
    for follower in (o.leader, o.clerk):
        assert {first, second} <= set(deliveries_visible_to(follower))
    for sender in (a.leader, a.clerk):
        assert {delivery, first, second} <= set(deliveries_visible_to(sender))
    principal = o.principals[0]
    assert set(deliveries_visible_to(principal)) == {first}  # its own copy: not the sibling's, not the Phòng's
    assert not (set(deliveries_visible_to(other.leader)) & {delivery, first, second})
    assert not (set(deliveries_visible_to(o.officers[0])) & {first, second})


# --- consultations ----------------------------------------------------------------------------------


def test_a_consultation_is_seen_by_who_sees_the_draft_and_by_the_parties_asked(world):
    a, o, _ = world
    document = draft(a)
    consultation = Consultation.objects.create(
        document=document,
        asked_by=a.drafter,
        question="Xin ý kiến góp ý dự thảo",
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    asked_person, school = make_user(), o.schools[0]
    ConsultationRequest.objects.create(consultation=consultation, user=asked_person, position=0)
    ConsultationRequest.objects.create(consultation=consultation, unit=school, position=1)
    for reader in (a.drafter, asked_person, o.principals[0]):
        assert visible_consultation(reader, consultation.pk) == consultation
    for nobody in (o.principals[1], o.clerk, a.clerk):
        assert not consultations_visible_to(nobody).exists()
        with pytest.raises(NotFound):
            visible_consultation(nobody, consultation.pk)


# --- one query, and the 404 that says nothing --------------------------------------------------------


def test_every_list_is_one_query_whatever_the_number_of_rows(world, django_assert_num_queries):
    a, o, _ = world
    for count in (1, 4):
        deliveries = make_arrived(a, *[make_unit(parent=o.unit, kind=UnitKind.SCHOOL) for _ in range(count)])
        for d in deliveries:
            Assignment.objects.create(
                delivery=d, kind="inform", user=o.officers[0], assigned_by=o.leader, assigned_at=timezone.now()
            )
        with django_assert_num_queries(1):
            rows = [(d.document.issuer.name, d.recipient.name) for d in deliveries_visible_to(a.leader)]
        assert len(rows) >= count
        with django_assert_num_queries(1):
            list(documents_visible_to(o.officers[0]))
        with django_assert_num_queries(1):
            [(d.document.issuer.name, d.document.drafting_unit.name) for d in dispatches_visible_to(a.clerk)]
        with django_assert_num_queries(1):
            [(x.delivery.pk, x.user) for x in assignments_visible_to(o.officers[0])]
        with django_assert_num_queries(1):
            list(consultations_visible_to(o.leader))


def test_the_rule_is_compiled_into_the_one_statement_not_evaluated_beforehand(world):
    a, o, _ = world
    (delivery,) = make_arrived(a, o.unit)
    with CaptureQueriesContext(connection) as ctx:
        assert list(deliveries_visible_to(o.clerk)) == [delivery]
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    # Memberships, delegations, assignments and dispatch roles are all read by subqueries of that one statement.
    for table in ("organizations_membership", "organizations_delegation", "workflows_assignment"):
        assert table in sql, table
    with CaptureQueriesContext(connection) as ctx:
        list(documents_visible_to(o.clerk))
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    for table in ("documentgroupobjectpermission", "documentuserobjectpermission", "workflows_delivery"):
        assert table in sql, table


@pytest.mark.parametrize(
    ("finder", "code"),
    [
        (visible_document, "document_not_found"),
        (visible_delivery, "delivery_not_found"),
        (visible_assignment, "assignment_not_found"),
        (visible_dispatch, "dispatch_not_found"),
        (tracked_dispatch, "dispatch_not_found"),
        (visible_consultation, "consultation_not_found"),
    ],
)
def test_not_visible_and_not_there_are_the_same_404(world, finder, code):
    a, o, other = world
    (delivery,) = make_arrived(a, o.unit)
    do_register_delivery(delivery, acting_user=o.clerk)
    do_route(delivery, acting_user=o.leader, lead=AssigneeSpec(user=o.officers[0], deadline=TODAY))
    consultation = Consultation.objects.create(
        document=draft(a), asked_by=a.drafter, question="Góp ý", deadline=timezone.now() + datetime.timedelta(days=1)
    )
    existing = {
        visible_document: draft(a).pk,
        visible_delivery: delivery.pk,
        visible_assignment: Assignment.objects.get(delivery=delivery).pk,
        visible_dispatch: make_sealed(a).pk,
        tracked_dispatch: delivery.dispatch_id,
        visible_consultation: consultation.pk,
    }[finder]
    errors = []
    for pk in (existing, 10**9):
        with pytest.raises(NotFound) as caught:
            finder(other.clerk, pk)
        errors.append((caught.value.code, caught.value.message, caught.value.details))
    assert errors[0] == errors[1] and errors[0][0] == code


def test_nobody_signed_out_sees_anything(world):
    from django.contrib.auth.models import AnonymousUser

    a, o, _ = world
    make_arrived(a, o.unit)
    anonymous = AnonymousUser()
    for selector in (documents_visible_to, deliveries_visible_to, dispatches_tracked_by, consultations_visible_to):
        assert not selector(anonymous).exists()


# --- exports: the registers list only rows their readers may see ---------------------------------------


@pytest.mark.parametrize("role", [Role.CLERK, Role.LEADER, Role.DEPUTY, Role.ARCHIVIST])
def test_the_registers_list_only_rows_their_readers_see(world, role):
    from documents.models import RegisterDirection
    from documents.selectors import outgoing_register_rows
    from tests.documents.factories import make_register
    from workflows.registers import followup_rows, incoming_register_rows

    a, o, other = world
    mine, theirs = make_arrived(a, o.unit, other.unit)
    for delivery, clerk in ((mine, o.clerk), (theirs, other.clerk)):
        do_register_delivery(delivery, acting_user=clerk)
    reader = member(o.unit, role)
    incoming = {row.delivery_id for row in incoming_register_rows(unit=o.unit, year=TODAY.year)}
    followup = {row.delivery_id for row in followup_rows(unit=o.unit, year=TODAY.year)}
    assert incoming == followup == {mine.pk}
    assert incoming <= set(deliveries_visible_to(reader).values_list("pk", flat=True))

    register = make_register(unit=a.department, year=TODAY.year, direction=RegisterDirection.OUTGOING)
    Document.objects.filter(pk=mine.document_id).update(register=register)
    agency_reader = member(a.department, role)
    outgoing = {row.document_id for row in outgoing_register_rows(unit=a.department, year=TODAY.year)}
    assert mine.document_id in outgoing
    assert outgoing <= set(documents_visible_to(agency_reader).values_list("pk", flat=True))
