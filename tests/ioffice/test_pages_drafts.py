"""The drafting editor pages: create, edit, .docx body, secret refusal, stale version, files, my drafts."""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from documents.actions import do_create_draft, do_update_draft
from documents.models import Attachment, AttachmentRole, Document, DocumentVersion
from journal.models import AuditEvent
from organizations.models import Role
from tests.documents.factories import document_type, draft_input, make_department, make_division
from tests.documents.files import make_pdf
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db
PHU_LUC = make_pdf("Phu luc")


@dataclass
class Office:
    """The Sở, its IT division and the people of the outgoing flow, as the demo has them."""

    department: object
    division: object
    school: object
    drafter: object
    colleague: object
    head: object
    director: object
    clerk: object
    outsider: object


def make_office() -> Office:
    department = make_department()
    division = make_division(department=department)
    school = make_unit(kind="school", parent=department, name="Trường THPT Thành phố Cao Lãnh", school_level="thpt")
    people = {
        "drafter": ("so.cntt.chuyenvien", "Chuyên", "Trần Thị", division, Role.OFFICER),
        "colleague": ("so.cntt.chuyenvien2", "Bình", "Lê Văn", division, Role.OFFICER),
        "head": ("so.cntt.truongphong", "Tín", "Trần Minh", division, Role.LEADER),
        "director": ("so.giamdoc", "Giám", "Trần Văn", department, Role.LEADER),
        "clerk": ("so.vanthu", "Thư", "Trần Thị", department, Role.CLERK),
        "outsider": ("ht.thpt01", "Hiệu", "Trần Văn", school, Role.PRINCIPAL),
    }
    users = {}
    for key, (username, first, last, unit, role) in people.items():
        users[key] = make_user(username, first_name=first, last_name=last)
        make_membership(user=users[key], unit=unit, role=role)
    return Office(department=department, division=division, school=school, **users)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_docx(*paragraphs: list[tuple[str, bool]]) -> bytes:
    document = docx.Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, bold in runs:
            paragraph.add_run(text).bold = bold
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def form_data(**overrides) -> dict:
    """What the editor posts for a valid công văn."""
    data = {
        "document_type": document_type(name="Công văn").pk,
        "summary": "triển khai văn phòng điện tử",
        "urgency": "khan",
        "secrecy": "",
        "body": "Thực hiện kế hoạch năm học,\nSở đề nghị:\n\nCác đơn vị triển khai ngay.",
        "kinh_gui": "Trưởng phòng GDĐT các huyện\nHiệu trưởng các trường THPT",
        "noi_nhan": "- Như trên;\n- Giám đốc Sở (để b/c);",
        "luu": "",
        "signer_authority": "KT.",
        "signer_position": "GIÁM ĐỐC",
        "signer_name": "Trần Văn Giám",
        "place": "Đồng Tháp",
        "comment": "",
        "ref-TOTAL_FORMS": "2",
        "ref-INITIAL_FORMS": "0",
        "ref-MIN_NUM_FORMS": "0",
        "ref-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def _everything() -> dict[str, int]:
    return {
        "documents": Document.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit": AuditEvent.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


@pytest.fixture
def office() -> Office:
    return make_office()


def test_the_editor_opens_with_every_part_of_a_draft(office):
    response = client_for(office.drafter).get(reverse("draft-create"))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Loại văn bản", "Trích yếu", "Độ khẩn", "Độ mật", "Nội dung", "Kính gửi", "Nơi nhận", "Lưu"):
        assert label in html
    for label in ("Đơn vị nhận để thực hiện", "Đơn vị nhận để phối hợp", "Danh sách nơi nhận để biết"):
        assert label in html
    for label in ("Thẩm quyền ký", "Căn cứ", "Thay thế", ".docx"):
        assert label in html
    assert office.division.name in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_creating_a_draft_saves_it_as_version_one_and_opens_its_page(office):
    data = form_data(units_thuc_hien=[office.school.pk], units_biet=[office.division.pk])
    response = client_for(office.drafter).post(reverse("draft-create"), data)
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("document-detail", args=[document.pk])
    assert document.summary == "V/v triển khai văn phòng điện tử"
    assert document.urgency == "khan"
    # A blank line separates paragraphs; a single line break is only a wrapped line.
    assert [[run["text"] for run in p] for p in document.body] == [
        ["Thực hiện kế hoạch năm học, Sở đề nghị:"],
        ["Các đơn vị triển khai ngay."],
    ]
    assert document.kinh_gui == ["Trưởng phòng GDĐT các huyện", "Hiệu trưởng các trường THPT"]
    assert document.noi_nhan == ["Như trên", "Giám đốc Sở (để b/c)"]
    assert document.luu == "VT, CNTTTBT"
    assert {(r.unit_id, r.purpose) for r in document.recipients.all()} == {
        (office.school.pk, "thuc_hien"),
        (office.division.pk, "biet"),
    }
    assert document.version == 1 and document.drafting_unit == office.division
    assert document.created_by == office.drafter


@pytest.mark.parametrize(("secrecy", "label"), [("mat", "Mật"), ("toi_mat", "Tối mật"), ("tuyet_mat", "Tuyệt mật")])
def test_a_secret_draft_is_refused_on_the_form_and_nothing_is_saved(office, secrecy, label):
    client = client_for(office.drafter)
    before, keys = _everything(), set(storages["blobs"].iter_keys())
    upload = SimpleUploadedFile("mat.docx", make_docx([("Nội dung mật", False)]))
    data = form_data(secrecy=secrecy, summary="Kế hoạch bảo vệ bí mật", main_file=upload)
    response = client.post(reverse("draft-create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Không thể soạn thảo văn bản có độ mật “{label}” trên hệ thống" in html
    assert "Không có nội dung nào của văn bản này được lưu." in html
    assert _everything() == before
    assert set(storages["blobs"].iter_keys()) == keys


def test_a_secret_mark_on_an_existing_draft_is_refused_and_the_draft_is_unchanged(office):
    document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
    data = form_data(secrecy="mat", summary="Đổi thành mật", expected_version=1)
    response = client_for(office.drafter).post(reverse("draft-edit", args=[document.pk]), data)
    assert response.status_code == 400
    assert "độ mật “Mật”" in response.content.decode()
    document.refresh_from_db()
    assert document.version == 1 and "mật" not in document.summary


def test_a_docx_upload_becomes_the_body_and_the_main_file(office):
    content = make_docx([("Kính gửi các đơn vị, ", False), ("khẩn trương", True)], [("Trân trọng.", False)])
    upload = SimpleUploadedFile("du-thao.docx", content)
    response = client_for(office.drafter).post(reverse("draft-create"), form_data(body="", main_file=upload))
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.body == [
        [
            {"text": "Kính gửi các đơn vị, ", "bold": False, "italic": False},
            {"text": "khẩn trương", "bold": True, "italic": False},
        ],
        [{"text": "Trân trọng.", "bold": False, "italic": False}],
    ]
    main = Attachment.objects.get(document=document)
    assert main.role == AttachmentRole.MAIN and main.filename == "du-thao.docx"
    assert storages["blobs"].open(main.blob_key).read() == content


def test_an_unreadable_docx_is_refused_on_its_field_and_nothing_is_saved(office):
    client = client_for(office.drafter)
    before = _everything()
    upload = SimpleUploadedFile("hong.docx", b"PK\x03\x04 this is not a zip")
    response = client.post(reverse("draft-create"), form_data(main_file=upload))
    assert response.status_code == 400
    assert "Tệp “hong.docx” bị hỏng hoặc không đúng định dạng Word" in response.content.decode()
    # A PDF is a good file but not a Word body: the field says what it takes.
    pdf = SimpleUploadedFile("du-thao.pdf", make_pdf())
    response = client.post(reverse("draft-create"), form_data(main_file=pdf))
    assert response.status_code == 400
    assert "ở đây chỉ nhận: Word (.docx)" in response.content.decode()
    assert _everything() == before


def test_a_unit_chosen_for_two_purposes_is_refused_with_the_actions_words(office):
    data = form_data(units_thuc_hien=[office.school.pk], units_biet=[office.school.pk])
    response = client_for(office.drafter).post(reverse("draft-create"), data)
    assert response.status_code == 400
    assert "Mỗi đơn vị nhận chỉ ghi một lần." in response.content.decode()
    assert not Document.objects.exists()


def test_someone_with_no_membership_may_not_draft(office):
    response = client_for(make_user()).get(reverse("draft-create"))
    assert response.status_code == 403
    assert "chưa soạn thảo được văn bản" in response.content.decode()


def test_editing_shows_the_current_version_and_saves_the_next(office):
    document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
    client = client_for(office.drafter)
    page = client.get(reverse("draft-edit", args=[document.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "V/v triển khai văn phòng điện tử" in html
    assert 'name="expected_version" value="1"' in html
    response = client.post(
        reverse("draft-edit", args=[document.pk]),
        form_data(summary="V/v sửa trích yếu", expected_version=1, comment="Sửa theo ý kiến"),
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.version == 2 and document.summary == "V/v sửa trích yếu"
    assert DocumentVersion.objects.get(document=document, number=2).comment == "Sửa theo ý kiến"


def test_an_untouched_body_keeps_its_bold_and_italic(office):
    document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
    client = client_for(office.drafter)
    initial = client.get(reverse("draft-edit", args=[document.pk])).context["form"].initial
    data = form_data(body=initial["body"], summary="V/v đổi trích yếu", expected_version=1)
    assert client.post(reverse("draft-edit", args=[document.pk]), data).status_code == 302
    document.refresh_from_db()
    assert document.body[1][0] == {"text": "Sở Giáo dục và Đào tạo", "bold": True, "italic": False}


def test_a_stale_version_is_refused_with_a_clear_message_and_nothing_is_overwritten(office):
    document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
    # The division head saves version 2 while the drafter still has version 1 open.
    do_update_draft(
        document, acting_user=office.head, data=draft_input(summary="V/v bản của trưởng phòng"), expected_version=1
    )
    response = client_for(office.drafter).post(
        reverse("draft-edit", args=[document.pk]), form_data(summary="V/v bản cũ", expected_version=1)
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Dự thảo đã được người khác lưu (phiên bản 2) sau khi bạn mở phiên bản 1." in html
    assert "Mở phiên bản mới nhất" in html
    document.refresh_from_db()
    assert document.version == 2 and document.summary == "V/v bản của trưởng phòng"


def test_a_colleague_cannot_open_the_editor_of_someone_elses_draft(office):
    document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
    assert client_for(office.outsider).get(reverse("draft-edit", args=[document.pk])).status_code == 404
    # A fellow officer of the division sees nothing of a draft that was not sent to them.
    assert client_for(office.colleague).get(reverse("draft-edit", args=[document.pk])).status_code == 404
    assert client_for(office.head).get(reverse("draft-edit", args=[document.pk])).status_code == 200


def test_files_are_attached_and_removed_as_versions(office):
    document = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input())
    client = client_for(office.drafter)
    upload = SimpleUploadedFile("phu-luc.pdf", PHU_LUC, content_type="application/pdf")
    response = client.post(
        reverse("attachment-add", args=[document.pk]), {"upload": upload, "expected_version": 1}, follow=True
    )
    assert "Đã đính kèm tệp phu-luc.pdf." in response.content.decode()
    attachment = Attachment.objects.get(document=document)
    assert attachment.added_in_version == 2
    download = client.get(reverse("attachment-download", args=[document.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == PHU_LUC

    stale = client.post(
        reverse("attachment-remove", args=[document.pk, attachment.pk]), {"expected_version": 1}, follow=True
    )
    assert "Dự thảo đã được người khác lưu" in stale.content.decode()
    client.post(reverse("attachment-remove", args=[document.pk, attachment.pk]), {"expected_version": 2})
    attachment.refresh_from_db()
    assert attachment.removed_in_version == 3


def test_my_drafts_lists_only_mine(office):
    mine = do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input(summary="V/v của tôi"))
    do_create_draft(acting_user=office.head, unit=office.division, data=draft_input(summary="V/v của trưởng phòng"))
    response = client_for(office.drafter).get(reverse("draft-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "V/v của tôi" in html and reverse("document-detail", args=[mine.pk]) in html
    assert "V/v của trưởng phòng" not in html


def test_the_officers_home_lists_their_drafts(office):
    do_create_draft(acting_user=office.drafter, unit=office.division, data=draft_input(summary="V/v trên trang chủ"))
    html = client_for(office.drafter).get(reverse("home")).content.decode()
    drafts = html.split('id="queue-drafts"', 1)[1].split("</section>", 1)[0]
    assert "V/v trên trang chủ" in drafts and reverse("draft-list") in drafts
    # The other queues keep their own empty message.
    for_information = html.split('id="queue-for-information"', 1)[1].split("</section>", 1)[0]
    assert "Chưa có văn bản nào." in for_information
