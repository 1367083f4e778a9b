"""Sign-in, sign-out and failed sign-in rows, and the counts the lockout reads from them."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from journal.audit import record
from journal.models import AuditEvent
from journal.selectors import events_for_object, login_failures_since
from journal.verify import verify_chain
from tests.organizations.factories import make_user


@pytest.fixture
def staff(db):
    return make_user("Lan.Pham", password="mat-khau-dung-1", is_staff=True)


def _admin_login(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR="198.51.100.23"
    )


def test_signing_in_and_out_is_recorded_with_the_ip(staff):
    client = Client()
    assert _admin_login(client, "Lan.Pham", "mat-khau-dung-1").status_code == 302
    client.post("/admin/logout/", REMOTE_ADDR="198.51.100.24")
    rows = list(AuditEvent.objects.order_by("id").values_list("verb", "actor_id", "object_type", "object_id", "ip"))
    assert rows == [
        ("auth.login", staff.pk, "username", "lan.pham", "198.51.100.23"),
        ("auth.logout", staff.pk, "username", "lan.pham", "198.51.100.24"),
    ]
    assert verify_chain().ok


def test_a_failed_sign_in_is_recorded_without_the_password(staff):
    response = _admin_login(Client(), "  LAN.pham ", "sai-mat-khau")
    assert response.status_code == 200
    row = AuditEvent.objects.get()
    assert (row.verb, row.actor_id, row.object_type, row.object_id, row.ip) == (
        "auth.login_failed",
        None,
        "username",
        "lan.pham",
        "198.51.100.23",
    )
    assert "sai-mat-khau" not in row.canonical_content().decode()


def test_failures_for_names_that_do_not_exist_are_recorded_too(db):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.9")
    assert authenticate(request, username="Khong.Co", password="x") is None
    row = AuditEvent.objects.get()
    assert (row.verb, row.object_id, row.ip) == ("auth.login_failed", "khong.co", "192.0.2.9")


def test_login_failures_count_since_the_window_and_the_last_success(db):
    start = timezone.now()
    with transaction.atomic():
        record(actor=None, verb="auth.login_failed", object_type="username", object_id="an")
        record(actor=None, verb="auth.login_failed", object_type="username", object_id="an")
        record(actor=None, verb="auth.login_failed", object_type="username", object_id="binh")
    assert login_failures_since(username="An", since=start) == 2
    assert login_failures_since(username="an", since=timezone.now()) == 0, "failures before the window do not count"

    with transaction.atomic():
        record(actor=None, verb="auth.login", object_type="username", object_id="an")
    assert login_failures_since(username="an", since=start) == 0, "a success resets the count"
    with transaction.atomic():
        record(actor=None, verb="auth.login_failed", object_type="username", object_id="an")
    assert login_failures_since(username="an", since=start) == 1
    assert login_failures_since(username="binh", since=start) == 1
    assert login_failures_since(username="an", since=start - datetime.timedelta(days=1)) == 1


def test_real_failed_sign_ins_feed_the_count(staff):
    start = timezone.now()
    client = Client()
    for _ in range(3):
        _admin_login(client, "lan.pham", "sai-mat-khau")
    assert login_failures_since(username="Lan.Pham", since=start) == 3
    _admin_login(client, "Lan.Pham", "mat-khau-dung-1")
    assert login_failures_since(username="lan.pham", since=start) == 0


def test_events_for_object_is_one_objects_history_in_order(db):
    user = make_user("chi.le")
    other = make_user("dung.vo")
    with transaction.atomic():
        first = record(actor=None, verb="test.created", target=user)
        record(actor=None, verb="test.created", target=other)
        second = record(actor=None, verb="test.changed", target=user)
    assert list(events_for_object(object_type="auth.user", object_id=user.pk)) == [first, second]
