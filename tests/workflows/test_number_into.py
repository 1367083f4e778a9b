"""documents.numbering.take_number_into, as registration uses it: the number, the row and the audit event together.

On PostgreSQL they are one statement (the register row is locked for that statement and the commit);
on SQLite three. Either way the row, the event and the register agree, a row that is no longer as
the caller read it takes no number, and the event seals into the chain like any other.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_fsm import ConcurrentTransition

from documents.models import Register, RegisterDirection
from documents.numbering import register_key, take_number_into
from journal.audit import prepare
from journal.errors import TransactionRequired
from journal.models import AuditEvent
from journal.sealing import seal_pending
from journal.verify import verify_chain
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.incoming import do_register_delivery
from workflows.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    """Raised on purpose to roll the test's transaction back."""


@pytest.fixture
def office():
    agency = make_agency()
    office = make_office(agency=agency)
    office.deliveries = [make_arrived(agency, office.unit, summary=f"V/v thử {i}")[0] for i in range(2)]
    return office


def _take_into(delivery, key, *, expected: str, audit=None):
    return take_number_into(
        delivery,
        key=key,
        number_field="incoming_number",
        register_field="register",
        update_fields=["status", "registered_at", "registered_by"],
        expected={"status": expected},
        audit=audit,
    )


def _counter_bumps(queries) -> list[str]:
    return [q["sql"] for q in queries if '"last_number" = "last_number" + 1' in q["sql"]]


def test_registration_writes_the_number_the_row_and_the_event_together(office):
    first, second = office.deliveries
    do_register_delivery(first.pk, acting_user=office.clerk)  # opens the year's register
    with CaptureQueriesContext(connection) as queries:
        do_register_delivery(second.pk, acting_user=office.clerk)

    register = Register.objects.get(unit=office.unit, direction=RegisterDirection.INCOMING)
    assert register.last_number == 2
    rows = {d.pk: d for d in Delivery.objects.filter(pk__in=[first.pk, second.pk])}
    assert [(rows[d.pk].incoming_number, rows[d.pk].register_id) for d in (first, second)] == [
        (1, register.pk),
        (2, register.pk),
    ]
    assert rows[first.pk].status == DeliveryStatus.REGISTERED
    assert rows[first.pk].registered_by_id == office.clerk.pk
    events = list(AuditEvent.objects.filter(verb="workflows.delivery.registered").order_by("id"))
    assert [(e.object_id, e.data["register"], e.data["number"], e.data["year"]) for e in events] == [
        (str(first.pk), register.pk, 1, register.year),
        (str(second.pk), register.pk, 2, register.year),
    ]
    counter_writes = _counter_bumps(queries)
    assert len(counter_writes) == 1
    if connection.vendor == "postgresql":
        assert "workflows_delivery" in counter_writes[0] and "journal_auditevent" in counter_writes[0]
    seal_pending()
    assert verify_chain().ok


def test_the_instances_hold_what_the_rows_hold(office):
    delivery = office.deliveries[0]
    registered = do_register_delivery(delivery.pk, acting_user=office.clerk)
    fresh = Delivery.objects.get(pk=delivery.pk)
    assert (registered.incoming_number, registered.register_id, registered.status) == (
        fresh.incoming_number,
        fresh.register_id,
        fresh.status,
    )
    assert registered.register == fresh.register  # not a stale cached register
    registered.save(update_fields=["status"])  # its optimistic lock now expects "registered"


def test_a_row_no_longer_as_read_takes_no_number(office):
    delivery = Delivery.objects.select_related("recipient").get(pk=office.deliveries[0].pk)
    now = timezone.now()
    key = register_key(unit=delivery.recipient, direction=RegisterDirection.INCOMING, on=now)
    audit = prepare(actor=office.clerk, verb="workflows.delivery.registered", target=delivery, data={})
    delivery.register_incoming(at=now, by=office.clerk)
    with pytest.raises(_Rollback), transaction.atomic():
        with pytest.raises(ConcurrentTransition):
            _take_into(delivery, key, expected=DeliveryStatus.ROUTED, audit=audit)  # not what the row holds
        if connection.vendor == "postgresql":  # the statement took nothing, even before the rollback
            assert not Register.objects.filter(last_number__gt=0).exists()
            assert not AuditEvent.objects.filter(verb="workflows.delivery.registered").exists()
        raise _Rollback
    assert not Register.objects.filter(last_number__gt=0).exists()
    assert Delivery.objects.get(pk=delivery.pk).incoming_number is None
    assert not AuditEvent.objects.filter(verb="workflows.delivery.registered").exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses(office):
    delivery = office.deliveries[0]
    key = register_key(unit=office.unit, direction=RegisterDirection.INCOMING)
    with pytest.raises(TransactionRequired):
        _take_into(delivery, key, expected=delivery.status)
