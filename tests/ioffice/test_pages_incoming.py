"""The incoming pages: each inbox for its role, the delivery page and its steps, external registration."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from organizations.models import Role
from tests.documents.factories import document_type
from tests.documents.files import make_docx, make_pdf, make_xlsx
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import Agency, Office, make_agency, make_arrived, make_office
from workflows.actions.incoming import ExternalDocumentInput, do_register_delivery, do_register_external
from workflows.actions.issue import do_recall_dispatch
from workflows.actions.routing import AssigneeSpec, do_route
from workflows.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeadlineExtension,
    Delivery,
    DeliveryStatus,
    Routing,
)

pytestmark = pytest.mark.django_db
D = DeliveryStatus
PDF = make_pdf("Cong van 125")


@dataclass
class World:
    agency: Agency
    office: Office
    delivery: Delivery


@pytest.fixture
def world() -> World:
    agency = make_agency()
    office = make_office(agency=agency, officers=2, schools=2)
    (delivery,) = make_arrived(agency, office.unit, summary="V/v tổng kết năm học 2025-2026")
    return World(agency, office, delivery)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail(client, delivery) -> str:
    response = client.get(reverse("delivery-detail", args=[delivery.pk]))
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def step(client, delivery, name: str, **data):
    return client.post(reverse("delivery-action", args=[delivery.pk, name]), data)


def line_step(client, assignment, name: str, **data):
    return client.post(reverse("assignment-action", args=[assignment.pk, name]), data)


def registered(world: World) -> Delivery:
    return do_register_delivery(world.delivery, acting_user=world.office.clerk)


def routed(world: World, *, informed=()) -> Delivery:
    delivery = registered(world)
    do_route(
        delivery,
        acting_user=world.office.leader,
        lead=AssigneeSpec(user=world.office.officers[0], working_days=5),
        informed=[AssigneeSpec(user=u) for u in informed],
        direction="Giao chị xử lý.",
    )
    return Delivery.objects.get(pk=delivery.pk)


# -- the inboxes: who sees which ---------------------------------------------------------------------


def test_each_inbox_opens_to_its_role_and_refuses_the_others(world):
    office = world.office
    pages = {
        "incoming-to-register": ({office.clerk}, {office.leader, office.officers[0]}),
        "incoming-to-route": ({office.leader, office.deputy}, {office.clerk, office.officers[0]}),
        "incoming-to-acknowledge": ({office.leader, office.principals[0]}, {office.clerk, office.officers[0]}),
        "incoming-list": ({office.clerk, office.leader}, {office.officers[0]}),
        "incoming-register-external": ({office.clerk}, {office.leader, office.officers[0]}),
        "my-assignments": ({office.officers[0], office.leader}, {make_user()}),
    }
    for name, (allowed, refused) in pages.items():
        for user in allowed:
            assert client_for(user).get(reverse(name)).status_code == 200, (name, user)
        for user in refused:
            assert client_for(user).get(reverse(name)).status_code == 403, (name, user)


def test_the_clerks_inbox_lists_the_arrived_mail_with_a_link_to_the_delivery(world):
    html = client_for(world.office.clerk).get(reverse("incoming-to-register")).content.decode()
    assert "V/v tổng kết năm học 2025-2026" in html
    assert reverse("delivery-detail", args=[world.delivery.pk]) in html
    assert world.agency.department.name in html
    assert reverse("incoming-register-external") in html


def test_urgent_mail_is_on_top_and_marked_and_the_filters_narrow_the_list(world):
    make_arrived(world.agency, world.office.unit, urgency="hoa_toc", summary="V/v phòng chống bão số 3")
    client = client_for(world.office.clerk)
    html = client.get(reverse("incoming-to-register")).content.decode()
    assert html.index("V/v phòng chống bão số 3") < html.index("V/v tổng kết năm học")
    assert '<span class="badge badge--urgent">Hỏa tốc</span>' in html
    narrowed = client.get(reverse("incoming-to-register"), {"q": "tổng kết"}).content.decode()
    assert "V/v tổng kết năm học" in narrowed and "bão số 3" not in narrowed
    urgent = client.get(reverse("incoming-to-register"), {"urgency": "hoa_toc"}).content.decode()
    assert "bão số 3" in urgent and "tổng kết" not in urgent
    ordinary = client.get(reverse("incoming-to-register"), {"urgency": "thuong"}).content.decode()
    assert "tổng kết" in ordinary and "bão số 3" not in ordinary
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    later = client.get(reverse("incoming-to-register"), {"arrived_from": tomorrow}).content.decode()
    assert "Không có văn bản nào chờ vào sổ." in later
    typed = client.get(
        reverse("incoming-list"), {"document_type": document_type(name="Công văn").pk, "status": "arrived"}
    )
    assert "tổng kết" in typed.content.decode()
    wrong_status = client.get(reverse("incoming-list"), {"status": "completed"}).content.decode()
    assert "tổng kết" not in wrong_status


def test_the_lists_page_by_twenty_and_htmx_gets_only_the_rows(world):
    for i in range(20):
        make_arrived(world.agency, world.office.unit, summary=f"V/v văn bản thử số {i:02d}")
    client = client_for(world.office.clerk)
    first = client.get(reverse("incoming-to-register")).content.decode()
    second = client.get(reverse("incoming-to-register"), {"page": 2}).content.decode()
    assert first.count("V/v văn bản thử số") + first.count("V/v tổng kết") == 20
    assert second.count("V/v văn bản thử số") + second.count("V/v tổng kết") == 1
    assert "Trang 1/2" in first and "?page=2" in first
    rows = client.get(
        reverse("incoming-to-register"), {"q": "số 07"}, headers={"HX-Request": "true", "HX-Target": "inbox-rows"}
    )
    html = rows.content.decode()
    assert "<html" not in html and "V/v văn bản thử số 07" in html and "số 08" not in html


def test_my_assignments_lists_the_officers_lines(world):
    routed(world)
    html = client_for(world.office.officers[0]).get(reverse("my-assignments")).content.decode()
    assert "V/v tổng kết năm học 2025-2026" in html and "Chủ trì" in html
    assert "tổng kết" not in client_for(world.office.officers[1]).get(reverse("my-assignments")).content.decode()
    client = client_for(world.office.officers[0])
    assert "tổng kết" not in client.get(reverse("my-assignments"), {"state": "done"}).content.decode()
    assert "tổng kết" in client.get(reverse("my-assignments"), {"state": "new", "q": "năm học"}).content.decode()


# -- the delivery page --------------------------------------------------------------------------------


def test_the_delivery_page_shows_the_document_and_refuses_strangers(world):
    html = detail(client_for(world.office.clerk), world.delivery)
    document = world.delivery.document
    for text in (document.symbol, document.summary, world.agency.department.name, "Đã đến", "mã 01", "Chưa vào sổ"):
        assert text in html, text
    assert reverse("delivery-routing-slip", args=[world.delivery.pk]) in html
    assert 'id="step-register"' in html and 'id="step-reject"' in html
    # The officer sees the page of nothing yet: not assigned; an outsider is refused. Both get the 404 of
    # a delivery that does not exist (issue 5: never saying that it exists).
    other = make_office(agency=world.agency)
    assert client_for(other.clerk).get(reverse("delivery-detail", args=[world.delivery.pk])).status_code == 404
    assert (
        client_for(world.office.officers[0]).get(reverse("delivery-detail", args=[world.delivery.pk])).status_code
        == 404
    )
    assert client_for(world.office.clerk).get(reverse("delivery-detail", args=[999999])).status_code == 404


def test_registering_from_the_page_gives_a_number(world):
    client = client_for(world.office.clerk)
    response = step(client, world.delivery, "register", note="Đã nhận đủ")
    assert response.status_code == 302
    world.delivery.refresh_from_db()
    assert world.delivery.status == D.REGISTERED and world.delivery.incoming_number == 1
    html = client.get(response["Location"]).content.decode()
    assert "Đã vào sổ văn bản đến, số đến 1." in html
    assert 'id="step-register"' not in html


def test_a_paper_copys_arrival_time_is_checked_and_kept_on_the_form(world):
    paper = make_office(agency=world.agency, enrolled=False)
    (delivery,) = make_arrived(world.agency, paper.unit)
    client = client_for(paper.clerk)
    assert 'name="arrived_at"' in detail(client, delivery)
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = step(client, delivery, "register", arrived_at=future, note="ghi chú giữ lại")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thời điểm đến không được ở tương lai." in html and "ghi chú giữ lại" in html
    delivery.refresh_from_db()
    assert delivery.status == D.ARRIVED


def test_a_likely_duplicate_shows_the_candidates_and_asks_to_confirm(world):
    document = world.delivery.document
    earlier = do_register_external(
        world.office.unit,
        ExternalDocumentInput(
            document_type=document.document_type_id,
            symbol=document.symbol,
            issued_on=document.issued_on,
            summary="Bản giấy đến trước",
            issuer=document.issuer_id,
        ),
        acting_user=world.office.clerk,
        files=[SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")],
    )
    client = client_for(world.office.clerk)
    response = step(client, world.delivery, "register")
    assert response.status_code == 409
    html = response.content.decode()
    assert "có thể trùng" in html and reverse("delivery-detail", args=[earlier.pk]) in html
    assert 'name="confirm_duplicate"' in html
    assert step(client, world.delivery, "register", confirm_duplicate="on").status_code == 302
    world.delivery.refresh_from_db()
    assert world.delivery.incoming_number == 2


def test_rejecting_needs_a_reason(world):
    client = client_for(world.office.clerk)
    response = step(client, world.delivery, "reject", reason="")
    assert response.status_code == 400 and "Phải nêu lý do từ chối nhận văn bản." in response.content.decode()
    assert step(client, world.delivery, "reject", reason="Gửi nhầm đơn vị").status_code == 302
    world.delivery.refresh_from_db()
    assert world.delivery.status == D.REJECTED


def test_a_step_of_someone_else_is_refused_by_the_action(world):
    response = step(client_for(world.office.leader), world.delivery, "register")
    assert response.status_code == 403
    assert step(client_for(world.office.clerk), world.delivery, "no-such-step").status_code == 404


def test_the_leader_routes_from_the_page(world):
    delivery = registered(world)
    office = world.office
    client = client_for(office.leader)
    html = detail(client, delivery)
    assert 'id="step-route"' in html and f'value="p{office.officers[0].pk}"' in html
    assert f'value="u{office.schools[0].pk}"' in html
    response = step(
        client,
        delivery,
        "route",
        lead=f"p{office.officers[0].pk}",
        lead_days="5",
        coordinators=[f"u{office.schools[0].pk}"],
        informed=[f"p{office.officers[1].pk}"],
        direction="Chị Lan chủ trì, trường phối hợp.",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    delivery.refresh_from_db()
    assert delivery.status == D.ROUTED and delivery.due_on is not None
    routing = Routing.objects.get(delivery=delivery)
    assert routing.direction == "Chị Lan chủ trì, trường phối hợp."
    kinds = sorted(Assignment.objects.filter(delivery=delivery).values_list("kind", flat=True))
    assert kinds == sorted([AssignmentKind.LEAD, AssignmentKind.COORDINATE, AssignmentKind.INFORM])
    coordinate = Assignment.objects.get(delivery=delivery, kind=AssignmentKind.COORDINATE)
    assert coordinate.deadline == delivery.due_on  # the coordinators' deadline defaults to the lead's
    html = detail(client, delivery)
    assert "Chị Lan chủ trì, trường phối hợp." in html and office.schools[0].name in html
    assert "Phân phối" in html  # the history


def test_routing_without_a_deadline_or_in_the_past_stays_on_the_page(world):
    delivery = registered(world)
    client = client_for(world.office.leader)
    lead = f"p{world.office.officers[0].pk}"
    response = step(client, delivery, "route", lead=lead, direction="giữ lại ý kiến này")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chủ trì và phối hợp phải có hạn xử lý." in html and "giữ lại ý kiến này" in html
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = step(client, delivery, "route", lead=lead, lead_deadline=yesterday)
    assert response.status_code == 400 and "đã qua" in response.content.decode()
    missing = step(client, delivery, "route", lead_days="3")
    assert missing.status_code == 400 and "field__error" in missing.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == D.REGISTERED


def test_the_officer_starts_and_finishes_and_the_delivery_completes(world):
    delivery = routed(world)
    lead = Assignment.objects.get(delivery=delivery, kind=AssignmentKind.LEAD)
    client = client_for(world.office.officers[0])
    html = detail(client, delivery)
    assert reverse("assignment-action", args=[lead.pk, "start"]) in html
    assert line_step(client, lead, "start").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == D.IN_PROGRESS
    empty = line_step(client, lead, "finish", result="")
    assert empty.status_code == 400 and 'class="alert alert--error"' in empty.content.decode()
    assert line_step(client, lead, "finish", result="Đã tổng hợp, báo cáo.").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == D.COMPLETED
    assert "Đã tổng hợp, báo cáo." in detail(client, delivery)


def test_returning_and_extending_a_line(world):
    delivery = routed(world)
    lead = Assignment.objects.get(delivery=delivery, kind=AssignmentKind.LEAD)
    leader = client_for(world.office.leader)
    later = lead.deadline + datetime.timedelta(days=7)
    no_reason = line_step(leader, lead, "extend", new_deadline=later.isoformat(), reason="")
    assert no_reason.status_code == 400
    assert line_step(leader, lead, "extend", new_deadline=later.isoformat(), reason="Chờ số liệu").status_code == 302
    assert DeadlineExtension.objects.get(assignment=lead).reason == "Chờ số liệu"
    assert "Chờ số liệu" in detail(leader, delivery)
    officer = client_for(world.office.officers[0])
    assert line_step(officer, lead, "return", reason="").status_code == 400
    assert line_step(officer, lead, "return", reason="Không thuộc phạm vi").status_code == 302
    lead.refresh_from_db()
    assert lead.state == AssignmentState.RETURNED
    # The slip has no live lead now: the leader is offered a new one.
    assert 'id="step-replace-lead"' in detail(leader, delivery)
    response = step(leader, delivery, "replace-lead", lead=f"p{world.office.officers[1].pk}", lead_days="3")
    assert response.status_code == 302
    assert Assignment.objects.filter(delivery=delivery, kind=AssignmentKind.LEAD, state=AssignmentState.NEW).exists()


def test_a_division_head_reassigns_the_divisions_line(world):
    delivery = registered(world)
    division = make_unit(kind="division", parent=world.office.unit, name="Tổ Giáo dục Tiểu học")
    head, officer = make_user(), make_user(first_name="Hoa", last_name="Lê Thị")
    make_membership(user=head, unit=division, role=Role.LEADER)
    make_membership(user=officer, unit=division, role=Role.OFFICER)
    do_route(delivery, acting_user=world.office.leader, lead=AssigneeSpec(unit=division, working_days=5))
    line = Assignment.objects.get(delivery=delivery)
    client = client_for(head)
    html = detail(client, delivery)
    assert reverse("assignment-action", args=[line.pk, "reassign"]) in html and "Lê Thị Hoa" in html
    assert line_step(client, line, "reassign", user=officer.pk, note="Chị Hoa làm").status_code == 302
    child = Assignment.objects.get(parent=line)
    assert child.user == officer and child.deadline == line.deadline
    # The division's line is now worked by the person: the head is no longer offered to re-assign it.
    assert reverse("assignment-action", args=[line.pk, "reassign"]) not in detail(client, delivery)
    assert reverse("assignment-action", args=[child.pk, "finish"]) in detail(client_for(officer), delivery)


def test_for_information_is_acknowledged_with_one_click(world):
    delivery = routed(world, informed=[world.office.officers[1]])
    fyi = Assignment.objects.get(delivery=delivery, kind=AssignmentKind.INFORM)
    client = client_for(world.office.officers[1])
    html = detail(client, delivery)
    assert reverse("assignment-action", args=[fyi.pk, "acknowledge"]) in html
    assert line_step(client, fyi, "acknowledge").status_code == 302
    fyi.refresh_from_db()
    assert fyi.acknowledged_at is not None
    assert line_step(client, fyi, "acknowledge").status_code == 409


def test_the_leader_acknowledges_from_the_list_and_returns_to_it(world):
    delivery = registered(world)
    client = client_for(world.office.leader)
    listing = reverse("incoming-to-acknowledge")
    html = client.get(listing).content.decode()
    assert reverse("delivery-action", args=[delivery.pk, "acknowledge"]) in html
    response = step(client, delivery, "acknowledge", next=listing)
    assert response.status_code == 302 and response["Location"] == listing
    delivery.refresh_from_db()
    assert delivery.acknowledged_by == world.office.leader
    assert "V/v tổng kết" not in client.get(listing).content.decode()
    # An address elsewhere is not followed: back to the delivery's own page instead.
    (other,) = make_arrived(world.agency, world.office.unit)
    do_register_delivery(other, acting_user=world.office.clerk)
    response = step(client, other, "acknowledge", next="https://example.com/")
    assert response["Location"] == reverse("delivery-detail", args=[other.pk])


def test_filing_a_delivery_without_routing(world):
    delivery = registered(world)
    response = step(client_for(world.office.leader), delivery, "complete", comment="Lưu hồ sơ")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == D.COMPLETED


def test_the_office_forwards_to_its_schools(world):
    delivery = registered(world)
    client = client_for(world.office.clerk)
    assert 'id="step-forward"' in detail(client, delivery)
    missing = step(client, delivery, "forward", mode="units")
    assert missing.status_code == 400 and "Vui lòng chọn ít nhất một đơn vị." in missing.content.decode()
    assert step(client, delivery, "forward", mode="units", units=[world.office.schools[1].pk]).status_code == 302
    assert list(delivery.children.values_list("recipient_id", flat=True)) == [world.office.schools[1].pk]
    assert step(client, delivery, "forward", mode="level", school_level="tieu_hoc").status_code == 302
    assert set(delivery.children.values_list("recipient_id", flat=True)) == {s.pk for s in world.office.schools}
    # Every unit has its copy now: forwarding again is refused, nothing is sent twice.
    assert step(client, delivery, "forward", mode="all").status_code == 409
    assert delivery.children.count() == 2
    assert world.office.schools[0].name in detail(client, delivery)


def test_starting_a_reply_opens_the_draft_editor(world):
    delivery = registered(world)
    response = step(client_for(world.office.officers[0]), delivery, "start-reply")
    assert response.status_code == 404  # not assigned, not a reader of the unit's mail: not there for them
    delivery = routed(World(world.agency, world.office, make_arrived(world.agency, world.office.unit)[0]))
    response = step(client_for(world.office.officers[0]), delivery, "start-reply", summary="")
    assert response.status_code == 302, response.content.decode()[:1500]
    delivery.refresh_from_db()
    assert delivery.reply_id is not None
    assert response["Location"] == reverse("draft-edit", args=[delivery.reply_id])


def test_recall_is_answered_from_the_page(world):
    do_recall_dispatch(world.delivery.dispatch, acting_user=world.agency.leader, reason="Ban hành nhầm")
    client = client_for(world.office.clerk)
    html = detail(client, world.delivery)
    assert 'id="step-accept-recall"' in html and 'id="step-refuse-recall"' in html
    assert step(client, world.delivery, "refuse-recall", reason="").status_code == 400
    assert step(client, world.delivery, "accept-recall", comment="Đồng ý").status_code == 302
    world.delivery.refresh_from_db()
    assert world.delivery.status == D.RECALLED


def test_the_routing_slip_pdf(world):
    delivery = routed(world)
    response = client_for(world.office.officers[0]).get(reverse("delivery-routing-slip", args=[delivery.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    other = make_office(agency=world.agency)
    assert client_for(other.clerk).get(reverse("delivery-routing-slip", args=[delivery.pk])).status_code == 404


# -- documents from outside the system ----------------------------------------------------------------


def external_data(**overrides) -> dict:
    data = {
        "document_type": document_type(name="Công văn").pk,
        "issuer": "",
        "issuer_name": "Ủy ban nhân dân huyện Cao Lãnh",
        "symbol": "125/UBND-VX",
        "issued_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "summary": "V/v chuẩn bị khai giảng năm học mới",
        "urgency": "khan",
        "secrecy": "",
        "signer_name": "Nguyễn Văn Hùng",
        "channel": "paper",
        "arrived_at": "",
        "external_id": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_registering_an_external_document_with_its_files(world):
    client = client_for(world.office.clerk)
    page = client.get(reverse("incoming-register-external"))
    assert page.status_code == 200 and 'name="issuer_name"' in page.content.decode()
    response = client.post(
        reverse("incoming-register-external"),
        external_data(
            main_file=SimpleUploadedFile("cv125.pdf", PDF, content_type="application/pdf"),
            attachments=[
                SimpleUploadedFile("phu-luc-1.xlsx", make_xlsx(), content_type="application/vnd.ms-excel"),
                SimpleUploadedFile("phu-luc-2.docx", make_docx("Văn"), content_type="application/msword"),
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    delivery = Delivery.objects.get(document__symbol="125/UBND-VX")
    assert response["Location"] == reverse("delivery-detail", args=[delivery.pk])
    assert delivery.incoming_number == 1 and delivery.recipient == world.office.unit
    assert delivery.document.attachments.count() == 3
    # The leader sees the page and downloads the scan though the document has no dispatch to open it.
    leader = client_for(world.office.leader)
    html = detail(leader, delivery)
    assert "Ủy ban nhân dân huyện Cao Lãnh" in html and "cv125.pdf" in html
    main = delivery.document.attachments.get(filename="cv125.pdf")
    download = leader.get(reverse("delivery-attachment", args=[delivery.pk, main.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert storages["blobs"].exists(main.blob_key)


def test_bad_external_input_keeps_what_was_typed_and_says_what_is_wrong(world):
    client = client_for(world.office.clerk)
    url = reverse("incoming-register-external")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, external_data(summary="", issued_on=tomorrow))
    assert response.status_code == 400
    html = response.content.decode()
    assert "125/UBND-VX" in html and "Ủy ban nhân dân huyện Cao Lãnh" in html
    assert "field--error" in html
    no_file = client.post(url, external_data())
    assert no_file.status_code == 400 and "Phải đính kèm tệp văn bản" in no_file.content.decode()
    future = client.post(url, external_data(issued_on=tomorrow, main_file=SimpleUploadedFile("a.pdf", PDF)))
    assert "Ngày ban hành không được ở tương lai." in future.content.decode()
    not_pdf = client.post(url, external_data(main_file=SimpleUploadedFile("a.pdf", b"hello world")))
    assert not_pdf.status_code == 400
    assert "ở đây chỉ nhận: PDF (.pdf), ảnh PNG (.png), ảnh JPEG (.jpg)" in not_pdf.content.decode()
    secret = client.post(url, external_data(secrecy="mat", main_file=SimpleUploadedFile("a.pdf", PDF)))
    assert secret.status_code == 400 and "Không thể soạn thảo văn bản có độ mật" in secret.content.decode()
    both = client.post(
        url, external_data(issuer=world.agency.department.pk, main_file=SimpleUploadedFile("a.pdf", PDF))
    )
    assert both.status_code == 400 and "một trong hai" in both.content.decode()
    assert not Document.objects.filter(symbol="125/UBND-VX").exists()


def test_an_external_duplicate_asks_to_confirm(world):
    client = client_for(world.office.clerk)
    url = reverse("incoming-register-external")
    first = client.post(url, external_data(main_file=SimpleUploadedFile("a.pdf", PDF)))
    assert first.status_code == 302
    again = client.post(url, external_data(main_file=SimpleUploadedFile("a.pdf", PDF)))
    assert again.status_code == 409
    html = again.content.decode()
    assert "có thể trùng" in html and 'name="confirm_duplicate"' in html and "Số đến 1" in html
    confirmed = client.post(url, external_data(confirm_duplicate="on", main_file=SimpleUploadedFile("a.pdf", PDF)))
    assert confirmed.status_code == 302
    assert Delivery.objects.filter(document__symbol="125/UBND-VX").count() == 2


# -- home and navigation ------------------------------------------------------------------------------


def test_the_home_queues_show_the_incoming_work(world):
    clerk_home = client_for(world.office.clerk).get(reverse("home")).content.decode()
    assert reverse("delivery-detail", args=[world.delivery.pk]) in clerk_home
    assert reverse("incoming-to-register") in clerk_home
    routed(world, informed=[world.office.officers[1]])
    officer_home = client_for(world.office.officers[0]).get(reverse("home")).content.decode()
    assert "V/v tổng kết năm học" in officer_home and reverse("my-assignments") in officer_home
    fyi_home = client_for(world.office.officers[1]).get(reverse("home")).content.decode()
    assert fyi_home.count("V/v tổng kết năm học") == 1  # under "để biết", not under "được giao"
    principal = world.office.principals[0]
    assert client_for(principal).get(reverse("home")).status_code == 200


def test_a_school_without_a_clerk_gets_the_forwarded_directive_and_says_received(world):
    delivery = registered(world)
    step(client_for(world.office.clerk), delivery, "forward", mode="all")
    child = delivery.children.get(recipient=world.office.schools[0])
    principal = client_for(world.office.principals[0])
    home = principal.get(reverse("home")).content.decode()
    assert 'id="queue-incoming-to-register"' in home and reverse("delivery-detail", args=[child.pk]) in home
    assert step(principal, child, "register").status_code == 302
    assert step(principal, child, "acknowledge").status_code == 302
    child.refresh_from_db()
    assert child.incoming_number == 1 and child.acknowledged_by == world.office.principals[0]
    # The office sees how far its school got.
    assert "Đã vào sổ" in detail(client_for(world.office.clerk), delivery)


def test_the_nav_offers_each_role_its_inbox(world):
    def nav(user) -> list[str]:
        return [item["url"] for item in client_for(user).get(reverse("home")).context["nav_items"]]

    assert reverse("incoming-to-register") in nav(world.office.clerk)
    assert reverse("incoming-to-register") not in nav(world.office.leader)
    assert reverse("incoming-to-route") in nav(world.office.leader)
    assert reverse("my-assignments") in nav(world.office.officers[0])
    assert reverse("incoming-to-acknowledge") in nav(world.office.principals[0])


def test_an_inbox_costs_the_same_queries_for_one_row_or_many(world):
    client = client_for(world.office.clerk)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("incoming-to-register")).status_code == 200
        return len(queries)

    one = count()
    for _ in range(4):
        make_arrived(world.agency, world.office.unit, urgency="thuong_khan")
    assert count() == one


def test_an_external_document_from_a_known_issuer_with_its_arrival_and_message_id(world):
    arrived = timezone.localtime() - datetime.timedelta(hours=3)
    response = client_for(world.office.clerk).post(
        reverse("incoming-register-external"),
        external_data(
            issuer=world.agency.department.pk,
            issuer_name="",
            channel="electronic",
            arrived_at=arrived.strftime("%Y-%m-%dT%H:%M"),
            external_id="<abc@mail.example>",
            main_file=SimpleUploadedFile("a.pdf", PDF),
        ),
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get(external_id="<abc@mail.example>")
    assert delivery.document.issuer == world.agency.department and delivery.channel == "electronic"
    assert timezone.localtime(delivery.arrived_at).strftime("%H:%M") == arrived.strftime("%H:%M")
    assert delivery.document.urgency == "khan" and delivery.priority == 0


def test_the_incoming_pages_in_english(world, settings):
    client = client_for(world.office.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("incoming-to-register")).content.decode()
    assert "To register" in html and "Incoming no." in html
    assert "Register the incoming document" in detail(client, world.delivery)
