import signal
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from journal import triggers
from journal.audit import record
from tests.organizations.factories import make_unit, make_user


@pytest.fixture
def user(db):
    return make_user("an.nguyen", password="mat-khau-dung-1")


@pytest.fixture
def unit(db):
    return make_unit(name="Sở Giáo dục và Đào tạo Đồng Tháp")


@pytest.fixture
def chain(user, unit):
    """Five events on a fresh chain, returned in id order."""
    with transaction.atomic():
        return [
            record(actor=user, verb="test.event", unit=unit, object_type="thing", object_id=n, data={"n": n})
            for n in range(1, 6)
        ]


@contextmanager
def triggers_lifted():
    """Do what only someone with direct database access could: drop the append-only triggers."""
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        triggers.install(connection)


@pytest.fixture
def tamper():
    return triggers_lifted


@pytest.fixture
def run_worker():
    """Run ``db_worker --batch`` in this process, putting back the signal handlers it installs."""

    def run() -> None:
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    return run


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers by locking the whole file"
)
