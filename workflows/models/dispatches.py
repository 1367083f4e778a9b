"""The outgoing approval process (quy trình phát hành) of one draft, as a django-fsm-2 state machine.

The state is protected (only a transition may change it) and the row is optimistically locked
(:class:`ConcurrentTransitionMixin`): two leaders acting on the same dispatch at once cannot both
win. Transitions only change fields; the actions in :mod:`workflows.actions.dispatches` check who
may act, write the log row and the audit row, and publish the event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from documents.models import Document, SignerAuthority
from workflows.models.steps import StepLog


class DispatchState(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SUBMITTED = "submitted", "Chờ lãnh đạo phòng duyệt"
    RETURNED = "returned", "Trả lại"
    APPROVED = "approved", "Đã duyệt"
    AWAITING_SIGNATURE = "awaiting_signature", "Chờ ký"
    SIGNED = "signed", "Đã ký"
    NUMBERED = "numbered", "Đã cấp số"
    SEALED = "sealed", "Đã đóng dấu/ký số cơ quan"
    ISSUED = "issued", "Đã phát hành"
    RECALLED = "recalled", "Đã thu hồi"
    REPLACED = "replaced", "Đã bị thay thế"


S = DispatchState


class Dispatch(ConcurrentTransitionMixin, models.Model):
    """The outgoing process of one document, from the drafter's submission to the agency seal."""

    document = models.OneToOneField(Document, verbose_name="văn bản", on_delete=models.PROTECT, related_name="dispatch")
    state = FSMField("trạng thái", default=S.DRAFT, choices=S.choices, protected=True, max_length=32)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lãnh đạo phòng duyệt",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signer_authority = models.CharField("thẩm quyền ký", max_length=8, choices=SignerAuthority.choices, blank=True)
    submitted_at = models.DateTimeField("trình lúc", null=True, blank=True)
    approved_at = models.DateTimeField("duyệt lúc", null=True, blank=True)
    signed_at = models.DateTimeField("ký lúc", null=True, blank=True)
    numbered_at = models.DateTimeField("cấp số lúc", null=True, blank=True)
    sealed_at = models.DateTimeField("đóng dấu lúc", null=True, blank=True)
    issued_at = models.DateTimeField("phát hành lúc", null=True, blank=True)
    recalled_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    recall_reason = models.TextField("lý do thu hồi", blank=True)
    replaced_at = models.DateTimeField("bị thay thế lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "quy trình phát hành"
        verbose_name_plural = "quy trình phát hành"
        indexes = [models.Index(fields=["state"], name="wf_dispatch_state")]

    def __str__(self) -> str:
        return f"{self.document} — {self.get_state_display()}"

    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED)
    def submit_for_review(self, *, reviewer, at) -> None:
        self.reviewer = reviewer
        self.submitted_at = at

    @transition(field=state, source=[S.SUBMITTED, S.AWAITING_SIGNATURE], target=S.RETURNED)
    def return_(self) -> None:
        """Back to the drafter; the reviewer and signer chosen before are chosen again on resubmission."""

    @transition(field=state, source=S.SUBMITTED, target=S.APPROVED)
    def approve(self, *, at) -> None:
        self.approved_at = at

    @transition(field=state, source=S.APPROVED, target=S.AWAITING_SIGNATURE)
    def submit_for_signature(self, *, signer, authority: str) -> None:
        self.signer = signer
        self.signer_authority = authority

    @transition(field=state, source=S.AWAITING_SIGNATURE, target=S.SIGNED)
    def sign(self, *, at) -> None:
        self.signed_at = at

    @transition(field=state, source=S.SIGNED, target=S.NUMBERED)
    def number(self, *, at) -> None:
        self.numbered_at = at

    @transition(field=state, source=S.NUMBERED, target=S.SEALED)
    def seal(self, *, at) -> None:
        self.sealed_at = at

    @transition(field=state, source=S.SEALED, target=S.ISSUED)
    def issue(self, *, at) -> None:
        self.issued_at = at

    @transition(field=state, source=S.ISSUED, target=S.RECALLED)
    def recall(self, *, at, reason: str) -> None:
        self.recalled_at = at
        self.recall_reason = reason

    @transition(field=state, source=S.ISSUED, target=S.REPLACED)
    def replace(self, *, at) -> None:
        """A newer document that replaces (thay thế) this one was issued; this one no longer applies."""
        self.replaced_at = at


class DispatchTransition(StepLog):
    """One step of a dispatch: who moved it from which state to which, when, and why."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField("từ trạng thái", max_length=32, choices=S.choices, blank=True)
    to_state = models.CharField("sang trạng thái", max_length=32, choices=S.choices)

    class Meta(StepLog.Meta):
        verbose_name = "bước xử lý"
        verbose_name_plural = "các bước xử lý"

    def __str__(self) -> str:
        return f"{self.name}: {self.from_state} → {self.to_state}"
