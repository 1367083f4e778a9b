"""The second sign-in step: enrol an authenticator, or type its code (see :mod:`ioffice.web.two_factor`)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ioffice.web import lockout
from ioffice.web import two_factor as tf


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}", "autofocus": True}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url("home")


def _done(request: HttpRequest) -> HttpResponse | None:
    """Where someone who has nothing to do here goes: on to their page."""
    if request.user.is_verified() or not tf.requires_two_factor(request.user):
        return HttpResponseRedirect(_next_url(request))
    return None


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Show a new secret (text and QR code) and confirm it with the first code the app produces."""
    if (done := _done(request)) is not None:
        return done
    if tf.confirmed_device(request.user) is not None:
        return redirect(tf.pending_url(request.user, _next_url(request)))
    key_hex = request.session.get(tf.PENDING_KEY_SESSION)
    if not key_hex:
        key_hex = request.session[tf.PENDING_KEY_SESSION] = tf.new_secret()
    form = CodeForm(request.POST or None)
    error = _check(
        request,
        form,
        lambda token: tf.do_enrol_totp_device(acting_user=request.user, key_hex=key_hex, token=token, request=request),
    )
    if error is None and form.is_bound:
        return HttpResponseRedirect(_next_url(request))
    uri = tf.provisioning_uri(user=request.user, key_hex=key_hex)
    context = {
        "form": form,
        "error": error,
        "secret": tf.secret_base32(key_hex),
        "qr_svg": tf.qr_svg(uri),
        "next": _next_url(request),
    }
    return render(request, "auth/two_factor_enrol.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the person's authenticator."""
    if (done := _done(request)) is not None:
        return done
    if tf.confirmed_device(request.user) is None:
        return redirect(tf.pending_url(request.user, _next_url(request)))
    form = CodeForm(request.POST or None)
    error = _check(
        request, form, lambda token: tf.do_verify_totp(acting_user=request.user, token=token, request=request)
    )
    if error is None and form.is_bound:
        return HttpResponseRedirect(_next_url(request))
    return render(request, "auth/two_factor_verify.html", {"form": form, "error": error, "next": _next_url(request)})


def _check(request: HttpRequest, form: CodeForm, act) -> str | None:
    """Run ``act`` on a posted code; the refusal to show, or ``None`` when it passed (or nothing was posted)."""
    if not form.is_bound:
        return None
    if tf.code_locked_out(username=request.user.get_username()):
        return lockout.lockout_message()
    if not form.is_valid():
        return _shown(tf.CodeRefused())
    try:
        device = act(form.cleaned_data["token"])
    except tf.CodeRefused as refused:
        return _shown(refused)
    tf.mark_verified(request, device)
    return None


def _shown(error) -> str:
    return error.message_en if (get_language() or "").startswith("en") else error.message
