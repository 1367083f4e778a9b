"""Gap-free numbering: take the next number of a register (sổ) at the moment of issue.

Decree 30 treats a gap or a duplicate in a register as a defect, so a number is taken inside the
issuing action's transaction, by one ``UPDATE … SET last_number = last_number + 1 … RETURNING``
on the register row. That statement holds the row's lock until the action commits or rolls back:
a second clerk issuing at the same instant waits and then gets the next number (no duplicates), and
an issue that rolls back takes its increment with it (no gaps). Numbers are never reused: this
module has no way to decrement or reset a counter, and nothing else writes ``last_number``.

Call :func:`take_number` after the action has locked its own rows and before it writes its audit row,
so that the journal's chain head stays the last lock taken (see :mod:`journal.audit`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from documents.models import DocumentType, Register, RegisterDirection, default_register_name
from journal.errors import TransactionRequired
from organizations.models import Unit


@dataclass(frozen=True)
class Taken:
    """A number handed out: ``number`` in ``year`` of register ``register_id``.

    ``document_type_id`` is the register's own type when the number comes from a per-type sequence
    of legal normative documents (whose symbol carries the year: ``05/2026/NQ-HĐND``), else ``None``.
    """

    number: int
    year: int
    register_id: int
    document_type_id: int | None


@dataclass(frozen=True)
class RegisterKey:
    """Which register a number comes from: the natural key of a :class:`Register` row."""

    unit: Unit
    direction: str
    year: int
    document_type: DocumentType | None


def take_number(
    *,
    unit: Unit,
    direction: str,
    document_type: DocumentType | None = None,
    on: datetime.datetime | datetime.date | None = None,
) -> Taken:
    """Take the next number of the register for ``unit``, ``direction`` and the local year of ``on``.

    ``on`` is the moment of issue (now by default); the year is its calendar year in Vietnam, so a
    register restarts at 01 at local midnight on 1 January. Raises :class:`TransactionRequired`
    outside a transaction: the number must commit or vanish with the issue that took it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("documents.numbering.take_number() must run inside the issuing transaction.")
    key = register_key(unit=unit, direction=direction, document_type=document_type, on=on)
    taken = _increment(key)
    if taken is None:
        # The first number of the year. Two clerks may race here: the losing insert does nothing
        # (it waits for the winner's row, on PostgreSQL), and both then queue on that row's lock.
        _open_register(key)
        taken = _increment(key)
    if taken is None:
        raise RuntimeError(f"register {key} was neither found nor created")
    register_id, number = taken
    return Taken(
        number=number,
        year=key.year,
        register_id=register_id,
        document_type_id=key.document_type.pk if key.document_type else None,
    )


def peek_next_number(
    *,
    unit: Unit,
    direction: str,
    document_type: DocumentType | None = None,
    on: datetime.datetime | datetime.date | None = None,
) -> int:
    """The number :func:`take_number` would hand out now, for display only: it is not reserved."""
    key = register_key(unit=unit, direction=direction, document_type=document_type, on=on)
    last = _registers(key).values_list("last_number", flat=True).first()
    return (last or 0) + 1


def register_key(
    *,
    unit: Unit,
    direction: str,
    document_type: DocumentType | None = None,
    on: datetime.datetime | datetime.date | None = None,
) -> RegisterKey:
    """Which register numbers a document of ``document_type`` issued by ``unit`` in ``direction``.

    The register belongs to ``unit.issuing_agency`` (a division issues under its department). An
    outgoing copy kind (sao y, trích sao, sao lục) is numbered in the copy register; an outgoing legal
    normative type is numbered in its own register when the agency has opened one for it (in this
    year or an earlier one: the separate sequence then continues every year); everything else in the
    agency's register for the direction.
    """
    if direction not in RegisterDirection.values:
        raise ValueError(f"unknown register direction {direction!r}; expected one of {RegisterDirection.values}")
    agency = unit.issuing_agency
    year = local_year(on)
    per_type: DocumentType | None = None
    if direction == RegisterDirection.OUTGOING and document_type is not None:
        if document_type.is_copy:
            direction = RegisterDirection.COPY
        elif document_type.is_legal_normative and _has_own_register(agency, document_type, year):
            per_type = document_type
    return RegisterKey(unit=agency, direction=str(direction), year=year, document_type=per_type)


def local_year(on: datetime.datetime | datetime.date | None = None) -> int:
    """The calendar year of ``on`` in the project's time zone (Asia/Ho_Chi_Minh); now by default."""
    if on is None:
        on = timezone.now()
    if isinstance(on, datetime.datetime):
        if timezone.is_naive(on):
            raise ValueError("a moment of issue must be timezone-aware: a naive datetime is ambiguous")
        # The default zone, not the active one: a register's year is Vietnam's, whoever is looking.
        return timezone.localtime(on, timezone.get_default_timezone()).year
    return on.year


def _has_own_register(agency: Unit, document_type: DocumentType, year: int) -> bool:
    return Register.objects.filter(
        unit=agency, direction=RegisterDirection.OUTGOING, document_type=document_type, year__lte=year
    ).exists()


def _registers(key: RegisterKey):
    return Register.objects.filter(
        unit=key.unit, direction=key.direction, year=key.year, document_type=key.document_type
    )


def _increment(key: RegisterKey) -> tuple[int, int] | None:
    """Add one to the register's counter and return ``(register id, new number)``, or ``None`` if absent.

    Django 5.2 has no ``UPDATE … RETURNING`` in the ORM; the statement is built from the model's own
    table and column names, so it follows the schema.
    """
    qn = connection.ops.quote_name
    meta = Register._meta

    def column(name: str) -> str:
        return qn(meta.get_field(name).column)

    last = column("last_number")
    params: list[object] = [key.unit.pk, key.direction, key.year]
    if key.document_type is None:
        type_condition = f"{column('document_type')} IS NULL"
    else:
        type_condition = f"{column('document_type')} = %s"
        params.append(key.document_type.pk)
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {last} = {last} + 1 "  # noqa: S608 - identifiers come from the model
        f"WHERE {column('unit')} = %s AND {column('direction')} = %s AND {column('year')} = %s "
        f"AND {type_condition} RETURNING {column('id')}, {last}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def _open_register(key: RegisterKey) -> None:
    register = Register(
        name=default_register_name(direction=key.direction, year=key.year, document_type=key.document_type),
        unit=key.unit,
        direction=key.direction,
        year=key.year,
        document_type=key.document_type,
    )
    Register.objects.bulk_create([register], ignore_conflicts=True)
