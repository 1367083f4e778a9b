"""Units (đơn vị) as a tree kept with a materialized path.

The path (``/1/7/42/``: the ids from the root down, each followed by ``/``) makes "every unit under X"
a single indexed prefix query (``path LIKE '/1/7/%'``) instead of recursion in Python; PostgreSQL
gets a ``varchar_pattern_ops`` index for it automatically because the column is indexed. The path is
derived data: only :mod:`organizations.tree` writes it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Sở")
    DIVISION = "division", _("Phòng ban thuộc Sở")
    DISTRICT_OFFICE = "district_office", _("Phòng Giáo dục và Đào tạo")
    SCHOOL = "school", _("Trường học")
    EXTERNAL = "external", _("Cơ quan ngoài ngành")


class SchoolLevel(models.TextChoices):
    MAM_NON = "mam_non", _("Mầm non")
    TIEU_HOC = "tieu_hoc", _("Tiểu học")
    THCS = "thcs", _("Trung học cơ sở")
    THPT = "thpt", _("Trung học phổ thông")
    LIEN_CAP = "lien_cap", _("Liên cấp")
    GDTX = "gdtx", _("Giáo dục thường xuyên")


#: Which parent kinds each kind may sit under; ``None`` stands for "no parent" (a root).
ALLOWED_PARENT_KINDS: dict[str, frozenset[str | None]] = {
    UnitKind.DEPARTMENT: frozenset({None, UnitKind.EXTERNAL}),
    UnitKind.DIVISION: frozenset({UnitKind.DEPARTMENT, UnitKind.DISTRICT_OFFICE}),
    UnitKind.DISTRICT_OFFICE: frozenset({UnitKind.DEPARTMENT}),
    # The district tier is optional: a THPT sits directly under the Sở.
    UnitKind.SCHOOL: frozenset({UnitKind.DEPARTMENT, UnitKind.DISTRICT_OFFICE}),
    UnitKind.EXTERNAL: frozenset({None, UnitKind.EXTERNAL}),
}


class Unit(models.Model):
    """An organisation unit (đơn vị): the Sở, a division of it, a Phòng GDĐT, a school, an outside agency."""

    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=100, blank=True)
    kind = models.CharField("loại đơn vị", max_length=20, choices=UnitKind.choices)
    school_level = models.CharField("cấp học", max_length=10, choices=SchoolLevel.choices, blank=True)
    code = models.CharField(
        "mã định danh",
        max_length=32,
        blank=True,
        help_text="Mã định danh điện tử của cơ quan, đơn vị (ví dụ 000.00.21.H41).",
    )
    abbreviation = models.CharField(
        "chữ viết tắt",
        max_length=32,
        blank=True,
        help_text="Dùng trong ký hiệu văn bản, ví dụ SGDĐT, CNTTTBT.",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("đường dẫn cây", max_length=255, db_index=True, editable=False, blank=True, default="")
    enrolled = models.BooleanField(
        "dùng văn phòng điện tử",
        default=False,
        help_text="Bỏ chọn nếu đơn vị còn nhận văn bản giấy.",
    )
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="org_unit_code_unique",
                violation_error_message="Mã định danh này đã được dùng cho đơn vị khác.",
            ),
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="org_unit_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind=UnitKind.SCHOOL) & Q(school_level__in=SchoolLevel.values))
                | (~Q(kind=UnitKind.SCHOOL) & Q(school_level="")),
                name="org_unit_school_level_iff_school",
                violation_error_message="Trường học phải có cấp học; đơn vị khác không có cấp học.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="org_unit_not_own_parent",
                violation_error_message="Đơn vị không thể là cấp trên của chính nó.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        """0 for a root; derived from the path, so it costs no query."""
        return max(self.path.count("/") - 2, 0)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read from the path."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def ancestors(self) -> models.QuerySet[Unit]:
        """The chain above this unit, root first, in one query."""
        return Unit.objects.filter(pk__in=self.ancestor_ids()).order_by("path")

    @property
    def issuing_agency(self) -> Unit:
        """The unit whose name heads a document drafted here (cơ quan ban hành).

        A division (phòng thuộc Sở) issues under its parent's name, so this is the nearest
        ancestor-or-self that is not a division.
        """
        unit = self
        while unit.kind == UnitKind.DIVISION and unit.parent_id is not None:
            unit = unit.parent
        return unit

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == UnitKind.SCHOOL and not self.school_level:
            errors["school_level"] = "Trường học phải có cấp học."
        if self.kind != UnitKind.SCHOOL and self.school_level:
            errors["school_level"] = "Chỉ trường học mới có cấp học."
        parent_kind = self.parent.kind if self.parent_id else None
        allowed = ALLOWED_PARENT_KINDS.get(self.kind)
        if allowed is not None and parent_kind not in allowed:
            errors["parent"] = _parent_message(self.kind, parent_kind)
        elif self.pk is not None and self.parent_id is not None:
            # A cycle exists exactly when the new parent lies in this unit's own subtree.
            parent = self.parent
            if parent.pk == self.pk or (self.path and parent.path.startswith(self.path)):
                errors["parent"] = "Không thể đặt đơn vị dưới chính nó hoặc đơn vị cấp dưới của nó."
        if errors:
            raise ValidationError(errors)


def _parent_message(kind: str, parent_kind: str | None) -> str:
    label = UnitKind(kind).label
    if parent_kind is None:
        return f"{label} phải có đơn vị cấp trên phù hợp."
    return f"{label} không thể trực thuộc {UnitKind(parent_kind).label.lower()}."
