"""Notifications: who is told what for each workflow event, written once, mailed once, as each person chose."""

import datetime
import functools

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from journal import events
from journal.errors import Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import Delegation, DelegationScope, Membership, Role
from organizations.names import display_name
from tests.concurrency import at_once, postgresql_only, raised
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office, make_units
from workflows import handlers
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import (
    do_accept_recall,
    do_refuse_recall,
    do_register_delivery,
    do_reject_delivery,
)
from workflows.actions.issue import do_recall_dispatch
from workflows.actions.routing import AssigneeSpec, do_finish_assignment, do_route
from workflows.handlers import SUBSCRIPTIONS, delivery_url, tracking_url
from workflows.models import (
    Assignment,
    AssignmentKind,
    DeadlineExtension,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from workflows.notifications import (
    DEFAULT_EMAIL_KINDS,
    do_set_notification_preferences,
    mark_read,
    notifications_for,
    notify,
    send_notification_email,
    unread_count,
    wants_email,
)

pytestmark = pytest.mark.django_db
K = NotificationKind
D = DeliveryStatus
EMAIL_TASK = "workflows.notifications.send_notification_email"


def handle(kind: str, **ids) -> None:
    """Deliver one event to its subscriber the way the worker does: by kind and ids."""
    SUBSCRIPTIONS[kind](kind=kind, **ids)


def got(**filters) -> set[tuple[int, str]]:
    return set(Notification.objects.filter(**filters).values_list("user_id", "kind"))


def mails_queued() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path=EMAIL_TASK)
    return sorted(row.args_kwargs["kwargs"]["notification_id"] for row in rows)


def with_email(*users) -> None:
    for user in users:
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])


@pytest.fixture
def w():
    """A Sở with its drafter/clerk/leaders, a Phòng with staff and two schools (principals only), a paper unit."""
    agency = make_agency()
    office = make_office(agency=agency, officers=2, schools=2)
    paper = make_office(agency=agency, enrolled=False)
    outsider = make_office(agency=agency)  # staff of a unit the document does not go to
    return type("W", (), {"a": agency, "o": office, "paper": paper, "outsider": outsider})


def test_every_workflow_event_has_its_subscriber():
    for kind, handler in SUBSCRIPTIONS.items():
        assert f"workflows.handlers.{handler.__name__}" in events.subscribers(kind)
    expected = {
        "dispatch.issued", "dispatch.recalled", "delivery.forwarded", "delivery.registered", "delivery.rejected",
        "delivery.recall_accepted", "delivery.recall_refused", "delivery.completed", "delivery.acknowledged",
        "assignment.created", "assignment.finished", "assignment.returned", "assignment.acknowledged",
        "assignment.reminder", "assignment.overdue", "assignment.escalated", "assignment.deadline_extended",
        "auth.two_factor_enrolled",
    }  # fmt: skip
    assert set(SUBSCRIPTIONS) == expected


# -- arrivals ----------------------------------------------------------------------------------------


def test_issue_tells_the_clerk_of_each_electronic_unit_or_the_principal_where_there_is_none(w):
    school_with_clerk = w.o.schools[1]
    school_clerk = make_user()
    make_membership(user=school_clerk, unit=school_with_clerk, role=Role.CLERK)
    former = make_user()
    make_membership(
        user=former,
        unit=w.o.unit,
        role=Role.CLERK,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    deliveries = make_arrived(w.a, w.o.unit, *w.o.schools, w.paper.unit)

    handle("dispatch.issued", dispatch_id=deliveries[0].dispatch_id)

    # The Phòng's clerk; the school without a clerk through its principal; the other school's clerk,
    # not its principal. Nobody of the paper unit, the outsider, the leaders or a lapsed clerk.
    assert got() == {(w.o.clerk.pk, K.ARRIVED), (w.o.principals[0].pk, K.ARRIVED), (school_clerk.pk, K.ARRIVED)}
    mine = Notification.objects.get(user=w.o.clerk)
    assert mine.url == delivery_url(deliveries[0].pk) and mine.key == f"delivery.arrived:{deliveries[0].pk}"
    assert not mine.urgent and deliveries[0].document.symbol in mine.body and w.a.department.name in mine.body
    assert Notification.objects.get(user=w.o.principals[0]).url == delivery_url(deliveries[1].pk)
    assert mails_queued() == []  # a new ordinary document is not mailed by default

    handle("dispatch.issued", dispatch_id=deliveries[0].dispatch_id)
    assert Notification.objects.count() == 3
    audit = AuditEvent.objects.filter(verb="workflows.notification.sent")
    assert audit.count() == 1 and audit.get().data == {"kind": K.ARRIVED, "urgent": False, "created": 3, "emails": 0}


def test_an_urgent_document_is_urgent_and_mailed_even_to_a_clerk_who_turned_arrivals_off(w):
    with_email(w.o.clerk, w.o.principals[0], w.o.principals[1])
    do_set_notification_preferences(w.o.clerk, acting_user=w.o.clerk, email_enabled=True, email_kinds=[])
    do_set_notification_preferences(
        w.o.principals[1], acting_user=w.o.principals[1], email_enabled=False, email_kinds=list(K.values)
    )
    deliveries = make_arrived(w.a, w.o.unit, *w.o.schools, urgency="hoa_toc")

    handle("dispatch.issued", dispatch_id=deliveries[0].dispatch_id)

    rows = Notification.objects.filter(kind=K.URGENT, urgent=True)
    assert set(rows.values_list("user_id", flat=True)) == {w.o.clerk.pk, *(p.pk for p in w.o.principals)}
    assert "Hỏa tốc" in rows.get(user=w.o.clerk).title
    # E-mail off stays off, even for Hỏa tốc; no preference and an empty list both get the urgent mail.
    assert mails_queued() == sorted(rows.exclude(user=w.o.principals[1]).values_list("pk", flat=True))


def test_forwarding_tells_the_schools_it_went_to(w):
    parent = make_arrived(w.a, w.o.unit)[0]
    do_register_delivery(parent, acting_user=w.o.clerk)
    other_school = make_unit(parent=w.o.unit)
    make_membership(user=make_user(), unit=other_school, role=Role.PRINCIPAL)
    for school in w.o.schools:
        Delivery.objects.create(
            dispatch_id=parent.dispatch_id,
            document=parent.document,
            recipient=school,
            purpose=parent.purpose,
            channel=DeliveryChannel.ELECTRONIC,
            arrived_at=timezone.now(),
            parent=parent,
        )
    Notification.objects.all().delete()

    handle("delivery.forwarded", delivery_id=parent.pk)
    handle("delivery.forwarded", delivery_id=parent.pk)

    assert got() == {(p.pk, K.ARRIVED) for p in w.o.principals}
    children = {c.recipient_id: c.pk for c in parent.children.all()}
    assert Notification.objects.get(user=w.o.principals[0]).url == delivery_url(children[w.o.schools[0].pk])


def test_the_issued_handler_costs_the_same_for_5_and_50_units():
    a = make_agency()
    handle("dispatch.issued", dispatch_id=make_arrived(a, make_units(1, parent=a.department)[0])[0].dispatch_id)
    counts = []
    for n in (5, 50):
        units = make_units(n, parent=a.department)
        for unit in units:
            make_membership(user=make_user(email="vt@example.test"), unit=unit, role=Role.CLERK)
        deliveries = make_arrived(a, *units)
        with CaptureQueriesContext(connection) as ctx:
            handle("dispatch.issued", dispatch_id=deliveries[0].dispatch_id)
        assert Notification.objects.filter(key__in=[f"delivery.arrived:{d.pk}" for d in deliveries]).count() == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# -- what became of a delivery -----------------------------------------------------------------------


def test_registration_tells_the_leaders_to_route_and_the_sender_it_was_received(w):
    delegate = make_user()
    Delegation.objects.create(
        delegator=w.o.leader,
        delegate=delegate,
        unit=w.o.unit,
        scope=DelegationScope.ROUTE,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    delivery = make_arrived(w.a, w.o.unit)[0]
    do_register_delivery(delivery, acting_user=w.o.clerk)
    delivery.refresh_from_db()

    handle("delivery.registered", delivery_id=delivery.pk)
    handle("delivery.registered", delivery_id=delivery.pk)

    leaders = {(u.pk, K.ARRIVED) for u in (w.o.leader, w.o.deputy, delegate)}
    senders = {(w.a.drafter.pk, K.STATUS), (w.a.clerk.pk, K.STATUS)}
    assert got() == leaders | senders
    told = Notification.objects.get(user=w.a.drafter)
    assert told.title.startswith(w.o.unit.name) and "đã nhận và vào sổ" in told.title
    assert f"Số đến {delivery.incoming_number}" in told.body
    assert told.url == tracking_url(delivery.document_id) and told.key == f"delivery.registered:{delivery.pk}:sender"
    assert Notification.objects.get(user=w.o.leader).url == delivery_url(delivery.pk)


def test_a_document_from_outside_has_no_sender_to_tell(w):
    arrived = make_arrived(w.a, w.o.unit)[0]
    external = Delivery.objects.create(
        dispatch=None,
        document=arrived.document,
        recipient=w.outsider.unit,
        purpose=arrived.purpose,
        channel=DeliveryChannel.PAPER,
        arrived_at=timezone.now(),
    )
    handle("delivery.registered", delivery_id=external.pk)
    assert got() == {(u.pk, K.ARRIVED) for u in (w.outsider.leader, w.outsider.deputy)}


def test_a_forwarded_copy_reports_to_the_office_that_forwarded_it(w):
    parent = make_arrived(w.a, w.o.unit)[0]
    child = Delivery.objects.create(
        dispatch_id=parent.dispatch_id,
        document=parent.document,
        recipient=w.o.schools[0],
        purpose=parent.purpose,
        channel=DeliveryChannel.ELECTRONIC,
        arrived_at=timezone.now(),
        parent=parent,
    )
    Delivery.objects.filter(pk=child.pk).update(status=D.COMPLETED)
    handle("delivery.completed", delivery_id=child.pk)
    assert got() == {(w.o.clerk.pk, K.STATUS)}


def test_rejection_and_recall_answers_go_to_the_sender_with_the_reason(w):
    rejected, accepting, refusing, done = make_arrived(w.a, w.o.unit, w.o.schools[0], w.o.schools[1], w.outsider.unit)
    do_reject_delivery(rejected, acting_user=w.o.clerk, reason="Gửi nhầm đơn vị.")
    Delivery.objects.filter(pk=done.pk).update(status=D.COMPLETED)
    do_recall_dispatch(rejected.dispatch, acting_user=w.a.leader, reason="Sai số liệu.")
    do_accept_recall(accepting, acting_user=w.o.principals[0])
    do_refuse_recall(refusing, acting_user=w.o.principals[1], reason="Đã triển khai xong.")

    handle("delivery.rejected", delivery_id=rejected.pk)
    handle("delivery.recall_accepted", delivery_id=accepting.pk)
    handle("delivery.recall_refused", delivery_id=refusing.pk)

    sender = {w.a.drafter.pk, w.a.clerk.pk}
    assert got(key=f"delivery.rejected:{rejected.pk}:sender") == {(u, K.STATUS) for u in sender}
    assert "Gửi nhầm đơn vị." in Notification.objects.get(user=w.a.drafter, key__startswith="delivery.rejected").body
    assert got(key=f"delivery.recall_accepted:{accepting.pk}:sender") == {(u, K.RECALL) for u in sender}
    refused = Notification.objects.get(user=w.a.clerk, key=f"delivery.recall_refused:{refusing.pk}:sender")
    assert refused.kind == K.RECALL and "Đã triển khai xong." in refused.body
    assert "từ chối thu hồi" in refused.title and w.o.schools[1].name in refused.title
    assert {user for user, _ in got()} == sender


def test_a_recall_tells_the_clerks_of_the_copies_asked_back_only(w):
    asked, done, _paper = make_arrived(w.a, w.o.unit, w.outsider.unit, w.paper.unit)
    Delivery.objects.filter(pk=done.pk).update(status=D.COMPLETED)
    do_recall_dispatch(asked.dispatch, acting_user=w.a.leader, reason="Sai số liệu ở phụ lục.")

    handle("dispatch.recalled", dispatch_id=asked.dispatch_id)
    handle("dispatch.recalled", dispatch_id=asked.dispatch_id)

    assert got() == {(w.o.clerk.pk, K.RECALL)}
    row = Notification.objects.get()
    assert "Sai số liệu ở phụ lục." in row.body and row.url == delivery_url(asked.pk)


def test_completion_and_acknowledgement_tell_the_sender(w):
    delivery = make_arrived(w.a, w.o.unit)[0]
    Delivery.objects.filter(pk=delivery.pk).update(acknowledged_at=timezone.now(), acknowledged_by=w.o.leader)
    handle("delivery.acknowledged", delivery_id=delivery.pk)
    handle("delivery.completed", delivery_id=delivery.pk)
    sender = {w.a.drafter.pk, w.a.clerk.pk}
    assert got(key__startswith="delivery.acknowledged") == {(u, K.STATUS) for u in sender}
    assert got(key__startswith="delivery.completed") == {(u, K.STATUS) for u in sender}
    acknowledged = Notification.objects.get(user=w.a.drafter, key__startswith="delivery.acknowledged")
    assert display_name(w.o.leader) in acknowledged.body


def test_an_event_about_a_row_that_is_gone_is_done():
    for kind in SUBSCRIPTIONS:
        ids = {"dispatch_id": 987654} if kind.startswith("dispatch.") else {}
        ids |= {"delivery_id": 987654} if kind.startswith("delivery.") else {}
        ids |= {"assignment_id": 987654} if kind.startswith("assignment.") else {}
        ids |= {"user_id": 987654, "device_id": 987654} if kind.startswith("auth.") else {}
        handle(kind, **ids)
    assert not Notification.objects.exists()


# -- assignments -------------------------------------------------------------------------------------


def _assign(w, *, user=None, unit=None, kind=AssignmentKind.LEAD, deadline=None) -> Assignment:
    delivery = getattr(w, "delivery", None)
    if delivery is None:
        delivery = w.delivery = make_arrived(w.a, w.o.unit)[0]
    return Assignment.objects.create(
        delivery=delivery,
        kind=kind,
        user=user,
        unit=unit,
        deadline=deadline if kind != AssignmentKind.INFORM else None,
        assigned_by=w.o.leader,
        assigned_at=timezone.now(),
        note="Đề nghị khẩn trương triển khai.",
    )


def test_an_assignment_goes_to_the_person_or_to_the_heads_of_the_unit(w):
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    to_person = _assign(w, user=w.o.officers[0], deadline=deadline)
    to_school = _assign(w, unit=w.o.schools[0], kind=AssignmentKind.COORDINATE, deadline=deadline)
    handle("assignment.created", assignment_id=to_person.pk)
    handle("assignment.created", assignment_id=to_person.pk)
    handle("assignment.created", assignment_id=to_school.pk)

    assert got() == {(w.o.officers[0].pk, K.ASSIGNED), (w.o.principals[0].pk, K.ASSIGNED)}
    row = Notification.objects.get(user=w.o.officers[0])
    assert "Chủ trì".lower() in row.title and f"tháng {deadline.month} năm {deadline.year}" in row.body
    assert "Đề nghị khẩn trương" in row.body and row.url == delivery_url(w.delivery.pk)


def test_answers_go_back_to_the_one_who_assigned(w):
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    lead = _assign(w, user=w.o.officers[0], deadline=deadline)
    fyi = _assign(w, user=w.o.officers[1], kind=AssignmentKind.INFORM)
    Assignment.objects.filter(pk=lead.pk).update(state="returned", returned_reason="Không thuộc lĩnh vực.")
    handle("assignment.returned", assignment_id=lead.pk)
    handle("assignment.acknowledged", assignment_id=fyi.pk)
    assert got() == {(w.o.leader.pk, K.STATUS)}
    returned = Notification.objects.get(key=f"assignment.returned:{lead.pk}")
    assert "trả lại" in returned.title and "Không thuộc lĩnh vực." in returned.body
    assert Notification.objects.filter(key=f"assignment.acknowledged:{fyi.pk}").count() == 1


def test_a_reminder_goes_once_per_deadline_and_not_for_finished_work(w):
    deadline = timezone.localdate() + datetime.timedelta(days=1)
    lead = _assign(w, user=w.o.officers[0], deadline=deadline)
    handle("assignment.reminder", assignment_id=lead.pk)
    handle("assignment.reminder", assignment_id=lead.pk)
    assert list(Notification.objects.values_list("kind", "key")) == [
        (K.REMINDER, f"assignment.reminder:{lead.pk}:{deadline.isoformat()}")
    ]
    later = deadline + datetime.timedelta(days=3)
    DeadlineExtension.objects.create(
        assignment=lead,
        old_deadline=deadline,
        new_deadline=later,
        reason="Chờ số liệu của các trường.",
        extended_by=w.o.leader,
        at=timezone.now(),
    )
    Assignment.objects.filter(pk=lead.pk).update(deadline=later)
    handle("assignment.deadline_extended", assignment_id=lead.pk)
    handle("assignment.reminder", assignment_id=lead.pk)
    assert Notification.objects.filter(user=w.o.officers[0], kind=K.REMINDER).count() == 2
    extended = Notification.objects.get(kind=K.STATUS)
    assert "Chờ số liệu của các trường." in extended.body and f"năm {later.year}" in extended.body

    Assignment.objects.filter(pk=lead.pk).update(state="done", done_at=timezone.now())
    Notification.objects.all().delete()
    for kind in ("assignment.reminder", "assignment.overdue", "assignment.escalated"):
        handle(kind, assignment_id=lead.pk)
    assert not Notification.objects.exists()


def test_overdue_goes_to_the_assignee_and_escalates_to_the_assigner_and_the_leaders(w):
    lead = _assign(w, user=w.o.officers[0], deadline=timezone.localdate() - datetime.timedelta(days=1))
    handle("assignment.overdue", assignment_id=lead.pk)
    handle("assignment.escalated", assignment_id=lead.pk)
    assert got(key__startswith="assignment.overdue") == {(w.o.officers[0].pk, K.OVERDUE)}
    assert got(key__startswith="assignment.escalated") == {(w.o.leader.pk, K.OVERDUE), (w.o.deputy.pk, K.OVERDUE)}
    assert display_name(w.o.officers[0]) in Notification.objects.get(user=w.o.deputy).title


# -- writing, mailing, preferences -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "urgent", "enabled", "kinds", "mailed"),
    [
        (K.ASSIGNED, False, None, None, True),
        (K.REMINDER, False, None, None, True),
        (K.OVERDUE, False, None, None, True),
        (K.RECALL, False, None, None, True),
        (K.URGENT, True, None, None, True),
        (K.ARRIVED, False, None, None, False),
        (K.STATUS, False, None, None, False),
        (K.ARRIVED, True, None, None, True),
        (K.STATUS, False, True, [K.STATUS], True),
        (K.ASSIGNED, False, True, [K.STATUS], False),
        (K.ARRIVED, True, True, [], True),
        (K.URGENT, True, False, list(K.values), False),
        (K.ASSIGNED, False, False, [K.ASSIGNED], False),
    ],
)
def test_who_wants_what_by_email(kind, urgent, enabled, kinds, mailed):
    assert wants_email(kind=kind, urgent=urgent, email_enabled=enabled, email_kinds=kinds) is mailed


def test_notify_writes_once_and_queues_mail_for_new_rows_of_people_who_want_it():
    wants, declined, no_address = make_user(email="a@example.test"), make_user(email="b@example.test"), make_user()
    NotificationPreference.objects.create(user=declined, email_enabled=True, email_kinds=[K.STATUS])
    first = notify([wants, declined, no_address], kind=K.ASSIGNED, title="Được giao", url="/x/", key="t:1")
    assert len(first) == 3 and mails_queued() == [Notification.objects.get(user=wants).pk]
    again = notify([wants, declined, no_address, wants.pk], kind=K.ASSIGNED, title="Được giao", key="t:1")
    assert again == [] and Notification.objects.count() == 3 and len(mails_queued()) == 1
    assert {K.URGENT, K.ASSIGNED, K.REMINDER, K.OVERDUE, K.RECALL, K.SECURITY} == DEFAULT_EMAIL_KINDS


def test_the_mail_is_sent_once_with_the_link_and_stamped():
    person = make_user(email="gv@example.test", first_name="Lan", last_name="Nguyễn")
    [pk] = notify([person], kind=K.REMINDER, title="Sắp đến hạn xử lý:\nCông văn 12", url="/van-ban-den/7/", key="r:1")
    assert send_notification_email.call(notification_id=pk) == "sent"
    assert send_notification_email.call(notification_id=pk) == "already sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Văn phòng điện tử] Sắp đến hạn xử lý: Công văn 12"
    assert message.to == ["gv@example.test"] and "/van-ban-den/7/" in message.body and "Kính gửi" in message.body
    assert '<a href="/van-ban-den/7/">' in message.alternatives[0][0]
    assert Notification.objects.get(pk=pk).emailed_at is not None
    assert send_notification_email.call(notification_id=pk + 1000) == "gone"


def test_preferences_are_ones_own_or_a_unit_admins_to_change():
    person, stranger, root, unit_admin = make_user(), make_user(), make_user(superuser=True), make_user()
    school = make_unit()
    make_membership(user=person, unit=school, role=Role.OFFICER)
    make_membership(user=unit_admin, unit=school, role=Role.ADMIN)

    saved = do_set_notification_preferences(
        person, acting_user=person, email_enabled=True, email_kinds=[K.STATUS, K.ASSIGNED, K.STATUS]
    )
    assert (saved.email_enabled, saved.email_kinds) == (True, [K.ASSIGNED, K.STATUS])
    audit = AuditEvent.objects.get(verb="workflows.notification.preferences")
    assert audit.actor_id == person.pk and audit.data["email_kinds"] == [K.ASSIGNED, K.STATUS]
    with pytest.raises(Forbidden) as exc:
        do_set_notification_preferences(person, acting_user=stranger, email_enabled=False, email_kinds=[])
    assert exc.value.code == "not_own_preferences"
    with pytest.raises(InvalidInput) as exc:
        do_set_notification_preferences(person, acting_user=person, email_enabled=True, email_kinds=["spam"])
    assert exc.value.code == "unknown_notification_kind"
    for admin in (root, unit_admin):
        do_set_notification_preferences(person, acting_user=admin, email_enabled=False, email_kinds=[])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Membership.objects.filter(user=unit_admin).update(valid_from=yesterday, valid_until=yesterday)
    with pytest.raises(Forbidden):
        do_set_notification_preferences(person, acting_user=unit_admin, email_enabled=True, email_kinds=[])
    assert NotificationPreference.objects.get(user=person).email_enabled is False


def test_reading_marks_only_ones_own_and_urgent_unread_ones_come_first():
    me, other = make_user(), make_user()
    old_urgent = notify([me], kind=K.URGENT, title="Hỏa tốc", urgent=True, key="u:1")[0]
    plain = [notify([me], kind=K.STATUS, title=f"Tin {i}", key=f"s:{i}")[0] for i in range(3)]
    theirs = notify([other], kind=K.STATUS, title="Của người khác", key="s:9")[0]
    Notification.objects.filter(pk=old_urgent).update(created_at=timezone.now() - datetime.timedelta(days=2))

    assert unread_count(me) == 4
    assert [n.pk for n in notifications_for(me)] == [old_urgent, *reversed(plain)]
    assert mark_read(me, ids=[plain[0], theirs]) == 1
    assert unread_count(me) == 3 and unread_count(other) == 1
    assert AuditEvent.objects.get(verb="workflows.notification.read").data == {"count": 1}
    assert mark_read(me) == 3 and unread_count(me) == 0
    assert [n.pk for n in notifications_for(me)] == [*reversed(plain), old_urgent]  # read: plain date order
    assert mark_read(me) == 0


# -- through the worker ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_event_delivered_twice_writes_once_and_mails_once(run_worker):
    agency = make_agency()
    office = make_office(agency=agency)
    with_email(office.clerk, office.leader, agency.drafter)
    delivery = make_arrived(agency, office.unit, urgency="thuong_khan")[0]

    run_worker()  # dispatch.issued → the clerk's notification → its e-mail
    assert got() == {(office.clerk.pk, K.URGENT)}
    assert [m.to for m in mail.outbox] == [[office.clerk.email]]

    with transaction.atomic():  # the same event again, as a retried task would bring it
        events.deliver_event.enqueue(
            handler="workflows.handlers.on_dispatch_issued",
            kind="dispatch.issued",
            ids={"dispatch_id": delivery.dispatch_id},
        )
    run_worker()
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1

    do_register_delivery(delivery, acting_user=office.clerk)
    run_worker()
    assert got(key__startswith="delivery.registered") == {
        (office.leader.pk, K.URGENT),
        (office.deputy.pk, K.URGENT),
        (agency.drafter.pk, K.STATUS),
        (agency.clerk.pk, K.STATUS),
    }
    # The leader's Thượng khẩn is mailed; the sender's receipt (status) is not, by default.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([office.clerk.email, office.leader.email])
    assert handlers.delivery_url(delivery.pk) in mail.outbox[-1].body


@postgresql_only("SQLite serialises writers, so two handlers never overlap")
@pytest.mark.django_db(transaction=True)
def test_the_same_event_handled_twice_at_once_writes_and_mails_once():
    agency = make_agency()
    units = make_units(20, parent=agency.department)
    clerks = [make_user(email=f"vt{i}@example.test") for i in range(20)]
    Membership.objects.bulk_create(
        [Membership(user=c, unit=u, role=Role.CLERK) for c, u in zip(clerks, units, strict=True)]
    )
    delivery = make_arrived(agency, *units, urgency="hoa_toc")[0]

    issued = functools.partial(handle, "dispatch.issued", dispatch_id=delivery.dispatch_id)
    assert not raised(at_once(issued, issued))
    assert Notification.objects.filter(kind=K.URGENT).count() == 20
    assert mails_queued() == sorted(Notification.objects.values_list("pk", flat=True))

    first = Notification.objects.get(user=clerks[0])
    send = functools.partial(send_notification_email.call, notification_id=first.pk)
    outcomes = at_once(send, send)
    assert sorted(outcomes) == ["already sent", "sent"] and len(mail.outbox) == 1


def test_the_admin_lists_notifications_read_only(client):
    root = make_user(superuser=True)
    notify([root], kind=K.OTHER, title="Thông báo thử quản trị", key="admin:1")
    client.force_login(root)
    page = client.get("/admin/workflows/notification/")
    assert page.status_code == 200 and "Thông báo thử quản trị" in page.content.decode()
    assert client.get("/admin/workflows/notification/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_forward_route_and_finish_through_the_worker_tell_the_right_people(run_worker):
    agency = make_agency()
    office = make_office(agency=agency, officers=2, schools=2)
    delivery = make_arrived(agency, office.unit)[0]
    do_register_delivery(delivery, acting_user=office.clerk)
    children = do_forward_delivery(delivery, acting_user=office.clerk, all_children=True)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    do_route(
        delivery,
        acting_user=office.leader,
        lead=AssigneeSpec(user=office.officers[0], deadline=deadline),
        informed=[AssigneeSpec(user=office.officers[1])],
        direction="Giao chuyên viên tham mưu.",
    )
    run_worker()

    assert got(key__startswith="delivery.arrived", user__in=office.principals) == {
        (p.pk, K.ARRIVED) for p in office.principals
    }
    assert {n.url for n in Notification.objects.filter(user__in=office.principals)} == {
        delivery_url(pk) for pk in children
    }
    assert got(key__startswith="assignment.created") == {
        (office.officers[0].pk, K.ASSIGNED),
        (office.officers[1].pk, K.ASSIGNED),
    }

    lead = Assignment.objects.get(delivery=delivery, kind=AssignmentKind.LEAD)
    do_finish_assignment(lead, acting_user=office.officers[0], result="Đã tham mưu văn bản triển khai.")
    run_worker()
    assert got(key=f"assignment.finished:{lead.pk}") == {(office.leader.pk, K.STATUS)}
    assert got(key=f"delivery.completed:{delivery.pk}:sender") == {
        (agency.drafter.pk, K.STATUS),
        (agency.clerk.pk, K.STATUS),
    }
