"""The incoming-flow API: inboxes, the delivery and its steps, assignments, external registration, tracking.

Each step is driven through the API as the person whose step it is, and each refusal is checked for
its status and code with nothing written: 401 without credentials, 404 for a delivery the caller may
not see, 409 in the wrong status, 403 for the wrong person, 400 for bad input.
"""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.models import Document, Urgency
from journal.models import AuditEvent
from organizations.models import Role
from tests.concurrency import at_once, postgresql_only, raised
from tests.documents.factories import document_type
from tests.documents.files import make_docx, make_pdf
from tests.organizations.factories import make_membership, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.incoming import do_register_delivery
from workflows.actions.issue import do_recall_dispatch
from workflows.models import Assignment, Delivery, DeliveryStatus, DeliveryTransition

pytestmark = pytest.mark.django_db
D = DeliveryStatus

PDF = make_pdf("Cong van 125")


def as_token(user) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post(user, delivery, step: str, data: dict | None = None):
    return as_token(user).post(f"/api/v1/deliveries/{delivery.pk}/{step}/", data or {})


def post_assignment(user, assignment_id: int, step: str, data: dict | None = None):
    return as_token(user).post(f"/api/v1/assignments/{assignment_id}/{step}/", data or {})


def status_of(delivery) -> str:
    return Delivery.objects.get(pk=delivery.pk).status


@pytest.fixture
def agency():
    return make_agency()


@pytest.fixture
def office(agency):
    return make_office(agency=agency, officers=2, schools=3)


@pytest.fixture
def other_office(agency):
    return make_office(agency=agency, officers=1)


@pytest.fixture
def archivist(office):
    """Someone of the recipient unit who may read its deliveries but take none of its steps."""
    user = make_user()
    make_membership(user=user, unit=office.unit, role=Role.ARCHIVIST)
    return user


@pytest.fixture
def delivery(agency, office):
    [arrived] = make_arrived(agency, office.unit)
    return arrived


def registered(delivery, office):
    return do_register_delivery(delivery, acting_user=office.clerk)


def route_to(office, delivery, *, lead: dict, coordinators=(), informed=(), direction="Giao xử lý") -> dict:
    response = post(
        office.leader,
        delivery,
        "route",
        {"lead": lead, "coordinators": list(coordinators), "informed": list(informed), "direction": direction},
    )
    assert response.status_code == 200, response.json()
    return response.json()


def _line(body: dict, **match) -> dict:
    [line] = [
        a
        for a in body["assignments"]
        if all((a["user"] or {}).get("id") == v if k == "user" else a[k] == v for k, v in match.items())
    ]
    return line


# -- access ----------------------------------------------------------------------------------------


def test_anonymous_is_refused(delivery):
    client = APIClient()
    for path in (
        "/api/v1/deliveries/",
        f"/api/v1/deliveries/{delivery.pk}/",
        "/api/v1/assignments/",
        f"/api/v1/dispatches/{delivery.dispatch_id}/tracking/",
    ):
        assert client.get(path).status_code == 401, path
    for step in ("register", "reject", "route", "forward", "acknowledge", "complete", "start-reply"):
        assert client.post(f"/api/v1/deliveries/{delivery.pk}/{step}/", {}).status_code == 401, step
    assert client.post("/api/v1/deliveries/external/", {}).status_code == 401
    assert status_of(delivery) == D.ARRIVED


def test_a_delivery_the_caller_cannot_see_is_404(delivery, other_office):
    stranger = other_office.clerk
    assert as_token(stranger).get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 404
    steps = ["register", "reject", "route", "forward", "acknowledge", "complete", "accept-recall", "refuse-recall"]
    for step in [*steps, "start-reply"]:
        response = post(stranger, delivery, step, {"reason": "x"})
        assert response.status_code == 404, step
        assert response.json()["code"] == "delivery_not_found"
    assert as_token(stranger).get("/api/v1/deliveries/999999/").status_code == 404
    assert status_of(delivery) == D.ARRIVED
    assert DeliveryTransition.objects.filter(delivery=delivery).count() == 1


# -- inboxes ---------------------------------------------------------------------------------------


def test_inboxes_per_role_urgent_first(agency, office):
    ordinary, urgent = (
        make_arrived(agency, office.unit, summary="V/v kế hoạch năm học")[0],
        make_arrived(agency, office.unit, urgency=Urgency.HOA_TOC, summary="V/v phòng chống bão")[0],
    )

    def ids(user, **params):
        response = as_token(user).get("/api/v1/deliveries/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(office.clerk, inbox="to_register") == [urgent.pk, ordinary.pk]
    row = as_token(office.clerk).get("/api/v1/deliveries/", {"inbox": "to_register"}).json()["results"][0]
    assert row["priority"] == 2
    assert row["edxml_code"] == "01"
    assert row["document"]["urgency"] == "hoa_toc"
    assert row["document"]["issuer"]["id"] == agency.department.pk
    assert row["recipient"]["id"] == office.unit.pk
    assert "history" not in row
    # Only the clerk registers: the others' to_register lists are empty, not someone else's.
    assert ids(office.leader, inbox="to_register") == []
    assert ids(office.officers[0], inbox="to_register") == []
    assert ids(office.leader, inbox="to_route") == []

    registered(ordinary, office)
    assert ids(office.clerk, inbox="to_register") == [urgent.pk]
    assert ids(office.leader, inbox="to_route") == [ordinary.pk]
    assert ids(office.clerk, inbox="to_route") == []
    assert ids(office.leader, inbox="to_acknowledge") == [ordinary.pk]
    ack_row = as_token(office.leader).get("/api/v1/deliveries/", {"inbox": "to_acknowledge"}).json()["results"][0]
    assert ack_row["awaits_receipt"] is True
    assert ack_row["fyi_assignment"] is None
    assert ids(office.clerk) == [urgent.pk, ordinary.pk]  # inbox=all is the default
    assert ids(office.officers[0], inbox="all") == []


def test_inbox_filters_and_bad_parameters(agency, office, other_office):
    first = make_arrived(agency, office.unit, summary="V/v kế hoạch năm học")[0]
    second = make_arrived(agency, office.unit, urgency=Urgency.KHAN, summary="V/v phòng chống bão")[0]
    registered(first, office)

    def ids(**params):
        response = as_token(office.clerk).get("/api/v1/deliveries/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(q="chống bão") == [second.pk]
    assert ids(q=second.document.symbol) == [second.pk]
    assert ids(urgency="khan") == [second.pk]
    assert ids(urgency="") == [first.pk]
    assert ids(status="registered") == [first.pk]
    today = timezone.localdate()
    assert set(ids(**{"from": today.isoformat(), "to": today.isoformat()})) == {first.pk, second.pk}
    assert ids(**{"from": (today + datetime.timedelta(days=1)).isoformat()}) == []
    assert ids(**{"to": (today - datetime.timedelta(days=1)).isoformat()}) == []
    assert ids(unit=office.unit.pk) == [second.pk, first.pk]

    for bad in (
        {"inbox": "mine"},
        {"status": "lost"},
        {"urgency": "gap"},
        {"from": "hôm qua"},
        {"from": today.isoformat(), "to": (today - datetime.timedelta(days=1)).isoformat()},
    ):
        response = as_token(office.clerk).get("/api/v1/deliveries/", bad)
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_input"

    response = as_token(office.clerk).get("/api/v1/deliveries/", {"unit": other_office.unit.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"
    response = as_token(make_user()).get("/api/v1/deliveries/")
    assert response.status_code == 403
    assert response.json()["code"] == "no_membership"


def test_a_person_with_two_roles_chooses_the_unit(agency, office, other_office):
    both = make_user()
    make_membership(user=both, unit=office.unit, role=Role.CLERK)
    make_membership(user=both, unit=other_office.unit, role=Role.CLERK)
    mine = make_arrived(agency, office.unit)[0]
    theirs = make_arrived(agency, other_office.unit)[0]
    api = as_token(both)
    for unit, expected in ((office.unit, mine), (other_office.unit, theirs)):
        rows = api.get("/api/v1/deliveries/", {"inbox": "to_register", "unit": unit.pk}).json()["results"]
        assert [row["id"] for row in rows] == [expected.pk]


def test_list_query_count_does_not_grow_with_the_page(agency, office):
    for _ in range(5):
        make_arrived(agency, office.unit)
    api = as_token(office.clerk)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/v1/deliveries/", {"inbox": "to_register", "limit": 2}).json()["results"]) == 2
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/deliveries/", {"inbox": "to_register", "limit": 5}).json()["results"]) == 5
    assert len(many) == len(few)


# -- register, reject ------------------------------------------------------------------------------


def test_register_gives_the_next_incoming_number(agency, office, delivery):
    response = post(office.clerk, delivery, "register", {"note": "Nhận qua trục liên thông"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "registered"
    assert body["status_display"] == "Đã vào sổ"
    assert body["edxml_code"] == "03"
    assert body["incoming_number"] == 1
    assert body["registered_by"]["id"] == office.clerk.pk
    assert body["document"]["symbol"] == delivery.document.symbol
    assert body["routing"] is None
    assert body["assignments"] == []
    assert [(h["source"], h["name"], h["after"]) for h in body["history"]][-1] == (
        "delivery",
        "registered",
        "registered",
    )
    assert body["history"][-1]["comment"] == "Nhận qua trục liên thông"
    assert AuditEvent.objects.filter(verb="workflows.delivery.registered", actor=office.clerk).count() == 1

    # The leader and the sender's drafter read it too; the number follows.
    assert as_token(office.leader).get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 200
    assert as_token(agency.drafter).get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 200
    [second] = make_arrived(agency, office.unit)
    assert post(office.clerk, second, "register").json()["incoming_number"] == 2


def test_register_refusals(agency, office, delivery):
    response = post(office.leader, delivery, "register")
    assert response.status_code == 403
    assert response.json()["code"] == "not_recipient_clerk"
    response = post(office.clerk, delivery, "register", {"arrived_at": "hôm qua"})
    assert response.status_code == 400
    assert response.json()["details"].keys() == {"arrived_at"}
    # An electronic copy's arrival is the system's own record.
    response = post(office.clerk, delivery, "register", {"arrived_at": timezone.now().isoformat()})
    assert response.status_code == 400
    assert response.json()["code"] == "arrival_time_paper_only"
    assert status_of(delivery) == D.ARRIVED

    assert post(office.clerk, delivery, "register").status_code == 200
    again = post(office.clerk, delivery, "register")
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition"
    assert again.json()["details"] == {"status": "registered", "transition": "register_incoming"}
    assert Delivery.objects.get(pk=delivery.pk).incoming_number == 1


def test_a_likely_duplicate_is_409_until_confirmed(agency, office, delivery):
    registered(delivery, office)
    [twin] = make_arrived(agency, office.unit)
    Document.objects.filter(pk=twin.document_id).update(symbol=delivery.document.symbol)

    response = post(office.clerk, twin, "register")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "likely_duplicate"
    [candidate] = body["details"]["duplicates"]
    assert candidate["id"] == delivery.pk
    assert candidate["incoming_number"] == 1
    assert candidate["symbol"] == delivery.document.symbol
    assert status_of(twin) == D.ARRIVED

    response = post(office.clerk, twin, "register", {"confirm_duplicate": True})
    assert response.status_code == 200, response.json()
    assert response.json()["incoming_number"] == 2


def test_reject_with_a_reason(office, delivery):
    response = post(office.clerk, delivery, "reject", {"reason": "  "})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert post(office.leader, delivery, "reject", {"reason": "Gửi nhầm"}).status_code == 403
    response = post(office.clerk, delivery, "reject", {"reason": "Gửi nhầm đơn vị"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    assert response.json()["edxml_code"] == "02"
    assert response.json()["history"][-1]["comment"] == "Gửi nhầm đơn vị"
    assert post(office.clerk, delivery, "reject", {"reason": "Lại"}).status_code == 409
    assert post(office.clerk, delivery, "register").status_code == 409


# -- route and assignments -------------------------------------------------------------------------


def test_route_then_the_handlers_work_through_the_api(office, delivery):
    registered(delivery, office)
    lead, helper = office.officers
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    body = route_to(
        office,
        delivery,
        lead={"user_id": lead.pk, "working_days": 5, "note": "Chủ trì tham mưu"},
        coordinators=[{"user_id": helper.pk, "deadline": deadline.isoformat()}],
        informed=[{"user_id": office.deputy.pk}],
        direction="Giao chuyên viên tham mưu trả lời",
    )
    assert body["status"] == "routed"
    assert body["edxml_code"] == "04"
    assert body["routing"]["direction"] == "Giao chuyên viên tham mưu trả lời"
    assert body["routing"]["routed_by"]["id"] == office.leader.pk
    assert {a["kind"] for a in body["assignments"]} == {"lead", "coordinate", "inform"}
    lead_line = _line(body, kind="lead")
    assert lead_line["user"]["id"] == lead.pk
    assert lead_line["note"] == "Chủ trì tham mưu"
    assert body["due_on"] == lead_line["deadline"]
    assert _line(body, kind="coordinate")["deadline"] == deadline.isoformat()
    assert _line(body, kind="inform")["deadline"] is None

    mine = as_token(lead).get("/api/v1/assignments/").json()["results"]
    assert [a["id"] for a in mine] == [lead_line["id"]]
    assert mine[0]["delivery"]["id"] == delivery.pk
    assert mine[0]["delivery"]["document"]["summary"] == delivery.document.summary
    assert as_token(lead).get("/api/v1/assignments/", {"state": "done"}).json()["results"] == []
    assert as_token(lead).get("/api/v1/assignments/", {"state": "lost"}).status_code == 400
    detail = as_token(lead).get(f"/api/v1/assignments/{lead_line['id']}/")
    assert detail.status_code == 200
    assert detail.json()["kind_display"] == "Chủ trì"

    response = post_assignment(lead, lead_line["id"], "start")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "in_progress"
    assert status_of(delivery) == D.IN_PROGRESS
    response = post_assignment(lead, lead_line["id"], "finish", {"result": "Đã dự thảo công văn trả lời"})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "done"
    assert response.json()["result"] == "Đã dự thảo công văn trả lời"
    assert status_of(delivery) == D.COMPLETED
    again = post_assignment(lead, lead_line["id"], "finish", {"result": "Lại"})
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition"

    inform = _line(body, kind="inform")
    waiting = as_token(office.deputy).get("/api/v1/deliveries/", {"inbox": "to_acknowledge"}).json()["results"]
    assert [(row["id"], row["fyi_assignment"]) for row in waiting] == [(delivery.pk, inform["id"])]
    assert post_assignment(office.deputy, inform["id"], "acknowledge").json()["state"] == "done"
    assert post_assignment(office.deputy, inform["id"], "acknowledge").status_code == 409

    history = as_token(office.leader).get(f"/api/v1/deliveries/{delivery.pk}/").json()["history"]
    assert ("assignment", "started") in {(h["source"], h["name"]) for h in history}
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)


def test_detail_and_my_list_cost_the_same_whatever_the_slip(agency, office):
    small, large = make_arrived(agency, office.unit)[0], make_arrived(agency, office.unit)[0]
    for delivery in (small, large):
        registered(delivery, office)
    first, second = office.officers
    route_to(office, small, lead={"user_id": first.pk, "working_days": 3})
    route_to(
        office,
        large,
        lead={"user_id": first.pk, "working_days": 3},
        coordinators=[{"user_id": second.pk, "working_days": 3}],
        informed=[{"user_id": office.deputy.pk}],
    )
    api = as_token(office.leader)
    with CaptureQueriesContext(connection) as one_line:
        assert len(api.get(f"/api/v1/deliveries/{small.pk}/").json()["assignments"]) == 1
    with CaptureQueriesContext(connection) as three_lines:
        assert len(api.get(f"/api/v1/deliveries/{large.pk}/").json()["assignments"]) == 3
    assert len(three_lines) == len(one_line)

    mine = as_token(first)
    with CaptureQueriesContext(connection) as few:
        assert len(mine.get("/api/v1/assignments/", {"limit": 1}).json()["results"]) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(mine.get("/api/v1/assignments/", {"limit": 5}).json()["results"]) == 2
    assert len(many) == len(few)


def test_route_refusals(office, delivery, other_office):
    lead = office.officers[0]
    good = {"lead": {"user_id": lead.pk, "working_days": 3}}
    # Not registered yet: the status refuses first, whoever asks.
    response = post(office.leader, delivery, "route", good)
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    registered(delivery, office)

    assert post(office.clerk, delivery, "route", good).status_code == 403
    for bad in (
        {},
        {"lead": {}},
        {"lead": {"user_id": lead.pk, "unit_id": office.unit.pk, "working_days": 3}},
        {"lead": {"user_id": lead.pk, "working_days": 3, "deadline": "2030-01-01"}},
        {"lead": {"user_id": lead.pk, "working_days": 0}},
        {"lead": {"user_id": "một", "working_days": 3}},
    ):
        response = post(office.leader, delivery, "route", bad)
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_input", bad
    response = post(office.leader, delivery, "route", {"lead": {"user_id": 999999, "working_days": 3}})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_user"
    response = post(office.leader, delivery, "route", {"lead": {"unit_id": 999999, "working_days": 3}})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_assignee"
    # A person outside the unit, a lead without a deadline, a deadline in the past: the action's 400s.
    for lead_line in (
        {"user_id": other_office.officers[0].pk, "working_days": 3},
        {"user_id": lead.pk},
        {"user_id": lead.pk, "deadline": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
    ):
        response = post(office.leader, delivery, "route", {"lead": lead_line})
        assert response.status_code == 400, lead_line
    assert status_of(delivery) == D.REGISTERED
    assert not Assignment.objects.filter(delivery=delivery).exists()

    assert post(office.leader, delivery, "route", good).status_code == 200
    assert post(office.deputy, delivery, "route", good).status_code == 409


def test_assignment_refusals(office, delivery, other_office):
    registered(delivery, office)
    lead, other_officer = office.officers
    body = route_to(office, delivery, lead={"user_id": lead.pk, "working_days": 3})
    line = _line(body, kind="lead")["id"]

    for step in ("start", "finish", "return", "acknowledge", "reassign", "extend"):
        response = post_assignment(other_office.clerk, line, step, {"reason": "x", "result": "x"})
        assert response.status_code == 404, step
        assert response.json()["code"] == "assignment_not_found"
    assert as_token(other_office.clerk).get(f"/api/v1/assignments/{line}/").status_code == 404
    assert APIClient().post(f"/api/v1/assignments/{line}/start/").status_code == 401

    assert post_assignment(other_officer, line, "start").status_code == 404
    response = post_assignment(office.clerk, line, "start")
    assert response.status_code == 403
    response = post_assignment(lead, line, "return", {"reason": ""})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    # A lead is not a for-information line.
    assert post_assignment(lead, line, "acknowledge").status_code == 409
    assert Assignment.objects.get(pk=line).state == "new"

    response = post_assignment(lead, line, "return", {"reason": "Không thuộc lĩnh vực được giao"})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "returned"
    assert response.json()["returned_reason"] == "Không thuộc lĩnh vực được giao"
    assert post_assignment(lead, line, "start").status_code == 409


def test_reassign_within_the_unit_and_extend_the_deadline(office, delivery):
    registered(delivery, office)
    officer = office.officers[0]
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    body = route_to(office, delivery, lead={"unit_id": office.unit.pk, "deadline": deadline.isoformat()})
    line = _line(body, kind="lead")["id"]

    response = post_assignment(office.leader, line, "reassign", {"user_id": "ai"})
    assert response.status_code == 400
    assert response.json()["details"].keys() == {"user_id"}
    response = post_assignment(office.leader, line, "reassign", {"user_id": 999999})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_user"
    assert post_assignment(office.clerk, line, "reassign", {"user_id": officer.pk}).status_code == 403

    response = post_assignment(office.leader, line, "reassign", {"user_id": officer.pk, "note": "Đồng chí xử lý"})
    assert response.status_code == 201, response.json()
    child = response.json()
    assert child["parent"] == line
    assert child["user"]["id"] == officer.pk
    assert child["deadline"] == deadline.isoformat()
    assert child["kind"] == "lead"
    mine = as_token(officer).get("/api/v1/assignments/").json()["results"]
    assert officer.pk in {a["user"]["id"] for a in mine if a["user"]}  # beside the unit's own line, which they may work

    later = deadline + datetime.timedelta(days=7)
    response = post_assignment(office.leader, line, "extend", {"new_deadline": later.isoformat(), "reason": ""})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    response = post_assignment(office.leader, line, "extend", {"reason": "Chờ số liệu"})
    assert response.status_code == 400
    assert response.json()["details"].keys() == {"new_deadline"}
    response = post_assignment(officer, line, "extend", {"new_deadline": later.isoformat(), "reason": "Xin thêm"})
    assert response.status_code == 403
    response = post_assignment(
        office.leader, line, "extend", {"new_deadline": later.isoformat(), "reason": "Chờ số liệu các trường"}
    )
    assert response.status_code == 200, response.json()
    extended = response.json()
    assert extended["deadline"] == later.isoformat()
    [extension] = extended["extensions"]
    assert extension["old_deadline"] == deadline.isoformat()
    assert extension["reason"] == "Chờ số liệu các trường"
    assert extension["extended_by"]["id"] == office.leader.pk
    detail = as_token(office.leader).get(f"/api/v1/deliveries/{delivery.pk}/").json()
    assert detail["due_on"] == later.isoformat()
    assert "extension" in {h["source"] for h in detail["history"]}


def test_complete_files_it(office, delivery):
    registered(delivery, office)
    assert post(office.clerk, delivery, "complete", {"comment": "Lưu"}).status_code == 403
    response = post(office.leader, delivery, "complete", {"comment": "Lưu hồ sơ, để biết"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    assert response.json()["edxml_code"] == "06"
    assert response.json()["completed_at"]
    assert post(office.leader, delivery, "complete").status_code == 409


# -- acknowledge, forward, tracking ----------------------------------------------------------------


def test_acknowledge_once(office, delivery, archivist):
    response = post(office.leader, delivery, "acknowledge")
    assert response.status_code == 409
    assert response.json()["code"] == "not_registered"
    registered(delivery, office)
    # Officers of the unit do not see it unless it is assigned to them: a 404, not a 403.
    assert post(office.officers[0], delivery, "acknowledge").status_code == 404
    response = post(office.clerk, delivery, "acknowledge")
    assert response.status_code == 403
    assert response.json()["code"] == "not_recipient_leader"
    assert post(archivist, delivery, "acknowledge").status_code == 403
    response = post(office.leader, delivery, "acknowledge")
    assert response.status_code == 200, response.json()
    assert response.json()["acknowledged_by"]["id"] == office.leader.pk
    assert response.json()["status"] == "registered"
    again = post(office.deputy, delivery, "acknowledge")
    assert again.status_code == 409
    assert again.json()["code"] == "already_acknowledged"


def test_forward_to_schools_and_the_sender_sees_the_roll_up(agency, office, delivery, archivist):
    response = post(office.clerk, delivery, "forward", {"all": True})
    assert response.status_code == 409  # not registered yet
    registered(delivery, office)
    for bad in ({}, {"all": True, "school_level": "thcs"}, {"school_level": "dai_hoc"}, {"unit_ids": ["x"]}):
        response = post(office.clerk, delivery, "forward", bad)
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_input", bad
    response = post(office.clerk, delivery, "forward", {"unit_ids": [999999]})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_unit"
    response = post(office.clerk, delivery, "forward", {"unit_ids": [agency.division.pk]})
    assert response.status_code == 400
    assert post(archivist, delivery, "forward", {"all": True}).status_code == 403
    assert not Delivery.objects.filter(parent=delivery).exists()

    response = post(office.clerk, delivery, "forward", {"all": True, "note": "Chuyển các trường thực hiện"})
    assert response.status_code == 200, response.json()
    children = response.json()["children"]
    assert {c["recipient"]["id"] for c in children} == {s.pk for s in office.schools}
    assert {c["status"] for c in children} == {"arrived"}

    # A school's principal (no clerk there) registers and acknowledges its copy through the API.
    school_copy = Delivery.objects.get(parent=delivery, recipient=office.schools[0])
    principal = office.principals[0]
    assert [
        r["id"] for r in as_token(principal).get("/api/v1/deliveries/", {"inbox": "to_register"}).json()["results"]
    ] == [school_copy.pk]
    assert post(principal, school_copy, "register").status_code == 200
    assert post(principal, school_copy, "acknowledge").status_code == 200

    tracking = as_token(agency.clerk).get(f"/api/v1/dispatches/{delivery.dispatch_id}/tracking/")
    assert tracking.status_code == 200, tracking.json()
    body = tracking.json()
    assert body["dispatch"] == delivery.dispatch_id
    # The summary counts the copies the dispatch sent; forwarded ones are in the recipient's roll-up.
    assert body["summary"]["total"] == 1
    assert body["summary"]["by_edxml_code"]["03"] == 1
    [node] = body["recipients"]
    assert node["delivery"] == delivery.pk
    assert node["recipient"]["id"] == office.unit.pk
    assert node["status"] == "registered"
    assert node["edxml_code"] == "03"
    assert node["incoming_number"] == 1
    assert node["children"] == {
        "total": 3,
        "received": 3,
        "registered": 1,
        "acknowledged": 1,
        "completed": 0,
        "overdue": 0,
        "rejected": 0,
    }
    assert node["grandchildren"] is None


def test_tracking_refusals(agency, office, other_office, delivery):
    assert as_token(other_office.clerk).get(f"/api/v1/dispatches/{delivery.dispatch_id}/tracking/").status_code == 404
    response = as_token(agency.clerk).get("/api/v1/dispatches/999999/tracking/")
    assert response.status_code == 404
    assert response.json()["code"] == "dispatch_not_found"
    # The recipient sees the document and its own copy, never the other recipients' progress (issue 5).
    assert as_token(office.clerk).get(f"/api/v1/dispatches/{delivery.dispatch_id}/tracking/").status_code == 404
    assert as_token(agency.leader).get(f"/api/v1/dispatches/{delivery.dispatch_id}/tracking/").status_code == 200
    # The dispatch itself: the recipient reads it, but its recipients' rows and counts stay the sender's.
    seen = as_token(office.clerk).get(f"/api/v1/dispatches/{delivery.dispatch_id}/").json()
    assert seen["deliveries"] == [] and seen["tracking"]["total"] == 0
    sent = as_token(agency.leader).get(f"/api/v1/dispatches/{delivery.dispatch_id}/").json()
    assert delivery.pk in {row["id"] for row in sent["deliveries"]} and sent["tracking"]["total"] >= 1


# -- recall ----------------------------------------------------------------------------------------


def test_accept_and_refuse_a_recall(agency, office, archivist):
    first, second = make_arrived(agency, office.unit)[0], make_arrived(agency, office.unit)[0]
    assert post(office.clerk, first, "accept-recall").status_code == 409
    registered(second, office)
    do_recall_dispatch(first.dispatch, acting_user=agency.leader, reason="Ban hành nhầm")
    do_recall_dispatch(second.dispatch, acting_user=agency.leader, reason="Thay thế bằng văn bản khác")

    response = post(archivist, first, "accept-recall")
    assert response.status_code == 403
    assert response.json()["code"] == "not_recipient_clerk_or_leader"
    response = post(office.clerk, first, "accept-recall", {"comment": "Đồng ý"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "recalled"
    assert response.json()["edxml_code"] == "15"
    assert post(office.clerk, first, "refuse-recall", {"reason": "x"}).status_code == 409

    response = post(office.leader, second, "refuse-recall", {"reason": ""})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    response = post(office.leader, second, "refuse-recall", {"reason": "Đã triển khai đến các trường"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "recall_refused"
    assert response.json()["edxml_code"] == "16"
    assert response.json()["incoming_number"] == 1


# -- replies ---------------------------------------------------------------------------------------


def test_start_reply_returns_the_draft(office, delivery, other_office):
    registered(delivery, office)
    officer = office.officers[0]
    route_to(office, delivery, lead={"user_id": officer.pk, "working_days": 3})
    response = post(officer, delivery, "start-reply", {"summary": "V/v báo cáo kết quả triển khai"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["delivery"] == delivery.pk
    draft = Document.objects.get(pk=body["draft"])
    assert draft.summary == "V/v báo cáo kết quả triển khai"
    assert Delivery.objects.get(pk=delivery.pk).reply_id == draft.pk
    opened = as_token(officer).get(f"/api/v1/drafts/{draft.pk}/")
    assert opened.status_code == 200
    assert as_token(officer).get(f"/api/v1/deliveries/{delivery.pk}/").json()["reply"] == draft.pk

    again = post(officer, delivery, "start-reply")
    assert again.status_code == 409
    assert again.json()["code"] == "reply_exists"
    assert post(officer, delivery, "start-reply", {"summary": "x" * 501}).status_code == 400


# -- documents from outside the system -------------------------------------------------------------


def _external(**fields) -> dict:
    data = {
        "document_type": document_type(name="Công văn").pk,
        "issuer_name": "Ủy ban nhân dân huyện Cao Lãnh",
        "symbol": "125/UBND-VX",
        "issued_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "summary": "V/v tổ chức Ngày hội đọc sách",
        "file": SimpleUploadedFile("cong-van-125.pdf", PDF, content_type="application/pdf"),
    }
    data.update(fields)
    return data


def test_external_registration_with_files(office):
    api = as_token(office.clerk)
    attachment = SimpleUploadedFile("phu-luc.docx", make_docx("Phụ lục"), content_type="application/octet-stream")
    response = api.post("/api/v1/deliveries/external/", _external(attachments=[attachment]), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "registered"
    assert body["incoming_number"] == 1
    assert body["dispatch"] is None
    assert body["channel"] == "paper"
    assert body["document"]["external"] is True
    assert body["document"]["number"] == 125
    assert body["document"]["issuer"]["name"] == "Ủy ban nhân dân huyện Cao Lãnh"
    assert [(a["role"], a["filename"]) for a in body["attachments"]] == [
        ("main", "cong-van-125.pdf"),
        ("attachment", "phu-luc.docx"),
    ]
    assert api.get(f"/api/v1/deliveries/{body['id']}/").status_code == 200

    response = api.post("/api/v1/deliveries/external/", _external(), format="multipart")
    assert response.status_code == 409
    assert response.json()["code"] == "likely_duplicate"
    assert response.json()["details"]["duplicates"][0]["id"] == body["id"]
    response = api.post("/api/v1/deliveries/external/", _external(confirm_duplicate="true"), format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["incoming_number"] == 2


def test_external_registration_refusals_write_nothing(office, other_office):
    api = as_token(office.clerk)
    before = Document.objects.count()

    def refused(status: int, code: str, user=None, **fields) -> dict:
        response = as_token(user or office.clerk).post(
            "/api/v1/deliveries/external/", _external(**fields), format="multipart"
        )
        assert response.status_code == status, response.json()
        assert response.json()["code"] == code
        return response.json()

    assert refused(400, "invalid_input", symbol="")["details"].keys() == {"symbol"}
    assert refused(400, "invalid_input", issued_on="hôm qua")["details"].keys() == {"issued_on"}
    refused(400, "file_required", file="")
    refused(
        400,
        "upload_type_not_allowed",
        file=SimpleUploadedFile("a.pdf", b"not a pdf at all", content_type="application/pdf"),
    )
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert refused(400, "invalid_external_document", issued_on=future)["details"] == {"field": "issued_on"}
    assert refused(400, "invalid_external_document", document_type=999999)["details"] == {"field": "document_type"}
    refused(403, "not_recipient_clerk", user=office.leader)
    refused(403, "not_a_member", unit=other_office.unit.pk)
    assert Document.objects.count() == before
    assert not Delivery.objects.filter(dispatch__isnull=True).exists()
    assert APIClient().post("/api/v1/deliveries/external/", {}).status_code == 401
    assert api.get("/api/v1/deliveries/external/").status_code == 405


# -- session auth ----------------------------------------------------------------------------------


def test_session_auth_enforces_csrf_on_steps(office, delivery):
    api = APIClient(enforce_csrf_checks=True)
    api.default_format = "json"
    api.force_login(office.clerk)
    assert api.get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 200
    response = api.post(f"/api/v1/deliveries/{delivery.pk}/register/", {})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert status_of(delivery) == D.ARRIVED

    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    api.cookies["csrftoken"] = secret
    response = api.post(f"/api/v1/deliveries/{delivery.pk}/register/", {}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "registered"


# -- concurrency -----------------------------------------------------------------------------------


@postgresql_only("SQLite serialises writers, so two registrations never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_registering_at_once_one_wins_the_other_is_409(agency, office):
    second_clerk = make_user()
    make_membership(user=second_clerk, unit=office.unit, role=Role.CLERK)
    [delivery] = make_arrived(agency, office.unit)

    def registering(user):
        api = as_token(user)
        return lambda: api.post(f"/api/v1/deliveries/{delivery.pk}/register/", {})

    responses = at_once(registering(office.clerk), registering(second_clerk))
    assert not raised(responses), responses
    outcomes = [(response.status_code, response.json().get("code")) for response in responses]
    assert sorted(status for status, _code in outcomes) == [200, 409]
    [loser] = [code for status, code in outcomes if status == 409]
    assert loser in {"concurrent_transition", "illegal_transition"}
    assert Delivery.objects.get(pk=delivery.pk).incoming_number == 1
    assert DeliveryTransition.objects.filter(delivery=delivery, name="registered").count() == 1


@postgresql_only("SQLite serialises writers, so two routings never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_leaders_routing_at_once_one_wins_the_other_is_409(agency, office):
    delivery = registered(make_arrived(agency, office.unit)[0], office)

    def routing(user, lead):
        api = as_token(user)
        body = {"lead": {"user_id": lead.pk, "working_days": 3}, "direction": "Giao xử lý"}
        return lambda: api.post(f"/api/v1/deliveries/{delivery.pk}/route/", body)

    responses = at_once(routing(office.leader, office.officers[0]), routing(office.deputy, office.officers[1]))
    assert not raised(responses), responses
    outcomes = [(response.status_code, response.json()) for response in responses]
    assert sorted(status for status, _body in outcomes) == [200, 409]
    [refused] = [body for status, body in outcomes if status == 409]
    assert refused["code"] in {"concurrent_transition", "illegal_transition"}
    assert refused["detail"] and refused["detail_vi"], "the reason, in English and Vietnamese"
    # Nothing of the loser: one routing, one lead line, one log row.
    assert Assignment.objects.filter(delivery=delivery, kind="lead").count() == 1
    assert DeliveryTransition.objects.filter(delivery=delivery, name="routed").count() == 1


# -- schema ----------------------------------------------------------------------------------------


def test_schema_lists_the_incoming_endpoints_with_their_refusals(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    steps = {
        "register": "200",
        "reject": "200",
        "route": "200",
        "forward": "200",
        "acknowledge": "200",
        "complete": "200",
        "accept-recall": "200",
        "refuse-recall": "200",
        "start-reply": "201",
    }
    for step, ok in steps.items():
        operation = paths[f"/api/v1/deliveries/{{id}}/{step}/"]["post"]
        assert {ok, "403", "404", "409"} <= set(operation["responses"]), step
        assert operation["operationId"] == f"deliveries_{step.replace('-', '_')}"
    for step in ("start", "finish", "return", "acknowledge", "reassign", "extend"):
        operation = paths[f"/api/v1/assignments/{{id}}/{step}/"]["post"]
        assert {"403", "404", "409"} <= set(operation["responses"]), step
    list_params = {p["name"] for p in paths["/api/v1/deliveries/"]["get"]["parameters"]}
    assert {"inbox", "q", "status", "urgency", "from", "to", "unit", "limit", "offset"} <= list_params
    assert "get" in paths["/api/v1/deliveries/{id}/"]
    external = paths["/api/v1/deliveries/external/"]["post"]
    assert "multipart/form-data" in external["requestBody"]["content"]
    assert {"201", "400", "403", "409"} <= set(external["responses"])
    assert "get" in paths["/api/v1/assignments/"]
    assert "get" in paths["/api/v1/assignments/{id}/"]
    assert paths["/api/v1/dispatches/{id}/tracking/"]["get"]["operationId"] == "dispatches_tracking"
    assert "get" in paths["/api/v1/notifications/"]
    assert "get" in paths["/api/v1/notifications/unread-count/"]
    assert "post" in paths["/api/v1/notifications/mark-read/"]
    assert {"get", "put"} <= set(paths["/api/v1/notifications/preferences/"])
    route = paths["/api/v1/deliveries/{id}/route/"]["post"]["requestBody"]["content"]["application/json"]
    assert route["schema"]["$ref"].endswith("/Route")
