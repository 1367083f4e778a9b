"""Settings for the test suite: the real configuration, pointed at a throw-away directory.

Tests never touch ./var. The database comes from IOFFICE_DATABASE_URL as usual, so the same suite
runs on SQLite and on PostgreSQL.
"""

import os
import tempfile

# One directory per process, always: xdist workers inherit the controller's environment, so a
# directory chosen there would be one blob store shared by workers whose tests count its files.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["IOFFICE_VAR_DIR"] = tempfile.mkdtemp(prefix=f"ioffice-test-{_worker}-")
os.environ.setdefault("IOFFICE_EMAIL_BACKEND", "memory")

from ioffice.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
