"""The hash chain: intact chains pass, and every kind of tampering names the first broken row."""

import datetime
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from journal import verify
from journal.audit import record
from journal.models import GENESIS_HASH, HASHED_FIELDS, AuditEvent, ChainHead
from journal.models.audit import RECORDED
from journal.sealing import seal_pending
from journal.verify import verify_chain


def _insert(forged: AuditEvent, *, hash: str | None = None) -> None:
    """What someone with write access to the table could add: a row with a seal of their making."""
    forged.id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() + 1
    forged.hash = hash or forged.compute_hash()
    setattr(forged, RECORDED, True)
    forged.save()


def test_an_intact_chain_passes(chain):
    result = verify_chain()
    assert result.ok
    assert result.count == 5
    assert (result.head_seq, result.head_hash) == (5, chain[-1].hash)


def test_rows_link_to_the_previous_hash_from_genesis(chain):
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert [row.id for row in rows] == sorted(row.id for row in rows), "sealed in id order"
    assert rows[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert all(row.hash == row.compute_hash() for row in rows)


def test_an_empty_chain_passes(db):
    result = verify_chain()
    assert result.ok and result.count == 0 and result.head_seq == 0


def test_the_hash_covers_every_stored_field_but_itself():
    stored = {field.attname for field in AuditEvent._meta.concrete_fields} - {"seq", "hash"}
    assert set(HASHED_FIELDS) == stored


def test_the_canonical_content_is_deterministic_json_in_utc(chain):
    row = AuditEvent.objects.get(seq=2)
    content = row.canonical_content().decode()
    assert content.startswith('{"actor_id":')
    assert f'"at":"{row.at.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%S.%f}Z"' in content
    assert row.compute_hash() == chain[1].hash


def test_editing_a_field_is_named_as_content(chain, tamper):
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET verb = %s WHERE seq = %s", ["test.other", 3])
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (3, verify.CONTENT)


@pytest.mark.parametrize("column, value", [("actor_username", "ke.gian"), ("object_id", "99"), ("data", '{"n": 99}')])
def test_editing_any_column_is_detected(chain, tamper, column, value):
    with tamper() as cursor:
        if column == "data" and cursor.db.vendor == "postgresql":
            cursor.execute(f"UPDATE journal_auditevent SET {column} = %s::jsonb WHERE seq = 2", [value])  # noqa: S608
        else:
            cursor.execute(f"UPDATE journal_auditevent SET {column} = %s WHERE seq = 2", [value])  # noqa: S608
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (2, verify.CONTENT)


def test_editing_a_row_and_recomputing_its_hash_breaks_the_next_link(chain, tamper):
    forged = AuditEvent.objects.get(seq=3)
    forged.verb = "test.forged"
    with tamper() as cursor:
        cursor.execute(
            "UPDATE journal_auditevent SET verb = %s, hash = %s WHERE seq = 3", [forged.verb, forged.compute_hash()]
        )
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (4, verify.LINK)


def test_deleting_a_middle_row_is_named_at_the_gap(chain, tamper):
    with tamper() as cursor:
        cursor.execute("DELETE FROM journal_auditevent WHERE seq = 3")
    result = verify_chain()
    assert (result.broken.seq, result.broken.reason) == (4, verify.SEQUENCE)
    assert "#3" in result.broken.message
    assert result.count == 2


def test_deleting_a_middle_row_and_renumbering_breaks_the_link(chain, tamper):
    with tamper() as cursor:
        cursor.execute("DELETE FROM journal_auditevent WHERE seq = 3")
        cursor.execute("UPDATE journal_auditevent SET seq = seq - 1 WHERE seq = 4")
        cursor.execute("UPDATE journal_auditevent SET seq = seq - 1 WHERE seq = 5")
        cursor.execute("UPDATE journal_chainhead SET last_seq = 4")
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (3, verify.LINK)


def test_deleting_the_last_row_is_caught_by_the_head(chain, tamper):
    with tamper() as cursor:
        cursor.execute("DELETE FROM journal_auditevent WHERE seq = 5")
    result = verify_chain()
    assert (result.broken.seq, result.broken.reason) == (5, verify.HEAD)
    assert result.count == 4


def test_swapping_two_rows_is_named_at_the_first(chain, tamper):
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET seq = -2 WHERE seq = 2")
        cursor.execute("UPDATE journal_auditevent SET seq = 2 WHERE seq = 4")
        cursor.execute("UPDATE journal_auditevent SET seq = 4 WHERE seq = -2")
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (2, verify.LINK)


def test_a_forged_row_after_the_head_is_caught(chain):
    # Forged carefully: right id, right link, right hash — but the head was not moved.
    forged = AuditEvent(
        seq=6, at=chain[-1].at, verb="auth.login", object_type="username", object_id="ke.gian", prev_hash=chain[-1].hash
    )
    _insert(forged)
    result = verify_chain()
    assert (result.broken.seq, result.broken.reason) == (6, verify.HEAD)
    assert result.count == 6


def test_a_forged_row_before_the_first_is_caught(chain):
    forged = AuditEvent(seq=0, at=chain[0].at, verb="auth.login", prev_hash=GENESIS_HASH)
    _insert(forged)
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (0, verify.SEQUENCE)


def test_a_forged_row_with_a_wrong_hash_is_named_as_content(chain):
    forged = AuditEvent(seq=6, at=chain[-1].at, verb="auth.login", prev_hash=chain[-1].hash)
    _insert(forged, hash="f" * 64)
    ChainHead.objects.update(last_seq=6, last_hash="f" * 64)
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (6, verify.CONTENT)


def test_a_tampered_head_is_caught(chain):
    ChainHead.objects.update(last_hash="0" * 64)
    broken = verify_chain().broken
    assert (broken.seq, broken.reason) == (5, verify.HEAD)


def test_pages_do_not_change_the_verdict(chain, tamper):
    assert verify_chain(page_size=2).count == 5
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET object_repr = 'x' WHERE seq = 5")
    broken = verify_chain(page_size=2).broken
    assert (broken.seq, broken.reason) == (5, verify.CONTENT)


def test_the_chain_continues_after_events_in_later_transactions(chain, user):
    with transaction.atomic():
        record(actor=user, verb="test.more")
    result = verify_chain()
    assert result.ok and (result.count, result.unsealed) == (5, 1), "not sealed before its commit"
    assert seal_pending() == 1
    result = verify_chain()
    assert result.ok and (result.count, result.unsealed) == (6, 0)
    assert AuditEvent.objects.get(verb="test.more").prev_hash == chain[-1].hash


def test_the_worker_seals_every_few_seconds():
    from journal import schedule
    from journal.apps import SEAL_EVERY

    (job,) = [job for job in schedule.jobs() if job.name == "journal.seal"]
    assert job.function == "journal.sealing.seal_pending"
    assert job.every == SEAL_EVERY <= datetime.timedelta(seconds=30)


def test_actions_do_not_touch_the_chain_head(user, django_assert_num_queries):
    # One INSERT, no lock on anything shared: the point of sealing later.
    with transaction.atomic(), django_assert_num_queries(1) as captured:
        record(actor=user, verb="test.one", unit=None)
    assert "chainhead" not in captured.captured_queries[0]["sql"].lower()


def test_a_pass_seals_in_id_order_across_batches(user, monkeypatch):
    from journal import sealing

    monkeypatch.setattr(sealing, "BATCH", 2)
    with transaction.atomic():
        events = [record(actor=user, verb="test.batch", data={"n": n}) for n in range(5)]
    assert seal_pending() == 5
    assert [AuditEvent.objects.get(pk=e.pk).seq for e in events] == [1, 2, 3, 4, 5]
    assert seal_pending() == 0
    assert verify_chain().ok


def test_the_command_seals_pending_rows_first(user, capsys):
    with transaction.atomic():
        record(actor=user, verb="test.pending")
    call_command("journal_verify", "--no-seal")
    assert "1 bản ghi chưa niêm phong" in capsys.readouterr().out
    call_command("journal_verify")
    out = capsys.readouterr().out
    assert "Đã niêm phong 1 bản ghi" in out and "nguyên vẹn: 1 bản ghi" in out


def test_the_command_reports_an_intact_chain(chain, capsys):
    call_command("journal_verify")
    out = capsys.readouterr().out
    assert "nguyên vẹn: 5 bản ghi" in out
    assert chain[-1].hash in out


def test_the_command_names_the_first_broken_row_and_exits_1(chain, tamper):
    with tamper() as cursor:
        cursor.execute("UPDATE journal_auditevent SET verb = 'test.other' WHERE seq = 2")
        cursor.execute("DELETE FROM journal_auditevent WHERE seq = 4")
    with pytest.raises(CommandError) as excinfo:
        call_command("journal_verify")
    assert excinfo.value.returncode == 1
    assert "bản ghi #2 (content)" in str(excinfo.value)
