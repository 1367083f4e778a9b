"""A scratch PostgreSQL database for a benchmark, on the cluster named or on a private one.

With ``IOFFICE_BENCH_DATABASE_URL`` set, a fresh database is created on that server and dropped
afterwards. Without it, a private cluster is started on 127.0.0.1 in a temporary directory (as
``scripts/test`` does: initdb as the ``postgres`` user when run as root, trust authentication,
fsync off) and removed afterwards, so a benchmark needs nothing running beforehand. When PostgreSQL
is not installed (``scripts/test`` installs it), :class:`PostgresUnavailable` says so.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL to benchmark on; the message says why."""


@contextlib.contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """Yield the URL of an empty database called ``name``; everything is removed on exit."""
    base = os.environ.get("IOFFICE_BENCH_DATABASE_URL", "").strip()
    with contextlib.ExitStack() as stack:
        if not base:
            base = stack.enter_context(_private_cluster())
        yield stack.enter_context(_database(base, name))


@contextlib.contextmanager
def _database(base: str, name: str) -> Iterator[str]:
    import psycopg

    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise PostgresUnavailable(f"{base}: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}") from exc
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _private_cluster() -> Iterator[str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (scripts/test installs it) and IOFFICE_BENCH_DATABASE_URL is unset"
        )
    bindir = os.path.dirname(found[-1])
    run_as: list[str] = []
    workdir = tempfile.mkdtemp(prefix="ioffice-bench-pg-")
    if os.geteuid() == 0:
        # initdb refuses to run as root.
        shutil.chown(workdir, user="postgres")
        run_as = ["runuser", "-u", "postgres", "--", "env", "-C", "/"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = os.path.join(workdir, "data")
    try:
        subprocess.run(
            [
                *run_as,
                f"{bindir}/initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [
                *run_as,
                f"{bindir}/pg_ctl",
                "-D",
                data,
                "-w",
                "-t",
                "60",
                "-l",
                f"{workdir}/server.log",
                "-o",
                options,
                "start",
            ],
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], capture_output=True)
    except subprocess.CalledProcessError as exc:
        raise PostgresUnavailable(
            f"private cluster did not start: {exc.stderr.decode(errors='replace')[-300:]}"
        ) from exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
