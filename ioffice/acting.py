"""Who acts, as pages and the API both see it: the unit of the request's active membership."""

from __future__ import annotations

from journal.errors import Forbidden
from organizations.models import Unit


def acting_unit(request) -> Unit:
    """The unit of the caller's active membership: where a new draft is written; 403 without one."""
    membership = getattr(request, "active_membership", None)
    if membership is None:
        raise Forbidden(
            "Bạn chưa được phân công vai trò tại đơn vị nào nên chưa soạn thảo được văn bản.",
            code="no_membership",
            message_en="You hold no role in any unit, so you cannot draft.",
        )
    return membership.unit
