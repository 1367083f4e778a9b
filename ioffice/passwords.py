"""Django's password validators on every path that sets a password, not only on the forms that ask them.

The admin's forms and the change-password page run ``AUTH_PASSWORD_VALIDATORS`` themselves, but a
``set_password()`` from a shell or a script does not. ``set_password()`` keeps the raw password on the
instance until it is saved; this check runs the validators at that save and refuses a weak one.
``createsuperuser`` hashes its password itself, past this check: with ``--noinput`` our version of the
command (:mod:`ioffice.overrides`) validates ``DJANGO_SUPERUSER_PASSWORD`` first; at the prompt Django
validates and lets a weak password through only when the operator answers its "bypass" question.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password


def refuse_weak_password(sender, instance, **kwargs) -> None:
    """``pre_save`` of the user model: a password set on this instance must pass the validators."""
    raw = getattr(instance, "_password", None)
    if raw is not None:
        validate_password(raw, user=instance)
