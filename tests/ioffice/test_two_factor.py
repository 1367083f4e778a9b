"""Two-factor sign-in: who must, enrolment and codes with real TOTP, the lockout, the API."""

import datetime
import io
import re
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from ioffice.management.commands.ioffice_load_demo_two_factor import DEMO_TOTP_SECRET
from ioffice.web import two_factor
from journal.models import AuditEvent
from journal.selectors import login_failures_since
from organizations.management.commands.organizations_load_demo import DEFAULT_PASSWORD
from organizations.models import Delegation, DelegationScope, Role
from tests.conftest import give_authenticator, next_code
from tests.ioffice.conftest import PASSWORD
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

LOCKED = "Tài khoản tạm thời bị khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
REFUSED = "Mã xác thực không đúng hoặc đã hết hạn."


@pytest.fixture(autouse=True)
def no_device_throttle(settings):
    """django-otp also slows guessing per device (1 s, 2 s, 4 s… after failures); the lockout is under test here."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def officer(department):
    user = make_user("chuyenvien", password=PASSWORD, first_name="Minh", last_name="Lê Văn")
    make_membership(user=user, unit=department, role=Role.OFFICER)
    return user


def _sign_in(client, username="vanthu"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return response


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# -- Who must ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.OFFICER, False),
        (Role.ARCHIVIST, False),
        (Role.CLERK, True),
        (Role.LEADER, True),
        (Role.DEPUTY, True),
        (Role.PRINCIPAL, True),
        (Role.ADMIN, True),
    ],
)
def test_who_must_pass_a_second_factor_by_role(department, role, required):
    user = make_user()
    make_membership(user=user, unit=department, role=role)
    assert two_factor.requires_two_factor(user) is required


def test_staff_superusers_and_signing_delegates_must_an_ended_role_does_not(department):
    assert two_factor.requires_two_factor(make_user(is_staff=True))
    assert two_factor.requires_two_factor(make_user(superuser=True))
    assert not two_factor.requires_two_factor(make_user())

    today = timezone.localdate()
    leader, delegate, router = make_user(), make_user(), make_user()
    make_membership(user=leader, unit=department, role=Role.LEADER)
    for user, scope in ((delegate, DelegationScope.SIGN), (router, DelegationScope.ROUTE)):
        make_membership(user=user, unit=department, role=Role.OFFICER)
        Delegation.objects.create(
            unit=department, delegator=leader, delegate=user, scope=scope, starts_on=today, ends_on=today
        )
    assert two_factor.requires_two_factor(delegate)
    assert not two_factor.requires_two_factor(router), "routing alone binds no signature"

    former = make_user()
    make_membership(
        user=former,
        unit=department,
        role=Role.CLERK,
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today - datetime.timedelta(days=1),
    )
    assert not two_factor.requires_two_factor(former)


def test_an_officer_is_not_asked(client, officer):
    _sign_in(client, "chuyenvien")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"] == officer


# -- Enrolment and codes -------------------------------------------------------------------------


def test_a_clerk_enrols_with_a_real_code_then_verifies_on_the_next_sign_in(client, clerk):
    _sign_in(client)
    held = client.get(reverse("issued-list"))
    assert held.status_code == 302
    assert held["Location"] == reverse("two-factor-enrol") + "?next=%2Fvan-ban%2Fda-phat-hanh%2F"

    page = client.get(held["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', html).group(1)
    assert "<svg" in html and "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert two_factor.provisioning_uri(user=clerk, key_hex=client.session[two_factor.PENDING_KEY_SESSION]).startswith(
        "otpauth://totp/ioffice%3Avanthu?secret=" + secret
    )
    key = b32decode(secret + "=" * (-len(secret) % 8))
    code = f"{totp(key):06d}"

    refused = client.post(held["Location"], {"token": _wrong(code), "next": "/van-ban/da-phat-hanh/"})
    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert login_failures_since(username="vanthu", since=timezone.now() - datetime.timedelta(minutes=1)) == 1

    done = client.post(held["Location"], {"token": code, "next": "/van-ban/da-phat-hanh/"})
    assert done.status_code == 302
    assert done["Location"] == "/van-ban/da-phat-hanh/"
    assert client.get(reverse("issued-list")).status_code == 200
    device = TOTPDevice.objects.get(user=clerk)
    assert device.confirmed and device.key == key.hex()
    verbs = list(AuditEvent.objects.filter(actor_id=clerk.pk).values_list("verb", flat=True))
    assert two_factor.ENROLLED in verbs and two_factor.VERIFIED in verbs

    client.post(reverse("logout"))
    _sign_in(client)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two-factor-verify"))
    assert client.post(reverse("two-factor-verify"), {"token": code}).status_code == 200, "a used code is not reused"
    ok = client.post(reverse("two-factor-verify"), {"token": next_code(device)})
    assert ok.status_code == 302 and ok["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_verified_session_gets_a_new_session_key(client, clerk):
    device = give_authenticator(clerk)
    _sign_in(client)
    before = client.session.session_key
    client.post(reverse("two-factor-verify"), {"token": next_code(device)})
    assert client.session.session_key != before
    assert client.get(reverse("home")).status_code == 200


def test_the_code_page_refuses_to_send_anyone_elsewhere(client, clerk):
    device = give_authenticator(clerk)
    _sign_in(client)
    response = client.post(reverse("two-factor-verify"), {"token": next_code(device), "next": "https://evil.test/"})
    assert response["Location"] == reverse("home")


def test_pages_admin_and_session_api_are_held_back_until_the_code(client, clerk):
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    device = give_authenticator(clerk)
    _sign_in(client)
    for path in (reverse("home"), reverse("queue-clerk"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("two-factor-verify")), path
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "otp_required"
    assert "xác thực hai lớp" in api.json()["detail_vi"]
    # Still reachable: the code page, the language switch, the stylesheet, sign-out.
    assert client.get(reverse("two-factor-verify")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "vi", "next": "/"}).status_code == 302

    client.post(reverse("two-factor-verify"), {"token": next_code(device)})
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_someone_who_need_not_is_sent_on_from_the_two_factor_pages(client, officer):
    _sign_in(client, "chuyenvien")
    assert client.get(reverse("two-factor-enrol"))["Location"] == reverse("home")
    assert client.get(reverse("two-factor-verify"))["Location"] == reverse("home")


# -- The lockout ---------------------------------------------------------------------------------


def test_wrong_codes_count_toward_the_lockout_of_the_sign_in_page(client, clerk, lockout_after_three):
    device = give_authenticator(clerk)
    _sign_in(client)
    for _ in range(3):
        response = client.post(reverse("two-factor-verify"), {"token": _wrong(next_code(device))})
        assert REFUSED in response.content.decode()
    refused = client.post(reverse("two-factor-verify"), {"token": next_code(device)})
    assert LOCKED in refused.content.decode(), "a locked account cannot pass with the right code"
    assert client.get(reverse("home")).status_code == 302

    client.post(reverse("logout"))
    again = client.post(reverse("login"), {"username": "vanthu", "password": PASSWORD})
    assert again.status_code == 200
    assert LOCKED in again.content.decode()


def test_signing_in_again_does_not_buy_fresh_guesses_at_the_code(client, clerk, lockout_after_three):
    device = give_authenticator(clerk)
    _sign_in(client)
    for _ in range(2):
        client.post(reverse("two-factor-verify"), {"token": _wrong(next_code(device))})
    client.post(reverse("logout"))
    _sign_in(client)  # two failures are below three: the password still opens the first step
    client.post(reverse("two-factor-verify"), {"token": _wrong(next_code(device))})
    refused = client.post(reverse("two-factor-verify"), {"token": next_code(device)})
    assert LOCKED in refused.content.decode()


def test_a_verified_code_ends_the_run_of_failures(client, clerk, lockout_after_three):
    device = give_authenticator(clerk)
    _sign_in(client)
    for _ in range(2):
        client.post(reverse("two-factor-verify"), {"token": _wrong(next_code(device))})
    assert client.post(reverse("two-factor-verify"), {"token": next_code(device)}).status_code == 302
    assert not two_factor.code_locked_out(username="vanthu")


# -- The token endpoint --------------------------------------------------------------------------


def _obtain(**data):
    return APIClient().post("/api/v1/auth/token/", {"username": "vanthu", "password": PASSWORD, **data}, format="json")


def test_the_token_endpoint_wants_the_code_of_those_who_must(clerk, officer):
    not_enrolled = _obtain()
    assert not_enrolled.status_code == 403
    assert not_enrolled.json()["code"] == "otp_required"

    device = give_authenticator(clerk)
    missing = _obtain()
    assert missing.status_code == 403 and missing.json()["code"] == "otp_required"
    before = timezone.now() - datetime.timedelta(seconds=1)
    wrong = _obtain(otp_token=_wrong(next_code(device)))
    assert wrong.status_code == 400 and wrong.json()["code"] == "otp_invalid"
    assert login_failures_since(username="vanthu", since=before) == 1
    assert _obtain(otp_token=next_code(device)).status_code == 200

    plain = APIClient().post("/api/v1/auth/token/", {"username": "chuyenvien", "password": PASSWORD}, format="json")
    assert plain.status_code == 200, "an officer needs no code"


def test_the_token_endpoint_counts_wrong_codes_toward_the_lockout(clerk, lockout_after_three):
    device = give_authenticator(clerk)
    for _ in range(3):
        _obtain(otp_token=_wrong(next_code(device)))
    locked = _obtain(otp_token=next_code(device))
    assert locked.status_code == 403
    assert locked.json()["code"] == "login_locked_out"


# -- The force_login stand-in the rest of the suite uses -----------------------------------------


def test_force_login_leaves_the_second_factor_to_tests_marked_real_two_factor(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two-factor-enrol"))
    assert not TOTPDevice.objects.filter(user=clerk).exists()


# -- The demo ------------------------------------------------------------------------------------


def test_the_demo_accounts_share_one_printed_authenticator_secret(client):
    call_command("organizations_load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("ioffice_load_demo_two_factor", stdout=out)
    call_command("ioffice_load_demo_two_factor", stdout=io.StringIO())  # a rerun changes nothing
    assert DEMO_TOTP_SECRET in out.getvalue()
    owners = set(TOTPDevice.objects.values_list("user__username", flat=True))
    assert {"quantri", "so.giamdoc", "so.vanthu"} <= owners
    assert "so.cntt.chuyenvien" not in owners
    assert TOTPDevice.objects.count() == len(owners)

    response = client.post(reverse("login"), {"username": "so.vanthu", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    key = b32decode(DEMO_TOTP_SECRET)
    ok = client.post(reverse("two-factor-verify"), {"token": f"{totp(key):06d}"})
    assert ok.status_code == 302 and ok["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_an_enrolment_is_told_to_the_owner_by_mail_whatever_they_chose_and_to_their_unit_admins(clerk, department):
    """Enrolment trusts the first holder of the password: the real owner and the unit's admins must hear of it."""
    from django_otp.oath import TOTP
    from django_otp.util import random_hex

    from organizations.names import display_name
    from workflows.handlers import SUBSCRIPTIONS
    from workflows.models import Notification, NotificationKind
    from workflows.notifications import do_set_notification_preferences

    admin = make_user("quantridonvi", password=PASSWORD)
    make_membership(user=admin, unit=department, role=Role.ADMIN)
    elsewhere = make_user("quantrikhac", password=PASSWORD)
    make_membership(user=elsewhere, unit=make_unit(name="Phòng GDĐT khác"), role=Role.ADMIN)
    clerk.email = "vanthu@dongthap.edu.vn"
    clerk.save(update_fields=["email"])
    do_set_notification_preferences(clerk, acting_user=clerk, email_enabled=True, email_kinds=[])  # nothing by mail

    key = random_hex(20)
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    device = two_factor.do_enrol_totp_device(acting_user=clerk, key_hex=key, token=code)
    handler = SUBSCRIPTIONS["auth.two_factor_enrolled"]
    for _ in range(2):  # an event delivered twice tells no one twice
        handler(kind="auth.two_factor_enrolled", user_id=clerk.pk, device_id=device.pk)

    told = Notification.objects.filter(kind=NotificationKind.SECURITY)
    assert sorted(told.values_list("user__username", flat=True)) == ["quantridonvi", "vanthu"]
    own = told.get(user=clerk)
    assert own.urgent and "Nếu không phải bạn cài" in own.body and "vanthu" in own.body
    assert told.get(user=admin).title.startswith(display_name(clerk)) and display_name(clerk) == "Nguyễn Thị Lan"
    mailed = DBTaskResult.objects.filter(task_path="workflows.notifications.send_notification_email")
    assert [row.args_kwargs["kwargs"]["notification_id"] for row in mailed] == [own.pk]
