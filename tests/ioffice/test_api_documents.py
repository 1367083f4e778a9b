"""The drafts API: my drafts, create, edit with optimistic versions, versions, compare, files, preview."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.actions import do_create_draft
from documents.models import Attachment, Document, DocumentVersion
from journal.models import AuditEvent
from organizations.models import Role
from tests.documents.factories import document_type, draft_input, make_department, make_division
from tests.documents.files import make_pdf
from tests.documents.test_rendering import _assert_in_order, _flat, _pdftotext
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db


@dataclass
class Office:
    department: object
    division: object
    drafter: object
    colleague: object
    leader: object
    outsider: object
    document: Document


@pytest.fixture
def office() -> Office:
    department = make_department()
    division = make_division(department=department)
    school = make_unit(kind="school", parent=department, name="Trường THPT Thành phố Cao Lãnh", school_level="thpt")
    drafter, colleague, leader, outsider = (make_user(name) for name in ("soanthao", "dongnghiep", "truongphong", "ht"))
    make_membership(user=drafter, unit=division, role=Role.OFFICER)
    make_membership(user=colleague, unit=division, role=Role.OFFICER)
    make_membership(user=leader, unit=division, role=Role.LEADER)
    make_membership(user=outsider, unit=school, role=Role.PRINCIPAL)
    document = do_create_draft(acting_user=drafter, unit=division, data=draft_input())
    return Office(department, division, drafter, colleague, leader, outsider, document)


def as_token(user) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def body(**fields) -> dict:
    """A valid draft body for the API, with ``fields`` overriding any part of it."""
    values = {
        "document_type": document_type(name="Công văn").pk,
        "summary": "triển khai văn phòng điện tử",
        "body": [[{"text": "Thực hiện kế hoạch năm học, "}, {"text": "Sở GDĐT", "bold": True}]],
        "kinh_gui": ["Trưởng phòng GDĐT các huyện"],
        "noi_nhan": ["- Như trên;"],
        "signer_authority": "KT.",
        "signer_position": "GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn A",
    }
    return values | fields


def url(document, suffix: str = "") -> str:
    return f"/api/v1/drafts/{document.pk}/{suffix}"


# -- create and list -------------------------------------------------------------------------------


def test_create_writes_version_one_in_the_active_unit(office):
    response = as_token(office.drafter).post("/api/v1/drafts/", body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    document = Document.objects.get(pk=data["id"])
    assert document.drafting_unit == office.division
    assert document.issuer == office.department
    assert document.created_by == office.drafter
    assert data["summary"] == "V/v triển khai văn phòng điện tử" == document.summary
    assert data["version"] == 1
    assert data["luu"] == "VT, CNTTTBT"
    assert data["body"][0][1] == {"text": "Sở GDĐT", "bold": True, "italic": False}
    assert data["dispatch"] is None
    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert AuditEvent.objects.filter(verb="documents.draft.created", object_id=str(document.pk)).exists()


def test_create_refuses_bad_shape_with_the_field(office):
    response = as_token(office.drafter).post("/api/v1/drafts/", body(summary=None, body="văn bản"), format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid_input"
    assert {"summary", "body"} <= set(data["details"])
    assert data["detail_vi"] == "Dữ liệu không hợp lệ."


def test_create_refuses_what_the_action_refuses(office):
    api = as_token(office.drafter)
    response = api.post("/api/v1/drafts/", body(document_type=999999), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_draft"
    assert response.json()["details"] == {"field": "document_type"}


def test_a_draft_cites_only_documents_its_author_may_see(office):
    # An issued document of the Sở that the division's officer may not see (issue 5): citing it would
    # show its number and summary in the draft, so it is refused as if it did not exist.
    from guardian.shortcuts import assign_perm

    issued = Document.objects.create(
        document_type=document_type(name="Công văn"),
        issuer=office.department,
        drafting_unit=office.department,
        created_by=make_user(),
        summary="V/v văn bản nội bộ",
        number=7,
        symbol="7/SGDĐT-VP",
    )
    cite = body(references=[{"kind": "can_cu", "target": issued.pk}])
    response = as_token(office.drafter).post("/api/v1/drafts/", cite, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reference_not_found"
    assert (
        not Document.objects.filter(created_by=office.drafter, summary__icontains="triển khai")
        .exclude(pk=office.document.pk)
        .exists()
    )
    assign_perm("documents.view_document", office.drafter, issued)
    assert as_token(office.drafter).post("/api/v1/drafts/", cite, format="json").status_code == 201


def test_a_secret_draft_is_refused_and_nothing_is_stored(office):
    before = Document.objects.count()
    response = as_token(office.drafter).post("/api/v1/drafts/", body(secrecy="toi_mat"), format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "secret_document_refused"
    assert "Tối mật" in data["detail_vi"]
    assert "state secrets" in data["detail"]
    assert Document.objects.count() == before


def test_create_needs_a_drafting_role_in_the_active_unit(office):
    archivist = make_user()
    make_membership(user=archivist, unit=office.division, role=Role.ARCHIVIST)
    response = as_token(archivist).post("/api/v1/drafts/", body(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_drafter"

    nobody = make_user()
    response = as_token(nobody).post("/api/v1/drafts/", body(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "no_membership"


def test_list_shows_only_my_drafts(office):
    do_create_draft(acting_user=office.colleague, unit=office.division, data=draft_input(summary="V/v khác"))
    mine = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input(summary="V/v thứ hai"))
    data = as_token(office.drafter).get("/api/v1/drafts/").json()
    assert data["count"] == 2
    assert [row["id"] for row in data["results"]] == [mine.pk, office.document.pk]
    assert data["results"][0]["document_type"]["name"] == "Công văn"
    assert as_token(office.outsider).get("/api/v1/drafts/").json()["count"] == 0


def test_anonymous_is_refused(office):
    assert APIClient().get("/api/v1/drafts/").status_code == 401
    assert APIClient().get(url(office.document)).status_code == 401


# -- read ------------------------------------------------------------------------------------------


def test_retrieve_for_drafter_and_unit_head_not_for_others(office):
    data = as_token(office.drafter).get(url(office.document)).json()
    assert data["id"] == office.document.pk
    assert data["kinh_gui"] == ["Trưởng phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố"]
    assert data["created_by"]["username"] == "soanthao"
    assert data["issuer"]["id"] == office.department.pk
    assert as_token(office.leader).get(url(office.document)).status_code == 200

    for stranger in (office.outsider, office.colleague):
        response = as_token(stranger).get(url(office.document))
        assert response.status_code == 404
        assert response.json()["code"] == "document_not_found"
    assert as_token(office.drafter).get("/api/v1/drafts/999999/").status_code == 404


# -- update ----------------------------------------------------------------------------------------


def test_put_saves_the_next_version(office):
    api = as_token(office.drafter)
    response = api.put(url(office.document), body(summary="V/v sửa", expected_version=1, comment="Sửa trích yếu"))
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert response.json()["summary"] == "V/v sửa"
    office.document.refresh_from_db()
    assert office.document.version == 2
    assert DocumentVersion.objects.get(document=office.document, number=2).comment == "Sửa trích yếu"


def test_put_with_a_stale_version_is_a_conflict(office):
    api = as_token(office.drafter)
    assert api.put(url(office.document), body(expected_version=1), format="json").status_code == 200
    response = api.put(url(office.document), body(summary="V/v cũ", expected_version=1), format="json")
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "stale_draft"
    assert data["details"] == {"expected_version": 1, "current_version": 2}
    office.document.refresh_from_db()
    assert office.document.summary == "V/v triển khai văn phòng điện tử"


def test_put_needs_expected_version(office):
    response = as_token(office.drafter).put(url(office.document), body(), format="json")
    assert response.status_code == 400
    assert "expected_version" in response.json()["details"]
    response = as_token(office.drafter).patch(url(office.document), {"summary": "V/v x"}, format="json")
    assert response.status_code == 400
    assert "expected_version" in response.json()["details"]


def test_only_the_drafter_or_a_unit_head_may_edit(office):
    response = as_token(office.leader).patch(url(office.document), {"expected_version": 1, "luu": "VT, TCCB"})
    assert response.status_code == 200
    assert response.json()["luu"] == "VT, TCCB"
    # A colleague in the same division cannot even see the draft; a stranger neither.
    assert as_token(office.colleague).put(url(office.document), body(expected_version=2)).status_code == 404


def test_patch_changes_only_what_is_sent(office):
    api = as_token(office.drafter)
    recipient = make_unit(kind="school", parent=office.department, school_level="thpt")
    api.patch(url(office.document), {"expected_version": 1, "recipients": [{"unit": recipient.pk}]}, format="json")
    response = api.patch(url(office.document), {"expected_version": 2, "summary": "V/v mới"}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 3
    assert data["summary"] == "V/v mới"
    assert data["signer_name"] == "Nguyễn Văn A"
    assert data["noi_nhan"] == ["Như trên", "Giám đốc Sở (để b/c)"]
    assert [r["unit"]["id"] for r in data["recipients"]] == [recipient.pk]
    assert [r["purpose"] for r in data["recipients"]] == ["thuc_hien"]
    office.document.refresh_from_db()
    assert len(office.document.body) == 2


def test_a_secret_update_is_refused(office):
    response = as_token(office.drafter).patch(url(office.document), {"expected_version": 1, "secrecy": "mat"})
    assert response.status_code == 400
    assert response.json()["code"] == "secret_document_refused"
    office.document.refresh_from_db()
    assert office.document.version == 1


# -- versions and compare --------------------------------------------------------------------------


def test_versions_and_compare(office):
    api = as_token(office.drafter)
    api.patch(url(office.document), {"expected_version": 1, "summary": "V/v đổi", "comment": "v2"}, format="json")
    versions = api.get(url(office.document, "versions/")).json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["comment"] == "v2"
    assert versions[1]["snapshot"]["summary"] == "V/v đổi"
    assert versions[0]["created_by"]["id"] == office.drafter.pk

    diff = api.get(url(office.document, "compare/"), {"a": 2, "b": 1}).json()
    assert (diff["old_number"], diff["new_number"]) == (1, 2)
    assert diff["has_changes"] is True
    assert diff["body_changed"] is False
    [change] = diff["fields"]
    assert change == {
        "name": "summary",
        "label": "Trích yếu",
        "old": "V/v triển khai văn phòng điện tử",
        "new": "V/v đổi",
    }


def test_compare_refuses_missing_or_unknown_versions(office):
    api = as_token(office.drafter)
    response = api.get(url(office.document, "compare/"), {"a": 1})
    assert response.status_code == 400
    assert "b" in response.json()["details"]
    response = api.get(url(office.document, "compare/"), {"a": 1, "b": 7})
    assert response.status_code == 404
    assert response.json()["code"] == "version_not_found"
    assert as_token(office.outsider).get(url(office.document, "versions/")).status_code == 404


# -- files -----------------------------------------------------------------------------------------


PHU_LUC = make_pdf("Phu luc")


def _upload(api, document, content=PHU_LUC, **fields):
    data = {"file": SimpleUploadedFile("phụ lục.pdf", content, content_type="application/pdf"), **fields}
    return api.post(url(document, "attachments/"), data, format="multipart")


def test_upload_and_remove_a_file(office):
    api = as_token(office.drafter)
    response = _upload(api, office.document, expected_version=1, comment="Thêm phụ lục")
    assert response.status_code == 201, response.json()
    data = response.json()
    attachment = Attachment.objects.get(pk=data["id"])
    assert data["filename"] == "phụ lục.pdf"
    assert data["role"] == "attachment"
    assert data["added_in_version"] == 2
    assert attachment.document == office.document
    assert attachment.size == len(PHU_LUC)

    response = api.delete(url(office.document, f"attachments/{attachment.pk}/") + "?expected_version=2")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 3
    [listed] = response.json()["attachments"]
    assert listed["removed_in_version"] == 3
    attachment.refresh_from_db()
    assert attachment.removed_in_version == 3

    again = api.delete(url(office.document, f"attachments/{attachment.pk}/"))
    assert again.status_code == 409
    assert again.json()["code"] == "attachment_already_removed"


def test_upload_refusals(office):
    api = as_token(office.drafter)
    response = _upload(api, office.document, content=b"")
    assert response.status_code == 400
    assert response.json()["code"] == "upload_empty"
    response = api.post(url(office.document, "attachments/"), {"role": "main"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["details"]
    response = _upload(api, office.document, expected_version=5)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_draft"
    assert _upload(as_token(office.outsider), office.document).status_code == 404
    assert not Attachment.objects.filter(document=office.document).exists()

    other = do_create_draft(acting_user=office.colleague, unit=office.division, data=draft_input())
    attachment = Attachment.objects.get(pk=_upload(as_token(office.colleague), other).json()["id"])
    response = api.delete(url(office.document, f"attachments/{attachment.pk}/"))
    assert response.status_code == 404
    assert response.json()["code"] == "attachment_not_found"


def test_someone_who_may_read_but_not_edit_gets_403(office):
    # Once the draft is in the approval process the agency's leader may read it (its clerk only once
    # it is signed, issue 5), but only its drafter and the drafting unit's heads may change it.
    from workflows.actions import do_start_dispatch

    clerk, head = make_user(), make_user()
    make_membership(user=clerk, unit=office.department, role=Role.CLERK)
    make_membership(user=head, unit=office.department, role=Role.LEADER)
    do_start_dispatch(office.document, acting_user=office.drafter)
    assert as_token(clerk).get(url(office.document)).status_code == 404
    api = as_token(head)
    assert api.get(url(office.document)).status_code == 200
    response = api.patch(url(office.document), {"expected_version": 1, "summary": "V/v khác"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_draft"
    assert _upload(api, office.document).status_code == 403


# -- preview ---------------------------------------------------------------------------------------


def test_preview_is_the_draft_as_a_pdf(office, tmp_path):
    response = as_token(office.drafter).get(url(office.document, "preview/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="du-thao-{office.document.pk}-v1.pdf"'
    text = _flat(_pdftotext(response.content, tmp_path))
    _assert_in_order(text, ["V/v triển khai văn phòng điện tử", "Thực hiện kế hoạch năm học", "Nguyễn Văn A"])
    assert as_token(office.outsider).get(url(office.document, "preview/")).status_code == 404
    accepting_pdf = as_token(office.leader).get(url(office.document, "preview/"), HTTP_ACCEPT="application/pdf")
    assert accepting_pdf.status_code == 200


# -- session auth ----------------------------------------------------------------------------------


def test_session_auth_enforces_csrf_on_writes(office):
    api = APIClient(enforce_csrf_checks=True)
    api.default_format = "json"
    api.force_login(office.drafter)
    assert api.get("/api/v1/drafts/").status_code == 200

    response = api.post("/api/v1/drafts/", body(), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Document.objects.count() == 1

    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    api.cookies["csrftoken"] = secret
    response = api.post("/api/v1/drafts/", body(), format="json", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201
    response = api.patch(url(office.document), {"expected_version": 1, "summary": "V/v x"}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200
