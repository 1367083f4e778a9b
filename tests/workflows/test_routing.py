"""Routing (phân phối), re-assignment, the assignee's steps, deadline extension and filing a delivery as done."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import Delegation, DelegationScope, Role
from tests.concurrency import at_once, codes, postgresql_only
from tests.journal import handlers
from tests.organizations.factories import make_membership, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.incoming import do_register_delivery
from workflows.actions.routing import (
    AssigneeSpec,
    do_acknowledge_assignment,
    do_complete_delivery,
    do_extend_deadline,
    do_finish_assignment,
    do_reassign,
    do_replace_lead,
    do_return_assignment,
    do_route,
    do_start_assignment,
)
from workflows.calendar import add_working_days
from workflows.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    AssignmentTransition,
    DeadlineExtension,
    Delivery,
    DeliveryStatus,
    DeliveryTransition,
    Routing,
)

pytestmark = pytest.mark.django_db
D = DeliveryStatus
S = AssignmentState
K = AssignmentKind
REMEMBER = "tests.journal.handlers.remember"
KINDS = [
    "delivery.routed",
    "delivery.started",
    "delivery.completed",
    "assignment.created",
    "assignment.started",
    "assignment.finished",
    "assignment.returned",
    "assignment.acknowledged",
    "assignment.deadline_extended",
]


@pytest.fixture
def remember():
    for kind in KINDS:
        events.subscribe(kind, handlers.remember)
    yield
    for kind in KINDS:
        events.unsubscribe(kind, handlers.remember)


def published(kind: str) -> list[dict]:
    rows = DBTaskResult.objects.filter(args_kwargs__kwargs__kind=kind, args_kwargs__kwargs__handler=REMEMBER)
    return sorted((row.args_kwargs["kwargs"]["ids"] for row in rows), key=lambda ids: sorted(ids.items()))


class World:
    def __init__(self, schools: int = 2):
        self.a = make_agency()
        self.o = make_office(agency=self.a, officers=3, schools=schools)
        self.delivery = make_arrived(self.a, self.o.unit)[0]
        do_register_delivery(self.delivery, acting_user=self.o.clerk)
        self.today = timezone.localdate()

    def later(self, n: int = 5) -> datetime.date:
        return add_working_days(self.today, n)

    def route(self, lead: AssigneeSpec, *, by=None, coordinators=(), informed=(), direction=""):
        return do_route(
            self.delivery,
            acting_user=by or self.o.leader,
            lead=lead,
            coordinators=coordinators,
            informed=informed,
            direction=direction,
        )

    def line(self, **filters) -> Assignment:
        return Assignment.objects.get(delivery=self.delivery, **filters)

    def status(self) -> str:
        return Delivery.objects.get(pk=self.delivery.pk).status


def test_route_writes_the_slip_its_lines_the_due_date_logs_events_and_audit(remember):
    w = World()
    school, (o1, o2, o3) = w.o.schools[0], w.o.officers
    routing = w.route(
        AssigneeSpec(unit=school, working_days=5, note="Chủ trì báo cáo"),
        coordinators=[AssigneeSpec(user=o1, deadline=w.later(3))],
        informed=[AssigneeSpec(user=o2), AssigneeSpec(unit=w.o.schools[1])],
        direction="  Giao trường chủ trì.  ",
    )
    delivery = Delivery.objects.get(pk=w.delivery.pk)
    assert delivery.status == D.ROUTED and delivery.edxml_code == "04"
    assert delivery.due_on == add_working_days(w.today, 5) and delivery.routed_at == routing.routed_at
    assert routing.routed_by == w.o.leader and routing.direction == "Giao trường chủ trì."
    lines = list(Assignment.objects.filter(delivery=delivery).order_by("pk").values_list("kind", "unit", "user"))
    assert lines == [
        (K.LEAD, school.pk, None),
        (K.COORDINATE, None, o1.pk),
        (K.INFORM, None, o2.pk),
        (K.INFORM, w.o.schools[1].pk, None),
    ]
    assert w.line(kind=K.COORDINATE).deadline == w.later(3)
    assert w.line(user=o2).deadline is None and w.line(kind=K.LEAD).note == "Chủ trì báo cáo"
    assert set(Assignment.objects.filter(delivery=delivery).values_list("state", flat=True)) == {S.NEW}
    log = DeliveryTransition.objects.get(delivery=delivery, name="routed")
    assert (log.from_status, log.to_status, log.actor) == (D.REGISTERED, D.ROUTED, w.o.leader)
    assert AssignmentTransition.objects.filter(assignment__delivery=delivery, name="created").count() == 4
    assert published("delivery.routed") == [{"delivery_id": delivery.pk}]
    ids = sorted(Assignment.objects.filter(delivery=delivery).values_list("pk", flat=True))
    assert published("assignment.created") == [{"assignment_id": pk} for pk in ids]
    audit = AuditEvent.objects.get(verb="workflows.delivery.routed")
    assert audit.data["to"] == D.ROUTED and len(audit.data["assignments"]) == 4
    del o3


def test_who_may_route_and_what_a_slip_must_say():
    w = World()
    school, (o1, o2, _) = w.o.schools[0], w.o.officers
    lead = AssigneeSpec(unit=school, working_days=3)
    for user in (w.o.clerk, o1, w.a.leader):
        with pytest.raises(Forbidden) as exc:
            w.route(lead, by=user)
        assert exc.value.code == "not_router"
    stranger_unit = make_office(agency=w.a).unit
    cases = [
        (AssigneeSpec(unit=school), {}, "deadline_required"),
        (AssigneeSpec(unit=school, working_days=0), {}, "invalid_working_days"),
        (AssigneeSpec(unit=school, deadline=w.today - datetime.timedelta(days=1)), {}, "deadline_in_past"),
        (AssigneeSpec(unit=school, deadline=w.later(), working_days=2), {}, "deadline_twice"),
        (AssigneeSpec(unit=school, user=o1, working_days=2), {}, "assignee_required"),
        (AssigneeSpec(unit=stranger_unit, working_days=2), {}, "assignee_outside_unit"),
        (AssigneeSpec(unit=w.a.department, working_days=2), {}, "assignee_outside_unit"),
        (AssigneeSpec(user=w.a.drafter, working_days=2), {}, "assignee_outside_unit"),
        (lead, {"coordinators": [AssigneeSpec(unit=school, working_days=2)]}, "duplicate_assignee"),
        (lead, {"coordinators": [AssigneeSpec(user=o1)]}, "deadline_required"),
        (lead, {"informed": [AssigneeSpec(user=o2), AssigneeSpec(user=o2)]}, "duplicate_assignee"),
    ]
    for spec, more, code in cases:
        with pytest.raises(InvalidInput) as exc:
            w.route(spec, **more)
        assert exc.value.code == code, (spec, more)
    assert w.status() == D.REGISTERED
    assert not Routing.objects.exists() and not Assignment.objects.exists()
    assert not DeliveryTransition.objects.filter(name="routed").exists()

    # The deputy routes; a person of a school under the office may be named; a second routing is a 409.
    teacher = make_user()
    make_membership(user=teacher, unit=w.o.schools[1], role=Role.OFFICER)
    w.route(
        AssigneeSpec(unit=w.o.unit, working_days=2),
        by=w.o.deputy,
        coordinators=[AssigneeSpec(user=teacher, working_days=2)],
    )
    with pytest.raises(Conflict) as exc:
        w.route(lead)
    assert exc.value.code == "illegal_transition"


def test_a_delegate_with_routing_authority_routes_and_an_unregistered_delivery_cannot_be_routed():
    w = World()
    delegate = make_user()
    make_membership(user=delegate, unit=w.o.unit, role=Role.OFFICER)
    Delegation.objects.create(
        unit=w.o.unit,
        delegator=w.o.leader,
        delegate=delegate,
        scope=DelegationScope.ROUTE,
        starts_on=w.today,
        ends_on=w.today + datetime.timedelta(days=7),
    )
    w.route(AssigneeSpec(user=w.o.officers[0], working_days=2), by=delegate)
    assert w.status() == D.ROUTED
    arrived = make_arrived(w.a, w.o.unit)[0]
    with pytest.raises(Conflict) as exc:
        do_route(arrived, acting_user=w.o.leader, lead=AssigneeSpec(user=w.o.officers[0], working_days=2))
    assert exc.value.code == "illegal_transition"


def test_the_lead_drives_the_delivery_from_start_to_completion(remember):
    w = World()
    school, principal, (o1, o2, _) = w.o.schools[0], w.o.principals[0], w.o.officers
    w.route(
        AssigneeSpec(unit=school, working_days=5),
        coordinators=[AssigneeSpec(user=o1, working_days=3)],
        informed=[AssigneeSpec(user=o2)],
    )
    lead, coordinate, inform = w.line(kind=K.LEAD), w.line(kind=K.COORDINATE), w.line(kind=K.INFORM)
    for user in (o2, w.o.leader, w.o.principals[1]):
        with pytest.raises(Forbidden) as exc:
            do_start_assignment(lead, acting_user=user)
        assert exc.value.code == "not_assignee"
    with pytest.raises(Conflict):
        do_start_assignment(inform, acting_user=o2)

    do_start_assignment(coordinate, acting_user=o1)
    assert w.status() == D.ROUTED  # a coordinator's work does not move the delivery
    do_start_assignment(lead, acting_user=principal)
    delivery = Delivery.objects.get(pk=w.delivery.pk)
    assert delivery.status == D.IN_PROGRESS and delivery.edxml_code == "05"
    assert published("delivery.started") == [{"delivery_id": delivery.pk}]
    with pytest.raises(Conflict):
        do_start_assignment(lead, acting_user=principal)

    with pytest.raises(InvalidInput) as exc:
        do_finish_assignment(lead, acting_user=principal, result="  ")
    assert exc.value.code == "result_required"
    do_finish_assignment(coordinate, acting_user=o1, result="Đã góp ý")
    assert w.status() == D.IN_PROGRESS
    do_finish_assignment(lead, acting_user=principal, result="Đã báo cáo Phòng")
    delivery.refresh_from_db()
    assert delivery.status == D.COMPLETED and delivery.completed_at is not None
    lead.refresh_from_db()
    assert lead.state == S.DONE and lead.result == "Đã báo cáo Phòng" and lead.done_at is not None
    assert published("delivery.completed") == [{"delivery_id": delivery.pk}]
    assert published("assignment.finished") == sorted(
        [{"assignment_id": lead.pk}, {"assignment_id": coordinate.pk}], key=lambda i: i["assignment_id"]
    )
    names = list(DeliveryTransition.objects.filter(delivery=delivery).values_list("name", "to_status"))
    assert names[-3:] == [("routed", D.ROUTED), ("started", D.IN_PROGRESS), ("completed", D.COMPLETED)]
    assert list(lead.transitions.values_list("name", "from_state", "to_state")) == [
        ("created", "", S.NEW),
        ("started", S.NEW, S.IN_PROGRESS),
        ("finished", S.IN_PROGRESS, S.DONE),
    ]
    assert AuditEvent.objects.filter(verb="workflows.assignment.finished").count() == 2
    assert AuditEvent.objects.filter(verb="workflows.delivery.completed").count() == 1
    # The delivery is done: a finished line is not returned, an FYI line may still be acknowledged.
    with pytest.raises(Conflict) as exc:
        do_return_assignment(lead, acting_user=principal, reason="Muộn")
    assert exc.value.code == "illegal_transition"
    do_acknowledge_assignment(inform, acting_user=o2)


def test_a_unit_head_reassigns_and_the_person_finishes_both_lines(remember):
    w = World()
    school, principal, officer = w.o.schools[0], w.o.principals[0], w.o.officers[0]
    teacher, other_teacher = make_user(), make_user()
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    make_membership(user=other_teacher, unit=school, role=Role.OFFICER)
    w.route(AssigneeSpec(unit=school, working_days=5))
    lead = w.line(kind=K.LEAD)

    with pytest.raises(Forbidden) as exc:
        do_reassign(lead, acting_user=teacher, user=other_teacher)
    assert exc.value.code == "not_unit_head"
    with pytest.raises(InvalidInput) as exc:
        do_reassign(lead, acting_user=principal, user=officer)
    assert exc.value.code == "assignee_not_in_unit"
    with pytest.raises(InvalidInput) as exc:
        do_reassign(lead, acting_user=principal, user=teacher, deadline=w.later(6))
    assert exc.value.code == "deadline_after_parent"

    child = do_reassign(lead, acting_user=principal, user=teacher, note="Thầy lo")
    assert (child.parent, child.kind, child.user, child.deadline) == (lead, K.LEAD, teacher, lead.deadline)
    assert child.assigned_by == principal and child.note == "Thầy lo"
    assert {"assignment_id": child.pk} in published("assignment.created")
    assert lead.transitions.filter(name="reassigned").exists()
    with pytest.raises(Conflict) as exc:
        do_reassign(lead, acting_user=principal, user=other_teacher)
    assert exc.value.code == "already_reassigned"
    with pytest.raises(Conflict) as exc:
        do_start_assignment(lead, acting_user=principal)
    assert exc.value.code == "assignment_reassigned"

    do_start_assignment(child, acting_user=teacher)
    lead.refresh_from_db()
    assert lead.state == S.IN_PROGRESS and w.status() == D.IN_PROGRESS
    do_finish_assignment(child, acting_user=teacher, result="Xong")
    lead.refresh_from_db()
    assert lead.state == S.DONE and lead.result == "Xong"
    assert w.status() == D.COMPLETED


def test_a_returned_child_can_be_reassigned_and_its_deadline_extended_by_the_head():
    w = World()
    school, principal = w.o.schools[0], w.o.principals[0]
    teacher, other_teacher = make_user(), make_user()
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    make_membership(user=other_teacher, unit=school, role=Role.OFFICER)
    w.route(
        AssigneeSpec(unit=school, working_days=5), coordinators=[AssigneeSpec(user=w.o.officers[0], working_days=5)]
    )
    lead = w.line(kind=K.LEAD)
    child = do_reassign(lead, acting_user=principal, user=teacher, deadline=w.later(2))
    with pytest.raises(InvalidInput) as exc:
        do_extend_deadline(child, acting_user=principal, new_deadline=w.later(6), reason="Thêm thời gian")
    assert exc.value.code == "deadline_after_parent"
    with pytest.raises(Forbidden):
        do_extend_deadline(child, acting_user=other_teacher, new_deadline=w.later(4), reason="Xin thêm")
    do_extend_deadline(child, acting_user=principal, new_deadline=w.later(4), reason="Thêm thời gian")
    child.refresh_from_db()
    assert child.deadline == w.later(4)
    assert Delivery.objects.get(pk=w.delivery.pk).due_on == w.later(5)  # a child's deadline is not the delivery's
    do_return_assignment(child, acting_user=teacher, reason="Đang nghỉ phép")
    second = do_reassign(lead, acting_user=principal, user=other_teacher)
    assert second.deadline == lead.deadline


def test_a_returned_lead_is_replaced_and_the_delivery_stays_routed(remember):
    w = World()
    o1, o2, o3 = w.o.officers
    w.route(AssigneeSpec(user=o1, working_days=5), coordinators=[AssigneeSpec(user=o2, working_days=5)])
    lead = w.line(kind=K.LEAD)
    with pytest.raises(Conflict) as exc:
        do_replace_lead(w.delivery, acting_user=w.o.leader, lead=AssigneeSpec(user=o3, working_days=2))
    assert exc.value.code == "lead_active"
    with pytest.raises(Forbidden):
        do_return_assignment(lead, acting_user=o2, reason="Không đúng")
    with pytest.raises(InvalidInput) as exc:
        do_return_assignment(lead, acting_user=o1, reason=" ")
    assert exc.value.code == "reason_required"
    do_return_assignment(lead, acting_user=o1, reason="Không thuộc lĩnh vực phụ trách")
    lead.refresh_from_db()
    assert lead.state == S.RETURNED and lead.returned_reason == "Không thuộc lĩnh vực phụ trách"
    assert published("assignment.returned") == [{"assignment_id": lead.pk}]
    assert w.status() == D.ROUTED
    with pytest.raises(Conflict):
        do_start_assignment(lead, acting_user=o1)

    with pytest.raises(Forbidden):
        do_replace_lead(w.delivery, acting_user=o2, lead=AssigneeSpec(user=o3, working_days=2))
    with pytest.raises(InvalidInput) as exc:
        do_replace_lead(w.delivery, acting_user=w.o.leader, lead=AssigneeSpec(user=o2, working_days=2))
    assert exc.value.code == "duplicate_assignee"
    new = do_replace_lead(w.delivery, acting_user=w.o.leader, lead=AssigneeSpec(user=o3, working_days=2))
    assert (new.kind, new.user, new.state, new.parent) == (K.LEAD, o3, S.NEW, None)
    delivery = Delivery.objects.get(pk=w.delivery.pk)
    assert delivery.status == D.ROUTED and delivery.due_on == w.later(2)
    assert DeliveryTransition.objects.filter(delivery=delivery, name="lead_replaced").exists()
    assert {"assignment_id": new.pk} in published("assignment.created")
    do_start_assignment(new, acting_user=o3)
    do_finish_assignment(new, acting_user=o3, result="Xong")
    assert w.status() == D.COMPLETED


def test_for_information_lines_are_acknowledged_once(remember):
    w = World()
    school, (o1, o2, _) = w.o.schools[0], w.o.officers
    teacher = make_user()
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    w.route(AssigneeSpec(user=o1, working_days=5), informed=[AssigneeSpec(user=o2), AssigneeSpec(unit=school)])
    person, unit = w.line(user=o2), w.line(unit=school)
    with pytest.raises(Forbidden):
        do_acknowledge_assignment(person, acting_user=o1)
    with pytest.raises(Forbidden):
        do_acknowledge_assignment(unit, acting_user=o2)
    do_acknowledge_assignment(person, acting_user=o2)
    do_acknowledge_assignment(unit, acting_user=teacher)
    person.refresh_from_db()
    assert person.state == S.DONE and person.acknowledged_by == o2 and person.acknowledged_at is not None
    with pytest.raises(Conflict) as exc:
        do_acknowledge_assignment(person, acting_user=o2)
    assert exc.value.code == "illegal_transition"
    with pytest.raises(Conflict):
        do_acknowledge_assignment(w.line(user=o1), acting_user=o1)  # a lead is not acknowledged
    assert published("assignment.acknowledged") == sorted(
        [{"assignment_id": person.pk}, {"assignment_id": unit.pk}], key=lambda i: i["assignment_id"]
    )
    assert AuditEvent.objects.filter(verb="workflows.assignment.acknowledged").count() == 2


def test_extending_a_deadline_keeps_history_and_moves_the_due_date(remember):
    w = World()
    o1, o2, _ = w.o.officers
    w.route(AssigneeSpec(user=o1, working_days=3), coordinators=[AssigneeSpec(user=o2, working_days=3)])
    lead, coordinate = w.line(kind=K.LEAD), w.line(kind=K.COORDINATE)
    with pytest.raises(Forbidden) as exc:
        do_extend_deadline(lead, acting_user=o1, new_deadline=w.later(8), reason="Xin thêm")
    assert exc.value.code == "not_assigner"
    with pytest.raises(InvalidInput) as exc:
        do_extend_deadline(lead, acting_user=w.o.leader, new_deadline=w.later(8), reason="")
    assert exc.value.code == "reason_required"
    with pytest.raises(InvalidInput) as exc:
        do_extend_deadline(lead, acting_user=w.o.leader, new_deadline=lead.deadline, reason="Giữ")
    assert exc.value.code == "deadline_unchanged"
    with pytest.raises(InvalidInput) as exc:
        do_extend_deadline(lead, acting_user=w.o.leader, new_deadline=w.today - datetime.timedelta(1), reason="Lùi")
    assert exc.value.code == "deadline_in_past"

    old = lead.deadline
    extension = do_extend_deadline(lead, acting_user=w.o.leader, new_deadline=w.later(8), reason="Chờ số liệu")
    assert (extension.old_deadline, extension.new_deadline, extension.extended_by) == (old, w.later(8), w.o.leader)
    lead.refresh_from_db()
    assert lead.deadline == w.later(8) and Delivery.objects.get(pk=w.delivery.pk).due_on == w.later(8)
    do_extend_deadline(coordinate, acting_user=w.o.deputy, new_deadline=w.later(6), reason="Phối hợp chậm")
    assert Delivery.objects.get(pk=w.delivery.pk).due_on == w.later(8)  # only the lead's moves the delivery
    do_extend_deadline(lead, acting_user=w.o.leader, new_deadline=w.later(10), reason="Lần hai")
    assert list(DeadlineExtension.objects.filter(assignment=lead).values_list("new_deadline", flat=True)) == [
        w.later(8),
        w.later(10),
    ]
    assert lead.transitions.filter(name="deadline_extended").count() == 2
    assert len(published("assignment.deadline_extended")) == 3
    assert AuditEvent.objects.filter(verb="workflows.assignment.deadline_extended").count() == 3
    do_finish_assignment(lead, acting_user=o1, result="Xong")
    with pytest.raises(Conflict):
        do_extend_deadline(lead, acting_user=w.o.leader, new_deadline=w.later(12), reason="Muộn")


def test_a_leader_files_a_delivery_as_done(remember):
    w = World()
    with pytest.raises(Forbidden):
        do_complete_delivery(w.delivery, acting_user=w.o.clerk, comment="Lưu")
    do_complete_delivery(w.delivery, acting_user=w.o.leader, comment="Lưu hồ sơ, để biết")
    delivery = Delivery.objects.get(pk=w.delivery.pk)
    assert delivery.status == D.COMPLETED and delivery.completed_at is not None
    log = DeliveryTransition.objects.get(delivery=delivery, name="completed")
    assert (log.from_status, log.comment) == (D.REGISTERED, "Lưu hồ sơ, để biết")
    assert published("delivery.completed") == [{"delivery_id": delivery.pk}]
    with pytest.raises(Conflict):
        do_complete_delivery(w.delivery, acting_user=w.o.leader, comment="Lần nữa")
    with pytest.raises(Conflict):
        w.route(AssigneeSpec(user=w.o.officers[0], working_days=2))


@postgresql_only()
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_leaders_routing_at_once_one_wins_nothing_half_written():
    w = World()
    o1, o2, _ = w.o.officers

    def route(user, lead_user):
        return lambda: do_route(
            w.delivery.pk,
            acting_user=user,
            lead=AssigneeSpec(user=lead_user, working_days=3),
            informed=[AssigneeSpec(unit=w.o.schools[0])],
        )

    leader, deputy = codes(at_once(route(w.o.leader, o1), route(w.o.deputy, o2)))
    assert sorted([leader, deputy]) in (
        ["concurrent_transition", "ok"],
        ["illegal_transition", "ok"],
    ), (leader, deputy)
    winner = w.o.leader if leader == "ok" else w.o.deputy
    routing = Routing.objects.get(delivery=w.delivery)
    assert routing.routed_by == winner
    lead_user = o1 if winner == w.o.leader else o2
    assert list(Assignment.objects.filter(delivery=w.delivery).values_list("kind", "user")) == [
        (K.LEAD, lead_user.pk),
        (K.INFORM, None),
    ]
    assert DeliveryTransition.objects.filter(delivery=w.delivery, name="routed").count() == 1
    assert AuditEvent.objects.filter(verb="workflows.delivery.routed").count() == 1


def test_lines_of_a_filed_delivery_can_no_longer_be_worked():
    w = World()
    o1 = w.o.officers[0]
    w.route(AssigneeSpec(user=o1, working_days=3))
    do_complete_delivery(w.delivery, acting_user=w.o.leader, comment="Đã xử lý qua điện thoại")
    lead = w.line(kind=K.LEAD)
    for step in (
        lambda: do_start_assignment(lead, acting_user=o1),
        lambda: do_finish_assignment(lead, acting_user=o1, result="Xong"),
        lambda: do_extend_deadline(lead, acting_user=w.o.leader, new_deadline=w.later(9), reason="Thêm"),
    ):
        with pytest.raises(Conflict) as exc:
            step()
        assert exc.value.code == "delivery_not_workable"
