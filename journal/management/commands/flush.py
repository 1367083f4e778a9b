"""``manage.py flush``, able to empty the audit trail along with everything else.

Django's flush empties every table; on SQLite it does so with ``DELETE FROM``, which the audit
trail's append-only triggers refuse (PostgreSQL uses ``TRUNCATE``, which they do not see). Emptying
the whole database — the chain head included, so the chain stays consistent — is the one sanctioned
way to remove audit rows, and the test runner relies on it between transactional tests: the triggers
are lifted for the flush and put back after, whatever happens.
"""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections

from journal import triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite" or triggers.TABLE not in connection.introspection.table_names():
            return super().handle(**options)
        triggers.remove(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
