"""Query and path parameters the pages share, checked the same way everywhere (a bad one is a 400)."""

from __future__ import annotations

from django.utils import timezone

from journal.errors import InvalidInput


def year_param(raw: str | int | None) -> int:
    """The year a page is asked for (``?nam=`` or a path part); this local year when none is given."""
    if raw in (None, ""):
        return timezone.localdate().year
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not 1900 <= year <= 9999:
        raise InvalidInput("Năm không hợp lệ.", code="invalid_year", message_en="Not a valid year.")
    return year
