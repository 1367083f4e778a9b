"""The documents app's models, one module per aggregate, re-exported here."""

from documents.models.access import AccessChange, AccessChangeKind, AccessChangeState, AccessPermission
from documents.models.documents import (
    Attachment,
    AttachmentRole,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentReference,
    DocumentVersion,
    RecipientPurpose,
    ReferenceKind,
    Secrecy,
    SignerAuthority,
    Urgency,
    normalise_body,
)
from documents.models.permissions import DocumentGroupObjectPermission, DocumentUserObjectPermission
from documents.models.registers import Register, RegisterDirection, default_register_name
from documents.models.types import ABBREVIATION_PATTERN, DocumentKind, DocumentType, abbreviation_validator

__all__ = [
    "ABBREVIATION_PATTERN",
    "AccessChange",
    "AccessChangeKind",
    "AccessChangeState",
    "AccessPermission",
    "Attachment",
    "AttachmentRole",
    "Document",
    "DocumentGroupObjectPermission",
    "DocumentKind",
    "DocumentRecipient",
    "DocumentRecipientList",
    "DocumentReference",
    "DocumentType",
    "DocumentUserObjectPermission",
    "DocumentVersion",
    "RecipientPurpose",
    "ReferenceKind",
    "Register",
    "RegisterDirection",
    "Secrecy",
    "SignerAuthority",
    "Urgency",
    "abbreviation_validator",
    "default_register_name",
    "normalise_body",
]
