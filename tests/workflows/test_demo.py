"""The demo mail: real dispatches issued through the actions, waiting in the pilot units' inboxes."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations.management.commands.organizations_load_demo import CAO_LANH, thpt_code
from workflows.models import CalendarDay, Delivery, DeliveryStatus, Dispatch, DispatchState, Priority

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("workflows_load_demo", stdout=out)
    return out.getvalue()


def test_demo_mail_reaches_the_pilot_units_once():
    call_command("organizations_load_demo", stdout=io.StringIO())
    assert "2 văn bản mới" in _load()
    assert Dispatch.objects.filter(state=DispatchState.ISSUED).count() == 2
    rows = set(Delivery.objects.values_list("recipient__code", "status", "priority"))
    assert rows == {
        (CAO_LANH, DeliveryStatus.REGISTERED, Priority.NORMAL),
        (CAO_LANH, DeliveryStatus.ARRIVED, Priority.HOA_TOC),
        (thpt_code(1), DeliveryStatus.ARRIVED, Priority.NORMAL),
        (thpt_code(1), DeliveryStatus.ARRIVED, Priority.HOA_TOC),
    }
    assert CalendarDay.objects.exists()

    assert "đã có" in _load()
    assert Delivery.objects.count() == 4 and Dispatch.objects.count() == 2


def test_demo_mail_needs_the_demo_people_first():
    with pytest.raises(CommandError, match="organizations_load_demo"):
        _load()
