"""Admin pages for units, memberships and delegations; every write goes through the actions.

The admin wraps a change form in its own transaction, but actions own theirs (``durable=True``), so
the change form runs without that outer wrapper here. Rows are never deleted from the admin: units
are deactivated, memberships ended and delegations revoked, keeping the history the audit refers to.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError

from organizations.actions import (
    do_create_delegation,
    do_end_membership,
    do_grant_membership,
    do_revoke_delegation,
    do_save_distribution_list,
    do_save_unit,
)
from organizations.admin_base import ActionAdmin
from organizations.models import Delegation, DistributionList, Membership, Unit
from organizations.selectors import resolve_distribution_list


@admin.register(Unit)
class UnitAdmin(ActionAdmin):
    list_display = ("name", "kind", "school_level", "parent", "code", "abbreviation", "enrolled", "is_active")
    list_filter = ("kind", "school_level", "enrolled", "is_active")
    search_fields = ("name", "short_name", "code", "abbreviation")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "created_at", "updated_at")
    list_select_related = ("parent",)
    actions = ("deactivate",)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "kind", "school_level", "parent")}),
        ("Định danh", {"fields": ("code", "abbreviation")}),
        ("Trạng thái", {"fields": ("enrolled", "is_active", "path", "created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        do_save_unit(obj, acting_user=request.user)

    @admin.action(description="Ngừng hoạt động các đơn vị đã chọn")
    def deactivate(self, request, queryset):
        def run(unit):
            unit.is_active = False
            do_save_unit(unit, acting_user=request.user)

        self._run_each(request, queryset, run, "Đã ngừng hoạt động")


@admin.register(Membership)
class MembershipAdmin(ActionAdmin):
    list_display = ("user", "unit", "role", "title", "valid_from", "valid_until", "ended_at")
    list_filter = ("role", "unit__kind")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name", "unit__code", "title")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")
    date_hierarchy = "valid_from"
    actions = ("end_now",)

    def get_readonly_fields(self, request, obj=None):
        # Once granted, only the last day may change (shortened); anything else is a new grant.
        if obj is not None:
            return ("user", "unit", "role", "title", "valid_from", "ended_at")
        return ()

    def save_model(self, request, obj, form, change):
        if change:
            if "valid_until" not in form.changed_data:
                return
            if obj.valid_until is None:
                raise ValidationError("Không thể bỏ ngày kết thúc; để kéo dài, hãy phân công mới.")
            do_end_membership(obj, acting_user=request.user, last_day=obj.valid_until)
            obj.refresh_from_db()
            return
        saved = do_grant_membership(
            acting_user=request.user,
            user=obj.user,
            unit=obj.unit,
            role=obj.role,
            title=obj.title,
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
        )
        obj.pk = saved.pk

    @admin.action(description="Kết thúc hiệu lực ngay các phân công đã chọn")
    def end_now(self, request, queryset):
        self._run_each(request, queryset, lambda m: do_end_membership(m, acting_user=request.user), "Đã kết thúc")


@admin.register(Delegation)
class DelegationAdmin(ActionAdmin):
    list_display = ("delegator", "delegate", "unit", "scope", "starts_on", "ends_on", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("delegator__username", "delegate__username", "unit__name", "reason")
    autocomplete_fields = ("unit", "delegator", "delegate")
    list_select_related = ("unit", "delegator", "delegate")
    actions = ("revoke",)

    def has_change_permission(self, request, obj=None):
        # A delegation is revoked and made anew, never edited: the signed documents refer to it.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = do_create_delegation(
            acting_user=request.user,
            unit=obj.unit,
            delegator=obj.delegator,
            delegate=obj.delegate,
            scope=obj.scope,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            reason=obj.reason,
        )
        obj.pk = saved.pk

    @admin.action(description="Thu hồi các ủy quyền đã chọn")
    def revoke(self, request, queryset):
        self._run_each(request, queryset, lambda d: do_revoke_delegation(d, acting_user=request.user), "Đã thu hồi")


@admin.register(DistributionList)
class DistributionListAdmin(ActionAdmin):
    list_display = ("name", "owner", "resolved_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
    autocomplete_fields = ("owner", "under", "units")
    readonly_fields = ("resolved_preview",)

    @admin.display(description="số đơn vị nhận")
    def resolved_count(self, obj: DistributionList) -> int:
        return resolve_distribution_list(distribution_list=obj).count()

    @admin.display(description="các đơn vị nhận hiện nay")
    def resolved_preview(self, obj: DistributionList) -> str:
        if obj.pk is None:
            return "—"
        units = resolve_distribution_list(distribution_list=obj)
        names = list(units.values_list("name", flat=True)[:20])
        more = units.count() - len(names)
        return "; ".join(names) + (f"; … và {more} đơn vị khác" if more > 0 else "")

    def save_model(self, request, obj, form, change):
        do_save_distribution_list(obj, acting_user=request.user, units=form.cleaned_data.get("units"))

    def save_related(self, request, form, formsets, change):
        # The action already set the named units, inside its own transaction and audit row.
        pass
