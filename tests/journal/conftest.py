from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from journal import triggers
from journal.audit import record
from journal.models import AuditEvent
from journal.sealing import seal_pending
from tests.organizations.factories import make_unit, make_user


@pytest.fixture
def user(db):
    return make_user("an.nguyen", password="mat-khau-dung-1")


@pytest.fixture
def unit(db):
    return make_unit(name="Sở Giáo dục và Đào tạo Đồng Tháp")


@pytest.fixture
def chain(user, unit):
    """Five events sealed on a fresh chain (``seq`` 1 to 5), returned in chain order.

    A test runs inside a transaction that never commits, so the sealing that follows a commit is done
    here by hand.
    """
    with transaction.atomic():
        for n in range(1, 6):
            record(actor=user, verb="test.event", unit=unit, object_type="thing", object_id=n, data={"n": n})
    seal_pending()
    return list(AuditEvent.objects.order_by("seq"))


def sealed(event: AuditEvent) -> AuditEvent:
    """``event`` as stored once the pending rows are sealed (what a commit would have done)."""
    seal_pending()
    return AuditEvent.objects.get(pk=event.pk)


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
