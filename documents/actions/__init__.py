"""Every write to documents: one transaction, explicit acting user, permission inside, audit row."""

from documents.actions.registers import do_open_register, do_rename_register
from documents.actions.types import do_save_document_type, do_set_document_type_active

__all__ = ["do_open_register", "do_rename_register", "do_save_document_type", "do_set_document_type_active"]
