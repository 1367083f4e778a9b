"""Issuing a dispatch leaves, once the worker has run, its PDF/A-3b archive copy in the blob store."""

import hashlib

import pytest
from django.core.files.storage import storages

from documents.actions import do_store_issued_copy
from documents.models import Attachment, AttachmentRole
from journal import events
from tests.workflows.factories import make_agency, make_recipient, make_sealed
from workflows.actions import do_issue_dispatch


def test_the_archive_subscribes_to_issue():
    assert "archive.handlers.store_issued_copy" in events.subscribers("dispatch.issued")


@pytest.mark.django_db(transaction=True)
def test_the_worker_stores_one_archive_copy_per_issued_document(run_worker):
    agency = make_agency()
    dispatch = make_sealed(agency, recipients=[make_recipient(agency=agency)])
    do_issue_dispatch(dispatch, acting_user=agency.clerk)
    assert not Attachment.objects.filter(document=dispatch.document, role=AttachmentRole.ISSUED_PDF).exists()

    run_worker()
    run_worker()  # a second pass finds nothing new to do

    (copy,) = Attachment.objects.filter(document=dispatch.document, role=AttachmentRole.ISSUED_PDF)
    with storages["blobs"].open(copy.blob_key) as blob:
        data = blob.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == copy.sha256 == copy.blob_key
    # The same row the action keeps (its PDF/A-3b form is proven in tests/documents/test_issued_copy.py).
    assert do_store_issued_copy(dispatch.document) == copy
