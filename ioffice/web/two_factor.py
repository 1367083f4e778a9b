"""Two-factor sign-in (TOTP, django-otp) for the people whose word binds the agency.

A forged approval ends the pilot, so a password alone is not enough for those who sign (leaders,
deputies, principals and anyone holding a signing delegation), for clerks (they number and seal),
for unit admins, and for Django staff and superusers. After the password such a person is sent to
enrol an authenticator (no confirmed device yet) or to type its code (a device exists); until then
every page redirects there and the session API answers 403 ``otp_required``. Everyone else signs
in with the password as before.

Wrong codes count toward the sign-in lockout: each fires Django's ``user_login_failed`` for the
username, which the journal records exactly like a wrong password. Because a right password ends a
run of failures for the sign-in page, the code page counts from the last *verified code* instead, so
signing in again with a stolen password does not buy fresh guesses at the code.
"""

from __future__ import annotations

import datetime
import io
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Callable

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ioffice.web import lockout
from journal import events
from journal.audit import record
from journal.errors import Forbidden, InvalidInput
from journal.models import AuditEvent
from journal.selectors import LOGIN_FAILED, USERNAME
from organizations.models import Delegation, Membership, Role

#: Roles whose holders must use a second factor: they sign (leader, deputy, principal), seal (clerk)
#: or hand out roles (unit admin).
REQUIRED_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.DEPUTY, Role.PRINCIPAL, Role.CLERK, Role.ADMIN})

#: Audit verbs of this module (the journal records sign-in, sign-out and failures itself).
VERIFIED = "auth.two_factor_verified"
ENROLLED = "auth.two_factor_enrolled"

#: Where a not-yet-enrolled person's candidate secret waits, in the (server-side) session, until confirmed.
PENDING_KEY_SESSION = "ioffice.totp_pending_key"

DEVICE_NAME = "Ứng dụng xác thực"


class CodeRefused(InvalidInput):
    default_code = "otp_invalid"
    default_message = "Mã xác thực không đúng hoặc đã hết hạn."
    default_message_en = "The verification code is wrong or has expired."


def requires_two_factor(user) -> bool:
    """Whether ``user`` must pass a second factor: staff, superusers, or a role/delegation in force that binds.

    One query; a role that ended no longer asks, a delegation that starts tomorrow does not yet.
    """
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    binding_role = Membership.objects.in_force().filter(user=OuterRef("pk"), role__in=REQUIRED_ROLES)
    signing_delegation = Delegation.objects.in_force().covering("sign").filter(delegate=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .filter(Q(Exists(binding_role)) | Q(Exists(signing_delegation)))
        .exists()
    )


def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def code_locked_out(*, username: str) -> bool:
    """Whether the code page refuses ``username`` now: too many failures since its last verified code.

    Failures are the journal's ``auth.login_failed`` rows (wrong passwords and wrong codes alike)
    within the lockout window; unlike the password rule, a right password does not reset them.
    """
    key = username.strip().lower()
    since = lockout.now() - datetime.timedelta(minutes=lockout.lockout_minutes())
    last_verified = (
        AuditEvent.objects.filter(verb=VERIFIED, object_type=USERNAME, object_id=key, at__gt=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    floor = max(since, last_verified) if last_verified is not None else since
    failures = AuditEvent.objects.filter(verb=LOGIN_FAILED, object_type=USERNAME, object_id=key, at__gt=floor)
    return failures.count() >= settings.IOFFICE_LOGIN_MAX_FAILURES


def new_secret() -> str:
    """A fresh 160-bit TOTP secret, hex-encoded as django-otp stores it."""
    return random_hex(20)


def secret_base32(key_hex: str) -> str:
    """The secret as people type it into an authenticator app (base32, no padding)."""
    return b32encode(unhexlify(key_hex)).decode("ascii").rstrip("=")


def provisioning_uri(*, user, key_hex: str) -> str:
    """The ``otpauth://`` URI an authenticator scans; the same one django-otp would give the device."""
    return TOTPDevice(user=user, key=key_hex).config_url


def qr_svg(data: str) -> SafeString:
    """``data`` as a QR code in SVG markup, drawn with attributes only (no ``style``), fit to inline under the CSP.

    Marked safe because every byte is the QR library's own markup: ``data`` becomes path geometry,
    never text, so nothing a user typed reaches the page through it.
    """
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    # Drop the XML declaration (the markup goes inside an HTML page) and the fixed size (the stylesheet sizes it).
    svg = svg[svg.index("<svg") :]
    return mark_safe(svg)  # noqa: S308 - generated geometry only, see the docstring


def _refuse(*, user, request: HttpRequest | None) -> None:
    """Count a wrong code as a failed sign-in, through the same signal (and journal row) as a wrong password."""
    user_login_failed.send(
        sender=__name__, credentials={get_user_model().USERNAME_FIELD: user.get_username()}, request=request
    )


def do_enrol_totp_device(*, acting_user, key_hex: str, token: str, request: HttpRequest | None = None) -> TOTPDevice:
    """Confirm a new authenticator for ``acting_user`` with a code it produced from ``key_hex``.

    The device row is written only once a right code proves the app holds the secret; a wrong
    code counts toward the lockout (the failure commits, nothing else does) and raises
    :class:`CodeRefused`. A person enrols their own device only, and only once.
    """
    with transaction.atomic(durable=True):
        # The person's row is the lock: two enrolments at once (two tabs) cannot both add a device.
        get_user_model().objects.select_for_update().filter(pk=acting_user.pk).first()
        if TOTPDevice.objects.filter(user=acting_user, confirmed=True).exists():
            raise InvalidInput(
                "Tài khoản đã có ứng dụng xác thực.",
                code="otp_already_enrolled",
                message_en="This account already has an authenticator.",
            )
        totp = TOTP(unhexlify(key_hex))
        if not _is_code(token) or not totp.verify(int(token), tolerance=1):
            _refuse(user=acting_user, request=request)
            failed = True
        else:
            failed = False
            device = TOTPDevice(user=acting_user, name=DEVICE_NAME, key=key_hex, confirmed=True, last_t=totp.t())
            device.full_clean()
            device.save()
            record(actor=acting_user, verb=ENROLLED, target=device, data={"device": device.name})
            record(actor=acting_user, verb=VERIFIED, object_type=USERNAME, object_id=_key(acting_user))
            events.publish("auth.two_factor_enrolled", user_id=acting_user.pk, device_id=device.pk)
    if failed:
        raise CodeRefused()
    return device


def do_verify_totp(*, acting_user, token: str, request: HttpRequest | None = None) -> TOTPDevice:
    """Check a code from ``acting_user``'s authenticator; the device's replay guard and throttle apply.

    A right code is recorded on the audit chain (it restarts the code page's failure count); a
    wrong one counts toward the lockout and raises :class:`CodeRefused`.
    """
    with transaction.atomic(durable=True):
        device = TOTPDevice.objects.select_for_update().filter(user=acting_user, confirmed=True).order_by("pk").first()
        if device is None:
            raise InvalidInput(
                "Tài khoản chưa có ứng dụng xác thực.",
                code="otp_not_enrolled",
                message_en="This account has no authenticator yet.",
            )
        ok = _is_code(token) and device.verify_token(token)
        if ok:
            record(actor=acting_user, verb=VERIFIED, object_type=USERNAME, object_id=_key(acting_user))
        else:
            _refuse(user=acting_user, request=request)
    if not ok:
        raise CodeRefused()
    return device


def do_install_totp_device(*, acting_user, user, key_hex: str, name: str = DEVICE_NAME) -> TOTPDevice:
    """A superuser gives ``user`` a confirmed authenticator with a known secret (the demo accounts' shared one).

    For the demo loader: a real enrolment proves the person's app holds the secret
    (:func:`do_enrol_totp_device`); this trusts the caller, so only a superuser may, and it is audited.
    An account that already has an authenticator keeps it.
    """
    with transaction.atomic(durable=True):
        if not acting_user.is_superuser:
            raise Forbidden(
                "Chỉ quản trị hệ thống mới được cài ứng dụng xác thực cho người khác.",
                code="not_superuser",
                message_en="Only a superuser may install an authenticator for someone else.",
            )
        existing = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if existing is not None:
            return existing
        device = TOTPDevice(user=user, name=name, key=key_hex, confirmed=True)
        device.full_clean()
        device.save()
        record(
            actor=acting_user, verb=ENROLLED, target=device, data={"device": device.name, "for": user.get_username()}
        )
        events.publish("auth.two_factor_enrolled", user_id=user.pk, device_id=device.pk)
    return device


def _is_code(token: str) -> bool:
    return isinstance(token, str) and len(token) == 6 and token.isdigit()


def _key(user) -> str:
    return user.get_username().lower()


def mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    """Remember in the session that this sign-in passed its second factor with ``device``."""
    request.session.pop(PENDING_KEY_SESSION, None)
    django_otp.login(request, device)
    # A new session key for the stronger session, as Django does at sign-in.
    request.session.cycle_key()


# -- Enforcement ---------------------------------------------------------------------------------

#: Paths a person who still owes a code may reach: the two-factor pages, sign-out (ours and the admin's),
#: the language switch.
_OPEN_URL_NAMES = ("two-factor-enrol", "two-factor-verify", "logout", "admin:logout", "set_language")


def _exempt_paths() -> tuple[str, ...]:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return (*(reverse(name) for name in _OPEN_URL_NAMES), static, reverse("healthz"), reverse("readyz"))


def pending_url(user, next_url: str = "") -> str:
    """Where a person who owes a code goes: enrolment without a device, the code page with one."""
    name = "two-factor-verify" if confirmed_device(user) is not None else "two-factor-enrol"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class TwoFactorRequiredMiddleware:
    """Holds back a signed-in person who must pass a second factor and has not yet, on every request.

    Pages redirect to enrolment or the code page (keeping where they were going); the API answers
    403 with code ``otp_required``. Token-authenticated API calls never reach this check (their user
    is set by DRF inside the view); the token endpoint asks for the code itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        owes_code = user.is_authenticated and not user.is_verified() and not request.path.startswith(_exempt_paths())
        if owes_code and requires_two_factor(user):
            return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, user) -> HttpResponse:
        if request.path.startswith("/api/"):
            body = {
                "code": "otp_required",
                "detail": "Two-factor verification is required: enter the code from your authenticator first.",
                "detail_vi": "Cần xác thực hai lớp: hãy nhập mã từ ứng dụng xác thực trước.",
            }
            return JsonResponse(body, status=403)
        next_url = request.get_full_path() if request.method == "GET" else ""
        return HttpResponseRedirect(pending_url(user, next_url))
