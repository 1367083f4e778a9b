"""Make sure every daily job has a pending task (run before starting a worker; idempotent)."""

from django.core.management.base import BaseCommand

from journal.schedule import ensure_scheduled, jobs


class Command(BaseCommand):
    help = "Xếp lịch các công việc định kỳ hằng ngày còn thiếu vào hàng đợi tác vụ."

    def handle(self, *args, **options):
        queued = ensure_scheduled()
        for job in jobs():
            state = "queued" if job.name in queued else "already pending"
            self.stdout.write(f"{job.name} at {job.at:%H:%M}: {state}")
