"""The sign-in form."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ioffice.web import lockout


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the lockout rule checked before the password.

    Unknown usernames and wrong passwords get the same message, so the page does not tell an
    attacker which accounts exist. A locked username is refused whether it exists or not.
    """

    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tên đăng nhập hoặc mật khẩu không đúng."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and lockout.is_locked_out(username=username):
            raise ValidationError(lockout.lockout_message(), code="locked_out")
        return super().clean()


class AdminLoginForm(AdminAuthenticationForm):
    """The admin site's own sign-in page, under the same lockout as ours (it is another door to the same accounts)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and lockout.is_locked_out(username=username):
            raise ValidationError(lockout.lockout_message(), code="locked_out")
        return super().clean()
