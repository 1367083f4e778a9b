"""Forwarding: a district office passes its registered copy on to the schools under it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import DocumentGroupObjectPermission
from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import SchoolLevel, UnitKind
from tests.journal import handlers
from tests.organizations.factories import make_unit
from tests.workflows.factories import make_agency, make_arrived, make_office, make_units
from workflows.actions import do_recall_dispatch
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import (
    do_accept_recall,
    do_acknowledge_delivery,
    do_register_delivery,
    do_reject_delivery,
)
from workflows.models import Delivery, DeliveryStatus, DeliveryTransition

pytestmark = pytest.mark.django_db
D = DeliveryStatus


@pytest.fixture(autouse=True)
def remembered():
    events.subscribe("delivery.forwarded", handlers.remember)
    yield
    events.unsubscribe("delivery.forwarded", handlers.remember)


@pytest.fixture
def agency():
    return make_agency()


def registered_at(agency, office, urgency=""):
    (delivery,) = make_arrived(agency, office.unit, urgency=urgency)
    return do_register_delivery(delivery, acting_user=office.clerk)


def test_forwarding_to_all_schools_makes_arrived_children_grants_logs_event_and_audit(agency):
    office = make_office(agency=agency, schools=4)
    paper = make_unit(kind=UnitKind.SCHOOL, school_level=SchoolLevel.MAM_NON, parent=office.unit, enrolled=False)
    make_unit(kind=UnitKind.DIVISION, parent=office.unit)  # routed to, never forwarded to
    parent = registered_at(agency, office, urgency="thuong_khan")

    ids = do_forward_delivery(parent, acting_user=office.clerk, all_children=True, note="Các trường triển khai")

    children = list(Delivery.objects.filter(parent=parent).order_by("recipient_id"))
    assert sorted(ids) == sorted(c.pk for c in children)
    assert {c.recipient_id for c in children} == {s.pk for s in office.schools} | {paper.pk}
    for child in children:
        assert (child.dispatch_id, child.document_id, child.status, child.purpose, child.priority) == (
            parent.dispatch_id,
            parent.document_id,
            D.ARRIVED,
            parent.purpose,
            1,
        )
        assert child.channel == ("paper" if child.recipient_id == paper.pk else "electronic")
        assert child.incoming_number is None
    logs = DeliveryTransition.objects.filter(delivery__parent=parent)
    assert sorted(logs.values_list("delivery_id", "name", "from_status", "to_status", "comment")) == sorted(
        (c.pk, "forward", "", D.ARRIVED, "Các trường triển khai") for c in children
    )
    assert DeliveryTransition.objects.filter(delivery=parent, name="forwarded").values_list(
        "from_status", "to_status", "actor_id"
    ).get() == (D.REGISTERED, D.REGISTERED, office.clerk.pk)
    # The schools see the document through their own copies; no grant is written.
    assert not DocumentGroupObjectPermission.objects.filter(content_object=parent.document).exists()
    assert handlers.queued("delivery.forwarded") == [{"delivery_id": parent.pk}]
    audit = AuditEvent.objects.get(verb="workflows.delivery.forwarded")
    assert audit.data == {"count": 5, "mode": "all", "paper": 1}
    assert Delivery.objects.get(pk=parent.pk).status == D.REGISTERED


def test_forwarding_by_school_level_or_to_chosen_schools_and_each_at_most_once(agency):
    office = make_office(agency=agency, schools=4)  # tiểu học, THCS, tiểu học, THCS
    parent = registered_at(agency, office)
    primary = [s.pk for s in office.schools if s.school_level == SchoolLevel.TIEU_HOC]

    do_forward_delivery(parent, acting_user=office.leader, school_level=SchoolLevel.TIEU_HOC)
    assert sorted(Delivery.objects.filter(parent=parent).values_list("recipient_id", flat=True)) == sorted(primary)

    chosen = [office.schools[0], office.schools[1]]  # one already reached
    ids = do_forward_delivery(parent, acting_user=office.clerk, units=chosen)
    assert list(Delivery.objects.filter(pk__in=ids).values_list("recipient_id", flat=True)) == [office.schools[1].pk]
    assert Delivery.objects.filter(parent=parent).count() == 3
    assert AuditEvent.objects.filter(verb="workflows.delivery.forwarded").order_by("-id").first().data == {
        "count": 1,
        "mode": "chosen",
        "paper": 0,
    }
    with pytest.raises(Conflict) as exc:
        do_forward_delivery(parent, acting_user=office.clerk, units=chosen)
    assert exc.value.code == "already_forwarded"


def test_a_unit_outside_the_office_or_a_bad_choice_is_refused(agency):
    office = make_office(agency=agency, schools=2)
    elsewhere = make_office(agency=agency, schools=1)
    parent = registered_at(agency, office)
    cases = [
        ({"units": [office.schools[0], elsewhere.schools[0]]}, "unit_not_under_office"),
        ({"units": [elsewhere.unit.pk]}, "unit_not_under_office"),
        ({"units": [office.unit]}, "unit_not_under_office"),
        ({}, "forward_choice"),
        ({"all_children": True, "school_level": SchoolLevel.THCS}, "forward_choice"),
        ({"school_level": "dai_hoc"}, "invalid_school_level"),
        ({"school_level": SchoolLevel.THPT}, "no_units_to_forward"),
    ]
    for kwargs, code in cases:
        with pytest.raises(InvalidInput) as exc:
            do_forward_delivery(parent, acting_user=office.clerk, **kwargs)
        assert exc.value.code == code, kwargs
    assert exc.value.http_status == 400
    assert not Delivery.objects.filter(parent=parent).exists()
    assert not AuditEvent.objects.filter(verb="workflows.delivery.forwarded").exists()


def test_only_the_offices_clerk_or_leader_forwards_a_registered_unfrozen_copy(agency):
    office = make_office(agency=agency, schools=1)
    (arrived,) = make_arrived(agency, office.unit)
    with pytest.raises(Conflict) as exc:
        do_forward_delivery(arrived, acting_user=office.clerk, all_children=True)
    assert exc.value.code == "illegal_transition"
    parent = do_register_delivery(arrived, acting_user=office.clerk)
    for user in (office.officers[0], office.principals[0], agency.clerk):
        with pytest.raises(Forbidden):
            do_forward_delivery(parent, acting_user=user, all_children=True)
    (rejected,) = make_arrived(agency, office.unit)
    do_reject_delivery(rejected, acting_user=office.clerk, reason="Nhầm")
    with pytest.raises(Conflict):
        do_forward_delivery(rejected, acting_user=office.clerk, all_children=True)
    assert not Delivery.objects.filter(parent__isnull=False).exists()


def test_children_are_registered_and_acknowledged_like_any_delivery(agency):
    office = make_office(agency=agency, schools=2)
    parent = registered_at(agency, office)
    ids = do_forward_delivery(parent, acting_user=office.clerk, all_children=True)
    by_unit = {d.recipient_id: d for d in Delivery.objects.filter(pk__in=ids)}
    for school, principal in zip(office.schools, office.principals, strict=True):
        child = by_unit[school.pk]
        do_register_delivery(child, acting_user=principal)
        do_acknowledge_delivery(child, acting_user=principal)
        child.refresh_from_db()
        assert (child.status, child.incoming_number, child.acknowledged_by) == (D.REGISTERED, 1, principal)
    # The sender recalls: the children are the sender's copies too, and answer like any other.
    do_recall_dispatch(parent.dispatch, acting_user=agency.leader, reason="Sai")
    child = by_unit[office.schools[0].pk]
    assert Delivery.objects.get(pk=child.pk).status == D.RECALL_REQUESTED
    do_accept_recall(child, acting_user=office.principals[0])
    assert Delivery.objects.get(pk=child.pk).status == D.RECALLED


def test_the_statement_count_does_not_grow_with_the_number_of_schools(agency):
    counts = []
    for size in (3, 30):
        office = make_office(agency=agency)
        make_units(size, parent=office.unit, enrolled=lambda i: i % 4 != 0)
        parent = registered_at(agency, office)
        with CaptureQueriesContext(connection) as ctx:
            ids = do_forward_delivery(parent, acting_user=office.clerk, all_children=True)
        assert len(ids) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
