"""The Content-Security-Policy every response carries.

Pages load only their own scripts and stylesheets: no inline ``<script>``, ``<style>``, ``style=""``
or ``on*=""`` handler anywhere, so an injected fragment that slipped past escaping still cannot run.
htmx is told through ``<meta name="htmx-config">`` not to inject its indicator ``<style>`` (the rule
lives in ``ioffice.css``) and not to ``eval``. Django 5.2 has no CSP of its own; this middleware is
the one place the policy is written.

Framing follows ``X-Frame-Options``: a response a view marked ``SAMEORIGIN`` (the PDF preview the
document page shows in an ``<iframe>``) may be framed by our own pages, everything else by no one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

#: The directives, in the order they are written. ``frame-ancestors`` is added per response.
DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    # data: for the icons third-party stylesheets embed (Swagger UI's); images cannot run script.
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("frame-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
)


def policy(*, frame_ancestors: str = "'none'") -> str:
    """The header value; ``frame_ancestors`` is ``'none'`` unless the response may be framed by our pages."""
    return "; ".join(f"{name} {value}" for name, value in (*DIRECTIVES, ("frame-ancestors", frame_ancestors)))


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not already carry one.

    Placed before ``XFrameOptionsMiddleware`` in ``MIDDLEWARE`` so that it sees the final
    ``X-Frame-Options`` value on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response.headers:
            same_origin = response.headers.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
            response.headers[HEADER] = policy(frame_ancestors="'self'" if same_origin else "'none'")
        return response
