"""A whole unit opened with one object-permission row on its group, and closed when people leave."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from guardian.models import GroupObjectPermission
from guardian.shortcuts import assign_perm

from organizations.actions import do_end_membership
from organizations.groups import role_group, unit_group
from organizations.models import Role
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db


def _fresh(user):
    # Django caches permissions on the user object; a new request sees a fresh one.
    return get_user_model().objects.get(pk=user.pk)


def test_one_row_grants_every_member_of_the_unit(superuser):
    school = make_unit(name="Trường THCS Thử nghiệm số 07")
    other = make_unit(name="Trường THCS Thử nghiệm số 08")
    principal, teacher, outsider = make_user("ht07"), make_user("gv07"), make_user("gv08")
    make_membership(user=principal, unit=school, role=Role.PRINCIPAL)
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    make_membership(user=outsider, unit=other, role=Role.OFFICER)
    target = make_unit(name="Đơn vị được chia sẻ")

    assign_perm("organizations.view_unit", unit_group(school), target)

    assert GroupObjectPermission.objects.count() == 1
    assert _fresh(principal).has_perm("organizations.view_unit", target)
    assert _fresh(teacher).has_perm("organizations.view_unit", target)
    assert not _fresh(outsider).has_perm("organizations.view_unit", target)
    assert not _fresh(teacher).has_perm("organizations.view_unit", other)


def test_a_role_group_grant_reaches_only_that_role(superuser):
    school = make_unit(name="Trường Tiểu học Thử nghiệm số 03")
    principal, teacher = make_user("ht03"), make_user("gv03")
    make_membership(user=principal, unit=school, role=Role.PRINCIPAL)
    make_membership(user=teacher, unit=school, role=Role.OFFICER)
    target = make_unit(name="Hồ sơ ban giám hiệu")

    assign_perm("organizations.change_unit", role_group(school, Role.PRINCIPAL), target)

    assert _fresh(principal).has_perm("organizations.change_unit", target)
    assert not _fresh(teacher).has_perm("organizations.change_unit", target)


def test_leaving_the_unit_closes_the_grant(superuser):
    school = make_unit(name="Trường THPT Thử nghiệm số 11")
    teacher = make_user("gv11")
    membership = make_membership(
        user=teacher, unit=school, role=Role.OFFICER, valid_from=datetime.date.today() - datetime.timedelta(days=3)
    )
    target = make_unit(name="Đơn vị khác")
    assign_perm("organizations.view_unit", unit_group(school), target)
    assert _fresh(teacher).has_perm("organizations.view_unit", target)

    do_end_membership(membership, acting_user=superuser)

    assert not _fresh(teacher).has_perm("organizations.view_unit", target)
