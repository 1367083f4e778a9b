"""Reads about documents: drafts, their versions and snapshots, and the outgoing register (sổ văn bản đi)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from documents.models import (
    Attachment,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentReference,
    DocumentVersion,
    RegisterDirection,
    Urgency,
)
from organizations.models import Unit


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


# -- the outgoing register (sổ đăng ký văn bản đi, Decree 30 Phụ lục IV) ---------------------------


@dataclass(frozen=True)
class OutgoingRegisterRow:
    """One line of the sổ đăng ký văn bản đi, column by column as Phụ lục IV lists them.

    ``copies`` (Số lượng bản) counts one copy per "Nơi nhận" line plus the văn thư's master copy: the
    register records what left the office, and "Lưu: VT, …" adds the one copy that stays with the
    clerk whatever else the line lists (the drafting unit's file copy is a photocopy of that one).
    ``sent_on`` (Ngày chuyển) is the issue date, because the system hands the document to every
    recipient in the issuing transaction. ``received_by`` (Ký nhận) stays empty: it is a signature
    on paper. ``note`` (Ghi chú) carries the urgency, the one thing a clerk notes there most.
    """

    document_id: int
    number: int
    symbol: str
    issued_on: datetime.date | None
    type_and_summary: str
    signer: str
    recipients: tuple[str, ...]
    kept_by: str
    copies: int
    sent_on: datetime.date | None
    received_by: str
    note: str


def outgoing_register_rows(*, unit: Unit, year: int) -> list[OutgoingRegisterRow]:
    """The numbered documents in ``unit``'s outgoing registers of ``year``, by register then number.

    ``unit`` may be a division: its documents are in its issuing agency's registers. A per-type
    register of legal normative documents follows the general register (each has its own numbers).
    One query. The caller checks that the user may read the register (clerks and leaders of the unit).
    """
    agency = unit.issuing_agency
    documents = (
        Document.objects.filter(
            register__unit=agency,
            register__direction=RegisterDirection.OUTGOING,
            register__year=year,
            number__isnull=False,
        )
        .select_related("document_type", "register__document_type")
        .order_by(F("register__document_type__ordering").asc(nulls_first=True), "register_id", "number", "pk")
    )
    return [_register_row(document) for document in documents]


def _register_row(document: Document) -> OutgoingRegisterRow:
    recipients = tuple(line for line in (document.noi_nhan or []) if line.strip())
    type_name = document.document_type.name
    summary = document.summary
    return OutgoingRegisterRow(
        document_id=document.pk,
        number=document.number,
        symbol=document.symbol,
        issued_on=document.issued_on,
        type_and_summary=f"{type_name}: {summary}" if not summary.startswith(type_name) else summary,
        signer=document.signer_name,
        recipients=recipients,
        kept_by=document.luu,
        copies=len(recipients) + 1,
        sent_on=document.issued_on,
        received_by="",
        note=Urgency(document.urgency).label if document.urgency else "",
    )
