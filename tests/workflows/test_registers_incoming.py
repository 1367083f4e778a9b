"""The incoming books (sổ đăng ký, sổ theo dõi giải quyết văn bản đến) and the handling report.

Rows come from the database in a fixed number of queries, then print to PDF (checked with
pdftotext) and export to XLSX (read back with openpyxl). The deliveries are registered and routed
by writing the fields the recipient-side actions would write, through the real numbering
(:func:`documents.numbering.take_number`), so these tests stand on their own.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import transaction

from documents.models import Document, RegisterDirection
from documents.numbering import take_number
from organizations.models import Unit, UnitKind
from tests.documents.factories import document_type
from tests.documents.test_rendering import _flat, _pdftotext, _tool
from tests.organizations.factories import make_unit
from tests.workflows.factories import make_agency, make_arrived, make_office
from workflows.models import (
    Assignment,
    AssignmentKind,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Dispatch,
    DispatchState,
    Routing,
)
from workflows.registers import followup_rows, handling_report, incoming_register_rows
from workflows.rendering import (
    FOLLOWUP_COLUMNS,
    FOLLOWUP_HEADING,
    INCOMING_COLUMNS,
    INCOMING_HEADING,
    REPORT_HEADING,
    render_followup_pdf,
    render_followup_xlsx,
    render_handling_report_pdf,
    render_handling_report_xlsx,
    render_incoming_register_pdf,
    render_incoming_register_xlsx,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE_NAME = "Phòng Giáo dục và Đào tạo huyện Cao Lãnh"


def at(day: str, time: str = "08:00") -> datetime.datetime:
    """A moment in Vietnam's local time: ``at("2025-03-10", "23:30")``."""
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VN)


def register(delivery: Delivery, *, when: datetime.datetime, by) -> Delivery:
    """Give ``delivery`` the next số đến of its unit's incoming register, as the clerk's registration does."""
    with transaction.atomic():
        taken = take_number(unit=delivery.recipient, direction=RegisterDirection.INCOMING, on=when)
        Delivery.objects.filter(pk=delivery.pk).update(
            register_id=taken.register_id,
            incoming_number=taken.number,
            registered_at=when,
            registered_by=by,
            status=DeliveryStatus.REGISTERED,
        )
    return Delivery.objects.get(pk=delivery.pk)


def route(
    delivery: Delivery,
    *,
    by,
    when: datetime.datetime,
    lead: Unit | object,
    due_on: datetime.date,
    coordinators=(),
    informed=(),
    direction: str = "",
    proposal: str = "",
) -> Routing:
    """The leader's slip as routing writes it: the Routing row, its lines, the delivery's routed fields."""
    routing = Routing.objects.create(
        delivery=delivery, routed_by=by, routed_at=when, direction=direction, proposal=proposal
    )

    def line(kind: str, who, deadline):
        target = {"unit": who} if isinstance(who, Unit) else {"user": who}
        return Assignment.objects.create(
            delivery=delivery, kind=kind, deadline=deadline, assigned_by=by, assigned_at=when, **target
        )

    line(AssignmentKind.LEAD, lead, due_on)
    for who in coordinators:
        line(AssignmentKind.COORDINATE, who, due_on)
    for who in informed:
        line(AssignmentKind.INFORM, who, None)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.ROUTED, routed_at=when, due_on=due_on)
    return routing


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text cell by cell (not laid out), whitespace collapsed: a wrapped cell reads as one line."""
    return _flat(_tool("pdftotext", data=pdf, tmp_path=tmp_path))


def set_status(delivery: Delivery, status: str, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)


@dataclass
class Books:
    agency: object
    office: object
    officer: object
    school: Unit
    tuyen_sinh: Delivery  # số đến 1: routed, overdue
    hoa_toc: Delivery  # 2: completed late, replied
    external: Delivery  # 3: from outside the system, on paper, not routed
    recalled: Delivery  # 4: recalled
    on_time: Delivery  # 5: completed on time


@pytest.fixture
def books() -> Books:
    """An office's 2025 book: five registered deliveries, plus mail that must stay out of it."""
    agency = make_agency()
    office = make_office(agency=agency, schools=1)
    Unit.objects.filter(pk=office.unit.pk).update(name=OFFICE_NAME)
    office.unit.refresh_from_db()
    officer = office.officers[0]
    type(officer).objects.filter(pk=officer.pk).update(last_name="Nguyễn Thị", first_name="Lan")
    officer.refresh_from_db()
    type(office.leader).objects.filter(pk=office.leader.pk).update(last_name="Trần Văn", first_name="Đức")
    office.leader.refresh_from_db()
    school = office.schools[0]

    def arrive(summary: str, when: datetime.datetime, urgency: str = "") -> Delivery:
        (delivery,) = make_arrived(agency, office.unit, summary=summary, urgency=urgency)
        Delivery.objects.filter(pk=delivery.pk).update(arrived_at=when)
        Document.objects.filter(pk=delivery.document_id).update(issued_on=when.date() - datetime.timedelta(days=1))
        Dispatch.objects.filter(pk=delivery.dispatch_id).update(issued_at=when)
        return Delivery.objects.get(pk=delivery.pk)

    clerk = office.clerk
    # Arrived late in the evening: its local date is the 10th, though UTC still says the 10th at 16:30.
    tuyen_sinh = register(
        arrive("V/v tuyển sinh lớp 10 năm học 2025–2026", at("2025-03-10", "23:30")), when=at("2025-03-11"), by=clerk
    )
    route(
        tuyen_sinh,
        by=office.leader,
        when=at("2025-03-12", "09:15"),
        lead=officer,
        coordinators=[school],
        due_on=datetime.date(2025, 3, 20),
        direction="Giao chị Lan chủ trì, báo cáo trước ngày 20/3.",
    )
    hoa_toc = register(
        arrive("V/v phòng chống bão số 3", at("2025-03-12"), urgency="hoa_toc"), when=at("2025-03-12"), by=clerk
    )
    route(hoa_toc, by=office.leader, when=at("2025-03-12", "10:00"), lead=school, due_on=datetime.date(2025, 3, 19))
    reply = Document.objects.create(
        document_type=document_type(name="Công văn"),
        issuer=office.unit,
        drafting_unit=office.unit,
        created_by=officer,
        summary="V/v báo cáo tình hình bão số 3",
        number=45,
        symbol="45/PGDĐT-VP",
        issued_on=datetime.date(2025, 3, 20),
    )
    # Completed half an hour after local midnight on the 20th (still the 19th in UTC): one day late.
    set_status(hoa_toc, DeliveryStatus.COMPLETED, completed_at=at("2025-03-20", "00:30"), reply=reply)

    ubnd = make_unit(kind=UnitKind.EXTERNAL, name="Ủy ban nhân dân huyện Cao Lãnh")
    external_document = Document.objects.create(
        document_type=document_type(name="Công văn"),
        issuer=ubnd,
        drafting_unit=ubnd,
        created_by=clerk,
        summary="V/v hỗ trợ học sinh vùng lũ",
        symbol="125/UBND-VX",
        issued_on=datetime.date(2025, 3, 13),
        external=True,
    )
    external = register(
        Delivery.objects.create(
            document=external_document,
            recipient=office.unit,
            purpose="thuc_hien",
            channel=DeliveryChannel.PAPER,
            arrived_at=at("2025-03-14"),
        ),
        when=at("2025-03-14"),
        by=clerk,
    )
    recalled = register(arrive("V/v thu hồi thử", at("2025-03-15")), when=at("2025-03-15"), by=clerk)
    set_status(recalled, DeliveryStatus.RECALLED)
    on_time = register(arrive("V/v kiểm tra cuối kỳ", at("2025-03-16")), when=at("2025-03-16"), by=clerk)
    route(on_time, by=office.leader, when=at("2025-03-16"), lead=officer, due_on=datetime.date(2025, 3, 25))
    set_status(on_time, DeliveryStatus.COMPLETED, completed_at=at("2025-03-25", "17:00"))

    # Out of the book: still unregistered, rejected, next year's, and another office's.
    arrive("V/v chưa vào sổ", at("2025-03-17"))
    set_status(arrive("V/v gửi nhầm", at("2025-03-17")), DeliveryStatus.REJECTED)
    register(arrive("V/v năm sau", at("2026-01-05")), when=at("2026-01-05"), by=clerk)
    other = make_office(agency=agency)
    (foreign,) = make_arrived(agency, other.unit, summary="V/v của phòng khác")
    register(foreign, when=at("2025-03-11"), by=other.clerk)

    return Books(
        agency,
        office,
        officer,
        school,
        *(Delivery.objects.get(pk=d.pk) for d in (tuyen_sinh, hoa_toc, external, recalled, on_time)),
    )


# -- Sổ đăng ký văn bản đến ----------------------------------------------------------------------


def test_register_rows_in_number_order_with_every_column(books, django_assert_num_queries):
    with django_assert_num_queries(2):  # the rows, and the routing names of all of them
        rows = incoming_register_rows(unit=books.office.unit, year=2025)
    assert [row.incoming_number for row in rows] == [1, 2, 3, 4, 5]
    assert [row.delivery_id for row in rows] == [
        books.tuyen_sinh.pk,
        books.hoa_toc.pk,
        books.external.pk,
        books.recalled.pk,
        books.on_time.pk,
    ]
    first, second, external, recalled, _ = rows
    assert first.arrived_on == datetime.date(2025, 3, 10)  # the local date, not UTC's
    assert first.issuer == "Sở Giáo dục và Đào tạo Đồng Tháp"
    assert first.symbol == books.tuyen_sinh.document.symbol and first.symbol.endswith("/SGDĐT-CNTTTBT")
    assert first.issued_on == datetime.date(2025, 3, 9)
    assert first.type_and_summary == "Công văn: V/v tuyển sinh lớp 10 năm học 2025–2026"
    assert first.recipients == ("Nguyễn Thị Lan (chủ trì)", f"{books.school.name} (phối hợp)")
    assert first.routed_on == datetime.date(2025, 3, 12)
    assert (first.received_by, first.note) == ("", "")
    assert second.note == "Hỏa tốc" and second.recipients == (f"{books.school.name} (chủ trì)",)
    assert external.issuer == "Ủy ban nhân dân huyện Cao Lãnh" and external.symbol == "125/UBND-VX"
    assert external.recipients == () and external.routed_on is None
    assert external.note == "Văn bản giấy"
    assert recalled.note == "Đã thu hồi"
    assert [row.incoming_number for row in incoming_register_rows(unit=books.office.unit, year=2026)] == [1]


def test_registered_by_the_clerks_action_is_in_this_years_book():
    """The real registration (workflows.actions.incoming) files into the book these rows read."""
    from django.utils import timezone

    from workflows.actions.incoming import do_register_delivery

    agency = make_agency()
    office = make_office(agency=agency)
    first, second = (make_arrived(agency, office.unit, summary=s)[0] for s in ("V/v một", "V/v hai"))
    do_register_delivery(second, acting_user=office.clerk)
    do_register_delivery(first, acting_user=office.clerk)
    year = timezone.localdate().year
    rows = incoming_register_rows(unit=office.unit, year=year)
    assert [(row.incoming_number, row.delivery_id) for row in rows] == [(1, second.pk), (2, first.pk)]
    assert rows[0].arrived_on == timezone.localdate(second.arrived_at)
    assert [row.progress for row in followup_rows(unit=office.unit, year=year)] == ["Đã vào sổ", "Đã vào sổ"]


def test_register_query_count_does_not_grow_with_rows(books, django_assert_num_queries):
    for n in range(3):
        delivery = Delivery.objects.create(
            document=books.external.document,
            recipient=books.office.unit,
            purpose="thuc_hien",
            channel=DeliveryChannel.ELECTRONIC,
            arrived_at=at("2025-04-01"),
        )
        register(delivery, when=at("2025-04-01"), by=books.office.clerk)
        route(
            delivery,
            by=books.office.leader,
            when=at("2025-04-02"),
            lead=books.officer,
            due_on=datetime.date(2025, 4, 9 + n),
        )
    with django_assert_num_queries(2):
        assert len(incoming_register_rows(unit=books.office.unit, year=2025)) == 8
    with django_assert_num_queries(2):
        assert len(followup_rows(unit=books.office.unit, year=2025)) == 8


def test_register_pdf(books, tmp_path):
    rows = incoming_register_rows(unit=books.office.unit, year=2025)
    text = pdf_text(render_incoming_register_pdf(rows, unit=books.office.unit, year=2025), tmp_path)
    assert INCOMING_HEADING in text and "Năm 2025" in text
    assert OFFICE_NAME.upper() in text  # the agency's name heads the book, in capitals
    assert " ".join(f"({n})" for n in range(1, len(INCOMING_COLUMNS) + 1)) in text
    for title in ("Ngày đến", "Số đến", "Tác giả", "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú"):
        assert title in text
    assert "10/03/2025" in text and "12/03/2025" in text
    assert "tuyển sinh lớp 10" in text and "Nguyễn Thị Lan (chủ trì)" in text
    assert "Ủy ban nhân dân huyện Cao Lãnh" in text and "Văn bản giấy" in text
    assert "Hỏa tốc" in text and "Đã thu hồi" in text
    for absent in ("chưa vào sổ", "gửi nhầm", "năm sau", "của phòng khác"):
        assert absent not in text
    assert text.find("tuyển sinh") < text.find("phòng chống bão") < text.find("hỗ trợ học sinh")


def test_register_xlsx(books):
    rows = incoming_register_rows(unit=books.office.unit, year=2025)
    sheet = openpyxl.load_workbook(
        io.BytesIO(render_incoming_register_xlsx(rows, unit=books.office.unit, year=2025))
    ).active
    assert sheet["A1"].value == OFFICE_NAME.upper()
    assert (sheet["A2"].value, sheet["A3"].value) == (INCOMING_HEADING, "Năm 2025")
    assert [cell.value for cell in sheet[5]] == [column.title for column in INCOMING_COLUMNS]
    first = [cell.value for cell in sheet[6]]
    assert first[0] == datetime.datetime(2025, 3, 10) and sheet.cell(row=6, column=1).is_date
    assert first[1] == 1
    assert first[2] == "Sở Giáo dục và Đào tạo Đồng Tháp"
    assert first[5] == "Công văn: V/v tuyển sinh lớp 10 năm học 2025–2026"
    assert first[6] == f"Nguyễn Thị Lan (chủ trì)\n{books.school.name} (phối hợp)"
    assert first[7] == datetime.datetime(2025, 3, 12)
    assert first[8:] == [None, None]  # Ký nhận is signed on paper
    external = [cell.value for cell in sheet[8]]
    assert external[2:4] == ["Ủy ban nhân dân huyện Cao Lãnh", "125/UBND-VX"]
    assert external[7] is None and external[9] == "Văn bản giấy"
    assert sheet.max_row == 10


def test_empty_register_still_prints(tmp_path):
    office = make_office(agency=make_agency())
    assert incoming_register_rows(unit=office.unit, year=2024) == []
    text = _pdftotext(render_incoming_register_pdf([], unit=office.unit, year=2024), tmp_path)
    assert "Chưa có văn bản đến nào" in text


# -- Sổ theo dõi giải quyết văn bản đến ------------------------------------------------------------


def test_followup_rows(books):
    rows = followup_rows(unit=books.office.unit, year=2025, today=datetime.date(2025, 3, 23))
    by_number = {row.incoming_number: row for row in rows}
    assert list(by_number) == [1, 2, 3, 4, 5]
    overdue = by_number[1]
    assert overdue.document.startswith("Công văn số ") and "ngày 09/03/2025" in overdue.document
    assert overdue.document.endswith("của Sở Giáo dục và Đào tạo Đồng Tháp")
    assert overdue.due_on == datetime.date(2025, 3, 20)
    assert overdue.progress == "Đã phân phối — Quá hạn 3 ngày" and overdue.overdue_days == 3
    late = by_number[2]
    assert late.progress == "Hoàn thành ngày 20/03/2025 (trễ 1 ngày)"  # local date of 00:30 on the 20th
    assert late.reply_symbol == "45/PGDĐT-VP" and late.note == "Hỏa tốc"
    unrouted = by_number[3]
    assert unrouted.document == "Công văn số 125/UBND-VX ngày 13/03/2025 của Ủy ban nhân dân huyện Cao Lãnh"
    assert (unrouted.due_on, unrouted.progress, unrouted.recipients) == (None, "Đã vào sổ", ())
    assert by_number[4].progress == "Đã thu hồi"
    assert by_number[5].progress == "Hoàn thành ngày 25/03/2025" and by_number[5].reply_symbol == ""
    # Before its deadline the same delivery reads "Đúng hạn".
    early = followup_rows(unit=books.office.unit, year=2025, today=datetime.date(2025, 3, 20))
    assert early[0].progress == "Đã phân phối — Đúng hạn" and early[0].overdue_days == 0


def test_followup_takes_the_lead_deadline_when_the_delivery_has_none(books):
    Delivery.objects.filter(pk=books.tuyen_sinh.pk).update(due_on=None)
    (row, *_) = followup_rows(unit=books.office.unit, year=2025, today=datetime.date(2025, 3, 21))
    assert row.due_on == datetime.date(2025, 3, 20) and row.overdue_days == 1


def test_followup_unreplied_reply_draft_has_no_symbol(books):
    draft = Document.objects.create(
        document_type=document_type(name="Công văn"),
        issuer=books.office.unit,
        drafting_unit=books.office.unit,
        created_by=books.officer,
        summary="V/v dự thảo trả lời",
    )
    Delivery.objects.filter(pk=books.tuyen_sinh.pk).update(reply=draft)
    assert followup_rows(unit=books.office.unit, year=2025)[0].reply_symbol == ""


def test_followup_pdf_and_xlsx(books, tmp_path):
    rows = followup_rows(unit=books.office.unit, year=2025, today=datetime.date(2025, 3, 23))
    text = pdf_text(render_followup_pdf(rows, unit=books.office.unit, year=2025), tmp_path)
    assert FOLLOWUP_HEADING in text and OFFICE_NAME.upper() in text
    for expected in ("Thời hạn giải quyết", "Tiến độ giải quyết", "Quá hạn 3 ngày", "45/PGDĐT-VP", "20/03/2025"):
        assert expected in text, expected
    assert "Ủy ban nhân dân huyện Cao Lãnh" in text

    sheet = openpyxl.load_workbook(io.BytesIO(render_followup_xlsx(rows, unit=books.office.unit, year=2025))).active
    assert sheet["A2"].value == FOLLOWUP_HEADING
    assert [cell.value for cell in sheet[5]] == [column.title for column in FOLLOWUP_COLUMNS]
    first = [cell.value for cell in sheet[6]]
    assert first[0] == 1 and first[3] == datetime.datetime(2025, 3, 20)
    assert first[4] == "Đã phân phối — Quá hạn 3 ngày" and sheet.cell(row=6, column=5).font.bold
    assert [cell.value for cell in sheet[7]][5] == "45/PGDĐT-VP"
    assert not sheet.cell(row=10, column=5).font.bold
    assert sheet.max_row == 10


# -- Báo cáo tình hình xử lý ---------------------------------------------------------------------


def test_handling_report_figures(books, django_assert_num_queries):
    with django_assert_num_queries(3):
        report = handling_report(
            unit=books.office.unit,
            start=datetime.date(2025, 3, 1),
            end=datetime.date(2025, 3, 31),
            today=datetime.date(2025, 3, 23),
        )
    assert report["incoming"] == {
        "received": 7,  # the five registered, the unregistered one, the rejected one
        "registered": 5,
        "rejected": 1,
        "routed": 3,
        "in_progress": 0,
        "completed_on_time": 1,
        "completed_late": 1,  # 00:30 local on the 20th, due the 19th
        "open_not_due": 1,  # the external one: registered, no deadline
        "open_overdue": 1,
    }
    # The office issued nothing itself.
    assert report["outgoing"] == {"issued": 0, "recalled": 0}
    assert sum(report["recipients"].values()) == 0
    # The period is in local dates: the evening arrival of the 10th belongs to the 10th.
    only_tenth = handling_report(
        unit=books.office.unit, start=datetime.date(2025, 3, 10), end=datetime.date(2025, 3, 10)
    )
    assert only_tenth["incoming"]["received"] == 1
    assert (
        handling_report(unit=books.office.unit, start=datetime.date(2025, 3, 11), end=datetime.date(2025, 3, 11))[
            "incoming"
        ]["received"]
        == 0
    )


def test_handling_report_outgoing_of_the_sender(books):
    department = books.agency.department
    Dispatch.objects.filter(pk=books.recalled.dispatch_id).update(state=DispatchState.RECALLED)
    report = handling_report(unit=department, start=datetime.date(2025, 3, 1), end=datetime.date(2025, 3, 31))
    # tuyển sinh, bão, thu hồi, cuối kỳ, chưa vào sổ, gửi nhầm (the other office's went out "now").
    assert report["outgoing"] == {"issued": 6, "recalled": 1}
    recipients = report["recipients"]
    assert recipients[DeliveryStatus.ARRIVED] == 1
    assert recipients[DeliveryStatus.REJECTED] == 1
    assert recipients[DeliveryStatus.ROUTED] == 1
    assert recipients[DeliveryStatus.COMPLETED] == 2
    assert recipients[DeliveryStatus.RECALLED] == 1
    assert sum(recipients.values()) == 6
    assert report["incoming"]["received"] == 0


def test_handling_report_of_a_division_counts_what_was_routed_to_it(books):
    agency = books.agency
    other = make_agency()
    # The Sở receives two documents; only one is routed to its division.
    first, second = (make_arrived(other, agency.department, summary=s)[0] for s in ("V/v một", "V/v hai"))
    for delivery in (first, second):
        Delivery.objects.filter(pk=delivery.pk).update(arrived_at=at("2025-03-05"))
        register(delivery, when=at("2025-03-05"), by=agency.clerk)
    route(first, by=agency.leader, when=at("2025-03-06"), lead=agency.division, due_on=datetime.date(2025, 3, 10))
    route(second, by=agency.leader, when=at("2025-03-06"), lead=agency.deputy, due_on=datetime.date(2025, 3, 30))
    period = {
        "start": datetime.date(2025, 3, 1),
        "end": datetime.date(2025, 3, 31),
        "today": datetime.date(2025, 3, 23),
    }
    division = handling_report(unit=agency.division, **period)
    assert division["incoming"]["received"] == 1 and division["incoming"]["open_overdue"] == 1
    # Outgoing of a division: what it drafted (all of the Sở's test dispatches are drafted there).
    assert division["outgoing"]["issued"] == 6
    whole = handling_report(unit=agency.department, **period)
    assert whole["incoming"]["received"] == 2 and whole["incoming"]["open_not_due"] == 1


def test_handling_report_pdf_and_xlsx(books, tmp_path):
    report = handling_report(
        unit=books.office.unit,
        start=datetime.date(2025, 3, 1),
        end=datetime.date(2025, 3, 31),
        today=datetime.date(2025, 3, 23),
    )
    text = pdf_text(render_handling_report_pdf(report), tmp_path)
    assert REPORT_HEADING in text and OFFICE_NAME.upper() in text
    assert "Từ ngày 01/03/2025 đến ngày 31/03/2025" in text
    assert "Văn bản đến nhận được 7" in text
    assert "Hoàn thành quá hạn 1" in text and "Chưa hoàn thành, quá hạn 1" in text
    assert "Bên gửi đề nghị thu hồi 0" in text
    assert "Số liệu tính đến ngày 23/03/2025" in text

    sheet = openpyxl.load_workbook(io.BytesIO(render_handling_report_xlsx(report))).active
    assert sheet["A2"].value == REPORT_HEADING
    assert sheet["A3"].value == "Từ ngày 01/03/2025 đến ngày 31/03/2025"
    lines = [row[:2] for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]]
    incoming = lines.index(("I. VĂN BẢN ĐẾN", None))
    outgoing = lines.index(("II. VĂN BẢN ĐI", None))
    recipients = lines.index(("III. TÌNH TRẠNG TẠI NƠI NHẬN VĂN BẢN ĐI", None))
    assert lines[incoming + 1 : outgoing] == [
        ("Văn bản đến nhận được", 7),
        ("Đã vào sổ", 5),
        ("Từ chối nhận (trả lại nơi gửi)", 1),
        ("Đã phân phối", 3),
        ("Đang xử lý", 0),
        ("Hoàn thành đúng hạn", 1),
        ("Hoàn thành quá hạn", 1),
        ("Chưa hoàn thành, còn hạn", 1),
        ("Chưa hoàn thành, quá hạn", 1),
    ]
    assert lines[outgoing + 1 : recipients] == [("Văn bản đi đã phát hành", 0), ("Đã thu hồi", 0)]
    assert len(lines[recipients + 1 :]) == len(DeliveryStatus) + 1  # and the "as of" line
    assert lines[-1][0] == "Số liệu tính đến ngày 23/03/2025."
