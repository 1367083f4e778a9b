"""Lịch nghỉ lễ, làm bù: the year's exceptions, working days per month, adding and removing as an administrator."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from journal.models import AuditEvent
from organizations.models import Role
from tests.ioffice.test_pages_drafts import client_for
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    user = make_user()
    make_membership(user=user, unit=make_unit(), role=Role.ADMIN)
    return user


@pytest.fixture
def officer():
    user = make_user()
    make_membership(user=user, unit=make_unit(), role=Role.OFFICER)
    return user


def month_cell(html: str, month: int) -> str:
    marker = f'data-month="{month}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_the_year_lists_its_days_and_the_working_days_per_month(officer):
    CalendarDay.objects.create(date=datetime.date(2030, 1, 1), name="Tết Dương lịch")
    CalendarDay.objects.create(date=datetime.date(2030, 2, 2), name="Làm bù", working=True)  # a Saturday
    CalendarDay.objects.create(date=datetime.date(2031, 1, 1), name="Năm sau")
    response = client_for(officer).get(reverse("calendar-days"), {"nam": 2030})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch nghỉ lễ, làm bù năm 2030" in html
    assert "01/01/2030" in html and "Tết Dương lịch" in html and "Ngày làm bù" in html and "Năm sau" not in html
    # January 2030 has 23 weekdays, one of them a holiday; February has 20 weekdays and one make-up Saturday.
    assert month_cell(html, 1) == "22" and month_cell(html, 2) == "21" and month_cell(html, 3) == "21"
    # Read-only for anyone but an administrator: no form, no remove buttons, no nav entry.
    assert reverse("calendar-day-add") not in html and "/xoa/" not in html
    assert client_for(officer).get(reverse("calendar-days"), {"nam": "x"}).status_code == 400


def test_an_administrator_adds_and_removes_a_day(admin):
    client = client_for(admin)
    html = client.get(reverse("calendar-days"), {"nam": 2030}).content.decode()
    assert reverse("calendar-day-add") in html and f'href="{reverse("calendar-days")}"' in html
    response = client.post(
        reverse("calendar-day-add"), {"date": "2030-09-03", "name": "Quốc khánh (ngày liền kề)", "working": ""}
    )
    assert response.status_code == 302 and response["Location"] == f"{reverse('calendar-days')}?nam=2030"
    day = CalendarDay.objects.get(date=datetime.date(2030, 9, 3))
    assert (day.name, day.working) == ("Quốc khánh (ngày liền kề)", False)
    audit = AuditEvent.objects.get(verb="workflows.calendar.day_added")
    assert audit.actor == admin and audit.data == {"date": "2030-09-03", "name": day.name, "working": False}
    html = client.get(response["Location"]).content.decode()
    assert "Đã thêm ngày 03/09/2030 vào lịch." in html and month_cell(html, 9) == "20"

    response = client.post(reverse("calendar-day-remove", args=[day.pk]))
    assert response.status_code == 302 and response["Location"] == f"{reverse('calendar-days')}?nam=2030"
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    audit = AuditEvent.objects.get(verb="workflows.calendar.day_removed")
    assert audit.actor == admin and audit.object_id == str(day.pk) and audit.data["date"] == "2030-09-03"
    assert client.post(reverse("calendar-day-remove", args=[day.pk])).status_code == 404


def test_a_redundant_or_repeated_day_is_refused_on_the_page(admin):
    client = client_for(admin)
    sunday = client.post(reverse("calendar-day-add"), {"date": "2030-09-01", "name": "Nghỉ"})
    assert sunday.status_code == 400 and "Thứ Bảy, Chủ nhật vốn là ngày nghỉ" in sunday.content.decode()
    weekday = client.post(reverse("calendar-day-add"), {"date": "2030-09-04", "name": "Làm bù", "working": "on"})
    assert weekday.status_code == 400 and "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật" in weekday.content.decode()
    assert client.post(reverse("calendar-day-add"), {"date": "", "name": "Nghỉ"}).status_code == 400
    CalendarDay.objects.create(date=datetime.date(2030, 9, 3), name="Có rồi")
    again = client.post(reverse("calendar-day-add"), {"date": "03/09/2030", "name": "Nhập lại"})
    assert again.status_code == 409 and "đã có trong lịch" in again.content.decode()
    assert CalendarDay.objects.get(date=datetime.date(2030, 9, 3)).name == "Có rồi"
    assert not AuditEvent.objects.filter(verb="workflows.calendar.day_added").exists()


def test_others_may_not_add_or_remove(officer):
    day = CalendarDay.objects.create(date=datetime.date(2030, 9, 3), name="Quốc khánh")
    client = client_for(officer)
    added = client.post(reverse("calendar-day-add"), {"date": "2030-09-04", "name": "Nghỉ"})
    assert added.status_code == 403 and "Chỉ quản trị viên được sửa lịch nghỉ lễ" in added.content.decode()
    assert client.post(reverse("calendar-day-remove", args=[day.pk])).status_code == 403
    assert CalendarDay.objects.count() == 1
    assert client.get(reverse("calendar-day-add")).status_code == 405


def test_a_superuser_without_a_role_edits_it_too():
    root = make_user(superuser=True)
    client = client_for(root)
    assert reverse("calendar-day-add") in client.get(reverse("calendar-days")).content.decode()
    response = client.post(reverse("calendar-day-add"), {"date": "2030-05-01", "name": "Quốc tế Lao động"})
    assert response.status_code == 302 and CalendarDay.objects.filter(date=datetime.date(2030, 5, 1)).exists()
