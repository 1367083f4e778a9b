"""Writing audit rows: snapshots, request context, and the transaction they belong to."""

import functools

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from journal.audit import record
from journal.context import current, request_context, set_active_unit
from journal.errors import TransactionRequired
from journal.middleware import RequestContextMiddleware
from journal.models import AuditEvent
from journal.sealing import seal_pending
from journal.verify import verify_chain
from organizations import audit as org_audit
from tests.concurrency import at_once, postgresql_only, raised
from tests.journal.conftest import sealed
from tests.organizations.factories import make_unit, make_user


def test_a_row_keeps_who_where_what_and_the_object(user, unit):
    with transaction.atomic():
        event = record(actor=user, verb="organizations.unit.renamed", target=unit, unit=unit, data={"old": "Sở cũ"})
    row = sealed(event)
    assert (row.actor_id, row.actor_username) == (user.pk, "an.nguyen")
    assert (row.unit_id, row.unit_name) == (unit.pk, "Sở Giáo dục và Đào tạo Đồng Tháp")
    assert (row.object_type, row.object_id, row.object_repr) == ("organizations.unit", str(unit.pk), unit.name)
    assert row.data == {"old": "Sở cũ"}
    assert row.ip is None
    assert row.hash == row.compute_hash()


def test_the_system_and_anonymous_users_have_no_actor(db):
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        system = record(actor=None, verb="test.system")
        stranger = record(actor=AnonymousUser(), verb="test.stranger")
    assert (system.actor_id, system.actor_username) == (None, "")
    assert (stranger.actor_id, stranger.actor_username) == (None, "")


def test_an_action_that_rolls_back_takes_its_audit_row_with_it(user):
    with transaction.atomic():
        record(actor=user, verb="test.kept")

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        record(actor=user, verb="test.dropped")
        raise Refused
    assert list(AuditEvent.objects.values_list("verb", flat=True)) == ["test.kept"]
    with transaction.atomic():
        record(actor=user, verb="test.after")
    seal_pending()
    result = verify_chain()
    assert result.ok and result.count == 2
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "verb")) == [(1, "test.kept"), (2, "test.after")]


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(db):
    with pytest.raises(TransactionRequired):
        record(actor=None, verb="test.event")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"verb": "login"},
        {"verb": "Auth.Login"},
        {"verb": "auth..login"},
        {"data": {"ratio": 0.5}},
        {"data": {1: "x"}},
        {"data": {"when": object()}},
    ],
)
def test_malformed_verbs_and_data_are_refused(db, bad):
    kwargs = {"actor": None, "verb": "test.event", **bad}
    with pytest.raises((ValueError, TypeError)), transaction.atomic():
        record(**kwargs)


def test_ip_and_unit_come_from_the_request_context(user, unit):
    with request_context(ip="203.0.113.7", unit_id=unit.pk), transaction.atomic():
        event = record(actor=user, verb="test.event")
    assert (event.ip, event.unit_id, event.unit_name) == ("203.0.113.7", unit.pk, unit.name)
    assert current().ip is None
    with request_context(ip="203.0.113.7"), transaction.atomic():
        explicit = record(actor=user, verb="test.event", ip="198.51.100.1", unit=make_unit(name="Phòng GDĐT Cao Lãnh"))
    assert (explicit.ip, explicit.unit_name) == ("198.51.100.1", "Phòng GDĐT Cao Lãnh")


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:192.0.2.5", "::ffff:192.0.2.5"),
        ("fe80::1%eth0", "fe80::1"),
        ("not-an-address", None),
        ("", None),
    ],
)
def test_addresses_are_stored_the_way_the_database_returns_them(db, raw, stored):
    with transaction.atomic():
        event = record(actor=None, verb="test.event", ip=raw)
    row = sealed(event)
    assert row.ip == stored
    assert row.hash == row.compute_hash()


def test_the_middleware_gives_each_request_its_ip_and_the_web_layer_its_unit(user, unit):
    seen = []

    def view(request):
        set_active_unit(unit.pk)
        with transaction.atomic():
            seen.append(record(actor=user, verb="test.viewed"))
        return HttpResponse("ok")

    middleware = RequestContextMiddleware(view)
    middleware(RequestFactory().get("/", REMOTE_ADDR="192.0.2.44"))
    assert (seen[0].ip, seen[0].unit_id) == ("192.0.2.44", unit.pk)
    assert (current().ip, current().unit_id) == (None, None), "the context must not outlive the request"


def test_organizations_actions_write_through_the_port(user, unit):
    with transaction.atomic():
        org_audit.record(actor=user, verb="organizations.unit.created", target=unit, unit=unit, data={"kind": "x"})
    row = AuditEvent.objects.get()
    assert (row.verb, row.object_type, row.object_id, row.data) == (
        "organizations.unit.created",
        "organizations.unit",
        str(unit.pk),
        {"kind": "x"},
    )


@postgresql_only("SQLite serialises writers by locking the whole file")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_are_all_sealed_into_one_chain():
    # Writers append without waiting on each other; one pass seals them all, in id order.
    actor = make_user("song.song")

    def write(n: int) -> None:
        for i in range(10):
            with transaction.atomic():
                record(actor=actor, verb="test.concurrent", object_type="thing", object_id=f"{n}-{i}")

    outcomes = at_once(*(functools.partial(write, n) for n in range(4)))
    assert not raised(outcomes), outcomes
    assert verify_chain().unsealed == 40
    assert seal_pending() == 40
    result = verify_chain()
    assert result.ok and result.count == 40 and result.unsealed == 0
    rows = list(AuditEvent.objects.order_by("seq"))
    # Sealed in id order within each pass; every row committed is in the chain exactly once.
    assert [row.seq for row in rows] == list(range(1, 41))


def test_a_real_organizations_action_leaves_a_chained_row(db):
    from organizations.actions.units import do_save_unit
    from organizations.models import Unit, UnitKind

    admin = make_user("quan.tri", superuser=True)
    with request_context(ip="192.0.2.80"):
        unit = do_save_unit(Unit(name="Sở GDĐT Đồng Tháp", kind=UnitKind.DEPARTMENT), acting_user=admin)
    row = AuditEvent.objects.get(verb="organizations.unit.created")
    assert (row.actor_username, row.unit_id, row.object_id, row.ip) == ("quan.tri", unit.pk, str(unit.pk), "192.0.2.80")
    assert row.data["name"] == "Sở GDĐT Đồng Tháp"
    seal_pending()
    assert verify_chain().ok
