"""Shapes of the API's bodies: people, memberships, units, tokens, errors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from organizations.models import Membership, SchoolLevel, Unit, UnitKind


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "code", "kind"]


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    school_level_display = serializers.CharField(source="get_school_level_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "school_level",
            "school_level_display",
            "code",
            "abbreviation",
            "parent",
            "enrolled",
            "is_active",
        ]
        read_only_fields = fields


class UnitFilterSerializer(serializers.Serializer):
    """The query parameters of the unit directory; an unknown value is a 400, not an empty list."""

    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False)
    school_level = serializers.ChoiceField(choices=SchoolLevel.choices, required=False)
    parent = serializers.IntegerField(required=False, min_value=1)
    enrolled = serializers.BooleanField(required=False, allow_null=True, default=None)


class MembershipSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "unit", "role", "role_display", "title", "valid_from", "valid_until"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(help_text="Family name first, the Vietnamese way.")
    email = serializers.EmailField()
    is_superuser = serializers.BooleanField()
    memberships = MembershipSerializer(many=True, help_text="Memberships in force today.")
    active_membership = serializers.IntegerField(
        allow_null=True, help_text="The membership the user acts as (the session's choice, else the first)."
    )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, write_only=True)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The 6-digit code of the account's authenticator: required for signers, clerks and admins.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send as "Authorization: Token <token>".')


class ErrorSerializer(serializers.Serializer):
    """The body of a refusal (see ioffice.api.errors)."""

    code = serializers.CharField()
    detail = serializers.CharField(help_text="English.")
    detail_vi = serializers.CharField(help_text="Vietnamese.")
    details = serializers.DictField(required=False)


def error_response(description: str):
    """An OpenAPI response documenting a refusal with the shared error body and ``description``."""
    return OpenApiResponse(ErrorSerializer, description=description)
