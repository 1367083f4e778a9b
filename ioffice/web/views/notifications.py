"""Thông báo: the person's notifications, marking them read, and what they want by e-mail.

Thin over :mod:`workflows.notifications`. Everything here is the signed-in person's own: the reads
filter on them, and marking read cannot touch anyone else's rows. Opening a notification is a POST
(it changes the row), which then sends the person on to the page the notification points to.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from workflows.models import Notification, NotificationKind
from workflows.notifications import (
    DEFAULT_EMAIL_KINDS,
    do_set_notification_preferences,
    mark_read,
    notifications_for,
    preferences_of,
)

PAGE_SIZE = 50


class PreferencesForm(forms.Form):
    email_enabled = forms.BooleanField(label=_lazy("Nhận thông báo qua thư điện tử"), required=False)
    email_kinds = forms.MultipleChoiceField(
        label=_lazy("Loại thông báo gửi thư"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_lazy("Văn bản hỏa tốc, thượng khẩn luôn được gửi thư khi bạn bật nhận thư điện tử."),
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Unread urgent ones first, then newest first; 50 a page."""
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("trang"))
    # The unread count for the "mark all read" button is the header's (``unread_notifications``), counted once.
    context = {"page": page, "notifications": page.object_list}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the person's notifications read and go where it points (its own list when it points nowhere).

    Someone else's id marks nothing (``mark_read`` filters on the person) and leads back to the list.
    """
    mark_read(request.user, ids=[pk])
    target = Notification.objects.filter(user=request.user, pk=pk).values_list("url", flat=True).first()
    # Only a path inside this site: the url column is written by the system, but a redirect must never leave.
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("notification-list"))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    changed = mark_read(request.user)
    if changed:
        messages.success(request, _("Đã đánh dấu %(count)d thông báo là đã đọc.") % {"count": changed})
    return HttpResponseRedirect(reverse("notification-list"))


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """E-mail on or off and which kinds; in-app notifications stay on whatever is chosen."""
    current = preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            do_set_notification_preferences(
                request.user,
                acting_user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                email_kinds=form.cleaned_data["email_kinds"],
            )
            messages.success(request, _("Đã lưu tùy chọn thông báo."))
            return HttpResponseRedirect(reverse("notification-preferences"))
        status = 400
    else:
        form = PreferencesForm(initial={"email_enabled": current.email_enabled, "email_kinds": current.email_kinds})
        status = 200
    context = {
        "form": form,
        "saved": current.pk is not None,
        "defaults": [label for value, label in NotificationKind.choices if value in DEFAULT_EMAIL_KINDS],
    }
    return render(request, "notifications/preferences.html", context, status=status)
