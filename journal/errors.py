"""The domain error type every action raises, and the HTTP status each kind maps to.

Actions refuse with a :class:`DomainError` subclass; views and the API map it to a response without
knowing which action raised it: ``InvalidInput`` → 400, ``Forbidden`` → 403, ``NotFound`` → 404,
``Conflict`` → 409. ``code`` is a stable snake_case identifier that clients and tests match on;
``message`` is the Vietnamese sentence shown to the user (``str(error)`` is that sentence) and
``message_en`` the English one the API adds next to it.
"""

from __future__ import annotations

import re
from typing import ClassVar

_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


class DomainError(Exception):
    """An action refused: what went wrong (``code``), in Vietnamese (``message``) and English."""

    http_status: ClassVar[int] = 400
    default_code: ClassVar[str] = "domain_error"
    default_message: ClassVar[str] = "Không thể thực hiện thao tác."
    default_message_en: ClassVar[str] = "The operation cannot be performed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        message_en: str | None = None,
        details: dict | None = None,
    ) -> None:
        self.code = code or self.default_code
        if not _CODE.match(self.code):
            # The code is part of the API contract: a typo here would silently break clients.
            raise ValueError(f"error code {self.code!r} is not snake_case")
        self.message = message or self.default_message
        # A specific Vietnamese message without an English one falls back to itself rather than to a
        # generic English sentence that would say something different.
        self.message_en = message_en or (self.default_message_en if message is None else self.message)
        self.details = dict(details or {})
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        """The body the API returns: code, Vietnamese message, English message, details."""
        return {"code": self.code, "message": self.message, "message_en": self.message_en, "details": self.details}


class InvalidInput(DomainError):
    """The request itself is wrong (a missing field, a date in the past): 400."""

    http_status = 400
    default_code = "invalid_input"
    default_message = "Dữ liệu không hợp lệ."
    default_message_en = "The input is not valid."


class Forbidden(DomainError):
    """The acting user may not do this in this unit and role: 403."""

    http_status = 403
    default_code = "forbidden"
    default_message = "Bạn không có quyền thực hiện thao tác này."
    default_message_en = "You are not allowed to perform this operation."


class NotFound(DomainError):
    """The object does not exist, or the user may not know that it does: 404."""

    http_status = 404
    default_code = "not_found"
    default_message = "Không tìm thấy đối tượng yêu cầu."
    default_message_en = "The requested object was not found."


class Conflict(DomainError):
    """The object is not in a state that allows this (an illegal transition, a stale edit): 409."""

    http_status = 409
    default_code = "conflict"
    default_message = "Trạng thái hiện tại không cho phép thao tác này."
    default_message_en = "The current state does not allow this operation."


class TransactionRequired(RuntimeError):
    """A programming error: an audit row or a domain event was written outside a transaction.

    Both must commit or vanish with the change they describe, so they refuse to run in autocommit,
    where they would outlive a rollback of the change (or be written for a change that never was).
    """
