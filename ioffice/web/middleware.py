"""Who is acting, and how a refused request looks on a page.

A person may hold roles in several units (a teacher who is also the school's clerk, a Phòng GDĐT
officer seconded to the Sở). Every page acts as exactly one of those memberships: the one the user
picked with the switcher (kept in the session), or their first one in force. A stored choice that
has expired, been ended, or is not theirs is ignored, never trusted. The chosen unit is handed to the
journal so audit rows say on whose behalf the user acted.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from ioffice.web.views.errors import render_error
from journal.context import set_active_unit
from journal.errors import DomainError
from organizations.selectors import active_memberships

SESSION_KEY = "ioffice.active_membership_id"


def resolve_memberships(request: HttpRequest) -> tuple[list, object | None]:
    """The signed-in user's memberships in force and the active one among them (``None`` if they hold none)."""
    user = request.user
    if not user.is_authenticated:
        return [], None
    memberships = list(active_memberships(user=user))
    if not memberships:
        return [], None
    chosen_id = request.session.get(SESSION_KEY)
    active = next((m for m in memberships if m.pk == chosen_id), memberships[0])
    return memberships, active


class LanguageMiddleware:
    """Vietnamese unless the person chose another language with the switcher (a cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, and many offices run browsers
    set up in English; here the default is the office's language, and English is a choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ("Cookie",))
        return response


class ActiveMembershipMiddleware:
    """Sets ``request.memberships`` and ``request.active_membership`` and tells the journal the active unit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships, active = resolve_memberships(request)
        request.memberships = memberships
        request.active_membership = active
        set_active_unit(active.unit_id if active is not None else None)
        return self.get_response(request)


class DomainErrorMiddleware:
    """Turns a refusal raised by a page view into the matching error page and status.

    ``DomainError`` carries its own status (400/403/404/409) and a message fit to show; Django's
    ``ValidationError`` is a 400 and ``PermissionDenied`` a 403. The API never gets here: DRF
    handles its exceptions inside the view (see :mod:`ioffice.api.errors`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return render_error(
                request,
                status=exception.http_status,
                code=exception.code,
                message=exception.message,
                message_en=exception.message_en,
            )
        if isinstance(exception, ValidationError):
            return render_error(request, status=400, messages=exception.messages)
        if isinstance(exception, PermissionDenied):
            return render_error(request, status=403, message=str(exception))
        return None
