"""Audit rows cannot be changed or removed: not through the ORM, not through SQL."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from journal.audit import record
from journal.models import AppendOnlyError, AuditEvent, ChainHead
from journal.sealing import seal_pending
from journal.verify import verify_chain
from tests.journal.conftest import sealed


def test_saving_an_existing_row_is_refused(chain):
    event = AuditEvent.objects.get(seq=3)
    event.verb = "test.other"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(seq=3).verb == "test.event"


def test_deleting_a_row_is_refused(chain):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.get(seq=3).delete()
    assert AuditEvent.objects.count() == 5


@pytest.mark.parametrize(
    "write",
    [
        lambda qs: qs.update(verb="test.other"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["verb"]),
        lambda qs: qs.bulk_create([AuditEvent(id=99, verb="test.x", hash="a" * 64)]),
        lambda qs: qs.update_or_create(id=1, defaults={"verb": "test.other"}),
    ],
    ids=["update", "delete", "bulk_update", "bulk_create", "update_or_create"],
)
def test_queryset_writes_are_refused(chain, write):
    with pytest.raises(AppendOnlyError):
        write(AuditEvent.objects.all())
    assert verify_chain().ok


def test_a_row_not_written_by_record_is_refused(db):
    with pytest.raises(AppendOnlyError):
        AuditEvent(verb="test.x").save()


def test_the_chain_head_cannot_be_deleted_through_the_orm(chain):
    with pytest.raises(AppendOnlyError):
        ChainHead.objects.get().delete()
    with pytest.raises(AppendOnlyError):
        ChainHead.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE journal_auditevent SET verb = 'test.other' WHERE seq = 3",
        "UPDATE journal_auditevent SET hash = hash",
        "UPDATE journal_auditevent SET seq = seq + 10, prev_hash = prev_hash, hash = hash WHERE seq = 5",
        "DELETE FROM journal_auditevent WHERE seq = 5",
        "DELETE FROM journal_auditevent",
    ],
)
def test_the_database_refuses_updates_and_deletes(chain, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert verify_chain().count == 5


def test_deleting_a_user_or_unit_leaves_history_alone(chain, user, unit):
    from tests.organizations.factories import make_user

    other = make_user("binh.tran")
    with transaction.atomic():
        event = record(actor=other, verb="test.event")
    other.delete()
    kept = sealed(event)
    assert (kept.actor_id, kept.actor_username) == (event.actor_id, "binh.tran")
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_puts_the_guard_back(user):
    with transaction.atomic():
        record(actor=user, verb="test.event")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert not ChainHead.objects.exists()
    with transaction.atomic():
        record(actor=None, verb="test.event")
    seal_pending()
    assert verify_chain().count == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM journal_auditevent")


def _unsealed(user):
    with transaction.atomic():
        return record(actor=user, verb="test.pending")


def test_the_database_allows_sealing_an_unsealed_row_once_and_nothing_else(user):
    event = _unsealed(user)
    seal = ("a" * 64, "b" * 64, event.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        # A seal that also rewrites the content is refused.
        cursor.execute(
            "UPDATE journal_auditevent SET seq = 1, prev_hash = %s, hash = %s, verb = 'test.other' WHERE id = %s", seal
        )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        # Half a seal is refused.
        cursor.execute("UPDATE journal_auditevent SET seq = 1 WHERE id = %s", [event.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE journal_auditevent SET seq = 1, prev_hash = %s, hash = %s WHERE id = %s", seal)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        # A sealed row cannot be sealed again.
        cursor.execute("UPDATE journal_auditevent SET seq = 2, prev_hash = %s, hash = %s WHERE id = %s", seal)
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.pending"
