"""Pages for explicit access (Phụ lục VI): the section on the document page, asking, the confirmer's list, deciding."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from documents.actions.access import do_confirm_access_change, do_request_access_grant
from documents.models import AccessChange, AccessChangeState, DocumentUserObjectPermission
from journal.models import AuditEvent
from tests.documents.test_access import REASON, World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return make_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(w: World, **kwargs) -> AccessChange:
    kwargs.setdefault("acting_user", w.agency.clerk)
    kwargs.setdefault("grantee_user", w.outsider)
    return do_request_access_grant(w.document, reason=REASON, **kwargs)


def test_the_document_page_shows_the_access_section_to_those_who_answer_for_it_only(w):
    change = ask(w)
    page = client_for(w.agency.leader).get(reverse("document-detail", args=[w.document.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="quyen-truy-cap"' in html and "Chờ xác nhận" in html
    assert reverse("access-confirm", args=[change.pk]) in html
    # The drafter sees the document but not who else may read it.
    drafter = client_for(w.agency.drafter).get(reverse("document-detail", args=[w.document.pk]))
    assert drafter.status_code == 200 and 'id="quyen-truy-cap"' not in drafter.content.decode()


def test_a_clerk_asks_on_the_access_page_and_the_grant_waits(w):
    clerk = client_for(w.agency.clerk)
    page = clerk.get(reverse("document-access", args=[w.document.pk]), {"tim": w.outsider.username})
    assert page.status_code == 200
    assert f"<code>{w.outsider.username}</code>" in page.content.decode()

    response = clerk.post(
        reverse("access-request", args=[w.document.pk]),
        {"kind": "grant", "grantee_type": "user", "username": w.outsider.username.upper(), "reason": REASON},
    )
    assert response.status_code == 302
    change = AccessChange.objects.get()
    assert (change.state, change.grantee_user, change.requested_by) == (
        AccessChangeState.PENDING,
        w.outsider,
        w.agency.clerk,
    )
    assert not DocumentUserObjectPermission.objects.exists()
    listing = clerk.get(reverse("document-access", args=[w.document.pk])).content.decode()
    assert "Chờ xác nhận" in listing and "Hủy đề nghị" in listing
    assert reverse("access-confirm", args=[change.pk]) not in listing, "the asker is offered no confirm button"
    # The outsider still cannot open the document.
    assert client_for(w.outsider).get(reverse("document-detail", args=[w.document.pk])).status_code == 404


def test_a_grant_to_a_unit_from_the_form(w):
    response = client_for(w.archivist).post(
        reverse("access-request", args=[w.document.pk]),
        {"kind": "grant", "grantee_type": "unit", "unit": str(w.school.pk), "reason": REASON},
    )
    assert response.status_code == 302
    assert AccessChange.objects.get().grantee_unit == w.school


def test_input_to_fix_stays_on_the_page_with_a_vietnamese_message(w):
    clerk = client_for(w.agency.clerk)
    unknown = clerk.post(
        reverse("access-request", args=[w.document.pk]),
        {"grantee_type": "user", "username": "khong-co-ai", "reason": REASON},
    )
    assert unknown.status_code == 400
    assert "Không tìm thấy người dùng có tên đăng nhập" in unknown.content.decode()
    no_reason = clerk.post(
        reverse("access-request", args=[w.document.pk]),
        {"grantee_type": "user", "username": w.outsider.username, "reason": ""},
    )
    assert no_reason.status_code == 400 and "Phải nêu lý do" in no_reason.content.decode()
    assert not AccessChange.objects.exists()


def test_the_confirmer_s_list_and_confirming_from_it_opens_the_document(w):
    change = ask(w)
    leader = client_for(w.agency.leader)
    home = leader.get(reverse("home")).content.decode()
    assert reverse("access-awaiting") in home
    page = leader.get(reverse("access-awaiting"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quyền truy cập chờ xác nhận" in html and w.document.summary in html

    response = leader.post(reverse("access-confirm", args=[change.pk]), {"from": "awaiting", "comment": "Đồng ý"})
    assert response.status_code == 302 and response["Location"] == reverse("access-awaiting")
    change.refresh_from_db()
    assert change.state == AccessChangeState.CONFIRMED and change.decided_by == w.agency.leader
    assert AuditEvent.objects.filter(verb="documents.access.confirmed").count() == 1
    assert client_for(w.outsider).get(reverse("document-detail", args=[w.document.pk])).status_code == 200
    # Confirming again is a 409 page.
    again = client_for(w.agency.deputy).post(reverse("access-confirm", args=[change.pk]))
    assert again.status_code == 409


def test_self_confirmation_and_an_unauthorised_confirmer_get_403(w):
    change = ask(w, acting_user=w.agency.leader)
    assert client_for(w.agency.leader).post(reverse("access-confirm", args=[change.pk])).status_code == 403
    assert client_for(w.agency.clerk).post(reverse("access-confirm", args=[change.pk])).status_code == 403
    change.refresh_from_db()
    assert change.state == AccessChangeState.PENDING


def test_refusing_needs_a_reason_and_cancelling_is_the_asker_s(w):
    change = ask(w)
    leader = client_for(w.agency.leader)
    no_reason = leader.post(reverse("access-refuse", args=[change.pk]), {"from": "awaiting", "comment": ""})
    assert no_reason.status_code == 400 and "Phải nêu lý do từ chối" in no_reason.content.decode()
    assert leader.post(reverse("access-cancel", args=[change.pk])).status_code == 403
    assert client_for(w.agency.clerk).post(reverse("access-cancel", args=[change.pk])).status_code == 302
    change.refresh_from_db()
    assert change.state == AccessChangeState.CANCELLED


def test_a_revoke_asked_from_the_list_keeps_access_until_confirmed(w):
    do_confirm_access_change(ask(w), acting_user=w.agency.leader)
    clerk = client_for(w.agency.clerk)
    assert "Đề nghị thu hồi" in clerk.get(reverse("document-access", args=[w.document.pk])).content.decode()
    response = clerk.post(
        reverse("access-request", args=[w.document.pk]),
        {"kind": "revoke", "grantee_type": "user", "username": w.outsider.username, "reason": "Hết đợt thanh tra."},
    )
    assert response.status_code == 302
    outsider = client_for(w.outsider)
    assert outsider.get(reverse("document-detail", args=[w.document.pk])).status_code == 200
    revoke = AccessChange.objects.get(state=AccessChangeState.PENDING)
    assert client_for(w.admin).post(reverse("access-confirm", args=[revoke.pk])).status_code == 302
    assert outsider.get(reverse("document-detail", args=[w.document.pk])).status_code == 404


@pytest.mark.parametrize("who", ["officer", "outsider", "drafter"])
def test_others_get_404_for_the_access_pages_and_the_change(w, who):
    change = ask(w)
    user = getattr(w.agency, who, None) or getattr(w, who)
    client = client_for(user)
    assert client.get(reverse("document-access", args=[w.document.pk])).status_code == 404
    post = client.post(
        reverse("access-request", args=[w.document.pk]),
        {"grantee_type": "user", "username": user.username, "reason": REASON},
    )
    assert post.status_code == 404
    for name in ("access-confirm", "access-refuse", "access-cancel"):
        assert client.post(reverse(name, args=[change.pk]), {"comment": "x"}).status_code == 404
    listing = client.get(reverse("access-awaiting"))
    assert listing.status_code == 200 and w.document.summary not in listing.content.decode()
    change.refresh_from_db()
    assert change.state == AccessChangeState.PENDING


def test_the_pages_need_sign_in(w):
    change = ask(w)
    anonymous = Client()
    for url in (reverse("document-access", args=[w.document.pk]), reverse("access-awaiting")):
        assert anonymous.get(url).status_code == 302
    assert anonymous.post(reverse("access-confirm", args=[change.pk])).status_code == 302
    assert AccessChange.objects.get().state == AccessChangeState.PENDING
