"""The archive copy of an issued document (bản PDF/A lưu trữ): rendered once, kept as an attachment.

Runs from a task after issue. Rendering takes a fraction of a second and writing the blob is I/O,
so both happen before the transaction (house rule: no I/O inside one); the row commits after the
bytes are safely stored. A second run (a retried task) finds the row and returns it; a run that
loses a race finds the winner's row under the document's lock and leaves only a harmless orphan
blob, which is content-addressed and usually the very same key.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction

from documents.models import Attachment, AttachmentRole, Document
from documents.rendering.from_document import printable_for
from journal.audit import record
from journal.errors import Conflict, Forbidden
from organizations.models import Role
from organizations.selectors import roles_in

__all__ = ["do_store_issued_copy", "issued_copy_filename"]

#: Who may (re)make the archive copy by hand: the issuing agency's clerks (văn thư) and archivists.
MAKING_ROLES = frozenset({Role.CLERK, Role.ARCHIVIST})


def issued_copy_filename(document: Document) -> str:
    """ "960-SGDĐT-CNTTTBT.pdf": the symbol, with the slash that no file name may carry replaced."""
    return f"{document.symbol.replace('/', '-')}.pdf"


def do_store_issued_copy(document: Document, *, acting_user=None) -> Attachment:
    """Render the PDF/A-3b of a numbered ``document`` and keep it as its ``issued_pdf`` attachment.

    ``acting_user`` ``None`` is the system (the task); the row's ``uploaded_by`` then names the
    drafter, because an attachment must have a person and the audit row says who really acted. A
    person must be a clerk or archivist of the issuing agency (``not_a_clerk``).
    Idempotent: an existing archive copy is returned as is, never rendered again. A draft is refused
    (``document_not_issued``): it has no number or date to print.
    """
    from documents.rendering.pdf import render_pdf  # WeasyPrint: only the processes that print pay for it

    document = Document.objects.select_related("document_type", "issuer__parent__parent", "drafting_unit").get(
        pk=document.pk
    )
    _check_may_store(acting_user, document)
    _check_issued(document)
    existing = _existing(document)
    if existing is not None:
        return existing
    data = render_pdf(printable_for(document), variant="pdf/a-3b")
    digest = hashlib.sha256(data).hexdigest()
    key = storages["blobs"].save(issued_copy_filename(document), ContentFile(data))
    if key != digest:
        raise RuntimeError(f"the blob store returned {key!r} for bytes whose SHA-256 is {digest}")
    with transaction.atomic(durable=True):
        locked = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
        existing = _existing(locked)
        if existing is not None:
            return existing
        attachment = Attachment.objects.create(
            document=locked,
            role=AttachmentRole.ISSUED_PDF,
            blob_key=key,
            sha256=digest,
            filename=issued_copy_filename(document)[:255],
            content_type="application/pdf",
            size=len(data),
            uploaded_by=acting_user if acting_user is not None else document.created_by,
            added_in_version=locked.version,
        )
        record(
            actor=acting_user,
            verb="documents.issued_copy.stored",
            target=locked,
            unit=document.issuer,
            data={"key": key, "size": len(data), "variant": "pdf/a-3b", "attachment": attachment.pk},
        )
        return attachment


def _check_may_store(user, document: Document) -> None:
    if user is None:
        return
    active = getattr(user, "is_authenticated", False) and user.is_active
    if active and roles_in(user=user, unit=document.issuer) & MAKING_ROLES:
        return
    raise Forbidden(
        f"Chỉ văn thư hoặc lưu trữ viên của {document.issuer} được tạo bản PDF/A lưu trữ của văn bản này.",
        code="not_a_clerk",
        message_en="Only a clerk or archivist of the issuing agency may make the archive copy.",
    )


def _check_issued(document: Document) -> None:
    if document.number is None or document.issued_on is None or not document.symbol:
        raise Conflict(
            "Văn bản chưa được cấp số và ngày ban hành nên chưa tạo được bản PDF/A lưu trữ.",
            code="document_not_issued",
            message_en="The document has no number and date yet; the archive copy is made after issue.",
        )


def _existing(document: Document) -> Attachment | None:
    return (
        Attachment.objects.filter(document=document, role=AttachmentRole.ISSUED_PDF, removed_in_version__isnull=True)
        .order_by("pk")
        .first()
    )
