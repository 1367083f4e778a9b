import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from documents.models import DocumentType, Register, RegisterDirection
from journal.models import AuditEvent
from organizations.models import Role
from tests.documents.factories import document_type, make_department, make_register
from tests.organizations.factories import make_membership, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def so():
    return make_department()


@pytest.fixture
def nq_legal():
    DocumentType.objects.filter(abbreviation="NQ").update(is_legal_normative=True)
    return document_type("NQ")


def _raw(**fields) -> Register:
    fields.setdefault("name", "Sổ thử")
    return Register.objects.create(**fields)


def test_directions_have_their_vietnamese_names():
    assert dict(RegisterDirection.choices) == {
        "outgoing": "Sổ văn bản đi",
        "incoming": "Sổ văn bản đến",
        "copy": "Sổ văn bản sao",
        "secret": "Sổ văn bản mật",
    }


def test_one_general_register_per_unit_direction_and_year(so):
    _raw(unit=so, direction="outgoing", year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(unit=so, direction="outgoing", year=2026)  # document_type NULL both times: still a duplicate
    _raw(unit=so, direction="incoming", year=2026)
    _raw(unit=so, direction="outgoing", year=2027)
    _raw(unit=make_department(name="Sở khác", abbreviation="SK"), direction="outgoing", year=2026)
    assert Register.objects.count() == 4


def test_one_per_type_register_per_unit_and_year(so, nq_legal):
    _raw(unit=so, direction="outgoing", year=2026)
    _raw(unit=so, direction="outgoing", year=2026, document_type=nq_legal)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(unit=so, direction="outgoing", year=2026, document_type=nq_legal)
    _raw(unit=so, direction="outgoing", year=2026, document_type=document_type("QĐ"))
    assert Register.objects.count() == 3


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"direction": "outgoing", "year": 2026, "last_number": -1}, "last_number"),
        ({"direction": "sideways", "year": 2026}, "doc_register_direction"),
        ({"direction": "outgoing", "year": 1900}, "doc_register_year_range"),
        ({"direction": "incoming", "year": 2026, "type": "NQ"}, "doc_register_per_type_is_outgoing"),
    ],
)
def test_the_database_refuses_bad_registers(so, fields, constraint):
    type_abbreviation = fields.pop("type", None)
    if type_abbreviation:
        fields["document_type"] = document_type(type_abbreviation)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _raw(unit=so, **fields)
    assert constraint in str(refused.value)


def test_a_division_keeps_no_register_of_its_own(so):
    division = make_unit(kind="division", parent=so, abbreviation="CNTTTBT")
    with pytest.raises(ValidationError) as refused:
        make_register(unit=division, year=2026)
    assert "sổ của Sở Giáo dục và Đào tạo Đồng Tháp" in refused.value.message_dict["unit"][0]


def test_only_a_legal_normative_type_gets_its_own_register(so):
    with pytest.raises(ValidationError) as refused:
        make_register(unit=so, year=2026, document_type=document_type("QĐ"))
    assert "quy phạm pháp luật" in refused.value.message_dict["document_type"][0]


def test_names_say_what_the_register_is(so, nq_legal):
    assert make_register(unit=so, year=2026).name == "Sổ văn bản đi năm 2026"
    assert make_register(unit=so, year=2026, direction="incoming").name == "Sổ văn bản đến năm 2026"
    assert make_register(unit=so, year=2026, document_type=nq_legal).name == "Sổ văn bản đi - Nghị quyết năm 2026"


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("quan.tri", superuser=True))
    return client


def test_admin_lists_registers_by_year_and_direction(admin_client, so):
    make_register(unit=so, year=2025, last_number=1200)
    make_register(unit=so, year=2026, direction="incoming", last_number=77)
    url = reverse("admin:documents_register_changelist")
    response = admin_client.get(url, {"year": "2026"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sổ văn bản đến năm 2026" in page and "Sổ văn bản đi năm 2025" not in page
    response = admin_client.get(url, {"direction__exact": "outgoing"})
    assert "Sổ văn bản đi năm 2025" in response.content.decode()
    make_register(unit=make_department(name="Sở khác", abbreviation="SK"), year=2024)
    response = admin_client.get(url, {"unit__id__exact": so.pk})
    page = response.content.decode()
    assert "Sổ văn bản đi năm 2025" in page and "Sổ văn bản đi năm 2024" not in page
    assert admin_client.get(reverse("admin:documents_register_add")).status_code == 200


def test_admin_opens_a_register_mid_year_with_the_paper_count(admin_client, so):
    response = admin_client.post(
        reverse("admin:documents_register_add"),
        {"name": "Sổ văn bản đi năm 2026", "unit": so.pk, "direction": "outgoing", "year": 2026, "last_number": 959},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    register = Register.objects.get()
    assert (register.unit, register.year, register.last_number) == (so, 2026, 959)
    event = AuditEvent.objects.get(verb="documents.register.opened")
    assert event.data == {"direction": "outgoing", "year": 2026, "document_type": None, "last_number": 959}
    assert event.unit_id == so.pk


def test_admin_never_edits_the_counter(admin_client, so):
    register = make_register(unit=so, year=2026, last_number=959)
    url = reverse("admin:documents_register_change", args=[register.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="last_number"' not in page and "959" in page
    response = admin_client.post(
        url, {"name": "Sổ đi 2026", "last_number": 1, "year": 2030, "direction": "incoming", "unit": so.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    register = Register.objects.get(pk=register.pk)
    assert (register.name, register.last_number, register.year, register.direction) == (
        "Sổ đi 2026",
        959,
        2026,
        "outgoing",
    )
    assert AuditEvent.objects.get(verb="documents.register.renamed").data == {
        "name": ["Sổ văn bản đi năm 2026", "Sổ đi 2026"]
    }
    assert admin_client.get(reverse("admin:documents_register_delete", args=[register.pk])).status_code == 403


def test_admin_refuses_a_duplicate_register_in_the_form(admin_client, so):
    make_register(unit=so, year=2026)
    response = admin_client.post(
        reverse("admin:documents_register_add"),
        {"name": "Sổ trùng", "unit": so.pk, "direction": "outgoing", "year": 2026, "last_number": 0},
    )
    assert response.status_code == 200
    assert "Đơn vị đã có sổ này trong năm." in response.content.decode()
    assert Register.objects.count() == 1


def test_a_staff_member_may_open_registers_only_where_they_administer(client, so):
    other = make_department(name="Sở khác", abbreviation="SK")
    staff = make_user("quan.tri.so", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_register", "view_register"]))
    make_membership(user=staff, unit=so, role=Role.ADMIN)
    client.force_login(staff)
    url = reverse("admin:documents_register_add")
    ok = client.post(url, {"name": "Sổ đi", "unit": so.pk, "direction": "outgoing", "year": 2026, "last_number": 0})
    assert ok.status_code == 302, ok.content.decode()[:2000]
    refused = client.post(
        url,
        {"name": "Sổ đi", "unit": other.pk, "direction": "outgoing", "year": 2026, "last_number": 0},
        follow=True,
    )
    assert refused.redirect_chain == [(url, 302)]
    assert "Bạn không có quyền quản trị đơn vị này." in refused.content.decode()
    assert list(Register.objects.values_list("unit", flat=True)) == [so.pk]
