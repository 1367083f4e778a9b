"""Replies: a reply draft started from a delivery, and issuing it completes the delivery it answers."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents.models import DocumentReference, DocumentVersion, ReferenceKind
from journal import events
from journal.errors import Conflict, Forbidden
from journal.models import AuditEvent
from tests.journal import handlers
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions import do_issue_dispatch
from workflows.actions.incoming import do_register_delivery
from workflows.actions.replies import do_start_reply
from workflows.actions.routing import AssigneeSpec, do_complete_delivery, do_route, do_start_assignment
from workflows.models import Delivery, DeliveryStatus, DeliveryTransition, Dispatch, DispatchState

pytestmark = pytest.mark.django_db
D = DeliveryStatus
REMEMBER = "tests.journal.handlers.remember"


@pytest.fixture
def remember():
    events.subscribe("delivery.completed", handlers.remember)
    yield
    events.unsubscribe("delivery.completed", handlers.remember)


def completed_events() -> list[int]:
    rows = DBTaskResult.objects.filter(
        args_kwargs__kwargs__kind="delivery.completed", args_kwargs__kwargs__handler=REMEMBER
    )
    return sorted(row.args_kwargs["kwargs"]["ids"]["delivery_id"] for row in rows)


def registered():
    a = make_agency()
    o = make_office(agency=a)
    delivery = make_arrived(a, o.unit, summary="V/v báo cáo số liệu")[0]
    do_register_delivery(delivery, acting_user=o.clerk)
    return a, o, Delivery.objects.select_related("document").get(pk=delivery.pk)


def seal(document) -> Dispatch:
    """Take the reply draft straight to sealed (the approval chain is tested in test_dispatches.py)."""
    now = timezone.now()
    type(document).objects.filter(pk=document.pk).update(
        number=7, symbol="7/PGDĐT", issued_on=timezone.localdate(), locked=True
    )
    return Dispatch.objects.create(
        document=document,
        state=DispatchState.SEALED,
        submitted_at=now,
        approved_at=now,
        signed_at=now,
        numbered_at=now,
        sealed_at=now,
    )


def test_a_reply_draft_is_started_from_the_delivery_and_linked():
    a, o, delivery = registered()
    officer = o.officers[0]
    reply = do_start_reply(delivery, acting_user=officer)
    original = delivery.document
    assert reply.drafting_unit == o.unit and reply.issuer == o.unit and reply.created_by == officer
    assert reply.number is None and reply.document_type.name == "Công văn"
    assert (
        reply.summary
        == f"V/v trả lời Công văn số {original.symbol} ngày {original.issued_on:%d/%m/%Y} của {a.department}"
    )
    ref = DocumentReference.objects.get(document=reply)
    assert (ref.kind, ref.target) == (ReferenceKind.TRA_LOI, original)
    assert list(reply.recipients.values_list("unit", flat=True)) == [a.department.pk]
    assert DocumentVersion.objects.filter(document=reply, number=1).exists()
    delivery.refresh_from_db()
    assert delivery.reply == reply and delivery.status == D.REGISTERED
    assert DeliveryTransition.objects.filter(delivery=delivery, name="reply_started", actor=officer).exists()
    assert AuditEvent.objects.get(verb="workflows.delivery.reply_started").data == {"reply": reply.pk}
    assert AuditEvent.objects.filter(verb="documents.draft.created", object_id=str(reply.pk)).exists()

    with pytest.raises(Conflict) as exc:
        do_start_reply(delivery, acting_user=o.officers[1], summary="Trả lời lần hai")
    assert exc.value.code == "reply_exists"


def test_who_may_start_a_reply_and_when():
    a, o, delivery = registered()
    with pytest.raises(Forbidden) as exc:
        do_start_reply(delivery, acting_user=a.drafter)  # works at the Sở, not at the recipient
    assert exc.value.code == "not_a_drafter"
    with pytest.raises(Forbidden):
        do_start_reply(delivery, acting_user=a.leader)  # a leader elsewhere
    arrived = make_arrived(a, o.unit)[0]
    with pytest.raises(Conflict) as exc:
        do_start_reply(arrived, acting_user=o.officers[0])
    assert exc.value.code == "illegal_transition"
    do_complete_delivery(delivery, acting_user=o.leader, comment="Lưu")
    with pytest.raises(Conflict):
        do_start_reply(delivery, acting_user=o.officers[0])
    assert Delivery.objects.get(pk=delivery.pk).reply is None


def test_an_officer_of_a_division_drafts_the_reply_in_the_division():
    sender = make_agency()
    receiver = make_agency()
    make_office(agency=receiver)  # the clerk of the Sở registers below
    delivery = make_arrived(sender, receiver.department)[0]
    do_register_delivery(delivery, acting_user=receiver.clerk)
    reply = do_start_reply(delivery, acting_user=receiver.drafter, summary="Trả lời về số liệu")
    assert reply.drafting_unit == receiver.division and reply.issuer == receiver.department
    assert reply.summary == "V/v Trả lời về số liệu"


def test_issuing_the_reply_completes_the_delivery_it_answers(remember):
    a, o, delivery = registered()
    do_route(delivery, acting_user=o.leader, lead=AssigneeSpec(user=o.officers[0], working_days=5))
    lead = delivery.assignments.get()
    do_start_assignment(lead, acting_user=o.officers[0])
    reply = do_start_reply(delivery, acting_user=o.officers[0])
    dispatch = seal(reply)
    do_issue_dispatch(dispatch, acting_user=o.clerk)

    delivery.refresh_from_db()
    assert delivery.status == D.COMPLETED and delivery.completed_at is not None and delivery.reply == reply
    log = DeliveryTransition.objects.get(delivery=delivery, name="reply_issued")
    assert (log.from_status, log.to_status, log.actor, log.comment) == (D.IN_PROGRESS, D.COMPLETED, o.clerk, "7/PGDĐT")
    assert completed_events() == [delivery.pk]
    audit = AuditEvent.objects.get(verb="workflows.delivery.completed")
    assert audit.data == {"from": D.IN_PROGRESS, "to": D.COMPLETED, "reply": reply.pk}
    # The original sender sees its copy answered: the reply reached the Sở as a delivery of its own.
    assert Delivery.objects.filter(document=reply, recipient=a.department, status=D.ARRIVED).exists()


def test_a_delivery_already_completed_is_left_alone_when_its_reply_is_issued(remember):
    _, o, delivery = registered()
    reply = do_start_reply(delivery, acting_user=o.officers[0])
    do_complete_delivery(delivery, acting_user=o.leader, comment="Đã xử lý")
    do_issue_dispatch(seal(reply), acting_user=o.clerk)
    assert not DeliveryTransition.objects.filter(delivery=delivery, name="reply_issued").exists()
    assert completed_events() == [delivery.pk]  # once, from filing
