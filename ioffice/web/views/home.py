"""The home page (trang chủ): one template per role of the active membership.

Each template names the queues that person works from; later features fill them through the
selectors of their apps. Until then each queue says plainly that it is empty.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organizations.models import Role

HOME_TEMPLATES: dict[str, str] = {
    Role.CLERK: "home/clerk.html",
    Role.OFFICER: "home/officer.html",
    Role.LEADER: "home/leader.html",
    Role.DEPUTY: "home/leader.html",
    Role.PRINCIPAL: "home/principal.html",
    Role.ARCHIVIST: "home/archivist.html",
    Role.ADMIN: "home/admin.html",
}
NO_MEMBERSHIP_TEMPLATE = "home/no_membership.html"


def home_template(request: HttpRequest) -> str:
    """The template for the active role; a superuser holding no membership gets the administrator's."""
    membership = request.active_membership
    if membership is not None:
        return HOME_TEMPLATES[membership.role]
    if request.user.is_superuser:
        return HOME_TEMPLATES[Role.ADMIN]
    return NO_MEMBERSHIP_TEMPLATE


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, home_template(request))
