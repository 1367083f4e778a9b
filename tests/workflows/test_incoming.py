"""The recipient clerk's actions on a delivery: register, reject, answer a recall, acknowledge."""

import datetime

import pytest
from django.utils import timezone

from documents.models import Document, Register, RegisterDirection
from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import Role, SchoolLevel, UnitKind
from tests.journal import handlers
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions import do_recall_dispatch
from workflows.actions.incoming import (
    do_accept_recall,
    do_acknowledge_delivery,
    do_refuse_recall,
    do_register_delivery,
    do_reject_delivery,
)
from workflows.duplicates import likely_duplicates
from workflows.models import Delivery, DeliveryStatus, DeliveryTransition

pytestmark = pytest.mark.django_db
D = DeliveryStatus
KINDS = [
    "delivery.registered",
    "delivery.rejected",
    "delivery.recall_accepted",
    "delivery.recall_refused",
    "delivery.acknowledged",
]


@pytest.fixture(autouse=True)
def remembered():
    for kind in KINDS:
        events.subscribe(kind, handlers.remember)
    yield
    for kind in KINDS:
        events.unsubscribe(kind, handlers.remember)


@pytest.fixture
def agency():
    return make_agency()


@pytest.fixture
def office(agency):
    return make_office(agency=agency)


def fresh(delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def log_of(delivery) -> list[tuple]:
    return list(
        DeliveryTransition.objects.filter(delivery=delivery)
        .exclude(name="issue")
        .values_list("name", "from_status", "to_status", "actor_id", "comment")
    )


# -- register ------------------------------------------------------------------------------------


def test_the_clerk_registers_with_the_next_incoming_number_logs_publishes_and_audits(agency, office):
    (delivery,) = make_arrived(agency, office.unit)
    before = timezone.now()

    done = do_register_delivery(delivery, acting_user=office.clerk, note="  Trình lãnh đạo  ")

    row = fresh(delivery)
    assert (row.status, row.edxml_code, row.incoming_number, row.registered_by) == (D.REGISTERED, "03", 1, office.clerk)
    assert row.registered_at >= before and done.incoming_number == 1
    register = Register.objects.get(pk=row.register_id)
    assert (register.unit, register.direction, register.year, register.last_number) == (
        office.unit,
        RegisterDirection.INCOMING,
        timezone.localdate().year,
        1,
    )
    # The status and this log row are the receipt the sender's tracking page shows.
    assert log_of(delivery) == [("registered", D.ARRIVED, D.REGISTERED, office.clerk.pk, "Trình lãnh đạo")]
    assert handlers.queued("delivery.registered") == [{"delivery_id": delivery.pk}]
    audit = AuditEvent.objects.filter(verb="workflows.delivery.registered").get()
    assert audit.object_id == str(delivery.pk) and audit.actor_id == office.clerk.pk
    assert audit.data == {
        "from": "arrived",
        "to": "registered",
        "register": register.pk,
        "year": register.year,
        "number": 1,
    }
    # The audit row is the last thing written (the chain head is the last lock taken).
    assert AuditEvent.objects.order_by("-id").first() == audit


def test_numbers_run_per_unit_from_1_and_urgent_documents_register_alike(agency, office):
    other = make_office(agency=agency)
    first = make_arrived(agency, office.unit, other.unit)
    urgent = make_arrived(agency, office.unit, other.unit, urgency="hoa_toc")
    third = make_arrived(agency, office.unit)
    assert urgent[0].priority == 2
    numbers = [
        do_register_delivery(first[0], acting_user=office.clerk).incoming_number,
        do_register_delivery(urgent[1], acting_user=other.clerk).incoming_number,
        do_register_delivery(urgent[0], acting_user=office.clerk).incoming_number,
        do_register_delivery(third[0], acting_user=office.clerk).incoming_number,
        do_register_delivery(first[1], acting_user=other.clerk).incoming_number,
    ]
    assert numbers == [1, 1, 2, 3, 2]
    assert fresh(urgent[0]).status == D.REGISTERED


def test_a_school_without_a_clerk_registers_through_its_principal(agency):
    school = make_unit(kind=UnitKind.SCHOOL, school_level=SchoolLevel.THCS, parent=agency.department, enrolled=True)
    principal = make_user()
    make_membership(user=principal, unit=school, role=Role.PRINCIPAL)
    (delivery,) = make_arrived(agency, school)
    assert do_register_delivery(delivery, acting_user=principal).incoming_number == 1


@pytest.mark.parametrize("who", ["leader", "officer", "other_clerk", "sender_clerk"])
def test_only_the_recipients_clerk_registers(agency, office, who):
    other = make_office(agency=agency)
    user = {
        "leader": office.leader,
        "officer": office.officers[0],
        "other_clerk": other.clerk,
        "sender_clerk": agency.clerk,
    }[who]
    (delivery,) = make_arrived(agency, office.unit)
    with pytest.raises(Forbidden) as exc:
        do_register_delivery(delivery, acting_user=user)
    assert exc.value.http_status == 403
    row = fresh(delivery)
    assert row.status == D.ARRIVED and row.incoming_number is None
    assert not Register.objects.filter(unit=office.unit).exists()
    assert not AuditEvent.objects.filter(verb="workflows.delivery.registered").exists()
    assert handlers.queued("delivery.registered") == []


def test_registering_twice_is_a_409_and_takes_no_number(agency, office):
    (delivery,) = make_arrived(agency, office.unit)
    do_register_delivery(delivery, acting_user=office.clerk)
    with pytest.raises(Conflict) as exc:
        do_register_delivery(delivery, acting_user=office.clerk)
    assert exc.value.code == "illegal_transition" and exc.value.http_status == 409
    assert Register.objects.get(unit=office.unit).last_number == 1
    assert DeliveryTransition.objects.filter(delivery=delivery, name="registered").count() == 1


def test_a_paper_copy_takes_the_arrival_time_the_clerk_gives(agency):
    office = make_office(agency=agency, enrolled=False)
    (delivery,) = make_arrived(agency, office.unit)
    assert delivery.channel == "paper"
    later = fresh(delivery).arrived_at + datetime.timedelta(minutes=5)
    with pytest.raises(InvalidInput) as exc:
        do_register_delivery(
            delivery, acting_user=office.clerk, arrived_at=timezone.now() + datetime.timedelta(hours=1)
        )
    assert exc.value.code == "arrival_in_future"
    with pytest.raises(InvalidInput) as exc:
        do_register_delivery(delivery, acting_user=office.clerk, arrived_at=later - datetime.timedelta(days=2))
    assert exc.value.code == "arrival_before_sending"
    assert not Register.objects.filter(unit=office.unit).exists()

    # Not yet 5 minutes later in the real world: issue it "in the past" by moving the dispatch back.
    delivery.dispatch.__class__.objects.filter(pk=delivery.dispatch_id).update(
        issued_at=timezone.now() - datetime.timedelta(days=3)
    )
    given = timezone.now() - datetime.timedelta(days=1)
    do_register_delivery(delivery, acting_user=office.clerk, arrived_at=given)
    row = fresh(delivery)
    assert row.arrived_at == given and row.incoming_number == 1
    assert AuditEvent.objects.get(verb="workflows.delivery.registered").data["arrived_at"] == given.isoformat()


def test_an_electronic_copy_keeps_the_systems_arrival_time(agency, office):
    (delivery,) = make_arrived(agency, office.unit)
    with pytest.raises(InvalidInput) as exc:
        do_register_delivery(delivery, acting_user=office.clerk, arrived_at=timezone.now())
    assert exc.value.code == "arrival_time_paper_only"
    assert fresh(delivery).status == D.ARRIVED


def test_the_same_symbol_and_issuer_registered_before_warns_until_confirmed(agency, office):
    (first,) = make_arrived(agency, office.unit)
    (second,) = make_arrived(agency, office.unit)
    # The same document reached the office twice (e.g. a re-send under the same number).
    Document.objects.filter(pk=second.document_id).update(symbol=first.document.symbol)
    assert list(likely_duplicates(fresh(second))) == []  # the first is not registered yet
    do_register_delivery(first, acting_user=office.clerk)

    with pytest.raises(Conflict) as exc:
        do_register_delivery(second, acting_user=office.clerk)
    assert exc.value.code == "likely_duplicate"
    registered = fresh(first)
    assert exc.value.details == {
        "duplicates": [
            {
                "id": first.pk,
                "incoming_number": 1,
                "symbol": first.document.symbol,
                "registered_at": registered.registered_at.isoformat(),
            }
        ]
    }
    assert fresh(second).status == D.ARRIVED and Register.objects.get(unit=office.unit).last_number == 1

    do_register_delivery(second, acting_user=office.clerk, confirm_duplicate=True)
    assert fresh(second).incoming_number == 2
    audit = AuditEvent.objects.filter(verb="workflows.delivery.registered").order_by("-id").first()
    assert audit.data["confirmed_duplicates"] == [first.pk]


def test_the_same_message_id_warns_but_another_units_copy_does_not(agency, office):
    other = make_office(agency=agency)
    a, b = make_arrived(agency, office.unit, other.unit)
    (c,) = make_arrived(agency, office.unit)
    Delivery.objects.filter(pk__in=[a.pk, b.pk, c.pk]).update(external_id="msg-42@edxml")
    do_register_delivery(a, acting_user=office.clerk)
    do_register_delivery(b, acting_user=other.clerk)  # another unit: not a duplicate
    with pytest.raises(Conflict) as exc:
        do_register_delivery(c, acting_user=office.clerk)
    assert [d["id"] for d in exc.value.details["duplicates"]] == [a.pk]


# -- reject --------------------------------------------------------------------------------------


def test_the_clerk_rejects_an_arrived_delivery_with_a_reason(agency, office):
    (delivery,) = make_arrived(agency, office.unit)
    do_reject_delivery(delivery, acting_user=office.clerk, reason="  Gửi nhầm đơn vị.  ")
    row = fresh(delivery)
    assert (row.status, row.edxml_code, row.incoming_number) == (D.REJECTED, "02", None)
    assert log_of(delivery) == [("rejected", D.ARRIVED, D.REJECTED, office.clerk.pk, "Gửi nhầm đơn vị.")]
    assert handlers.queued("delivery.rejected") == [{"delivery_id": delivery.pk}]
    audit = AuditEvent.objects.get(verb="workflows.delivery.rejected")
    assert audit.data == {"from": "arrived", "to": "rejected", "reason": "Gửi nhầm đơn vị."}
    with pytest.raises(Conflict):
        do_register_delivery(delivery, acting_user=office.clerk)


def test_reject_refusals_in_the_house_order(agency, office):
    (delivery,) = make_arrived(agency, office.unit)
    with pytest.raises(Forbidden):
        do_reject_delivery(delivery, acting_user=office.leader, reason="Sai")
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as exc:
            do_reject_delivery(delivery, acting_user=office.clerk, reason=reason)
        assert exc.value.code == "reason_required" and exc.value.http_status == 400
    do_register_delivery(delivery, acting_user=office.clerk)
    with pytest.raises(Conflict) as exc:  # the status is checked before anything else
        do_reject_delivery(delivery, acting_user=office.leader, reason="")
    assert exc.value.code == "illegal_transition"
    assert not AuditEvent.objects.filter(verb="workflows.delivery.rejected").exists()


# -- recall answers ------------------------------------------------------------------------------


def recalled(agency, *units):
    deliveries = make_arrived(agency, *units)
    do_recall_dispatch(deliveries[0].dispatch, acting_user=agency.leader, reason="Sai số liệu")
    return deliveries


def test_accepting_a_recall_freezes_the_copy(agency, office):
    (delivery,) = recalled(agency, office.unit)
    do_accept_recall(delivery, acting_user=office.leader, comment="Đồng ý")
    row = fresh(delivery)
    assert (row.status, row.edxml_code) == (D.RECALLED, "15")
    assert log_of(delivery)[-1] == ("recall_accepted", D.RECALL_REQUESTED, D.RECALLED, office.leader.pk, "Đồng ý")
    assert handlers.queued("delivery.recall_accepted") == [{"delivery_id": delivery.pk}]
    assert AuditEvent.objects.get(verb="workflows.delivery.recall_accepted").data == {
        "from": "recall_requested",
        "to": "recalled",
    }
    for action in (do_register_delivery, do_acknowledge_delivery):
        with pytest.raises(Conflict):
            action(delivery, acting_user=office.clerk)


def test_refusing_a_recall_needs_a_reason_and_the_unit_carries_on(agency, office):
    (delivery,) = recalled(agency, office.unit)
    with pytest.raises(InvalidInput) as exc:
        do_refuse_recall(delivery, acting_user=office.clerk, reason=" ")
    assert exc.value.code == "reason_required"
    do_refuse_recall(delivery, acting_user=office.clerk, reason="Đã triển khai")
    row = fresh(delivery)
    assert (row.status, row.edxml_code) == (D.RECALL_REFUSED, "16")
    assert handlers.queued("delivery.recall_refused") == [{"delivery_id": delivery.pk}]
    assert AuditEvent.objects.get(verb="workflows.delivery.recall_refused").data["reason"] == "Đã triển khai"
    # It had not been registered: after 16 it is registered like any arrived copy.
    do_register_delivery(delivery, acting_user=office.clerk)
    assert fresh(delivery).status == D.REGISTERED and fresh(delivery).incoming_number == 1


def test_recall_answers_are_for_the_recipients_clerk_or_leader_while_asked(agency, office):
    (delivery,) = make_arrived(agency, office.unit)
    with pytest.raises(Conflict):
        do_accept_recall(delivery, acting_user=office.clerk)
    with pytest.raises(Conflict):
        do_refuse_recall(delivery, acting_user=office.clerk, reason="x")
    (asked,) = recalled(agency, office.unit)
    for user in (office.officers[0], agency.clerk):
        with pytest.raises(Forbidden):
            do_accept_recall(asked, acting_user=user)
        with pytest.raises(Forbidden):
            do_refuse_recall(asked, acting_user=user, reason="x")
    do_accept_recall(asked, acting_user=office.clerk)
    with pytest.raises(Conflict):
        do_refuse_recall(asked, acting_user=office.leader, reason="Muộn rồi")


# -- acknowledge ---------------------------------------------------------------------------------


def test_a_leader_acknowledges_once_irrevocably_without_changing_the_status(agency, office):
    (delivery,) = make_arrived(agency, office.unit)
    with pytest.raises(Conflict) as exc:
        do_acknowledge_delivery(delivery, acting_user=office.leader)
    assert exc.value.code == "not_registered"
    do_register_delivery(delivery, acting_user=office.clerk)
    for user in (office.clerk, office.officers[0], agency.leader):
        with pytest.raises(Forbidden):
            do_acknowledge_delivery(delivery, acting_user=user)

    do_acknowledge_delivery(delivery, acting_user=office.deputy)

    row = fresh(delivery)
    assert row.status == D.REGISTERED and row.acknowledged_by == office.deputy and row.acknowledged_at is not None
    assert log_of(delivery)[-1] == ("acknowledge", D.REGISTERED, D.REGISTERED, office.deputy.pk, "")
    assert handlers.queued("delivery.acknowledged") == [{"delivery_id": delivery.pk}]
    assert AuditEvent.objects.get(verb="workflows.delivery.acknowledged").data == {"status": "registered"}
    with pytest.raises(Conflict) as exc:
        do_acknowledge_delivery(delivery, acting_user=office.leader)
    assert exc.value.code == "already_acknowledged"
    assert fresh(delivery).acknowledged_by == office.deputy
    assert DeliveryTransition.objects.filter(delivery=delivery, name="acknowledge").count() == 1


def test_a_principal_acknowledges_at_a_school(agency):
    office = make_office(agency=agency, schools=1)
    (delivery,) = make_arrived(agency, office.schools[0])
    principal = office.principals[0]
    do_register_delivery(delivery, acting_user=principal)  # no clerk at the school
    do_acknowledge_delivery(delivery, acting_user=principal)
    assert fresh(delivery).acknowledged_by == principal
