"""The notifications API: my list, the unread count, marking read, e-mail preferences."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from journal.models import AuditEvent
from tests.organizations.factories import make_user
from workflows.models import Notification, NotificationKind, NotificationPreference
from workflows.notifications import DEFAULT_EMAIL_KINDS, notify

pytestmark = pytest.mark.django_db
K = NotificationKind


def as_token(user) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def people():
    return make_user("me"), make_user("other")


def _notify(user, key: str, *, kind: str = K.ARRIVED, urgent: bool = False, title: str = "Văn bản đến mới") -> int:
    [pk] = notify([user], kind=kind, title=title, url="/van-ban-den/1/", urgent=urgent, key=key)
    return pk


def test_anonymous_is_refused():
    client = APIClient()
    assert client.get("/api/v1/notifications/").status_code == 401
    assert client.get("/api/v1/notifications/unread-count/").status_code == 401
    assert client.post("/api/v1/notifications/mark-read/", {"all": True}, format="json").status_code == 401
    assert client.get("/api/v1/notifications/preferences/").status_code == 401
    put = client.put("/api/v1/notifications/preferences/", {"email_enabled": False, "email_kinds": []}, format="json")
    assert put.status_code == 401
    assert not NotificationPreference.objects.exists()


def test_list_is_mine_only_urgent_unread_on_top(people):
    me, other = people
    old = _notify(me, "a:1", title="Cũ")
    urgent = _notify(me, "a:2", kind=K.URGENT, urgent=True, title="Hỏa tốc")
    new = _notify(me, "a:3", title="Mới")
    _notify(other, "a:1", title="Của người khác")

    response = as_token(me).get("/api/v1/notifications/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [urgent, new, old]
    assert rows[0]["urgent"] is True
    assert rows[0]["kind"] == "urgent"
    assert rows[0]["kind_display"] == "Văn bản hỏa tốc, thượng khẩn"
    assert rows[0]["title"] == "Hỏa tốc"
    assert rows[0]["url"] == "/van-ban-den/1/"
    assert rows[0]["read_at"] is None
    assert response.json()["count"] == 3

    as_token(me).post("/api/v1/notifications/mark-read/", {"ids": [urgent]})
    # Once read, the urgent one no longer sits on top.
    assert [row["id"] for row in as_token(me).get("/api/v1/notifications/").json()["results"]] == [new, urgent, old]
    unread = as_token(me).get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [row["id"] for row in unread] == [new, old]
    read = as_token(me).get("/api/v1/notifications/", {"unread": "false"}).json()["results"]
    assert [row["id"] for row in read] == [urgent]

    bad = as_token(me).get("/api/v1/notifications/", {"unread": "có lẽ"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_input"
    assert bad.json()["details"].keys() == {"unread"}


def test_list_query_count_does_not_grow_with_the_page(people):
    me, _other = people
    for i in range(6):
        _notify(me, f"n:{i}")
    api = as_token(me)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/v1/notifications/", {"limit": 2}).json()["results"]) == 2
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/notifications/", {"limit": 6}).json()["results"]) == 6
    assert len(many) == len(few)


def test_unread_count_and_mark_read_some_then_all(people):
    me, other = people
    first, second, third = (_notify(me, f"k:{i}") for i in range(3))
    theirs = _notify(other, "k:0")
    api = as_token(me)
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 3}

    # Someone else's id is not found, so nothing of theirs changes.
    response = api.post("/api/v1/notifications/mark-read/", {"ids": [first, theirs]})
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 2}
    assert Notification.objects.get(pk=theirs).read_at is None
    assert Notification.objects.get(pk=first).read_at is not None
    # Marking it again changes nothing.
    assert api.post("/api/v1/notifications/mark-read/", {"ids": [first]}).json() == {"marked": 0, "unread": 2}

    response = api.post("/api/v1/notifications/mark-read/", {"all": True})
    assert response.json() == {"marked": 2, "unread": 0}
    assert not Notification.objects.filter(pk__in=[second, third], read_at__isnull=True).exists()
    assert as_token(other).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert AuditEvent.objects.filter(verb="workflows.notification.read", actor=me).count() == 2


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": [], "all": False}, {"ids": [1], "all": True}, {"ids": ["một"]}, {"ids": [0]}, {"all": "có lẽ"}],
)
def test_mark_read_bad_input_is_400_and_marks_nothing(people, body):
    me, _other = people
    _notify(me, "x:1")
    response = as_token(me).post("/api/v1/notifications/mark-read/", body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert Notification.objects.filter(user=me, read_at__isnull=True).count() == 1


def test_preferences_default_then_saved(people):
    me, other = people
    api = as_token(me)
    response = api.get("/api/v1/notifications/preferences/")
    assert response.status_code == 200
    assert response.json() == {"email_enabled": True, "email_kinds": sorted(DEFAULT_EMAIL_KINDS)}
    assert not NotificationPreference.objects.exists()

    response = api.put("/api/v1/notifications/preferences/", {"email_enabled": True, "email_kinds": ["status"]})
    assert response.status_code == 200
    assert response.json() == {"email_enabled": True, "email_kinds": ["status"]}
    saved = NotificationPreference.objects.get(user=me)
    assert (saved.email_enabled, saved.email_kinds) == (True, ["status"])
    assert AuditEvent.objects.filter(verb="workflows.notification.preferences", actor=me).count() == 1
    assert api.get("/api/v1/notifications/preferences/").json() == {"email_enabled": True, "email_kinds": ["status"]}

    response = api.put("/api/v1/notifications/preferences/", {"email_enabled": False, "email_kinds": []})
    assert response.json() == {"email_enabled": False, "email_kinds": []}
    # Only my row: the other person still has the defaults.
    assert as_token(other).get("/api/v1/notifications/preferences/").json()["email_enabled"] is True
    assert NotificationPreference.objects.count() == 1


def test_preferences_bad_input_is_400_and_saves_nothing(people):
    me, _other = people
    api = as_token(me)
    response = api.put("/api/v1/notifications/preferences/", {"email_enabled": True, "email_kinds": ["spam"]})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_notification_kind"
    assert response.json()["details"] == {"unknown": ["spam"]}
    assert response.json()["detail_vi"].startswith("Loại thông báo không hợp lệ")

    response = api.put("/api/v1/notifications/preferences/", {"email_kinds": ["status"]})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["details"].keys() == {"email_enabled"}
    assert api.post("/api/v1/notifications/preferences/", {}).status_code == 405
    assert not NotificationPreference.objects.exists()
