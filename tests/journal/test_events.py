"""Domain events: one task per subscriber, in the publisher's transaction, delivered by the worker."""

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from journal import events
from journal.errors import TransactionRequired
from journal.models import AuditEvent
from tests.journal import handlers

KIND = "test.thing_changed"


@pytest.fixture(autouse=True)
def subscribed():
    handlers.calls.clear()
    events.subscribe(KIND, handlers.remember)
    events.subscribe(KIND, "tests.journal.handlers.also_remember")
    yield
    events.unsubscribe(KIND, handlers.remember)
    events.unsubscribe(KIND, "tests.journal.handlers.also_remember")


def test_subscribers_are_kept_by_dotted_path_once():
    events.subscribe(KIND, "tests.journal.handlers.remember")
    assert events.subscribers(KIND) == ["tests.journal.handlers.remember", "tests.journal.handlers.also_remember"]


def test_only_module_level_functions_can_subscribe():
    def nested(**ids):
        pass

    for bad in (nested, lambda **ids: None, "tests.journal.handlers.calls"):
        with pytest.raises(TypeError):
            events.subscribe(KIND, bad)
    with pytest.raises(ImportError):
        events.subscribe(KIND, "tests.journal.handlers.missing")


def test_publishing_enqueues_one_task_per_subscriber(db):
    with transaction.atomic():
        assert events.publish(KIND, thing_id=7, note="x") == 2
    rows = DBTaskResult.objects.order_by("args_kwargs__kwargs__handler")
    assert [(row.task_path, row.status, row.args_kwargs["kwargs"]) for row in rows] == [
        (
            "journal.events.deliver_event",
            TaskResultStatus.READY,
            {"handler": "tests.journal.handlers.also_remember", "kind": KIND, "ids": {"thing_id": 7, "note": "x"}},
        ),
        (
            "journal.events.deliver_event",
            TaskResultStatus.READY,
            {"handler": "tests.journal.handlers.remember", "kind": KIND, "ids": {"thing_id": 7, "note": "x"}},
        ),
    ]


def test_a_rollback_drops_the_tasks(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(KIND, thing_id=7)
        raise RuntimeError("the action failed")
    assert not DBTaskResult.objects.exists()


def test_a_kind_without_subscribers_enqueues_nothing(db):
    with transaction.atomic():
        assert events.publish("test.nobody_listens", thing_id=1) == 0
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("ids", [{"thing": object()}, {"ratio": 0.5}, {"many": [1, 2]}])
def test_ids_must_be_scalars(db, ids):
    with pytest.raises(TypeError), transaction.atomic():
        events.publish(KIND, **ids)


@pytest.mark.parametrize("kind", ["nodot", "Test.Upper", " test.padded"])
def test_kinds_are_dotted_lowercase_names(db, kind):
    with pytest.raises(ValueError), transaction.atomic():
        events.publish(kind)


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused():
    with pytest.raises(TransactionRequired):
        events.publish(KIND, thing_id=7)
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_to_every_subscriber(run_worker):
    events.subscribe(KIND, handlers.write_audit_row)
    try:
        with transaction.atomic():
            events.publish(KIND, thing_id=7)
    finally:
        events.unsubscribe(KIND, handlers.write_audit_row)
    run_worker()
    assert sorted(call["handler"] for call in handlers.calls) == ["also_remember", "remember"]
    assert all(call == {"handler": call["handler"], "kind": KIND, "thing_id": 7} for call in handlers.calls)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    handled = AuditEvent.objects.get(verb="test.handled")
    assert (handled.object_id, handled.data) == ("7", {"kind": KIND})


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_hold_back_the_others(run_worker, settings):
    settings.IOFFICE_TASK_MAX_ATTEMPTS = 1
    events.subscribe(KIND, handlers.explode)
    try:
        with transaction.atomic():
            events.publish(KIND, thing_id=8)
    finally:
        events.unsubscribe(KIND, handlers.explode)
    run_worker()
    statuses = {
        row.args_kwargs["kwargs"]["handler"].rsplit(".", 1)[1]: row.status for row in DBTaskResult.objects.all()
    }
    assert statuses == {
        "remember": TaskResultStatus.SUCCESSFUL,
        "also_remember": TaskResultStatus.SUCCESSFUL,
        "explode": TaskResultStatus.FAILED,
    }
