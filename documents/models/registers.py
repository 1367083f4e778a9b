"""Registers (sổ văn bản): one gap-free counter per unit, direction and calendar year.

Decree 30 numbers outgoing documents in one sequence per agency per year, from 01 on 1 January, with
separate sequences for secret documents, for copies, and for each type of legal normative document
the agency issues; incoming documents get a số đến in order of receipt. A row here is that sequence:
``last_number`` is the last number handed out, and only :mod:`documents.numbering` moves it, one step
at a time under the row's lock. Rows for a new year appear on first use.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from documents.models.types import DocumentType
from organizations.models import Unit


class RegisterDirection(models.TextChoices):
    OUTGOING = "outgoing", "Sổ văn bản đi"
    INCOMING = "incoming", "Sổ văn bản đến"
    COPY = "copy", "Sổ văn bản sao"
    SECRET = "secret", "Sổ văn bản mật"


class Register(models.Model):
    """A sổ: ``unit`` (the issuing agency, or the receiving unit for incoming) × direction × year."""

    name = models.CharField("tên sổ", max_length=200)
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="registers")
    direction = models.CharField("loại sổ", max_length=10, choices=RegisterDirection.choices)
    year = models.PositiveSmallIntegerField("năm")
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name="loại văn bản (sổ riêng)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registers",
        help_text="Chỉ cho sổ văn bản đi riêng của một loại văn bản quy phạm pháp luật; để trống cho sổ chung.",
    )
    last_number = models.PositiveIntegerField(
        "số đã cấp cuối cùng",
        default=0,
        help_text="Khi mở sổ giữa năm, nhập số cuối cùng đã cấp trên sổ giấy; sau đó chỉ hệ thống tăng số.",
    )
    created_at = models.DateTimeField("mở lúc", auto_now_add=True)

    class Meta:
        verbose_name = "sổ văn bản"
        verbose_name_plural = "sổ văn bản"
        ordering = ["-year", "unit__path", "direction", "document_type__ordering"]
        constraints = [
            # Two partial constraints, because NULLs are distinct in a plain unique index: without the
            # second one, an agency could end up with two general registers for the same year.
            models.UniqueConstraint(
                fields=["unit", "direction", "year", "document_type"],
                condition=Q(document_type__isnull=False),
                name="doc_register_unique_per_type",
                violation_error_message="Đơn vị đã có sổ riêng cho loại văn bản này trong năm.",
            ),
            models.UniqueConstraint(
                fields=["unit", "direction", "year"],
                condition=Q(document_type__isnull=True),
                name="doc_register_unique_general",
                violation_error_message="Đơn vị đã có sổ này trong năm.",
            ),
            models.CheckConstraint(condition=Q(last_number__gte=0), name="doc_register_last_number_not_negative"),
            models.CheckConstraint(condition=Q(direction__in=RegisterDirection.values), name="doc_register_direction"),
            models.CheckConstraint(condition=Q(year__gte=1945) & Q(year__lte=9999), name="doc_register_year_range"),
            models.CheckConstraint(
                condition=Q(document_type__isnull=True) | Q(direction=RegisterDirection.OUTGOING),
                name="doc_register_per_type_is_outgoing",
                violation_error_message="Sổ riêng theo loại văn bản chỉ dùng cho văn bản đi.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.unit}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.unit_id is not None and self.unit.issuing_agency.pk != self.unit_id:
            # Numbering never looks here: a division's documents go to its department's registers.
            errors["unit"] = f"Phòng ban không có sổ riêng; văn bản được đăng ký vào sổ của {self.unit.issuing_agency}."
        if self.document_type_id is not None and not self.document_type.is_legal_normative:
            errors["document_type"] = "Chỉ văn bản quy phạm pháp luật mới có sổ riêng theo loại văn bản."
        if errors:
            raise ValidationError(errors)


def default_register_name(*, direction: str, year: int, document_type: DocumentType | None = None) -> str:
    """``Sổ văn bản đi năm 2026``, or ``Sổ văn bản đi - Nghị quyết năm 2026`` for a per-type register."""
    label = RegisterDirection(direction).label
    if document_type is not None:
        return f"{label} - {document_type.name} năm {year}"
    return f"{label} năm {year}"
