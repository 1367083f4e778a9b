"""Settings for the test suite: the real configuration, pointed at a throw-away directory.

Tests never touch ./var. The database comes from IOFFICE_DATABASE_URL as usual, so the same suite
runs on SQLite and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("IOFFICE_VAR_DIR", tempfile.mkdtemp(prefix="ioffice-test-"))
os.environ.setdefault("IOFFICE_EMAIL_BACKEND", "memory")

from ioffice.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
