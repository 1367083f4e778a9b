"""Every write to organizations: one transaction, explicit acting user, permission inside, audit row."""

from organizations.actions.delegations import do_create_delegation, do_revoke_delegation
from organizations.actions.lists import do_save_distribution_list
from organizations.actions.memberships import do_end_membership, do_grant_membership
from organizations.actions.units import ImportResult, UnitRow, do_import_units, do_save_unit

__all__ = [
    "ImportResult",
    "UnitRow",
    "do_create_delegation",
    "do_end_membership",
    "do_grant_membership",
    "do_import_units",
    "do_revoke_delegation",
    "do_save_distribution_list",
    "do_save_unit",
]
