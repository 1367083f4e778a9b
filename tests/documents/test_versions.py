import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.actions import RecipientInput, ReferenceInput, do_attach_file, do_create_draft, do_update_draft
from documents.diff import BodyLine, compare_versions
from documents.models import Document
from documents.selectors import drafts_of, versions_of
from organizations.models import Role
from tests.documents.factories import draft_input, make_department, make_division
from tests.documents.files import make_pdf
from tests.organizations.factories import make_membership, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def so():
    return make_department()


@pytest.fixture
def division(so):
    return make_division(department=so)


@pytest.fixture
def officer(division):
    return make_membership(unit=division, role=Role.OFFICER).user


def _body(*lines):
    return [[{"text": line}] for line in lines]


def test_compare_shows_summary_recipients_references_files_and_body(officer, division, so):
    cao_lanh = make_unit(kind="district_office", parent=so, name="Phòng GDĐT TP Cao Lãnh")
    sa_dec = make_unit(kind="district_office", parent=so, name="Phòng GDĐT TP Sa Đéc")
    first = draft_input(
        summary="V/v triển khai",
        body=_body("Mở đầu.", "Yêu cầu cũ.", "Kết thúc."),
        recipients=[RecipientInput(cao_lanh)],
    )
    document = do_create_draft(acting_user=officer, unit=division, data=first)
    second = draft_input(
        summary="V/v triển khai văn phòng điện tử",
        body=_body("Mở đầu.", "Yêu cầu mới.", "Thêm một đoạn.", "Kết thúc."),
        recipients=[RecipientInput(cao_lanh), RecipientInput(sa_dec, purpose="biet")],
        references=[ReferenceInput("can_cu", citation="Kế hoạch số 12/KH-SGDĐT")],
    )
    do_update_draft(document, acting_user=officer, data=second, expected_version=1)
    do_attach_file(document, acting_user=officer, upload=SimpleUploadedFile("phu-luc.pdf", make_pdf()))
    v1, _, v3 = versions_of(document=document)

    diff = compare_versions(v1, v3)
    assert (diff.old_number, diff.new_number) == (1, 3)
    assert [(c.name, c.label, c.old, c.new) for c in diff.fields] == [
        ("summary", "Trích yếu", "V/v triển khai", "V/v triển khai văn phòng điện tử")
    ]
    assert diff.recipients.added == [{"unit": sa_dec.pk, "name": "Phòng GDĐT TP Sa Đéc", "purpose": "biet"}]
    assert diff.recipients.removed == []
    assert [r["citation"] for r in diff.references.added] == ["Kế hoạch số 12/KH-SGDĐT"]
    assert [a["filename"] for a in diff.attachments.added] == ["phu-luc.pdf"]
    assert not diff.recipient_lists
    assert diff.body == [
        BodyLine("equal", "Mở đầu."),
        BodyLine("removed", "Yêu cầu cũ."),
        BodyLine("added", "Yêu cầu mới."),
        BodyLine("added", "Thêm một đoạn."),
        BodyLine("equal", "Kết thúc."),
    ]
    assert diff.has_changes and diff.body_changed

    backwards = compare_versions(v3, v1)
    assert backwards.recipients.removed == diff.recipients.added
    assert [line.op for line in backwards.body if line.op != "equal"] == ["removed", "removed", "added"]


def test_an_unchanged_save_compares_empty_and_emphasis_alone_is_flagged(officer, division):
    document = do_create_draft(acting_user=officer, unit=division, data=draft_input(body=_body("Một.")))
    do_update_draft(document, acting_user=officer, data=draft_input(body=_body("Một.")), expected_version=1)
    bold = [[{"text": "Một.", "bold": True}]]
    do_update_draft(document, acting_user=officer, data=draft_input(body=bold), expected_version=2)
    v1, v2, v3 = versions_of(document=document)
    assert not compare_versions(v1, v2).has_changes
    emphasis = compare_versions(v2, v3)
    assert emphasis.body_formatting_changed and emphasis.body_changed and not emphasis.fields
    assert [line.op for line in emphasis.body] == ["equal"]


def test_versions_of_different_documents_do_not_compare(officer, division):
    a = do_create_draft(acting_user=officer, unit=division, data=draft_input())
    b = do_create_draft(acting_user=officer, unit=division, data=draft_input())
    with pytest.raises(ValueError, match="same document"):
        compare_versions(a.versions.get(), b.versions.get())


def test_drafts_of_lists_own_unnumbered_drafts_newest_first(officer, division):
    colleague = make_membership(unit=division, role=Role.OFFICER).user
    older = do_create_draft(acting_user=officer, unit=division, data=draft_input(summary="V/v cũ"))
    newer = do_create_draft(acting_user=officer, unit=division, data=draft_input(summary="V/v mới"))
    issued = do_create_draft(acting_user=officer, unit=division, data=draft_input(summary="V/v đã ban hành"))
    Document.objects.filter(pk=issued.pk).update(number=1)
    do_create_draft(acting_user=colleague, unit=division, data=draft_input(summary="V/v của đồng nghiệp"))
    assert list(drafts_of(user=officer)) == [newer, older]
    do_update_draft(older, acting_user=officer, data=draft_input(summary="V/v cũ, sửa lại"), expected_version=1)
    assert list(drafts_of(user=officer)) == [older, newer]


@pytest.mark.parametrize("count", [1, 20])
def test_drafts_of_costs_one_query_whatever_the_length(officer, division, count, django_assert_num_queries):
    for n in range(count):
        do_create_draft(acting_user=officer, unit=division, data=draft_input(summary=f"V/v số {n}"))
    with django_assert_num_queries(1):
        rows = [
            (d.summary, d.document_type.name, d.drafting_unit.abbreviation, d.issuer.abbreviation, d.created_by.pk)
            for d in drafts_of(user=officer)
        ]
    assert len(rows) == count
    assert rows[0][1:4] == ("Công văn", "CNTTTBT", "SGDĐT")


def test_versions_of_lists_every_save_in_order(officer, division, django_assert_num_queries):
    document = do_create_draft(acting_user=officer, unit=division, data=draft_input())
    for n in range(1, 4):
        do_update_draft(document, acting_user=officer, data=draft_input(summary=f"V/v {n}"), expected_version=n)
    with django_assert_num_queries(1):
        rows = [(v.number, v.created_by.username) for v in versions_of(document=document)]
    assert rows == [(n, officer.username) for n in range(1, 5)]
