"""Granting and ending memberships; each keeps the user's unit groups in step before it commits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from organizations import audit
from organizations.groups import sync_groups
from organizations.models import Membership, Unit
from organizations.permissions import check_administer


def do_grant_membership(
    *,
    acting_user,
    user,
    unit: Unit,
    role: str,
    title: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Membership:
    """Give ``user`` ``role`` in ``unit`` from ``valid_from`` (today by default) to ``valid_until``.

    Refused when the same user already holds the same role there for an overlapping span: two rows
    for one position would make "who is the leader on that day" ambiguous.
    """
    with transaction.atomic(durable=True):
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        check_administer(acting_user, unit)
        if not unit.is_active:
            raise ValidationError("Đơn vị đã ngừng hoạt động, không thể phân công vai trò.")
        membership = Membership(
            user=user,
            unit=unit,
            role=role,
            title=title,
            valid_from=valid_from or timezone.localdate(),
            valid_until=valid_until,
        )
        membership.full_clean()
        overlapping = Membership.objects.filter(user=user, unit=unit, role=role, ended_at__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=membership.valid_from)
        )
        if membership.valid_until is not None:
            overlapping = overlapping.filter(valid_from__lte=membership.valid_until)
        if overlapping.exists():
            raise ValidationError("Người dùng đã có vai trò này tại đơn vị trong khoảng thời gian đó.")
        membership.save()
        sync_groups(user_ids=[user.pk])
        audit.record(
            actor=acting_user,
            verb="organizations.membership.granted",
            target=membership,
            unit=unit,
            data={
                "user": user.pk,
                "role": role,
                "title": title,
                "valid_from": membership.valid_from.isoformat(),
                "valid_until": membership.valid_until.isoformat() if membership.valid_until else None,
            },
        )
        return membership


def do_end_membership(membership: Membership, *, acting_user, last_day: datetime.date | None = None) -> Membership:
    """End ``membership``: now (``last_day`` omitted) or after ``last_day``, which may only shorten it.

    An immediate end is stamped in ``ended_at`` so the user leaves the unit's groups at once, even
    on the day the membership began.
    """
    with transaction.atomic(durable=True):
        membership = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
        check_administer(acting_user, membership.unit)
        today = timezone.localdate()
        if membership.ended_at is not None or (membership.valid_until is not None and membership.valid_until < today):
            raise ValidationError("Phân công này đã kết thúc.")
        if last_day is None:
            membership.ended_at = timezone.now()
        else:
            if last_day < membership.valid_from:
                raise ValidationError("Ngày kết thúc không được trước ngày bắt đầu hiệu lực.")
            if membership.valid_until is not None and last_day > membership.valid_until:
                raise ValidationError("Chỉ được rút ngắn thời hạn; để kéo dài, hãy phân công mới.")
            membership.valid_until = last_day
        membership.save(update_fields=["ended_at", "valid_until"])
        sync_groups(user_ids=[membership.user_id])
        audit.record(
            actor=acting_user,
            verb="organizations.membership.ended",
            target=membership,
            unit=membership.unit,
            data={
                "user": membership.user_id,
                "role": membership.role,
                "last_day": last_day.isoformat() if last_day else None,
                "immediate": last_day is None,
            },
        )
        return membership
