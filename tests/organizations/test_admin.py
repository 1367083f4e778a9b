import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from organizations.models import Delegation, Membership, Role, Unit
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", ["unit", "membership", "delegation"])
def test_changelist_and_add_pages_render(admin_client, model):
    unit = make_unit(kind="department", abbreviation="SGDĐT")
    make_membership(unit=unit, role=Role.LEADER)
    for url in (reverse(f"admin:organizations_{model}_changelist"), reverse(f"admin:organizations_{model}_add")):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    response = admin_client.get(reverse("admin:organizations_unit_changelist"), {"q": "SGDĐT"})
    assert unit.name in response.content.decode()


def test_unit_add_goes_through_the_action(admin_client, audit_calls):
    so = make_unit(kind="department")
    response = admin_client.post(
        reverse("admin:organizations_unit_add"),
        {"name": "Trường THPT Thử", "kind": "school", "school_level": "thpt", "parent": so.pk, "enrolled": "on",
         "is_active": "on", "code": "999.50.21.H41", "abbreviation": "THPTT", "short_name": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(code="999.50.21.H41")
    assert unit.path == f"{so.path}{unit.pk}/"
    assert Group.objects.filter(unit_link__unit=unit).count() == 8
    assert [c["verb"] for c in audit_calls] == ["organizations.unit.created"]


def test_unit_add_refuses_wrong_parent_in_the_form(admin_client):
    so = make_unit(kind="department")
    response = admin_client.post(
        reverse("admin:organizations_unit_add"),
        {"name": "Sở lạc chỗ", "kind": "department", "parent": so.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "không thể trực thuộc" in response.content.decode()
    assert not Unit.objects.filter(name="Sở lạc chỗ").exists()


def test_membership_add_and_end_action(admin_client, audit_calls):
    unit = make_unit()
    user = make_user()
    response = admin_client.post(
        reverse("admin:organizations_membership_add"),
        {"user": user.pk, "unit": unit.pk, "role": "clerk", "title": "Văn thư", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=user)
    assert user.groups.count() == 2
    response = admin_client.post(
        reverse("admin:organizations_membership_changelist"),
        {"action": "end_now", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    assert user.groups.count() == 0
    assert [c["verb"] for c in audit_calls] == ["organizations.membership.granted", "organizations.membership.ended"]


def test_delegation_add_with_a_rule_broken_shows_the_message(admin_client):
    unit = make_unit(kind="department")
    officer = make_membership(unit=unit, role=Role.OFFICER).user
    other = make_membership(unit=unit, role=Role.OFFICER).user
    url = reverse("admin:organizations_delegation_add")
    response = admin_client.post(
        url,
        {"unit": unit.pk, "delegator": officer.pk, "delegate": other.pk, "scope": "sign",
         "starts_on": "2026-01-01", "ends_on": "2026-01-05", "reason": ""},
        follow=True,
    )  # fmt: skip
    assert "phải là lãnh đạo" in response.content.decode()
    assert not Delegation.objects.exists()
