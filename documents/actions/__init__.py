"""Every write to documents: one transaction, explicit acting user, permission inside, audit row."""

from documents.actions.drafts import (
    DraftInput,
    RecipientInput,
    RecipientListInput,
    ReferenceInput,
    check_not_secret,
    do_attach_file,
    do_create_draft,
    do_remove_attachment,
    do_update_draft,
)
from documents.actions.issued_copy import do_store_issued_copy
from documents.actions.registers import do_open_register, do_rename_register
from documents.actions.types import do_save_document_type, do_set_document_type_active

__all__ = [
    "DraftInput",
    "RecipientInput",
    "RecipientListInput",
    "ReferenceInput",
    "check_not_secret",
    "do_attach_file",
    "do_create_draft",
    "do_open_register",
    "do_remove_attachment",
    "do_rename_register",
    "do_save_document_type",
    "do_set_document_type_active",
    "do_store_issued_copy",
    "do_update_draft",
]
