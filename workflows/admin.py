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
