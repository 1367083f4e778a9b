"""Every read of a document's content is on the audit trail, and its senders can see who read it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.actions import RecipientInput, do_attach_file, do_create_draft
from documents.models import Attachment, AttachmentRole, Document
from journal.models import AuditEvent
from organizations.models import Role
from tests.documents.factories import draft_input
from tests.documents.files import make_pdf
from tests.ioffice.test_pages_dispatches import walk
from tests.ioffice.test_pages_drafts import client_for, make_office
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.models import Delivery, DispatchState

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    office = make_office()
    data = draft_input(recipients=[RecipientInput(unit=office.school, purpose="thuc_hien")])
    document = do_create_draft(acting_user=office.drafter, unit=office.division, data=data)
    upload = SimpleUploadedFile("du-thao.pdf", make_pdf("Du thao"), content_type="application/pdf")
    do_attach_file(document, acting_user=office.drafter, upload=upload, role=AttachmentRole.MAIN, expected_version=1)
    walk(office, document, DispatchState.ISSUED)
    office.document = document
    office.attachment = Attachment.objects.get(document=document)
    office.delivery = Delivery.objects.get(document=document, recipient=office.school)
    stranger = make_user("ht.thpt99")
    make_membership(
        user=stranger,
        unit=make_unit(kind="school", parent=office.department, name="Trường THPT số 99", school_level="thpt"),
        role=Role.PRINCIPAL,
    )
    office.stranger = stranger
    return office


def reads_of(world, verb: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(verb=verb, object_type="documents.document", object_id=str(world.document.pk))
    )


@pytest.mark.parametrize(
    ("url_name", "kind", "data"),
    [
        ("document-detail", "viewed", {}),
        ("document-pdf", "printed", {"format": "pdf"}),
        ("document-docx", "exported", {"format": "docx"}),
    ],
)
def test_the_document_page_and_its_prints_are_recorded(world, url_name, kind, data):
    response = client_for(world.director).get(reverse(url_name, args=[world.document.pk]))
    assert response.status_code == 200
    (row,) = reads_of(world, f"documents.document.{kind}")
    document = Document.objects.get(pk=world.document.pk)
    assert (row.actor_id, row.object_repr, row.data) == (world.director.pk, str(document), data)


def test_a_file_download_is_recorded_with_the_file(world):
    url = reverse("attachment-download", args=[world.document.pk, world.attachment.pk])
    response = client_for(world.drafter).get(url)
    assert response.status_code == 200
    (row,) = reads_of(world, "documents.document.downloaded")
    assert row.data == {"file": world.attachment.pk, "filename": world.attachment.filename}


def test_the_recipients_reads_go_to_the_same_document(world):
    client = client_for(world.outsider)  # the school's principal: a recipient
    assert client.get(reverse("delivery-detail", args=[world.delivery.pk])).status_code == 200
    assert client.get(reverse("delivery-routing-slip", args=[world.delivery.pk])).status_code == 200
    url = reverse("delivery-attachment", args=[world.delivery.pk, world.attachment.pk])
    assert client.get(url).status_code == 200
    (viewed,) = reads_of(world, "documents.document.viewed")
    (printed,) = reads_of(world, "documents.document.printed")
    (downloaded,) = reads_of(world, "documents.document.downloaded")
    assert viewed.data == {"delivery": world.delivery.pk}
    assert printed.data == {"delivery": world.delivery.pk, "form": "routing_slip"}
    assert downloaded.data["delivery"] == world.delivery.pk
    assert {viewed.actor_id, printed.actor_id, downloaded.actor_id} == {world.outsider.pk}


def test_a_refused_read_is_not_recorded(world):
    client = client_for(world.stranger)
    for url in (
        reverse("document-detail", args=[world.document.pk]),
        reverse("document-pdf", args=[world.document.pk]),
        reverse("attachment-download", args=[world.document.pk, world.attachment.pk]),
        reverse("delivery-detail", args=[world.delivery.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(actor_id=world.stranger.pk, verb__startswith="documents.").exists()


def test_the_api_reads_are_recorded(world):
    client = client_for(world.drafter)
    assert client.get(f"/api/v1/drafts/{world.document.pk}/").status_code == 200
    assert client.get(f"/api/v1/drafts/{world.document.pk}/preview/").status_code == 200
    principal = client_for(world.outsider)
    assert principal.get(f"/api/v1/deliveries/{world.delivery.pk}/").status_code == 200
    viewed = reads_of(world, "documents.document.viewed")
    assert sorted((row.actor_id, tuple(sorted(row.data))) for row in viewed) == sorted(
        [(world.drafter.pk, ("api",)), (world.outsider.pk, ("api", "delivery"))]
    )
    (printed,) = reads_of(world, "documents.document.printed")
    assert printed.data == {"format": "pdf", "api": True}


def test_registers_printed_and_exported_are_recorded(world):
    client = client_for(world.clerk)
    year = Document.objects.get(pk=world.document.pk).issued_on.year
    assert client.get(reverse("outgoing-register-pdf", args=[year])).status_code == 200
    assert client.get(reverse("outgoing-register-xlsx", args=[year])).status_code == 200
    assert client.get(reverse("incoming-register-pdf", args=[year])).status_code == 200
    assert client.get(reverse("followup-register-xlsx", args=[year])).status_code == 200
    rows = AuditEvent.objects.filter(object_type="documents.register").order_by("id")
    agency = world.department.pk
    assert [(r.verb, r.object_id, r.data) for r in rows] == [
        ("documents.register.printed", f"{agency}:outgoing:{year}", {"format": "pdf"}),
        ("documents.register.exported", f"{agency}:outgoing:{year}", {"format": "xlsx"}),
        ("documents.register.printed", f"{agency}:incoming:{year}", {"format": "pdf"}),
        ("documents.register.exported", f"{agency}:followup:{year}", {"format": "xlsx"}),
    ]
    response = client.get(reverse("handling-report-xlsx"), {"tu": f"{year}-01-01", "den": f"{year}-12-31"})
    assert response.status_code == 200
    report = AuditEvent.objects.get(object_type="workflows.report")
    assert (report.verb, report.object_id) == ("workflows.report.exported", str(agency))
    assert report.data == {"format": "xlsx", "from": f"{year}-01-01", "to": f"{year}-12-31"}


def test_the_senders_see_who_read_it_and_the_recipients_do_not(world):
    client_for(world.outsider).get(reverse("delivery-detail", args=[world.delivery.pk]))
    page = client_for(world.drafter).get(reverse("document-detail", args=[world.document.pk])).content.decode()
    assert "Người đã xem" in page
    section = page[page.index('id="nguoi-da-xem"') :]
    assert world.outsider.username in section and world.school.name in section

    page = client_for(world.outsider).get(reverse("document-detail", args=[world.document.pk])).content.decode()
    assert 'id="nguoi-da-xem"' not in page, "a recipient sees the document, not who else read it"
