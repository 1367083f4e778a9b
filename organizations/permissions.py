"""Who may administer a unit: a superuser, or whoever holds the ``admin`` role in it or above it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied

from organizations.models import Membership, Role, Unit


def can_administer(user, unit: Unit, *, on: datetime.date | None = None) -> bool:
    """True for a superuser or an ``admin`` membership in force in ``unit`` or one of its ancestors."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = [*unit.ancestor_ids(), unit.pk] if unit.pk else unit.ancestor_ids()
    if not scope:
        return False
    return Membership.objects.in_force(on).filter(user=user, role=Role.ADMIN, unit_id__in=scope).exists()


def check_administer(user, unit: Unit | None) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may administer ``unit`` (``None``: the top of the tree)."""
    # Roots (the Sở, outside agencies) hang under nobody, so only a superuser may place them.
    root_ok = unit is None and getattr(user, "is_superuser", False) and user.is_active
    if not root_ok and (unit is None or not can_administer(user, unit)):
        raise PermissionDenied("Bạn không có quyền quản trị đơn vị này.")
