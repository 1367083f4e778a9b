"""The journal's models: the audit trail and its chain head, and the daily jobs' schedule."""

from journal.models.audit import GENESIS_HASH, HASHED_FIELDS, AppendOnlyError, AuditEvent, ChainHead
from journal.models.schedule import ScheduledJob

__all__ = ["GENESIS_HASH", "HASHED_FIELDS", "AppendOnlyError", "AuditEvent", "ChainHead", "ScheduledJob"]
