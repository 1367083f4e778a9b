"""Health endpoints for load balancers: /healthz (the process answers) and /readyz (it can work).

/readyz checks what a request needs: the database, the blob store (a fixed probe written and read
back verified: content-addressed, so always the same key and no growth), search, and the task queue
(with the audit rows waiting to be sealed). Each check reports its own failure without a traceback;
any failure makes the answer 503.
"""

from __future__ import annotations

import time

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.models import Count, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult

from journal.models import AuditEvent
from search import health as search_health

_PROBE = b"ioffice readiness probe\n"


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _blobs() -> dict:
    store = storages["blobs"]
    key = store.save("readyz-probe", ContentFile(_PROBE))
    with store.open(key) as handle:
        if handle.read() != _PROBE:
            raise RuntimeError("probe read back differs")
    return {"backend": type(store).__name__}


def _search() -> dict:
    ok, detail = search_health.check()
    if not ok:
        raise RuntimeError(detail)
    return {"backend": detail}


def _queue() -> dict:
    """Tasks waiting, and audit rows the worker has not sealed into the chain yet (both grow if it stopped)."""
    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    unsealed = AuditEvent.objects.filter(hash__isnull=True).aggregate(n=Count("id"), oldest=Min("at"))
    return {
        "ready": ready.count(),
        "oldest_ready_seconds": _age(oldest, now),
        "unsealed_audit_rows": unsealed["n"],
        "oldest_unsealed_seconds": _age(unsealed["oldest"], now),
    }


def _age(moment, now) -> float:
    return round((now - moment).total_seconds(), 1) if moment else 0.0


CHECKS = {"database": _database, "blobs": _blobs, "search": _search, "queue": _queue}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except Exception as error:  # a check reports its own failure; the others still run
            healthy = False
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503)
