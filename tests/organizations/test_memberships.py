import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from organizations.actions import do_end_membership, do_grant_membership
from organizations.groups import role_group, unit_group
from organizations.models import Membership, Role
from organizations.selectors import active_memberships, roles_in
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_grant_puts_user_in_unit_and_role_groups(superuser, audit_calls):
    unit = make_unit()
    user = make_user()
    membership = do_grant_membership(acting_user=superuser, user=user, unit=unit, role=Role.CLERK, title="Văn thư")
    assert _groups(user) == {unit_group(unit).name, role_group(unit, Role.CLERK).name}
    assert roles_in(user=user, unit=unit) == {"clerk"}
    assert [m.pk for m in active_memberships(user=user)] == [membership.pk]
    assert audit_calls == [
        {
            "actor": superuser,
            "verb": "organizations.membership.granted",
            "target": membership,
            "unit": unit,
            "data": {
                "user": user.pk,
                "role": "clerk",
                "title": "Văn thư",
                "valid_from": TODAY.isoformat(),
                "valid_until": None,
            },
        }
    ]


def test_future_membership_grants_no_group_until_it_starts(superuser):
    unit = make_unit()
    user = make_user()
    do_grant_membership(acting_user=superuser, user=user, unit=unit, role=Role.OFFICER, valid_from=TODAY + DAY)
    assert _groups(user) == set()
    assert roles_in(user=user, unit=unit, on=TODAY + DAY) == {"officer"}


def test_end_now_removes_groups_but_keeps_other_roles(superuser, audit_calls):
    unit = make_unit()
    user = make_user()
    leader = do_grant_membership(acting_user=superuser, user=user, unit=unit, role=Role.LEADER)
    do_grant_membership(acting_user=superuser, user=user, unit=unit, role=Role.ADMIN)
    do_end_membership(leader, acting_user=superuser)
    assert _groups(user) == {unit_group(unit).name, role_group(unit, Role.ADMIN).name}
    assert roles_in(user=user, unit=unit) == {"admin"}
    assert roles_in(user=user, unit=unit, on=TODAY - DAY) == set()  # it only began today
    assert audit_calls[-1]["verb"] == "organizations.membership.ended"
    assert audit_calls[-1]["data"]["immediate"] is True
    with pytest.raises(ValidationError):
        do_end_membership(leader, acting_user=superuser)


def test_expiry_and_sync_command_take_user_out(superuser):
    unit = make_unit()
    user = make_user()
    stays = make_user()
    m = make_membership(user=user, unit=unit, role=Role.OFFICER, valid_from=TODAY - 10 * DAY)
    make_membership(user=stays, unit=unit, role=Role.OFFICER)
    do_end_membership(m, acting_user=superuser, last_day=TODAY)
    assert _groups(user) == {unit_group(unit).name, role_group(unit, Role.OFFICER).name}  # still today
    # The day passes: nothing happened to the row, only the date moved on. Simulate with the data.
    Membership.objects.filter(pk=m.pk).update(valid_until=TODAY - DAY)
    out = io.StringIO()
    call_command("organizations_sync_groups", stdout=out)
    assert _groups(user) == set()
    assert _groups(stays) == {unit_group(unit).name, role_group(unit, Role.OFFICER).name}
    assert "removed: 2" in out.getvalue()
    out = io.StringIO()
    call_command("organizations_sync_groups", stdout=out)
    assert out.getvalue().strip() == "groups created: 0, added: 0, removed: 0"


def test_sync_command_adds_missing_and_leaves_manual_groups():
    from django.contrib.auth.models import Group

    unit = make_unit()
    m = make_membership(unit=unit, role=Role.CLERK)
    manual = Group.objects.create(name="Ban biên tập")
    m.user.groups.clear()
    m.user.groups.add(manual)
    call_command("organizations_sync_groups", stdout=io.StringIO())
    assert _groups(m.user) == {"Ban biên tập", unit_group(unit).name, role_group(unit, Role.CLERK).name}


def test_overlapping_grant_refused_and_dates_ordered(superuser):
    unit = make_unit()
    user = make_user()
    make_membership(user=user, unit=unit, role=Role.OFFICER, valid_until=TODAY + 30 * DAY)
    with pytest.raises(ValidationError):
        do_grant_membership(acting_user=superuser, user=user, unit=unit, role=Role.OFFICER, valid_from=TODAY + DAY)
    with pytest.raises(ValidationError):
        do_grant_membership(acting_user=superuser, user=user, unit=unit, role=Role.LEADER, valid_until=TODAY - DAY)
    # After the first ends, a new span is fine.
    do_grant_membership(acting_user=superuser, user=user, unit=unit, role=Role.OFFICER, valid_from=TODAY + 31 * DAY)


def test_end_with_last_day_can_only_shorten(superuser):
    m = make_membership(valid_until=TODAY + 10 * DAY)
    with pytest.raises(ValidationError):
        do_end_membership(m, acting_user=superuser, last_day=TODAY + 20 * DAY)
    with pytest.raises(ValidationError):
        do_end_membership(m, acting_user=superuser, last_day=TODAY - DAY)
    do_end_membership(m, acting_user=superuser, last_day=TODAY + 5 * DAY)
    m.refresh_from_db()
    assert m.valid_until == TODAY + 5 * DAY and m.ended_at is None


def test_membership_actions_need_admin_of_unit_or_ancestor(audit_calls):
    so = make_unit(kind="department")
    pgd = make_unit(kind="district_office", parent=so)
    school = make_unit(parent=pgd)
    other = make_unit(kind="district_office", parent=so)
    so_admin = make_membership(unit=so, role=Role.ADMIN).user
    pgd_admin = make_membership(unit=pgd, role=Role.ADMIN).user
    school_leader = make_membership(unit=school, role=Role.LEADER).user
    target = make_user()

    do_grant_membership(acting_user=so_admin, user=target, unit=school, role=Role.OFFICER)
    m = do_grant_membership(acting_user=pgd_admin, user=target, unit=school, role=Role.CLERK)
    for actor, unit in [(pgd_admin, other), (pgd_admin, so), (school_leader, school)]:
        with pytest.raises(PermissionDenied):
            do_grant_membership(acting_user=actor, user=target, unit=unit, role=Role.ARCHIVIST)
    with pytest.raises(PermissionDenied):
        do_end_membership(m, acting_user=school_leader)
    assert [c["verb"] for c in audit_calls] == ["organizations.membership.granted"] * 2


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "UTC"])
def test_roles_in_agrees_with_the_in_force_filter_at_every_boundary(zone):
    """roles_in's own statement and Membership.in_force() answer alike, around every edge of a span."""
    user = make_user()
    local = timezone.get_default_timezone()

    def at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=local)

    starts = [TODAY - DAY, TODAY, TODAY + DAY]
    untils = [None, TODAY, TODAY + DAY, TODAY + 2 * DAY]
    ends = [
        None,
        at(TODAY, 0),
        at(TODAY, 6, 59, 59),  # 23:59:59 UTC the day before
        at(TODAY, 7),  # midnight UTC
        at(TODAY, 23, 59, 59),
        at(TODAY + DAY, 0),
        at(TODAY + DAY, 0, 0, 1),
    ]
    units = []
    for start in starts:
        for until in untils:
            if until is not None and until < start:
                continue
            for ended in ends:
                unit = make_unit()
                membership = make_membership(user=user, unit=unit, role=Role.CLERK, valid_from=start, valid_until=until)
                Membership.objects.filter(pk=membership.pk).update(ended_at=ended)
                units.append(unit)
    with timezone.override(zone):
        for on in [TODAY - 2 * DAY + DAY * i for i in range(6)]:
            for unit in units:
                expected = set(
                    Membership.objects.in_force(on).filter(user=user, unit=unit).values_list("role", flat=True)
                )
                assert roles_in(user=user, unit=unit, on=on) == expected, (unit, on)
        assert any(roles_in(user=user, unit=unit) for unit in units)
        assert not all(roles_in(user=user, unit=unit) for unit in units)
