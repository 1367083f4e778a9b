"""The context every page needs: who is acting, as which membership, and where they can go."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from organizations.models import Role


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
    NavItem(
        _("Sổ văn bản đi"),
        "outgoing-register",
        roles=frozenset({Role.CLERK, Role.LEADER, Role.DEPUTY, Role.ARCHIVIST}),
    ),
    NavItem(_("Quản trị hệ thống"), "admin:index", staff=True),
    NavItem(_("Tài liệu API"), "api-docs", roles=frozenset({Role.ADMIN}), superuser=True),
)


def display_name(user) -> str:
    """A person's name the Vietnamese way, family name first ("Nguyễn Thị Lan"); the username if none."""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


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
    }
