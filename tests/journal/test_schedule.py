"""Daily jobs: queued once, run by the real worker, rescheduled once, re-queued when lost."""

import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from journal import schedule
from journal.models import ScheduledJob
from organizations.groups import role_group, unit_group
from organizations.models import Membership, Role
from tests.organizations.factories import make_membership, make_unit, make_user

JOB = "organizations.sync_groups"
TASK_PATH = "journal.schedule.run_scheduled_job"


def _pending():
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY)


def test_the_group_sync_is_registered_at_start_up():
    assert JOB in {job.name for job in schedule.jobs()}


def test_registering_an_unknown_function_fails_at_once():
    with pytest.raises(ImportError):
        schedule.register_daily("nothing.here", "organizations.groups.no_such_function", at=datetime.time(1, 0))


@pytest.mark.parametrize(
    ("now_local", "expected_local"),
    [
        ((2026, 11, 28, 0, 4), (2026, 11, 28, 0, 5)),
        ((2026, 11, 28, 0, 5), (2026, 11, 29, 0, 5)),
        ((2026, 12, 31, 23, 0), (2027, 1, 1, 0, 5)),
    ],
)
def test_next_occurrence_is_in_local_time(now_local, expected_local):
    now = timezone.make_aware(datetime.datetime(*now_local))
    expected = timezone.make_aware(datetime.datetime(*expected_local))
    assert schedule.next_occurrence(datetime.time(0, 5), after=now) == expected


@pytest.mark.django_db
def test_ensure_scheduled_queues_each_job_once():
    assert JOB in schedule.ensure_scheduled()
    assert schedule.ensure_scheduled() == []
    job = ScheduledJob.objects.get(name=JOB)
    (task,) = _pending().filter(pk=job.task_id)
    assert task.run_after == job.next_run_at > timezone.now()
    assert timezone.localtime(job.next_run_at).time() == datetime.time(0, 5)
    assert _pending().count() == len(schedule.jobs())


@pytest.mark.django_db
def test_a_lost_task_is_queued_again_for_the_same_time():
    schedule.ensure_scheduled()
    job = ScheduledJob.objects.get(name=JOB)
    DBTaskResult.objects.filter(pk=job.task_id).delete()
    assert JOB in schedule.ensure_scheduled()
    again = ScheduledJob.objects.get(name=JOB)
    assert again.task_id != job.task_id
    assert again.next_run_at == job.next_run_at


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_due_job_and_queues_the_next_one(run_worker):
    unit = make_unit(name="Trường THCS Thử nghiệm")
    user = make_user("gv.het.han")
    today = timezone.localdate()
    make_membership(user=user, unit=unit, role=Role.OFFICER, valid_from=today - datetime.timedelta(days=30))
    # The membership lapsed yesterday; nobody acted, so only the nightly job takes the groups back.
    Membership.objects.filter(user=user).update(valid_until=today - datetime.timedelta(days=1))
    assert user.groups.filter(pk=unit_group(unit).pk).exists()

    yesterday = timezone.now() - datetime.timedelta(days=1)
    schedule.ensure_scheduled(now=yesterday)
    run_worker()

    assert not user.groups.filter(pk__in=[unit_group(unit).pk, role_group(unit, Role.OFFICER).pk]).exists()
    job = ScheduledJob.objects.get(name=JOB)
    assert job.last_run_at is not None
    assert job.next_run_at > timezone.now()
    assert _pending().filter(args_kwargs__kwargs__name=JOB).count() == 1
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.SUCCESSFUL).count() >= 1


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_run_does_not_move_the_schedule_twice(run_worker):
    schedule.ensure_scheduled()
    job = ScheduledJob.objects.get(name=JOB)
    stale = (job.next_run_at - datetime.timedelta(days=1)).isoformat()
    schedule.run_scheduled_job.call(name=JOB, due=stale)
    after = ScheduledJob.objects.get(name=JOB)
    assert (after.next_run_at, after.task_id) == (job.next_run_at, job.task_id)
    assert after.last_run_at is not None


@pytest.mark.django_db
def test_the_command_lists_daily_and_repeating_jobs(capsys):
    from django.core.management import call_command

    call_command("journal_schedule")
    out = capsys.readouterr().out
    assert "organizations.sync_groups at 00:05: queued" in out
    assert "journal.seal every 10 s: queued" in out


@pytest.mark.django_db(transaction=True)
def test_a_repeating_job_runs_at_once_then_again_after_its_interval(run_worker):
    from django.db import transaction

    from journal.audit import record
    from journal.models import AuditEvent

    with transaction.atomic():
        record(actor=None, verb="test.pending")
    before = timezone.now()
    schedule.ensure_scheduled()
    job = ScheduledJob.objects.get(name="journal.seal")
    assert job.next_run_at <= timezone.now(), "a repeating job is due at once"
    run_worker()
    assert AuditEvent.objects.get(verb="test.pending").seq == 1, "the worker sealed it"
    job = ScheduledJob.objects.get(name="journal.seal")
    assert job.next_run_at >= before + datetime.timedelta(seconds=10)
