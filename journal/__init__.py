"""Journal (Nhật ký).

What happened: the append-only, hash-chained audit trail (AuditEvent) and the command that verifies
it; domain events published inside a transaction and delivered by the task queue to subscribers that
higher apps register at start-up; the domain error type with a code and a Vietnamese message; the
helpers every action uses (request context, retrying tasks). Imports only organizations.
"""
