import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from organizations.models import DistributionList, Membership, SchoolLevel, Unit, UnitGroup, UnitKind
from organizations.selectors import active_memberships, resolve_distribution_list, units_under

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("organizations_load_demo", stdout=out)
    return out.getvalue()


def _snapshot():
    return (
        list(Unit.objects.order_by("code").values_list("code", "name", "parent__code", "path", "enrolled")),
        list(Membership.objects.order_by("pk").values_list("user__username", "unit__code", "role")),
        get_user_model().objects.count(),
        UnitGroup.objects.count(),
        get_user_model().groups.through.objects.count(),
        list(DistributionList.objects.order_by("name").values_list("name", "kinds", "under__code", "enrolled")),
    )


def test_demo_counts_enrolment_and_idempotence(audit_calls):
    out = _load()
    schools = Unit.objects.filter(kind=UnitKind.SCHOOL)
    so = Unit.objects.get(abbreviation="SGDĐT")
    assert so.kind == UnitKind.DEPARTMENT and so.parent.name == "Ủy ban nhân dân tỉnh Đồng Tháp"
    assert Unit.objects.filter(kind=UnitKind.DIVISION, parent=so).count() == 10
    assert Unit.objects.filter(kind=UnitKind.DISTRICT_OFFICE).count() == 12
    assert schools.filter(school_level=SchoolLevel.THPT, parent=so).count() == 43
    assert schools.filter(school_level=SchoolLevel.THCS, parent__kind=UnitKind.DISTRICT_OFFICE).count() == 141
    assert schools.filter(school_level=SchoolLevel.TIEU_HOC, parent__kind=UnitKind.DISTRICT_OFFICE).count() == 314
    assert schools.filter(school_level=SchoolLevel.MAM_NON).count() == 180
    assert set(Unit.objects.filter(kind=UnitKind.EXTERNAL).values_list("short_name", flat=True)) == {
        "UBND tỉnh",
        "VNPT Đồng Tháp",
    }
    assert Unit.objects.filter(abbreviation="CNTTTBT", parent=so).exists()
    assert all("(dữ liệu thử)" in name for name in schools.values_list("name", flat=True))

    cao_lanh = Unit.objects.get(short_name="Phòng GDĐT TP Cao Lãnh")
    pilot = set(units_under(unit=cao_lanh)) | set(units_under(unit=so)) - set(
        Unit.objects.filter(kind=UnitKind.DISTRICT_OFFICE).exclude(pk=cao_lanh.pk)
    )
    expected_enrolled = {u for u in pilot if u.parent.kind != UnitKind.DISTRICT_OFFICE or u.parent == cao_lanh}
    assert set(Unit.objects.filter(enrolled=True)) == expected_enrolled
    assert not Unit.objects.filter(enrolled=True, parent__kind=UnitKind.DISTRICT_OFFICE).exclude(parent=cao_lanh)
    assert UnitGroup.objects.count() == Unit.objects.count() * 8

    phogiamdoc = get_user_model().objects.get(username="so.phogiamdoc")
    assert {(m.unit.abbreviation, m.role) for m in active_memberships(user=phogiamdoc)} == {
        ("SGDĐT", "deputy"),
        ("GDTrH", "leader"),
    }
    assert phogiamdoc.check_password("ioffice-demo-2026")
    assert get_user_model().objects.get(username="quantri").is_superuser
    assert "so.giamdoc" in out and "Giám đốc" not in out.splitlines()[0]
    verbs = [c["verb"] for c in audit_calls]
    assert verbs[0] == "organizations.units.imported"
    assert verbs.count("organizations.membership.granted") == 13

    first = _snapshot()
    audit_calls.clear()
    _load()
    assert _snapshot() == first
    assert [c["verb"] for c in audit_calls] == ["organizations.units.imported"]
    assert audit_calls[0]["data"] == {"created": 0, "updated": 0, "unchanged": Unit.objects.count()}


def test_demo_distribution_lists(audit_calls):
    _load()
    counts = {d.name: resolve_distribution_list(distribution_list=d).count() for d in DistributionList.objects.all()}
    assert counts == {
        "Tất cả Phòng GDĐT": 12,
        "Tất cả trường THPT": 43,
        "Các trường thuộc Phòng GDĐT TP Cao Lãnh": 54,
        # The pilot (seed item 4): every THPT, Phòng GDĐT TP Cao Lãnh and its schools.
        "Các đơn vị thí điểm văn phòng điện tử": 43 + 1 + 54,
    }
