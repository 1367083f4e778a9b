"""Who the caller is: the signed-in user and the memberships they hold today."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import MeSerializer
from ioffice.web.context import display_name


class MeView(ActiveMembershipMixin, APIView):
    """The caller, the memberships they hold today, and the one they act as."""

    @extend_schema(operation_id="me_retrieve", responses=MeSerializer, tags=["me"])
    def get(self, request: Request) -> Response:
        user = request.user
        active = request.active_membership
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": display_name(user),
            "email": user.email,
            "is_superuser": user.is_superuser,
            "memberships": request.memberships,
            "active_membership": active.pk if active is not None else None,
        }
        return Response(MeSerializer(data).data)
