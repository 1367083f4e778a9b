"""Reads about documents: a drafter's drafts, a draft's versions, and the snapshot a version keeps."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from documents.models import (
    Attachment,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentReference,
    DocumentVersion,
)


def drafts_of(*, user) -> QuerySet[Document]:
    """The drafts ``user`` created that are not numbered yet, last edited first, in one query."""
    return (
        Document.objects.filter(created_by=user, number__isnull=True)
        .select_related("document_type", "drafting_unit", "issuer", "created_by")
        .order_by("-updated_at", "-pk")
    )


def versions_of(*, document: Document) -> QuerySet[DocumentVersion]:
    """Every saved version of ``document``, oldest first, with who saved it."""
    return DocumentVersion.objects.filter(document=document).select_related("created_by").order_by("number")


def snapshot_of(*, document: Document) -> dict[str, Any]:
    """Everything a draft version records, as JSON: fields, recipients, references and current files.

    Names are copied next to ids so an old version still reads right after a unit or list is renamed.
    Four queries whatever the size of the draft (one per related table).
    """
    document = (
        Document.objects.select_related("document_type", "drafting_unit")
        .prefetch_related(
            Prefetch("recipients", DocumentRecipient.objects.select_related("unit")),
            Prefetch("recipient_lists", DocumentRecipientList.objects.select_related("distribution_list")),
            Prefetch("references", DocumentReference.objects.select_related("target")),
            Prefetch(
                "attachments",
                Attachment.objects.filter(removed_in_version__isnull=True),
                to_attr="current_attachments",
            ),
        )
        .get(pk=document.pk)
    )
    return {
        "document_type": {"id": document.document_type_id, "name": document.document_type.name},
        "drafting_unit": {"id": document.drafting_unit_id, "name": document.drafting_unit.name},
        "summary": document.summary,
        "body": document.body,
        "urgency": document.urgency,
        "kinh_gui": document.kinh_gui,
        "noi_nhan": document.noi_nhan,
        "luu": document.luu,
        "signer_authority": document.signer_authority,
        "signer_position": document.signer_position,
        "signer_name": document.signer_name,
        "place": document.place,
        "recipients": [
            {"unit": r.unit_id, "name": r.unit.name, "purpose": r.purpose} for r in document.recipients.all()
        ],
        "recipient_lists": [
            {"distribution_list": r.distribution_list_id, "name": r.distribution_list.name, "purpose": r.purpose}
            for r in document.recipient_lists.all()
        ],
        "references": [
            {
                "kind": r.kind,
                "target": r.target_id,
                "target_label": str(r.target) if r.target_id else "",
                "citation": r.citation,
            }
            for r in document.references.all()
        ],
        "attachments": [
            {
                "key": a.blob_key,
                "filename": a.filename,
                "role": a.role,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in document.current_attachments
        ],
    }
