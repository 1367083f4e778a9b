"""Reads about units, memberships and authority; each one query shape, with explicit dates."""

from __future__ import annotations

import datetime
import functools

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from organizations.models import Delegation, DelegationScope, DistributionList, Membership, Role, Unit

#: Roles that carry a unit's signing and routing authority by themselves (a school's head is its principal).
AUTHORITY_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.DEPUTY, Role.PRINCIPAL})

_AUTHORITIES = {DelegationScope.SIGN, DelegationScope.ROUTE}


def active_memberships(*, user, on: datetime.date | None = None) -> QuerySet[Membership]:
    """The memberships ``user`` holds on ``on`` (today by default), unit joined, in tree order."""
    return Membership.objects.in_force(on).filter(user=user).select_related("unit").order_by("unit__path", "role")


def roles_in(*, user, unit: Unit, on: datetime.date | None = None) -> set[str]:
    """The roles ``user`` holds in ``unit`` itself on ``on`` (not inherited from parents).

    Every action asks this before it writes, so it is one statement written once per process: the
    ORM took 0.4 ms of CPU to compile this filter each time, nine times the statement itself (a
    registration's largest cost after the delivery's own read). The predicate is
    :meth:`Membership.in_force_q`'s; ``tests/organizations/test_memberships.py`` holds them equal.
    """
    on = on or timezone.localdate()
    # "ended_at's local date is after on" is "ended_at is at or after the local midnight that ends on".
    ends = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _roles_sql(),
            [
                user.pk,
                unit.pk,
                ops.adapt_datefield_value(on),
                ops.adapt_datefield_value(on),
                ops.adapt_datetimefield_value(ends),
            ],
        )
        return {role for (role,) in cursor.fetchall()}


@functools.cache
def _roles_sql() -> str:
    qn = connection.ops.quote_name
    meta = Membership._meta

    def column(name: str) -> str:
        return qn(meta.get_field(name).column)

    return (
        f"SELECT {column('role')} FROM {qn(meta.db_table)} "  # noqa: S608 - identifiers come from the model
        f"WHERE {column('user')} = %s AND {column('unit')} = %s AND {column('valid_from')} <= %s "
        f"AND ({column('valid_until')} IS NULL OR {column('valid_until')} >= %s) "
        f"AND ({column('ended_at')} IS NULL OR {column('ended_at')} >= %s)"
    )


def units_under(*, unit: Unit, include_self: bool = True) -> QuerySet[Unit]:
    """Every unit in the subtree of ``unit``: one indexed prefix query on the materialized path."""
    qs = Unit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def delegations_in_force(
    *, delegate, on: datetime.date | None = None, scope: str | None = None
) -> QuerySet[Delegation]:
    """Delegations ``delegate`` holds on ``on``; ``scope`` "sign"/"route" also matches "both"."""
    qs = Delegation.objects.in_force(on).filter(delegate=delegate)
    if scope is not None:
        if scope not in DelegationScope.values:
            raise ValueError(f"Unknown delegation scope {scope!r}")
        qs = qs.covering(scope) if scope != DelegationScope.BOTH else qs.filter(scope=DelegationScope.BOTH)
    return qs.select_related("unit", "delegator")


def holds_authority(*, user, unit: Unit, authority: str, on: datetime.date | None = None) -> bool:
    """Whether ``user`` may sign (``"sign"``) or route (``"route"``) for ``unit`` on ``on``.

    Held by the unit's leader, deputy or principal, or by a delegation in force for that unit and
    authority (a ``both`` delegation covers either).
    """
    if authority not in _AUTHORITIES:
        raise ValueError(f"authority must be 'sign' or 'route', not {authority!r}")
    if Membership.objects.in_force(on).filter(user=user, unit=unit, role__in=AUTHORITY_ROLES).exists():
        return True
    return Delegation.objects.in_force(on).covering(authority).filter(delegate=user, unit=unit).exists()


def members_with(*, unit: Unit, roles, on: datetime.date | None = None) -> QuerySet:
    """Active users holding one of ``roles`` in ``unit`` on ``on`` (e.g. the heads a draft goes to), by name."""
    from django.contrib.auth import get_user_model

    held = Membership.objects.in_force(on).filter(unit=unit, role__in=roles).values("user_id")
    return get_user_model().objects.filter(pk__in=held, is_active=True).order_by("last_name", "first_name")


def authority_holders(*, unit: Unit, authority: str, on: datetime.date | None = None) -> QuerySet:
    """Everyone for whom :func:`holds_authority` is true for ``unit`` on ``on``, as one query, by name."""
    from django.contrib.auth import get_user_model

    if authority not in _AUTHORITIES:
        raise ValueError(f"authority must be 'sign' or 'route', not {authority!r}")
    held = Membership.objects.in_force(on).filter(unit=unit, role__in=AUTHORITY_ROLES).values("user_id")
    delegated = Delegation.objects.in_force(on).covering(authority).filter(unit=unit).values("delegate_id")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=held) | Q(pk__in=delegated), is_active=True)
        .order_by("last_name", "first_name")
    )


def resolve_distribution_list(*, distribution_list: DistributionList) -> QuerySet[Unit]:
    """The active units a list names today: its rule or its named units, in one query, in tree order."""
    named = DistributionList.units.through.objects.filter(distributionlist_id=distribution_list.pk).values("unit_id")
    return Unit.objects.filter(Q(is_active=True) & (distribution_list.rule_q() | Q(pk__in=named))).order_by("path")
