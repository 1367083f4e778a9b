"""What every API view shares: the active membership resolved after DRF has authenticated.

The web middleware sees a token-authenticated request as anonymous (DRF authenticates inside the
view), so API views resolve the active membership again once the user is known and hand the unit to
the journal, exactly as pages do.
"""

from __future__ import annotations

from rest_framework.request import Request

from ioffice.web.middleware import resolve_memberships
from journal.context import set_active_unit


class ActiveMembershipMixin:
    """Sets ``request.memberships`` and ``request.active_membership`` for API views."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        memberships, active = resolve_memberships(request._request)
        request.memberships = memberships
        request.active_membership = active
        set_active_unit(active.unit_id if active is not None else None)
