"""Read-only admin for dispatches: states change only through the actions, never by hand."""

from django.contrib import admin

from workflows import admin_consultations  # noqa: F401  (registers the consultation admin)
from workflows.models import Delivery, DeliveryTransition, Dispatch, DispatchTransition


class DispatchTransitionInline(admin.TabularInline):
    model = DispatchTransition
    fields = ("at", "name", "from_state", "to_state", "actor", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ("document", "state", "reviewer", "signer", "created_at")
    list_filter = ("state",)
    list_select_related = ("document", "reviewer", "signer")
    inlines = [DispatchTransitionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dispatch._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DeliveryTransitionInline(DispatchTransitionInline):
    model = DeliveryTransition
    fields = ("at", "name", "from_status", "to_status", "actor", "comment")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("document", "recipient", "purpose", "channel", "status", "arrived_at")
    list_filter = ("status", "channel", "purpose")
    list_select_related = ("document", "recipient")
    search_fields = ("recipient__name", "document__symbol")
    raw_id_fields = ("dispatch", "document", "recipient", "parent")
    inlines = [DeliveryTransitionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from workflows.models import Notification  # noqa: E402  (appended with the notifications admin)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the event handlers and read through the app, never edited here."""

    list_display = ("title", "user", "kind", "urgent", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", "urgent")
    list_select_related = ("user",)
    search_fields = ("title", "key", "user__username")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from django.db import transaction  # noqa: E402  (appended with the routing and calendar admin)

from journal.audit import record  # noqa: E402
from workflows.models import (  # noqa: E402
    Assignment,
    AssignmentTransition,
    CalendarDay,
    DeadlineExtension,
    ReminderSent,
    Routing,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Editable: lunar holidays and make-up days change every year and are entered here by administrators."""

    list_display = ("date", "name", "working")
    list_filter = ("working",)
    date_hierarchy = "date"
    search_fields = ("name",)

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                actor=request.user,
                verb="workflows.calendar.day_changed" if change else "workflows.calendar.day_added",
                target=obj,
                data={"date": obj.date.isoformat(), "working": obj.working, "name": obj.name},
            )

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            record(
                actor=request.user,
                verb="workflows.calendar.day_deleted",
                target=obj,
                data={"date": obj.date.isoformat(), "working": obj.working, "name": obj.name},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AssignmentTransitionInline(_ReadOnlyInline):
    model = AssignmentTransition
    fields = ("at", "name", "from_state", "to_state", "actor", "comment")
    readonly_fields = fields


class DeadlineExtensionInline(_ReadOnlyInline):
    model = DeadlineExtension
    fields = ("at", "old_deadline", "new_deadline", "reason", "extended_by")
    readonly_fields = fields


class ReminderSentInline(_ReadOnlyInline):
    model = ReminderSent
    fields = ("sent_at", "kind", "deadline")
    readonly_fields = fields


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Routing slips and assignments change only through the actions (workflows.actions.routing)."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Routing)
class RoutingAdmin(_ReadOnlyAdmin):
    list_display = ("delivery", "routed_by", "routed_at")
    list_select_related = ("delivery__document", "delivery__recipient", "routed_by")
    raw_id_fields = ("delivery", "routed_by")


@admin.register(Assignment)
class AssignmentAdmin(_ReadOnlyAdmin):
    list_display = ("delivery", "kind", "unit", "user", "deadline", "state")
    list_filter = ("kind", "state")
    list_select_related = ("delivery__document", "delivery__recipient", "unit", "user")
    raw_id_fields = ("delivery", "parent", "unit", "user", "assigned_by", "acknowledged_by")
    inlines = [AssignmentTransitionInline, DeadlineExtensionInline, ReminderSentInline]
