"""Explicit access to a document over the API (Decree 30, Phụ lục VI): read the access list, ask, decide.

Thin over :mod:`documents.actions.access` and :mod:`documents.access_selectors`. A document's access
list is the business of its responsible unit's heads, admins, clerks and archivists
(:func:`documents.access_selectors.access_role`); to anyone else it is a 404, as is a change they may
not read. The actions check the right again: a request does nothing until a second authorised person
confirms it, nobody decides their own request (403), and a change already decided is a 409.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.access_selectors import (
    AccessRole,
    access_changes_awaiting,
    access_list,
    access_role,
    document_for_access,
    visible_access_change,
)
from documents.actions.access import (
    MAX_TEXT_LENGTH,
    do_cancel_access_change,
    do_confirm_access_change,
    do_refuse_access_change,
    do_request_access_grant,
    do_request_access_revoke,
)
from documents.models import AccessChange, AccessChangeKind, AccessChangeState, AccessPermission
from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import error_response
from ioffice.api.views.documents import validated
from journal.errors import InvalidInput
from organizations.models import Unit

TAGS = ["access"]
#: The awaiting list's page size (the oldest first): a confirmer works through it from the top.
AWAITING_SHOWN = 200


def _choices_help(choices) -> str:
    return ", ".join(f'"{value}" ({label})' for value, label in choices)


class AccessRequestSerializer(serializers.Serializer):
    # Plain text with its values listed, not an enum: the schema already has other enums called "kind".
    kind = serializers.CharField(default=AccessChangeKind.GRANT, help_text=_choices_help(AccessChangeKind.choices))
    user = serializers.CharField(
        required=False, max_length=150, help_text="The grantee's user name (a person); give this or `unit`."
    )
    unit = serializers.IntegerField(required=False, help_text="The grantee unit's id (everyone in it); or `user`.")
    permission = serializers.ChoiceField(choices=AccessPermission.choices, default=AccessPermission.VIEW)
    reason = serializers.CharField(max_length=MAX_TEXT_LENGTH)

    def validate_kind(self, value: str) -> str:
        if value not in AccessChangeKind.values:
            raise serializers.ValidationError(f"Một trong: {', '.join(AccessChangeKind.values)}.")
        return value


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT_LENGTH)


class GranteeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text='"user" or "unit".')
    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField(allow_null=True, help_text="A person's user name; null for a unit.")


class AccessChangeOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField()
    summary = serializers.CharField()
    kind = serializers.CharField(help_text=_choices_help(AccessChangeKind.choices))
    grantee = GranteeSerializer()
    permission = serializers.ChoiceField(choices=AccessPermission.choices)
    reason = serializers.CharField()
    state = serializers.CharField(help_text=_choices_help(AccessChangeState.choices))
    state_label = serializers.CharField()
    requested_by = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_comment = serializers.CharField()


class GrantOutSerializer(serializers.Serializer):
    grantee = GranteeSerializer()
    permission = serializers.CharField()
    explicit = serializers.BooleanField(
        help_text="Granted by a confirmed request (revocable here); false for what issuing gave recipient units."
    )


class AccessListOutSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    may_confirm = serializers.BooleanField(help_text="Whether the caller may confirm or refuse others' requests.")
    grants = GrantOutSerializer(many=True)
    pending = AccessChangeOutSerializer(many=True)
    decided = AccessChangeOutSerializer(many=True)


def _name(user) -> str | None:
    if user is None:
        return None
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def change_body(change: AccessChange) -> dict:
    """A change as the API shows it; ``change`` comes with its document, grantee and people joined."""
    if change.grantee_user_id is not None:
        grantee = {
            "kind": "user",
            "id": change.grantee_user_id,
            "name": change.grantee_label,
            "username": change.grantee_user.get_username(),
        }
    else:
        grantee = {"kind": "unit", "id": change.grantee_unit_id, "name": change.grantee_unit.name, "username": None}
    return {
        "id": change.pk,
        "document": change.document_id,
        "summary": change.document.summary,
        "kind": change.kind,
        "grantee": grantee,
        "permission": change.permission,
        "reason": change.reason,
        "state": change.state,
        "state_label": change.get_state_display(),
        "requested_by": _name(change.requested_by),
        "requested_at": change.requested_at,
        "decided_by": _name(change.decided_by),
        "decided_at": change.decided_at,
        "decision_comment": change.decision_comment,
    }


def _grantee(values: dict) -> dict:
    if ("user" in values) == ("unit" in values):
        raise InvalidInput(
            "Chọn một người (tên đăng nhập) hoặc một đơn vị được cấp quyền (một trong hai).",
            code="one_grantee",
            message_en="Give either `user` (a user name) or `unit` (a unit id), exactly one.",
            details={"field": "grantee"},
        )
    if "user" in values:
        user = get_user_model().objects.filter(username__iexact=values["user"].strip(), is_active=True).first()
        if user is None:
            raise InvalidInput(
                "Không tìm thấy người dùng có tên đăng nhập này.",
                code="unknown_grantee",
                message_en="No active user has this user name.",
                details={"field": "user"},
            )
        return {"grantee_user": user}
    unit = Unit.objects.filter(pk=values["unit"], is_active=True).first()
    if unit is None:
        raise InvalidInput(
            "Không tìm thấy đơn vị này.", code="unknown_grantee", message_en="No such unit.", details={"field": "unit"}
        )
    return {"grantee_unit": unit}


_DOCUMENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The document's id.")


class DocumentAccessView(ActiveMembershipMixin, APIView):
    """A document's access list, and asking for a change of it."""

    @extend_schema(
        operation_id="documents_access_list",
        parameters=[_DOCUMENT_ID],
        responses={
            200: AccessListOutSerializer,
            404: error_response("No such document, or the caller does not answer for its access."),
        },
        tags=TAGS,
        description="The rights in force on the document (explicit or from issuing), the changes waiting for "
        "confirmation, and the latest decisions.",
    )
    def get(self, request: Request, id: int) -> Response:
        document = document_for_access(user=request.user, pk=id)
        listing = access_list(document=document)
        body = {
            "document": document.pk,
            "may_confirm": access_role(user=request.user, document=document) >= AccessRole.CONFIRMER,
            "grants": [
                {
                    "grantee": {
                        "kind": g.kind,
                        "id": g.grantee_id,
                        "name": g.grantee_label,
                        "username": g.username or None,
                    },
                    "permission": g.permission,
                    "explicit": g.explicit,
                }
                for g in listing.grants
            ],
            "pending": [change_body(c) for c in listing.pending],
            "decided": [change_body(c) for c in listing.decided],
        }
        return Response(AccessListOutSerializer(body).data)

    @extend_schema(
        operation_id="documents_access_request",
        parameters=[_DOCUMENT_ID],
        request=AccessRequestSerializer,
        responses={
            201: AccessChangeOutSerializer,
            400: error_response("No reason, no grantee or both, an unknown user or unit, an unknown right."),
            403: error_response("Only heads, admins, clerks and archivists of the document's unit may ask."),
            404: error_response("No such document, or the caller does not answer for its access."),
            409: error_response("Already held (grant), nothing explicit to revoke, or a change already pending."),
        },
        tags=TAGS,
        description="Ask for a grant or a revocation. It is pending (chờ xác nhận) and changes nothing until a "
        "second authorised person confirms it.",
    )
    def post(self, request: Request, id: int) -> Response:
        document = document_for_access(user=request.user, pk=id)
        values = validated(AccessRequestSerializer, request.data)
        action_for = do_request_access_revoke if values["kind"] == AccessChangeKind.REVOKE else do_request_access_grant
        change = action_for(
            document,
            acting_user=request.user,
            reason=values["reason"],
            permission=values["permission"],
            **_grantee(values),
        )
        return Response(
            change_body(visible_access_change(user=request.user, pk=change.pk)), status=status.HTTP_201_CREATED
        )


_DECIDE_ERRORS = {
    404: error_response("No such change, or not visible to the caller."),
    409: error_response("The change is no longer pending (already confirmed, refused or cancelled)."),
}


class AccessChangeViewSet(ActiveMembershipMixin, viewsets.ViewSet):
    """One change of access: read it, confirm or refuse it (a second person), cancel it (the asker)."""

    lookup_value_regex = r"\d+"

    def _decided(self, request: Request, pk: int, decide) -> Response:
        change = visible_access_change(user=request.user, pk=pk)
        values = validated(DecisionSerializer, request.data)
        decide(change, acting_user=request.user, comment=values["comment"])
        return Response(change_body(visible_access_change(user=request.user, pk=pk)))

    @extend_schema(
        operation_id="access_changes_retrieve",
        responses={200: AccessChangeOutSerializer, 404: _DECIDE_ERRORS[404]},
        tags=TAGS,
        description="One change of access and its decision.",
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(change_body(visible_access_change(user=request.user, pk=pk)))

    @extend_schema(
        operation_id="access_changes_awaiting",
        responses={200: AccessChangeOutSerializer(many=True)},
        tags=TAGS,
        description="Quyền truy cập chờ xác nhận: changes others asked for on documents of the units the caller "
        "heads or administers, oldest first.",
    )
    @action(detail=False, methods=["get"])
    def awaiting(self, request: Request) -> Response:
        rows = access_changes_awaiting(user=request.user)[:AWAITING_SHOWN]
        return Response(AccessChangeOutSerializer([change_body(c) for c in rows], many=True).data)

    @extend_schema(
        operation_id="access_changes_confirm",
        request=DecisionSerializer,
        responses={
            200: AccessChangeOutSerializer,
            403: error_response("The caller asked for it, or is not a head or admin of the document's unit."),
            **_DECIDE_ERRORS,
        },
        tags=TAGS,
        description="Confirm as the second person: the right is granted or revoked at once.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: int) -> Response:
        return self._decided(request, pk, do_confirm_access_change)

    @extend_schema(
        operation_id="access_changes_refuse",
        request=DecisionSerializer,
        responses={
            200: AccessChangeOutSerializer,
            400: error_response("No reason given for the refusal."),
            403: error_response("The caller asked for it, or is not a head or admin of the document's unit."),
            **_DECIDE_ERRORS,
        },
        tags=TAGS,
        description="Refuse, saying why; the right stays as it was.",
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: int) -> Response:
        return self._decided(request, pk, do_refuse_access_change)

    @extend_schema(
        operation_id="access_changes_cancel",
        request=DecisionSerializer,
        responses={
            200: AccessChangeOutSerializer,
            403: error_response("Only the person who asked may cancel."),
            **_DECIDE_ERRORS,
        },
        tags=TAGS,
        description="Withdraw one's own pending request.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        return self._decided(request, pk, do_cancel_access_change)
