"""The document page and the outgoing flow's pages: who sees what, the buttons, refusals, queues, tracking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.actions import RecipientInput, do_create_draft, do_update_draft
from documents.models import Document
from tests.documents.factories import draft_input
from tests.ioffice.test_pages_drafts import Office, client_for, make_office
from tests.organizations.factories import make_unit
from workflows.actions import (
    do_approve,
    do_number,
    do_seal,
    do_sign,
    do_start_dispatch,
    do_submit_for_review,
    do_submit_for_signature,
)
from workflows.models import Dispatch, DispatchState, DispatchTransition

pytestmark = pytest.mark.django_db
S = DispatchState


@pytest.fixture
def office() -> Office:
    return make_office()


@pytest.fixture
def document(office) -> Document:
    paper_school = make_unit(kind="school", parent=office.department, name="Trường THPT Tháp Mười", enrolled=False)
    data = draft_input(
        recipients=[
            RecipientInput(unit=office.school, purpose="thuc_hien"),
            RecipientInput(unit=paper_school, purpose="biet"),
        ]
    )
    return do_create_draft(acting_user=office.drafter, unit=office.division, data=data)


def walk(office: Office, document: Document, until: str) -> Dispatch:
    """Move the document's dispatch through the actions up to ``until``."""
    steps = [
        (S.SUBMITTED, lambda d: do_submit_for_review(d, acting_user=office.drafter, reviewer=office.head)),
        (S.APPROVED, lambda d: do_approve(d, acting_user=office.head)),
        (
            S.AWAITING_SIGNATURE,
            lambda d: do_submit_for_signature(d, acting_user=office.drafter, signer=office.director, authority=""),
        ),
        (S.SIGNED, lambda d: do_sign(d, acting_user=office.director)),
        (S.NUMBERED, lambda d: do_number(d, acting_user=office.clerk)),
        (S.SEALED, lambda d: do_seal(d, acting_user=office.clerk)),
    ]
    dispatch = do_start_dispatch(document, acting_user=office.drafter)
    if until == S.DRAFT:
        return dispatch
    for state, step in steps:
        dispatch = step(dispatch)
        if state == until:
            return dispatch
    from workflows.actions import do_issue_dispatch

    return do_issue_dispatch(dispatch, acting_user=office.clerk)


def page(client, document) -> str:
    response = client.get(reverse("document-detail", args=[document.pk]))
    assert response.status_code == 200
    return response.content.decode()


def post(client, document, name: str, **data):
    return client.post(reverse("document-transition", args=[document.pk, name]), data)


# -- who may open a document page -------------------------------------------------------------------


def test_a_draft_is_open_to_its_drafter_and_the_division_heads_only(office, document):
    assert "V/v triển khai văn phòng điện tử" in page(client_for(office.drafter), document)
    assert client_for(office.head).get(reverse("document-detail", args=[document.pk])).status_code == 200
    for stranger in (office.colleague, office.outsider, office.clerk, office.director):
        client = client_for(stranger)
        for name in ("document-detail", "document-pdf", "document-docx", "draft-edit"):
            assert client.get(reverse(name, args=[document.pk])).status_code == 404, (stranger, name)
    assert client_for(office.drafter).get(reverse("document-detail", args=[999999])).status_code == 404


def test_a_dispatch_opens_to_the_people_along_its_way(office, document):
    walk(office, document, S.AWAITING_SIGNATURE)
    assert client_for(office.director).get(reverse("document-detail", args=[document.pk])).status_code == 200
    assert client_for(office.outsider).get(reverse("document-detail", args=[document.pk])).status_code == 404


# -- the page ---------------------------------------------------------------------------------------


def test_the_document_page_shows_metadata_preview_history_and_the_drafters_button(office, document):
    do_update_draft(document, acting_user=office.drafter, data=draft_input(summary="V/v bản sửa"), expected_version=1)
    html = page(client_for(office.drafter), document)
    assert "V/v bản sửa" in html and office.division.name in html and "Sở Giáo dục và Đào tạo Đồng Tháp" in html
    assert f'src="{reverse("document-pdf", args=[document.pk])}"' in html
    assert reverse("document-docx", args=[document.pk]) in html
    assert reverse("draft-edit", args=[document.pk]) in html
    assert "Lịch sử phiên bản" in html and reverse("document-compare", args=[document.pk]) in html
    assert "Trình lãnh đạo phòng duyệt" in html
    # The reviewer list offers the division's head, not the Director.
    assert f'<option value="{office.head.pk}">Trần Minh Tín</option>' in html
    assert f'<option value="{office.director.pk}">' not in html


def test_the_pdf_preview_and_the_docx_download(office, document):
    client = client_for(office.drafter)
    pdf = client.get(reverse("document-pdf", args=[document.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("inline;")
    # The page embeds it in an <iframe>: the site-wide DENY is relaxed for this response only.
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    word = client.get(reverse("document-docx", args=[document.pk]))
    assert word.status_code == 200 and word.content.startswith(b"PK")
    assert word["Content-Disposition"] == f'attachment; filename="du-thao-{document.pk}-v1.docx"'


def test_comparing_two_versions_shows_what_changed(office, document):
    do_update_draft(document, acting_user=office.drafter, data=draft_input(summary="V/v bản sửa"), expected_version=1)
    client = client_for(office.drafter)
    url = reverse("document-compare", args=[document.pk])
    full = client.get(url, {"a": 2, "b": 1})
    html = full.content.decode()
    assert full.status_code == 200 and "<html" in html
    assert "Thay đổi từ phiên bản 1 đến phiên bản 2" in html
    assert "V/v triển khai văn phòng điện tử" in html and "V/v bản sửa" in html
    fragment = client.get(url, {"a": 1, "b": 2}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "V/v bản sửa" in fragment.content.decode()
    assert client.get(url, {"a": 1, "b": 9}).status_code == 400


# -- transitions through the page -------------------------------------------------------------------


def test_submitting_from_the_page_starts_the_dispatch_and_locks_the_draft(office, document):
    client = client_for(office.drafter)
    response = post(client, document, "submit_for_review", reviewer=office.head.pk, comment="Kính trình anh")
    assert response.status_code == 302
    dispatch = Dispatch.objects.get(document=document)
    assert dispatch.state == S.SUBMITTED and dispatch.reviewer == office.head
    document.refresh_from_db()
    assert document.locked
    html = page(client, document)
    assert "Chờ lãnh đạo phòng duyệt" in html and "Kính trình anh" in html
    assert reverse("document-transition", args=[document.pk, "submit_for_review"]) not in html
    assert reverse("draft-edit", args=[document.pk]) not in html


def test_submitting_without_a_reviewer_is_shown_on_the_page(office, document):
    response = post(client_for(office.drafter), document, "submit_for_review", reviewer="")
    assert response.status_code == 400
    assert "Vui lòng chọn lãnh đạo duyệt." in response.content.decode()
    assert not Dispatch.objects.exists()


def test_the_reviewer_sees_approve_and_return_and_the_drafter_does_not(office, document):
    walk(office, document, S.SUBMITTED)
    head_page = page(client_for(office.head), document)
    assert reverse("document-transition", args=[document.pk, "approve"]) in head_page
    assert reverse("document-transition", args=[document.pk, "return"]) in head_page
    drafter_page = page(client_for(office.drafter), document)
    assert reverse("document-transition", args=[document.pk, "approve"]) not in drafter_page


def test_a_refused_transition_shows_the_actions_reason(office, document):
    walk(office, document, S.SUBMITTED)
    # Not the reviewer: 403 with the action's words, and the state does not move.
    forbidden = post(client_for(office.drafter), document, "approve")
    assert forbidden.status_code == 403
    assert "Chỉ lãnh đạo phòng được trình mới được duyệt dự thảo này." in forbidden.content.decode()
    assert Dispatch.objects.get(document=document).state == S.SUBMITTED
    # The right person at the wrong moment (someone approved in another tab): 409.
    head = client_for(office.head)
    assert post(head, document, "approve").status_code == 302
    conflict = post(head, document, "approve")
    assert conflict.status_code == 409
    assert "Không thể duyệt khi văn bản đang ở trạng thái “Đã duyệt”." in conflict.content.decode()


def test_returning_needs_a_reason_which_the_log_then_shows(office, document):
    walk(office, document, S.SUBMITTED)
    head = client_for(office.head)
    missing = post(head, document, "return", reason="  ")
    assert missing.status_code == 400
    assert "Phải nêu lý do trả lại." in missing.content.decode()
    assert post(head, document, "return", reason="Bổ sung số liệu đoạn 2.").status_code == 302
    assert Dispatch.objects.get(document=document).state == S.RETURNED
    html = page(client_for(office.drafter), document)
    assert "Bổ sung số liệu đoạn 2." in html and "Trả lại" in html
    # Returned drafts are editable again and may be resubmitted.
    assert reverse("draft-edit", args=[document.pk]) in html and "Trình lãnh đạo phòng duyệt" in html


def test_an_unknown_transition_is_not_found(office, document):
    assert post(client_for(office.drafter), document, "publish_now").status_code == 404


def test_the_whole_flow_through_the_pages(office, document):
    drafter, head, director, clerk = (
        client_for(u) for u in (office.drafter, office.head, office.director, office.clerk)
    )
    assert post(drafter, document, "submit_for_review", reviewer=office.head.pk).status_code == 302
    assert post(head, document, "approve", comment="Đồng ý").status_code == 302
    html = page(drafter, document)
    assert f'<option value="{office.director.pk}">Trần Văn Giám</option>' in html
    assert post(drafter, document, "submit_for_signature", signer=office.director.pk, authority="").status_code == 302
    assert "Ký duyệt" in page(director, document)
    assert post(director, document, "sign").status_code == 302
    assert "Cấp số" in page(clerk, document)
    assert post(clerk, document, "number").status_code == 302
    document.refresh_from_db()
    assert document.number == 1 and document.symbol == "01/SGDĐT-CNTTTBT"
    assert post(clerk, document, "seal").status_code == 302
    assert post(clerk, document, "issue").status_code == 302
    dispatch = Dispatch.objects.get(document=document)
    assert dispatch.state == S.ISSUED
    names = list(DispatchTransition.objects.filter(dispatch=dispatch).values_list("name", flat=True))
    assert names == ["start", "submit_for_review", "approve", "submit_for_signature", "sign", "number", "seal", "issue"]
    html = page(clerk, document)
    assert "01/SGDĐT-CNTTTBT" in html and "Đã phát hành" in html
    assert reverse("dispatch-tracking", args=[document.pk]) in html


# -- work lists -------------------------------------------------------------------------------------


def test_the_review_and_signature_queues(office, document):
    walk(office, document, S.SUBMITTED)
    review = client_for(office.head).get(reverse("queue-review")).content.decode()
    assert "V/v triển khai văn phòng điện tử" in review
    assert "V/v triển khai" not in client_for(office.director).get(reverse("queue-review")).content.decode()
    home = client_for(office.head).get(reverse("home")).content.decode()
    assert reverse("document-detail", args=[document.pk]) in home
    do_approve(Dispatch.objects.get(document=document), acting_user=office.head)
    do_submit_for_signature(
        Dispatch.objects.get(document=document), acting_user=office.drafter, signer=office.director, authority=""
    )
    signature = client_for(office.director).get(reverse("queue-signature")).content.decode()
    assert "V/v triển khai văn phòng điện tử" in signature
    assert reverse("document-detail", args=[document.pk]) in client_for(office.director).get("/").content.decode()


@pytest.mark.parametrize(
    ("state", "heading"), [(S.SIGNED, "Chờ cấp số"), (S.NUMBERED, "Chờ đóng dấu"), (S.SEALED, "Chờ phát hành")]
)
def test_the_clerks_queue_has_each_step(office, document, state, heading):
    walk(office, document, state)
    response = client_for(office.clerk).get(reverse("queue-clerk"))
    html = response.content.decode()
    section = html.split(heading, 1)[1].split("</section>", 1)[0]
    assert "V/v triển khai văn phòng điện tử" in section
    assert reverse("document-detail", args=[document.pk]) in client_for(office.clerk).get("/").content.decode()
    # The principal of a school is no clerk of the Sở.
    assert "V/v triển khai" not in client_for(office.outsider).get(reverse("queue-clerk")).content.decode()


# -- after issue ------------------------------------------------------------------------------------


def test_issued_documents_tracking_and_the_paper_list(office, document):
    walk(office, document, S.ISSUED)
    clerk = client_for(office.clerk)
    issued = clerk.get(reverse("issued-list")).content.decode()
    assert "01/SGDĐT-CNTTTBT" in issued and reverse("dispatch-tracking", args=[document.pk]) in issued
    tracking = clerk.get(reverse("dispatch-tracking", args=[document.pk]))
    assert tracking.status_code == 200
    html = tracking.content.decode()
    assert office.school.name in html and "Trường THPT Tháp Mười" in html
    assert "Điện tử" in html and "Bản giấy" in html
    paper = clerk.get(reverse("paper-dispatch-list", args=[document.pk])).content.decode()
    assert "PHIẾU GỬI" in paper.upper() and "Trường THPT Tháp Mười" in paper
    assert office.school.name not in paper and "Để biết" in paper
    # The recipient school reads the document, never the other recipients' progress (issue 5), and an
    # officer of the drafting division who did not draft it finds it in no list.
    recipient = client_for(office.outsider)
    assert reverse("dispatch-tracking", args=[document.pk]) not in page(recipient, document)
    assert recipient.get(reverse("dispatch-tracking", args=[document.pk])).status_code == 404
    assert recipient.get(reverse("paper-dispatch-list", args=[document.pk])).status_code == 404
    assert "01/SGDĐT-CNTTTBT" in client_for(office.drafter).get(reverse("issued-list")).content.decode()
    assert "01/SGDĐT-CNTTTBT" not in client_for(office.colleague).get(reverse("issued-list")).content.decode()


def test_tracking_is_refused_before_issue_and_to_strangers(office, document):
    walk(office, document, S.SEALED)
    assert client_for(office.clerk).get(reverse("dispatch-tracking", args=[document.pk])).status_code == 404
    assert client_for(office.colleague).get(reverse("paper-dispatch-list", args=[document.pk])).status_code == 404


def test_the_director_recalls_from_the_page_and_the_clerk_is_not_offered_it(office, document):
    walk(office, document, S.ISSUED)
    recall_url = reverse("document-transition", args=[document.pk, "recall"])
    assert recall_url not in page(client_for(office.clerk), document)
    assert post(client_for(office.clerk), document, "recall", reason="Sai số liệu").status_code == 403

    director = client_for(office.director)
    html = page(director, document)
    assert recall_url in html
    missing = post(director, document, "recall", reason="")
    assert missing.status_code == 400
    assert Dispatch.objects.get(document=document).state == S.ISSUED
    assert post(director, document, "recall", reason="Sai số liệu ở mục 2.").status_code == 302
    dispatch = Dispatch.objects.get(document=document)
    assert dispatch.state == S.RECALLED and dispatch.recall_reason == "Sai số liệu ở mục 2."
    assert "Sai số liệu ở mục 2." in page(director, document)


def test_an_issued_document_is_not_called_locked(office, document):
    walk(office, document, S.ISSUED)
    assert "đang trình, khóa sửa" not in page(client_for(office.drafter), document)


def test_the_document_page_consolidates_the_opinions(office, document):
    import datetime

    from django.utils import timezone

    from workflows.actions.consultations import do_answer_consultation, do_open_consultation

    consultation = do_open_consultation(
        document,
        acting_user=office.drafter,
        question="Xin ý kiến góp ý dự thảo kế hoạch.",
        deadline=timezone.now() + datetime.timedelta(days=2),
        users=[office.colleague],
        units=[office.school],
    )
    person = consultation.requests.get(user=office.colleague)
    do_answer_consultation(person, acting_user=office.colleague, stance="other", text="Bổ sung <b>lịch</b> triển khai.")
    html = page(client_for(office.drafter), document)
    assert "Xin ý kiến góp ý dự thảo kế hoạch." in html
    assert "Ý kiến khác: <strong>1</strong>" in html and "Chưa trả lời: <strong>1</strong>" in html
    assert "Bổ sung &lt;b&gt;lịch&lt;/b&gt; triển khai." in html  # escaped, never markup
    assert office.school.name in html


# -- tracking: each recipient, the reply, and the schools a district office forwarded to ----------------


def _recipient_row(html: str, delivery_id: int) -> str:
    start = html.index(f'<tr id="recipient-{delivery_id}">')
    return html[start : html.index("</tr>", start)]


def timezone_local(moment):
    from django.utils import timezone

    return timezone.localtime(moment)


def _seal_reply(document) -> Dispatch:
    """Take a reply draft straight to sealed (the approval chain has its own tests above)."""
    from django.utils import timezone

    now = timezone.now()
    Document.objects.filter(pk=document.pk).update(
        number=7, symbol="7/PGDĐT", issued_on=timezone.localdate(), locked=True
    )
    return Dispatch.objects.create(
        document=document,
        state=S.SEALED,
        submitted_at=now,
        approved_at=now,
        signed_at=now,
        numbered_at=now,
        sealed_at=now,
    )


def test_tracking_shows_each_recipient_its_reply_and_the_forwarded_schools():
    from tests.workflows import factories as wf
    from workflows.actions import do_issue_dispatch
    from workflows.actions.forward import do_forward_delivery
    from workflows.actions.incoming import do_acknowledge_delivery, do_register_delivery
    from workflows.actions.replies import do_start_reply
    from workflows.models import Delivery, DeliveryTransition

    sender = wf.make_agency()
    phong = wf.make_office(agency=sender, schools=3)
    other = wf.make_office(agency=sender)
    to_phong, to_other = wf.make_arrived(sender, phong.unit, other.unit)
    do_register_delivery(to_phong, acting_user=phong.clerk)
    do_acknowledge_delivery(to_phong, acting_user=phong.leader)
    kids = {
        d.recipient_id: d
        for d in Delivery.objects.filter(
            pk__in=do_forward_delivery(to_phong, acting_user=phong.clerk, all_children=True)
        )
    }
    first, second, _third = (kids[school.pk] for school in phong.schools)
    do_register_delivery(first, acting_user=phong.principals[0])  # no clerk at the school: the principal
    do_acknowledge_delivery(first, acting_user=phong.principals[0])
    do_register_delivery(second, acting_user=phong.principals[1])
    do_register_delivery(to_other, acting_user=other.clerk)
    reply = do_start_reply(to_other, acting_user=other.officers[0])

    client = client_for(sender.clerk)
    url = reverse("dispatch-tracking", args=[to_phong.document_id])
    html = client.get(url).content.decode()
    # The counts per status and channel are the sender's own two copies; the forwarded ones roll up below.
    assert "Mã edXML" in html and "<strong>2</strong>Đơn vị nhận" in html and "<strong>2</strong>Điện tử" in html
    row = _recipient_row(html, to_phong.pk)
    to_phong.refresh_from_db()
    assert phong.unit.name in row and "Đã vào sổ" in row and "<td>03</td>" in row
    assert f'<td class="num">{to_phong.incoming_number}</td>' in row
    assert f"{timezone_local(to_phong.acknowledged_at):%H:%M %d/%m/%Y}" in row
    last = DeliveryTransition.objects.filter(delivery=to_phong).latest("at", "pk")
    assert f"<td>{last.actor.first_name}, {timezone_local(last.at):%H:%M %d/%m/%Y}</td>" in row
    # The roll-up of the schools, expandable to list them; the schools are not direct recipients.
    assert "<details>" in html
    assert "Đã chuyển cho 3 đơn vị: 3 đã nhận, 2 đã vào sổ, 1 xác nhận đã nhận, 0 hoàn thành, 0 quá hạn" in html
    for school in phong.schools:
        assert school.name in html
        assert f'<tr id="recipient-{kids[school.pk].pk}">' not in html
    # A reply still in draft is not shown to the sender; once issued it links to its document page.
    assert reverse("document-detail", args=[reply.pk]) not in _recipient_row(html, to_other.pk)
    do_issue_dispatch(_seal_reply(reply), acting_user=other.clerk)
    html = client.get(url).content.decode()
    row = _recipient_row(html, to_other.pk)
    assert f'<a href="{reverse("document-detail", args=[reply.pk])}">7/PGDĐT</a>' in row
    assert "Hoàn thành" in row and "<td>06</td>" in row
    assert client.get(reverse("document-detail", args=[reply.pk])).status_code == 200


def test_tracking_costs_the_same_queries_for_2_or_8_recipients():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.workflows import factories as wf

    sender = wf.make_agency()
    client = client_for(sender.clerk)
    counts = []
    for n in (2, 8):
        schools = wf.make_units(n, parent=sender.department)
        document_id = wf.make_arrived(sender, *schools)[0].document_id
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("dispatch-tracking", args=[document_id]))
        assert response.status_code == 200 and response.content.decode().count('<tr id="recipient-') == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
