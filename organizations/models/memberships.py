"""Who holds which role in which unit (Membership), delegations of authority, and the unit groups.

Validity is by calendar date in Asia/Ho_Chi_Minh: a membership is in force on day ``d`` when
``valid_from <= d <= valid_until`` (``valid_until`` is the last day, open-ended when empty) and it was
not ended early before ``d``. The same shape holds for a delegation (``starts_on``..``ends_on``,
``revoked_at``). Date order, self-delegation and duplicate keys are database constraints.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models.units import Unit


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    OFFICER = "officer", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")
    DEPUTY = "deputy", _("Phó lãnh đạo")
    PRINCIPAL = "principal", _("Hiệu trưởng")
    ARCHIVIST = "archivist", _("Lưu trữ viên")
    ADMIN = "admin", _("Quản trị đơn vị")


class DelegationScope(models.TextChoices):
    SIGN = "sign", _("Ký văn bản")
    ROUTE = "route", _("Phân phối, chỉ đạo xử lý")
    BOTH = "both", _("Ký và phân phối")


def _today() -> datetime.date:
    return timezone.localdate()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def in_force(self, on: datetime.date | None = None) -> MembershipQuerySet:
        """Memberships in force on ``on`` (today by default)."""
        return self.filter(Membership.in_force_q(on or _today()))


class Membership(models.Model):
    """A user's role in a unit (chức vụ, vị trí) for a span of dates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người dùng", on_delete=models.PROTECT, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    title = models.CharField("chức danh", max_length=150, blank=True, help_text="Ví dụ: Giám đốc, Trưởng phòng.")
    valid_from = models.DateField("hiệu lực từ ngày", default=_today)
    valid_until = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)
    ended_at = models.DateTimeField("kết thúc lúc", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "phân công vai trò"
        verbose_name_plural = "phân công vai trò"
        ordering = ["unit__path", "role", "user__username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="org_membership_role_valid"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="org_membership_dates_ordered",
                violation_error_message="Ngày hết hiệu lực không được trước ngày bắt đầu.",
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "role", "valid_from"],
                name="org_membership_unique_start",
                violation_error_message="Người dùng đã có vai trò này tại đơn vị từ cùng ngày.",
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(valid_until__isnull=True, ended_at__isnull=True),
                name="org_membership_one_open_ended",
                violation_error_message="Người dùng đang có vai trò này tại đơn vị (không thời hạn).",
            ),
        ]
        indexes = [models.Index(fields=["user", "valid_from"], name="org_membership_user_from")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    @staticmethod
    def in_force_q(on: datetime.date, prefix: str = "") -> Q:
        """The in-force predicate as a ``Q``, reusable through a relation (``prefix="memberships__"``)."""
        p = prefix
        return (
            Q(**{f"{p}valid_from__lte": on})
            & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gte": on}))
            & (Q(**{f"{p}ended_at__isnull": True}) | Q(**{f"{p}ended_at__date__gt": on}))
        )

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or _today()
        if self.valid_from > on or (self.valid_until is not None and self.valid_until < on):
            return False
        return self.ended_at is None or timezone.localdate(self.ended_at) > on


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def in_force(self, on: datetime.date | None = None) -> DelegationQuerySet:
        on = on or _today()
        return self.filter(starts_on__lte=on, ends_on__gte=on).filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=on)
        )

    def covering(self, authority: str) -> DelegationQuerySet:
        """Delegations that hand over ``authority`` ("sign" or "route"); ``both`` covers either."""
        return self.filter(scope__in=[authority, DelegationScope.BOTH])


class Delegation(models.Model):
    """A leader hands signing and/or routing authority in a unit to someone else for dates (ủy quyền)."""

    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="delegations")
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ủy quyền",
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người được ủy quyền",
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    scope = models.CharField("phạm vi", max_length=10, choices=DelegationScope.choices)
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến hết ngày")
    reason = models.CharField("lý do", max_length=500, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True, editable=False)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = "ủy quyền"
        verbose_name_plural = "ủy quyền"
        ordering = ["-starts_on", "unit__path"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=DelegationScope.values), name="org_delegation_scope_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="org_delegation_dates_ordered",
                violation_error_message="Ngày kết thúc ủy quyền không được trước ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=~Q(delegator=F("delegate")),
                name="org_delegation_not_to_self",
                violation_error_message="Không thể tự ủy quyền cho chính mình.",
            ),
        ]
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"], name="org_delegation_delegate_dates")]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.get_scope_display()}, {self.unit})"


class UnitGroup(models.Model):
    """The Django group of a unit (``role`` empty) or of a (unit, role) pair.

    Object permissions (django-guardian's group tables) are granted to these groups, so one row opens
    an object to a whole unit or to its clerks only. Membership in them is derived from in-force
    memberships by :mod:`organizations.groups`.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="unit_groups")
    role = models.CharField(max_length=20, blank=True, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="unit_link")

    class Meta:
        verbose_name = "nhóm của đơn vị"
        verbose_name_plural = "nhóm của đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["unit", "role"], name="org_unitgroup_unique"),
            models.CheckConstraint(condition=Q(role="") | Q(role__in=Role.values), name="org_unitgroup_role_valid"),
        ]

    def __str__(self) -> str:
        return self.group.name
