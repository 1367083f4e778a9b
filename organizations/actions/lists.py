"""Saving distribution lists (danh sách nơi nhận)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from organizations import audit
from organizations.models import DistributionList, Unit
from organizations.permissions import check_administer


def do_save_distribution_list(
    distribution_list: DistributionList, *, acting_user, units: Iterable[Unit] | None = None
) -> DistributionList:
    """Create or change a list (``units``: the named units, replacing the old ones; ``None`` keeps them).

    Needs administration rights over the list's owner unit, before and after the change.
    """
    with transaction.atomic(durable=True):
        if distribution_list.pk is not None:
            before = DistributionList.objects.select_for_update().select_related("owner").get(pk=distribution_list.pk)
            check_administer(acting_user, before.owner)
        check_administer(acting_user, Unit.objects.get(pk=distribution_list.owner_id))
        created = distribution_list.pk is None
        distribution_list.full_clean()
        distribution_list.save()
        if units is not None:
            distribution_list.units.set(list(units))
        audit.record(
            actor=acting_user,
            verb="organizations.distribution_list.created" if created else "organizations.distribution_list.updated",
            target=distribution_list,
            unit=distribution_list.owner,
            data={
                "kinds": list(distribution_list.kinds),
                "school_levels": list(distribution_list.school_levels),
                "under": distribution_list.under_id,
                "enrolled": distribution_list.enrolled,
                "units": sorted(distribution_list.units.values_list("pk", flat=True)),
                "is_active": distribution_list.is_active,
            },
        )
        return distribution_list
