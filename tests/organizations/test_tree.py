import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from organizations.actions import do_save_unit
from organizations.models import SchoolLevel, Unit, UnitKind
from organizations.selectors import units_under
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db

K = UnitKind

# (child kind, parent kind or None, allowed)
PARENT_RULES = [
    (K.DEPARTMENT, None, True),
    (K.DEPARTMENT, K.EXTERNAL, True),
    (K.DEPARTMENT, K.DEPARTMENT, False),
    (K.DEPARTMENT, K.DISTRICT_OFFICE, False),
    (K.DIVISION, K.DEPARTMENT, True),
    (K.DIVISION, K.DISTRICT_OFFICE, True),
    (K.DIVISION, None, False),
    (K.DIVISION, K.DIVISION, False),
    (K.DIVISION, K.SCHOOL, False),
    (K.DISTRICT_OFFICE, K.DEPARTMENT, True),
    (K.DISTRICT_OFFICE, None, False),
    (K.DISTRICT_OFFICE, K.DISTRICT_OFFICE, False),
    (K.DISTRICT_OFFICE, K.EXTERNAL, False),
    (K.SCHOOL, K.DEPARTMENT, True),
    (K.SCHOOL, K.DISTRICT_OFFICE, True),
    (K.SCHOOL, None, False),
    (K.SCHOOL, K.DIVISION, False),
    (K.SCHOOL, K.SCHOOL, False),
    (K.EXTERNAL, None, True),
    (K.EXTERNAL, K.EXTERNAL, True),
    (K.EXTERNAL, K.DEPARTMENT, False),
]

_PARENT_CHAIN = {
    None: [],
    K.EXTERNAL: [K.EXTERNAL],
    K.DEPARTMENT: [K.DEPARTMENT],
    K.DIVISION: [K.DEPARTMENT, K.DIVISION],
    K.DISTRICT_OFFICE: [K.DEPARTMENT, K.DISTRICT_OFFICE],
    K.SCHOOL: [K.DEPARTMENT, K.SCHOOL],
}


def _build_parent(kind):
    parent = None
    for k in _PARENT_CHAIN[kind]:
        parent = make_unit(kind=k, parent=parent)
    return parent


@pytest.mark.parametrize(("kind", "parent_kind", "allowed"), PARENT_RULES)
def test_parent_kind_rules(kind, parent_kind, allowed, superuser, audit_calls):
    parent = _build_parent(parent_kind)
    unit = Unit(
        name="Mới",
        kind=kind,
        parent=parent,
        school_level=SchoolLevel.THCS if kind == K.SCHOOL else "",
    )
    if allowed:
        do_save_unit(unit, acting_user=superuser)
        assert unit.path == f"{parent.path if parent else '/'}{unit.pk}/"
        assert audit_calls[-1]["verb"] == "organizations.unit.created"
    else:
        with pytest.raises(ValidationError) as exc:
            do_save_unit(unit, acting_user=superuser)
        assert "parent" in exc.value.message_dict
        assert not Unit.objects.filter(name="Mới").exists()
        assert audit_calls == []


def test_school_level_required_for_schools_only(superuser):
    dept = make_unit(kind=K.DEPARTMENT)
    with pytest.raises(ValidationError):
        do_save_unit(Unit(name="Trường", kind=K.SCHOOL, parent=dept), acting_user=superuser)
    with pytest.raises(ValidationError):
        do_save_unit(Unit(name="Phòng", kind=K.DIVISION, parent=dept, school_level="thpt"), acting_user=superuser)


def test_database_refuses_level_on_non_school_and_self_parent():
    dept = make_unit(kind=K.DEPARTMENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=dept.pk).update(school_level=SchoolLevel.THPT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=dept.pk).update(parent=dept)


def test_code_unique_when_set_blank_allowed_twice(superuser):
    dept = make_unit(kind=K.DEPARTMENT, code="000.00.21.H41")
    make_unit(parent=dept, code="")
    make_unit(parent=dept, code="")
    with pytest.raises(ValidationError) as exc:
        do_save_unit(Unit(name="Trùng", kind=K.DIVISION, parent=dept, code="000.00.21.H41"), acting_user=superuser)
    assert "Mã định danh này đã được dùng" in str(exc.value)


def test_cycles_refused(superuser):
    dept = make_unit(kind=K.EXTERNAL)
    child = make_unit(kind=K.EXTERNAL, parent=dept)
    grandchild = make_unit(kind=K.EXTERNAL, parent=child)
    for new_parent in (dept, child, grandchild):
        root = Unit.objects.get(pk=dept.pk)
        root.parent = new_parent
        with pytest.raises(ValidationError) as exc:
            do_save_unit(root, acting_user=superuser)
        assert "parent" in exc.value.message_dict
    assert Unit.objects.get(pk=dept.pk).parent_id is None


def test_subtree_query_and_move_rewrites_paths(superuser, audit_calls, django_assert_num_queries):
    so = make_unit(kind=K.DEPARTMENT)
    pgd_a = make_unit(kind=K.DISTRICT_OFFICE, parent=so)
    pgd_b = make_unit(kind=K.DISTRICT_OFFICE, parent=so)
    school = make_unit(parent=pgd_a)
    division = make_unit(kind=K.DIVISION, parent=pgd_a)
    other = make_unit(parent=pgd_b)

    with django_assert_num_queries(1):
        assert set(units_under(unit=pgd_a)) == {pgd_a, school, division}
    assert set(units_under(unit=pgd_a, include_self=False)) == {school, division}
    assert set(units_under(unit=so)) == {so, pgd_a, pgd_b, school, division, other}

    # Move the division from one district office to the other; its path follows.
    division.parent = pgd_b
    do_save_unit(division, acting_user=superuser)
    division.refresh_from_db()
    assert division.path == f"{pgd_b.path}{division.pk}/"
    assert set(units_under(unit=pgd_b)) == {pgd_b, other, division}
    assert [c["verb"] for c in audit_calls] == ["organizations.unit.moved", "organizations.unit.updated"]
    assert audit_calls[0]["data"] == {"from_parent": pgd_a.pk, "to_parent": pgd_b.pk}


def test_moving_a_subtree_under_a_new_root(superuser):
    ubnd = make_unit(kind=K.EXTERNAL)
    so = make_unit(kind=K.DEPARTMENT)
    pgd = make_unit(kind=K.DISTRICT_OFFICE, parent=so)
    school = make_unit(parent=pgd)
    so.parent = ubnd
    do_save_unit(so, acting_user=superuser)
    school.refresh_from_db()
    assert school.path == f"/{ubnd.pk}/{so.pk}/{pgd.pk}/{school.pk}/"
    assert school.depth == 3
    assert list(school.ancestors()) == [ubnd, so, pgd]


def test_issuing_agency():
    so = make_unit(kind=K.DEPARTMENT)
    division = make_unit(kind=K.DIVISION, parent=so)
    pgd = make_unit(kind=K.DISTRICT_OFFICE, parent=so)
    pgd_division = make_unit(kind=K.DIVISION, parent=pgd)
    school = make_unit(parent=pgd)
    assert division.issuing_agency == so
    assert pgd_division.issuing_agency == pgd
    assert so.issuing_agency == so
    assert school.issuing_agency == school


def test_save_unit_permissions(audit_calls):
    so = make_unit(kind=K.DEPARTMENT)
    pgd = make_unit(kind=K.DISTRICT_OFFICE, parent=so)
    other_pgd = make_unit(kind=K.DISTRICT_OFFICE, parent=so)
    pgd_admin = make_membership(unit=pgd, role="admin").user
    nobody = make_user()

    do_save_unit(Unit(name="Trường mới", kind=K.SCHOOL, school_level="thcs", parent=pgd), acting_user=pgd_admin)
    for user, parent in [(nobody, pgd), (pgd_admin, other_pgd), (pgd_admin, None)]:
        kind = K.SCHOOL if parent else K.DEPARTMENT
        level = "thcs" if parent else ""
        with pytest.raises(PermissionDenied):
            do_save_unit(Unit(name="X", kind=kind, school_level=level, parent=parent), acting_user=user)
    # An admin of a district office cannot carry its school off to another one.
    school = Unit.objects.get(name="Trường mới")
    school.parent = other_pgd
    with pytest.raises(PermissionDenied):
        do_save_unit(school, acting_user=pgd_admin)
    assert len(audit_calls) == 1
