"""Clerks at the same moment, each thread on its own PostgreSQL connection: one wins, numbers stay whole."""

import pytest

from documents.models import Document, Register
from journal.errors import Conflict
from journal.models import AuditEvent
from tests.concurrency import at_once, postgresql_only, raised
from tests.organizations.factories import make_membership, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office, make_units
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import do_acknowledge_delivery, do_register_delivery
from workflows.models import Delivery, DeliveryStatus, DeliveryTransition

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_clerks_registering_the_same_delivery_one_wins_the_other_gets_409():
    agency = make_agency()
    office = make_office(agency=agency)
    second_clerk = make_user()
    make_membership(user=second_clerk, unit=office.unit, role="clerk")
    (delivery,) = make_arrived(agency, office.unit)

    outcomes = at_once(
        *(lambda u=u: do_register_delivery(delivery.pk, acting_user=u) for u in (office.clerk, second_clerk))
    )

    won = [o for o in outcomes if isinstance(o, Delivery)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].http_status == 409 and lost[0].code in {"illegal_transition", "concurrent_transition"}
    row = Delivery.objects.get(pk=delivery.pk)
    assert (row.status, row.incoming_number, row.registered_by_id) == (
        DeliveryStatus.REGISTERED,
        1,
        won[0].registered_by.pk,
    )
    # Nothing of the loser: no second number, log row or audit row.
    assert Register.objects.get(unit=office.unit).last_number == 1
    assert DeliveryTransition.objects.filter(delivery=delivery, name="registered").count() == 1
    assert AuditEvent.objects.filter(verb="workflows.delivery.registered").count() == 1


def test_many_clerks_registering_different_deliveries_leave_no_gap_and_no_duplicate():
    agency = make_agency()
    office = make_office(agency=agency)
    clerks = [office.clerk]
    for _ in range(5):
        clerk = make_user()
        make_membership(user=clerk, unit=office.unit, role="clerk")
        clerks.append(clerk)
    deliveries = [make_arrived(agency, office.unit)[0].pk for _ in range(36)]
    # The last looks like the first (same symbol, same issuer): whichever is registered second is
    # refused, so one transaction rolls back in the middle of the race and must take no number along.
    first, last = Delivery.objects.filter(pk__in=[deliveries[0], deliveries[-1]]).order_by("pk")
    Document.objects.filter(pk=last.document_id).update(symbol=first.document.symbol)
    batches = [deliveries[i::6] for i in range(6)]

    def clerk_work(clerk, ids):
        def work():
            done, refused = [], []
            for pk in ids:
                try:
                    done.append(do_register_delivery(pk, acting_user=clerk).incoming_number)
                except Conflict as exc:
                    refused.append(exc.code)
            return done, refused

        return work

    outcomes = at_once(*(clerk_work(c, b) for c, b in zip(clerks, batches, strict=True)))
    assert not raised(outcomes), outcomes
    numbers = sorted(n for done, _ in outcomes for n in done)
    refused = [code for _, codes in outcomes for code in codes]
    assert len(numbers) + len(refused) == len(deliveries)
    assert numbers == list(range(1, len(numbers) + 1)), "gaps or duplicates"
    assert Register.objects.get(unit=office.unit).last_number == len(numbers)
    assert refused == ["likely_duplicate"]
    stored = list(
        Delivery.objects.filter(recipient=office.unit, incoming_number__isnull=False).values_list(
            "incoming_number", flat=True
        )
    )
    assert sorted(stored) == numbers


def test_two_leaders_acknowledging_at_once_one_wins():
    agency = make_agency()
    office = make_office(agency=agency)
    (delivery,) = make_arrived(agency, office.unit)
    do_register_delivery(delivery, acting_user=office.clerk)
    outcomes = at_once(
        *(lambda u=u: do_acknowledge_delivery(delivery.pk, acting_user=u) for u in (office.leader, office.deputy))
    )
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(lost) == 1 and lost[0].code == "already_acknowledged", outcomes
    assert DeliveryTransition.objects.filter(delivery=delivery, name="acknowledge").count() == 1


def test_a_clerk_and_a_leader_forwarding_at_once_reach_each_school_once():
    agency = make_agency()
    office = make_office(agency=agency)
    make_units(20, parent=office.unit)
    (delivery,) = make_arrived(agency, office.unit)
    do_register_delivery(delivery, acting_user=office.clerk)
    outcomes = at_once(
        *(
            lambda u=u: do_forward_delivery(delivery.pk, acting_user=u, all_children=True)
            for u in (office.clerk, office.leader)
        )
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "list"], outcomes
    assert Delivery.objects.filter(parent=delivery).count() == 20
    assert AuditEvent.objects.filter(verb="workflows.delivery.forwarded").count() == 1
