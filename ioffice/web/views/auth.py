"""Sign-in, sign-out, and the switch between a person's memberships."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ioffice.web.forms import LoginForm
from ioffice.web.middleware import SESSION_KEY


class LoginView(auth_views.LoginView):
    """The sign-in page (đăng nhập); failures are recorded by the journal from Django's auth signals."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign-out, by POST only (Django 5 refuses GET here): a link cannot sign anyone out."""


@require_POST
@login_required
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Make one of the user's memberships in force the active one for this session.

    Only ids among ``request.memberships`` (the user's own, in force today) are accepted; any other
    id is refused with 403 rather than silently ignored, because it is someone else's or expired.
    """
    raw = request.POST.get("membership", "")
    try:
        membership_id = int(raw)
    except ValueError:
        raise ValidationError(_("Vui lòng chọn đơn vị và vai trò."), code="invalid") from None
    chosen = next((m for m in request.memberships if m.pk == membership_id), None)
    if chosen is None:
        raise PermissionDenied(_("Bạn không giữ vai trò này hoặc vai trò đã hết hiệu lực."))
    request.session[SESSION_KEY] = chosen.pk
    request.active_membership = chosen
    messages.success(
        request,
        _("Đang làm việc với vai trò %(role)s tại %(unit)s.")
        % {"role": chosen.get_role_display(), "unit": chosen.unit},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = resolve_url("home")
    return HttpResponseRedirect(target)
