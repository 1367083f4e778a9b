"""Domain events: how a lower app makes higher ones act without importing them.

An action publishes what happened as a kind and the ids needed to find it, inside its transaction::

    with transaction.atomic(durable=True):
        ...
        events.publish("delivery.registered", delivery_id=delivery.pk)

Higher apps subscribe at start-up, from their ``AppConfig.ready()``::

    events.subscribe("delivery.registered", "search.handlers.reindex_delivery")

:func:`publish` enqueues one task per subscriber on the database queue, in the same transaction: the
tasks commit with the change or vanish with its rollback, and each handler is retried on its own
(:func:`journal.tasks.background_task`) without running the others again. A kind nobody subscribes
to enqueues nothing.

A handler is a module-level function called as ``handler(kind=kind, **ids)``. It runs later, in
another process, after the change committed; it must be idempotent (it may run more than once, for
example after a retry), re-read what it needs by id, and treat an object that is gone as done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.utils import is_module_level_function

from journal.errors import TransactionRequired
from journal.tasks import background_task

Handler = Callable[..., Any]

_subscribers: dict[str, list[str]] = {}


def subscribe(kind: str, handler: Handler | str) -> None:
    """Deliver events of ``kind`` to ``handler`` (a module-level function, or its dotted path).

    Called from ``AppConfig.ready()``; subscribing the same handler twice delivers once.
    """
    _check_kind(kind)
    if isinstance(handler, str):
        path = handler
        resolved = import_string(path)
    else:
        path = f"{handler.__module__}.{handler.__qualname__}"
        resolved = handler
    # The worker finds the handler again by this path, in another process: it must lead back to
    # the same function, which rules out lambdas, nested functions and methods.
    if not is_module_level_function(resolved) or import_string(path) is not resolved:
        raise TypeError(f"event handler {path!r} must be a module-level function")
    paths = _subscribers.setdefault(kind, [])
    if path not in paths:
        paths.append(path)


def unsubscribe(kind: str, handler: Handler | str) -> None:
    """Stop delivering ``kind`` to ``handler`` (tests that subscribe clean up with it)."""
    path = handler if isinstance(handler, str) else f"{handler.__module__}.{handler.__qualname__}"
    paths = _subscribers.get(kind, [])
    if path in paths:
        paths.remove(path)


def subscribers(kind: str) -> list[str]:
    """The dotted paths of the handlers of ``kind``, in subscription order."""
    return list(_subscribers.get(kind, []))


def publish(kind: str, **ids: str | int | bool | None) -> int:
    """Queue ``kind`` with ``ids`` for every subscriber; returns how many tasks were enqueued.

    Refuses outside a transaction: the tasks must commit or roll back with the change they follow.
    """
    _check_kind(kind)
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired(f"journal.events.publish({kind!r}) must run inside the action's transaction.")
    for name, value in ids.items():
        if value is not None and not isinstance(value, str | int | bool):
            raise TypeError(f"event {kind!r}: {name} must be an id (string, whole number, boolean or None)")
    paths = _subscribers.get(kind, [])
    for path in paths:
        deliver_event.enqueue(handler=path, kind=kind, ids=ids)
    return len(paths)


@background_task()
def deliver_event(*, handler: str, kind: str, ids: dict[str, Any]) -> None:
    """Run one subscriber for one event (a task: retried on its own when the handler raises)."""
    import_string(handler)(kind=kind, **ids)


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or "." not in kind or kind != kind.strip() or not kind.islower():
        raise ValueError(f"event kind {kind!r} must be a dotted lowercase name, e.g. 'delivery.registered'")
