import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.actions import do_create_delegation, do_revoke_delegation
from organizations.models import Delegation, Role
from organizations.selectors import authority_holders, delegations_in_force, holds_authority, members_with
from tests.organizations.factories import make_membership, make_unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def office():
    unit = make_unit(kind="department")
    leader = make_membership(unit=unit, role=Role.LEADER, valid_from=TODAY - 100 * DAY).user
    deputy = make_membership(unit=unit, role=Role.DEPUTY, valid_from=TODAY - 100 * DAY).user
    officer = make_membership(unit=unit, role=Role.OFFICER, valid_from=TODAY - 100 * DAY).user
    outsider = make_membership(unit=make_unit(kind="department"), role=Role.OFFICER).user
    return {"unit": unit, "leader": leader, "deputy": deputy, "officer": officer, "outsider": outsider}


# (delegator, delegate, scope, start offset, end offset, existing (scope, start, end) or None, error or None)
CASES = [
    ("leader", "officer", "sign", 0, 5, None, None),
    ("leader", "deputy", "both", -2, 2, None, None),
    ("leader", "officer", "route", 0, 5, ("sign", 0, 5), None),
    ("leader", "officer", "sign", 6, 9, ("sign", 0, 5), None),
    ("leader", "officer", "sign", 3, 9, ("sign", 0, 5), ValidationError),
    ("leader", "officer", "sign", 3, 9, ("both", 0, 5), ValidationError),
    ("leader", "officer", "both", 3, 9, ("route", 0, 5), ValidationError),
    ("leader", "officer", "sign", 0, 5, ("revoked-sign", 0, 5), None),
    ("officer", "deputy", "sign", 0, 5, None, ValidationError),
    ("deputy", "officer", "sign", 0, 5, None, ValidationError),
    ("leader", "outsider", "sign", 0, 5, None, ValidationError),
    ("leader", "leader", "sign", 0, 5, None, ValidationError),
    ("leader", "officer", "sign", 5, 0, None, ValidationError),
    ("leader", "officer", "sign", -200, 0, None, ValidationError),
    ("leader", "officer", "pay", 0, 5, None, ValidationError),
]


@pytest.mark.parametrize(("delegator", "delegate", "scope", "start", "end", "existing", "error"), CASES)
def test_delegation_rules(office, superuser, audit_calls, delegator, delegate, scope, start, end, existing, error):
    unit = office["unit"]
    if existing:
        ex_scope, ex_start, ex_end = existing
        revoked = ex_scope.startswith("revoked-")
        previous = do_create_delegation(
            acting_user=superuser, unit=unit, delegator=office["leader"], delegate=office["deputy"],
            scope=ex_scope.removeprefix("revoked-"), starts_on=TODAY + ex_start * DAY, ends_on=TODAY + ex_end * DAY,
        )  # fmt: skip
        if revoked:
            do_revoke_delegation(previous, acting_user=office["leader"])
    audit_calls.clear()
    before = Delegation.objects.count()
    kwargs = dict(
        unit=unit, delegator=office[delegator], delegate=office[delegate], scope=scope,
        starts_on=TODAY + start * DAY, ends_on=TODAY + end * DAY, reason="Đi công tác",
    )  # fmt: skip
    if error:
        with pytest.raises(error):
            do_create_delegation(acting_user=office[delegator], **kwargs)
        assert Delegation.objects.count() == before
        assert audit_calls == []
    else:
        delegation = do_create_delegation(acting_user=office[delegator], **kwargs)
        assert audit_calls[0]["verb"] == "organizations.delegation.created"
        assert audit_calls[0]["target"] == delegation
        assert audit_calls[0]["data"]["scope"] == scope


def test_only_delegator_or_admin_may_create_or_revoke(office, audit_calls):
    unit = office["unit"]
    kwargs = dict(
        unit=unit, delegator=office["leader"], delegate=office["officer"], scope="sign",
        starts_on=TODAY, ends_on=TODAY + 3 * DAY,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        do_create_delegation(acting_user=office["officer"], **kwargs)
    admin = make_membership(unit=unit, role=Role.ADMIN).user
    delegation = do_create_delegation(acting_user=admin, **kwargs)
    with pytest.raises(PermissionDenied):
        do_revoke_delegation(delegation, acting_user=office["officer"])
    do_revoke_delegation(delegation, acting_user=office["leader"])
    with pytest.raises(ValidationError):
        do_revoke_delegation(delegation, acting_user=office["leader"])
    assert [c["verb"] for c in audit_calls] == ["organizations.delegation.created", "organizations.delegation.revoked"]


def test_database_constraints_on_delegations(office):
    base = dict(unit=office["unit"], delegator=office["leader"], scope="sign")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(**base, delegate=office["leader"], starts_on=TODAY, ends_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(**base, delegate=office["officer"], starts_on=TODAY, ends_on=TODAY - DAY)


def test_holds_authority_with_and_without_delegation(office, superuser):
    unit, officer = office["unit"], office["officer"]
    assert holds_authority(user=office["leader"], unit=unit, authority="sign")
    assert holds_authority(user=office["deputy"], unit=unit, authority="route")
    assert not holds_authority(user=officer, unit=unit, authority="sign")
    assert not holds_authority(user=office["leader"], unit=make_unit(kind="department"), authority="sign")

    delegation = do_create_delegation(
        acting_user=office["leader"], unit=unit, delegator=office["leader"], delegate=officer, scope="sign",
        starts_on=TODAY + DAY, ends_on=TODAY + 5 * DAY,
    )  # fmt: skip
    assert not holds_authority(user=officer, unit=unit, authority="sign")  # not started yet
    assert holds_authority(user=officer, unit=unit, authority="sign", on=TODAY + DAY)
    assert holds_authority(user=officer, unit=unit, authority="sign", on=TODAY + 5 * DAY)
    assert not holds_authority(user=officer, unit=unit, authority="sign", on=TODAY + 6 * DAY)
    assert not holds_authority(user=officer, unit=unit, authority="route", on=TODAY + DAY)
    assert list(delegations_in_force(delegate=officer, on=TODAY + 2 * DAY, scope="sign")) == [delegation]
    assert list(delegations_in_force(delegate=officer, on=TODAY + 2 * DAY, scope="route")) == []

    both = do_create_delegation(
        acting_user=office["leader"], unit=unit, delegator=office["leader"], delegate=officer, scope="both",
        starts_on=TODAY - DAY, ends_on=TODAY,
    )  # fmt: skip
    assert holds_authority(user=officer, unit=unit, authority="route")
    assert list(delegations_in_force(delegate=officer, scope="route")) == [both]
    do_revoke_delegation(both, acting_user=office["leader"])
    assert not holds_authority(user=officer, unit=unit, authority="route")
    assert holds_authority(user=officer, unit=unit, authority="route", on=TODAY - DAY)  # history is kept
    with pytest.raises(ValueError):
        holds_authority(user=officer, unit=unit, authority="both")


def test_authority_holders_agree_with_holds_authority(office, superuser):
    unit, officer = office["unit"], office["officer"]
    assert set(authority_holders(unit=unit, authority="sign")) == {office["leader"], office["deputy"]}
    do_create_delegation(
        acting_user=office["leader"], unit=unit, delegator=office["leader"], delegate=officer, scope="sign",
        starts_on=TODAY + DAY, ends_on=TODAY + 5 * DAY,
    )  # fmt: skip
    assert officer not in authority_holders(unit=unit, authority="sign")
    assert officer in authority_holders(unit=unit, authority="sign", on=TODAY + DAY)
    assert officer not in authority_holders(unit=unit, authority="route", on=TODAY + DAY)
    for user in (office["leader"], office["deputy"], officer, office["outsider"]):
        for day in (TODAY, TODAY + DAY):
            held = user in authority_holders(unit=unit, authority="sign", on=day)
            assert held == holds_authority(user=user, unit=unit, authority="sign", on=day)
    with pytest.raises(ValueError):
        authority_holders(unit=unit, authority="read")


def test_members_with_lists_only_the_roles_asked_in_force(office):
    unit = office["unit"]
    assert set(members_with(unit=unit, roles={Role.LEADER, Role.DEPUTY})) == {office["leader"], office["deputy"]}
    assert list(members_with(unit=unit, roles={Role.OFFICER})) == [office["officer"]]
    assert list(members_with(unit=unit, roles={Role.OFFICER}, on=TODAY - 200 * DAY)) == []
