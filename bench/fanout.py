"""Fan-out benchmark: issue one dispatch to 750 recipient units, on SQLite and on PostgreSQL.

For each database, in its own process (settings are read once per process): a temporary, migrated
database (SQLite: a file in a temp dir; PostgreSQL: a scratch database on
``IOFFICE_BENCH_DATABASE_URL``, or on a private cluster started for the run: see
``bench/_postgres.py``), 750 schools built in bulk, then ``RUNS`` issues
of fresh sealed dispatches through ``do_issue_dispatch`` (one untimed first). ``median_ms`` is the
action end to end (one durable transaction); ``queries_at_75`` / ``queries_at_750`` count its SQL
statements at those recipient counts. Target: median_ms ≤ 150 on SQLite; the two counts equal.
Prints one JSON line per database; with no PostgreSQL to use, a line saying "skipped" and why.
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

RUNS = 11
RECIPIENTS = 750


def main() -> None:
    per_database("fanout", run, script=__file__)


def run(db: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0, interactive=False)

    from tests.workflows.factories import make_agency, make_sealed, make_units
    from workflows.actions import do_issue_dispatch

    agency = make_agency()
    units = make_units(RECIPIENTS, parent=agency.department, enrolled=lambda i: i % 5 != 0)
    ids = [u.pk for u in units]

    def issue(recipients: list[int]) -> float:
        dispatch = make_sealed(agency, recipients=recipients)
        start = time.perf_counter()
        do_issue_dispatch(dispatch, acting_user=agency.clerk)
        return time.perf_counter() - start

    def statements(recipients: list[int]) -> int:
        # Counted on issues of their own: capturing formats every statement, which is not what is timed.
        dispatch = make_sealed(agency, recipients=recipients)
        with CaptureQueriesContext(connection) as ctx:
            do_issue_dispatch(dispatch, acting_user=agency.clerk)
        return len(ctx.captured_queries)

    issue(ids)  # warm-up: caches, the first plans on PostgreSQL
    at_75, at_750 = statements(ids[:75]), statements(ids)
    timings = [issue(ids) for _ in range(RUNS)]
    print(
        json.dumps(
            {
                "bench": "fanout",
                "db": db,
                "recipients": RECIPIENTS,
                "median_ms": round(statistics.median(timings) * 1000, 1),
                "queries_at_75": at_75,
                "queries_at_750": at_750,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
