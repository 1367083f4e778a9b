"""Make sure every scheduled job has a pending task (run before starting a worker; idempotent)."""

from django.core.management.base import BaseCommand

from journal.schedule import ensure_scheduled, jobs


class Command(BaseCommand):
    help = "Xếp lịch các công việc định kỳ còn thiếu vào hàng đợi tác vụ."

    def handle(self, *args, **options):
        queued = ensure_scheduled()
        for job in jobs():
            state = "queued" if job.name in queued else "already pending"
            when = f"every {job.every.total_seconds():g} s" if job.every is not None else f"at {job.at:%H:%M}"
            self.stdout.write(f"{job.name} {when}: {state}")
