"""Documents from outside the system: typed in, their scan stored, registered with the next số đến."""

import datetime
import hashlib

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Attachment, AttachmentRole, Document, DocumentGroupObjectPermission, Register
from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import Unit, UnitKind
from tests.documents.factories import document_type
from tests.documents.files import DOCX_CONTENT_TYPE, make_docx, make_pdf, make_png
from tests.documents.upload_corpus import read
from tests.journal import handlers
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import ExternalDocumentInput, do_register_delivery, do_register_external
from workflows.models import Delivery, DeliveryStatus, DeliveryTransition
from workflows.visibility import documents_visible_to

pytestmark = pytest.mark.django_db
PDF = make_pdf("Cong van 1234")
PNG = make_png()


@pytest.fixture(autouse=True)
def remembered():
    events.subscribe("delivery.registered", handlers.remember)
    yield
    events.unsubscribe("delivery.registered", handlers.remember)


@pytest.fixture
def office():
    return make_office(agency=make_agency())


def data(**fields) -> ExternalDocumentInput:
    values = {
        "document_type": document_type(name="Công văn"),
        "symbol": "1234/UBND-VX",
        "issued_on": timezone.localdate() - datetime.timedelta(days=2),
        "summary": "V/v tổ chức Tết Trung thu cho học sinh",
        "issuer_name": "Ủy ban nhân dân tỉnh Đồng Tháp",
        "urgency": "thuong_khan",
        "signer_name": "Nguyễn Văn A",
    }
    return ExternalDocumentInput(**{**values, **fields})


def pdf(name="scan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_keys() -> set[str]:
    return set(storages["blobs"].iter_keys())


def test_an_external_document_is_recorded_stored_and_registered(office):
    arrived = timezone.now() - datetime.timedelta(hours=3)
    # The browser's word for the type is not kept: the content decides it.
    annex = SimpleUploadedFile("phu-luc.docx", make_docx("Phụ lục"), content_type="application/octet-stream")

    delivery = do_register_external(
        office.unit,
        data(arrived_at=arrived, external_id="<abc@mail.gov.vn>"),
        acting_user=office.clerk,
        files=[pdf(), annex],
    )

    delivery = Delivery.objects.select_related("document").get(pk=delivery.pk)
    document = delivery.document
    issuer = document.issuer
    assert (issuer.name, issuer.kind, issuer.enrolled, issuer.parent_id) == (
        "Ủy ban nhân dân tỉnh Đồng Tháp",
        UnitKind.EXTERNAL,
        False,
        None,
    )
    assert issuer.path == f"/{issuer.pk}/"
    assert document.external and document.drafting_unit == issuer and document.created_by == office.clerk
    assert (document.number, document.symbol, document.summary, document.signer_name) == (
        1234,
        "1234/UBND-VX",
        "V/v tổ chức Tết Trung thu cho học sinh",
        "Nguyễn Văn A",
    )
    assert (
        delivery.dispatch_id,
        delivery.recipient,
        delivery.purpose,
        delivery.channel,
        delivery.priority,
        delivery.arrived_at,
        delivery.external_id,
    ) == (None, office.unit, "thuc_hien", "paper", 1, arrived, "<abc@mail.gov.vn>")
    assert (delivery.status, delivery.incoming_number, delivery.registered_by) == (
        DeliveryStatus.REGISTERED,
        1,
        office.clerk,
    )
    files = list(Attachment.objects.filter(document=document).order_by("pk"))
    assert [(f.role, f.filename, f.content_type) for f in files] == [
        (AttachmentRole.MAIN, "scan.pdf", "application/pdf"),
        (AttachmentRole.ATTACHMENT, "phu-luc.docx", DOCX_CONTENT_TYPE),
    ]
    assert files[0].blob_key == hashlib.sha256(PDF).hexdigest()
    with storages["blobs"].open(files[0].blob_key) as stored:
        assert stored.read() == PDF
    assert list(
        DeliveryTransition.objects.filter(delivery=delivery).values_list("name", "from_status", "to_status")
    ) == [("registered", "arrived", "registered")]
    assert handlers.queued("delivery.registered") == [{"delivery_id": delivery.pk}]
    audit = AuditEvent.objects.get(verb="workflows.delivery.registered_external")
    assert audit.data["document"] == document.pk and audit.data["issuer_created"] is True and audit.data["number"] == 1
    # The office's readers see it through the delivery; no grant is written.
    assert not DocumentGroupObjectPermission.objects.filter(content_object=document).exists()
    assert documents_visible_to(office.leader).filter(pk=document.pk).exists()


def test_external_and_system_deliveries_share_one_number_sequence_and_issuers_are_reused(office):
    agency = make_agency()
    (arrived,) = make_arrived(agency, office.unit)
    first = do_register_external(office.unit, data(), acting_user=office.clerk, files=[pdf()])
    second = do_register_delivery(arrived, acting_user=office.clerk)
    third = do_register_external(
        office.unit,
        data(symbol="15/QĐ-UBND", channel="electronic"),
        acting_user=office.clerk,
        files=[pdf(name="scan.png", content=PNG)],
    )
    assert [first.incoming_number, second.incoming_number, third.incoming_number] == [1, 2, 3]
    assert Register.objects.get(unit=office.unit).last_number == 3
    # The same outside agency typed twice is one issuer.
    assert Unit.objects.filter(kind=UnitKind.EXTERNAL, name="Ủy ban nhân dân tỉnh Đồng Tháp").count() == 1
    assert third.channel == "electronic" and third.document.number == 15


def test_an_existing_issuer_can_be_chosen_and_the_same_symbol_again_warns(office):
    first = do_register_external(office.unit, data(), acting_user=office.clerk, files=[pdf()])
    issuer = first.document.issuer
    with pytest.raises(Conflict) as exc:
        do_register_external(
            office.unit, data(issuer=issuer.pk, issuer_name=""), acting_user=office.clerk, files=[pdf()]
        )
    assert exc.value.code == "likely_duplicate"
    assert [d["id"] for d in exc.value.details["duplicates"]] == [first.pk]
    assert Document.objects.filter(external=True).count() == 1
    again = do_register_external(
        office.unit,
        data(issuer=issuer, issuer_name=""),
        acting_user=office.clerk,
        files=[pdf()],
        confirm_duplicate=True,
    )
    assert again.incoming_number == 2
    assert AuditEvent.objects.filter(verb="workflows.delivery.registered_external").order_by("-id").first().data[
        "confirmed_duplicates"
    ] == [first.pk]


@pytest.mark.parametrize(
    ("fields", "files", "code"),
    [
        ({"symbol": "  "}, None, "invalid_external_document"),
        ({"summary": ""}, None, "invalid_external_document"),
        ({"issued_on": None}, None, "invalid_external_document"),
        ({"issued_on": timezone.localdate() + datetime.timedelta(days=1)}, None, "invalid_external_document"),
        ({"issuer_name": ""}, None, "invalid_external_document"),
        ({"issuer": 1, "issuer_name": "Bộ GDĐT"}, None, "invalid_external_document"),
        ({"issuer": 999999, "issuer_name": ""}, None, "invalid_external_document"),
        ({"urgency": "rat_khan"}, None, "invalid_external_document"),
        ({"document_type": 999999}, None, "invalid_external_document"),
        ({"arrived_at": timezone.now() + datetime.timedelta(days=1)}, None, "invalid_external_document"),
        ({"secrecy": "mat"}, None, "secret_document_refused"),
        ({}, [], "file_required"),
        ({}, ["empty"], "upload_empty"),
        ({}, ["word"], "upload_type_not_allowed"),
        ({}, ["lying"], "upload_name_mismatch"),
        ({}, ["fine", "script"], "upload_pdf_active_content"),
    ],
)
def test_bad_input_is_refused_and_leaves_nothing_behind(office, fields, files, code):
    uploads = {
        "empty": SimpleUploadedFile("scan.pdf", b"", content_type="application/pdf"),
        "word": SimpleUploadedFile("scan.docx", make_docx(), content_type="application/pdf"),
        "lying": SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf"),
        "fine": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        "script": SimpleUploadedFile("phu-luc.pdf", read("js-openaction.pdf"), content_type="application/pdf"),
    }
    before_units, before_keys = Unit.objects.count(), stored_keys()
    with pytest.raises(InvalidInput) as exc:
        do_register_external(
            office.unit,
            data(**fields),
            acting_user=office.clerk,
            files=[pdf()] if files is None else [uploads[f] for f in files],
        )
    assert exc.value.code == code and exc.value.http_status == 400
    assert exc.value.message and exc.value.message_en
    assert Unit.objects.count() == before_units
    assert not Document.objects.filter(external=True).exists() and not Delivery.objects.exists()
    assert not Register.objects.filter(unit=office.unit).exists()
    assert not AuditEvent.objects.filter(verb="workflows.delivery.registered_external").exists()
    assert stored_keys() == before_keys
    assert handlers.queued("delivery.registered") == []


def test_only_the_units_clerk_registers_external_documents(office):
    before = stored_keys()
    for user in (office.leader, office.officers[0]):
        with pytest.raises(Forbidden):
            do_register_external(office.unit, data(), acting_user=user, files=[pdf()])
    assert stored_keys() == before and not Document.objects.filter(external=True).exists()


def test_an_external_document_is_not_forwarded(office):
    delivery = do_register_external(office.unit, data(), acting_user=office.clerk, files=[pdf()])
    with pytest.raises(Conflict) as exc:
        do_forward_delivery(delivery, acting_user=office.clerk, all_children=True)
    assert exc.value.code == "external_not_forwardable"
