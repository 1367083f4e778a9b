"""Admin for changes of access to documents: read-only, because asking and deciding go through the actions.

A change made in the admin would skip the second person the decree requires, so the admin only shows
who asked, who decided and when.
"""

from django.contrib import admin

from documents.models import AccessChange

_FIELDS = (
    "document",
    "kind",
    "grantee_user",
    "grantee_unit",
    "permission",
    "reason",
    "requested_by",
    "requested_at",
    "state",
    "decided_by",
    "decided_at",
    "decision_comment",
)


@admin.register(AccessChange)
class AccessChangeAdmin(admin.ModelAdmin):
    list_display = ("document", "kind", "grantee_user", "grantee_unit", "permission", "state", "requested_at")
    list_filter = ("state", "kind", "permission")
    list_select_related = ("document", "grantee_user", "grantee_unit")
    search_fields = ("document__summary", "document__symbol", "grantee_user__username", "grantee_unit__name")
    fields = _FIELDS
    readonly_fields = _FIELDS
    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
