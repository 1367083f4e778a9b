"""Explicit access over the API (Phụ lục VI): list and ask on the document, confirm, refuse, cancel a change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.actions.access import do_confirm_access_change, do_request_access_grant
from documents.models import AccessChange, AccessChangeState, DocumentUserObjectPermission
from journal.models import AuditEvent
from tests.concurrency import at_once, postgresql_only, raised
from tests.documents.test_access import REASON, World, make_world
from tests.ioffice.test_api_documents import as_token

pytestmark = pytest.mark.django_db


def given_outside(w) -> None:
    """A unit right not made by a confirmed change (the admin, or data from before this process)."""
    from guardian.shortcuts import assign_perm

    from organizations.groups import unit_group

    assign_perm("documents.view_document", unit_group(w.school), w.document)


@pytest.fixture
def w() -> World:
    return make_world()


def access_url(w: World) -> str:
    return reverse("api-document-access", args=[w.document.pk])


def change_url(name: str, change) -> str:
    return reverse(f"api-access-change-{name}", args=[change.pk if hasattr(change, "pk") else change])


def test_ask_read_confirm_and_the_right_takes_effect_only_then(w):
    asked = as_token(w.agency.clerk).post(access_url(w), {"user": w.outsider.username, "reason": REASON})
    assert asked.status_code == 201, asked.json()
    body = asked.json()
    assert body["state"] == "pending" and body["kind"] == "grant" and body["state_label"] == "Chờ xác nhận"
    assert body["grantee"] == {
        "kind": "user",
        "id": w.outsider.pk,
        "name": AccessChange.objects.get().grantee_label,
        "username": w.outsider.username,
    }
    assert not DocumentUserObjectPermission.objects.exists()

    listing = as_token(w.agency.leader).get(access_url(w)).json()
    assert listing["may_confirm"] is True and [c["id"] for c in listing["pending"]] == [body["id"]]
    assert as_token(w.agency.clerk).get(access_url(w)).json()["may_confirm"] is False
    awaiting = as_token(w.agency.leader).get(reverse("api-access-change-awaiting")).json()
    assert [c["id"] for c in awaiting] == [body["id"]]

    confirmed = as_token(w.agency.leader).post(change_url("confirm", body["id"]), {"comment": "Đồng ý."})
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["state"] == "confirmed" and confirmed.json()["decision_comment"] == "Đồng ý."
    assert DocumentUserObjectPermission.objects.filter(user=w.outsider, content_object=w.document).exists()
    grants = as_token(w.agency.leader).get(access_url(w)).json()["grants"]
    assert [(g["grantee"]["id"], g["explicit"]) for g in grants] == [(w.outsider.pk, True)]
    assert AuditEvent.objects.filter(verb="documents.access.confirmed", actor_id=w.agency.leader.pk).count() == 1


def test_self_confirmation_is_403_and_an_unauthorised_confirmer_too(w):
    change = do_request_access_grant(w.document, acting_user=w.agency.deputy, grantee_user=w.outsider, reason=REASON)
    own = as_token(w.agency.deputy).post(change_url("confirm", change))
    assert own.status_code == 403 and own.json()["code"] == "self_confirmation"
    clerk = as_token(w.agency.clerk).post(change_url("confirm", change))
    assert clerk.status_code == 403 and clerk.json()["code"] == "not_access_confirmer"
    stranger = as_token(w.outsider).post(change_url("confirm", change))
    assert stranger.status_code == 404
    assert AccessChange.objects.get().state == AccessChangeState.PENDING


def test_double_confirm_is_409(w):
    change = do_request_access_grant(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason=REASON)
    assert as_token(w.agency.leader).post(change_url("confirm", change)).status_code == 200
    again = as_token(w.agency.deputy).post(change_url("confirm", change))
    assert again.status_code == 409 and again.json()["code"] == "access_change_decided"
    assert again.json()["detail_vi"].startswith("Đề nghị này đã được xử lý") and again.json()["detail"]


def test_refuse_needs_a_reason_and_cancel_is_the_asker_s(w):
    change = do_request_access_grant(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason=REASON)
    assert as_token(w.agency.leader).post(change_url("refuse", change), {"comment": ""}).status_code == 400
    assert as_token(w.agency.leader).post(change_url("cancel", change)).status_code == 403
    refused = as_token(w.agency.leader).post(change_url("refuse", change), {"comment": "Không cần thiết."})
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert not DocumentUserObjectPermission.objects.exists()

    again = do_request_access_grant(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason=REASON)
    cancelled = as_token(w.agency.clerk).post(change_url("cancel", again), {"comment": "Nhầm."})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert as_token(w.agency.clerk).get(change_url("detail", again)).json()["decided_by"]


def test_a_revoke_waits_and_what_issuing_granted_is_refused(w):
    do_confirm_access_change(
        do_request_access_grant(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason=REASON),
        acting_user=w.agency.leader,
    )
    revoke = as_token(w.archivist).post(
        access_url(w), {"kind": "revoke", "user": w.outsider.username, "reason": "Hết đợt."}
    )
    assert revoke.status_code == 201, revoke.json()
    assert DocumentUserObjectPermission.objects.filter(user=w.outsider).exists(), "still in force while pending"
    assert as_token(w.admin).post(change_url("confirm", revoke.json()["id"])).status_code == 200
    assert not DocumentUserObjectPermission.objects.filter(user=w.outsider).exists()

    given_outside(w)
    system = as_token(w.agency.clerk).post(access_url(w), {"kind": "revoke", "unit": w.school.pk, "reason": "Thu."})
    assert system.status_code == 409 and system.json()["code"] == "no_explicit_grant"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"reason": REASON}, 400, "one_grantee"),
        ({"user": "x", "unit": 1, "reason": REASON}, 400, "one_grantee"),
        ({"user": "khong-co-ai", "reason": REASON}, 400, "unknown_grantee"),
        ({"unit": 987654, "reason": REASON}, 400, "unknown_grantee"),
        ({"user": "u", "kind": "delete", "reason": REASON}, 400, "invalid_input"),
    ],
)
def test_bad_requests_are_400(w, payload, status, code):
    response = as_token(w.agency.clerk).post(access_url(w), payload)
    assert response.status_code == status and response.json()["code"] == code
    assert not AccessChange.objects.exists()


def test_pending_twice_is_409_and_a_right_held_is_409(w):
    client = as_token(w.agency.clerk)
    assert client.post(access_url(w), {"user": w.outsider.username, "reason": REASON}).status_code == 201
    twice = client.post(access_url(w), {"user": w.outsider.username, "reason": REASON})
    assert twice.status_code == 409 and twice.json()["code"] == "access_change_pending"
    given_outside(w)
    held = client.post(access_url(w), {"unit": w.school.pk, "reason": REASON})
    assert held.status_code == 409 and held.json()["code"] == "already_granted"


@pytest.mark.parametrize("who", ["officer", "outsider", "drafter"])
def test_others_get_404_and_see_nothing_awaiting(w, who):
    change = do_request_access_grant(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason=REASON)
    user = getattr(w.agency, who, None) or getattr(w, who)
    client = as_token(user)
    assert client.get(access_url(w)).status_code == 404
    assert client.post(access_url(w), {"user": user.username, "reason": REASON}).status_code == 404
    assert client.get(change_url("detail", change)).status_code == 404
    for name in ("confirm", "refuse", "cancel"):
        assert client.post(change_url(name, change), {"comment": "x"}).status_code == 404
    assert client.get(reverse("api-access-change-awaiting")).json() == []


def test_anonymous_callers_are_refused(w):
    from rest_framework.test import APIClient

    assert APIClient().get(access_url(w)).status_code in (401, 403)
    assert APIClient().get(reverse("api-access-change-awaiting")).status_code in (401, 403)


# -- two confirmers at once (PostgreSQL) -----------------------------------------------------------


@postgresql_only("SQLite serialises every writer")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_confirmers_at_once_one_gets_200_the_other_409():
    w = make_world()
    change = do_request_access_grant(w.document, acting_user=w.agency.clerk, grantee_user=w.outsider, reason=REASON)
    clients = [as_token(w.agency.leader), as_token(w.agency.deputy)]
    responses = at_once(*(lambda c=c: c.post(change_url("confirm", change)) for c in clients))
    assert not raised(responses), responses
    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == [200, 409], statuses
    assert AuditEvent.objects.filter(verb="documents.access.confirmed").count() == 1
    assert AccessChange.objects.get().state == AccessChangeState.CONFIRMED
