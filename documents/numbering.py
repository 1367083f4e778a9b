"""Gap-free numbering: take the next number of a register (sổ) at the moment of issue.

Decree 30 treats a gap or a duplicate in a register as a defect, so a number is taken inside the
issuing action's transaction, by one ``UPDATE … SET last_number = last_number + 1 … RETURNING``
on the register row. That statement holds the row's lock until the action commits or rolls back:
a second clerk issuing at the same instant waits and then gets the next number (no duplicates), and
an issue that rolls back takes its increment with it (no gaps). Numbers are never reused: this
module has no way to decrement or reset a counter, and nothing else writes ``last_number``.

The register row is held from that UPDATE to the commit, so whatever the action does after taking
the number, every other clerk of the agency waits for. :func:`take_number_into` is for the busiest
case (a recipient's clerks registering incoming documents): it writes the numbered row and the audit
event in the same statement as the number on PostgreSQL, so the lock lasts that one statement and
the commit, not a client round trip per row written. With eight clerks on two cores each round trip
under the lock waits its turn for a core: number, row and event as three statements ran ~500 bare
registrations a second, as one ~1,400 (``bench/numbering.py``, 2026-11-29).
"""

# ruff: noqa: S608 - the SQL here is built from the models' own table and column names, never from input
from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, ConcurrentTransitionMixin

from documents.models import DocumentType, Register, RegisterDirection, default_register_name
from journal.errors import TransactionRequired
from journal.models import AuditEvent
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
    return _take(register_key(unit=unit, direction=direction, document_type=document_type, on=on))


def _take(key: RegisterKey) -> Taken:
    taken = _increment(key)
    if taken is None:
        # The first number of the year. Two clerks may race here: the losing insert does nothing
        # (it waits for the winner's row, on PostgreSQL), and both then queue on that row's lock.
        _open_register(key)
        taken = _increment(key)
    if taken is None:
        raise RuntimeError(f"register {key} was neither found nor created")
    return _taken(key, *taken)


def _taken(key: RegisterKey, register_id: int, number: int) -> Taken:
    return Taken(
        number=number,
        year=key.year,
        register_id=register_id,
        document_type_id=key.document_type.pk if key.document_type else None,
    )


def take_number_into(
    row: models.Model,
    *,
    key: RegisterKey,
    number_field: str,
    register_field: str,
    update_fields: Sequence[str],
    expected: Mapping[str, object],
    audit: AuditEvent | None = None,
) -> Taken:
    """Take the next number of ``key``'s register and save ``row`` with it, and ``audit`` naming it.

    ``row`` (already in the database, locked by the caller) gets the number in ``number_field`` and
    the register in ``register_field``, and its ``update_fields`` saved as they are on the instance,
    provided its columns still hold ``expected`` (the optimistic lock: else
    :class:`~django_fsm.ConcurrentTransition`, and no number is taken). ``audit``, built by
    :func:`journal.audit.prepare`, is inserted with ``register`` and ``number`` added to its data.

    On PostgreSQL this is one statement whose data-modifying CTEs bump the counter, update the row
    and insert the event, so the register row is locked for that statement and the commit only.
    Elsewhere (SQLite serialises all writers anyway) and for a row not saved yet, it is the same
    check, :func:`take_number` and two saves. Either way it must run inside the action's transaction,
    and an exception from it must roll that transaction back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("documents.numbering.take_number_into() must run inside the action's transaction.")
    if connection.vendor != "postgresql" or row._state.adding:
        return _take_and_save(row, key, number_field, register_field, update_fields, expected, audit)
    written = _take_into(row, key, number_field, register_field, update_fields, expected, audit)
    if written is None:
        _open_register(key)  # the first number of the year, as in take_number
        written = _take_into(row, key, number_field, register_field, update_fields, expected, audit)
    if written is None:
        raise RuntimeError(f"register {key} was neither found nor created")
    register_id, number, audit_id = written
    taken = _taken(key, register_id, number)
    _stamp(row, taken, number_field, register_field, audit)
    if isinstance(row, ConcurrentTransitionMixin):
        row._update_initial_state()  # what its save() does: the row now holds the new state
    if audit is not None:
        audit.pk = audit_id
        audit._state.adding = False
    return taken


def _stamp(row, taken: Taken, number_field: str, register_field: str, audit: AuditEvent | None) -> None:
    """Put the number on the instances, as the statement or the saves put it in the rows."""
    register = row._meta.get_field(register_field)
    setattr(row, register.attname, taken.register_id)
    if register.is_cached(row):
        register.delete_cached_value(row)
    setattr(row, number_field, taken.number)
    if audit is not None:
        audit.data = {**audit.data, "register": taken.register_id, "number": taken.number}


def _take_and_save(row, key, number_field, register_field, update_fields, expected, audit) -> Taken:
    """The portable way: take the number, then save the row and the event, each its own statement."""
    if not row._state.adding and not type(row)._base_manager.filter(pk=row.pk, **expected).exists():
        raise _moved(row, expected)
    taken = _take(key)
    _stamp(row, taken, number_field, register_field, audit)
    if row._state.adding:
        row.save()
    else:
        row.save(update_fields=sorted({*update_fields, number_field, register_field}))
    if audit is not None:
        audit.save()
    return taken


def _take_into(row, key, number_field, register_field, update_fields, expected, audit) -> tuple | None:
    """The PostgreSQL statement; ``(register id, number, audit id)``, or ``None`` if the register is absent."""
    meta = row._meta
    assigned = tuple(sorted(set(update_fields) - {number_field, register_field}))
    checked = tuple(expected)
    sql = _take_into_sql(
        type(row), assigned, checked, number_field, register_field, key.document_type is not None, audit is not None
    )
    where_params = [row.pk, *(_prepared(meta.get_field(name), expected[name]) for name in checked)]
    register_params = [key.unit.pk, key.direction, key.year, *([key.document_type.pk] if key.document_type else [])]
    assignment_params = [_prepared(field, field.pre_save(row, False)) for field in map(meta.get_field, assigned)]
    params = [*where_params, *register_params, *assignment_params, *where_params]
    if audit is not None:
        params += [_prepared(field, field.pre_save(audit, True)) for field in _audit_fields()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        matched, written, register_id, number, inserted = cursor.fetchone()
    if not matched or (register_id is not None and not written):
        raise _moved(row, expected)
    if register_id is None:
        return None
    return register_id, number, inserted


def _moved(row, expected) -> ConcurrentTransition:
    return ConcurrentTransition(f"{row._meta.label} {row.pk} is no longer {dict(expected)!r}: no number was taken")


def _prepared(field, value):
    return field.get_db_prep_save(value, connection)


def _audit_fields() -> list:
    return [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]


@functools.lru_cache(maxsize=32)
def _take_into_sql(
    model, assigned: tuple, checked: tuple, number_field: str, register_field: str, typed: bool, with_audit: bool
) -> str:
    """The statement's text, the same for every call with the same shape (so it is written once per process).

    ``matched`` checks the row is as expected; ``n`` bumps the counter only then (a mismatch takes no
    number); ``r`` writes the row with the number from ``n``; ``a`` inserts the audit event, its data
    given ``n``'s register id and number. The result row says which of them happened.
    """
    qn = connection.ops.quote_name
    register_meta, meta = Register._meta, model._meta
    table = qn(meta.db_table)

    def column(model_meta, name: str) -> str:
        return qn(model_meta.get_field(name).column)

    where = " AND ".join([f"{table}.{qn(meta.pk.column)} = %s", *(f"{table}.{column(meta, n)} = %s" for n in checked)])
    register_id, last = qn(register_meta.pk.column), column(register_meta, "last_number")
    register_where = " AND ".join(
        [
            *(f"{column(register_meta, name)} = %s" for name in ("unit", "direction", "year")),
            f"{column(register_meta, 'document_type')} {'= %s' if typed else 'IS NULL'}",
        ]
    )
    assignments = ", ".join(
        [
            *(f"{column(meta, name)} = %s" for name in assigned),
            f"{column(meta, number_field)} = n.{last}",
            f"{column(meta, register_field)} = n.{register_id}",
        ]
    )
    sql = (
        f"WITH matched AS (SELECT 1 FROM {table} WHERE {where}), "
        f"n AS (UPDATE {qn(register_meta.db_table)} SET {last} = {last} + 1 "
        f"WHERE {register_where} AND EXISTS (SELECT 1 FROM matched) RETURNING {register_id}, {last}), "
        f"r AS (UPDATE {table} SET {assignments} FROM n WHERE {where} RETURNING {table}.{qn(meta.pk.column)})"
    )
    audit_id = "NULL"
    if with_audit:
        fields = _audit_fields()
        values = [
            f"%s || jsonb_build_object('register', n.{register_id}, 'number', n.{last})" if f.name == "data" else "%s"
            for f in fields
        ]
        sql += (
            f", a AS (INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"SELECT {', '.join(values)} FROM n, r RETURNING {qn(AuditEvent._meta.pk.column)})"
        )
        audit_id = f"(SELECT {qn(AuditEvent._meta.pk.column)} FROM a)"
    return (
        f"{sql} SELECT (SELECT count(*) FROM matched), (SELECT count(*) FROM r), n.{register_id}, n.{last}, "
        f"{audit_id} FROM (SELECT 1) AS one LEFT JOIN n ON TRUE"
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
        f"UPDATE {qn(meta.db_table)} SET {last} = {last} + 1 "
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
