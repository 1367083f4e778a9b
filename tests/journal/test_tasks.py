"""Retries with back-off, proven through the real worker (``manage.py db_worker``)."""

import time

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from journal.tasks import ATTEMPT_KWARG, retry_delay
from tests.journal import handlers

BASE = 0.2


def _run_until_settled(run_worker, *, rounds=6):
    """Run the worker, wait for each deferred retry to come due, run it again; until nothing is left."""
    for _ in range(rounds):
        run_worker()
        pending = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("run_after").first()
        if pending is None:
            return
        time.sleep(max(0.0, (pending.run_after - timezone.now()).total_seconds()) + 0.01)
    raise AssertionError("tasks still pending")


def _attempts():
    return list(DBTaskResult.objects.filter(task_path="tests.journal.handlers.flaky").order_by("started_at"))


@pytest.fixture(autouse=True)
def _reset():
    handlers.calls.clear()
    handlers.failures_left["flaky"] = 0


@pytest.mark.django_db(transaction=True)
@override_settings(IOFFICE_TASK_RETRY_BASE_SECONDS=BASE)
def test_a_task_that_fails_twice_then_succeeds_leaves_three_rows(run_worker):
    handlers.failures_left["flaky"] = 2
    with transaction.atomic():
        handlers.flaky.enqueue(thing_id=5)
    _run_until_settled(run_worker)

    rows = _attempts()
    assert [row.status for row in rows] == [
        TaskResultStatus.FAILED,
        TaskResultStatus.FAILED,
        TaskResultStatus.SUCCESSFUL,
    ]
    assert [row.args_kwargs["kwargs"].get(ATTEMPT_KWARG, 1) for row in rows] == [1, 2, 3]
    assert all(row.args_kwargs["kwargs"]["thing_id"] == 5 for row in rows)
    assert rows[0].exception_class_path == "builtins.RuntimeError" and "not yet" in rows[0].traceback
    assert rows[2].return_value == "done 5"
    # Back-off: each retry was scheduled base * 2**(attempt - 1) after the failed attempt started.
    for failed, retry, attempt in ((rows[0], rows[1], 1), (rows[1], rows[2], 2)):
        waited = (retry.run_after - failed.started_at).total_seconds()
        assert BASE * 2 ** (attempt - 1) <= waited < BASE * 2 ** (attempt - 1) + 1
        assert retry.started_at >= retry.run_after
    assert len(handlers.calls) == 3


@pytest.mark.django_db(transaction=True)
@override_settings(IOFFICE_TASK_RETRY_BASE_SECONDS=BASE)
def test_after_the_last_attempt_the_failure_stays(run_worker):
    with transaction.atomic():
        handlers.always_fails.enqueue(thing_id=9)
    _run_until_settled(run_worker)
    rows = DBTaskResult.objects.filter(task_path="tests.journal.handlers.always_fails")
    assert sorted(row.status for row in rows) == [TaskResultStatus.FAILED, TaskResultStatus.FAILED]


@pytest.mark.django_db(transaction=True)
def test_enqueued_tasks_vanish_with_a_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        handlers.flaky.enqueue(thing_id=1)
        raise RuntimeError("the action failed")
    assert not DBTaskResult.objects.exists()


@override_settings(IOFFICE_TASK_RETRY_BASE_SECONDS=10)
def test_the_delay_doubles_per_attempt():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
