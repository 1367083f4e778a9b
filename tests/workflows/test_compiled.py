"""workflows.compiled: a get compiled once reads exactly what the ORM reads, on either database."""

from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.delivery_steps import DEFAULT_RELATED
from workflows.compiled import CompiledGet
from workflows.models import Delivery

pytestmark = pytest.mark.django_db


def _values(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _related(obj, path: str):
    for name in path.split("__"):
        obj = getattr(obj, name)
    return obj


def _compiled(related: tuple[str, ...], *, lock: bool = False) -> CompiledGet:
    def build(pk):
        qs = Delivery.objects.select_related(*related)
        return (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=pk)

    return CompiledGet(build)


@pytest.fixture
def delivery():
    agency = make_agency()
    office = make_office(agency=agency)
    return make_arrived(agency, office.unit)[0]


@pytest.mark.parametrize("related", [DEFAULT_RELATED, ("document", "recipient")])
def test_a_compiled_get_reads_what_the_orm_reads(delivery, related):
    get = _compiled(related)
    for _ in range(2):  # compiled on the first call, reused on the second
        ours = get.get(delivery.pk)
        theirs = Delivery.objects.select_related(*related).get(pk=delivery.pk)
        assert _values(ours) == _values(theirs)
        assert ours._state.adding is False and ours._state.db == "default"
        for path in related:
            mine = _related(ours, path)
            assert _values(mine) == _values(_related(theirs, path)), path
            assert Delivery._meta.get_field(path.split("__")[0]).is_cached(ours)
    assert ours.arrived_at.tzinfo is not None  # the backend's converters ran (SQLite stores text)


def test_the_query_is_compiled_once_per_connection(delivery):
    get = _compiled(DEFAULT_RELATED)
    get.get(delivery.pk)
    with (
        mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")),
        CaptureQueriesContext(connection) as queries,
    ):
        assert get.get(delivery.pk).pk == delivery.pk
    assert len(queries) == 1


def test_a_missing_key_raises_does_not_exist(delivery):
    with pytest.raises(Delivery.DoesNotExist):
        _compiled(("recipient",)).get(delivery.pk + 10_000)


@pytest.mark.django_db(transaction=True)
def test_a_locking_get_needs_a_transaction(delivery):
    get = _compiled(("recipient",), lock=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert get.get(delivery.pk).pk == delivery.pk
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries)
    with pytest.raises(TransactionManagementError):
        get.get(delivery.pk)


def test_a_query_that_does_not_use_the_key_is_refused(delivery):
    with pytest.raises(ValueError, match="key must be a parameter"):
        CompiledGet(lambda pk: Delivery.objects.filter(pk=delivery.pk)).get(delivery.pk)
