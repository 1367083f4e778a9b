import hashlib
import io
import threading
import unicodedata

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from documents.actions import (
    RecipientInput,
    RecipientListInput,
    ReferenceInput,
    do_attach_file,
    do_create_draft,
    do_remove_attachment,
    do_update_draft,
)
from documents.models import Attachment, Document, DocumentReference, DocumentType, DocumentVersion
from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import DistributionList, Role
from tests.documents.factories import document_type, draft_input, make_department, make_division
from tests.documents.files import make_pdf
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db

PDF = make_pdf("Ke hoach")
drafted_events: list[dict] = []


def on_drafted(**kwargs) -> None:
    """A subscriber, so that the event (and any task it would enqueue) is observable."""
    drafted_events.append(kwargs)


@pytest.fixture
def subscribed():
    events.subscribe("document.drafted", on_drafted)
    yield
    events.unsubscribe("document.drafted", on_drafted)


@pytest.fixture
def so():
    return make_department()


@pytest.fixture
def division(so):
    return make_division(department=so)


@pytest.fixture
def officer(division):
    return make_membership(unit=division, role=Role.OFFICER).user


@pytest.fixture
def leader(division):
    return make_membership(unit=division, role=Role.LEADER).user


@pytest.fixture
def draft(officer, division):
    return do_create_draft(acting_user=officer, unit=division, data=draft_input())


def _docx(*paragraphs) -> bytes:
    """A real .docx: each paragraph a list of (text, bold, italic)."""
    document = docx.Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, bold, italic in runs:
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _stored_keys() -> set[str]:
    return set(storages["blobs"].iter_keys())


def _everything() -> dict[str, int]:
    return {
        "documents": Document.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit": AuditEvent.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


def test_create_keeps_every_field_and_writes_version_one(officer, division, so, subscribed):
    target = make_unit(kind="district_office", parent=so)
    data = draft_input(urgency="khan", recipients=[RecipientInput(unit=target, purpose="thuc_hien")])
    document = do_create_draft(acting_user=officer, unit=division, data=data)

    document = Document.objects.get(pk=document.pk)
    assert document.issuer == so and document.drafting_unit == division and document.created_by == officer
    assert document.summary == "V/v triển khai văn phòng điện tử"
    assert document.body[1] == [
        {"text": "Sở Giáo dục và Đào tạo", "bold": True, "italic": False},
        {"text": " đề nghị các đơn vị:", "bold": False, "italic": False},
    ]
    assert document.urgency == "khan" and document.luu == "VT, CNTTTBT" and document.place == "Đồng Tháp"
    assert document.noi_nhan == ["Như trên", "Giám đốc Sở (để b/c)"]
    assert document.number is None and document.symbol == "" and document.register is None
    assert document.version == 1
    assert [(r.unit, r.purpose) for r in document.recipients.all()] == [(target, "thuc_hien")]

    version = DocumentVersion.objects.get(document=document)
    assert version.number == 1 and version.created_by == officer
    assert version.snapshot["summary"] == document.summary
    assert version.snapshot["recipients"] == [{"unit": target.pk, "name": target.name, "purpose": "thuc_hien"}]

    event = AuditEvent.objects.get(verb="documents.draft.created")
    assert (event.object_id, event.unit_id, event.actor_id) == (str(document.pk), division.pk, officer.pk)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"]["ids"] == {"document_id": document.pk}
    assert task.args_kwargs["kwargs"]["handler"] == "tests.documents.test_drafts.on_drafted"


def test_create_without_subscribers_enqueues_nothing(officer, division):
    do_create_draft(acting_user=officer, unit=division, data=draft_input())
    assert DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("triển khai văn phòng điện tử", "V/v triển khai văn phòng điện tử"),
        ("v/v: triển khai", "V/v triển khai"),
        ("V / V  triển khai", "V/v triển khai"),
        ("V/v triển khai", "V/v triển khai"),
    ],
)
def test_cong_van_summary_gets_its_vv_prefix(officer, division, given, stored):
    document = do_create_draft(acting_user=officer, unit=division, data=draft_input(summary=given))
    assert Document.objects.get(pk=document.pk).summary == stored


def test_other_types_keep_their_summary_as_written(officer, division):
    data = draft_input(document_type=document_type("KH"), summary="Kế hoạch chuyển đổi số năm học 2026-2027")
    document = do_create_draft(acting_user=officer, unit=division, data=data)
    assert document.summary == "Kế hoạch chuyển đổi số năm học 2026-2027"


@pytest.mark.parametrize("summary", ["", "   ", "V/v ", "x" * 501])
def test_summary_must_be_present_and_short(officer, division, summary):
    with pytest.raises(InvalidInput) as caught:
        do_create_draft(acting_user=officer, unit=division, data=draft_input(summary=summary))
    assert caught.value.details == {"field": "summary"}
    assert Document.objects.count() == 0


@pytest.mark.parametrize("secrecy", ["mat", "toi_mat", "tuyet_mat"])
def test_secret_draft_is_refused_and_nothing_is_stored(
    officer, division, subscribed, secrecy, django_assert_num_queries
):
    before, keys = _everything(), _stored_keys()
    data = draft_input(secrecy=secrecy, summary="Nội dung mật")
    # Refused before the first statement: not even a write that a rollback would later undo.
    with django_assert_num_queries(0), pytest.raises(InvalidInput) as caught:
        do_create_draft(acting_user=officer, unit=division, data=data)
    assert caught.value.code == "secret_document_refused"
    assert "bí mật nhà nước" in caught.value.message and "state secrets" in caught.value.message_en
    assert _everything() == before
    assert _stored_keys() == keys
    assert not Document.objects.filter(summary__contains="mật").exists()


@pytest.mark.parametrize("secrecy", ["mat", "toi_mat", "tuyet_mat"])
def test_marking_an_existing_draft_secret_is_refused_and_changes_nothing(
    officer, draft, secrecy, django_assert_num_queries
):
    before, keys = _everything(), _stored_keys()
    data = draft_input(secrecy=secrecy, summary="Nội dung mật")
    with django_assert_num_queries(0), pytest.raises(InvalidInput, match="bí mật nhà nước"):
        do_update_draft(draft, acting_user=officer, data=data, expected_version=1)
    assert _everything() == before and _stored_keys() == keys
    assert Document.objects.get(pk=draft.pk).summary == draft.summary


def test_unknown_secrecy_is_refused(officer, division):
    with pytest.raises(InvalidInput) as caught:
        do_create_draft(acting_user=officer, unit=division, data=draft_input(secrecy="secret"))
    assert caught.value.code == "invalid_secrecy"
    assert Document.objects.count() == 0


def test_every_save_is_a_numbered_version(officer, draft):
    do_update_draft(draft, acting_user=officer, data=draft_input(summary="V/v lần hai"), expected_version=1)
    do_update_draft(draft, acting_user=officer, data=draft_input(summary="V/v lần ba"), expected_version=2)
    versions = DocumentVersion.objects.filter(document=draft).order_by("number")
    assert [(v.number, v.snapshot["summary"]) for v in versions] == [
        (1, "V/v triển khai văn phòng điện tử"),
        (2, "V/v lần hai"),
        (3, "V/v lần ba"),
    ]
    assert Document.objects.get(pk=draft.pk).version == 3
    updated = AuditEvent.objects.filter(verb="documents.draft.updated").order_by("id")
    assert [e.data for e in updated] == [{"version": 2, "changed": ["summary"]}, {"version": 3, "changed": ["summary"]}]


def test_a_stale_version_is_a_conflict(officer, leader, draft):
    do_update_draft(draft, acting_user=leader, data=draft_input(summary="V/v lãnh đạo sửa"), expected_version=1)
    with pytest.raises(Conflict) as caught:
        do_update_draft(draft, acting_user=officer, data=draft_input(summary="V/v chuyên viên sửa"), expected_version=1)
    assert caught.value.code == "stale_draft" and caught.value.http_status == 409
    assert caught.value.details == {"expected_version": 1, "current_version": 2}
    assert Document.objects.get(pk=draft.pk).summary == "V/v lãnh đạo sửa"
    assert DocumentVersion.objects.filter(document=draft).count() == 2


@pytest.mark.parametrize("role", [None, Role.ARCHIVIST, Role.ADMIN])
def test_only_staff_of_the_unit_may_draft(division, role):
    user = make_membership(unit=division, role=role).user if role else make_user()
    with pytest.raises(Forbidden) as caught:
        do_create_draft(acting_user=user, unit=division, data=draft_input())
    assert caught.value.code == "not_a_drafter"
    assert Document.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_staff_of_another_unit_may_not_draft_here(so, division):
    other = make_division(department=so, name="Phòng Tổ chức cán bộ", abbreviation="TCCB")
    user = make_membership(unit=other, role=Role.OFFICER).user
    with pytest.raises(Forbidden):
        do_create_draft(acting_user=user, unit=division, data=draft_input())


def test_a_clerk_of_the_department_may_draft_for_its_division(so, division):
    clerk = make_membership(unit=so, role=Role.CLERK).user
    document = do_create_draft(acting_user=clerk, unit=division, data=draft_input())
    assert document.drafting_unit == division and document.issuer == so


def test_another_officer_may_not_edit_but_the_division_leader_may(division, leader, draft):
    colleague = make_membership(unit=division, role=Role.OFFICER).user
    with pytest.raises(Forbidden) as caught:
        do_update_draft(draft, acting_user=colleague, data=draft_input(summary="V/v sửa hộ"), expected_version=1)
    assert caught.value.code == "not_your_draft"
    do_update_draft(draft, acting_user=leader, data=draft_input(summary="V/v lãnh đạo sửa"), expected_version=1)
    assert DocumentVersion.objects.get(document=draft, number=2).created_by == leader


def test_a_numbered_document_is_no_longer_a_draft(officer, draft):
    Document.objects.filter(pk=draft.pk).update(number=960, symbol="960/SGDĐT-CNTTTBT")
    with pytest.raises(Conflict) as caught:
        do_update_draft(draft, acting_user=officer, data=draft_input(), expected_version=1)
    assert caught.value.code == "not_a_draft"


def test_an_inactive_type_is_refused_for_new_drafts_but_kept_on_existing_ones(officer, division, draft):
    DocumentType.objects.filter(name="Công văn").update(is_active=False)
    with pytest.raises(InvalidInput) as caught:
        do_create_draft(acting_user=officer, unit=division, data=draft_input())
    assert caught.value.details == {"field": "document_type"}
    do_update_draft(draft, acting_user=officer, data=draft_input(), expected_version=1)


@pytest.mark.parametrize(
    "body",
    [
        "văn bản",
        ["một đoạn"],
        [[{"text": "x", "underline": True}]],
        [[{"text": 5}]],
        [[{"text": "x", "bold": "yes"}]],
    ],
)
def test_a_malformed_body_is_refused(officer, division, body):
    with pytest.raises(InvalidInput) as caught:
        do_create_draft(acting_user=officer, unit=division, data=draft_input(body=body))
    assert caught.value.details == {"field": "body"}


def test_text_is_stored_composed(officer, division):
    decomposed = unicodedata.normalize("NFD", "Hòa")
    assert decomposed != "Hòa"
    data = draft_input(
        summary=f"V/v trường {decomposed}",
        body=[[{"text": f"Trường Tiểu học {decomposed} An"}]],
        kinh_gui=[f"Phòng GDĐT {decomposed}"],
        signer_name=f"Lê Thị {decomposed}",
    )
    document = Document.objects.get(pk=do_create_draft(acting_user=officer, unit=division, data=data).pk)
    assert document.summary == "V/v trường Hòa"
    assert document.body == [[{"text": "Trường Tiểu học Hòa An", "bold": False, "italic": False}]]
    assert document.kinh_gui == ["Phòng GDĐT Hòa"] and document.signer_name == "Lê Thị Hòa"


def test_noi_nhan_lines_lose_their_punctuation_and_the_luu_line_is_separate(officer, division):
    data = draft_input(noi_nhan=["- Như trên;", "- Lưu: VT."])
    with pytest.raises(InvalidInput) as caught:
        do_create_draft(acting_user=officer, unit=division, data=data)
    assert caught.value.details == {"field": "noi_nhan"}
    data = draft_input(noi_nhan=["- Như trên;", "- Phòng GDĐT TP Cao Lãnh;"], luu="Lưu: VT, CNTTTBT, Trí")
    document = do_create_draft(acting_user=officer, unit=division, data=data)
    assert document.noi_nhan == ["Như trên", "Phòng GDĐT TP Cao Lãnh"]
    assert document.luu == "VT, CNTTTBT, Trí"


def test_recipient_lists_are_stored_for_resolution_at_issue(officer, division, so):
    all_thpt = DistributionList.objects.create(name="Tất cả trường THPT", owner=so, kinds=["school"])
    data = draft_input(recipient_lists=[RecipientListInput(distribution_list=all_thpt, purpose="thuc_hien")])
    document = do_create_draft(acting_user=officer, unit=division, data=data)
    assert [r.distribution_list for r in document.recipient_lists.all()] == [all_thpt]
    assert document.versions.get().snapshot["recipient_lists"] == [
        {"distribution_list": all_thpt.pk, "name": "Tất cả trường THPT", "purpose": "thuc_hien"}
    ]


def test_references_to_an_issued_document_or_a_citation(officer, division, draft):
    Document.objects.filter(pk=draft.pk).update(number=959, symbol="959/SGDĐT-CNTTTBT")
    citation = "Công văn số 199/UBND-VX ngày 03/8/2015 của UBND tỉnh Đồng Tháp"
    data = draft_input(
        references=[ReferenceInput(kind="tra_loi", target=draft), ReferenceInput(kind="can_cu", citation=citation)]
    )
    document = do_create_draft(acting_user=officer, unit=division, data=data)
    assert [(r.kind, r.target, r.citation) for r in document.references.all()] == [
        ("tra_loi", draft, ""),
        ("can_cu", None, citation),
    ]


@pytest.mark.parametrize(
    "reference",
    [
        ReferenceInput(kind="can_cu"),
        ReferenceInput(kind="can_cu", target=-1, citation="Công văn số 1"),
        ReferenceInput(kind="khac", citation="Công văn số 1"),
    ],
)
def test_a_reference_needs_exactly_one_of_target_and_citation(officer, division, reference):
    with pytest.raises(InvalidInput) as caught:
        do_create_draft(acting_user=officer, unit=division, data=draft_input(references=[reference]))
    assert caught.value.details == {"field": "references"}


def test_a_draft_cannot_be_cited(officer, division, draft):
    with pytest.raises(InvalidInput, match="đã ban hành"):
        do_create_draft(
            acting_user=officer, unit=division, data=draft_input(references=[ReferenceInput("can_cu", target=draft)])
        )


@pytest.mark.parametrize(("target", "citation"), [(True, "Công văn số 1"), (False, "")])
def test_the_database_holds_target_xor_citation(officer, division, draft, target, citation):
    other = do_create_draft(acting_user=officer, unit=division, data=draft_input(summary="V/v khác"))
    DocumentReference.objects.create(document=draft, kind="can_cu", target=other)
    DocumentReference.objects.create(document=draft, kind="can_cu", citation="Công văn số 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentReference.objects.create(
            document=draft, kind="can_cu", target=other if target else None, citation=citation
        )


def test_attaching_a_file_stores_the_blob_and_saves_a_version(officer, draft):
    upload = SimpleUploadedFile("Kế hoạch.pdf", PDF, content_type="application/pdf")
    attachment = do_attach_file(draft, acting_user=officer, upload=upload, role="attachment", expected_version=1)

    key = hashlib.sha256(PDF).hexdigest()
    assert attachment.blob_key == attachment.sha256 == key
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "Kế hoạch.pdf",
        "application/pdf",
        len(PDF),
    )
    with storages["blobs"].open(key) as stored:
        assert stored.read() == PDF
    assert Document.objects.get(pk=draft.pk).version == 2
    snapshot = DocumentVersion.objects.get(document=draft, number=2).snapshot
    assert snapshot["attachments"] == [
        {
            "key": key,
            "filename": "Kế hoạch.pdf",
            "role": "attachment",
            "content_type": "application/pdf",
            "size": len(PDF),
        }
    ]
    event = AuditEvent.objects.get(verb="documents.draft.file_attached")
    assert event.data["key"] == key and event.data["version"] == 2


def test_removing_a_file_keeps_it_on_the_record(officer, draft):
    attachment = do_attach_file(draft, acting_user=officer, upload=SimpleUploadedFile("a.pdf", PDF))
    do_remove_attachment(attachment, acting_user=officer, expected_version=2)
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert (attachment.added_in_version, attachment.removed_in_version, attachment.removed_by) == (2, 3, officer)
    assert storages["blobs"].exists(attachment.blob_key)
    assert DocumentVersion.objects.get(document=draft, number=3).snapshot["attachments"] == []
    assert DocumentVersion.objects.get(document=draft, number=2).snapshot["attachments"][0]["filename"] == "a.pdf"
    with pytest.raises(Conflict) as caught:
        do_remove_attachment(attachment, acting_user=officer)
    assert caught.value.code == "attachment_already_removed"


def test_a_colleague_cannot_attach_and_nothing_is_stored(division, draft):
    colleague = make_membership(unit=division, role=Role.OFFICER).user
    data = b"%PDF-1.4 a colleague's file"
    with pytest.raises(Forbidden):
        do_attach_file(draft, acting_user=colleague, upload=SimpleUploadedFile("x.pdf", data))
    assert not storages["blobs"].exists(hashlib.sha256(data).hexdigest())


def test_a_main_docx_fills_an_empty_body(officer, division):
    draft = do_create_draft(acting_user=officer, unit=division, data=draft_input(body=[]))
    content = _docx(
        [("Kính gửi các đơn vị, ", False, False), ("khẩn trương", True, False)], [], [("Ghi chú", False, True)]
    )
    upload = SimpleUploadedFile("du-thao.docx", content)
    do_attach_file(draft, acting_user=officer, upload=upload, role="main")
    document = Document.objects.get(pk=draft.pk)
    assert document.body == [
        [
            {"text": "Kính gửi các đơn vị, ", "bold": False, "italic": False},
            {"text": "khẩn trương", "bold": True, "italic": False},
        ],
        [{"text": "Ghi chú", "bold": False, "italic": True}],
    ]
    assert DocumentVersion.objects.get(document=draft, number=2).snapshot["body"] == document.body
    assert AuditEvent.objects.get(verb="documents.draft.file_attached").data["body_filled"] is True


def test_a_main_docx_leaves_a_written_body_alone_and_replaces_the_previous_main_file(officer, draft):
    first = do_attach_file(
        draft, acting_user=officer, upload=SimpleUploadedFile("a.docx", _docx([("Một", 0, 0)])), role="main"
    )
    do_attach_file(draft, acting_user=officer, upload=SimpleUploadedFile("b.docx", _docx([("Hai", 0, 0)])), role="main")
    assert Document.objects.get(pk=draft.pk).body == draft.body
    assert Attachment.objects.get(pk=first.pk).removed_in_version == 3
    assert [a["filename"] for a in draft.versions.get(number=3).snapshot["attachments"]] == ["b.docx"]


def test_a_corrupt_docx_is_refused_and_nothing_is_stored(officer, draft):
    content = b"PK\x03\x04 this is not really a word file"
    before = _everything()
    with pytest.raises(InvalidInput) as caught:
        do_attach_file(draft, acting_user=officer, upload=SimpleUploadedFile("hong.docx", content), role="main")
    assert caught.value.code == "upload_office_malformed"
    assert _everything() == before
    assert not storages["blobs"].exists(hashlib.sha256(content).hexdigest())


def test_an_empty_file_is_refused(officer, draft):
    with pytest.raises(InvalidInput) as caught:
        do_attach_file(draft, acting_user=officer, upload=SimpleUploadedFile("rong.pdf", b""))
    assert caught.value.code == "upload_empty"
    assert Attachment.objects.count() == 0


def test_the_admin_shows_drafts_read_only(client, officer, draft):
    do_attach_file(draft, acting_user=officer, upload=SimpleUploadedFile("a.pdf", PDF))
    client.force_login(make_user(superuser=True))
    assert client.get(reverse("admin:documents_document_changelist")).status_code == 200
    page = client.get(reverse("admin:documents_document_change", args=[draft.pk]))
    assert page.status_code == 200
    assert "a.pdf" in page.content.decode() and 'name="_save"' not in page.content.decode()
    # ActionAdmin turns the refusal into a message and a redirect instead of a form.
    assert client.get(reverse("admin:documents_document_add")).status_code in {302, 403}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_save_waits_for_a_concurrent_one_and_then_finds_itself_stale():
    division = make_division(department=make_department())
    officer = make_membership(unit=division, role=Role.OFFICER).user
    draft = do_create_draft(acting_user=officer, unit=division, data=draft_input())
    data = draft_input(summary="V/v bản của chuyên viên")
    outcome: dict[str, str] = {}

    def officer_saves():
        try:
            do_update_draft(draft, acting_user=officer, data=data, expected_version=1)
            outcome["result"] = "saved"
        except Conflict as exc:
            outcome["result"] = exc.code
        finally:
            connections.close_all()

    with transaction.atomic():
        # Another save holds the row: the officer's save must wait for it, not read version 1 beside it.
        Document.objects.select_for_update().get(pk=draft.pk)
        thread = threading.Thread(target=officer_saves)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second save did not wait for the row lock"
        Document.objects.filter(pk=draft.pk).update(version=2, summary="V/v bản của lãnh đạo")
    thread.join(10)
    assert outcome == {"result": "stale_draft"}
    assert Document.objects.get(pk=draft.pk).summary == "V/v bản của lãnh đạo"


def test_the_model_itself_refuses_a_malformed_body(draft):
    draft.body = [[{"text": "x", "underline": True}]]
    with pytest.raises(ValidationError) as caught:
        draft.full_clean()
    assert "body" in caught.value.message_dict
    draft.body = [[{"text": unicodedata.normalize("NFD", "Hòa")}], [{"text": ""}]]
    draft.full_clean()
    assert draft.body == [[{"text": "Hòa", "bold": False, "italic": False}]]
