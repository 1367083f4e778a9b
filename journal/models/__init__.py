"""The journal's models: the audit trail and its chain head."""

from journal.models.audit import GENESIS_HASH, HASHED_FIELDS, AppendOnlyError, AuditEvent, ChainHead

__all__ = ["GENESIS_HASH", "HASHED_FIELDS", "AppendOnlyError", "AuditEvent", "ChainHead"]
