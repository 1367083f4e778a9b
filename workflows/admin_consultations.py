"""Admin for consultations (lấy ý kiến): read-only, because every change goes through the actions."""

from django.contrib import admin

from workflows.models import Consultation, ConsultationRequest, Opinion, OpinionFile


class _ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ConsultationRequestInline(_ReadOnly, admin.TabularInline):
    model = ConsultationRequest
    fields = ("position", "user", "unit", "current_opinion")
    readonly_fields = fields
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("document", "asked_by", "deadline", "state", "created_at")
    list_filter = ("state",)
    list_select_related = ("document", "asked_by")
    search_fields = ("document__summary", "question")
    inlines = [ConsultationRequestInline]


class OpinionFileInline(_ReadOnly, admin.TabularInline):
    model = OpinionFile
    fields = ("filename", "content_type", "size", "sha256")
    readonly_fields = fields
    extra = 0


@admin.register(Opinion)
class OpinionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("request", "by", "stance", "answered_at", "superseded_at")
    list_filter = ("stance",)
    list_select_related = ("request__user", "request__unit", "by")
    inlines = [OpinionFileInline]
