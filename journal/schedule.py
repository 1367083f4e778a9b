"""Scheduled jobs: work that must happen because time passes, not because someone acted.

Memberships expire at midnight, deadlines come near, files fall due for deposit, committed audit
rows wait to be sealed into the chain. Each such job is a module-level function registered at
start-up (from an ``AppConfig.ready()`` of journal or a higher app) with :func:`register_daily` (once
a day at a local time of day) or :func:`register_every` (every so many seconds), and runs as a task on
the same database queue as everything else, so it retries with back-off and shows in the admin.

:func:`ensure_scheduled` (``manage.py journal_schedule``, which ``scripts/run`` and the worker service
call before starting the worker) makes sure every job has a pending task; a lost one (a restored
database, a purged queue) is queued again. The task runs the job and then, under the job row's lock,
queues the next day's run, unless another copy already did: duplicates can happen (a retry beside a
re-queued run) and are harmless because a job must be idempotent, but only one copy moves the
schedule on.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from journal.models import ScheduledJob
from journal.tasks import background_task

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A daily job has ``at`` (a local time of day); a repeating one has ``every``."""

    name: str
    function: str
    at: datetime.time | None = None
    every: datetime.timedelta | None = None

    def next_due(self, *, after: datetime.datetime) -> datetime.datetime:
        if self.every is not None:
            return after + self.every
        return next_occurrence(self.at, after=after)


_jobs: dict[str, Job] = {}


def register_daily(name: str, function: str, *, at: datetime.time) -> None:
    """Run ``function`` (dotted path of an idempotent module-level function) daily at ``at``, local time."""
    import_string(function)  # a typo fails at start-up, not at one o'clock in the morning
    _jobs[name] = Job(name=name, function=function, at=at)


def register_every(name: str, function: str, *, every: datetime.timedelta) -> None:
    """Run ``function`` (as for :func:`register_daily`) again ``every`` after each run ends."""
    import_string(function)
    if every < datetime.timedelta(seconds=1):
        raise ValueError(f"job {name!r} would run more often than the worker looks for tasks")
    _jobs[name] = Job(name=name, function=function, every=every)


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def next_occurrence(at: datetime.time, *, after: datetime.datetime) -> datetime.datetime:
    """The first moment strictly after ``after`` whose local time of day is ``at``."""
    local = timezone.localtime(after)
    candidate = timezone.make_aware(datetime.datetime.combine(local.date(), at))
    if candidate <= after:
        candidate = timezone.make_aware(datetime.datetime.combine(local.date() + datetime.timedelta(days=1), at))
    return candidate


def _queue(job: ScheduledJob, due: datetime.datetime) -> None:
    result = run_scheduled_job.using(run_after=due).enqueue(name=job.name, due=due.isoformat())
    job.next_run_at = due
    job.task_id = str(result.id)


def ensure_scheduled(*, now: datetime.datetime | None = None) -> list[str]:
    """Queue every registered job that has no pending task; returns the names queued."""
    now = now or timezone.now()
    queued = []
    for spec in jobs():
        with transaction.atomic():
            job = ScheduledJob.objects.select_for_update().filter(name=spec.name).first()
            if job is not None and job.task_id:
                pending = DBTaskResult.objects.filter(
                    pk=job.task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
                ).exists()
                if pending:
                    continue
            if job is None:
                job = ScheduledJob(name=spec.name, next_run_at=now)
            if job.pk and job.next_run_at > now:
                due = job.next_run_at
            else:
                due = now if spec.every is not None else spec.next_due(after=now)
            _queue(job, due)
            job.save()
            queued.append(spec.name)
    return queued


@background_task()
def run_scheduled_job(*, name: str, due: str) -> str:
    """Run job ``name`` for its occurrence ``due``, then queue the next one (a task)."""
    spec = _jobs.get(name)
    if spec is None:
        # The code that registered it is gone; nothing to run, and nothing to reschedule.
        logger.warning("scheduled job %s is no longer registered; dropped", name)
        return "unregistered"
    import_string(spec.function)()
    due_at = datetime.datetime.fromisoformat(due)
    with transaction.atomic():
        job = ScheduledJob.objects.select_for_update().get(name=name)
        job.last_run_at = timezone.now()
        if job.next_run_at == due_at:
            _queue(job, spec.next_due(after=max(due_at, timezone.now())))
        job.save()
    return "done"
