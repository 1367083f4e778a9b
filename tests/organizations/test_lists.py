"""Distribution lists: rules plus named units, resolved in one query; saved only by a unit's admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.actions import do_save_distribution_list
from organizations.models import DistributionList, Role, SchoolLevel, UnitKind
from organizations.selectors import resolve_distribution_list
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    so = make_unit(name="Sở GDĐT", kind=UnitKind.DEPARTMENT)
    division = make_unit(name="Phòng CNTT", kind=UnitKind.DIVISION, parent=so)
    phong_a = make_unit(name="Phòng GDĐT A", kind=UnitKind.DISTRICT_OFFICE, parent=so, enrolled=True)
    phong_b = make_unit(name="Phòng GDĐT B", kind=UnitKind.DISTRICT_OFFICE, parent=so, enrolled=False)
    thpt = make_unit(name="THPT 1", kind=UnitKind.SCHOOL, parent=so, school_level=SchoolLevel.THPT, enrolled=True)
    thcs_a = make_unit(name="THCS A1", kind=UnitKind.SCHOOL, parent=phong_a, school_level=SchoolLevel.THCS)
    th_a = make_unit(name="TH A1", kind=UnitKind.SCHOOL, parent=phong_a, school_level=SchoolLevel.TIEU_HOC)
    thcs_b = make_unit(name="THCS B1", kind=UnitKind.SCHOOL, parent=phong_b, school_level=SchoolLevel.THCS)
    return dict(locals())


def _names(distribution_list):
    return sorted(resolve_distribution_list(distribution_list=distribution_list).values_list("name", flat=True))


def _save(superuser, *, units=None, **fields):
    return do_save_distribution_list(DistributionList(**fields), acting_user=superuser, units=units)


def test_rules_and_named_units(superuser, tree):
    owner = tree["so"]
    phongs = _save(superuser, name="Phòng", owner=owner, kinds=[UnitKind.DISTRICT_OFFICE])
    assert _names(phongs) == ["Phòng GDĐT A", "Phòng GDĐT B"]
    thcs = _save(superuser, name="THCS", owner=owner, kinds=[UnitKind.SCHOOL], school_levels=[SchoolLevel.THCS])
    assert _names(thcs) == ["THCS A1", "THCS B1"]
    under_a = _save(superuser, name="Trường A", owner=owner, kinds=[UnitKind.SCHOOL], under=tree["phong_a"])
    assert _names(under_a) == ["TH A1", "THCS A1"]
    paper = _save(superuser, name="Giấy", owner=owner, enrolled=False, kinds=[UnitKind.DISTRICT_OFFICE])
    assert _names(paper) == ["Phòng GDĐT B"]
    mixed = _save(superuser, name="Hỗn hợp", owner=owner, school_levels=[SchoolLevel.THPT], units=[tree["thcs_b"]])
    assert _names(mixed) == ["THCS B1", "THPT 1"]


def test_a_list_without_a_rule_is_only_its_named_units(superuser, tree):
    empty = _save(superuser, name="Trống", owner=tree["so"])
    assert _names(empty) == []
    named = _save(superuser, name="Chọn tay", owner=tree["so"], units=[tree["th_a"], tree["division"]])
    assert _names(named) == ["Phòng CNTT", "TH A1"]


def test_inactive_units_drop_out(superuser, tree):
    phongs = _save(superuser, name="Phòng", owner=tree["so"], kinds=[UnitKind.DISTRICT_OFFICE], units=[tree["th_a"]])
    for key in ("phong_b", "th_a"):
        type(tree[key]).objects.filter(pk=tree[key].pk).update(is_active=False)
    assert _names(phongs) == ["Phòng GDĐT A"]


def test_new_units_join_a_rule_by_themselves(superuser, tree):
    thpt = _save(superuser, name="THPT", owner=tree["so"], school_levels=[SchoolLevel.THPT])
    make_unit(name="THPT 2", kind=UnitKind.SCHOOL, parent=tree["so"], school_level=SchoolLevel.THPT)
    assert _names(thpt) == ["THPT 1", "THPT 2"]


def test_resolving_is_one_query(superuser, tree, django_assert_num_queries):
    lst = _save(superuser, name="Hỗn hợp", owner=tree["so"], kinds=[UnitKind.SCHOOL], under=tree["phong_a"], units=[])
    lst = DistributionList.objects.select_related("under").get(pk=lst.pk)
    with django_assert_num_queries(1):
        assert len(list(resolve_distribution_list(distribution_list=lst))) == 2


def test_unknown_kinds_are_refused_and_nothing_is_saved(superuser, tree):
    with pytest.raises(ValidationError) as error:
        _save(superuser, name="Sai", owner=tree["so"], kinds=["planet"])
    assert "kinds" in error.value.message_dict
    assert not DistributionList.objects.exists()


def test_only_an_admin_of_the_owner_may_save(tree, audit_calls):
    clerk, admin = make_user("vanthu"), make_user("quantri.so")
    make_membership(user=clerk, unit=tree["so"], role=Role.CLERK)
    make_membership(user=admin, unit=tree["so"], role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        do_save_distribution_list(DistributionList(name="X", owner=tree["so"]), acting_user=clerk)
    saved = do_save_distribution_list(
        DistributionList(name="Phòng", owner=tree["so"], kinds=[UnitKind.DISTRICT_OFFICE]), acting_user=admin
    )
    (call,) = [c for c in audit_calls if c["verb"].startswith("organizations.distribution_list")]
    assert call["verb"] == "organizations.distribution_list.created" and call["target"] == saved
    assert call["data"]["kinds"] == [UnitKind.DISTRICT_OFFICE]


def test_admin_pages_render(admin_client, superuser, tree):
    lst = _save(superuser, name="Phòng", owner=tree["so"], kinds=[UnitKind.DISTRICT_OFFICE])
    assert admin_client.get("/admin/organizations/distributionlist/").status_code == 200
    page = admin_client.get(f"/admin/organizations/distributionlist/{lst.pk}/change/")
    assert page.status_code == 200 and "Phòng GDĐT A" in page.content.decode()
