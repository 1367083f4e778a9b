"""The audit trail in the admin can be read and searched, never edited."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from journal.audit import record
from journal.models import AuditEvent
from tests.organizations.factories import make_user


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(make_user("quan.tri", superuser=True))
    return client


@pytest.fixture
def event(db):
    with transaction.atomic():
        record(actor=make_user("hoa.dang"), verb="test.searched", object_type="thing", object_id="HS-2026-17")
        return record(actor=None, verb="test.other", object_type="thing", object_id="khac")


def test_the_list_filters_and_searches(admin_client, event):
    url = reverse("admin:journal_auditevent_changelist")
    assert admin_client.get(url).status_code == 200
    found = admin_client.get(url, {"q": "HS-2026"}).context["cl"].result_list
    assert [row.object_id for row in found] == ["HS-2026-17"]
    by_user = admin_client.get(url, {"q": "hoa.dang"}).context["cl"].result_list
    assert [row.verb for row in by_user] == ["test.searched"]
    by_verb = admin_client.get(url, {"verb": "test.other"}).context["cl"].result_list
    assert [row.pk for row in by_verb] == [event.pk]


def test_nothing_can_be_added_changed_or_deleted(admin_client, event):
    before = AuditEvent.objects.count()
    assert admin_client.get(reverse("admin:journal_auditevent_add")).status_code == 403
    change_url = reverse("admin:journal_auditevent_change", args=[event.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    admin_client.post(change_url, {"verb": "test.changed"})
    assert (
        admin_client.post(reverse("admin:journal_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.other"
    assert AuditEvent.objects.count() == before


def test_queued_and_failed_tasks_are_visible_in_the_admin(admin_client):
    from tests.journal import handlers

    with transaction.atomic():
        result = handlers.flaky.enqueue(thing_id=42)
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    rows = admin_client.get(url).context["cl"].result_list
    assert [str(row.pk) for row in rows] == [str(result.id)]
    detail = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.id]))
    assert detail.status_code == 200 and "tests.journal.handlers.flaky" in detail.content.decode()
