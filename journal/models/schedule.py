"""Scheduled jobs' bookkeeping: when each job next falls due, and which queued task will run it."""

from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """One row per scheduled job (lịch chạy định kỳ); see :mod:`journal.schedule`."""

    name = models.CharField("tên công việc", max_length=100, unique=True)
    next_run_at = models.DateTimeField("lần chạy kế tiếp")
    task_id = models.CharField("tác vụ đang chờ", max_length=64, blank=True)
    last_run_at = models.DateTimeField("lần chạy gần nhất", null=True, blank=True)

    class Meta:
        verbose_name = "công việc định kỳ"
        verbose_name_plural = "công việc định kỳ"

    def __str__(self) -> str:
        return self.name
