"""The REST API: token and session auth, /me/, the unit directory, the OpenAPI schema."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ioffice.web import lockout
from journal.selectors import login_failures_since
from organizations.models import Role, UnitKind
from tests.conftest import give_authenticator, next_code
from tests.ioffice.conftest import PASSWORD
from tests.organizations.factories import make_membership, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _obtain(api, username, password, **extra):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json")


def test_root_lists_the_endpoints(api):
    body = api.get("/api/v1/").json()
    assert body["me"].endswith("/api/v1/me/")
    assert body["units"].endswith("/api/v1/units/")
    assert body["auth_token"].endswith("/api/v1/auth/token/")
    assert body["schema"].endswith("/api/schema/")
    assert body["deliveries"].endswith("/api/v1/deliveries/")
    assert body["assignments"].endswith("/api/v1/assignments/")
    assert body["notifications"].endswith("/api/v1/notifications/")


def test_token_obtain_and_token_auth_on_me(api, clerk, department):
    # A clerk seals: the token endpoint wants the authenticator's code too (tests/ioffice/test_two_factor.py).
    response = _obtain(api, "vanthu", PASSWORD, otp_token=next_code(give_authenticator(clerk)))
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=clerk).key == token

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "vanthu"
    assert me["full_name"] == "Nguyễn Thị Lan"
    [membership] = me["memberships"]
    assert membership["role"] == Role.CLERK
    assert membership["role_display"] == "Văn thư"
    assert membership["unit"]["id"] == department.pk
    assert membership["unit"]["name"] == department.name
    assert me["active_membership"] == membership["id"]


def test_token_obtain_refuses_a_wrong_password_and_the_journal_counts_it(api, clerk):
    before = timezone.now() - datetime.timedelta(seconds=1)
    response = _obtain(api, "vanthu", "sai-mat-khau")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["detail_vi"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert login_failures_since(username="vanthu", since=before) == 1


def test_token_obtain_is_locked_out_like_the_page(api, client, clerk, lockout_after_three, monkeypatch):
    for _ in range(2):
        client.post(reverse("login"), {"username": "vanthu", "password": "sai"})
    _obtain(api, "vanthu", "sai")
    response = _obtain(api, "vanthu", PASSWORD)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "login_locked_out"
    assert "15 phút" in body["detail_vi"]
    assert "15 minutes" in body["detail"]
    assert not Token.objects.filter(user=clerk).exists()

    later = timezone.now() + datetime.timedelta(minutes=16)
    monkeypatch.setattr(lockout, "now", lambda: later)
    assert _obtain(api, "vanthu", PASSWORD, otp_token=next_code(give_authenticator(clerk))).status_code == 200


def test_session_auth_on_me_reports_the_chosen_membership(clerk, school):
    officer = make_membership(user=clerk, unit=school, role=Role.OFFICER)
    api = APIClient()
    api.force_login(clerk)
    api.post(reverse("switch-membership"), {"membership": officer.pk})
    me = api.get("/api/v1/me/").json()
    assert len(me["memberships"]) == 2
    assert me["active_membership"] == officer.pk


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/units/"])
def test_anonymous_is_refused(api, path):
    response = api.get(path)
    assert response.status_code in (401, 403)
    assert "id" not in response.json()


def test_a_bad_token_is_refused(api, clerk):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_units_list_filters_and_paginates(clerk, department, school):
    district = make_unit(name="Phòng GDĐT TP Cao Lãnh", kind=UnitKind.DISTRICT_OFFICE, parent=department)
    primary = make_unit(kind=UnitKind.SCHOOL, parent=district, school_level="tieu_hoc", enrolled=False)
    api = APIClient()
    api.force_authenticate(clerk)

    def ids(**params):
        body = api.get("/api/v1/units/", params).json()
        return {unit["id"] for unit in body["results"]}

    assert ids() == {department.pk, school.pk, district.pk, primary.pk}
    assert ids(kind="school") == {school.pk, primary.pk}
    assert ids(school_level="thpt") == {school.pk}
    assert ids(parent=department.pk) == {school.pk, district.pk}
    assert ids(enrolled="false") == {primary.pk}
    assert ids(enrolled="true", kind="school") == {school.pk}

    page = api.get("/api/v1/units/", {"limit": 2}).json()
    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert page["next"]

    assert api.get("/api/v1/units/", {"kind": "planet"}).status_code == 400


def test_unit_detail(clerk, school, department):
    api = APIClient()
    api.force_authenticate(clerk)
    body = api.get(f"/api/v1/units/{school.pk}/").json()
    assert body["name"] == school.name
    assert body["parent"] == department.pk
    assert body["school_level"] == "thpt"
    assert body["kind_display"] == "Trường học"
    assert api.get("/api/v1/units/999999/").status_code == 404
    assert api.post("/api/v1/units/", {"name": "x"}).status_code == 405


def test_schema_documents_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/", "/api/v1/me/", "/api/v1/units/", "/api/v1/units/{id}/", "/api/v1/auth/token/"):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"]}
    assert {"kind", "school_level", "parent", "enrolled", "limit", "offset"} <= params
    assert "tokenAuth" in schema["components"]["securitySchemes"]
