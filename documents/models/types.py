"""Document types (loại văn bản) of Decree 30, Phụ lục III, kept as rows an administrator extends.

The 29 types and the 3 copy kinds are seeded by a data migration; an agency adds its own (an
advisory body's form, say) in the admin. A type is deactivated, never deleted: issued documents and
registers refer to it. The abbreviation goes into the number symbol (``05/QĐ-SGDĐT``), so it may
hold only letters and digits; Công văn and Thư công have none and use the agency + drafting-unit form.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

#: Letters (Vietnamese included) and digits only: a space, '/' or '-' would break the symbol's layout.
ABBREVIATION_PATTERN = r"^[^\W_]+\Z"

abbreviation_validator = RegexValidator(
    ABBREVIATION_PATTERN,
    message="Chữ viết tắt chỉ gồm chữ cái và chữ số, không có dấu cách, '/' hay '-'.",
    code="invalid_abbreviation",
)


class DocumentKind(models.TextChoices):
    DOCUMENT = "document", "Văn bản"
    COPY = "copy", "Bản sao"


class DocumentType(models.Model):
    """One type of official document (Quyết định, Công văn, …) or copy kind (sao y, trích sao, sao lục)."""

    name = models.CharField("tên loại văn bản", max_length=100, unique=True)
    abbreviation = models.CharField(
        "chữ viết tắt",
        max_length=16,
        blank=True,
        validators=[abbreviation_validator],
        help_text="Dùng trong ký hiệu văn bản, ví dụ QĐ. Để trống cho công văn và thư công.",
    )
    kind = models.CharField("loại", max_length=10, choices=DocumentKind.choices, default=DocumentKind.DOCUMENT)
    is_legal_normative = models.BooleanField(
        "là văn bản quy phạm pháp luật",
        default=False,
        help_text=(
            "Văn bản quy phạm pháp luật của cơ quan được đánh số theo sổ riêng của từng loại "
            "khi cơ quan mở sổ riêng cho loại này."
        ),
    )
    is_active = models.BooleanField("đang sử dụng", default=True)
    ordering = models.PositiveSmallIntegerField("thứ tự", default=100)

    class Meta:
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"
        ordering = ["ordering", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["abbreviation"],
                condition=~Q(abbreviation=""),
                name="doc_type_abbreviation_unique",
                violation_error_message="Chữ viết tắt này đã được dùng cho loại văn bản khác.",
            ),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="doc_type_kind_valid"),
            models.CheckConstraint(
                condition=~Q(abbreviation__contains=" ")
                & ~Q(abbreviation__contains="/")
                & ~Q(abbreviation__contains="-"),
                name="doc_type_abbreviation_no_separators",
                violation_error_message="Chữ viết tắt không được có dấu cách, '/' hay '-'.",
            ),
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.DOCUMENT) | (~Q(abbreviation="") & Q(is_legal_normative=False)),
                name="doc_type_copy_has_abbreviation",
                violation_error_message="Bản sao phải có chữ viết tắt và không phải văn bản quy phạm pháp luật.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    @property
    def is_copy(self) -> bool:
        return self.kind == DocumentKind.COPY
