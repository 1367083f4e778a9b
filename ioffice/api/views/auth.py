"""Token sign-in for API clients: the same lockout rule and the same audit trail as the sign-in page."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ioffice.api.serializers import TokenRequestSerializer, TokenSerializer, error_response
from ioffice.web import lockout
from journal.errors import Forbidden, InvalidInput


class LoginLockedOut(Forbidden):
    default_code = "login_locked_out"


class InvalidCredentials(InvalidInput):
    default_code = "invalid_credentials"
    default_message = "Tên đăng nhập hoặc mật khẩu không đúng."
    default_message_en = "Unable to sign in with the username and password given."


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (one per user, reused on later calls).

    The lockout is checked before the password. The password goes through Django's
    ``authenticate()``, so a failure fires ``user_login_failed`` and the journal records it just
    as for the sign-in page; a success fires ``user_logged_in``, which the journal records and which
    ends the run of failures.
    """

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_obtain",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: error_response("Wrong username or password (invalid_credentials)."),
            403: error_response("Too many failures: locked out (login_locked_out)."),
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        if lockout.is_locked_out(username=username):
            minutes = {"minutes": lockout.lockout_minutes()}
            raise LoginLockedOut(
                lockout.LOCKOUT_MESSAGE % minutes,
                message_en=lockout.LOCKOUT_MESSAGE_EN % minutes,
                details={"retry_after_minutes": minutes["minutes"]},
            )
        user = authenticate(request._request, username=username, password=serializer.validated_data["password"])
        if user is None:
            raise InvalidCredentials()
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
