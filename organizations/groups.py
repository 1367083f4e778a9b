"""Django groups mirroring units and (unit, role) pairs, kept in step with memberships in force.

Each unit has one group for everyone in it and one per role, created eagerly so that a grant
(django-guardian's group object permissions) can name them before anyone joins. A user belongs to the
unit group and the (unit, role) group exactly while a membership is in force; :func:`sync_groups`
restores that invariant with a handful of set-based statements, for one user (after an action) or
for everyone (daily, because validity dates pass with time).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from organizations.models import Membership, Role, Unit, UnitGroup

_ROLES: tuple[str, ...] = ("", *Role.values)


def group_name(unit_id: int, role: str = "") -> str:
    """Stable, id-based: codes and names change, group names must not."""
    return f"unit-{unit_id}-{role}" if role else f"unit-{unit_id}"


def ensure_unit_groups(units: Iterable[Unit]) -> int:
    """Create the missing unit and (unit, role) groups of ``units`` in bulk; returns how many."""
    unit_ids = {unit.pk for unit in units}
    if not unit_ids:
        return 0
    have = set(UnitGroup.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "role"))
    wanted = [(uid, role) for uid in sorted(unit_ids) for role in _ROLES if (uid, role) not in have]
    if not wanted:
        return 0
    names = {group_name(uid, role): (uid, role) for uid, role in wanted}
    Group.objects.bulk_create([Group(name=name) for name in names], ignore_conflicts=True, batch_size=500)
    groups = Group.objects.filter(name__in=list(names)).values_list("name", "pk")
    UnitGroup.objects.bulk_create(
        [UnitGroup(unit_id=names[name][0], role=names[name][1], group_id=pk) for name, pk in groups],
        batch_size=500,
    )
    return len(wanted)


def _group(unit: Unit, role: str) -> Group:
    link = UnitGroup.objects.select_related("group").filter(unit=unit, role=role).first()
    if link is None:
        ensure_unit_groups([unit])
        link = UnitGroup.objects.select_related("group").get(unit=unit, role=role)
    return link.group


def unit_group(unit: Unit) -> Group:
    """The group of everyone in ``unit`` (grant an object permission here to open it to the unit)."""
    return _group(unit, "")


def role_group(unit: Unit, role: str) -> Group:
    """The group of the holders of ``role`` in ``unit`` (e.g. its clerks)."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    return _group(unit, role)


@dataclass(frozen=True)
class SyncResult:
    added: int
    removed: int


def sync_groups(*, user_ids: Sequence[int] | None = None, on: datetime.date | None = None) -> SyncResult:
    """Make unit-group membership equal to memberships in force on ``on`` (today by default).

    ``user_ids`` limits the work to those users (an action's case); ``None`` means everyone. Only
    groups linked to units are touched; groups an administrator made by hand are left alone.
    Idempotent: a second run finds nothing to do.
    """
    on = on or timezone.localdate()
    through = get_user_model().groups.through
    in_force = Membership.objects.in_force(on)
    current = through.objects.filter(group__unit_link__isnull=False)
    if user_ids is not None:
        current = current.filter(user_id__in=list(user_ids))
        in_force = in_force.filter(user_id__in=list(user_ids))

    # Out: rows with no membership in force behind them (any role for the unit group, that role otherwise).
    holds_unit = in_force.filter(user_id=OuterRef("user_id"), unit_id=OuterRef("group__unit_link__unit_id"))
    removed, _ = current.filter(
        (Q(group__unit_link__role="") & ~Exists(holds_unit))
        | (~Q(group__unit_link__role="") & ~Exists(holds_unit.filter(role=OuterRef("group__unit_link__role"))))
    ).delete()

    # In: (user, group) pairs that memberships in force call for and that are missing; only those travel.
    user_filter = {"unit__memberships__user_id__in": list(user_ids)} if user_ids is not None else {}
    missing = (
        UnitGroup.objects.filter(
            Membership.in_force_q(on, prefix="unit__memberships__")
            & (Q(role="") | Q(role=F("unit__memberships__role"))),
            **user_filter,
        )
        .annotate(
            present=Exists(
                through.objects.filter(user_id=OuterRef("unit__memberships__user_id"), group_id=OuterRef("group_id"))
            )
        )
        .filter(present=False)
        .values_list("unit__memberships__user_id", "group_id")
        .distinct()
    )
    rows = [through(user_id=user_id, group_id=group_id) for user_id, group_id in missing]
    through.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return SyncResult(added=len(rows), removed=removed)


def sync_all(*, on: datetime.date | None = None) -> tuple[int, SyncResult]:
    """The daily sync: groups for units that lack them, then every user's group membership."""
    with transaction.atomic():
        created = ensure_unit_groups(Unit.objects.only("pk"))
        return created, sync_groups(on=on)
