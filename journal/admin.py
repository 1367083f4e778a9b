"""The audit trail in the admin: to read, filter and search — never to add, change or delete."""

from __future__ import annotations

from django.contrib import admin

from journal.models import AuditEvent, ScheduledJob


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "verb", "actor_username", "unit_name", "object_type", "object_id", "object_repr", "ip")
    list_filter = ("verb", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_username", "object_id", "object_repr", "unit_name")
    date_hierarchy = "at"
    ordering = ("-id",)
    # Counting a long trail for every page is slow; the paginator shows "more" instead.
    show_full_result_count = False
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    """Daily jobs, to see when each last ran and next falls due; the schedule itself lives in code."""

    list_display = ("name", "next_run_at", "last_run_at", "task_id")
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
