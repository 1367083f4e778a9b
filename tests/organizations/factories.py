"""Small factories for organizations rows, importable from any app's tests.

They write rows directly (no acting user, no audit) but through the same path and group helpers the
actions use, so trees, paths and groups come out exactly as the actions would leave them.
"""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.groups import ensure_unit_groups, sync_groups
from organizations.models import Membership, Role, SchoolLevel, Unit, UnitKind
from organizations.tree import assign_paths

_seq = itertools.count(1)

#: The kind a unit gets when none is given, from its parent's kind (a sensible child of each).
_DEFAULT_CHILD = {
    None: UnitKind.DEPARTMENT,
    UnitKind.DEPARTMENT: UnitKind.DIVISION,
    UnitKind.DISTRICT_OFFICE: UnitKind.SCHOOL,
    UnitKind.EXTERNAL: UnitKind.EXTERNAL,
}


def make_user(username: str | None = None, *, password: str | None = None, superuser: bool = False, **fields):
    n = next(_seq)
    username = username or f"user{n}"
    fields.setdefault("first_name", f"Người dùng {n}")
    user_model = get_user_model()
    if superuser:
        fields.setdefault("email", f"{username}@example.test")
        return user_model.objects.create_superuser(username=username, password=password, **fields)
    return user_model.objects.create_user(username=username, password=password, **fields)


def make_unit(
    *,
    name: str | None = None,
    kind: str | None = None,
    parent: Unit | None = None,
    school_level: str | None = None,
    code: str | None = None,
    abbreviation: str = "",
    enrolled: bool = True,
    **fields,
) -> Unit:
    n = next(_seq)
    kind = kind or _DEFAULT_CHILD[parent.kind if parent else None]
    if school_level is None:
        school_level = SchoolLevel.TIEU_HOC if kind == UnitKind.SCHOOL else ""
    unit = Unit(
        name=name or f"Đơn vị thử {n}",
        kind=kind,
        parent=parent,
        school_level=school_level,
        code=code if code is not None else f"T{n:03d}.00.00.H41",
        abbreviation=abbreviation,
        enrolled=enrolled,
        **fields,
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    assign_paths([unit])
    ensure_unit_groups([unit])
    return unit


def make_membership(
    *,
    user=None,
    unit: Unit | None = None,
    role: str = Role.OFFICER,
    title: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Membership:
    membership = Membership.objects.create(
        user=user or make_user(),
        unit=unit or make_unit(),
        role=role,
        title=title,
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
    )
    sync_groups(user_ids=[membership.user_id])
    return membership
