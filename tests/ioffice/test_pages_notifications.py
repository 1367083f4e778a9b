"""Thông báo: the unread counter in the header, the list, marking read, and the e-mail preferences."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.models import AuditEvent
from tests.ioffice.test_pages_drafts import client_for
from tests.organizations.factories import make_user
from workflows.models import Notification, NotificationKind, NotificationPreference
from workflows.notifications import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return make_user(email="lan@example.vn")


def write(user, n: int, *, urgent: bool = False, url: str = "/van-ban-den/12/", kind=NotificationKind.ASSIGNED):
    ids = []
    for i in range(n):
        title = f"{'Hỏa tốc' if urgent else 'Được giao'} số {i}"
        ids += notify([user], kind=kind, title=title, url=url, urgent=urgent, key=f"test:{urgent}:{i}")
    return ids


def counter(html: str) -> str | None:
    """The number in the header's badge, or None when there is none."""
    start = html.find('id="notifications-link"')
    assert start != -1, "the header has no notifications link"
    link = html[start : html.index("</a>", start)]
    if "badge" not in link:
        return None
    return link.rsplit(">", 2)[-2].split("<")[0]


def test_the_header_shows_the_unread_count_with_one_query(person):
    write(person, 3)
    client = client_for(person)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("home")).content.decode()
    assert counter(html) == "3" and reverse("notification-list") in html
    counts = [q["sql"] for q in queries if "workflows_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()
    other = make_user()
    assert counter(client_for(other).get(reverse("home")).content.decode()) is None


def test_the_list_shows_urgent_unread_first_bold_and_marked(person):
    write(person, 2)
    write(person, 1, urgent=True, kind=NotificationKind.URGENT)
    Notification.objects.filter(user=person, title="Được giao số 0").update(read_at="2026-01-01T00:00:00Z")
    notify([make_user()], kind=NotificationKind.OTHER, title="Của người khác", key="x")
    response = client_for(person).get(reverse("notification-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Của người khác" not in html
    assert html.index("Hỏa tốc số 0") < html.index("Được giao số 1") < html.index("Được giao số 0")
    assert "<strong>Hỏa tốc số 0</strong>" in html and "<strong>Được giao số 1</strong>" in html
    assert "<strong>Được giao số 0</strong>" not in html
    assert 'class="badge badge--urgent">Khẩn</span>' in html
    assert reverse("notification-read-all") in html and reverse("notification-preferences") in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(person):
    first, second = write(person, 2)
    client = client_for(person)
    assert client.get(reverse("notification-open", args=[first])).status_code == 405
    response = client.post(reverse("notification-open", args=[first]))
    assert response.status_code == 302 and response["Location"] == "/van-ban-den/12/"
    assert Notification.objects.get(pk=first).read_at is not None
    assert Notification.objects.get(pk=second).read_at is None
    assert AuditEvent.objects.filter(verb="workflows.notification.read", actor=person).count() == 1
    assert counter(client.get(reverse("home")).content.decode()) == "1"


def test_someone_elses_notification_is_left_alone_and_an_outside_link_is_not_followed(person):
    stranger = make_user()
    theirs = write(stranger, 1)[0]
    outside = notify([person], kind=NotificationKind.OTHER, title="Lạ", url="https://evil.example/", key="evil")[0]
    client = client_for(person)
    response = client.post(reverse("notification-open", args=[theirs]))
    assert response.status_code == 302 and response["Location"] == reverse("notification-list")
    assert Notification.objects.get(pk=theirs).read_at is None
    response = client.post(reverse("notification-open", args=[outside]))
    assert response["Location"] == reverse("notification-list")
    assert Notification.objects.get(pk=outside).read_at is not None


def test_mark_all_read_clears_the_counter(person):
    write(person, 4)
    stranger = make_user()
    write(stranger, 1)
    client = client_for(person)
    response = client.post(reverse("notification-read-all"), follow=True)
    assert "Đã đánh dấu 4 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(user=person, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=stranger, read_at__isnull=True).count() == 1
    html = client.get(reverse("notification-list")).content.decode()
    assert counter(html) is None and reverse("notification-read-all") not in html


def test_preferences_show_the_defaults_then_save(person):
    client = client_for(person)
    html = client.get(reverse("notification-preferences")).content.decode()
    assert "Tùy chọn thông báo" in html and "mặc định gửi thư cho" in html
    assert 'name="email_enabled" id="id_email_enabled" checked' in html
    assert 'value="assigned"' in html and 'value="status"' in html
    response = client.post(reverse("notification-preferences"), {"email_kinds": ["overdue", "recall"]})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=person)
    assert (preference.email_enabled, preference.email_kinds) == (False, ["overdue", "recall"])
    assert AuditEvent.objects.filter(verb="workflows.notification.preferences", actor=person).exists()
    html = client.get(reverse("notification-preferences")).content.decode()
    assert "mặc định gửi thư cho" not in html and 'name="email_enabled" id="id_email_enabled" checked' not in html
    client.post(reverse("notification-preferences"), {"email_enabled": "on", "email_kinds": ["urgent"]})
    preference.refresh_from_db()
    assert (preference.email_enabled, preference.email_kinds) == (True, ["urgent"])


def test_an_unknown_kind_is_refused_on_the_form(person):
    response = client_for(person).post(reverse("notification-preferences"), {"email_kinds": ["spam"]})
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=person).exists()


def test_the_pages_need_a_signed_in_person():
    from django.test import Client

    for name in ("notification-list", "notification-preferences"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_the_counter_and_the_list_in_english(person, settings):
    write(person, 2)
    client = client_for(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("notification-list")).content.decode()
    assert 'aria-label="2 unread notifications">2</span>' in html
    assert "Mark all as read" in html and "Notification preferences" in html
