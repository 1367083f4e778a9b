"""The consultation page: the summary, answering with files, closing, downloads, and who may see it."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.documents.files import make_pdf
from tests.ioffice import test_api_documents
from workflows.actions.consultations import do_open_consultation
from workflows.models import Consultation, ConsultationState, OpinionFile

pytestmark = pytest.mark.django_db

office = test_api_documents.office
GOP_Y = make_pdf("Noi dung gop y")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def consultation(office) -> Consultation:
    return do_open_consultation(
        office.document,
        acting_user=office.drafter,
        question="Xin ý kiến về dự thảo kế hoạch.",
        deadline=timezone.now() + datetime.timedelta(days=2),
        users=[office.colleague],
    )


def url(name: str, consultation: Consultation) -> str:
    return reverse(name, args=[consultation.pk])


def test_the_asked_colleague_answers_with_a_file_and_the_drafter_downloads_it(office, consultation):
    colleague = client_for(office.colleague)
    page = colleague.get(url("consultation-detail", consultation))
    assert page.status_code == 200
    assert "Xin ý kiến về dự thảo kế hoạch." in page.content.decode()
    assert "Gửi ý kiến" in page.content.decode()
    party = consultation.requests.get()
    response = colleague.post(
        url("consultation-answer", consultation),
        {
            "request": party.pk,
            "stance": "disagree",
            "text": "Cần sửa mục 2.",
            "files": SimpleUploadedFile("gop-y.pdf", GOP_Y),
        },
    )
    assert response.status_code == 302
    item = OpinionFile.objects.get(opinion__request=party)
    drafter_page = client_for(office.drafter).get(url("consultation-detail", consultation)).content.decode()
    assert "Cần sửa mục 2." in drafter_page
    download = reverse("opinion-file-download", args=[consultation.pk, item.pk])
    assert download in drafter_page
    body = client_for(office.drafter).get(download)
    assert body.status_code == 200
    assert b"".join(body.streaming_content) == GOP_Y
    assert client_for(office.outsider).get(download).status_code == 404


def test_disagreeing_without_text_is_shown_on_the_page_in_vietnamese(office, consultation):
    party = consultation.requests.get()
    response = client_for(office.colleague).post(
        url("consultation-answer", consultation), {"request": party.pk, "stance": "disagree", "text": ""}
    )
    assert response.status_code == 400
    assert "phải kèm nội dung góp ý" in response.content.decode()


def test_an_outsider_gets_404_and_a_colleague_may_not_close(office, consultation):
    assert client_for(office.outsider).get(url("consultation-detail", consultation)).status_code == 404
    assert client_for(office.outsider).post(url("consultation-close", consultation)).status_code == 404
    assert client_for(office.colleague).post(url("consultation-close", consultation)).status_code == 403


def test_after_closing_the_form_is_gone_and_answers_are_refused(office, consultation):
    drafter = client_for(office.drafter)
    assert drafter.post(url("consultation-close", consultation)).status_code == 302
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.CLOSED
    assert "Gửi ý kiến" not in drafter.get(url("consultation-detail", consultation)).content.decode()
    party = consultation.requests.get()
    response = client_for(office.colleague).post(
        url("consultation-answer", consultation), {"request": party.pk, "stance": "agree"}
    )
    assert response.status_code == 409


def test_the_document_page_links_to_the_consultation(office, consultation):
    page = client_for(office.drafter).get(reverse("document-detail", args=[office.document.pk])).content.decode()
    assert url("consultation-detail", consultation) in page


def test_past_the_deadline_answers_are_refused_but_the_drafter_may_close(office, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))
    party = consultation.requests.get()
    page = client_for(office.colleague).get(url("consultation-detail", consultation)).content.decode()
    assert "Gửi ý kiến" not in page
    response = client_for(office.colleague).post(
        url("consultation-answer", consultation), {"request": party.pk, "stance": "agree"}
    )
    assert response.status_code == 409
    assert client_for(office.drafter).post(url("consultation-close", consultation)).status_code == 302


def test_the_home_page_lists_requests_waiting_for_my_opinion(office, consultation):
    page = client_for(office.colleague).get(reverse("home")).content.decode()
    assert "Xin ý kiến chờ tôi trả lời" in page
    assert url("consultation-detail", consultation) in page
    drafter_page = client_for(office.drafter).get(reverse("home")).content.decode()
    assert url("consultation-detail", consultation) not in drafter_page


def test_the_drafter_opens_a_consultation_from_the_page(office):
    drafter = client_for(office.drafter)
    detail = drafter.get(reverse("document-detail", args=[office.document.pk])).content.decode()
    assert reverse("consultation-open", args=[office.document.pk]) in detail
    form = reverse("consultation-open", args=[office.document.pk])
    assert drafter.get(form).status_code == 200
    deadline = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = drafter.post(form, {"question": "Góp ý giúp.", "deadline": deadline, "users": [office.colleague.pk]})
    assert response.status_code == 302
    consultation = Consultation.objects.get(document=office.document)
    assert consultation.requests.get().user == office.colleague
    refused = drafter.post(form, {"question": "Góp ý giúp.", "deadline": deadline})
    assert refused.status_code == 400
    assert "Phải chọn ít nhất một người hoặc một đơn vị" in refused.content.decode()
    assert client_for(office.outsider).get(form).status_code == 404
    tampered = drafter.post(form, {"question": "Góp ý giúp.", "deadline": deadline, "users": ["1 OR 1=1"]})
    assert tampered.status_code == 400  # nobody chosen, said in Vietnamese; not a server error
    bad_date = drafter.post(form, {"question": "Góp ý giúp.", "deadline": "ngày mai", "users": [office.colleague.pk]})
    assert bad_date.status_code == 400 and "Hạn góp ý không hợp lệ." in bad_date.content.decode()
