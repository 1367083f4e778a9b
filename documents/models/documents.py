"""Documents (văn bản) while they are drafted: the draft, its recipients, references, files and versions.

A :class:`Document` row is born as a draft (dự thảo) and is the same row the outgoing dispatch later
numbers and issues, so ``number``, ``symbol``, ``issued_on`` and ``register`` stay empty until then.
Recipients, references and attachments hang off the document; every save of a draft also writes a
:class:`DocumentVersion` holding a snapshot of all of it, which is what the history shows and what
two versions are compared on. Attachments are never deleted: a removed file keeps its row with the
version that removed it. Secret documents (Mật, Tối mật, Tuyệt mật) never get a row at all: the
drafting actions refuse them before anything is written, which is why there is no secrecy column.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from documents.models.registers import Register
from documents.models.types import DocumentType
from organizations.models import DistributionList, Unit

#: More paragraphs than any official letter has, few enough to refuse a pasted book.
MAX_BODY_PARAGRAPHS = 5000
_RUN_KEYS = frozenset({"text", "bold", "italic"})


def normalise_body(value: Any) -> list[list[dict]]:
    """A body as stored: paragraphs of runs ``{text, bold, italic}``, text NFC, empty runs and paragraphs dropped.

    Strict about shape (``ValidationError`` for a string, a run with other keys, a non-boolean
    emphasis), because the print layout, the .docx export and the version diff all read it blindly.
    """
    if not isinstance(value, list) or len(value) > MAX_BODY_PARAGRAPHS:
        raise ValidationError("Nội dung phải là danh sách đoạn văn.", code="invalid_body")
    paragraphs = []
    for paragraph in value:
        if not isinstance(paragraph, list):
            raise ValidationError("Mỗi đoạn văn phải là danh sách các đoạn chữ.", code="invalid_body")
        runs = []
        for run in paragraph:
            if (
                not isinstance(run, dict)
                or not set(run) <= _RUN_KEYS
                or not isinstance(run.get("text"), str)
                or not all(isinstance(run.get(k, False), bool) for k in ("bold", "italic"))
            ):
                raise ValidationError(
                    "Mỗi đoạn chữ gồm nội dung (text) và kiểu chữ đậm, nghiêng (bold, italic).", code="invalid_body"
                )
            if run["text"]:
                text = unicodedata.normalize("NFC", run["text"])
                runs.append({"text": text, "bold": run.get("bold", False), "italic": run.get("italic", False)})
        if any(run["text"].strip() for run in runs):
            paragraphs.append(runs)
    return paragraphs


class Urgency(models.TextChoices):
    """Độ khẩn (Decree 30, Phụ lục I): printed as a stamp; empty is an ordinary document."""

    NORMAL = "", "Thường"
    KHAN = "khan", "Khẩn"
    THUONG_KHAN = "thuong_khan", "Thượng khẩn"
    HOA_TOC = "hoa_toc", "Hỏa tốc"


class Secrecy(models.TextChoices):
    """Độ mật. Only ``NORMAL`` may be drafted here: the others are refused, never stored."""

    NORMAL = "", "Thường"
    MAT = "mat", "Mật"
    TOI_MAT = "toi_mat", "Tối mật"
    TUYET_MAT = "tuyet_mat", "Tuyệt mật"


class SignerAuthority(models.TextChoices):
    """The authority prefix of the signature block (thẩm quyền ký)."""

    NONE = "", "Ký trực tiếp"
    TM = "TM.", "TM. (thay mặt)"
    KT = "KT.", "KT. (ký thay)"
    TL = "TL.", "TL. (thừa lệnh)"
    TUQ = "TUQ.", "TUQ. (thừa ủy quyền)"
    Q = "Q.", "Q. (quyền)"


class RecipientPurpose(models.TextChoices):
    THUC_HIEN = "thuc_hien", "Để thực hiện"
    PHOI_HOP = "phoi_hop", "Để phối hợp"
    BIET = "biet", "Để biết"


class ReferenceKind(models.TextChoices):
    CAN_CU = "can_cu", "Căn cứ"
    TRA_LOI = "tra_loi", "Trả lời văn bản số"
    THAY_THE = "thay_the", "Thay thế"
    DINH_CHINH = "dinh_chinh", "Đính chính"


class AttachmentRole(models.TextChoices):
    MAIN = "main", "Tệp văn bản chính"
    ATTACHMENT = "attachment", "Tệp đính kèm"
    #: The PDF/A-3b the system renders from an issued document, kept for the archive (bản lưu).
    ISSUED_PDF = "issued_pdf", "Bản PDF/A lưu trữ"


class Document(models.Model):
    """One document (văn bản): a draft until the dispatch numbers it."""

    document_type = models.ForeignKey(
        DocumentType, verbose_name="loại văn bản", on_delete=models.PROTECT, related_name="documents"
    )
    issuer = models.ForeignKey(
        Unit, verbose_name="cơ quan ban hành", on_delete=models.PROTECT, related_name="issued_documents"
    )
    drafting_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị soạn thảo", on_delete=models.PROTECT, related_name="drafted_documents"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người soạn", on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField("trích yếu", max_length=500)
    body = models.JSONField("nội dung", default=list, blank=True)
    urgency = models.CharField("độ khẩn", max_length=12, choices=Urgency.choices, default=Urgency.NORMAL, blank=True)
    kinh_gui = models.JSONField("kính gửi", default=list, blank=True)
    noi_nhan = models.JSONField("nơi nhận", default=list, blank=True)
    luu = models.CharField("lưu", max_length=200, blank=True)
    signer_authority = models.CharField(
        "thẩm quyền ký", max_length=5, choices=SignerAuthority.choices, default=SignerAuthority.NONE, blank=True
    )
    signer_position = models.CharField("chức vụ người ký", max_length=150, blank=True)
    signer_name = models.CharField("họ tên người ký", max_length=150, blank=True)
    place = models.CharField("địa danh", max_length=100, default="Đồng Tháp")
    number = models.PositiveIntegerField("số", null=True, blank=True, editable=False)
    symbol = models.CharField("số, ký hiệu", max_length=64, blank=True, editable=False)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True, editable=False)
    register = models.ForeignKey(
        Register,
        verbose_name="sổ văn bản",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    version = models.PositiveIntegerField("phiên bản", default=1, editable=False)
    #: A document received from outside the system (paper scan, e-mailed PDF) and registered by a clerk:
    #: its number, symbol and date are the issuer's, typed in, and it never had a draft or a dispatch.
    external = models.BooleanField("văn bản ngoài hệ thống", default=False, editable=False)
    #: Set while the draft is with a reviewer or signer: what they approve is what gets issued.
    locked = models.BooleanField("đang trình, khóa sửa", default=False, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["created_by", "-updated_at"], name="doc_document_creator_recent"),
            # An issuer's document by its "số, ký hiệu": how a clerk's duplicate warning finds it.
            models.Index(fields=["issuer", "symbol"], name="doc_document_issuer_symbol"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="doc_document_urgency_valid"),
            models.CheckConstraint(
                condition=Q(signer_authority__in=SignerAuthority.values), name="doc_document_authority_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="doc_document_version_positive"),
            models.CheckConstraint(condition=~Q(summary=""), name="doc_document_summary_present"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1), name="doc_document_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.summary}" if self.symbol else f"Dự thảo: {self.summary}"

    @property
    def is_draft(self) -> bool:
        return self.number is None and not self.external

    def clean(self) -> None:
        try:
            self.body = normalise_body(self.body)
        except ValidationError as exc:
            raise ValidationError({"body": exc.messages}) from exc


class DocumentRecipient(models.Model):
    """A unit the document goes to, and why (để thực hiện / để phối hợp / để biết)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị nhận", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("mục đích", max_length=10, choices=RecipientPurpose.choices)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "nơi nhận"
        verbose_name_plural = "nơi nhận"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="doc_recipient_unit_once"),
            models.CheckConstraint(condition=Q(purpose__in=RecipientPurpose.values), name="doc_recipient_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_purpose_display()})"


class DocumentRecipientList(models.Model):
    """A saved distribution list named as recipient; it resolves to units when the document is issued."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipient_lists")
    distribution_list = models.ForeignKey(
        DistributionList, verbose_name="danh sách nơi nhận", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("mục đích", max_length=10, choices=RecipientPurpose.choices)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "danh sách nơi nhận của văn bản"
        verbose_name_plural = "danh sách nơi nhận của văn bản"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "distribution_list"], name="doc_recipient_list_once"),
            models.CheckConstraint(condition=Q(purpose__in=RecipientPurpose.values), name="doc_recipient_list_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.distribution_list} ({self.get_purpose_display()})"


class DocumentReference(models.Model):
    """An earlier document this one cites: a row in the system (``target``) or a citation as written."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField("quan hệ", max_length=12, choices=ReferenceKind.choices)
    target = models.ForeignKey(
        Document,
        verbose_name="văn bản trong hệ thống",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referenced_by",
    )
    citation = models.CharField(
        "trích dẫn",
        max_length=500,
        blank=True,
        help_text="Ví dụ: Công văn số 199/UBND-VX ngày 03/8/2015 của UBND tỉnh Đồng Tháp.",
    )
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "văn bản liên quan"
        verbose_name_plural = "văn bản liên quan"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReferenceKind.values), name="doc_reference_kind_valid"),
            models.CheckConstraint(
                condition=(Q(target__isnull=False) & Q(citation="")) | (Q(target__isnull=True) & ~Q(citation="")),
                name="doc_reference_target_xor_citation",
                violation_error_message="Chọn văn bản trong hệ thống hoặc ghi trích dẫn, không cả hai.",
            ),
            models.CheckConstraint(condition=~Q(target=F("document")), name="doc_reference_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target or self.citation}"


class Attachment(models.Model):
    """A file of a document: bytes in ``storages["blobs"]`` under their SHA-256, never deleted from the record."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments")
    role = models.CharField("vai trò", max_length=10, choices=AttachmentRole.choices)
    blob_key = models.CharField("khóa tệp", max_length=64)
    sha256 = models.CharField("SHA-256", max_length=64)
    filename = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("kiểu tệp", max_length=150, blank=True)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người tải lên", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    added_in_version = models.PositiveIntegerField("thêm ở phiên bản")
    removed_in_version = models.PositiveIntegerField("gỡ ở phiên bản", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người gỡ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField("gỡ lúc", null=True, blank=True)

    class Meta:
        verbose_name = "tệp văn bản"
        verbose_name_plural = "tệp văn bản"
        ordering = ["added_in_version", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=AttachmentRole.values), name="doc_attachment_role_valid"),
            models.CheckConstraint(condition=Q(sha256=F("blob_key")), name="doc_attachment_key_is_sha256"),
            models.CheckConstraint(
                condition=Q(removed_in_version__isnull=True) | Q(removed_in_version__gt=F("added_in_version")),
                name="doc_attachment_removed_after_added",
            ),
            # A document has at most one main file at a time; replacing it retires the previous one.
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(role="main", removed_in_version__isnull=True),
                name="doc_attachment_one_main",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_current(self) -> bool:
        return self.removed_in_version is None


class DocumentVersion(models.Model):
    """One save of a draft (phiên bản dự thảo): numbered 1, 2, 3… with a snapshot of every draft field."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("phiên bản")
    snapshot = models.JSONField("nội dung phiên bản")
    comment = models.CharField("ghi chú", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người lưu", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("lưu lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản dự thảo"
        verbose_name_plural = "phiên bản dự thảo"
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="doc_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="doc_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Phiên bản {self.number} — {self.document_id}"
