"""Recall (thu hồi): the agency's leader asks every open copy back, with a reason, in bulk."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from tests.journal import handlers
from tests.workflows.factories import make_agency, make_sealed, make_units
from workflows.actions import do_issue_dispatch, do_recall_dispatch
from workflows.models import Delivery, DeliveryStatus, DeliveryTransition, Dispatch, DispatchState
from workflows.selectors import tracking_summary

pytestmark = pytest.mark.django_db
D = DeliveryStatus


def issued(a, count: int = 4) -> Dispatch:
    d = make_sealed(a, recipients=make_units(count, parent=a.department))
    return do_issue_dispatch(d, acting_user=a.clerk)


def test_recall_asks_back_every_open_delivery_and_logs_it():
    handlers.calls.clear()
    events.subscribe("dispatch.recalled", handlers.remember)
    try:
        a = make_agency()
        d = issued(a)
        done, *open_ = Delivery.objects.filter(dispatch=d).order_by("pk")
        # The recipient side comes with the incoming issue; set a finished copy directly.
        Delivery.objects.filter(pk=done.pk).update(status=D.COMPLETED)

        do_recall_dispatch(d, acting_user=a.deputy, reason="  Sai số liệu ở phụ lục 2.  ")

        d.refresh_from_db()
        assert d.state == DispatchState.RECALLED
        assert d.recall_reason == "Sai số liệu ở phụ lục 2." and d.recalled_at is not None
        statuses = dict(Delivery.objects.filter(dispatch=d).values_list("pk", "status"))
        assert statuses == {done.pk: D.COMPLETED, **{x.pk: D.RECALL_REQUESTED for x in open_}}
        assert {x.edxml_code for x in Delivery.objects.filter(pk__in=[x.pk for x in open_])} == {"13"}
        logs = DeliveryTransition.objects.filter(name="request_recall")
        assert sorted(logs.values_list("delivery_id", "from_status", "to_status")) == [
            (x.pk, D.ARRIVED, D.RECALL_REQUESTED) for x in open_
        ]
        assert set(logs.values_list("comment", flat=True)) == {"Sai số liệu ở phụ lục 2."}
        audit = AuditEvent.objects.get(verb="workflows.dispatch.recall")
        assert audit.data["deliveries"] == 3 and audit.data["reason"] == "Sai số liệu ở phụ lục 2."
        assert handlers.queued("dispatch.recalled") == [{"dispatch_id": d.pk}]
        assert tracking_summary(dispatch=d)["by_edxml_code"] == {
            "01": 0, "02": 0, "03": 0, "04": 0, "05": 0, "06": 1, "13": 3, "15": 0, "16": 0
        }  # fmt: skip
    finally:
        events.unsubscribe("dispatch.recalled", handlers.remember)


def test_only_the_agency_leadership_recalls_with_a_reason_an_issued_dispatch():
    a = make_agency()
    sealed = make_sealed(a, recipients=make_units(1, parent=a.department))
    with pytest.raises(Conflict) as exc:
        do_recall_dispatch(sealed, acting_user=a.leader, reason="Sai")
    assert exc.value.code == "illegal_transition"
    d = issued(a)
    for user in (a.clerk, a.drafter):
        with pytest.raises(Forbidden):
            do_recall_dispatch(d, acting_user=user, reason="Sai")
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as exc:
            do_recall_dispatch(d, acting_user=a.leader, reason=reason)
        assert exc.value.code == "reason_required"
    assert Dispatch.objects.get(pk=d.pk).state == DispatchState.ISSUED
    assert not Delivery.objects.filter(dispatch=d).exclude(status=D.ARRIVED).exists()
    do_recall_dispatch(d, acting_user=a.leader, reason="Sai")
    with pytest.raises(Conflict):
        do_recall_dispatch(d, acting_user=a.leader, reason="Sai lần nữa")


def test_recall_query_count_does_not_grow_with_recipients():
    a = make_agency()
    counts = []
    for n in (10, 750):
        d = issued(a, n)
        with CaptureQueriesContext(connection) as ctx:
            do_recall_dispatch(d, acting_user=a.leader, reason="Thu hồi để sửa")
        assert Delivery.objects.filter(dispatch=d, status=D.RECALL_REQUESTED).count() == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
