"""The organisation models, one module per aggregate, re-exported here."""

from organizations.models.lists import DistributionList
from organizations.models.memberships import Delegation, DelegationScope, Membership, Role, UnitGroup
from organizations.models.units import ALLOWED_PARENT_KINDS, SchoolLevel, Unit, UnitKind

__all__ = [
    "ALLOWED_PARENT_KINDS",
    "Delegation",
    "DelegationScope",
    "DistributionList",
    "Membership",
    "Role",
    "SchoolLevel",
    "Unit",
    "UnitGroup",
    "UnitKind",
]
