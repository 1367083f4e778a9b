"""Deliveries (văn bản đến at one recipient unit): one row per recipient of an issued dispatch.

The status mirrors the edXML codes of QCVN 102:2016 so the inter-agency exchange can report them
as they are. Issuing creates every delivery as ``arrived`` in bulk (``bulk_create`` bypasses the
FSM, which is intended: no transition exists *into* the first state); the recipient side (register,
route, complete, reject) comes with the incoming issue. Only the sender's recall request is here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from documents.models import Document, RecipientPurpose
from organizations.models import Unit


class DeliveryStatus(models.TextChoices):
    ARRIVED = "arrived", "Đã đến"
    REJECTED = "rejected", "Bị từ chối"
    REGISTERED = "registered", "Đã vào sổ"
    ROUTED = "routed", "Đã phân phối"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    COMPLETED = "completed", "Hoàn thành"
    RECALL_REQUESTED = "recall_requested", "Bên gửi đề nghị thu hồi"
    RECALLED = "recalled", "Đã thu hồi"
    RECALL_REFUSED = "recall_refused", "Từ chối thu hồi"


#: The edXML status code (QCVN 102:2016) of each status.
EDXML_CODES: dict[str, str] = {
    DeliveryStatus.ARRIVED: "01",
    DeliveryStatus.REJECTED: "02",
    DeliveryStatus.REGISTERED: "03",
    DeliveryStatus.ROUTED: "04",
    DeliveryStatus.IN_PROGRESS: "05",
    DeliveryStatus.COMPLETED: "06",
    DeliveryStatus.RECALL_REQUESTED: "13",
    DeliveryStatus.RECALLED: "15",
    DeliveryStatus.RECALL_REFUSED: "16",
}

#: Statuses a recall no longer reaches: the work is done or the copy is already withdrawn.
RECALL_EXEMPT = frozenset({DeliveryStatus.COMPLETED, DeliveryStatus.RECALLED, DeliveryStatus.RECALL_REQUESTED})


class DeliveryChannel(models.TextChoices):
    ELECTRONIC = "electronic", "Điện tử"
    PAPER = "paper", "Bản giấy"


D = DeliveryStatus


class Delivery(ConcurrentTransitionMixin, models.Model):
    """The copy of an issued document at one recipient unit, and how far that unit has got with it."""

    dispatch = models.ForeignKey(
        "workflows.Dispatch", verbose_name="văn bản đi", on_delete=models.PROTECT, related_name="deliveries"
    )
    document = models.ForeignKey(Document, verbose_name="văn bản", on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(Unit, verbose_name="đơn vị nhận", on_delete=models.PROTECT, related_name="deliveries")
    purpose = models.CharField("mục đích", max_length=10, choices=RecipientPurpose.choices)
    channel = models.CharField("hình thức", max_length=10, choices=DeliveryChannel.choices)
    status = FSMField("trạng thái", default=D.ARRIVED, choices=D.choices, protected=True, max_length=20)
    #: The delivery this one was forwarded from (Sở → Phòng → trường); null for the sender's own copies.
    parent = models.ForeignKey(
        "self", verbose_name="chuyển tiếp từ", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    arrived_at = models.DateTimeField("đến lúc")

    class Meta:
        verbose_name = "văn bản đến"
        verbose_name_plural = "văn bản đến"
        ordering = ["-arrived_at", "-pk"]
        constraints = [
            # NULLs are distinct in a unique constraint, so the sender's copies (parent null) need their own.
            models.UniqueConstraint(fields=["dispatch", "recipient", "parent"], name="wf_delivery_once_per_parent"),
            models.UniqueConstraint(
                fields=["dispatch", "recipient"], condition=Q(parent__isnull=True), name="wf_delivery_once_per_unit"
            ),
            models.CheckConstraint(condition=Q(status__in=D.values), name="wf_delivery_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=DeliveryChannel.values), name="wf_delivery_channel_valid"),
            models.CheckConstraint(condition=Q(purpose__in=RecipientPurpose.values), name="wf_delivery_purpose_valid"),
        ]
        indexes = [
            models.Index(fields=["dispatch", "status"], name="wf_delivery_dispatch_status"),
            models.Index(fields=["recipient", "-arrived_at"], name="wf_delivery_unit_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient} ({self.get_status_display()})"

    @property
    def edxml_code(self) -> str:
        return EDXML_CODES[self.status]

    @transition(
        field=status, source=[D.ARRIVED, D.REJECTED, D.REGISTERED, D.ROUTED, D.IN_PROGRESS], target=D.RECALL_REQUESTED
    )
    def request_recall(self) -> None:
        """The sender asks for the copy back (13); the recipient accepts (15) or refuses (16) later."""


class DeliveryTransition(models.Model):
    """One step of a delivery: who moved it from which status to which, when, and why."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField("từ trạng thái", max_length=20, choices=D.choices, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=20, choices=D.choices)
    name = models.CharField("thao tác", max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("lúc")
    comment = models.TextField("ý kiến", blank=True)

    class Meta:
        verbose_name = "bước xử lý văn bản đến"
        verbose_name_plural = "các bước xử lý văn bản đến"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.from_status} → {self.to_status}"
