"""Give the demo accounts that must use two-factor sign-in an authenticator with one shared, printed secret.

Demo only: leaders, clerks and the admin of the demo must type a code after the password
(:mod:`ioffice.web.two_factor`), and a presenter cannot enrol a phone for each of them. They all
share :data:`DEMO_TOTP_SECRET`, printed here so one authenticator entry opens every demo account.
Idempotent: an account that already has an authenticator keeps it.
"""

from __future__ import annotations

from base64 import b32decode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ioffice.web.two_factor import do_install_totp_device, requires_two_factor
from organizations.management.commands.organizations_load_demo import DEMO_PEOPLE

#: The demo accounts' shared TOTP secret (base32, as authenticator apps take it). Public: demo data only.
DEMO_TOTP_SECRET = "IOFFICEDEMOTOTPSECRETDONGTHAP234"  # noqa: S105 - the documented demo secret


class Command(BaseCommand):
    help = "Cài ứng dụng xác thực (TOTP) dùng chung cho các tài khoản thử cần xác thực hai lớp, in khóa bí mật."

    def handle(self, *args, **options):
        users = get_user_model().objects.filter(username__in=[p.username for p in DEMO_PEOPLE]).order_by("username")
        admin = users.filter(is_superuser=True).first()
        if admin is None:
            raise CommandError("Chưa có dữ liệu mẫu: hãy chạy organizations_load_demo trước.")
        key_hex = b32decode(DEMO_TOTP_SECRET).hex()
        asked = [user for user in users if requires_two_factor(user)]
        for user in asked:
            do_install_totp_device(acting_user=admin, user=user, key_hex=key_hex, name="Demo")
        self.stdout.write(
            "Xác thực hai lớp (TOTP) cho: " + ", ".join(u.username for u in asked) + "\n"
            f"Khóa bí mật dùng chung (thêm vào Google Authenticator, FreeOTP…): {DEMO_TOTP_SECRET}\n"
        )
