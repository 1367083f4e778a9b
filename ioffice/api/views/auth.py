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
from ioffice.web import lockout, two_factor
from journal.errors import Forbidden, InvalidInput


class LoginLockedOut(Forbidden):
    default_code = "login_locked_out"


class InvalidCredentials(InvalidInput):
    default_code = "invalid_credentials"
    default_message = "Tên đăng nhập hoặc mật khẩu không đúng."
    default_message_en = "Unable to sign in with the username and password given."


class OtpRequired(Forbidden):
    default_code = "otp_required"
    default_message = "Tài khoản này cần mã xác thực hai lớp (otp_token) từ ứng dụng xác thực."
    default_message_en = "This account needs the two-factor code (otp_token) from its authenticator."


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (one per user, reused on later calls).

    The lockout is checked before the password. The password goes through Django's
    ``authenticate()``, so a failure fires ``user_login_failed`` and the journal records it just
    as for the sign-in page; a success fires ``user_logged_in``, which the journal records and which
    ends the run of failures. A token is as strong as a session: a signer, clerk or admin must also
    send ``otp_token`` from their authenticator (:mod:`ioffice.web.two_factor`).
    """

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_obtain",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: error_response("Wrong username or password (invalid_credentials), wrong code (otp_invalid)."),
            403: error_response("Locked out (login_locked_out), or a two-factor code is needed (otp_required)."),
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
        if two_factor.requires_two_factor(user):
            self._second_factor(request, user, serializer.validated_data.get("otp_token", ""))
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @staticmethod
    def _second_factor(request: Request, user, code: str) -> None:
        """A signer, clerk or admin also gives a code: as on the pages, wrong codes count toward the lockout."""
        if two_factor.confirmed_device(user) is None:
            raise OtpRequired(
                "Tài khoản chưa cài đặt xác thực hai lớp: hãy đăng nhập trên trang web để cài đặt trước.",
                message_en="This account has no authenticator yet: sign in on the web pages to enrol one first.",
            )
        if not code:
            raise OtpRequired()
        if two_factor.code_locked_out(username=user.get_username()):
            minutes = {"minutes": lockout.lockout_minutes()}
            raise LoginLockedOut(
                lockout.LOCKOUT_MESSAGE % minutes,
                message_en=lockout.LOCKOUT_MESSAGE_EN % minutes,
                details={"retry_after_minutes": minutes["minutes"]},
            )
        two_factor.do_verify_totp(acting_user=user, token=code, request=request._request)
