"""Module-level event handlers and tasks for the journal tests (the worker imports them by path)."""

from django.db import transaction

from journal.audit import record
from journal.tasks import background_task

#: What the handlers saw, in this process (the tests run the worker in-process).
calls: list[dict] = []
#: How many more times ``flaky`` must fail before it succeeds.
failures_left = {"flaky": 0}


def remember(*, kind: str, **ids) -> None:
    calls.append({"handler": "remember", "kind": kind, **ids})


def also_remember(*, kind: str, **ids) -> None:
    calls.append({"handler": "also_remember", "kind": kind, **ids})


def write_audit_row(*, kind: str, thing_id: int) -> None:
    with transaction.atomic():
        record(actor=None, verb="test.handled", object_type="thing", object_id=thing_id, data={"kind": kind})


def explode(*, kind: str, **ids) -> None:
    raise RuntimeError("handler failed")


@background_task(max_attempts=3)
def flaky(*, thing_id: int) -> str:
    calls.append({"handler": "flaky", "thing_id": thing_id})
    if failures_left["flaky"] > 0:
        failures_left["flaky"] -= 1
        raise RuntimeError("not yet")
    return f"done {thing_id}"


@background_task(max_attempts=2)
def always_fails(*, thing_id: int) -> None:
    raise RuntimeError(f"never works ({thing_id})")


def queued(kind: str, *, handler: str = "tests.journal.handlers.remember") -> list[dict]:
    """The ids of every ``kind`` event queued for ``handler`` (other subscribers' copies left out)."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        task_path="journal.events.deliver_event",
        args_kwargs__kwargs__kind=kind,
        args_kwargs__kwargs__handler=handler,
    ).values_list("args_kwargs", flat=True)
    return [row["kwargs"]["ids"] for row in rows]
