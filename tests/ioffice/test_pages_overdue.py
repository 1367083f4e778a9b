"""The overdue lists: a unit's late documents, late routing lines, and late forwarded copies."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import do_register_delivery
from workflows.actions.routing import AssigneeSpec, do_route
from workflows.models import Assignment, Delivery

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _late(delivery, days=3):
    """Move a routed delivery's deadlines into the past, as time would."""
    past = timezone.localdate() - datetime.timedelta(days=days)
    Delivery.objects.filter(pk=delivery.pk).update(due_on=past)
    Assignment.objects.filter(delivery=delivery).update(deadline=past)


def test_the_leader_sees_late_documents_lines_and_forwarded_copies(client):
    agency = make_agency()
    office = make_office(agency=agency, schools=2)
    late, on_time = make_arrived(agency, office.unit, summary="V/v báo cáo trễ hạn")[0], None
    do_register_delivery(late, acting_user=office.clerk)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    do_route(late, acting_user=office.leader, lead=AssigneeSpec(user=office.officers[0], deadline=deadline))
    _late(late)
    (on_time,) = make_arrived(agency, office.unit, summary="V/v còn trong hạn")
    do_register_delivery(on_time, acting_user=office.clerk)
    do_route(on_time, acting_user=office.leader, lead=AssigneeSpec(user=office.officers[1], deadline=deadline))
    child_ids = do_forward_delivery(on_time, acting_user=office.clerk, all_children=True)
    child = Delivery.objects.get(pk=child_ids[0])
    do_register_delivery(child, acting_user=office.principals[0])
    Delivery.objects.filter(pk=child.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))

    html = _client(client, office.leader).get(reverse("overdue-list")).content.decode()
    assert "V/v báo cáo trễ hạn" in html
    assert html.count("V/v còn trong hạn") == 1  # only as the school's forwarded copy, not as the unit's own
    assert office.schools[0].name in html
    assert f"{office.officers[0].last_name} {office.officers[0].first_name}" in html


def test_officers_and_strangers_are_refused(client):
    agency = make_agency()
    office = make_office(agency=agency)
    assert _client(client, office.officers[0]).get(reverse("overdue-list")).status_code == 403
    assert _client(client, agency.drafter).get(reverse("overdue-list")).status_code == 403
