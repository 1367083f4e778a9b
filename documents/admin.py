"""Admin pages for document types and registers (sổ), in Vietnamese.

Rows here are never deleted: a type is deactivated (issued documents refer to it) and a register
stays as the record of the numbers it gave. A register's counter is never edited by hand: it may be
set once, when a register is opened in the middle of a year that began on paper, and from then on
only :mod:`documents.numbering` moves it. Every save goes through :mod:`documents.actions`.
Documents and their drafts are shown read-only: they are written by the drafting actions alone, so
the admin is a place to look at a draft's recipients, files and versions, never to edit them.
"""

from __future__ import annotations

from django.contrib import admin

from documents import admin_access  # noqa: F401  (registers the read-only access-change admin)
from documents.actions import do_open_register, do_rename_register, do_save_document_type, do_set_document_type_active
from documents.models import (
    Attachment,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentReference,
    DocumentType,
    DocumentVersion,
    Register,
)
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


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class DocumentRecipientInline(_ReadOnlyInline):
    model = DocumentRecipient
    fields = ("unit", "purpose", "position")


class DocumentRecipientListInline(_ReadOnlyInline):
    model = DocumentRecipientList
    fields = ("distribution_list", "purpose", "position")


class DocumentReferenceInline(_ReadOnlyInline):
    model = DocumentReference
    fk_name = "document"
    fields = ("kind", "target", "citation", "position")


class AttachmentInline(_ReadOnlyInline):
    model = Attachment
    fields = ("role", "filename", "content_type", "size", "blob_key", "added_in_version", "removed_in_version")


class DocumentVersionInline(_ReadOnlyInline):
    model = DocumentVersion
    fields = ("number", "created_by", "created_at", "comment")


@admin.register(Document)
class DocumentAdmin(_Admin):
    list_display = ("summary", "document_type", "drafting_unit", "created_by", "symbol", "version", "updated_at")
    list_filter = ("document_type", "urgency", ("drafting_unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("summary", "symbol")
    list_select_related = ("document_type", "drafting_unit", "created_by")
    date_hierarchy = "created_at"
    actions = None
    inlines = (
        DocumentRecipientInline,
        DocumentRecipientListInline,
        DocumentReferenceInline,
        AttachmentInline,
        DocumentVersionInline,
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Document._meta.fields]
