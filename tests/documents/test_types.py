import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from documents.actions import do_save_document_type, do_set_document_type_active
from documents.models import DocumentKind, DocumentType
from journal.errors import Forbidden
from journal.models import AuditEvent
from tests.organizations.factories import make_user

pytestmark = pytest.mark.django_db

#: Decree 30, Phụ lục III, as DOMAIN.md lists it: written out here, not read from the migration.
EXPECTED_TYPES = [
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"), ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"), ("Chương trình", "CTr"),
    ("Kế hoạch", "KH"), ("Phương án", "PA"), ("Đề án", "ĐA"), ("Dự án", "DA"), ("Báo cáo", "BC"),
    ("Biên bản", "BB"), ("Tờ trình", "TTr"), ("Hợp đồng", "HĐ"), ("Công văn", ""), ("Công điện", "CĐ"),
    ("Bản ghi nhớ", "BGN"), ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"),
    ("Giấy giới thiệu", "GGT"), ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"),
    ("Phiếu báo", "PB"), ("Thư công", ""),
]  # fmt: skip
EXPECTED_COPIES = [("Sao y", "SY"), ("Trích sao", "TrS"), ("Sao lục", "SL")]


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("quan.tri", superuser=True))
    return client


def test_the_29_types_are_seeded_in_decree_order():
    rows = list(DocumentType.objects.filter(kind=DocumentKind.DOCUMENT).values_list("name", "abbreviation"))
    assert len(rows) == 29
    assert rows == EXPECTED_TYPES


def test_the_3_copy_kinds_are_seeded_after_the_types():
    rows = list(DocumentType.objects.filter(kind=DocumentKind.COPY).values_list("name", "abbreviation"))
    assert rows == EXPECTED_COPIES
    assert list(DocumentType.objects.values_list("abbreviation", flat=True))[-3:] == ["SY", "TrS", "SL"]


def test_only_cong_van_and_thu_cong_have_no_abbreviation():
    blank = set(DocumentType.objects.filter(abbreviation="").values_list("name", flat=True))
    assert blank == {"Công văn", "Thư công"}


def test_seeded_types_are_active_and_not_legal_normative_until_an_agency_says_so():
    assert DocumentType.objects.count() == 32
    assert not DocumentType.objects.filter(is_active=False).exists()
    assert not DocumentType.objects.filter(is_legal_normative=True).exists()


def test_names_are_stored_in_nfc():
    import unicodedata

    for name, abbreviation in DocumentType.objects.values_list("name", "abbreviation"):
        assert unicodedata.is_normalized("NFC", name) and unicodedata.is_normalized("NFC", abbreviation)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"name": "Quyết định"}, "name"),
        ({"name": "Quyết định mới", "abbreviation": "QĐ"}, "abbreviation"),
        ({"name": "Có dấu cách", "abbreviation": "Q D"}, "no_separators"),
        ({"name": "Có gạch chéo", "abbreviation": "Q/D"}, "no_separators"),
        ({"name": "Có gạch nối", "abbreviation": "Q-D"}, "no_separators"),
        ({"name": "Bản sao không ký hiệu", "kind": "copy"}, "copy_has_abbreviation"),
        ({"name": "Loại lạ", "abbreviation": "LL", "kind": "other"}, "kind_valid"),
    ],
)
def test_the_database_refuses_bad_types(fields, constraint):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        DocumentType.objects.create(**fields)
    assert constraint in str(refused.value)


def test_two_types_without_abbreviation_may_coexist():
    DocumentType.objects.create(name="Thư cảm ơn")
    assert DocumentType.objects.filter(abbreviation="").count() == 3


def test_admin_lists_and_filters_types(admin_client):
    url = reverse("admin:documents_documenttype_changelist")
    response = admin_client.get(url, {"kind__exact": "copy"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trích sao" in page and "Quyết định" not in page


def test_admin_adds_a_type_with_an_audit_row(admin_client):
    response = admin_client.post(
        reverse("admin:documents_documenttype_add"),
        {"name": "Thông tri", "abbreviation": "TTri", "kind": "document", "ordering": 40, "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = DocumentType.objects.get(name="Thông tri")
    assert (added.abbreviation, added.kind, added.is_legal_normative) == ("TTri", "document", False)
    event = AuditEvent.objects.get(verb="documents.document_type.created")
    assert (event.actor_username, event.object_id, event.data["abbreviation"]) == ("quan.tri", str(added.pk), "TTri")


@pytest.mark.parametrize(
    ("abbreviation", "message"),
    [("QĐ", "đã được dùng"), ("T Tri", "không có dấu cách"), ("T/Tri", "không có dấu cách")],
)
def test_admin_refuses_a_bad_abbreviation_in_the_form(admin_client, abbreviation, message):
    response = admin_client.post(
        reverse("admin:documents_documenttype_add"),
        {"name": "Thông tri", "abbreviation": abbreviation, "kind": "document", "ordering": 40},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentType.objects.filter(name="Thông tri").exists()


def test_admin_marks_a_type_legal_normative(admin_client):
    nq = DocumentType.objects.get(abbreviation="NQ")
    response = admin_client.post(
        reverse("admin:documents_documenttype_change", args=[nq.pk]),
        {"name": nq.name, "abbreviation": "NQ", "kind": "document", "ordering": 1, "is_active": "on",
         "is_legal_normative": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DocumentType.objects.get(pk=nq.pk).is_legal_normative
    event = AuditEvent.objects.get(verb="documents.document_type.updated")
    assert event.data == {"is_legal_normative": [False, True]}


def test_admin_deactivates_instead_of_deleting(admin_client):
    pg = DocumentType.objects.get(abbreviation="PG")
    url = reverse("admin:documents_documenttype_changelist")
    response = admin_client.post(url, {"action": "deactivate", "_selected_action": [pg.pk]})
    assert response.status_code == 302
    assert not DocumentType.objects.get(pk=pg.pk).is_active
    assert AuditEvent.objects.get(verb="documents.document_type.updated").data == {"is_active": [True, False]}
    delete = admin_client.get(reverse("admin:documents_documenttype_delete", args=[pg.pk]))
    assert delete.status_code == 403
    response = admin_client.get(url)
    assert 'value="delete_selected"' not in response.content.decode()


def test_only_a_system_administrator_changes_the_type_list():
    staff = make_user("quan.tri.so", is_staff=True)
    with pytest.raises(Forbidden) as error:
        do_save_document_type(DocumentType(name="Thông tri", abbreviation="TTri"), acting_user=staff)
    assert error.value.code == "document_types_admin_only"
    assert not DocumentType.objects.filter(name="Thông tri").exists()
    root = make_user("root", superuser=True)
    bb = DocumentType.objects.get(abbreviation="BB")
    do_set_document_type_active(bb, acting_user=root, active=False)
    assert DocumentType.objects.get(pk=bb.pk).is_active is False
