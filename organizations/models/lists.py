"""Distribution lists (danh sách nơi nhận): saved sets of recipient units an administrator maintains.

A list is a rule — unit kinds, school levels, a subtree, e-office enrolment — plus units named one
by one. It is kept as a rule, not as a frozen set of ids, so "all THPT" still means all THPT after a
school opens; a dispatch resolves it at issue time and stores the units as they were then.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from organizations.models.units import SchoolLevel, Unit, UnitKind


class DistributionList(models.Model):
    name = models.CharField("tên danh sách", max_length=200, unique=True)
    description = models.CharField("mô tả", max_length=500, blank=True)
    owner = models.ForeignKey(
        Unit,
        verbose_name="đơn vị quản lý",
        on_delete=models.PROTECT,
        related_name="distribution_lists",
        help_text="Quản trị của đơn vị này (hoặc cấp trên) được sửa danh sách.",
    )
    kinds = models.JSONField("loại đơn vị", default=list, blank=True, help_text="Để trống: mọi loại.")
    school_levels = models.JSONField("cấp học", default=list, blank=True, help_text="Để trống: mọi cấp học.")
    under = models.ForeignKey(
        Unit,
        verbose_name="thuộc đơn vị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Chỉ các đơn vị trực thuộc (mọi cấp) đơn vị này.",
    )
    enrolled = models.BooleanField(
        "dùng văn phòng điện tử",
        null=True,
        blank=True,
        help_text="Có: chỉ đơn vị dùng văn phòng điện tử; Không: chỉ đơn vị nhận văn bản giấy; trống: cả hai.",
    )
    units = models.ManyToManyField(Unit, verbose_name="thêm từng đơn vị", blank=True, related_name="+")
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "danh sách nơi nhận"
        verbose_name_plural = "danh sách nơi nhận"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_rule(self) -> bool:
        return bool(self.kinds or self.school_levels or self.under_id or self.enrolled is not None)

    def rule_q(self) -> Q:
        """The rule as a filter on units; matches nothing when the list has no rule (only named units)."""
        if not self.has_rule:
            return Q(pk__in=[])
        q = Q()
        if self.kinds:
            q &= Q(kind__in=self.kinds)
        if self.school_levels:
            q &= Q(school_level__in=self.school_levels)
        if self.under_id:
            q &= Q(path__startswith=self.under.path) & ~Q(pk=self.under_id)
        if self.enrolled is not None:
            q &= Q(enrolled=self.enrolled)
        return q

    def clean(self) -> None:
        errors = {}
        for field, allowed in (("kinds", UnitKind.values), ("school_levels", SchoolLevel.values)):
            value = getattr(self, field)
            if not isinstance(value, list) or any(item not in allowed for item in value):
                errors[field] = f"Chỉ chọn trong: {', '.join(allowed)}."
        if errors:
            raise ValidationError(errors)
