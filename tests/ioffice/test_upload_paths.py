"""Every corpus file through every real upload path, page and API, and through the actions behind them.

A refused file must come back as the upload check's refusal (the code on the API, the Vietnamese
message on the page) and leave nothing behind: no blob in the store's directory, no row, no audit
row, no task. The good files go through too, so a path that refused everything would fail here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from documents.actions import do_attach_file, do_create_draft
from documents.models import Attachment, Document, DocumentVersion
from documents.uploads import ANY_DOCUMENT, SCANNED, WORD, FileKind, check_upload
from journal.errors import InvalidInput
from journal.models import AuditEvent
from organizations.models import Role, Unit
from tests.documents.factories import document_type, draft_input
from tests.documents.upload_corpus import CORPUS, read
from tests.ioffice.test_api_documents import as_token
from tests.organizations.factories import make_membership, make_user
from tests.workflows.factories import make_agency, make_office
from workflows.actions.consultations import do_answer_consultation, do_open_consultation
from workflows.actions.incoming import ExternalDocumentInput, do_register_external
from workflows.models import ConsultationRequest, Delivery, Opinion, OpinionFile

pytestmark = pytest.mark.django_db

UPLOAD_VERBS = (
    "documents.draft.created",
    "documents.draft.updated",
    "documents.draft.file_attached",
    "workflows.delivery.registered_external",
    "workflows.consultation.answered",
)
GOOD = {name for name, code in CORPUS.items() if code is None}
BAD = sorted(name for name, code in CORPUS.items() if code is not None)


@dataclass
class World:
    blobs: Path
    drafter: object
    colleague: object
    division: Unit
    document: Document
    party: ConsultationRequest
    clerk: object
    unit: Unit


@pytest.fixture
def world(settings, tmp_path) -> World:
    """A draft under consultation and a receiving office, with an empty blob store of their own."""
    blobs = tmp_path / "blobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {**settings.STORAGES["blobs"], "OPTIONS": {"location": blobs}},
    }
    agency = make_agency()
    office = make_office(agency=agency, officers=1)
    colleague = make_user()
    make_membership(user=colleague, unit=agency.division, role=Role.OFFICER)
    document = do_create_draft(acting_user=agency.drafter, unit=agency.division, data=draft_input())
    consultation = do_open_consultation(
        document,
        acting_user=agency.drafter,
        question="Xin ý kiến về dự thảo.",
        deadline=timezone.now() + datetime.timedelta(days=2),
        users=[colleague],
    )
    return World(
        blobs=blobs,
        drafter=agency.drafter,
        colleague=colleague,
        division=agency.division,
        document=document,
        party=consultation.requests.get(),
        clerk=office.clerk,
        unit=office.unit,
    )


def stored_blobs(world: World) -> list[Path]:
    return sorted(p for p in world.blobs.rglob("*") if p.is_file()) if world.blobs.exists() else []


def everything() -> dict[str, int]:
    return {
        "documents": Document.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "attachments": Attachment.objects.count(),
        "deliveries": Delivery.objects.count(),
        "units": Unit.objects.count(),
        "opinions": Opinion.objects.count(),
        "opinion_files": OpinionFile.objects.count(),
        # The writes an upload would record; signing in and reading pages are audited too, and may be.
        "audit": AuditEvent.objects.filter(verb__in=UPLOAD_VERBS).count(),
        "tasks": DBTaskResult.objects.count(),
    }


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    # The browser's word is deliberately wrong: only the content may decide the type.
    return SimpleUploadedFile(name, read(name) if data is None else data, content_type="application/pdf")


_symbols = iter(range(1, 10_000))


def external_fields(**files) -> dict:
    return {
        "document_type": document_type(name="Công văn").pk,
        "issuer_name": "Ủy ban nhân dân huyện Cao Lãnh",
        "symbol": f"{next(_symbols)}/UBND-VX",
        "issued_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "summary": "V/v tổ chức Ngày hội đọc sách",
        "channel": "paper",
        **files,
    }


def draft_form(**files) -> dict:
    return {
        "document_type": document_type(name="Công văn").pk,
        "summary": "triển khai văn phòng điện tử",
        "secrecy": "",
        "body": "",
        "signer_authority": "",
        "place": "Đồng Tháp",
        "ref-TOTAL_FORMS": "0",
        "ref-INITIAL_FORMS": "0",
        "ref-MIN_NUM_FORMS": "0",
        "ref-MAX_NUM_FORMS": "1000",
        **files,
    }


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- the paths: each sends one file and says whether it was taken ---------------------------------------


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    code: str = ""  # the API's error code
    detail_vi: str = ""  # the API's Vietnamese message
    detail: str = ""  # the API's English message
    page: str = ""  # the page shown after a refusal


def api_outcome(response, created: int) -> Outcome:
    if response.status_code == created:
        return Outcome(True)
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    return Outcome(False, code=body["code"], detail_vi=body["detail_vi"], detail=body["detail"])


def page_outcome(response) -> Outcome:
    if response.status_code == 302:
        return Outcome(True)
    assert response.status_code == 400, (response.status_code, response.content[:500])
    return Outcome(False, page=response.content.decode())


def page_draft_attachment(world: World, name: str, data: bytes) -> Outcome:
    version = Document.objects.get(pk=world.document.pk).version
    response = web(world.drafter).post(
        reverse("attachment-add", args=[world.document.pk]),
        {"upload": upload(name, data), "expected_version": version},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    return Outcome(f"Đã đính kèm tệp {escape(name)}" in html, page=html)


def page_draft_create_main_file(world: World, name: str, data: bytes) -> Outcome:
    return page_outcome(web(world.drafter).post(reverse("draft-create"), draft_form(main_file=upload(name, data))))


def page_draft_edit_main_file(world: World, name: str, data: bytes) -> Outcome:
    version = Document.objects.get(pk=world.document.pk).version
    return page_outcome(
        web(world.drafter).post(
            reverse("draft-edit", args=[world.document.pk]),
            draft_form(main_file=upload(name, data), expected_version=version),
        )
    )


def page_external_main_file(world: World, name: str, data: bytes) -> Outcome:
    fields = external_fields(main_file=upload(name, data))
    return page_outcome(web(world.clerk).post(reverse("incoming-register-external"), fields))


def page_external_attachment(world: World, name: str, data: bytes) -> Outcome:
    fields = external_fields(main_file=upload("good.pdf"), attachments=[upload(name, data)])
    return page_outcome(web(world.clerk).post(reverse("incoming-register-external"), fields))


def page_consultation_answer(world: World, name: str, data: bytes) -> Outcome:
    consultation = world.party.consultation_id
    response = web(world.colleague).post(
        reverse("consultation-answer", args=[consultation]),
        {"request": world.party.pk, "stance": "other", "text": "Xem tệp.", "files": [upload(name, data)]},
    )
    return page_outcome(response)


def api_draft_attachment(world: World, name: str, data: bytes) -> Outcome:
    response = as_token(world.drafter).post(
        f"/api/v1/drafts/{world.document.pk}/attachments/", {"file": upload(name, data)}, format="multipart"
    )
    return api_outcome(response, 201)


def api_draft_main_file(world: World, name: str, data: bytes) -> Outcome:
    response = as_token(world.drafter).post(
        f"/api/v1/drafts/{world.document.pk}/attachments/",
        {"file": upload(name, data), "role": "main"},
        format="multipart",
    )
    return api_outcome(response, 201)


def api_external_main_file(world: World, name: str, data: bytes) -> Outcome:
    response = as_token(world.clerk).post(
        "/api/v1/deliveries/external/", external_fields(file=upload(name, data)), format="multipart"
    )
    return api_outcome(response, 201)


def api_external_attachment(world: World, name: str, data: bytes) -> Outcome:
    fields = external_fields(file=upload("good.pdf"), attachments=[upload(name, data)])
    return api_outcome(as_token(world.clerk).post("/api/v1/deliveries/external/", fields, format="multipart"), 201)


def api_consultation_answer(world: World, name: str, data: bytes) -> Outcome:
    response = as_token(world.colleague).post(
        reverse("api-consultation-answer", args=[world.party.consultation_id]),
        {"request": world.party.pk, "stance": "other", "text": "Xem tệp.", "files": [upload(name, data)]},
        format="multipart",
    )
    return api_outcome(response, 200)


Path_ = Callable[[World, str, bytes], Outcome]
#: Each path with the kinds it takes.
PATHS: dict[str, tuple[Path_, frozenset[FileKind]]] = {
    "page: draft attachment": (page_draft_attachment, ANY_DOCUMENT),
    "page: new draft's Word file": (page_draft_create_main_file, WORD),
    "page: edited draft's Word file": (page_draft_edit_main_file, WORD),
    "page: external main file": (page_external_main_file, SCANNED),
    "page: external attachment": (page_external_attachment, ANY_DOCUMENT),
    "page: consultation answer": (page_consultation_answer, ANY_DOCUMENT),
    "api: draft attachment": (api_draft_attachment, ANY_DOCUMENT),
    "api: draft main file": (api_draft_main_file, ANY_DOCUMENT),
    "api: external main file": (api_external_main_file, SCANNED),
    "api: external attachment": (api_external_attachment, ANY_DOCUMENT),
    "api: consultation answer": (api_consultation_answer, ANY_DOCUMENT),
}


def expected_refusal(name: str, data: bytes, allowed: frozenset[FileKind]) -> InvalidInput | None:
    try:
        check_upload(name, data, allowed=allowed)
    except InvalidInput as error:
        return error
    return None


@pytest.mark.parametrize("path", sorted(PATHS))
def test_every_bad_file_is_refused_on_every_path_and_leaves_nothing(world, path):
    send, allowed = PATHS[path]
    before = everything()
    for name in BAD:
        data = read(name)
        outcome = send(world, name, data)
        assert not outcome.accepted, f"{path} took {name}"
        error = expected_refusal(name, data, allowed)
        assert error is not None
        # Narrower paths may refuse a file for its kind before its defect; the rest give the corpus code.
        assert error.code == CORPUS[name] or (allowed != ANY_DOCUMENT and error.code == "upload_type_not_allowed")
        if path.startswith("api"):
            assert (outcome.code, outcome.detail_vi, outcome.detail) == (error.code, error.message, error.message_en)
        else:
            assert escape(error.message) in outcome.page, (path, name)
        assert everything() == before, (path, name)
        assert stored_blobs(world) == [], (path, name)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_good_files_are_taken_where_their_kind_is_allowed(world, path):
    send, allowed = PATHS[path]
    for name in sorted(GOOD):
        data = read(name)
        kind = check_upload(name, data).kind
        outcome = send(world, name, data)
        assert outcome.accepted == (kind in allowed), (path, name, outcome)
        if not outcome.accepted:
            assert outcome.code == "upload_type_not_allowed" or "ở đây chỉ nhận" in outcome.page
    assert stored_blobs(world), "the accepted files are in the store"


@pytest.mark.parametrize("path", ["page: draft attachment", "api: consultation answer", "api: external main file"])
def test_over_the_size_limit_is_refused_with_the_limit(world, settings, path):
    settings.IOFFICE_MAX_UPLOAD_MB = 1
    send, _allowed = PATHS[path]
    before = everything()
    outcome = send(world, "scan.pdf", read("good.pdf") + b"\n%" + b"x" * (1024 * 1024))
    assert not outcome.accepted
    assert outcome.code == "upload_too_large" or "dung lượng cho phép (1 MB)" in outcome.page
    assert everything() == before and stored_blobs(world) == []


def test_an_empty_main_file_is_refused_on_the_draft_api_with_the_shared_code(world):
    outcome = api_draft_attachment(world, "rong.pdf", b"")
    assert outcome.code == "upload_empty" and stored_blobs(world) == []


def test_a_client_path_in_the_name_is_stripped_on_the_page(world):
    """Browsers strip paths, and Django's parser strips what is left; the stored name is the base name."""
    page_draft_attachment(world, "good.pdf", read("good.pdf"))
    response = as_token(world.drafter).post(
        f"/api/v1/drafts/{world.document.pk}/attachments/",
        {"file": SimpleUploadedFile("C:\\Users\\vanthu\\Công văn 12.pdf", read("good.pdf"))},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["filename"] == "Công văn 12.pdf"


# -- the actions behind the paths, with names no browser would send -----------------------------------


# ContentFile keeps the name as given (UploadedFile would already cut it to its base name).


def attach(world: World, name: str, data: bytes) -> None:
    do_attach_file(world.document, acting_user=world.drafter, upload=ContentFile(data, name=name))


def register(world: World, name: str, data: bytes) -> None:
    fields = external_fields()
    do_register_external(
        world.unit,
        ExternalDocumentInput(
            document_type=fields["document_type"],
            issuer_name=fields["issuer_name"],
            symbol=fields["symbol"],
            issued_on=timezone.localdate() - datetime.timedelta(days=2),
            summary=fields["summary"],
        ),
        acting_user=world.clerk,
        files=[ContentFile(data, name=name)],
    )


def answer(world: World, name: str, data: bytes) -> None:
    do_answer_consultation(
        world.party, acting_user=world.colleague, stance="agree", files=[ContentFile(data, name=name)]
    )


@pytest.mark.parametrize("action", [attach, register, answer], ids=["attach", "register", "answer"])
@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\Windows\\win.ini.pdf", "a\x00.pdf", "hoa-don\u202efdp.exe"]
)
def test_bad_names_are_refused_by_the_actions(world, action, name):
    before = everything()
    with pytest.raises(InvalidInput) as caught:
        action(world, name, read("good.pdf"))
    assert caught.value.code == "upload_bad_name"
    assert everything() == before and stored_blobs(world) == []
