"""Consultation on a draft (lấy ý kiến): the drafter asks chosen people or units for their opinion.

A :class:`Consultation` asks one question about one draft by a deadline. Each asked party is a
:class:`ConsultationRequest`: a person or a unit, exactly one of the two (a database check), each
party at most once per consultation. An answer is an :class:`Opinion` (Đồng ý / Không đồng ý /
Ý kiến khác, with text and files).

History: answering again before the deadline does not edit the earlier opinion. The earlier row
stays, stamped ``superseded_at``; the new one becomes the request's ``current_opinion``. What a
party said and when is therefore never lost, and the consolidated view reads the current opinion
through one foreign key instead of searching the history. A partial unique index keeps at most one
non-superseded opinion per request, whatever the code does.

"Expired" is not a stored state: an open consultation whose deadline has passed takes no more
answers, and nothing has to run at the deadline to make that so. The state field records only the
drafter's decision to close.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from documents.models import Document
from organizations.models import Unit


class ConsultationState(models.TextChoices):
    OPEN = "open", "Đang lấy ý kiến"
    CLOSED = "closed", "Đã kết thúc"


class OpinionStance(models.TextChoices):
    AGREE = "agree", "Đồng ý"
    DISAGREE = "disagree", "Không đồng ý"
    OTHER = "other", "Ý kiến khác"


class Consultation(ConcurrentTransitionMixin, models.Model):
    """One round of lấy ý kiến on a draft: a question, a deadline, the parties asked."""

    document = models.ForeignKey(
        Document, verbose_name="dự thảo", on_delete=models.PROTECT, related_name="consultations"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người lấy ý kiến", on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField("nội dung xin ý kiến")
    deadline = models.DateTimeField("hạn góp ý")
    state = FSMField(
        "trạng thái", default=ConsultationState.OPEN, choices=ConsultationState.choices, protected=True, max_length=16
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người kết thúc",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "đợt lấy ý kiến"
        verbose_name_plural = "đợt lấy ý kiến"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ConsultationState.values), name="wf_consultation_state_valid"),
            models.CheckConstraint(condition=~Q(question=""), name="wf_consultation_question_present"),
            models.CheckConstraint(
                condition=Q(state=ConsultationState.OPEN, closed_at__isnull=True)
                | Q(state=ConsultationState.CLOSED, closed_at__isnull=False),
                name="wf_consultation_closed_at_iff_closed",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="wf_consultation_open_deadline")]

    def __str__(self) -> str:
        return f"Lấy ý kiến: {self.document.summary}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        """Open but past its deadline (quá hạn góp ý): answers are refused, the drafter may still close it."""
        return self.state == ConsultationState.OPEN and (now or timezone.now()) >= self.deadline

    def accepts_answers(self, now: datetime.datetime | None = None) -> bool:
        return self.state == ConsultationState.OPEN and not self.is_expired(now)

    @transition(field=state, source=ConsultationState.OPEN, target=ConsultationState.CLOSED)
    def close(self, *, by, at: datetime.datetime) -> None:
        self.closed_by = by
        self.closed_at = at


class ConsultationRequest(models.Model):
    """One party asked in a consultation: a person (``user``) or a unit (``unit``), never both."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="đợt lấy ý kiến", on_delete=models.PROTECT, related_name="requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người được hỏi",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị được hỏi", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    #: The answer that counts; earlier answers stay as superseded :class:`Opinion` rows.
    current_opinion = models.OneToOneField(
        "Opinion",
        verbose_name="ý kiến hiện hành",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "nơi được xin ý kiến"
        verbose_name_plural = "nơi được xin ý kiến"
        ordering = ["consultation", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, unit__isnull=True) | Q(user__isnull=True, unit__isnull=False),
                name="wf_consultation_request_one_party",
                violation_error_message="Mỗi nơi được xin ý kiến là một người hoặc một đơn vị.",
            ),
            models.UniqueConstraint(
                fields=["consultation", "user"],
                condition=Q(user__isnull=False),
                name="wf_consultation_request_user_once",
            ),
            models.UniqueConstraint(
                fields=["consultation", "unit"],
                condition=Q(unit__isnull=False),
                name="wf_consultation_request_unit_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.party)

    @property
    def party(self):
        """The person or unit asked."""
        return self.user if self.user_id is not None else self.unit


class Opinion(models.Model):
    """An answer (ý kiến góp ý) to one request; superseded, never edited, when the party answers again."""

    request = models.ForeignKey(
        ConsultationRequest, verbose_name="nơi được xin ý kiến", on_delete=models.PROTECT, related_name="opinions"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người góp ý", on_delete=models.PROTECT, related_name="+"
    )
    stance = models.CharField("ý kiến", max_length=10, choices=OpinionStance.choices)
    text = models.TextField("nội dung góp ý", blank=True)
    answered_at = models.DateTimeField("góp ý lúc")
    superseded_at = models.DateTimeField("được thay bằng ý kiến mới lúc", null=True, blank=True)

    class Meta:
        verbose_name = "ý kiến góp ý"
        verbose_name_plural = "ý kiến góp ý"
        ordering = ["request", "answered_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(stance__in=OpinionStance.values), name="wf_opinion_stance_valid"),
            # Disagreeing or "other" without saying what is no opinion the drafter can act on.
            models.CheckConstraint(
                condition=Q(stance=OpinionStance.AGREE) | ~Q(text=""), name="wf_opinion_text_unless_agree"
            ),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | Q(superseded_at__gte=F("answered_at")),
                name="wf_opinion_superseded_after_answer",
            ),
            models.UniqueConstraint(
                fields=["request"], condition=Q(superseded_at__isnull=True), name="wf_opinion_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()} — {self.by}"


class OpinionFile(models.Model):
    """A file sent with an opinion: bytes in ``storages["blobs"]`` under their SHA-256."""

    opinion = models.ForeignKey(Opinion, verbose_name="ý kiến", on_delete=models.PROTECT, related_name="files")
    blob_key = models.CharField("khóa tệp", max_length=64)
    sha256 = models.CharField("SHA-256", max_length=64)
    filename = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    content_type = models.CharField("kiểu tệp", max_length=150, blank=True)

    class Meta:
        verbose_name = "tệp kèm ý kiến"
        verbose_name_plural = "tệp kèm ý kiến"
        ordering = ["opinion", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256=F("blob_key")), name="wf_opinion_file_key_is_sha256"),
        ]

    def __str__(self) -> str:
        return self.filename
