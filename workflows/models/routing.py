"""The routing slip (phiếu giải quyết văn bản đến) and its assignments.

A leader routes a registered delivery once (:class:`Routing`): the direction text (bút phê) and the
assignments, exactly one lead (chủ trì), any coordinators (phối hợp), any for-information (nhận để
biết) — each to a unit (a division, a school) or a person. A division head re-assigns the
division's assignment to a person inside it: a child assignment with ``parent`` set, the parent
staying as the division's line on the slip. Each assignment moves new → in progress → done, or is
returned with a reason; for-information ones are acknowledged ("đã nhận") instead, once and for good.

Deadlines are dates, counted in working days by :mod:`workflows.calendar`; every change of one is a
:class:`DeadlineExtension` row (old, new, reason, who). :class:`ReminderSent` remembers which reminder
went out for which assignment and deadline, so the daily job never sends one twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from organizations.models import Unit
from workflows.models.deliveries import Delivery
from workflows.models.steps import StepLog


class Routing(models.Model):
    """The leader's routing of one delivery: who routed, when, and the direction (ý kiến chỉ đạo)."""

    delivery = models.OneToOneField(
        Delivery, verbose_name="văn bản đến", on_delete=models.PROTECT, related_name="routing"
    )
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="lãnh đạo phân phối", on_delete=models.PROTECT, related_name="+"
    )
    routed_at = models.DateTimeField("phân phối lúc")
    direction = models.TextField("ý kiến chỉ đạo", blank=True)
    #: The handler's proposal (đề xuất của người xử lý), written on the slip by the lead.
    proposal = models.TextField("đề xuất của người xử lý", blank=True)

    class Meta:
        verbose_name = "phiếu giải quyết văn bản đến"
        verbose_name_plural = "phiếu giải quyết văn bản đến"

    def __str__(self) -> str:
        return f"Phiếu giải quyết — {self.delivery}"


class AssignmentKind(models.TextChoices):
    LEAD = "lead", "Chủ trì"
    COORDINATE = "coordinate", "Phối hợp"
    INFORM = "inform", "Nhận để biết"


class AssignmentState(models.TextChoices):
    NEW = "new", "Mới giao"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    DONE = "done", "Hoàn thành"
    RETURNED = "returned", "Trả lại"


A = AssignmentState


class Assignment(ConcurrentTransitionMixin, models.Model):
    """One line of a routing slip: a unit or a person, in a role, with a deadline and its own state."""

    delivery = models.ForeignKey(
        Delivery, verbose_name="văn bản đến", on_delete=models.PROTECT, related_name="assignments"
    )
    #: The division's assignment this one re-assigns to a person inside the division; null on the slip.
    parent = models.ForeignKey(
        "self", verbose_name="giao lại từ", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField("vai trò", max_length=12, choices=AssignmentKind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    deadline = models.DateField("hạn xử lý", null=True, blank=True)
    state = FSMField("trạng thái", default=A.NEW, choices=A.choices, protected=True, max_length=12)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người giao", on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField("giao lúc")
    note = models.TextField("ý kiến khi giao", blank=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    done_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    result = models.TextField("kết quả xử lý", blank=True)
    returned_reason = models.TextField("lý do trả lại", blank=True)
    acknowledged_at = models.DateTimeField("đã nhận lúc", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xác nhận đã nhận",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "phân công xử lý"
        verbose_name_plural = "phân công xử lý"
        ordering = ["delivery", "parent_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AssignmentKind.values), name="wf_assignment_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=A.values), name="wf_assignment_state_valid"),
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(user__isnull=True))
                | (Q(unit__isnull=True) & Q(user__isnull=False)),
                name="wf_assignment_unit_xor_user",
                violation_error_message="Mỗi dòng phân công giao cho một đơn vị hoặc một người.",
            ),
            models.CheckConstraint(
                condition=Q(kind=AssignmentKind.INFORM) | Q(deadline__isnull=False),
                name="wf_assignment_deadline_unless_inform",
                violation_error_message="Chủ trì và phối hợp phải có hạn xử lý.",
            ),
            # Exactly one lead on the slip at a time (a returned lead is replaced by re-routing).
            models.UniqueConstraint(
                fields=["delivery"],
                condition=Q(kind="lead", parent__isnull=True) & ~Q(state="returned"),
                name="wf_assignment_one_lead",
                violation_error_message="Văn bản chỉ có một đơn vị hoặc người chủ trì.",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "state", "deadline"], name="wf_assignment_user_open"),
            models.Index(fields=["unit", "state", "deadline"], name="wf_assignment_unit_open"),
            models.Index(
                fields=["deadline"], condition=Q(state__in=["new", "in_progress"]), name="wf_assignment_open_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user or self.unit} ({self.get_state_display()})"

    @transition(field=state, source=A.NEW, target=A.IN_PROGRESS, conditions=[lambda a: a.kind != AssignmentKind.INFORM])
    def start(self, *, at) -> None:
        self.started_at = at

    @transition(
        field=state,
        source=[A.NEW, A.IN_PROGRESS],
        target=A.DONE,
        conditions=[lambda a: a.kind != AssignmentKind.INFORM],
    )
    def finish(self, *, at, result: str) -> None:
        self.done_at = at
        self.result = result

    @transition(field=state, source=[A.NEW, A.IN_PROGRESS], target=A.RETURNED)
    def give_back(self, *, reason: str) -> None:
        """Returned (trả lại) to the one who assigned it, with a reason: wrong addressee, not our remit."""
        self.returned_reason = reason

    @transition(
        field=state,
        source=A.NEW,
        target=A.DONE,
        conditions=[lambda a: a.kind == AssignmentKind.INFORM and a.acknowledged_at is None],
    )
    def acknowledge(self, *, at, by) -> None:
        """ "Đã nhận" on a for-information line: irrevocable (no transition leaves DONE)."""
        self.acknowledged_at = at
        self.acknowledged_by = by
        self.done_at = at


class AssignmentTransition(StepLog):
    """One step of an assignment: who moved it, from which state to which, when, and why."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField("từ trạng thái", max_length=12, choices=A.choices, blank=True)
    to_state = models.CharField("sang trạng thái", max_length=12, choices=A.choices)

    class Meta(StepLog.Meta):
        verbose_name = "bước xử lý phân công"
        verbose_name_plural = "các bước xử lý phân công"

    def __str__(self) -> str:
        return f"{self.name}: {self.from_state} → {self.to_state}"


class DeadlineExtension(models.Model):
    """A deadline moved (gia hạn): from which date to which, why, by whom. Never edited, never deleted."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extensions")
    old_deadline = models.DateField("hạn cũ")
    new_deadline = models.DateField("hạn mới")
    reason = models.TextField("lý do")
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người gia hạn", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("lúc")

    class Meta:
        verbose_name = "gia hạn xử lý"
        verbose_name_plural = "lịch sử gia hạn"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="wf_extension_reason_present"),
            models.CheckConstraint(condition=~Q(new_deadline=models.F("old_deadline")), name="wf_extension_changes"),
        ]

    def __str__(self) -> str:
        return f"{self.old_deadline} → {self.new_deadline}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", "Nhắc trước hạn"
    OVERDUE = "overdue", "Quá hạn"
    ESCALATED = "escalated", "Báo lãnh đạo: quá hạn"


class ReminderSent(models.Model):
    """A reminder that went out: one per (assignment, kind, deadline), so none goes out twice.

    The deadline is part of the key: after an extension the new deadline earns its own reminders.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField("loại nhắc", max_length=10, choices=ReminderKind.choices)
    deadline = models.DateField("hạn được nhắc")
    sent_at = models.DateTimeField("gửi lúc")

    class Meta:
        verbose_name = "đôn đốc đã gửi"
        verbose_name_plural = "đôn đốc đã gửi"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "deadline"], name="wf_reminder_once"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="wf_reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.deadline}"
