"""Error pages in Vietnamese (English when the user chose it), one template per status.

The ``handler400/403/404/500`` of the root URLconf point here, and :class:`ioffice.web.middleware.
DomainErrorMiddleware` uses :func:`render_error` for refusals raised by views (409 included, which
Django itself has no handler for).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language


def render_error(
    request: HttpRequest,
    *,
    status: int,
    code: str = "",
    message: str = "",
    message_en: str = "",
    messages: list[str] | None = None,
) -> HttpResponse:
    """The error page for ``status``; ``message`` (Vietnamese) or ``message_en`` per the active language."""
    english = (get_language() or "").startswith("en")
    shown = message_en if english and message_en else message
    context = {"error_code": code, "error_message": shown, "error_messages": messages or []}
    return render(request, f"errors/{status}.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: whatever failed may be what they need.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
