"""Document types (loại văn bản): Decree 30's list is seeded; a system administrator extends it."""

from __future__ import annotations

from django.db import transaction
from django.forms.models import model_to_dict

from documents.models import DocumentType
from journal.audit import record
from journal.errors import Forbidden

_FIELDS = ("name", "abbreviation", "kind", "is_legal_normative", "is_active", "ordering")


def _check_system_admin(acting_user) -> None:
    # The type list is the whole province's: one Sở's administrator must not rename a type for all.
    if not (getattr(acting_user, "is_active", False) and getattr(acting_user, "is_superuser", False)):
        raise Forbidden(
            "Chỉ quản trị hệ thống được sửa danh mục loại văn bản.",
            code="document_types_admin_only",
            message_en="Only a system administrator may change the list of document types.",
        )


def do_save_document_type(document_type: DocumentType, *, acting_user) -> DocumentType:
    """Create or change a document type; types are deactivated, never deleted (documents refer to them)."""
    with transaction.atomic(durable=True):
        _check_system_admin(acting_user)
        before = None
        if document_type.pk is not None:
            before = DocumentType.objects.select_for_update().get(pk=document_type.pk)
        document_type.full_clean()
        document_type.save()
        if before is None:
            record(
                actor=acting_user,
                verb="documents.document_type.created",
                target=document_type,
                data=model_to_dict(document_type, fields=_FIELDS),
            )
        else:
            changes = {
                f: [getattr(before, f), getattr(document_type, f)]
                for f in _FIELDS
                if getattr(before, f) != getattr(document_type, f)
            }
            if changes:
                record(actor=acting_user, verb="documents.document_type.updated", target=document_type, data=changes)
        return document_type


def do_set_document_type_active(document_type: DocumentType, *, acting_user, active: bool) -> DocumentType:
    """Put a type back in use or out of use (for new documents; issued ones keep theirs)."""
    with transaction.atomic(durable=True):
        _check_system_admin(acting_user)
        document_type = DocumentType.objects.select_for_update().get(pk=document_type.pk)
        if document_type.is_active != active:
            document_type.is_active = active
            document_type.save(update_fields=["is_active"])
            record(
                actor=acting_user,
                verb="documents.document_type.updated",
                target=document_type,
                data={"is_active": [not active, active]},
            )
        return document_type
