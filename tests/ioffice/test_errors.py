"""Domain errors and Django's refusals become the right status, on pages and in the API."""

import pytest
from django.conf import settings
from django.urls import get_resolver

from ioffice.web.views import errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ioffice.urls_errors")]


def test_the_error_page_middleware_is_installed():
    assert "ioffice.web.middleware.DomainErrorMiddleware" in settings.MIDDLEWARE


def test_the_site_urlconf_uses_our_error_pages():
    resolver = get_resolver("ioffice.urls")
    assert resolver.resolve_error_handler(400) is errors.bad_request
    assert resolver.resolve_error_handler(403) is errors.permission_denied
    assert resolver.resolve_error_handler(404) is errors.page_not_found
    assert resolver.resolve_error_handler(500) is errors.server_error


@pytest.mark.parametrize(
    ("kind", "status", "text"),
    [
        ("invalid", 400, "Ngày hạn xử lý đã qua."),
        ("forbidden", 403, "Bạn không có quyền thực hiện thao tác này."),
        ("not-found", 404, "Không tìm thấy đối tượng yêu cầu."),
        ("conflict", 409, "Văn bản đã được phát hành."),
        ("django-validation", 400, "Trích yếu không được để trống."),
        ("django-permission", 403, "Không có quyền truy cập"),
    ],
)
def test_page_maps_errors_to_status_and_template(signed_in, kind, status, text):
    response = signed_in.get(f"/thu-loi/{kind}/")
    assert response.status_code == status
    assert f"errors/{status}.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert text in html
    assert '<html lang="vi">' in html


def test_page_shows_the_english_message_in_english(signed_in, settings):
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = signed_in.get("/thu-loi/conflict/")
    assert response.status_code == 409
    assert "The document has already been issued." in response.content.decode()


def test_unknown_url_renders_the_404_page(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("invalid", 400, "deadline_in_past"),
        ("forbidden", 403, "forbidden"),
        ("not-found", 404, "not_found"),
        ("conflict", 409, "already_issued"),
        ("django-validation", 400, "invalid_input"),
        ("django-permission", 403, "forbidden"),
    ],
)
def test_api_maps_errors_to_status_and_body(client, kind, status, code):
    response = client.get(f"/api/v1/thu-loi/{kind}/")
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["detail"] and body["detail_vi"]


def test_api_error_body_has_both_languages(client):
    body = client.get("/api/v1/thu-loi/conflict/").json()
    assert body == {
        "code": "already_issued",
        "detail": "The document has already been issued.",
        "detail_vi": "Văn bản đã được phát hành.",
    }
    details = client.get("/api/v1/thu-loi/django-validation/").json()["details"]
    assert details == {"summary": ["Trích yếu không được để trống."]}


def test_api_leaves_other_errors_to_drf(client):
    assert client.get("/api/v1/thu-loi/ok/").status_code == 200
    assert client.get("/api/v1/me/").json().keys() == {"detail"}


def test_server_error_page_renders_without_request_context(rf):
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.content.decode()
