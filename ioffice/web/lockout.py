"""The sign-in lockout rule, shared by the sign-in page and the API's token endpoint.

A username is locked once ``IOFFICE_LOGIN_MAX_FAILURES`` failed sign-ins have been recorded on the
audit chain within the last ``IOFFICE_LOGIN_LOCKOUT_MINUTES`` (and since its last success). The
count comes from the journal, which records every failure from Django's ``user_login_failed``
signal, so the page and the API share one counter and it survives restarts and many web processes.
The lock is checked before the password: a locked account cannot be opened by guessing right.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from journal.selectors import login_failures_since


def now() -> datetime.datetime:
    """The clock the rule reads; a module-level function so tests can move it without touching the database."""
    return timezone.now()


def lockout_minutes() -> int:
    return settings.IOFFICE_LOGIN_LOCKOUT_MINUTES


def is_locked_out(*, username: str) -> bool:
    """Whether sign-in for ``username`` is refused right now, whatever password is offered."""
    since = now() - datetime.timedelta(minutes=lockout_minutes())
    return login_failures_since(username=username, since=since) >= settings.IOFFICE_LOGIN_MAX_FAILURES


#: The wording of the refusal; the msgid is the Vietnamese text, so ``LOCKOUT_MESSAGE % {...}`` is Vietnamese.
LOCKOUT_MESSAGE = gettext_noop(
    "Tài khoản tạm thời bị khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút."
)
LOCKOUT_MESSAGE_EN = "Too many failed sign-in attempts: this account is locked. Try again in %(minutes)d minutes."


def lockout_message() -> str:
    """The refusal in the active language (Vietnamese unless the user switched to English)."""
    return gettext(LOCKOUT_MESSAGE) % {"minutes": lockout_minutes()}
