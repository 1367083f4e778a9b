"""The context every page needs: who is acting, as which membership, and where they can go."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from organizations.models import Role
from organizations.names import display_name
from workflows.notifications import unread_count


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation bar.

    Shown to the active ``roles`` (all signed-in users when empty), also to superusers when
    ``superuser``, and only to staff when ``staff`` (Django's admin refuses everyone else).
    """

    label: str | Promise
    url_name: str
    roles: frozenset[str] = frozenset()
    superuser: bool = False
    staff: bool = False


#: The pages that exist; a feature adds its entry here when it adds its page.
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Trang chủ"), "home"),
    NavItem(_("Dự thảo của tôi"), "draft-list", roles=frozenset({Role.OFFICER, Role.LEADER, Role.DEPUTY, Role.CLERK})),
    NavItem(_("Chờ duyệt"), "queue-review", roles=frozenset({Role.LEADER, Role.DEPUTY})),
    NavItem(_("Chờ ký"), "queue-signature", roles=frozenset({Role.LEADER, Role.DEPUTY})),
    NavItem(_("Việc văn thư"), "queue-clerk", roles=frozenset({Role.CLERK})),
    NavItem(_("Văn bản đã phát hành"), "issued-list"),
    # The incoming flow: each role's inbox, then the unit's whole list.
    NavItem(_("Chờ vào sổ"), "incoming-to-register", roles=frozenset({Role.CLERK})),
    NavItem(_("Chờ phân phối"), "incoming-to-route", roles=frozenset({Role.LEADER, Role.DEPUTY, Role.PRINCIPAL})),
    NavItem(_("Việc được giao"), "my-assignments", roles=frozenset({Role.OFFICER, Role.LEADER, Role.DEPUTY})),
    NavItem(_("Quá hạn"), "overdue-list", roles=frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.PRINCIPAL})),
    NavItem(
        _("Chờ xác nhận đã nhận"),
        "incoming-to-acknowledge",
        roles=frozenset({Role.LEADER, Role.DEPUTY, Role.PRINCIPAL}),
    ),
    NavItem(_("Văn bản đến"), "incoming-list", roles=frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.PRINCIPAL})),
    NavItem(
        _("Sổ văn bản đi"),
        "outgoing-register",
        roles=frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.ARCHIVIST}),
    ),
    # Sổ văn bản đến (with the follow-up book and the handling report) and the holiday calendar.
    NavItem(
        _("Sổ văn bản đến"),
        "incoming-register",
        roles=frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.ARCHIVIST, Role.PRINCIPAL}),
    ),
    NavItem(_("Lịch nghỉ lễ"), "calendar-days", roles=frozenset({Role.ADMIN}), superuser=True),
    NavItem(_("Quản trị hệ thống"), "admin:index", staff=True),
    NavItem(_("Tài liệu API"), "api-docs", roles=frozenset({Role.ADMIN}), superuser=True),
)


def languages() -> list[tuple[str, str]]:
    """Each language of the switch named in itself ("Tiếng Việt", "English"), whatever the active one."""
    names = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            names.append((code, str(name)))
    return names


def nav_items_for(request: HttpRequest) -> list[dict]:
    """The navigation entries open to the active role (a superuser also sees the administrator's)."""
    user = request.user
    if not user.is_authenticated:
        return []
    membership = getattr(request, "active_membership", None)
    role = membership.role if membership is not None else None
    current = request.resolver_match.view_name if request.resolver_match else None
    items = []
    for item in NAV_ITEMS:
        if item.staff and not user.is_staff:
            continue
        if item.roles and role not in item.roles and not (item.superuser and user.is_superuser):
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "current": item.url_name == current})
    return items


def shell(request: HttpRequest) -> dict:
    """Template context for the layout: the active membership, the others for the switcher, the nav."""
    active = getattr(request, "active_membership", None)
    memberships = getattr(request, "memberships", [])
    user = getattr(request, "user", None)
    return {
        "user_display_name": display_name(user) if user is not None and user.is_authenticated else "",
        "active_membership": active,
        "memberships": memberships,
        "other_memberships": [m for m in memberships if m != active],
        "nav_items": nav_items_for(request),
        "languages": languages(),
        # Lazy: one COUNT, run only when a page shows the header (not for fragments), and at most once.
        "unread_notifications": SimpleLazyObject(partial(unread_count, user))
        if user is not None and user.is_authenticated
        else 0,
    }
