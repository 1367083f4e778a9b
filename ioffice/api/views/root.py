"""The entry point of the API: where everything is."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

_LINKS = {
    "me": "api-me",
    "units": "api-unit-list",
    "drafts": "api-draft-list",
    "dispatches": "api-dispatch-list",
    "consultations_awaiting": "api-consultation-awaiting",
    "access_changes_awaiting": "api-access-change-awaiting",
    "deliveries": "api-delivery-list",
    "assignments": "api-assignment-list",
    "notifications": "api-notification-list",
    "auth_token": "api-auth-token",
    "schema": "api-schema",
    "docs": "api-docs",
}


class ApiRootView(APIView):
    """Links to the API's resources, its token endpoint and its OpenAPI schema; open to anyone."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_root",
        responses=inline_serializer("ApiRoot", {key: serializers.URLField() for key in _LINKS}),
        tags=["root"],
    )
    def get(self, request: Request) -> Response:
        return Response({key: reverse(name, request=request) for key, name in _LINKS.items()})
