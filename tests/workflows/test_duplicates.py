"""The registration's quick duplicate test says yes exactly when the candidate query finds something."""

import pytest

from documents.models import Document
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.incoming import do_register_delivery
from workflows.duplicates import any_likely_duplicate, likely_duplicates
from workflows.models import Delivery

pytestmark = pytest.mark.django_db


def _fresh(delivery) -> Delivery:
    return Delivery.objects.select_related("document").get(pk=delivery.pk)


def _agree(delivery) -> bool:
    row = _fresh(delivery)
    quick = any_likely_duplicate(row)
    assert quick == bool(list(likely_duplicates(row))), "the quick test and the candidate query disagree"
    return quick


def test_the_quick_test_agrees_with_the_candidates_in_every_case():
    agency = make_agency()
    office = make_office(agency=agency, officers=0)
    other_office = make_office(agency=agency, officers=0)
    first, elsewhere = make_arrived(agency, office.unit, other_office.unit)
    (second,) = make_arrived(agency, office.unit)
    (third,) = make_arrived(agency, office.unit)
    Document.objects.filter(pk=second.document_id).update(symbol=first.document.symbol)

    assert not _agree(second), "the first copy is not registered yet"
    do_register_delivery(first, acting_user=office.clerk)
    assert not _agree(first), "a delivery is not its own duplicate"
    assert _agree(second), "same symbol, same issuer, registered here"
    assert not _agree(elsewhere), "registered in another unit"
    assert not _agree(third), "another symbol"

    Document.objects.filter(pk=second.document_id).update(issuer=other_office.unit)
    assert not _agree(second), "same symbol from another issuer"

    Delivery.objects.filter(pk=first.pk).update(external_id="msg-1@example.vn")
    Delivery.objects.filter(pk=third.pk).update(external_id="msg-1@example.vn")
    assert _agree(third), "same message id"

    Document.objects.filter(pk__in=[first.document_id, second.document_id]).update(symbol="")
    Delivery.objects.filter(pk__in=[first.pk, third.pk]).update(external_id="")
    assert not _agree(second) and not _agree(third), "nothing to match on"
