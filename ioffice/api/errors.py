"""How the API reports a refusal.

A :class:`journal.errors.DomainError` becomes ``{"code", "detail", "detail_vi"}`` with its own status
(400/403/404/409): ``detail`` in English for integrators, ``detail_vi`` in Vietnamese for the people
they show it to, and ``details`` when the action supplied specifics. Django's ``ValidationError``
(raised by ``full_clean()`` inside actions) is a 400 in the same shape, its messages per field under
``details``; Django's ``PermissionDenied`` is a 403. Everything else is DRF's default (its own
exceptions, ``Http404`` → 404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from journal.errors import DomainError, Forbidden, InvalidInput


def domain_error_body(error: DomainError) -> dict:
    body = {"code": error.code, "detail": error.message_en, "detail_vi": error.message}
    if error.details:
        body["details"] = error.details
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=exc.http_status)
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(domain_error_body(InvalidInput(details=errors)), status=InvalidInput.http_status)
    if isinstance(exc, PermissionDenied):
        return Response(domain_error_body(Forbidden()), status=Forbidden.http_status)
    return drf_exception_handler(exc, context)
