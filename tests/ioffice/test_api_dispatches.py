"""The dispatches API: start, every transition as POST …/<transition>/, lists, detail, and the schema."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.actions import RecipientInput, do_create_draft
from documents.models import Document
from organizations.models import Role
from tests.concurrency import at_once, postgresql_only, raised
from tests.documents.factories import draft_input, make_department, make_division
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.actions import do_start_dispatch
from workflows.models import Dispatch, DispatchState, DispatchTransition

pytestmark = pytest.mark.django_db
S = DispatchState

TRANSITIONS = [
    "submit_for_review",
    "return",
    "approve",
    "submit_for_signature",
    "sign",
    "number",
    "seal",
    "issue",
    "recall",
]


@dataclass
class Office:
    department: object
    division: object
    school: object
    drafter: object
    colleague: object
    reviewer: object
    signer: object
    clerk: object
    recipient_principal: object
    stranger: object
    document: Document


@pytest.fixture
def office() -> Office:
    department = make_department()
    division = make_division(department=department)
    school = make_unit(kind="school", parent=department, name="Trường THPT Thành phố Cao Lãnh", school_level="thpt")
    other_school = make_unit(kind="school", parent=department, name="Trường THPT Sa Đéc", school_level="thpt")
    people = {
        name: make_user(name)
        for name in ("drafter", "colleague", "reviewer", "signer", "clerk", "recipient_principal", "stranger")
    }
    make_membership(user=people["drafter"], unit=division, role=Role.OFFICER)
    make_membership(user=people["colleague"], unit=division, role=Role.OFFICER)
    make_membership(user=people["reviewer"], unit=division, role=Role.LEADER)
    make_membership(user=people["signer"], unit=department, role=Role.LEADER)
    make_membership(user=people["clerk"], unit=department, role=Role.CLERK)
    make_membership(user=people["recipient_principal"], unit=school, role=Role.PRINCIPAL)
    make_membership(user=people["stranger"], unit=other_school, role=Role.PRINCIPAL)
    document = do_create_draft(
        acting_user=people["drafter"], unit=division, data=draft_input(recipients=[RecipientInput(unit=school)])
    )
    return Office(department=department, division=division, school=school, document=document, **people)


def as_token(user) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post(user, dispatch, name: str, data: dict | None = None):
    return as_token(user).post(f"/api/v1/dispatches/{dispatch.pk}/{name}/", data or {})


def started(office) -> Dispatch:
    return do_start_dispatch(office.document, acting_user=office.drafter)


def walk(office, dispatch, *names: str) -> None:
    """Fire ``names`` in order as the person whose step it is, each a 200."""
    steps = {
        "submit_for_review": (office.drafter, {"reviewer": office.reviewer.pk, "comment": "Kính trình"}),
        "approve": (office.reviewer, {"comment": "Đồng ý"}),
        "submit_for_signature": (office.drafter, {"signer": office.signer.pk, "authority": "KT."}),
        "sign": (office.signer, {}),
        "number": (office.clerk, None),
        "seal": (office.clerk, None),
        "issue": (office.clerk, None),
    }
    for name in names:
        user, data = steps[name]
        response = post(user, dispatch, name, data)
        assert response.status_code == 200, (name, response.json())


# -- start -----------------------------------------------------------------------------------------


def test_start_opens_the_process(office):
    response = as_token(office.drafter).post("/api/v1/dispatches/", {"document": office.document.pk})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft"
    assert data["state_display"] == "Dự thảo"
    assert data["document"]["id"] == office.document.pk
    assert [(t["name"], t["to_state"]) for t in data["transitions"]] == [("start", "draft")]
    assert Dispatch.objects.get(pk=data["id"]).document == office.document

    again = as_token(office.drafter).post("/api/v1/dispatches/", {"document": office.document.pk})
    assert again.status_code == 409
    assert again.json()["code"] == "dispatch_exists"


def test_start_refusals(office):
    assert as_token(office.drafter).post("/api/v1/dispatches/", {}).json()["details"].keys() == {"document"}
    # The division head may read the draft but only its drafter puts it into the process.
    response = as_token(office.reviewer).post("/api/v1/dispatches/", {"document": office.document.pk})
    assert response.status_code == 403
    response = as_token(office.stranger).post("/api/v1/dispatches/", {"document": office.document.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "document_not_found"
    assert not Dispatch.objects.exists()


# -- the whole walk --------------------------------------------------------------------------------


def test_end_to_end_draft_to_issued_and_recalled(office):
    """Everything through the API: create a draft, start, review, sign, number, seal, issue, recall."""
    drafter = as_token(office.drafter)
    created = drafter.post(
        "/api/v1/drafts/",
        {
            "document_type": office.document.document_type_id,
            "summary": "triển khai văn phòng điện tử",
            "body": [[{"text": "Sở GDĐT đề nghị các đơn vị triển khai."}]],
            "recipients": [{"unit": office.school.pk, "purpose": "thuc_hien"}],
            "signer_authority": "KT.",
            "signer_position": "GIÁM ĐỐC",
            "signer_name": "Nguyễn Văn A",
        },
    )
    assert created.status_code == 201, created.json()
    document_id = created.json()["id"]
    start = drafter.post("/api/v1/dispatches/", {"document": document_id})
    assert start.status_code == 201
    dispatch = Dispatch.objects.get(pk=start.json()["id"])

    # Returned once, fixed, resubmitted: the draft is editable again between the two.
    walk(office, dispatch, "submit_for_review")
    response = post(office.reviewer, dispatch, "return", {"reason": "Bổ sung căn cứ."})
    assert response.json()["state"] == "returned"
    fixed = drafter.patch(f"/api/v1/drafts/{document_id}/", {"expected_version": 1, "summary": "V/v sửa"})
    assert fixed.status_code == 200, fixed.json()
    walk(office, dispatch, "submit_for_review", "approve", "submit_for_signature", "sign", "number")

    detail = as_token(office.clerk).get(f"/api/v1/dispatches/{dispatch.pk}/").json()
    assert detail["state"] == "numbered"
    assert detail["document"]["number"] == 1
    assert detail["document"]["symbol"] == "01/SGDĐT-CNTTTBT"
    assert detail["signer"]["id"] == office.signer.pk
    assert detail["signer_authority"] == "KT."

    walk(office, dispatch, "seal", "issue")
    issued = as_token(office.drafter).get(f"/api/v1/dispatches/{dispatch.pk}/").json()
    assert issued["state"] == "issued"
    assert issued["issued_at"]
    assert [t["name"] for t in issued["transitions"]] == [
        "start",
        "submit_for_review",
        "return",
        "submit_for_review",
        "approve",
        "submit_for_signature",
        "sign",
        "number",
        "seal",
        "issue",
    ]
    assert issued["transitions"][2]["comment"] == "Bổ sung căn cứ."
    assert issued["transitions"][2]["actor"]["username"] == "reviewer"
    [delivery] = issued["deliveries"]
    assert delivery["recipient"]["id"] == office.school.pk
    assert delivery["status"] == "arrived"
    assert delivery["edxml_code"] == "01"
    assert delivery["channel"] == "electronic"
    assert issued["tracking"]["total"] == 1
    assert issued["tracking"]["by_channel"] == {"electronic": 1, "paper": 0}

    # The recipient school now sees the dispatch; a stranger still does not.
    assert as_token(office.recipient_principal).get(f"/api/v1/dispatches/{dispatch.pk}/").status_code == 200
    assert as_token(office.stranger).get(f"/api/v1/dispatches/{dispatch.pk}/").status_code == 404

    recalled = post(office.signer, dispatch, "recall", {"reason": "Ban hành nhầm đối tượng."})
    assert recalled.status_code == 200, recalled.json()
    assert recalled.json()["state"] == "recalled"
    assert recalled.json()["recall_reason"] == "Ban hành nhầm đối tượng."
    assert [d["status"] for d in recalled.json()["deliveries"]] == ["recall_requested"]
    assert recalled.json()["tracking"]["by_edxml_code"]["13"] == 1
    assert DispatchTransition.objects.filter(dispatch=dispatch).count() == 11


# -- refusals --------------------------------------------------------------------------------------


def test_an_illegal_transition_is_409_with_the_reason(office):
    dispatch = started(office)
    response = post(office.reviewer, dispatch, "approve")
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "illegal_transition"
    assert data["details"] == {"state": "draft", "transition": "approve"}
    assert "Dự thảo" in data["detail_vi"]
    assert "draft" in data["detail"]
    # The agency's leader sees the draft in process (issue 5: its clerk does not until it is signed).
    for name in ("sign", "number", "seal", "issue", "recall"):
        assert post(office.signer, dispatch, name, {"reason": "x"}).json()["code"] == "illegal_transition", name
    assert Dispatch.objects.get(pk=dispatch.pk).state == S.DRAFT


def test_a_transition_the_caller_may_not_fire_is_403(office):
    dispatch = started(office)
    walk(office, dispatch, "submit_for_review")
    assert post(office.clerk, dispatch, "approve").status_code == 404  # issue 5: a draft is not the clerk's yet
    response = post(office.signer, dispatch, "approve")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert post(office.signer, dispatch, "return", {"reason": "Không"}).status_code == 403
    walk(office, dispatch, "approve", "submit_for_signature", "sign")
    assert post(office.drafter, dispatch, "number").status_code == 403
    assert Dispatch.objects.get(pk=dispatch.pk).state == S.SIGNED


def test_bad_input_is_400(office):
    dispatch = started(office)
    response = post(office.drafter, dispatch, "submit_for_review", {"comment": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert "reviewer" in response.json()["details"]
    response = post(office.drafter, dispatch, "submit_for_review", {"reviewer": "ai đó"})
    assert "reviewer" in response.json()["details"]
    response = post(office.drafter, dispatch, "submit_for_review", {"reviewer": 999999})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_reviewer"
    response = post(office.drafter, dispatch, "submit_for_review", {"reviewer": office.colleague.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_reviewer"
    assert Dispatch.objects.get(pk=dispatch.pk).state == S.DRAFT

    walk(office, dispatch, "submit_for_review")
    response = post(office.reviewer, dispatch, "return", {"reason": "  "})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    walk(office, dispatch, "approve")
    response = post(office.drafter, dispatch, "submit_for_signature", {"signer": office.colleague.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signer"
    response = post(office.drafter, dispatch, "submit_for_signature", {"signer": office.signer.pk, "authority": "X."})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_authority"
    assert Dispatch.objects.get(pk=dispatch.pk).state == S.APPROVED


def test_a_dispatch_the_caller_cannot_see_is_404(office):
    dispatch = started(office)
    for name in TRANSITIONS:
        response = post(office.stranger, dispatch, name, {"reason": "x"})
        assert response.status_code == 404, name
        assert response.json()["code"] == "dispatch_not_found"
    assert as_token(office.stranger).get(f"/api/v1/dispatches/{dispatch.pk}/").status_code == 404
    assert as_token(office.drafter).get("/api/v1/dispatches/999999/").status_code == 404
    assert post(office.drafter, dispatch, "publish").status_code == 404


def test_anonymous_is_refused(office):
    dispatch = started(office)
    assert APIClient().get("/api/v1/dispatches/").status_code == 401
    assert APIClient().post(f"/api/v1/dispatches/{dispatch.pk}/approve/").status_code == 401


@postgresql_only("SQLite serialises writers, so two transitions never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_once_one_wins_the_other_is_409(office):
    dispatch = started(office)
    walk(office, dispatch, "submit_for_review")

    def posting(name: str, data: dict):
        api = as_token(office.reviewer)  # a client for each thread, its token taken before the race
        return lambda: api.post(f"/api/v1/dispatches/{dispatch.pk}/{name}/", data)

    responses = at_once(posting("approve", {}), posting("return", {"reason": "Sửa"}))
    assert not raised(responses), responses
    outcomes = [(response.status_code, response.json().get("code")) for response in responses]
    assert sorted(status for status, _code in outcomes) == [200, 409]
    [loser] = [code for status, code in outcomes if status == 409]
    assert loser in {"concurrent_transition", "illegal_transition"}
    assert DispatchTransition.objects.filter(dispatch=dispatch, name__in=["approve", "return"]).count() == 1


# -- lists -----------------------------------------------------------------------------------------


def test_list_shows_what_i_may_see_filtered_by_state_and_queue(office):
    first = started(office)
    second_document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
    second = do_start_dispatch(second_document, acting_user=office.drafter)
    walk(office, second, "submit_for_review")

    def ids(user, **params):
        response = as_token(user).get("/api/v1/dispatches/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(office.drafter) == [second.pk, first.pk]
    assert ids(office.drafter, state="submitted") == [second.pk]
    assert ids(office.stranger) == []
    assert ids(office.reviewer, queue="review") == [second.pk]
    assert ids(office.drafter, queue="review") == []
    assert ids(office.signer, queue="signature") == []
    walk(office, second, "approve", "submit_for_signature")
    assert ids(office.signer, queue="signature") == [second.pk]
    walk(office, second, "sign")
    assert ids(office.clerk, queue="numbering") == [second.pk]
    assert ids(office.clerk, queue="numbering", state="draft") == []

    row = as_token(office.drafter).get("/api/v1/dispatches/", {"state": "signed"}).json()["results"][0]
    assert row["document"]["summary"] == "V/v triển khai văn phòng điện tử"
    assert "transitions" not in row

    for bad in ({"state": "lost"}, {"queue": "mine"}):
        response = as_token(office.drafter).get("/api/v1/dispatches/", bad)
        assert response.status_code == 400
        assert response.json()["details"].keys() == bad.keys()


def test_list_query_count_does_not_grow_with_the_page(office):
    for _ in range(5):
        document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
        do_start_dispatch(document, acting_user=office.drafter)
    api = as_token(office.drafter)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/v1/dispatches/", {"limit": 2}).json()["results"]) == 2
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/dispatches/", {"limit": 6}).json()["results"]) == 5
    assert len(many) == len(few)


# -- session auth ----------------------------------------------------------------------------------


def test_session_auth_enforces_csrf_on_transitions(office):
    dispatch = started(office)
    api = APIClient(enforce_csrf_checks=True)
    api.default_format = "json"
    api.force_login(office.drafter)
    assert api.get(f"/api/v1/dispatches/{dispatch.pk}/").status_code == 200

    path = f"/api/v1/dispatches/{dispatch.pk}/submit_for_review/"
    response = api.post(path, {"reviewer": office.reviewer.pk})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Dispatch.objects.get(pk=dispatch.pk).state == S.DRAFT

    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    api.cookies["csrftoken"] = secret
    response = api.post(path, {"reviewer": office.reviewer.pk}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    response = api.post(f"/api/v1/dispatches/{dispatch.pk}/approve/", {}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# -- schema ----------------------------------------------------------------------------------------


def test_schema_builds_without_warnings_and_lists_every_endpoint(tmp_path):
    target = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning (an unresolvable field, an enum collision) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for name in TRANSITIONS:
        path = f"/api/v1/dispatches/{{id}}/{name}/"
        assert path in paths, path
        operation = paths[path]["post"]
        assert operation["operationId"] == f"dispatches_{name}"
        assert {"200", "403", "404", "409"} <= set(operation["responses"]), name
    assert {"get", "post"} <= set(paths["/api/v1/dispatches/"])
    assert "get" in paths["/api/v1/dispatches/{id}/"]
    assert {"get", "post"} <= set(paths["/api/v1/drafts/"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/drafts/{id}/"])
    for suffix in ("versions/", "compare/", "preview/"):
        assert "get" in paths[f"/api/v1/drafts/{{id}}/{suffix}"], suffix
    assert "post" in paths["/api/v1/drafts/{id}/attachments/"]
    assert "delete" in paths["/api/v1/drafts/{id}/attachments/{attachment_id}/"]
    assert "multipart/form-data" in paths["/api/v1/drafts/{id}/attachments/"]["post"]["requestBody"]["content"]
    assert "application/pdf" in paths["/api/v1/drafts/{id}/preview/"]["get"]["responses"]["200"]["content"]
    list_params = {p["name"] for p in paths["/api/v1/dispatches/"]["get"]["parameters"]}
    assert {"state", "queue", "limit", "offset"} <= list_params
    compare_params = {p["name"] for p in paths["/api/v1/drafts/{id}/compare/"]["get"]["parameters"]}
    assert {"a", "b"} <= compare_params
    review = paths["/api/v1/dispatches/{id}/submit_for_review/"]["post"]["requestBody"]["content"]["application/json"]
    assert review["schema"]["$ref"].endswith("/SubmitForReview")
