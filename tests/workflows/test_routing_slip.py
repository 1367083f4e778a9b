"""The routing slip (phiếu giải quyết văn bản đến, Decree 30 Phụ lục IV) of one delivery, as data and as PDF."""

from __future__ import annotations

import datetime

import pytest

from organizations.models import Role
from tests.documents.test_rendering import _tool
from tests.organizations.factories import make_membership, make_unit, make_user
from tests.workflows.factories import make_agency, make_arrived
from tests.workflows.test_registers_incoming import at, pdf_text, register, route
from workflows.models import Assignment, AssignmentKind, AssignmentState, Delivery
from workflows.registers import routing_slip
from workflows.rendering import render_routing_slip_pdf

pytestmark = pytest.mark.django_db


def named(last: str, first: str):
    return make_user(last_name=last, first_name=first)


@pytest.fixture
def routed():
    """A directive from another Sở, registered as số đến 1 at our Sở, routed, and re-assigned in the division."""
    sender = make_agency()
    agency = make_agency()
    leader = named("Lê Văn", "Hùng")
    division_head = named("Phạm Thị", "Hoa")
    handler = named("Võ Minh", "Tuấn")
    coordinator = named("Đặng Thu", "Hà")
    make_membership(user=division_head, unit=agency.division, role=Role.LEADER)
    make_membership(user=handler, unit=agency.division, role=Role.OFFICER)
    informed_unit = make_unit(parent=agency.department, kind="division", name="Văn phòng Sở")
    (delivery,) = make_arrived(sender, agency.department, summary="V/v tổ chức kỳ thi học sinh giỏi", urgency="khan")
    Delivery.objects.filter(pk=delivery.pk).update(arrived_at=at("2025-03-10", "07:45"))
    delivery = register(delivery, when=at("2025-03-10"), by=agency.clerk)
    route(
        delivery,
        by=leader,
        when=at("2025-03-10", "14:20"),
        lead=agency.division,
        coordinators=[coordinator],
        informed=[informed_unit],
        due_on=datetime.date(2025, 3, 24),
        direction="Giao Phòng CNTT chủ trì, phối hợp chị Hà; báo cáo kết quả trước 24/3.",
        proposal="Đề xuất ban hành kế hoạch tổ chức kỳ thi trước ngày 20/3.",
    )
    lead_line = Assignment.objects.get(delivery=delivery, kind=AssignmentKind.LEAD)
    Assignment.objects.create(
        delivery=delivery,
        parent=lead_line,
        kind=AssignmentKind.LEAD,
        user=handler,
        deadline=datetime.date(2025, 3, 21),
        assigned_by=division_head,
        assigned_at=at("2025-03-11", "08:10"),
        note="Anh Tuấn soạn kế hoạch.",
    )
    # A line given back is not on the slip any more, at either level.
    Assignment.objects.create(
        delivery=delivery,
        parent=lead_line,
        kind=AssignmentKind.COORDINATE,
        user=agency.drafter,
        deadline=datetime.date(2025, 3, 21),
        assigned_by=division_head,
        assigned_at=at("2025-03-11", "08:15"),
        state=AssignmentState.RETURNED,
    )
    return agency, Delivery.objects.get(pk=delivery.pk)


def test_slip_data(routed, django_assert_num_queries):
    agency, delivery = routed
    with django_assert_num_queries(4):  # delivery, lines, their re-assignments, the routing
        slip = routing_slip(delivery)
    assert slip.agency_name == "Sở Giáo dục và Đào tạo Đồng Tháp"
    assert slip.symbol == delivery.document.symbol and slip.incoming_number == 1
    assert slip.arrived_on == datetime.date(2025, 3, 10) and slip.urgency == "Khẩn"
    assert slip.type_and_summary == "Công văn: V/v tổ chức kỳ thi học sinh giỏi"
    assert slip.routed and slip.routed_by == "Lê Văn Hùng"
    assert slip.routed_at == at("2025-03-10", "14:20")
    (lead,) = slip.lead
    assert (lead.assignee, lead.deadline) == (agency.division.name, datetime.date(2025, 3, 24))
    (child,) = lead.children
    assert (child.assignee, child.deadline, child.assigned_by) == (
        "Võ Minh Tuấn",
        datetime.date(2025, 3, 21),
        "Phạm Thị Hoa",
    )
    assert child.note == "Anh Tuấn soạn kế hoạch." and child.assigned_on == datetime.date(2025, 3, 11)
    assert [line.assignee for line in slip.coordinators] == ["Đặng Thu Hà"]
    assert [(line.assignee, line.deadline) for line in slip.informed] == [("Văn phòng Sở", None)]
    assert slip.proposal.startswith("Đề xuất ban hành kế hoạch")


def test_slip_pdf(routed, tmp_path):
    agency, delivery = routed
    pdf = render_routing_slip_pdf(delivery)
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO ĐỒNG THÁP",
        "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN",
        f"Số, ký hiệu: {delivery.document.symbol}",
        "Tên loại và trích yếu nội dung: Công văn: V/v tổ chức kỳ thi học sinh giỏi",
        "Số đến: 1",
        "Ngày đến: 10/03/2025",
        "Độ khẩn: Khẩn",
        "1. Ý kiến của lãnh đạo cơ quan, tổ chức",
        "Giao Phòng CNTT chủ trì, phối hợp chị Hà; báo cáo kết quả trước 24/3.",
        f"Chủ trì {agency.division.name} 24/03/2025",
        "Phối hợp Đặng Thu Hà 24/03/2025",
        "Nhận để biết Văn phòng Sở",
        "Ngày 10 tháng 03 năm 2025",
        "Lê Văn Hùng",
        "2. Ý kiến của lãnh đạo đơn vị",
        "Võ Minh Tuấn",
        "Anh Tuấn soạn kế hoạch.",
        "21/03/2025",
        "Phạm Thị Hoa, 11/03/2025",
        "3. Ý kiến đề xuất của người giải quyết",
        "Đề xuất ban hành kế hoạch tổ chức kỳ thi trước ngày 20/3.",
    ):
        assert expected in text, expected
    # The sections come in the form's order.
    assert text.index("1. Ý kiến") < text.index("2. Ý kiến") < text.index("3. Ý kiến")
    assert agency.drafter.first_name not in text  # the returned line is left off
    info = _tool("pdfinfo", data=pdf, tmp_path=tmp_path)
    assert "595.276 x 841.89 pts (A4)" in info or "595 x 842 pts (A4)" in info, info
    for row in _tool("pdffonts", data=pdf, tmp_path=tmp_path).splitlines()[2:]:
        assert "TeX-Gyre-Termes" in row.split()[0], row


def test_unrouted_slip_is_the_blank_form(tmp_path):
    sender, agency = make_agency(), make_agency()
    (delivery,) = make_arrived(sender, agency.department, summary="V/v chưa phân phối")
    slip = routing_slip(delivery.pk)
    assert not slip.routed and slip.incoming_number is None
    assert (slip.lead, slip.coordinators, slip.informed, slip.direction, slip.proposal) == ((), (), (), "", "")
    text = pdf_text(render_routing_slip_pdf(delivery), tmp_path)
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in text and "V/v chưa phân phối" in text
    assert "Số đến: …" in text
    assert text.count("Ngày … tháng … năm …") == 3  # each section left to sign on paper
