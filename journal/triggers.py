"""The database's own refusal to change or remove audit rows, for SQLite and PostgreSQL.

The ORM refuses too (:class:`journal.models.AuditEvent`), but raw SQL, another client or a future bug
would go around it; these triggers make the database reject every ``UPDATE`` and ``DELETE`` of
``journal_auditevent`` but one: the sealing of a row not sealed yet (:mod:`journal.sealing` writes
``seq``, ``prev_hash`` and ``hash`` once, and may change nothing else). The migrations install them;
the ``flush`` command lifts them on SQLite for the moment it empties the whole database (there
``DELETE FROM`` fires them; PostgreSQL flushes with ``TRUNCATE``, which row triggers do not see).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "journal_auditevent"

#: The columns an event is born with; the seal (``seq``, ``prev_hash``, ``hash``) is written once, later.
CONTENT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "unit_id",
    "unit_name",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "data",
)

# The one update allowed: an unsealed row gets its whole seal and nothing else changes. ``IS`` (SQLite)
# and ``IS NOT DISTINCT FROM`` (PostgreSQL) compare NULLs as equal.
_SEAL_WRITTEN_ONCE = (
    "OLD.hash IS NULL",
    "OLD.seq IS NULL",
    "NEW.seq IS NOT NULL",
    "NEW.prev_hash IS NOT NULL",
    "NEW.hash IS NOT NULL",
)
_SQLITE_SEALING = " AND ".join([*_SEAL_WRITTEN_ONCE, *(f"NEW.{column} IS OLD.{column}" for column in CONTENT_COLUMNS)])
_NEW_CONTENT = ", ".join(f"NEW.{column}" for column in CONTENT_COLUMNS)
_OLD_CONTENT = ", ".join(f"OLD.{column}" for column in CONTENT_COLUMNS)
_PG_SEALING = " AND ".join([*_SEAL_WRITTEN_ONCE, f"({_NEW_CONTENT}) IS NOT DISTINCT FROM ({_OLD_CONTENT})"])

SQLITE_INSTALL = (
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT ({_SQLITE_SEALING})
    BEGIN SELECT RAISE(ABORT, 'journal_auditevent is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'journal_auditevent is append-only: DELETE refused'); END""",
)
SQLITE_REMOVE = (
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
)

POSTGRESQL_INSTALL = (
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND {_PG_SEALING} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'journal_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
)
POSTGRESQL_REMOVE = (
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
)


def _statements(connection: BaseDatabaseWrapper, *, install: bool) -> tuple[str, ...]:
    if connection.vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if connection.vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    raise NotImplementedError(f"no append-only triggers for the {connection.vendor} database")


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (idempotent)."""
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)
