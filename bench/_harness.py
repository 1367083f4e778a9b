"""What every two-database bench does the same way: one child process per database, each on scratch data.

``per_database(name, run)`` is a bench's ``main()``: called bare, it starts itself again once with
``--db sqlite`` and once with ``--db postgresql``; in such a child it points the settings at a temporary
var directory (SQLite file, blobs) and, for PostgreSQL, at a scratch database (``bench/_postgres.py``),
then calls ``run(db)``. A machine without PostgreSQL prints a "skipped" line for it instead. Separate
processes, because Django's settings and connections are set up once per process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _postgres import PostgresUnavailable, scratch_database

ROOT = Path(__file__).resolve().parent.parent


def production_mode() -> None:
    """Configure Django as a server runs it: debug off, so timings are not those of a developer's machine.

    With debug on, Django wraps every cursor to time each statement, format it and keep it in memory,
    which a server does not pay. The secret key is a throwaway.
    """
    os.environ["IOFFICE_DEBUG"] = "0"
    os.environ["IOFFICE_SECRET_KEY"] = secrets.token_urlsafe(64)
    os.environ["IOFFICE_ALLOWED_HOSTS"] = "localhost"


def per_database(name: str, run: Callable[[str], None], *, script: str) -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--db":
        production_mode()
        with tempfile.TemporaryDirectory(prefix=f"ioffice-bench-{name}-") as var_dir:
            os.environ["IOFFICE_VAR_DIR"] = var_dir
            os.environ["DJANGO_SETTINGS_MODULE"] = "ioffice.settings"
            sys.path.insert(0, str(ROOT))
            if sys.argv[2] == "postgresql":
                try:
                    with scratch_database(f"ioffice_bench_{name}_{os.getpid()}") as url:
                        os.environ["IOFFICE_DATABASE_URL"] = url
                        run("postgresql")
                except PostgresUnavailable as exc:
                    print(json.dumps({"bench": name, "db": "postgresql", "skipped": str(exc)}))
            else:
                os.environ.pop("IOFFICE_DATABASE_URL", None)
                run("sqlite")
        return
    for db in ("sqlite", "postgresql"):
        subprocess.run([sys.executable, script, "--db", db], check=True, cwd=ROOT)
