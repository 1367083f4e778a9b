"""Reads on the trail: one row per view, download, print or export, and who read an object."""

import pytest
from django.db import transaction

from journal import reads
from journal.context import request_context
from journal.models import AuditEvent
from journal.sealing import seal_pending
from journal.verify import verify_chain
from tests.organizations.factories import make_unit, make_user


def test_a_read_is_one_row_named_after_the_object_and_the_kind(user, unit):
    with request_context(ip="192.0.2.9", unit_id=unit.pk):
        event = reads.record_read(actor=user, kind=reads.DOWNLOADED, target=unit, data={"file": 7})
    row = AuditEvent.objects.get(pk=event.pk)
    assert (row.verb, row.object_type, row.object_id) == (
        "organizations.unit.downloaded",
        "organizations.unit",
        str(unit.pk),
    )
    assert (row.actor_username, row.ip, row.unit_name, row.data) == ("an.nguyen", "192.0.2.9", unit.name, {"file": 7})
    seal_pending()
    assert verify_chain().ok


def test_a_read_needs_no_surrounding_transaction_and_joins_one_if_there_is(user, unit):
    reads.record_read(actor=user, kind=reads.VIEWED, target=unit)

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        reads.record_read(actor=user, kind=reads.VIEWED, target=unit)
        raise Refused
    assert AuditEvent.objects.filter(verb="organizations.unit.viewed").count() == 1


def test_an_unknown_kind_or_a_read_of_nothing_is_refused(user, unit):
    with pytest.raises(ValueError, match="read kind"):
        reads.record_read(actor=user, kind="peeked", target=unit)
    with pytest.raises(ValueError, match="names what was read"):
        reads.record_read(actor=user, kind=reads.VIEWED)
    assert not AuditEvent.objects.exists()


def test_readers_are_grouped_per_person_most_recent_first(user, unit):
    other = make_user("binh.tran")
    school = make_unit(name="Trường THPT số 01")
    with request_context(unit_id=unit.pk):
        reads.record_read(actor=user, kind=reads.VIEWED, target=school)
        reads.record_read(actor=user, kind=reads.PRINTED, target=school)
    with request_context(unit_id=school.pk):
        reads.record_read(actor=other, kind=reads.VIEWED, target=school)
    # Not a read, and not this object: neither counts.
    with transaction.atomic():
        from journal.audit import record

        record(actor=user, verb="organizations.unit.renamed", target=school)
    reads.record_read(actor=user, kind=reads.VIEWED, target=unit)

    found = reads.readers_of(object_type="organizations.unit", object_id=school.pk)
    assert [(r.username, r.unit_name, r.times, r.kinds) for r in found] == [
        ("binh.tran", "Trường THPT số 01", 1, ("viewed",)),
        ("an.nguyen", unit.name, 2, ("viewed", "printed")),
    ]
    assert found[1].first_at <= found[1].last_at
    assert found[1].kinds_display == "xem, in"


def test_readers_of_is_one_query(user, unit, django_assert_num_queries):
    for kind in reads.KINDS:
        reads.record_read(actor=user, kind=kind, target=unit)
    with django_assert_num_queries(1):
        (reader,) = reads.readers_of(object_type="organizations.unit", object_id=unit.pk)
    assert reader.times == 4
