"""Explicit access rights on a document, changed only by two people (Decree 30, Phụ lục VI).

Granting someone (a person or a whole unit) a right on a document, or taking it back, is first a
request (:class:`AccessChange`, chờ xác nhận) and takes effect only when a second authorised person
confirms it: the guardian object permission is written or deleted in the confirming transaction,
never before. The request row stays as the record of who asked, who decided, when and why.

The grantee is a user or a unit, exactly one (a database check); a unit's grant is held by the
unit's group (:func:`organizations.groups.unit_group`), so it follows people as they join and leave.
At most one change per (document, grantee, right) waits at a time, enforced by partial unique
indexes, so two clerks asking at once cannot leave two contradicting requests for the confirmer.
The confirmer differs from the requester, also as a database check: the second person is the point.
Grants made by issuing a document to its recipients are the system's, not requests (see
:mod:`workflows.actions.issue`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from documents.models.documents import Document
from organizations.models import Unit


class AccessChangeKind(models.TextChoices):
    GRANT = "grant", "Cấp quyền"
    REVOKE = "revoke", "Thu hồi quyền"


class AccessPermission(models.TextChoices):
    """The rights a change may concern: guardian codenames on :class:`Document`."""

    VIEW = "view_document", "Xem văn bản"


class AccessChangeState(models.TextChoices):
    PENDING = "pending", "Chờ xác nhận"
    CONFIRMED = "confirmed", "Đã xác nhận"
    REFUSED = "refused", "Bị từ chối"
    CANCELLED = "cancelled", "Đã hủy"


S = AccessChangeState


class AccessChange(ConcurrentTransitionMixin, models.Model):
    """One request to grant or revoke a right on a document, and the second person's decision on it."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.PROTECT, related_name="access_changes"
    )
    kind = models.CharField("loại thay đổi", max_length=10, choices=AccessChangeKind.choices)
    grantee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người được cấp quyền",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    grantee_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị được cấp quyền", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    permission = models.CharField(
        "quyền", max_length=40, choices=AccessPermission.choices, default=AccessPermission.VIEW
    )
    reason = models.TextField("lý do")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người đề nghị", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("đề nghị lúc")
    state = FSMField("trạng thái", default=S.PENDING, choices=S.choices, protected=True, max_length=12)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người quyết định",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("quyết định lúc", null=True, blank=True)
    decision_comment = models.TextField("ý kiến khi quyết định", blank=True)

    class Meta:
        verbose_name = "thay đổi quyền truy cập"
        verbose_name_plural = "thay đổi quyền truy cập"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccessChangeKind.values), name="doc_access_kind_valid"),
            models.CheckConstraint(
                condition=Q(permission__in=AccessPermission.values), name="doc_access_permission_valid"
            ),
            models.CheckConstraint(condition=Q(state__in=S.values), name="doc_access_state_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="doc_access_reason_present"),
            models.CheckConstraint(
                condition=Q(grantee_user__isnull=False, grantee_unit__isnull=True)
                | Q(grantee_user__isnull=True, grantee_unit__isnull=False),
                name="doc_access_one_grantee",
                violation_error_message="Quyền được cấp cho một người hoặc một đơn vị.",
            ),
            models.CheckConstraint(
                condition=Q(state=S.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(state=S.PENDING) & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="doc_access_decided_iff_not_pending",
            ),
            # The second person is what the decree asks for: nobody confirms or refuses their own request.
            models.CheckConstraint(
                condition=~Q(state__in=[S.CONFIRMED, S.REFUSED]) | ~Q(decided_by=F("requested_by")),
                name="doc_access_decided_by_another",
            ),
            models.UniqueConstraint(
                fields=["document", "grantee_user", "permission"],
                condition=Q(state=S.PENDING, grantee_user__isnull=False),
                name="doc_access_one_pending_user",
                violation_error_message="Đã có một đề nghị thay đổi quyền của người này đang chờ xác nhận.",
            ),
            models.UniqueConstraint(
                fields=["document", "grantee_unit", "permission"],
                condition=Q(state=S.PENDING, grantee_unit__isnull=False),
                name="doc_access_one_pending_unit",
                violation_error_message="Đã có một đề nghị thay đổi quyền của đơn vị này đang chờ xác nhận.",
            ),
        ]
        indexes = [models.Index(fields=["state", "document"], name="doc_access_state_document")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} “{self.get_permission_display()}” — {self.grantee_label}"

    @property
    def grantee(self):
        """The person or unit the right is for."""
        return self.grantee_user if self.grantee_user_id is not None else self.grantee_unit

    @property
    def grantee_label(self) -> str:
        if self.grantee_user_id is not None:
            user = self.grantee_user
            return f"{user.last_name} {user.first_name}".strip() or user.get_username()
        return self.grantee_unit.name

    def _decide(self, *, by, at: datetime.datetime, comment: str) -> None:
        self.decided_by = by
        self.decided_at = at
        self.decision_comment = comment

    @transition(field=state, source=S.PENDING, target=S.CONFIRMED)
    def confirm(self, *, by, at: datetime.datetime, comment: str = "") -> None:
        self._decide(by=by, at=at, comment=comment)

    @transition(field=state, source=S.PENDING, target=S.REFUSED)
    def refuse(self, *, by, at: datetime.datetime, comment: str = "") -> None:
        self._decide(by=by, at=at, comment=comment)

    @transition(field=state, source=S.PENDING, target=S.CANCELLED)
    def cancel(self, *, by, at: datetime.datetime, comment: str = "") -> None:
        self._decide(by=by, at=at, comment=comment)
