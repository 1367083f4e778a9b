"""Opening and renaming registers (sổ văn bản); their counters move only through documents.numbering."""

from __future__ import annotations

from django.db import transaction

from documents.models import Register
from journal.audit import record
from organizations.models import Unit
from organizations.permissions import check_administer


def do_open_register(register: Register, *, acting_user) -> Register:
    """Open a register for a unit, a direction and a year, with the count carried over from paper.

    A register opened in the middle of a year that began on paper starts at the paper book's last
    number (e.g. 959), so the next number taken is 960; after this its counter is the system's.
    """
    with transaction.atomic(durable=True):
        check_administer(acting_user, Unit.objects.get(pk=register.unit_id))
        register.full_clean()
        register.save()
        record(
            actor=acting_user,
            verb="documents.register.opened",
            target=register,
            unit=register.unit,
            data={
                "direction": register.direction,
                "year": register.year,
                "document_type": register.document_type_id,
                "last_number": register.last_number,
            },
        )
        return register


def do_rename_register(register: Register, *, acting_user, name: str) -> Register:
    """Change only a register's name: its unit, direction, year, type and counter are its identity."""
    with transaction.atomic(durable=True):
        register = Register.objects.select_for_update().select_related("unit").get(pk=register.pk)
        check_administer(acting_user, register.unit)
        old = register.name
        register.name = name
        register.full_clean()
        register.save(update_fields=["name"])
        if old != name:
            record(
                actor=acting_user,
                verb="documents.register.renamed",
                target=register,
                unit=register.unit,
                data={"name": [old, name]},
            )
        return register
