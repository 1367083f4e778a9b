"""Numbering benchmark: 8 processes × 500 registrations into ONE unit's incoming register, on PostgreSQL.

Every registration is a real :func:`workflows.actions.incoming.do_register_delivery` (duplicate check,
row lock, number, transition, log row, event, audit row) in its own durable transaction, on its own
arrived delivery; all 4000 queue on the same register row, which is the worst case of a busy office's
clerks at the start of a working day. (The audit row is a plain insert: the worker seals the chain
later, see :mod:`journal.sealing`.) The deliveries are made beforehand
with a few bulk inserts (documents from outside the system, so no dispatch fan-out is timed).

Prints one JSON line, ``per_second`` being registrations per second of wall time from the moment all
processes start together until the last one finishes; ``gaps`` and ``duplicates`` count holes and
repeats in the numbers handed out (both must be 0: the exit status is non-zero otherwise). Target:
per_second ≥ 400.

Two more figures, for diagnosis, come from the same processes on fresh deliveries of the same register:
``counter_only_per_second``, a transaction of ``take_number`` and an UPDATE stamping the number (two
statements under the register's lock), and ``number_into_per_second``, a transaction of
:func:`documents.numbering.take_number_into` alone (number, delivery and audit row in one statement:
what the action does under the lock). The gap between the latter and ``per_second`` is the rest of the
action (re-reading and locking the delivery, rights, duplicate check, log row, event task): CPU that the
8 processes share on the machine's cores.

Uses a scratch database (see ``bench/_postgres.py``); with no PostgreSQL, a line saying "skipped" and why.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _harness import production_mode  # noqa: E402
from _postgres import PostgresUnavailable, scratch_database  # noqa: E402

PROCESSES = 8
PER_PROCESS = 500


def main() -> int:
    # ``--processes N --per-process M`` for profiling runs; the figure reported is the default 8 × 500.
    args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    processes = int(args.get("--processes", PROCESSES))
    per_process = int(args.get("--per-process", PER_PROCESS))
    with tempfile.TemporaryDirectory(prefix="ioffice-bench-numbering-") as var_dir:
        os.environ["IOFFICE_VAR_DIR"] = var_dir
        os.environ["DJANGO_SETTINGS_MODULE"] = "ioffice.settings"
        production_mode()  # inherited by the worker processes
        sys.path.insert(0, str(ROOT))
        try:
            with scratch_database(f"ioffice_bench_numbering_{os.getpid()}") as url:
                os.environ["IOFFICE_DATABASE_URL"] = url
                return run(processes, per_process)
        except PostgresUnavailable as exc:
            print(json.dumps({"bench": "numbering", "db": "postgresql", "skipped": str(exc)}))
            return 0


def run(processes: int, per_process: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False)
    clerk_id, batches = prepare(processes, per_process * len(MODES))
    connections.close_all()  # the workers open their own; nothing is shared across the fork

    rates = {}
    for i, mode in enumerate(MODES):
        share = [ids[i * per_process : (i + 1) * per_process] for ids in batches]
        elapsed = timed_phase(mode, clerk_id, share)
        if isinstance(elapsed, str):
            print(json.dumps({"bench": "numbering", "db": "postgresql", "error": elapsed}))
            return 1
        rates[mode] = round(processes * per_process / elapsed, 1)

    gaps, duplicates, registered = check_numbers()
    total = processes * per_process * len(MODES)
    print(
        json.dumps(
            {
                "bench": "numbering",
                "db": "postgresql",
                "processes": processes,
                "registrations": registered // len(MODES),
                "per_second": rates["action"],
                "gaps": gaps,
                "duplicates": duplicates,
                "counter_only_per_second": rates["counter"],
                "number_into_per_second": rates["number_into"],
            }
        ),
        flush=True,
    )
    return 0 if gaps == 0 and duplicates == 0 and registered == total else 1


def prepare(processes: int, per_process: int) -> tuple[int, list[list[int]]]:
    """One office with a clerk and ``processes × per_process`` arrived deliveries, in a few bulk inserts."""
    from django.utils import timezone

    from documents.models import Document
    from tests.documents.factories import document_type
    from tests.organizations.factories import make_unit
    from tests.workflows.factories import make_agency, make_office
    from workflows.models import Delivery, DeliveryChannel

    agency = make_agency()
    office = make_office(agency=agency, officers=0)
    issuer = make_unit(kind="external", name="UBND tỉnh", enrolled=False)
    kind = document_type(name="Công văn")
    today = timezone.localdate()
    now = timezone.now()
    total = processes * per_process
    documents = Document.objects.bulk_create(
        [
            Document(
                document_type=kind,
                issuer=issuer,
                drafting_unit=issuer,
                created_by=office.clerk,
                summary=f"V/v thử số đến {i}",
                number=i + 1,
                symbol=f"{i + 1}/UBND-VX",
                issued_on=today,
                external=True,
            )
            for i in range(total)
        ],
        batch_size=1000,
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                document=document,
                recipient=office.unit,
                purpose="thuc_hien",
                channel=DeliveryChannel.ELECTRONIC,
                arrived_at=now,
            )
            for document in documents
        ],
        batch_size=1000,
    )
    ids = [d.pk for d in deliveries]
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum does to a live database soon after a bulk load: without statistics the
        # planner takes a freshly filled table for an empty one.
        cursor.execute("ANALYZE")
    return office.clerk.pk, [ids[i::processes] for i in range(processes)]


#: The phases, in order: the real action (the figure), then the two diagnostic lean variants.
MODES = ("action", "counter", "number_into")


def timed_phase(mode: str, clerk_id: int, batches: list[list[int]]) -> float | str:
    """Seconds from the moment all processes start ``mode`` together until the last finishes (or an error)."""
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(len(batches) + 1)
    results = spawn.Queue()
    workers = [spawn.Process(target=register_all, args=(mode, clerk_id, ids, start, results)) for ids in batches]
    for worker in workers:
        worker.start()
    start.wait(timeout=120)
    began = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - began
    for worker in workers:
        worker.join(timeout=60)
    failures = [o for o in outcomes if isinstance(o, str)]
    return failures[0] if failures else elapsed


def register_all(mode: str, clerk_id: int, ids: list[int], start, results) -> None:
    """One clerk's process: wait for the others, then register each delivery in its own transaction."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from workflows.actions.incoming import do_register_delivery

    clerk = get_user_model().objects.get(pk=clerk_id)
    register = do_register_delivery if mode == "action" else _lean(mode, ids[0])
    connection.ensure_connection()
    try:
        start.wait(timeout=120)
        for pk in ids:
            register(pk, acting_user=clerk)
    except Exception as exc:  # reported to the parent, which prints it and fails
        results.put(f"{type(exc).__name__}: {exc}")
        return
    results.put(len(ids))


def _lean(mode: str, any_id: int):
    """The diagnostic variants: ``take_number`` and a stamping UPDATE, or ``take_number_into`` alone."""
    from django.db import transaction
    from django.utils import timezone

    from documents.models import RegisterDirection
    from documents.numbering import register_key, take_number, take_number_into
    from journal.audit import prepare
    from workflows.models import Delivery, DeliveryStatus

    unit = Delivery.objects.select_related("recipient").get(pk=any_id).recipient

    def counter(pk: int, *, acting_user) -> None:
        with transaction.atomic(durable=True):
            taken = take_number(unit=unit, direction=RegisterDirection.INCOMING)
            Delivery.objects.filter(pk=pk).update(
                register_id=taken.register_id,
                incoming_number=taken.number,
                registered_at=timezone.now(),
                status=DeliveryStatus.REGISTERED,
            )

    def number_into(pk: int, *, acting_user) -> None:
        now = timezone.now()
        delivery = Delivery(pk=pk, status=DeliveryStatus.REGISTERED, registered_at=now, registered_by=acting_user)
        delivery._state.adding = False
        with transaction.atomic(durable=True):
            take_number_into(
                delivery,
                key=register_key(unit=unit, direction=RegisterDirection.INCOMING, on=now),
                number_field="incoming_number",
                register_field="register",
                update_fields=["status", "registered_at", "registered_by"],
                expected={"status": DeliveryStatus.ARRIVED},
                audit=prepare(
                    actor=acting_user,
                    verb="workflows.delivery.registered",
                    object_type="workflows.delivery",
                    object_id=pk,
                    unit=unit,
                ),
            )

    return counter if mode == "counter" else number_into


def check_numbers() -> tuple[int, int, int]:
    """Holes and repeats in the office's số đến, and how many deliveries were registered."""
    from django.db.models import Count

    from workflows.models import Delivery

    numbers = list(
        Delivery.objects.filter(incoming_number__isnull=False)
        .values("register_id", "incoming_number")
        .annotate(n=Count("id"))
        .values_list("incoming_number", "n")
    )
    duplicates = sum(n - 1 for _, n in numbers)
    distinct = sorted(number for number, _ in numbers)
    gaps = (distinct[-1] - len(distinct)) if distinct else 0
    return gaps, duplicates, sum(n for _, n in numbers)


if __name__ == "__main__":
    sys.exit(main())
