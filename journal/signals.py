"""Sign-in, sign-out and failed sign-in, written to the audit trail from Django's auth signals.

The account is named by the username as typed, lower-cased (``object_type="username"``), so failed
attempts against a name that does not exist are counted too and the lockout cannot tell an attacker
which names are real. Passwords never reach the trail: only the username is read from the
credentials.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest

from journal.audit import record
from journal.middleware import client_ip
from journal.selectors import LOGIN, LOGIN_FAILED, LOGOUT, USERNAME


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


def on_user_logged_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    with transaction.atomic():
        record(
            actor=user,
            verb=LOGIN,
            object_type=USERNAME,
            object_id=user.get_username().lower(),
            ip=_ip(request),
        )


def on_user_logged_out(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if user is None:
        # Signing out a visitor who was never signed in is not an event.
        return
    with transaction.atomic():
        record(
            actor=user,
            verb=LOGOUT,
            object_type=USERNAME,
            object_id=user.get_username().lower(),
            ip=_ip(request),
        )


def on_user_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    field = get_user_model().USERNAME_FIELD
    username = str(credentials.get(field) or credentials.get("username") or "").strip().lower()
    with transaction.atomic():
        record(actor=None, verb=LOGIN_FAILED, object_type=USERNAME, object_id=username, ip=_ip(request))
