"""The hash chain: intact chains pass, and every kind of tampering names the first broken row."""

import datetime
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from journal import verify
from journal.audit import record
from journal.models import GENESIS_HASH, HASHED_FIELDS, AuditEvent, ChainHead
from journal.verify import verify_chain


def test_an_intact_chain_passes(chain):
    result = verify_chain()
    assert result.ok
    assert result.count == 5
    assert (result.head_id, result.head_hash) == (5, chain[-1].hash)


def test_rows_link_to_the_previous_hash_from_genesis(chain):
    rows = list(AuditEvent.objects.order_by("id"))
    assert [row.id for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert all(row.hash == row.compute_hash() for row in rows)


def test_an_empty_chain_passes(db):
    result = verify_chain()
    assert result.ok and result.count == 0 and result.head_id == 0


def test_the_hash_covers_every_stored_field_but_itself():
    stored = {field.attname for field in AuditEvent._meta.concrete_fields} - {"hash"}
    assert set(HASHED_FIELDS) == stored


def test_the_canonical_content_is_deterministic_json_in_utc(chain):
    row = AuditEvent.objects.get(pk=2)
    content = row.canonical_content().decode()
    assert content.startswith('{"actor_id":')
    assert f'"at":"{row.at.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%S.%f}Z"' in content
    assert row.compute_hash() == chain[1].hash


def test_editing_a_field_is_named_as_content(chain, tamper):
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET verb = %s WHERE id = %s", ["test.other", 3])
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (3, verify.CONTENT)


@pytest.mark.parametrize("column, value", [("actor_username", "ke.gian"), ("object_id", "99"), ("data", '{"n": 99}')])
def test_editing_any_column_is_detected(chain, tamper, column, value):
    with tamper() as cursor:
        if column == "data" and cursor.db.vendor == "postgresql":
            cursor.execute(f"UPDATE journal_auditevent SET {column} = %s::jsonb WHERE id = 2", [value])  # noqa: S608
        else:
            cursor.execute(f"UPDATE journal_auditevent SET {column} = %s WHERE id = 2", [value])  # noqa: S608
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (2, verify.CONTENT)


def test_editing_a_row_and_recomputing_its_hash_breaks_the_next_link(chain, tamper):
    forged = AuditEvent.objects.get(pk=3)
    forged.verb = "test.forged"
    with tamper() as cursor:
        cursor.execute(
            "UPDATE journal_auditevent SET verb = %s, hash = %s WHERE id = 3", [forged.verb, forged.compute_hash()]
        )
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (4, verify.LINK)


def test_deleting_a_middle_row_is_named_at_the_gap(chain, tamper):
    with tamper() as cursor:
        cursor.execute("DELETE FROM journal_auditevent WHERE id = 3")
    result = verify_chain()
    assert (result.broken.event_id, result.broken.reason) == (4, verify.SEQUENCE)
    assert "#3" in result.broken.message
    assert result.count == 2


def test_deleting_a_middle_row_and_renumbering_breaks_the_link(chain, tamper):
    with tamper() as cursor:
        cursor.execute("DELETE FROM journal_auditevent WHERE id = 3")
        cursor.execute("UPDATE journal_auditevent SET id = id - 1 WHERE id = 4")
        cursor.execute("UPDATE journal_auditevent SET id = id - 1 WHERE id = 5")
        cursor.execute("UPDATE journal_chainhead SET last_id = 4")
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (3, verify.LINK)


def test_deleting_the_last_row_is_caught_by_the_head(chain, tamper):
    with tamper() as cursor:
        cursor.execute("DELETE FROM journal_auditevent WHERE id = 5")
    result = verify_chain()
    assert (result.broken.event_id, result.broken.reason) == (5, verify.HEAD)
    assert result.count == 4


def test_swapping_two_rows_is_named_at_the_first(chain, tamper):
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET id = -2 WHERE id = 2")
        cursor.execute("UPDATE journal_auditevent SET id = 2 WHERE id = 4")
        cursor.execute("UPDATE journal_auditevent SET id = 4 WHERE id = -2")
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (2, verify.LINK)


def test_a_forged_row_after_the_head_is_caught(chain):
    # Forged carefully: right id, right link, right hash — but the head was not moved.
    forged = AuditEvent(
        id=6, at=chain[-1].at, verb="auth.login", object_type="username", object_id="ke.gian", prev_hash=chain[-1].hash
    )
    forged.hash = forged.compute_hash()
    forged.save()
    result = verify_chain()
    assert (result.broken.event_id, result.broken.reason) == (6, verify.HEAD)
    assert result.count == 6


def test_a_forged_row_before_the_first_is_caught(chain):
    forged = AuditEvent(id=0, at=chain[0].at, verb="auth.login", prev_hash=GENESIS_HASH)
    forged.hash = forged.compute_hash()
    forged.save()
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (0, verify.SEQUENCE)


def test_a_forged_row_with_a_wrong_hash_is_named_as_content(chain):
    forged = AuditEvent(id=6, at=chain[-1].at, verb="auth.login", prev_hash=chain[-1].hash, hash="f" * 64)
    forged.save()
    ChainHead.objects.update(last_id=6, last_hash="f" * 64)
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (6, verify.CONTENT)


def test_a_tampered_head_is_caught(chain):
    ChainHead.objects.update(last_hash="0" * 64)
    broken = verify_chain().broken
    assert (broken.event_id, broken.reason) == (5, verify.HEAD)


def test_pages_do_not_change_the_verdict(chain, tamper):
    assert verify_chain(page_size=2).count == 5
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET object_repr = 'x' WHERE id = 5")
    broken = verify_chain(page_size=2).broken
    assert (broken.event_id, broken.reason) == (5, verify.CONTENT)


def test_the_chain_continues_after_events_in_later_transactions(chain, user):
    with transaction.atomic():
        record(actor=user, verb="test.more")
    assert verify_chain().count == 6


def test_the_command_reports_an_intact_chain(chain, capsys):
    call_command("journal_verify")
    out = capsys.readouterr().out
    assert "nguyên vẹn: 5 bản ghi" in out
    assert chain[-1].hash in out


def test_the_command_names_the_first_broken_row_and_exits_1(chain, tamper):
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET verb = 'test.other' WHERE id = 2")
        cursor.execute("DELETE FROM journal_auditevent WHERE id = 4")
    with pytest.raises(CommandError) as excinfo:
        call_command("journal_verify")
    assert excinfo.value.returncode == 1
    assert "bản ghi #2 (content)" in str(excinfo.value)
