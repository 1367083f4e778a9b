"""The layout, the active membership, the role switcher and the home page per role."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ioffice.web.middleware import SESSION_KEY
from organizations.models import Role
from tests.organizations.factories import make_membership, make_user

pytestmark = pytest.mark.django_db


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_first_membership_is_active_by_default_and_header_shows_it(signed_in, department):
    response = signed_in.get(reverse("home"))
    request = response.wsgi_request
    assert request.active_membership.unit == department
    assert request.active_membership.role == Role.CLERK
    html = response.content.decode()
    assert "Nguyễn Thị Lan" in html
    assert "Văn thư" in html
    assert department.name in html
    assert 'action="/dang-xuat/" method="post"' in html


def test_switcher_lists_every_membership_and_switches(clerk, school):
    officer = make_membership(user=clerk, unit=school, role=Role.OFFICER)
    client = _client_for(clerk)
    html = client.get(reverse("home")).content.decode()
    assert f'<option value="{officer.pk}"' in html
    assert school.name in html

    response = client.post(reverse("switch-membership"), {"membership": officer.pk, "next": "/"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == officer.pk
    page = client.get(reverse("home"))
    assert page.wsgi_request.active_membership == officer
    assert "home/officer.html" in [t.name for t in page.templates]


def test_switcher_refuses_someone_elses_membership(signed_in, school):
    theirs = make_membership(user=make_user(), unit=school, role=Role.PRINCIPAL)
    response = signed_in.post(reverse("switch-membership"), {"membership": theirs.pk})
    assert response.status_code == 403
    assert SESSION_KEY not in signed_in.session


def test_switcher_refuses_an_expired_membership(clerk, school):
    today = timezone.localdate()
    expired = make_membership(
        user=clerk,
        unit=school,
        role=Role.PRINCIPAL,
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today - datetime.timedelta(days=1),
    )
    client = _client_for(clerk)
    assert client.post(reverse("switch-membership"), {"membership": expired.pk}).status_code == 403
    assert client.post(reverse("switch-membership"), {"membership": "abc"}).status_code == 400


def test_switcher_ignores_an_offsite_next(clerk, school):
    officer = make_membership(user=clerk, unit=school, role=Role.OFFICER)
    client = _client_for(clerk)
    response = client.post(reverse("switch-membership"), {"membership": officer.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_switcher_requires_post(signed_in):
    assert signed_in.get(reverse("switch-membership")).status_code == 405


def test_a_stored_choice_that_expired_falls_back_to_the_first(clerk, school, department):
    today = timezone.localdate()
    ending = make_membership(user=clerk, unit=school, role=Role.OFFICER, valid_until=today)
    client = _client_for(clerk)
    client.post(reverse("switch-membership"), {"membership": ending.pk})
    assert client.get(reverse("home")).wsgi_request.active_membership == ending

    ending.valid_until = today - datetime.timedelta(days=1)
    ending.valid_from = today - datetime.timedelta(days=2)
    ending.save()
    active = client.get(reverse("home")).wsgi_request.active_membership
    assert active.unit == department


@pytest.mark.parametrize(
    ("role", "template", "section"),
    [
        (Role.CLERK, "home/clerk.html", "Văn bản đến chờ vào sổ"),
        (Role.OFFICER, "home/officer.html", "Văn bản được giao xử lý"),
        (Role.LEADER, "home/leader.html", "Dự thảo chờ duyệt"),
        (Role.DEPUTY, "home/leader.html", "Văn bản chờ ký"),
        (Role.PRINCIPAL, "home/principal.html", "Văn bản chỉ đạo chờ xác nhận"),
        (Role.ARCHIVIST, "home/archivist.html", "Hồ sơ chờ nộp lưu"),
        (Role.ADMIN, "home/admin.html", "Tài khoản chờ phân công vai trò"),
    ],
)
def test_home_template_per_role(school, role, template, section):
    membership = make_membership(unit=school, role=role, title="Chức danh thử")
    response = _client_for(membership.user).get(reverse("home"))
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]
    html = response.content.decode()
    assert section in html
    assert school.name in html
    assert "Chức danh thử" in html


def test_clerk_home_has_honest_empty_queues(signed_in):
    html = signed_in.get(reverse("home")).content.decode()
    assert "Văn bản đi chờ phát hành" in html
    assert "Chưa có văn bản nào." in html


def test_user_without_membership_gets_the_no_membership_page(db):
    response = _client_for(make_user()).get(reverse("home"))
    assert response.status_code == 200
    assert "home/no_membership.html" in [t.name for t in response.templates]
    assert "chưa được phân công vai trò" in response.content.decode()
    assert response.wsgi_request.active_membership is None


def test_superuser_without_membership_gets_the_admin_home(db):
    root = make_user("root", superuser=True)
    response = _client_for(root).get(reverse("home"))
    assert response.status_code == 200
    assert "home/admin.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Quản trị viên hệ thống" in html
    assert reverse("admin:index") in html


def test_nav_follows_the_role(signed_in, school):
    admin = make_membership(unit=school, role=Role.ADMIN)
    admin_nav = [item["url"] for item in _client_for(admin.user).get(reverse("home")).context["nav_items"]]
    clerk_nav = [item["url"] for item in signed_in.get(reverse("home")).context["nav_items"]]
    assert reverse("api-docs") in admin_nav
    assert reverse("api-docs") not in clerk_nav
    assert reverse("home") in clerk_nav
