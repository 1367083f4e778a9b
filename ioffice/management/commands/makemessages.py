"""``manage.py makemessages`` that finds every string this project marks, and writes the catalogue's shape.

A few modules import ``gettext_lazy as _lazy`` (``_`` is taken by ``gettext`` there); xgettext knows only
the usual names, so a plain run silently dropped those strings and their English translations. The
catalogue carries no ``#:`` location lines (they churn on every edit), so that is the default here.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]

    def handle(self, *args, **options):
        options["add_location"] = options.get("add_location") or "never"
        return super().handle(*args, **options)
