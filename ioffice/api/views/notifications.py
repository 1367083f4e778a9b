"""The caller's notifications (thông báo) over the API: the list, the unread count, marking read, e-mail choices.

Thin over :mod:`workflows.notifications`. Everything here is the caller's own: the queries filter on
the person, so someone else's notification ids are simply not found (marking them changes nothing)
and there is nothing to 404 on.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import error_response
from ioffice.api.serializers_incoming import (
    MarkedReadSerializer,
    MarkReadSerializer,
    NotificationFilterSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    UnreadCountSerializer,
)
from ioffice.api.views.documents import validated
from workflows import notifications as wf
from workflows.models import Notification

TAGS = ["notifications"]


def _preferences_body(user) -> dict:
    preference = wf.preferences_of(user)
    return {"email_enabled": preference.email_enabled, "email_kinds": sorted(preference.email_kinds)}


@extend_schema_view(
    list=extend_schema(
        operation_id="notifications_list",
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones (true).")],
        responses={200: NotificationSerializer(many=True), 400: error_response("A bad unread flag.")},
        tags=TAGS,
        description="My notifications: unread urgent ones on top, then newest first.",
    ),
)
class NotificationViewSet(ActiveMembershipMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        wanted = validated(NotificationFilterSerializer, self.request.query_params)
        queryset = wf.notifications_for(self.request.user)
        if wanted["unread"] is not None:
            queryset = queryset.filter(read_at__isnull=wanted["unread"])
        return queryset

    @extend_schema(
        operation_id="notifications_unread_count",
        responses={200: UnreadCountSerializer},
        tags=TAGS,
        description="How many of my notifications are unread (the counter in the header).",
    )
    @action(detail=False, methods=["get"], url_path="unread-count", url_name="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": wf.unread_count(request.user)})

    @extend_schema(
        operation_id="notifications_mark_read",
        request=MarkReadSerializer,
        responses={200: MarkedReadSerializer, 400: error_response("Neither or both of ids and all (invalid_input).")},
        tags=TAGS,
        description="Mark some of my notifications (ids) or all of them (all=true) read; ids not mine are ignored.",
    )
    @action(detail=False, methods=["post"], url_path="mark-read", url_name="mark-read")
    def mark_read(self, request: Request) -> Response:
        values = validated(MarkReadSerializer, request.data)
        marked = wf.mark_read(request.user, None if values["all"] else values["ids"])
        return Response({"marked": marked, "unread": wf.unread_count(request.user)})

    @extend_schema(
        methods=["GET"],
        operation_id="notifications_preferences_retrieve",
        responses={200: PreferencesSerializer},
        tags=TAGS,
        description="What I get by e-mail (the defaults until I choose); in-app notifications are always on.",
    )
    @extend_schema(
        methods=["PUT"],
        operation_id="notifications_preferences_update",
        request=PreferencesSerializer,
        responses={
            200: PreferencesSerializer,
            400: error_response("A missing field (invalid_input) or an unknown kind (unknown_notification_kind)."),
        },
        tags=TAGS,
        description="Choose whether to get e-mail and for which kinds; urgent documents are mailed whenever e-mail "
        "is on.",
    )
    @action(detail=False, methods=["get", "put"])
    def preferences(self, request: Request) -> Response:
        if request.method == "PUT":
            values = validated(PreferencesSerializer, request.data)
            wf.do_set_notification_preferences(
                request.user,
                acting_user=request.user,
                email_enabled=values["email_enabled"],
                email_kinds=values["email_kinds"],
            )
        return Response(_preferences_body(request.user))
