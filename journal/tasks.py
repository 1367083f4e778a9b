"""Background work: tasks on the database queue that retry with exponential back-off.

django-tasks with the django-tasks-db backend stores each enqueued task as a row, written in the
caller's transaction (so a task commits or vanishes with the change that caused it) and run by
``manage.py db_worker``. The backend has no retries of its own; :func:`background_task` adds them.
When the function raises and attempts remain, the same task is enqueued again to run after
``IOFFICE_TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)`` seconds, with the attempt number carried in
its keyword arguments, and the exception is re-raised so the failed attempt stays visible as FAILED
in the admin. Each attempt is thus its own row: FAILED, FAILED, …, SUCCESSFUL.

The worker claims a row in one short transaction, then calls the function in autocommit and marks
the row in another (``django_tasks_db.management.commands.db_worker.Worker.run_task``): nothing rolls
the retry row back when the attempt fails, so it is enqueued right where the failure is caught.
Task functions own their transactions (they call actions, which are atomic) and must be idempotent:
an attempt may have done part of its work before it failed, and a retry repeats it.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import DEFAULT_TASK_QUEUE_NAME, task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

#: The keyword argument that carries the attempt number from one attempt's row to the next.
ATTEMPT_KWARG = "_attempt"


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based) before the next one."""
    return datetime.timedelta(seconds=float(settings.IOFFICE_TASK_RETRY_BASE_SECONDS) * 2 ** (attempt - 1))


def background_task(
    *,
    max_attempts: int | None = None,
    priority: int = 0,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
) -> Callable[[Callable[..., Any]], Task]:
    """Make a module-level function a task that is retried with back-off when it raises.

    ``max_attempts`` counts every run, the first included (default ``IOFFICE_TASK_MAX_ATTEMPTS``).
    Enqueue it as any django-tasks task: ``my_task.enqueue(document_id=7)``, inside the transaction
    whose change it follows up. Arguments must be JSON (ids, not model instances).
    """

    def decorate(func: Callable[..., Any]) -> Task:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            try:
                return func(*args, **kwargs)
            except Exception:
                limit = max_attempts if max_attempts is not None else settings.IOFFICE_TASK_MAX_ATTEMPTS
                if attempt < limit:
                    run_after = timezone.now() + retry_delay(attempt)
                    retried.using(run_after=run_after).enqueue(*args, **kwargs, **{ATTEMPT_KWARG: attempt + 1})
                    logger.warning(
                        "task %s failed (attempt %d of %d); retrying after %s",
                        retried.module_path,
                        attempt,
                        limit,
                        run_after.isoformat(),
                    )
                else:
                    logger.error("task %s failed on its last attempt (%d of %d)", retried.module_path, attempt, limit)
                raise

        # functools.wraps gave ``run`` the function's module and name, so the stored task path
        # resolves to this Task object, and the worker calls ``run`` through it.
        retried = task(priority=priority, queue_name=queue_name)(run)
        return retried

    return decorate


#: How long finished task rows are kept: successful ones long enough to answer "did it run?", failed
#: ones long enough for someone to look at them.
KEEP_SUCCESSFUL_DAYS = 14
KEEP_FAILED_DAYS = 90


def prune_finished() -> None:
    """Delete old finished task rows (a daily job): repeating jobs add thousands a day to the queue table."""
    from django.core.management import call_command

    call_command(
        "prune_db_task_results",
        "--queue-name=*",
        f"--min-age-days={KEEP_SUCCESSFUL_DAYS}",
        f"--failed-min-age-days={KEEP_FAILED_DAYS}",
        verbosity=0,
    )
