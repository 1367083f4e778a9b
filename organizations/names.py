"""How a person is named to others: the Vietnamese way, family name first ("Nguyễn Thị Lan").

Django's ``get_full_name()`` puts the given name first ("Lan Nguyễn Thị"), which no Vietnamese reader
expects; pages, the API, registers, notifications and e-mails all name people through this instead.
"""

from __future__ import annotations


def display_name(user) -> str:
    """Family name, then given name; the username when no name is on file."""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()
