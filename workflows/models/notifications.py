"""Notifications (thông báo): in the app with an unread counter, and by e-mail as each person chooses.

A notification is written by a task after the change that caused it has committed (events are
handed to subscribers by the worker), and ``key`` makes it idempotent: the same event delivered twice
(a retried task) finds its row and sends nothing more. E-mail is sent by a second task per
notification, which stamps ``emailed_at`` under the row's lock, so a retry never mails twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationKind(models.TextChoices):
    ARRIVED = "arrived", "Văn bản đến mới"
    URGENT = "urgent", "Văn bản hỏa tốc, thượng khẩn"
    ASSIGNED = "assigned", "Được giao xử lý"
    STATUS = "status", "Nơi nhận cập nhật tình trạng"
    REMINDER = "reminder", "Nhắc hạn xử lý"
    OVERDUE = "overdue", "Quá hạn xử lý"
    RECALL = "recall", "Thu hồi văn bản"
    SECURITY = "security", "Bảo mật tài khoản"
    OTHER = "other", "Khác"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nhận", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("loại", max_length=10, choices=NotificationKind.choices)
    title = models.CharField("tiêu đề", max_length=300)
    body = models.TextField("nội dung", blank=True)
    #: A path inside the site (``/van-ban-den/12/``), never an outside address.
    url = models.CharField("đường dẫn", max_length=300, blank=True)
    urgent = models.BooleanField("khẩn", default=False)
    #: What caused it, unique per user: ``delivery.registered:12``; a repeated event adds nothing.
    key = models.CharField("khóa chống trùng", max_length=200)
    created_at = models.DateTimeField("lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)
    emailed_at = models.DateTimeField("đã gửi thư lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="wf_notification_once"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="wf_notification_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="wf_notification_unread"),
            models.Index(fields=["user", "-created_at"], name="wf_notification_recent"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """What a person wants by e-mail; in-app notifications are always on. No row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField("nhận thư điện tử", default=True)
    #: The kinds mailed when e-mail is on; urgent documents are mailed whatever this says, if e-mail is on.
    email_kinds = models.JSONField("loại thông báo gửi thư", default=list, blank=True)

    class Meta:
        verbose_name = "tùy chọn thông báo"
        verbose_name_plural = "tùy chọn thông báo"

    def __str__(self) -> str:
        return f"Tùy chọn thông báo của {self.user}"
