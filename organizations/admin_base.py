"""The admin base for models whose writes go through actions (every app's admin uses it).

The admin wraps a change form in its own transaction, but actions own theirs
(``transaction.atomic(durable=True)``), so the change form runs without that outer wrapper here. A
refusal an action raises (a rule only it can check, a missing right) rolls the action back and is
shown as an error message on the form instead of a server error. Rows are never deleted from the
admin: they are deactivated, ended or revoked, keeping the history the audit refers to.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect


def _messages_of(exc: Exception) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])


class ActionAdmin(admin.ModelAdmin):
    #: What an action raises to refuse; higher apps add their domain error type.
    refusals: tuple[type[Exception], ...] = (ValidationError, PermissionDenied)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)
        except self.refusals as exc:
            messages.error(request, "; ".join(_messages_of(exc)))
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False

    def _run_each(self, request, queryset, action, done: str) -> None:
        """Run ``action`` on each selected row, each in its own transaction, reporting refusals one by one."""
        count = 0
        for obj in queryset:
            try:
                action(obj)
                count += 1
            except self.refusals as exc:
                messages.error(request, f"{obj}: {'; '.join(_messages_of(exc))}")
        if count:
            messages.success(request, f"{done}: {count}.")
