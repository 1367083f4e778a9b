"""``createsuperuser`` that holds ``DJANGO_SUPERUSER_PASSWORD`` to the password validators.

Django checks a password typed at the prompt (and asks before letting a weak one through), but with
``--noinput`` it hashes the one from the environment without a look, past the ``pre_save`` check of
:mod:`ioffice.passwords` (the manager writes the hash, not ``set_password()``). Here that password
meets ``AUTH_PASSWORD_VALIDATORS`` first, as the user it would belong to; a weak one stops the command
with the validators' messages and no account is made.
"""

from __future__ import annotations

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password is not None:
            model = self.UserModel
            candidate = model(
                **{
                    field: options[field]
                    for field in (model.USERNAME_FIELD, *model.REQUIRED_FIELDS)
                    if options.get(field) is not None
                }
            )
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                raise CommandError("DJANGO_SUPERUSER_PASSWORD: " + " ".join(exc.messages)) from exc
        return super().handle(*args, **options)
