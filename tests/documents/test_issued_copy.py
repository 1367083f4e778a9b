"""The PDF/A-3b archive copy of an issued document: stored once, in the blob store, fonts embedded."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.storage import storages

from documents.actions import do_store_issued_copy
from documents.models import Attachment, AttachmentRole
from journal.errors import Conflict, Forbidden
from journal.models import AuditEvent
from organizations.models import Role
from tests.concurrency import at_once, postgresql_only, raised
from tests.documents.factories import make_register
from tests.documents.test_from_document import draft_seed_letter, make_seed_tree, number_it
from tests.documents.test_rendering import _pdftotext, _tool
from tests.organizations.factories import make_membership, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    _ubnd, department, division = make_seed_tree()
    make_register(unit=department, year=2018, last_number=959)
    return number_it(draft_seed_letter(division))


def _stored(key: str) -> bytes:
    with storages["blobs"].open(key) as blob:
        return blob.read()


def test_archive_copy_is_a_pdfa_3b_with_embedded_fonts(issued, tmp_path):
    attachment = do_store_issued_copy(issued)

    assert attachment.role == AttachmentRole.ISSUED_PDF
    assert attachment.filename == "960-SGDĐT-CNTTTBT.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by_id == issued.created_by_id  # the system acted; the row names the drafter
    data = _stored(attachment.blob_key)
    assert hashlib.sha256(data).hexdigest() == attachment.sha256 == attachment.blob_key
    assert len(data) == attachment.size
    metadata = _tool("pdfinfo", "-meta", data=data, tmp_path=tmp_path)
    assert re.search(r"<pdfaid:part>3</pdfaid:part>|pdfaid:part=\"3\"", metadata), metadata
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>|pdfaid:conformance=\"B\"", metadata), metadata
    fonts = _tool("pdffonts", data=data, tmp_path=tmp_path).splitlines()[2:]
    assert fonts
    for row in fonts:
        assert "TeX-Gyre-Termes" in row.split()[0] and row.split()[-5] == "yes", row
    assert "Số: 960/SGDĐT-CNTTTBT" in _pdftotext(data, tmp_path)

    event = AuditEvent.objects.filter(verb="documents.issued_copy.stored").get()
    assert event.actor_id is None
    assert event.object_id == str(issued.pk)
    assert event.data["key"] == attachment.blob_key


def test_second_call_returns_the_same_row(issued):
    clerk = make_membership(unit=issued.issuer, role=Role.CLERK).user
    first = do_store_issued_copy(issued, acting_user=clerk)
    second = do_store_issued_copy(issued)
    assert second.pk == first.pk
    assert Attachment.objects.filter(document=issued, role=AttachmentRole.ISSUED_PDF).count() == 1
    assert AuditEvent.objects.filter(verb="documents.issued_copy.stored").count() == 1
    assert first.uploaded_by_id == clerk.pk


def test_a_draft_is_refused_and_nothing_is_stored():
    _ubnd, _department, division = make_seed_tree()
    draft = draft_seed_letter(division)
    keys_before = set(storages["blobs"].iter_keys())
    with pytest.raises(Conflict) as caught:
        do_store_issued_copy(draft)
    assert caught.value.code == "document_not_issued"
    assert not Attachment.objects.filter(document=draft).exists()
    assert set(storages["blobs"].iter_keys()) == keys_before
    assert not AuditEvent.objects.filter(verb="documents.issued_copy.stored").exists()


@postgresql_only("SQLite serialises writers, so the two runs never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_store_one_row():
    _ubnd, department, division = make_seed_tree()
    make_register(unit=department, year=2018, last_number=959)
    document = number_it(draft_seed_letter(division))
    outcomes = at_once(lambda: do_store_issued_copy(document), lambda: do_store_issued_copy(document))
    assert not raised(outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Attachment.objects.filter(document=document, role=AttachmentRole.ISSUED_PDF).count() == 1
    assert AuditEvent.objects.filter(verb="documents.issued_copy.stored").count() == 1


def test_a_person_must_be_a_clerk_of_the_issuer(issued):
    officer = make_membership(unit=issued.drafting_unit, role=Role.OFFICER).user
    with pytest.raises(Forbidden) as caught:
        do_store_issued_copy(issued, acting_user=officer)
    assert caught.value.code == "not_a_clerk"
    with pytest.raises(Forbidden):
        do_store_issued_copy(issued, acting_user=make_user())
    assert not Attachment.objects.filter(document=issued).exists()
