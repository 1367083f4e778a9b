"""Read-only admin for dispatches: states change only through the actions, never by hand."""

from django.contrib import admin

from workflows.models import Dispatch, DispatchTransition


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
