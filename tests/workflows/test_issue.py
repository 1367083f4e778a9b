"""Issue (phát hành): the fan-out to every recipient unit, in one transaction with a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import (
    DocumentGroupObjectPermission,
    DocumentRecipientList,
    RecipientPurpose,
    ReferenceKind,
)
from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import DistributionList, Role, UnitKind
from tests.concurrency import at_once, codes, postgresql_only
from tests.journal import handlers
from tests.journal.handlers import queued
from tests.organizations.factories import make_membership, make_user
from tests.workflows.factories import make_agency, make_recipient, make_sealed, make_units
from workflows.actions import do_issue_dispatch
from workflows.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    DeliveryTransition,
    Dispatch,
    DispatchState,
    DispatchTransition,
)
from workflows.selectors import (
    deliveries_of,
    dispatches_visible_to,
    issued_by,
    paper_deliveries,
    related_documents,
    tracking_summary,
)
from workflows.visibility import documents_visible_to

pytestmark = pytest.mark.django_db
P = RecipientPurpose


@pytest.fixture
def observed():
    """Subscribe a test handler to the dispatch events, as a higher app would from its ready()."""
    handlers.calls.clear()
    for kind in ("dispatch.issued", "dispatch.replaced"):
        events.subscribe(kind, handlers.remember)
    yield
    for kind in ("dispatch.issued", "dispatch.replaced"):
        events.unsubscribe(kind, handlers.remember)


def test_issue_fans_out_deliveries_logs_audit_and_one_event(observed):
    a = make_agency()
    phong = make_recipient(agency=a, name="Phòng GDĐT Cao Lãnh")
    paper = make_recipient(agency=a, name="Phòng GDĐT Tháp Mười", enrolled=False)
    schools = make_units(3, parent=phong)
    member = make_user()
    make_membership(user=member, unit=schools[0], role=Role.PRINCIPAL)
    outsider = make_user()
    make_membership(user=outsider, unit=make_recipient(agency=a), role=Role.CLERK)

    d = make_sealed(a, recipients=[phong, paper], purpose=P.BIET)
    # A list naming every school under the Phòng plus the Phòng itself "để thực hiện": the Phòng is
    # named twice, and the stronger purpose must win; the issuer itself never gets a delivery.
    dl = DistributionList.objects.create(name="Trường thuộc Phòng Cao Lãnh", owner=a.department, under=phong)
    dl.units.add(phong, a.department)
    DocumentRecipientList.objects.create(document=d.document, distribution_list=dl, purpose=P.THUC_HIEN)

    issued = do_issue_dispatch(d, acting_user=a.clerk)

    d.refresh_from_db()
    assert issued.state == d.state == DispatchState.ISSUED
    assert d.issued_at is not None
    got = {x.recipient_id: (x.purpose, x.channel, x.status) for x in Delivery.objects.filter(dispatch=d)}
    E, PA, ARR = DeliveryChannel.ELECTRONIC, DeliveryChannel.PAPER, DeliveryStatus.ARRIVED
    assert got == {
        phong.pk: (P.THUC_HIEN, E, ARR),
        paper.pk: (P.BIET, PA, ARR),
        **{s.pk: (P.THUC_HIEN, E, ARR) for s in schools},
    }
    assert {x.edxml_code for x in Delivery.objects.filter(dispatch=d)} == {"01"}
    assert DeliveryTransition.objects.filter(delivery__dispatch=d, name="issue", to_status=ARR).count() == 5
    assert list(DispatchTransition.objects.filter(dispatch=d).values_list("name", "from_state", "to_state")) == [
        ("issue", DispatchState.SEALED, DispatchState.ISSUED)
    ]

    # No grant is written: each recipient sees the document through its own delivery (the one rule).
    assert not DocumentGroupObjectPermission.objects.filter(content_object=d.document).exists()
    assert documents_visible_to(member).filter(pk=d.document_id).exists()
    assert not documents_visible_to(outsider).filter(pk=d.document_id).exists()

    audit = AuditEvent.objects.get(verb="workflows.dispatch.issue")
    assert audit.object_id == str(d.pk)
    assert audit.data["recipients"] == 5 and audit.data["paper"] == 1
    assert queued("dispatch.issued") == [{"dispatch_id": d.pk}]  # one task, not one per recipient

    summary = tracking_summary(dispatch=d)
    assert summary["total"] == 5
    assert summary["by_status"][ARR] == 5 and summary["by_edxml_code"]["01"] == 5
    assert summary["by_channel"] == {E: 4, PA: 1}
    assert [row["unit_name"] for row in paper_deliveries(dispatch=d)] == ["Phòng GDĐT Tháp Mười"]
    assert next(x.recipient_id for x in deliveries_of(dispatch=d)) == phong.pk  # tree order: the Phòng first
    assert list(issued_by(unit=a.department)) == [d]

    # Visibility: the recipient school's principal, the agency's clerk and the drafter see it.
    assert d in dispatches_visible_to(user=member)
    assert d in dispatches_visible_to(user=a.clerk)
    assert d in dispatches_visible_to(user=a.drafter)
    assert d not in dispatches_visible_to(user=outsider)


def test_only_a_clerk_of_the_issuer_issues_and_only_a_sealed_dispatch():
    a = make_agency()
    d = make_sealed(a, recipients=[make_recipient(agency=a)])
    for user in (a.leader, a.drafter, make_user()):
        with pytest.raises(Forbidden):
            do_issue_dispatch(d, acting_user=user)
    do_issue_dispatch(d, acting_user=a.clerk)
    with pytest.raises(Conflict) as exc:
        do_issue_dispatch(d, acting_user=a.clerk)
    assert exc.value.code == "illegal_transition"
    assert Delivery.objects.filter(dispatch=d).count() == 1


def test_a_document_without_recipients_is_refused_and_nothing_is_written():
    a = make_agency()
    d = make_sealed(a, recipients=[a.department])  # only itself: no one to send to
    with pytest.raises(InvalidInput) as exc:
        do_issue_dispatch(d, acting_user=a.clerk)
    assert exc.value.code == "no_recipients"
    assert Dispatch.objects.get(pk=d.pk).state == DispatchState.SEALED
    assert not Delivery.objects.exists()
    assert not AuditEvent.objects.filter(verb="workflows.dispatch.issue").exists()


def _issue_queries(a, count: int, *, groups: bool) -> int:
    units = make_units(count, parent=a.department, enrolled=lambda i: i % 3 != 0, groups=groups)
    d = make_sealed(a, recipients=units)
    with CaptureQueriesContext(connection) as ctx:
        do_issue_dispatch(d, acting_user=a.clerk)
    assert Delivery.objects.filter(dispatch=d).count() == count
    return len(ctx.captured_queries)


@pytest.mark.parametrize("groups", [True, False], ids=["groups-exist", "groups-missing"])
def test_query_count_does_not_grow_with_recipients(groups):
    a = make_agency()
    # Warm-up: the first audit row of a database also creates the chain head, a one-time cost.
    do_issue_dispatch(make_sealed(a, recipients=make_units(1, parent=a.department)), acting_user=a.clerk)
    few = _issue_queries(a, 10, groups=groups)
    many = _issue_queries(a, 750, groups=groups)
    assert few == many, f"10 recipients took {few} queries, 750 took {many}"


def test_replacement_moves_the_replaced_dispatch_and_correction_only_links(observed):
    a = make_agency()
    unit = make_recipient(agency=a)
    old = make_sealed(a, recipients=[unit], summary="V/v kế hoạch cũ")
    do_issue_dispatch(old, acting_user=a.clerk)
    fixed = make_sealed(a, recipients=[unit], references=[(ReferenceKind.DINH_CHINH, old.document)])
    do_issue_dispatch(fixed, acting_user=a.clerk)
    assert Dispatch.objects.get(pk=old.pk).state == DispatchState.ISSUED

    new = make_sealed(a, recipients=[unit], references=[(ReferenceKind.THAY_THE, old.document)])
    do_issue_dispatch(new, acting_user=a.clerk)
    old.refresh_from_db()
    assert old.state == DispatchState.REPLACED and old.replaced_at is not None
    assert DispatchTransition.objects.filter(dispatch=old, name="replace").count() == 1
    assert AuditEvent.objects.filter(verb="workflows.dispatch.replaced", object_id=str(old.pk)).exists()
    assert queued("dispatch.replaced") == [{"dispatch_id": old.pk, "by_dispatch_id": new.pk}]
    assert related_documents(document=old.document) == {
        "replaces": [],
        "replaced_by": [new.document],
        "corrects": [],
        "corrected_by": [fixed.document],
    }
    assert related_documents(document=new.document)["replaces"] == [old.document]
    assert related_documents(document=fixed.document)["corrects"] == [old.document]


def test_visibility_follows_roles_and_recipient_units():
    a = make_agency()
    school = make_units(1, parent=a.department)[0]
    other_division = make_unit_division(a)
    division_leader, other_leader, officer_elsewhere, teacher = make_user(), make_user(), make_user(), make_user()
    make_membership(user=division_leader, unit=a.division, role=Role.LEADER)
    make_membership(user=other_leader, unit=other_division, role=Role.LEADER)
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    principal = make_user()
    make_membership(user=principal, unit=school, role=Role.PRINCIPAL)
    d = make_sealed(a, recipients=[school])
    assert d in dispatches_visible_to(user=division_leader)  # leads the drafting division
    assert d in dispatches_visible_to(user=a.leader)
    assert d not in dispatches_visible_to(user=other_leader)
    assert d not in dispatches_visible_to(user=principal)  # not issued yet: nothing delivered
    do_issue_dispatch(d, acting_user=a.clerk)
    assert d in dispatches_visible_to(user=principal)
    assert d not in dispatches_visible_to(user=teacher), "a teacher sees what is assigned to them, not the unit's mail"
    assert d not in dispatches_visible_to(user=other_leader)
    assert d not in dispatches_visible_to(user=officer_elsewhere)


def make_unit_division(a):
    from tests.documents.factories import make_division

    return make_division(department=a.department, name="Phòng Giáo dục Trung học", abbreviation="GDTrH")


@postgresql_only("SQLite serialises writers, so two issues never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issue_exactly_one_wins():
    a = make_agency()
    second_clerk = make_user()
    make_membership(user=second_clerk, unit=a.department, role=Role.CLERK)
    units = make_units(50, parent=a.department)
    d = make_sealed(a, recipients=units)
    outcomes = codes(at_once(*(lambda u=u: do_issue_dispatch(d, acting_user=u) for u in (a.clerk, second_clerk))))
    assert sorted(outcomes) in (["concurrent_transition", "ok"], ["illegal_transition", "ok"])
    assert Delivery.objects.filter(dispatch=d).count() == 50
    assert DispatchTransition.objects.filter(dispatch=d, name="issue").count() == 1
    assert AuditEvent.objects.filter(verb="workflows.dispatch.issue").count() == 1


def test_unit_kind_of_bulk_units_is_a_school():
    a = make_agency()
    assert {u.kind for u in make_units(2, parent=a.department)} == {UnitKind.SCHOOL}
