"""Reading the audit trail: sign-in failures for the lockout rule, and one object's history."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from journal.models import AuditEvent

LOGIN = "auth.login"
LOGOUT = "auth.logout"
LOGIN_FAILED = "auth.login_failed"
#: Sign-in events name the account by the username as typed, lower-cased (it may not exist).
USERNAME = "username"


def login_failures_since(*, username: str, since: datetime.datetime) -> int:
    """Failed sign-ins for ``username`` after ``since`` and after its last successful sign-in.

    Two queries on the (verb, object_type, object_id, at) index: the last success in the window,
    then the failures after the later of the two moments.
    """
    key = username.strip().lower()
    last_success = (
        AuditEvent.objects.filter(verb=LOGIN, object_type=USERNAME, object_id=key, at__gt=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    floor = max(since, last_success) if last_success is not None else since
    return AuditEvent.objects.filter(verb=LOGIN_FAILED, object_type=USERNAME, object_id=key, at__gt=floor).count()


def events_for_object(*, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    """The trail of one object (``"documents.document"``, ``42``), oldest first."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id")
