"""Creating and revoking delegations of signing/routing authority (ủy quyền)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organizations import audit
from organizations.models import Delegation, DelegationScope, Membership, Role, Unit
from organizations.permissions import can_administer

#: Who can hand authority over: the head of the unit (a school's head is its principal).
DELEGATOR_ROLES = (Role.LEADER, Role.PRINCIPAL)


def _overlapping_scopes(scope: str) -> list[str]:
    if scope == DelegationScope.BOTH:
        return list(DelegationScope.values)
    return [scope, DelegationScope.BOTH]


def do_create_delegation(
    *,
    acting_user,
    unit: Unit,
    delegator,
    delegate,
    scope: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str = "",
) -> Delegation:
    """``delegator`` hands ``scope`` authority in ``unit`` to ``delegate`` from ``starts_on`` to ``ends_on``.

    The delegator acts for themself, or a unit administrator records it for them. The delegator must
    lead the unit and the delegate must belong to it when the delegation starts, and one delegator
    cannot hand the same authority twice over overlapping days (who signs must be unambiguous).
    """
    with transaction.atomic(durable=True):
        # The unit row lock serialises concurrent delegations of the same unit, so the overlap check holds.
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        if not (acting_user.pk == delegator.pk and acting_user.is_active) and not can_administer(acting_user, unit):
            raise PermissionDenied("Bạn không có quyền ủy quyền thay người này.")
        delegation = Delegation(
            unit=unit,
            delegator=delegator,
            delegate=delegate,
            scope=scope,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
        )
        delegation.full_clean()
        at_start = Membership.objects.in_force(starts_on).filter(unit=unit)
        if not at_start.filter(user=delegator, role__in=DELEGATOR_ROLES).exists():
            raise ValidationError("Người ủy quyền phải là lãnh đạo của đơn vị vào ngày bắt đầu ủy quyền.")
        if not at_start.filter(user=delegate).exists():
            raise ValidationError("Người được ủy quyền phải thuộc đơn vị vào ngày bắt đầu ủy quyền.")
        clash = Delegation.objects.filter(
            unit=unit,
            delegator=delegator,
            scope__in=_overlapping_scopes(scope),
            revoked_at__isnull=True,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        if clash.exists():
            raise ValidationError("Đã có ủy quyền cùng phạm vi của người này trùng khoảng thời gian.")
        delegation.save()
        audit.record(
            actor=acting_user,
            verb="organizations.delegation.created",
            target=delegation,
            unit=unit,
            data={
                "delegator": delegator.pk,
                "delegate": delegate.pk,
                "scope": scope,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
        )
        return delegation


def do_revoke_delegation(delegation: Delegation, *, acting_user) -> Delegation:
    """Withdraw ``delegation`` now; it stops counting from today on. The delegator or an administrator."""
    with transaction.atomic(durable=True):
        delegation = Delegation.objects.select_for_update().select_related("unit").get(pk=delegation.pk)
        if not (acting_user.pk == delegation.delegator_id and acting_user.is_active) and not can_administer(
            acting_user, delegation.unit
        ):
            raise PermissionDenied("Bạn không có quyền thu hồi ủy quyền này.")
        if delegation.revoked_at is not None:
            raise ValidationError("Ủy quyền này đã bị thu hồi.")
        if delegation.ends_on < timezone.localdate():
            raise ValidationError("Ủy quyền này đã hết hạn.")
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit.record(
            actor=acting_user,
            verb="organizations.delegation.revoked",
            target=delegation,
            unit=delegation.unit,
            data={"delegator": delegation.delegator_id, "delegate": delegation.delegate_id},
        )
        return delegation
