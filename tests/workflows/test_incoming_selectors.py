"""Incoming selectors: who sees which inbox, in which order, with which filters; history; the sender's roll-up.

Forwarding (workflows.actions.forward) and the recipient actions are written by other hands at the
same time; until they exist the child copies and the later statuses are set on the rows directly.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents.models import Document, Register, RegisterDirection
from organizations.models import Delegation, DelegationScope, Role, UnitKind
from tests.documents.factories import document_type, make_register
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office, make_sealed
from workflows.actions.incoming import do_register_delivery
from workflows.actions.routing import AssigneeSpec, do_route
from workflows.incoming_selectors import (
    IncomingFilters,
    deliveries_visible_to,
    delivery_history,
    my_assignments,
    recipient_status_log,
    to_acknowledge,
    to_register,
    to_route,
    tracking_tree,
    unit_deliveries,
)
from workflows.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    AssignmentTransition,
    DeadlineExtension,
    Delivery,
    DeliveryStatus,
    DeliveryTransition,
    Priority,
)

pytestmark = pytest.mark.django_db
D = DeliveryStatus
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def registered(*deliveries: Delivery, status: str = D.REGISTERED, **fields) -> None:
    """Give each delivery the next số đến of its unit's incoming register (what the register action will do)."""
    for d in deliveries:
        register = Register.objects.filter(unit=d.recipient, direction=RegisterDirection.INCOMING).first()
        if register is None:
            register = make_register(unit=d.recipient, year=TODAY.year, direction=RegisterDirection.INCOMING)
        number = Delivery.objects.filter(register=register).count() + 1
        Delivery.objects.filter(pk=d.pk).update(
            status=status, register=register, incoming_number=number, registered_at=timezone.now(), **fields
        )


def assign(delivery, *, by, kind=AssignmentKind.LEAD, user=None, unit=None, deadline=None, state=AssignmentState.NEW):
    if kind != AssignmentKind.INFORM and deadline is None:
        deadline = days(5)
    return Assignment.objects.create(
        delivery=delivery,
        kind=kind,
        user=user,
        unit=unit,
        deadline=deadline,
        state=state,
        assigned_by=by,
        assigned_at=timezone.now(),
    )


# --- to_register ----------------------------------------------------------------------------------------


def test_to_register_is_the_clerks_unregistered_mail_urgent_first_then_newest():
    a = make_agency()
    o, other = make_office(agency=a), make_office(agency=a)
    old, elsewhere = make_arrived(a, o.unit, other.unit, summary="Thường, cũ")
    urgent = make_arrived(a, o.unit, urgency="hoa_toc")[0]
    pressing = make_arrived(a, o.unit, urgency="thuong_khan")[0]
    new = make_arrived(a, o.unit, summary="Thường, mới")[0]
    done = make_arrived(a, o.unit)[0]
    registered(done)

    assert [urgent.priority, pressing.priority] == [Priority.HOA_TOC, Priority.THUONG_KHAN]
    assert list(to_register(o.clerk, o.unit)) == [urgent, pressing, new, old]
    assert list(to_register(other.clerk, other.unit)) == [elsewhere]
    for outsider in (o.leader, o.deputy, o.officers[0], other.clerk, a.clerk):
        assert list(to_register(outsider, o.unit)) == []


def test_a_school_without_a_clerk_registers_through_its_principal():
    a = make_agency()
    o = make_office(agency=a, schools=1)
    school, principal = o.schools[0], o.principals[0]
    delivery = make_arrived(a, school)[0]
    assert list(to_register(principal, school)) == [delivery]

    clerk = make_user()
    make_membership(user=clerk, unit=school, role=Role.CLERK)
    assert list(to_register(principal, school)) == []
    assert list(to_register(clerk, school)) == [delivery]


def test_to_register_query_count_does_not_grow_with_the_page_and_joins_what_the_list_shows():
    a = make_agency()
    o = make_office(agency=a)
    document = make_sealed(a).document
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                document=document,
                recipient=o.unit,
                purpose="thuc_hien",
                channel="electronic",
                status=D.ARRIVED,
                arrived_at=now - datetime.timedelta(minutes=i),
                priority=Priority.HOA_TOC if i % 7 == 0 else Priority.NORMAL,
            )
            for i in range(60)
        ]
    )
    counts = {}
    for size in (10, 50):
        with CaptureQueriesContext(connection) as ctx:
            rows = list(to_register(o.clerk, o.unit)[:size])
            shown = [(r.document.summary, r.document.issuer.name, r.document.document_type.name) for r in rows]
        assert len(shown) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[10] == counts[50] <= 2
    priorities = [r.priority for r in rows]
    assert priorities == sorted(priorities, reverse=True)


def test_to_register_reads_the_partial_index_of_the_backlog():
    a = make_agency()
    o = make_office(agency=a)
    make_arrived(a, o.unit)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A handful of rows would be scanned whole; what matters is that the index can answer it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = to_register(o.clerk, o.unit)[:50].explain()
    assert "wf_delivery_unit_unregistered" in plan


# --- filters --------------------------------------------------------------------------------------------


def test_filters_narrow_by_text_symbol_urgency_type_issuer_and_arrival_date():
    a, b = make_agency(), make_agency()
    o = make_office(agency=a)
    enrol = make_arrived(a, o.unit, summary="V/v tuyển sinh lớp 10")[0]
    safety = make_arrived(a, o.unit, summary="V/v an toàn giao thông", urgency="hoa_toc")[0]
    decision = make_arrived(a, o.unit, summary="Quyết định khen thưởng")[0]
    Document.objects.filter(pk=decision.document_id).update(document_type=document_type("QĐ"))
    foreign = make_arrived(b, o.unit, summary="V/v phối hợp kiểm tra")[0]
    Delivery.objects.filter(pk=foreign.pk).update(arrived_at=timezone.now() - datetime.timedelta(days=10))

    def seen(**given):
        return set(to_register(o.clerk, o.unit, filters=IncomingFilters(**given)))

    assert seen() == {enrol, safety, decision, foreign}
    assert seen(text="tuyển sinh") == {enrol}
    assert seen(text="  GIAO THÔNG ".lower()) == {safety}
    assert seen(text=safety.document.symbol) == {safety}
    assert seen(urgency="hoa_toc") == {safety}
    assert seen(urgency="") == {enrol, decision, foreign}
    assert seen(document_type=document_type("QĐ")) == {decision}
    assert seen(issuer=b.department) == {foreign}
    assert seen(issuer=a.department.pk) == {enrol, safety, decision}
    assert seen(arrived_from=days(-1)) == {enrol, safety, decision}
    assert seen(arrived_until=days(-9)) == {foreign}
    assert seen(arrived_from=days(-10), arrived_until=days(-10)) == {foreign}
    assert seen(status=D.REGISTERED) == set()


# --- to_route, unit_deliveries --------------------------------------------------------------------------


def test_to_route_is_registered_unrouted_mail_for_routing_authority_holders():
    a = make_agency()
    o = make_office(agency=a)
    waiting, routed, arrived = (make_arrived(a, o.unit)[0] for _ in range(3))
    refused = make_arrived(a, o.unit, urgency="thuong_khan")[0]
    registered(waiting)
    registered(routed, status=D.ROUTED, routed_at=timezone.now(), due_on=days(3))
    registered(refused, status=D.RECALL_REFUSED)  # recall refused before routing: still waits for the leader

    assert list(to_route(o.leader, o.unit)) == [refused, waiting]
    assert list(to_route(o.deputy, o.unit)) == [refused, waiting]
    for nobody in (o.clerk, o.officers[0], a.leader):
        assert list(to_route(nobody, o.unit)) == []
    Delegation.objects.create(
        unit=o.unit,
        delegator=o.leader,
        delegate=o.officers[0],
        scope=DelegationScope.ROUTE,
        starts_on=TODAY,
        ends_on=days(7),
    )
    assert list(to_route(o.officers[0], o.unit)) == [refused, waiting]
    assert arrived not in to_route(o.leader, o.unit)


def test_unit_deliveries_is_everything_received_for_the_units_clerk_heads_and_principal():
    a = make_agency()
    o = make_office(agency=a, schools=1)
    first, second, third = (make_arrived(a, o.unit)[0] for _ in range(3))
    registered(second)
    Delivery.objects.filter(pk=third.pk).update(status=D.REJECTED)
    for reader in (o.clerk, o.leader, o.deputy):
        assert list(unit_deliveries(reader, o.unit)) == [third, second, first]
    assert list(unit_deliveries(o.clerk, o.unit, D.REGISTERED)) == [second]
    assert list(unit_deliveries(o.clerk, o.unit, filters=IncomingFilters(status=D.REJECTED))) == [third]
    for nobody in (o.officers[0], o.principals[0], a.clerk):
        assert list(unit_deliveries(nobody, o.unit)) == []
    school_copy = make_arrived(a, o.schools[0])[0]
    assert list(unit_deliveries(o.principals[0], o.schools[0])) == [school_copy]


# --- my_assignments, to_acknowledge ---------------------------------------------------------------------


def test_my_assignments_are_the_users_lines_and_their_divisions_open_first_by_deadline():
    a = make_agency()
    o = make_office(agency=a)
    division = make_unit(kind=UnitKind.DIVISION, parent=o.unit)
    head = make_user()
    make_membership(user=head, unit=division, role=Role.LEADER)
    me, other = o.officers
    d1, d2, d3 = (make_arrived(a, o.unit)[0] for _ in range(3))
    registered(d1, d2, d3)
    late_lead = assign(d1, by=o.leader, user=me, deadline=days(5))
    fyi = assign(d2, by=o.leader, user=me, kind=AssignmentKind.INFORM)
    done = assign(d3, by=o.leader, user=me, deadline=days(1), state=AssignmentState.DONE)
    soon = assign(d3, by=o.leader, user=me, kind=AssignmentKind.COORDINATE, deadline=days(2))
    to_division = assign(d2, by=o.leader, unit=division, deadline=days(4))
    assign(d1, by=o.leader, user=other, kind=AssignmentKind.COORDINATE)

    assert list(my_assignments(me)) == [soon, late_lead, fyi, done]
    assert list(my_assignments(me, AssignmentState.DONE)) == [done]
    assert list(my_assignments(head)) == [to_division]
    assert list(my_assignments(o.clerk)) == []
    Document.objects.filter(pk=d1.document_id).update(summary="V/v kiểm tra cuối kỳ")
    assert list(my_assignments(me, filters=IncomingFilters(text="cuối kỳ"))) == [late_lead]


def test_to_acknowledge_holds_the_heads_receipts_and_the_users_fyi_lines():
    a = make_agency()
    o = make_office(agency=a)
    fresh, acknowledged, _arrived, rejected, fyi_only = (make_arrived(a, o.unit)[0] for _ in range(5))
    registered(fresh, fyi_only)
    registered(acknowledged, acknowledged_at=timezone.now(), acknowledged_by=o.leader)
    Delivery.objects.filter(pk=rejected.pk).update(status=D.REJECTED)
    me = o.officers[0]
    line = assign(fyi_only, by=o.leader, user=me, kind=AssignmentKind.INFORM)
    assign(acknowledged, by=o.leader, user=o.officers[1], kind=AssignmentKind.INFORM)

    rows = list(to_acknowledge(o.leader, o.unit))
    assert rows == [fyi_only, fresh]
    assert all(r.awaits_receipt and r.fyi_assignment_id is None for r in rows)
    mine = list(to_acknowledge(me, o.unit))
    assert mine == [fyi_only]
    assert (mine[0].awaits_receipt, mine[0].fyi_assignment_id) == (False, line.pk)
    assert list(to_acknowledge(o.clerk, o.unit)) == []

    Assignment.objects.filter(pk=line.pk).update(state=AssignmentState.DONE, acknowledged_at=timezone.now())
    assert list(to_acknowledge(me, o.unit)) == []


# --- visibility -----------------------------------------------------------------------------------------


def test_deliveries_visible_to_the_receiving_units_the_assignees_and_the_sender():
    a = make_agency()
    o = make_office(agency=a, schools=1)
    other = make_office(agency=a)
    mine, theirs = make_arrived(a, o.unit, other.unit)
    child = Delivery.objects.create(
        dispatch=mine.dispatch,
        document=mine.document,
        recipient=o.schools[0],
        parent=mine,
        purpose="thuc_hien",
        channel="electronic",
        status=D.ARRIVED,
        arrived_at=timezone.now(),
    )
    archivist = make_user()
    make_membership(user=archivist, unit=o.unit, role=Role.ARCHIVIST)
    assigned, idle, stranger = o.officers[0], o.officers[1], make_user()
    assign(mine, by=o.leader, user=assigned)

    def seen(user):
        return set(deliveries_visible_to(user))

    for receiver in (o.clerk, o.leader, archivist):
        assert seen(receiver) == {mine, child}  # a Phòng follows what it forwarded to its schools
    assert seen(o.principals[0]) == {child}
    assert seen(assigned) == {mine}
    assert seen(other.clerk) == {theirs}
    for sender in (a.leader, a.clerk, a.drafter):
        assert seen(sender) == {mine, theirs, child}
    assert seen(idle) == seen(stranger) == set()
    with CaptureQueriesContext(connection) as ctx:
        list(deliveries_visible_to(a.leader))
    assert len(ctx.captured_queries) == 1


# --- history --------------------------------------------------------------------------------------------


def test_delivery_history_merges_steps_assignment_steps_and_extensions_by_time(django_assert_num_queries):
    a = make_agency()
    o = make_office(agency=a)
    delivery = make_arrived(a, o.unit)[0]
    t0 = timezone.now()
    at = [t0 + datetime.timedelta(minutes=m) for m in range(1, 6)]
    DeliveryTransition.objects.create(
        delivery=delivery, from_status="arrived", to_status="registered", name="register", actor=o.clerk, at=at[0]
    )
    line = assign(delivery, by=o.leader, user=o.officers[0], deadline=days(3))
    DeliveryTransition.objects.create(
        delivery=delivery, from_status="registered", to_status="routed", name="route", actor=o.leader, at=at[1]
    )
    AssignmentTransition.objects.create(
        assignment=line, from_state="new", to_state="in_progress", name="start", actor=o.officers[0], at=at[3]
    )
    DeadlineExtension.objects.create(
        assignment=line,
        old_deadline=days(3),
        new_deadline=days(6),
        reason="Chờ số liệu của các trường",
        extended_by=o.leader,
        at=at[2],
    )
    elsewhere = make_arrived(a, o.unit)[0]
    DeliveryTransition.objects.create(
        delivery=elsewhere, from_status="arrived", to_status="rejected", name="reject", actor=o.clerk, at=at[4]
    )

    with django_assert_num_queries(3):
        history = delivery_history(delivery)
        actors = [e.actor.username for e in history] + [str(e.assignment) for e in history if e.assignment]
    assert [(e.source, e.name) for e in history] == [
        ("delivery", "issue"),
        ("delivery", "register"),
        ("delivery", "route"),
        ("extension", "extend_deadline"),
        ("assignment", "start"),
    ]
    assert (history[3].before, history[3].after, history[3].comment) == (
        days(3).isoformat(),
        days(6).isoformat(),
        "Chờ số liệu của các trường",
    )
    assert history[4].assignment == line and len(actors) == 7


# --- the sender's tracking ------------------------------------------------------------------------------


def forward(parent: Delivery, units, *, at=None) -> list[Delivery]:
    """Child copies of ``parent`` at ``units``, as workflows.actions.forward will make them."""
    return [
        Delivery.objects.create(
            dispatch_id=parent.dispatch_id,
            document_id=parent.document_id,
            recipient=unit,
            parent=parent,
            purpose="thuc_hien",
            channel="electronic",
            status=D.ARRIVED,
            arrived_at=at or timezone.now(),
        )
        for unit in units
    ]


def test_tracking_tree_rolls_up_what_each_recipient_forwarded():
    a = make_agency()
    o = make_office(agency=a, schools=6)
    other = make_office(agency=a)
    thpt = make_unit(kind=UnitKind.SCHOOL, parent=a.department, school_level="thpt")
    to_phong, to_other, to_thpt = make_arrived(a, o.unit, other.unit, thpt)
    reply = make_sealed(a, summary="Báo cáo kết quả").document
    registered(to_thpt, status=D.COMPLETED, completed_at=timezone.now(), reply=reply)
    registered(to_phong, status=D.ROUTED, routed_at=timezone.now(), due_on=days(-1))
    Delivery.objects.filter(pk=to_other.pk).update(acknowledged_at=timezone.now(), acknowledged_by=other.leader)

    kids = forward(to_phong, o.schools)
    registered(kids[0], kids[1], kids[2], kids[3])
    Delivery.objects.filter(pk=kids[0].pk).update(acknowledged_at=timezone.now(), status=D.COMPLETED)
    Delivery.objects.filter(pk=kids[0].pk).update(completed_at=timezone.now())
    Delivery.objects.filter(pk=kids[1].pk).update(due_on=days(-2), status=D.ROUTED)  # overdue
    Delivery.objects.filter(pk=kids[2].pk).update(due_on=days(2), status=D.ROUTED)  # not yet due
    Delivery.objects.filter(pk=kids[4].pk).update(status=D.REJECTED)
    grandkids = forward(kids[3], [make_unit(kind=UnitKind.SCHOOL, parent=o.unit) for _ in range(2)])
    registered(grandkids[0], acknowledged_at=timezone.now())

    a_dispatch = to_phong.dispatch
    tree = {t.delivery.pk: t for t in tracking_tree(a_dispatch)}
    assert set(tree) == {to_phong.pk, to_other.pk, to_thpt.pk}
    phong = tree[to_phong.pk]
    assert (phong.status, phong.edxml_code, phong.overdue) == (D.ROUTED, "04", True)
    assert phong.children.total == 6
    assert vars(phong.children) == {
        "total": 6,
        "received": 5,
        "registered": 4,
        "acknowledged": 1,
        "completed": 1,
        "overdue": 1,
        "rejected": 1,
    }
    assert vars(phong.grandchildren) == {
        "total": 2,
        "received": 2,
        "registered": 1,
        "acknowledged": 1,
        "completed": 0,
        "overdue": 0,
        "rejected": 0,
    }
    assert tree[to_other.pk].acknowledged_at is not None and tree[to_other.pk].children is None
    assert (tree[to_thpt.pk].status, tree[to_thpt.pk].edxml_code, tree[to_thpt.pk].reply) == (D.COMPLETED, "06", reply)
    assert tree[to_thpt.pk].overdue is False and tree[to_thpt.pk].grandchildren is None

    # Another dispatch's forwards never leak into this tree.
    again = make_arrived(a, o.unit)[0]
    forward(again, o.schools[:2])
    again_tree = {t.delivery.pk: t.children for t in tracking_tree(a_dispatch)}
    assert again_tree[to_phong.pk] == phong.children


def test_tracking_tree_query_count_does_not_depend_on_the_number_of_schools():
    a = make_agency()
    counts = {}
    for schools in (3, 30):
        o = make_office(agency=a, officers=0, schools=schools)
        to_phong = make_arrived(a, o.unit)[0]
        kids = forward(to_phong, o.schools)
        registered(kids[0])
        with CaptureQueriesContext(connection) as ctx:
            tree = tracking_tree(to_phong.dispatch)
            assert [t.reply for t in tree] == [None]
        assert tree[0].children.total == schools and tree[0].children.registered == 1
        counts[schools] = len(ctx.captured_queries)
    assert counts[3] == counts[30] == 2


def test_recipient_status_log_lists_who_moved_which_copy_newest_first():
    a = make_agency()
    o, other = make_office(agency=a), make_office(agency=a)
    mine, theirs = make_arrived(a, o.unit, other.unit)
    later = timezone.now() + datetime.timedelta(minutes=5)
    DeliveryTransition.objects.create(
        delivery=theirs, from_status="arrived", to_status="rejected", name="reject", actor=other.clerk, at=later
    )
    with CaptureQueriesContext(connection) as ctx:
        log = [(t.delivery.recipient, t.to_status, t.actor) for t in recipient_status_log(mine.dispatch)]
    assert len(ctx.captured_queries) == 1
    assert log[0] == (other.unit, "rejected", other.clerk)
    assert sorted((unit.pk, status) for unit, status, _ in log[1:]) == sorted(
        [(o.unit.pk, "arrived"), (other.unit.pk, "arrived")]
    )
    assert {actor for _, _, actor in log[1:]} == {a.clerk}


def test_a_line_given_to_a_unit_is_seen_by_those_the_actions_let_work_it():
    """A school's principal (re-assigns) and an officer of the unit (works an un-reassigned line) may open it."""
    agency = make_agency()
    office = make_office(agency=agency, schools=1)
    (delivery,) = make_arrived(agency, office.unit)
    do_register_delivery(delivery, acting_user=office.clerk)
    school = office.schools[0]
    teacher = make_user()
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    do_route(delivery, acting_user=office.leader, lead=AssigneeSpec(unit=school, deadline=deadline))
    for person in (office.principals[0], teacher):
        assert deliveries_visible_to(person).filter(pk=delivery.pk).exists()
        assert my_assignments(person).filter(delivery=delivery, unit=school).exists()
    stranger = make_user()
    assert not deliveries_visible_to(stranger).filter(pk=delivery.pk).exists()


def test_every_row_of_every_inbox_is_one_the_visibility_rule_shows():
    """The lists skip re-asking the rule for speed (see ``_inbox``): prove they never show more than it."""
    a = make_agency()
    o = make_office(agency=a, officers=2)
    ((arrived,), (routed,), (to_route_copy,)) = (make_arrived(a, o.unit) for _ in range(3))
    do_register_delivery(routed, acting_user=o.clerk)
    do_register_delivery(to_route_copy, acting_user=o.clerk)
    do_route(
        routed.pk,
        acting_user=o.leader,
        lead=AssigneeSpec(user=o.officers[0], working_days=3),
        informed=[AssigneeSpec(user=o.officers[1])],
    )
    lists = {
        "to_register": lambda u: to_register(u, o.unit),
        "to_route": lambda u: to_route(u, o.unit),
        "to_acknowledge": lambda u: to_acknowledge(u, o.unit),
        "unit_deliveries": lambda u: unit_deliveries(u, o.unit),
    }
    shown_somewhere = set()
    for person in (o.clerk, o.leader, o.deputy, *o.officers):
        visible = set(deliveries_visible_to(person).values_list("pk", flat=True))
        for name, rows in lists.items():
            listed = set(rows(person).values_list("pk", flat=True))
            assert listed <= visible, f"{name} shows {person} deliveries the rule hides: {listed - visible}"
            shown_somewhere |= listed
        lines = set(my_assignments(person).values_list("delivery_id", flat=True))
        assert lines <= visible
    assert {arrived.pk, routed.pk, to_route_copy.pk} <= shown_somewhere
    # The officer given the line "for information" finds it to acknowledge, and nothing else of the unit.
    assert list(to_acknowledge(o.officers[1], o.unit).values_list("pk", flat=True)) == [routed.pk]
    assert not unit_deliveries(o.officers[1], o.unit).exists()
