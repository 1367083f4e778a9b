"""Consultation over the API: the drafter asks, parties answer with files, everyone allowed reads the summary."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role
from tests.documents.files import make_pdf
from tests.ioffice import test_api_documents
from tests.ioffice.test_api_documents import Office, as_token
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.models import Consultation, ConsultationState, Opinion

pytestmark = pytest.mark.django_db

#: The drafts API tests' office: a division with its drafter, a colleague, its head, and an outsider.
office = test_api_documents.office


def soon(hours: int = 48) -> str:
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def open_one(office: Office, **extra):
    payload = {"document": office.document.pk, "question": "Xin ý kiến về dự thảo.", "deadline": soon()}
    payload.update(extra)
    return as_token(office.drafter).post(reverse("api-consultation-list"), payload)


def test_the_drafter_asks_a_person_and_a_unit_and_reads_the_summary(office):
    school = make_unit(kind="school", parent=office.department, name="Trường THPT Mẫu")
    principal = make_user("ht-mau")
    make_membership(user=principal, unit=school, role=Role.PRINCIPAL)
    response = open_one(office, users=[office.colleague.pk], units=[school.pk])
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == ConsultationState.OPEN and data["unanswered"] == 2
    assert {p["kind"] for p in data["parties"]} == {"user", "unit"}
    consultation = Consultation.objects.get(pk=data["id"])
    person = next(p for p in data["parties"] if p["kind"] == "user")
    unit = next(p for p in data["parties"] if p["kind"] == "unit")
    answer_url = reverse("api-consultation-answer", args=[consultation.pk])

    # The colleague disagrees with a file (multipart); the principal agrees for the school.
    upload = SimpleUploadedFile("gop-y.pdf", make_pdf("Gop y"), content_type="application/pdf")
    answered = as_token(office.colleague).post(
        answer_url,
        {"request": person["request"], "stance": "disagree", "text": "Đề nghị sửa mục 2.", "files": [upload]},
        format="multipart",
    )
    assert answered.status_code == 200, answered.json()
    assert as_token(principal).post(answer_url, {"request": unit["request"], "stance": "agree"}).status_code == 200

    summary = as_token(office.drafter).get(reverse("api-consultation-detail", args=[consultation.pk])).json()
    assert summary["counts"] == {"agree": 1, "disagree": 1, "other": 0} and summary["unanswered"] == 0
    colleague = next(p for p in summary["parties"] if p["kind"] == "user")
    assert colleague["text"] == "Đề nghị sửa mục 2."
    assert [f["filename"] for f in colleague["files"]] == ["gop-y.pdf"]

    closed = as_token(office.drafter).post(reverse("api-consultation-close", args=[consultation.pk]))
    assert closed.status_code == 200 and closed.json()["state"] == ConsultationState.CLOSED
    late = as_token(office.colleague).post(answer_url, {"request": person["request"], "stance": "agree"})
    assert late.status_code == 409


def test_refusals_speak_vietnamese_and_english(office):
    past = open_one(office, users=[office.colleague.pk], deadline=soon(-1))
    assert past.status_code == 400
    assert open_one(office, users=[987654]).json()["code"] == "unknown_party"
    assert (
        as_token(office.outsider)
        .post(
            reverse("api-consultation-list"),
            {"document": office.document.pk, "question": "?", "deadline": soon(), "users": [office.colleague.pk]},
        )
        .status_code
        == 404
    )  # the draft is not the outsider's to see

    data = open_one(office, users=[office.colleague.pk]).json()
    answer_url = reverse("api-consultation-answer", args=[data["id"]])
    request_id = data["parties"][0]["request"]
    no_text = as_token(office.colleague).post(answer_url, {"request": request_id, "stance": "disagree"})
    assert no_text.status_code == 400 and no_text.json()["detail_vi"]
    assert not Opinion.objects.exists()
    not_theirs = as_token(office.leader).post(answer_url, {"request": request_id, "stance": "agree"})
    assert not_theirs.status_code == 403


def test_who_may_read_a_consultation(office):
    data = open_one(office, users=[office.colleague.pk]).json()
    url = reverse("api-consultation-detail", args=[data["id"]])
    assert as_token(office.colleague).get(url).status_code == 200  # asked
    assert as_token(office.leader).get(url).status_code == 200  # heads the drafting unit
    assert as_token(office.outsider).get(url).status_code == 404
    awaiting = as_token(office.colleague).get(reverse("api-consultation-awaiting")).json()
    assert [row["consultation"] for row in awaiting] == [data["id"]]
    assert as_token(office.outsider).get(reverse("api-consultation-awaiting")).json() == []
