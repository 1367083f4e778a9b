"""Admin pages for document types and registers (sổ), in Vietnamese.

Rows here are never deleted: a type is deactivated (issued documents refer to it) and a register
stays as the record of the numbers it gave. A register's counter is never edited by hand: it may be
set once, when a register is opened in the middle of a year that began on paper, and from then on
only :mod:`documents.numbering` moves it. Every save goes through :mod:`documents.actions`.
"""

from __future__ import annotations

from django.contrib import admin

from documents.actions import do_open_register, do_rename_register, do_save_document_type, do_set_document_type_active
from documents.models import DocumentType, Register
from journal.errors import DomainError
from organizations.admin_base import ActionAdmin


class _Admin(ActionAdmin):
    refusals = (*ActionAdmin.refusals, DomainError)


_TYPE_FIELDS = ("name", "abbreviation", "kind", "is_legal_normative", "is_active", "ordering")


@admin.register(DocumentType)
class DocumentTypeAdmin(_Admin):
    list_display = ("name", "abbreviation", "kind", "is_legal_normative", "is_active", "ordering")
    list_filter = ("kind", "is_legal_normative", "is_active")
    search_fields = ("name", "abbreviation")
    ordering = ("ordering", "name")
    actions = ("deactivate", "activate")
    fields = _TYPE_FIELDS

    def save_model(self, request, obj, form, change):
        do_save_document_type(obj, acting_user=request.user)

    @admin.action(description="Ngừng sử dụng các loại văn bản đã chọn", permissions=["change"])
    def deactivate(self, request, queryset):
        self._run_each(
            request,
            queryset,
            lambda t: do_set_document_type_active(t, acting_user=request.user, active=False),
            "Đã ngừng sử dụng",
        )

    @admin.action(description="Dùng lại các loại văn bản đã chọn", permissions=["change"])
    def activate(self, request, queryset):
        self._run_each(
            request,
            queryset,
            lambda t: do_set_document_type_active(t, acting_user=request.user, active=True),
            "Đã dùng lại",
        )


@admin.register(Register)
class RegisterAdmin(_Admin):
    list_display = ("name", "unit", "direction", "year", "document_type", "last_number", "created_at")
    list_filter = ("year", "direction", ("unit", admin.RelatedOnlyFieldListFilter), "unit__kind")
    search_fields = ("name", "unit__name", "unit__abbreviation", "unit__code")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit", "document_type")
    actions = None
    fields = ("name", "unit", "direction", "year", "document_type", "last_number", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("created_at",)
        # Only the name may change: the rest is the register's identity, and the counter is the system's.
        return ("unit", "direction", "year", "document_type", "last_number", "created_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "document_type":
            kwargs["queryset"] = DocumentType.objects.filter(is_legal_normative=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            do_rename_register(obj, acting_user=request.user, name=obj.name)
        else:
            do_open_register(obj, acting_user=request.user)
