from contextlib import contextmanager

import pytest
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


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers by locking the whole file"
)
