"""Free text typed by people (a reason, a comment, a question), made ready to store."""

from __future__ import annotations

import unicodedata
from typing import Any

from journal.errors import InvalidInput


def clean_text(value: Any, *, field: str, max_length: int, longer: tuple[str, str] = ("", "")) -> str:
    """``value`` in NFC without surrounding blanks, or :class:`InvalidInput` naming ``field``.

    NFC because Vietnamese typed on different keyboards arrives composed or decomposed, and searching
    and comparing need one form. ``longer`` adds to the "too long" message what to do instead
    (Vietnamese, English), e.g. attach a file.
    """
    if not isinstance(value, str):
        raise InvalidInput("Phải là chuỗi ký tự.", code="invalid_input", details={"field": field})
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > max_length:
        hint_vi, hint_en = longer
        raise InvalidInput(
            f"Không quá {max_length} ký tự{'; ' + hint_vi if hint_vi else ''}.",
            code="text_too_long",
            message_en=f"At most {max_length} characters{'; ' + hint_en if hint_en else ''}.",
            details={"field": field},
        )
    return text
