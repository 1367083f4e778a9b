"""A hot read by primary key, compiled to SQL once per connection instead of on every call.

Django compiles a queryset to SQL each time it runs it. For the delivery that every recipient-side
action reads and locks first (three tables joined, ~60 columns) the compiling was half of the read's
CPU and the largest single cost of a registration (``bench/numbering.py``). :class:`CompiledGet`
compiles such a query once per connection, with a placeholder for the key, and then runs that same
SQL with each key, building the objects as Django's ``ModelIterable`` does: the instance from its
columns, its ``select_related`` objects, the database converters applied.

Only for a query whose SQL depends on nothing but the key (no "today", no active time zone, no user):
the SQL and the row layout are the ORM's own, so they follow the models.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

#: The key the query is compiled with: no row has it, and it is found again among the parameters.
_PLACEHOLDER = -7_340_981_223


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    key_position: int
    model: type[models.Model]
    init_list: list[str]
    model_columns: slice
    related_populators: list
    converters: list[tuple[int, tuple[list, object]]]
    locks: bool


class CompiledGet:
    """``build(key)`` is the queryset of the one row with that key; :meth:`get` runs it, compiled once."""

    def __init__(self, build: Callable[[object], models.QuerySet]):
        self._build = build
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get(self, key, *, using: str = DEFAULT_DB_ALIAS) -> models.Model:
        """The object with ``key``, or the model's ``DoesNotExist``."""
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection, using)
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        params[compiled.key_position] = key
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            raise compiled.model.DoesNotExist(f"{compiled.model._meta.object_name} matching query does not exist.")
        if compiled.converters:
            row = list(row)
            for position, (converters, expression) in compiled.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        obj = compiled.model.from_db(using, compiled.init_list, row[compiled.model_columns])
        for populator in compiled.related_populators:
            populator.populate(row, obj)
        return obj

    def _compile(self, connection, using: str) -> _Compiled:
        queryset = self._build(_PLACEHOLDER).using(using)
        compiler = queryset.query.get_compiler(using=using, connection=connection)
        sql, params = compiler.as_sql()
        positions = [i for i, value in enumerate(params) if value == _PLACEHOLDER]
        if len(positions) != 1:
            raise ValueError(f"the key must be a parameter of the query once, not {len(positions)} times: {sql}")
        select, klass_info = compiler.select, compiler.klass_info
        if compiler.annotation_col_map or queryset._known_related_objects:
            raise ValueError("a compiled get reads model columns and select_related objects only")
        fields = klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            key_position=positions[0],
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[columns]],
            model_columns=columns,
            related_populators=get_related_populators(klass_info, select, using),
            converters=list(compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items()),
            locks=bool(queryset.query.select_for_update),
        )
