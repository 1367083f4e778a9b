"""Races in tests: start several calls at the same instant, each on its own PostgreSQL connection.

A race test proves that a lock, a constraint or a version check holds when two people act at the
same moment. For that the calls must really overlap, so :func:`at_once` holds every thread at a
barrier and lets them all go together. Django gives each thread a connection of its own, which is
what makes them separate sessions in the database; each thread closes it when done, because a
connection left open by a finished thread is never closed by Django and keeps PostgreSQL from
dropping the test database at the end of the run.

SQLite serialises every writer on the whole file, so nothing overlaps there: these tests are marked
:func:`postgresql_only` and skip on SQLite, saying why.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from journal.errors import Conflict

#: Why most race tests need PostgreSQL; a test with a sharper reason gives its own.
NO_RACE_ON_SQLITE = "SQLite serialises every writer on the whole file, so there is no race to lose"


def postgresql_only(why: str = NO_RACE_ON_SQLITE) -> pytest.MarkDecorator:
    """Skip the test on SQLite, with ``needs PostgreSQL: <why>`` as the reason pytest reports."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=f"needs PostgreSQL: {why}")


def at_once(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run every zero-argument call on a thread of its own, all released together; what each returned or raised.

    The outcomes come back in the order of ``calls``: the return value, or the exception the call
    raised (kept rather than lost in its thread, so the test can assert on it). Give arguments with
    a ``lambda`` or :func:`functools.partial`.

    A thread still running after ``timeout`` seconds fails the test: two sessions waiting on each
    other's locks would otherwise hang the suite. The threads are daemons so that such a failure
    does not also keep the test run from exiting.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = call()
        except BaseException as exc:  # handed to the test, which asserts on it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    waiting = sum(thread.is_alive() for thread in threads)
    if waiting:
        pytest.fail(f"{waiting} of {len(calls)} calls still waiting after {timeout:g}s: deadlock?")
    return outcomes


def codes(outcomes: list[Any], ok: str = "ok") -> list[str]:
    """``outcomes`` of :func:`at_once` as words: ``ok`` for a call that returned, the code of a Conflict.

    The usual race ends with one winner and one loser refused with a Conflict; comparing words keeps
    the assertion short. Any other exception is raised again here, so that it fails the test with its
    own traceback instead of a puzzling comparison.
    """
    words = []
    for outcome in outcomes:
        if isinstance(outcome, Conflict):
            words.append(outcome.code)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            words.append(ok)
    return words


def raised(outcomes: list[Any]) -> list[BaseException]:
    """The exceptions among ``outcomes`` of :func:`at_once`, for ``assert not raised(outcomes), outcomes``."""
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
