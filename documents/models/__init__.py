"""The documents app's models, one module per aggregate, re-exported here."""

from documents.models.registers import Register, RegisterDirection, default_register_name
from documents.models.types import ABBREVIATION_PATTERN, DocumentKind, DocumentType, abbreviation_validator

__all__ = [
    "ABBREVIATION_PATTERN",
    "DocumentKind",
    "DocumentType",
    "Register",
    "RegisterDirection",
    "abbreviation_validator",
    "default_register_name",
]
