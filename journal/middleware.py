"""Request context for audit rows: the client IP of every request, available to actions below."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from journal.context import request_context


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as the server saw it (``REMOTE_ADDR``).

    Forwarded headers are not trusted here: anyone can send them. A deployment behind a proxy sets
    ``REMOTE_ADDR`` from the proxy's header in the proxy-aware WSGI layer, not in application code.
    """
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Wrap each request in a fresh :func:`journal.context.request_context` carrying its IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(ip=client_ip(request)):
            return self.get_response(request)
