"""Deliveries (văn bản đến at one recipient unit): one row per recipient unit of a document.

A delivery is born three ways: issuing a dispatch creates one per recipient unit as ``arrived`` in
bulk (``bulk_create`` bypasses the FSM, which is intended: no transition exists *into* the first
state); a district office forwarding a delivery creates children (``parent``); a clerk registering
a document that came from outside the system creates one with no dispatch at all.

The status mirrors the edXML codes of QCVN 102:2016 so the inter-agency exchange can report them as
they are: arrived 01 → rejected 02 | registered 03 → routed 04 → in progress 05 → completed 06, and
the sender's recall 13 → accepted 15 / refused 16. After a refused recall the recipient carries on
from where it was, which the transitions read from the row (``incoming_number``, ``routed_at``), not
from the status. The transitions only change fields; :mod:`workflows.actions.incoming` and
:mod:`workflows.actions.routing` check who may act and write the log, audit row and event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from documents.models import Document, RecipientPurpose, Register
from organizations.models import Unit
from workflows.models.steps import StepLog


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

#: Statuses in which the recipient still owes an answer or work: what reminders and overdue lists look at.
#: A refused recall (16) is open too: the unit carries on with the copy it kept.
OPEN_STATUSES = frozenset(
    {DeliveryStatus.REGISTERED, DeliveryStatus.ROUTED, DeliveryStatus.IN_PROGRESS, DeliveryStatus.RECALL_REFUSED}
)

#: Statuses in which the recipient's copy is frozen: nothing more can be done with it.
FROZEN_STATUSES = frozenset({DeliveryStatus.REJECTED, DeliveryStatus.RECALLED})

#: Statuses in which the recipient cannot act on its copy now: frozen, or the sender's recall awaits an answer.
ON_HOLD_STATUSES = FROZEN_STATUSES | {DeliveryStatus.RECALL_REQUESTED}


def overdue_q(today, *, prefix: str = "") -> Q:
    """The one meaning of "quá hạn": open work whose hạn giải quyết passed before ``today``.

    Lists, roll-ups, reports and reminders all filter with it (``prefix`` for a related delivery).
    """
    return Q(**{f"{prefix}status__in": sorted(OPEN_STATUSES), f"{prefix}due_on__lt": today})


#: Statuses a recall no longer reaches: the work is done or the copy is already withdrawn.
RECALL_EXEMPT = frozenset({DeliveryStatus.COMPLETED, DeliveryStatus.RECALLED, DeliveryStatus.RECALL_REQUESTED})


class Priority(models.IntegerChoices):
    """Where a delivery sorts: Hỏa tốc, then Thượng khẩn, on top of every list; Khẩn and ordinary mail by date."""

    NORMAL = 0, "Thường"
    THUONG_KHAN = 1, "Thượng khẩn"
    HOA_TOC = 2, "Hỏa tốc"


def priority_of(urgency: str) -> int:
    """The :class:`Priority` of a document's urgency (``documents.models.Urgency`` value)."""
    return {"hoa_toc": Priority.HOA_TOC, "thuong_khan": Priority.THUONG_KHAN}.get(urgency, Priority.NORMAL)


class DeliveryChannel(models.TextChoices):
    ELECTRONIC = "electronic", "Điện tử"
    PAPER = "paper", "Bản giấy"


D = DeliveryStatus


class Delivery(ConcurrentTransitionMixin, models.Model):
    """The copy of an issued document at one recipient unit, and how far that unit has got with it."""

    #: The outgoing process that sent it; null for a document registered from outside the system.
    dispatch = models.ForeignKey(
        "workflows.Dispatch",
        verbose_name="văn bản đi",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
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
    #: Copied from the document's urgency when the row is made, so lists sort on one indexed column.
    priority = models.PositiveSmallIntegerField("độ ưu tiên", choices=Priority.choices, default=Priority.NORMAL)
    #: The identifier of the message it came in (edXML message id, e-mail Message-ID); for duplicate warnings.
    external_id = models.CharField("mã thông điệp", max_length=255, blank=True, default="", db_default="")

    # Registration (vào sổ): the số đến of the receiving agency's incoming register for the year.
    register = models.ForeignKey(
        Register,
        verbose_name="sổ văn bản đến",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    incoming_number = models.PositiveIntegerField("số đến", null=True, blank=True)
    registered_at = models.DateTimeField("vào sổ lúc", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người vào sổ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    routed_at = models.DateTimeField("phân phối lúc", null=True, blank=True)
    #: The deadline of the lead assignment (hạn giải quyết), kept here for overdue lists and roll-ups.
    due_on = models.DateField("hạn giải quyết", null=True, blank=True)
    completed_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    #: A principal's or leader's "đã nhận" on a directive: irrevocable, shown to the sender.
    acknowledged_at = models.DateTimeField("xác nhận đã nhận lúc", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xác nhận",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The reply (văn bản trả lời) this unit drafted to it; issuing that reply completes the delivery.
    reply = models.ForeignKey(
        Document,
        verbose_name="văn bản trả lời",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replied_deliveries",
    )

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
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="wf_delivery_priority_valid"),
            models.UniqueConstraint(
                fields=["register", "incoming_number"],
                condition=Q(register__isnull=False),
                name="wf_delivery_incoming_number_once",
                violation_error_message="Số đến này đã được cấp trong sổ.",
            ),
            models.CheckConstraint(
                condition=(Q(register__isnull=True) & Q(incoming_number__isnull=True) & Q(registered_at__isnull=True))
                | (Q(register__isnull=False) & Q(incoming_number__gte=1) & Q(registered_at__isnull=False)),
                name="wf_delivery_registration_whole",
            ),
            models.CheckConstraint(
                condition=Q(dispatch__isnull=False) | Q(parent__isnull=True),
                name="wf_delivery_forwarded_has_dispatch",
            ),
        ]
        indexes = [
            models.Index(fields=["dispatch", "status"], name="wf_delivery_dispatch_status"),
            models.Index(fields=["recipient", "-arrived_at"], name="wf_delivery_unit_recent"),
            # The clerk's inbox: a unit's unregistered mail, urgent first, newest first. Partial, so it
            # stays as small as the backlog however many million rows the table holds.
            models.Index(
                fields=["recipient", "-priority", "-arrived_at", "-id"],
                condition=Q(status="arrived"),
                name="wf_delivery_unit_unregistered",
            ),
            models.Index(fields=["recipient", "status", "-priority", "-arrived_at"], name="wf_delivery_unit_status"),
            models.Index(fields=["parent", "status"], name="wf_delivery_parent_status"),
            models.Index(
                fields=["recipient", "external_id"], condition=~Q(external_id=""), name="wf_delivery_unit_message_id"
            ),
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="wf_delivery_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient} ({self.get_status_display()})"

    @property
    def edxml_code(self) -> str:
        return EDXML_CODES[self.status]

    @property
    def is_actionable(self) -> bool:
        """Whether the recipient may still act on it: not completed, frozen, or awaiting a recall answer."""
        return self.status not in ON_HOLD_STATUSES | {D.COMPLETED}

    # The recipient's clerk -------------------------------------------------------------------

    @transition(field=status, source=D.ARRIVED, target=D.REJECTED)
    def reject(self) -> None:
        """Sent back to the sender (02): wrong address, illegible, incomplete. The reason is in the log."""

    @transition(
        field=status,
        source=[D.ARRIVED, D.RECALL_REFUSED],
        target=D.REGISTERED,
        conditions=[lambda d: d.incoming_number is None],
    )
    def register_incoming(self, *, at, by) -> None:
        """Received and registered (03); the số đến and its register are written with the row, by
        :func:`documents.numbering.take_number_into`, in the statement that takes the number."""
        self.registered_at = at
        self.registered_by = by

    # The recipient's leader and handlers ----------------------------------------------------

    @transition(
        field=status,
        source=[D.REGISTERED, D.RECALL_REFUSED],
        target=D.ROUTED,
        conditions=[lambda d: d.incoming_number is not None and d.routed_at is None],
    )
    def route(self, *, at, due_on) -> None:
        """Routed by a leader (04): the routing slip and its assignments are written beside it."""
        self.routed_at = at
        self.due_on = due_on

    @transition(
        field=status,
        source=[D.ROUTED, D.RECALL_REFUSED],
        target=D.IN_PROGRESS,
        conditions=[lambda d: d.routed_at is not None and d.completed_at is None],
    )
    def start(self) -> None:
        """In progress (05): the lead began work on it."""

    @transition(
        field=status,
        source=[D.REGISTERED, D.ROUTED, D.IN_PROGRESS, D.RECALL_REFUSED],
        target=D.COMPLETED,
        conditions=[lambda d: d.incoming_number is not None and d.completed_at is None],
    )
    def complete(self, *, at) -> None:
        """Completed (06): the lead finished, a reply was issued, or a leader filed it (lưu, để biết)."""
        self.completed_at = at

    # Recall -----------------------------------------------------------------------------------

    @transition(
        field=status,
        source=[D.ARRIVED, D.REJECTED, D.REGISTERED, D.ROUTED, D.IN_PROGRESS, D.RECALL_REFUSED],
        target=D.RECALL_REQUESTED,
    )
    def request_recall(self) -> None:
        """The sender asks for the copy back (13); the recipient accepts (15) or refuses (16) later."""

    @transition(field=status, source=D.RECALL_REQUESTED, target=D.RECALLED)
    def accept_recall(self) -> None:
        """Recall accepted (15): the copy is frozen, kept for the record, no longer actionable."""

    @transition(field=status, source=D.RECALL_REQUESTED, target=D.RECALL_REFUSED)
    def refuse_recall(self) -> None:
        """Recall refused (16), with a reason in the log; the recipient carries on from where it was."""


class DeliveryTransition(StepLog):
    """One step of a delivery: who moved it from which status to which, when, and why."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField("từ trạng thái", max_length=20, choices=D.choices, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=20, choices=D.choices)

    class Meta(StepLog.Meta):
        verbose_name = "bước xử lý văn bản đến"
        verbose_name_plural = "các bước xử lý văn bản đến"

    def __str__(self) -> str:
        return f"{self.name}: {self.from_status} → {self.to_status}"
