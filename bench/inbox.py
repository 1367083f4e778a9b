"""Inbox benchmark: the clerk's "chờ vào sổ" page over 2,000,000 delivery rows, on SQLite and on PostgreSQL.

For each database, in its own process (settings are read once per process): a temporary, migrated
database (SQLite: a file in a temp dir; PostgreSQL: a scratch database, see ``bench/_postgres.py``),
750 recipient schools, one issued dispatch per document (2,667 documents, a few Hỏa tốc and Thượng
khẩn), and every dispatch delivered to every school: 2,000,000 deliveries, about 3 % of them still
``arrived`` (the backlog), the rest completed (the registration columns stay empty: they are not
what the inbox reads). The deliveries are generated inside the database (``generate_series`` on
PostgreSQL, a recursive CTE on SQLite) with the table's secondary indexes dropped and rebuilt after
the load (the unique ones check their rows as they are rebuilt; the primary key, the unconditional
unique constraint and the foreign keys stay in force throughout), then ``ANALYZE``.

Measured: ``list(to_register(clerk, unit)[:50])`` — the ORM query with the document, its issuer and
its type joined — ``RUNS`` times for one school after a warm-up; ``p50_ms``/``p95_ms`` of those, the
SQL statement count of a page of 10 and of 50, and the index the plan reads (``EXPLAIN``). Targets:
p95 ≤ 5 ms on SQLite, ≤ 8 ms on PostgreSQL; the two counts equal. One JSON line per database; with no
PostgreSQL to use, a line saying "skipped" and why.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _harness import per_database  # noqa: E402

UNITS = 750
DELIVERIES = 2_000_000
DOCUMENTS = -(-DELIVERIES // UNITS)  # every document goes to every school: 2,667
RUNS = 300
#: Per mille of deliveries still waiting for a số đến.
BACKLOG_PER_MILLE = 30
INDEX = "wf_delivery_unit_unregistered"


def main() -> None:
    per_database("inbox", run, script=__file__)


def run(db: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0, interactive=False)

    from organizations.models import Role
    from tests.organizations.factories import make_membership, make_user
    from tests.workflows.factories import make_agency, make_units
    from workflows.incoming_selectors import to_register
    from workflows.models import Delivery

    agency = make_agency()
    units = make_units(UNITS, parent=agency.department, groups=False)
    started = time.perf_counter()
    _load(connection, agency, units)
    build_s = time.perf_counter() - started

    unit = units[UNITS // 3]
    clerk = make_user()
    make_membership(user=clerk, unit=unit, role=Role.CLERK)

    def page(size: int) -> list:
        return list(to_register(clerk, unit)[:size])

    with CaptureQueriesContext(connection) as ctx10:
        first = page(10)
    with CaptureQueriesContext(connection) as ctx50:
        rows = page(50)
    assert len(first) == 10 and len(rows) == 50, (len(first), len(rows))
    assert rows[0].document.issuer.pk == agency.department.pk  # joined, not lazily loaded
    plan = to_register(clerk, unit)[:50].explain()
    for _ in range(20):
        page(50)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        page(50)
        timings.append(time.perf_counter() - start)
    timings.sort()
    print(
        json.dumps(
            {
                "bench": "inbox",
                "db": db,
                "deliveries": Delivery.objects.count(),
                "units": UNITS,
                "backlog_at_unit": to_register(clerk, unit).count(),
                "p50_ms": round(statistics.median(timings) * 1000, 2),
                "p95_ms": round(timings[int(len(timings) * 0.95) - 1] * 1000, 2),
                "queries_page_10": len(ctx10.captured_queries),
                "queries_page_50": len(ctx50.captured_queries),
                "uses_partial_index": INDEX in plan,
                "build_s": round(build_s, 1),
            }
        ),
        flush=True,
    )


def _load(connection, agency, units) -> None:
    """Documents and dispatches through the ORM in bulk, then the 2,000,000 deliveries generated in SQL."""
    from django.db import transaction
    from django.utils import timezone

    from documents.models import Document
    from tests.documents.factories import document_type
    from workflows.models import Delivery, Dispatch, DispatchState

    now = timezone.now()
    kind = document_type(name="Công văn")
    docs = Document.objects.bulk_create(
        [
            Document(
                document_type=kind,
                issuer=agency.department,
                drafting_unit=agency.division,
                created_by=agency.drafter,
                summary=f"V/v triển khai nhiệm vụ năm học, đợt {j}",
                urgency=_urgency(j),
                number=j + 1,
                symbol=f"{j + 1}/SGDĐT-CNTTTBT",
                issued_on=now.date(),
                locked=True,
            )
            for j in range(DOCUMENTS)
        ],
        batch_size=500,
    )
    docs = list(Document.objects.order_by("pk")) if docs[0].pk is None else docs
    dispatches = Dispatch.objects.bulk_create(
        [Dispatch(document=d, state=DispatchState.ISSUED, issued_at=now) for d in docs], batch_size=500
    )
    dispatches = list(Dispatch.objects.order_by("pk")) if dispatches[0].pk is None else dispatches
    doc0, dispatch0, unit0 = docs[0].pk, dispatches[0].pk, units[0].pk
    # The generator below addresses rows by offset from the first id: the ids must run without gaps.
    for rows in (docs, dispatches, units):
        assert rows[-1].pk - rows[0].pk == len(rows) - 1

    table = Delivery._meta.db_table
    # j: the document (arrival 3 hours apart, oldest first); u: the school. Hỏa tốc every 53rd
    # document, Thượng khẩn every 17th; the backlog a hash of the row number, about 3 %.
    j, u = f"(g / {UNITS})", f"(g % {UNITS})"
    status = f"CASE WHEN ((g * 7919 + {j} * 31) % 1000) < {BACKLOG_PER_MILLE} THEN 'arrived' ELSE 'completed' END"
    priority = f"CASE WHEN {j} % 53 = 0 THEN 2 WHEN {j} % 17 = 0 THEN 1 ELSE 0 END"
    columns = "dispatch_id, document_id, recipient_id, purpose, channel, status, arrived_at, priority"
    with transaction.atomic():
        dropped = _drop_secondary_indexes(connection, table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                arrived = f"TIMESTAMPTZ '2025-01-01 00:00:00+00' + {j} * INTERVAL '3 hours'"
                # Check the foreign keys at the end of the statement, not at commit: an index cannot be
                # built on a table with deferred checks still pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # Every piece of this statement is a constant of this file or an id read above.
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {dispatch0} + {j}, {doc0} + {j}, {unit0} + {u}, "  # noqa: S608
                    f"'thuc_hien', 'electronic', {status}, {arrived}, {priority} "
                    f"FROM generate_series(CAST(0 AS bigint), {DELIVERIES - 1}) AS g"
                )
            else:
                cursor.execute("PRAGMA cache_size = -400000")  # 400 MB of page cache for the index builds
                arrived = f"strftime('%Y-%m-%d %H:%M:%S', '2025-01-01 00:00:00', '+' || ({j} * 3) || ' hours')"
                cursor.execute(
                    f"WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < {DELIVERIES - 1}) "  # noqa: S608
                    f"INSERT INTO {table} ({columns}) SELECT {dispatch0} + {j}, {doc0} + {j}, {unit0} + {u}, "
                    f"'thuc_hien', 'electronic', {status}, {arrived}, {priority} FROM s"
                )
            for sql in dropped:
                cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _urgency(j: int) -> str:
    return "hoa_toc" if j % 53 == 0 else "thuong_khan" if j % 17 == 0 else ""


def _drop_secondary_indexes(connection, table: str) -> list[str]:
    """Drop the table's indexes that back no constraint; return the statements that rebuild them.

    Building an index once over loaded rows is several times faster than keeping ten of them up to
    date row by row; the primary key, unique constraints and foreign keys stay in force throughout.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        found = [(name, sql) for name, sql in cursor.fetchall() if sql]
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


if __name__ == "__main__":
    main()
