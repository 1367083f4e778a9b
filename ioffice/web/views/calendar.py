"""Lịch nghỉ lễ, làm bù: a year's exceptions to the weekly rhythm and the working days each month has.

Everyone signed in may read it (a deadline "5 ngày làm việc" is easier to trust when one can see
why it falls where it does); administrators add and remove days through
:mod:`workflows.actions.calendar`, which checks the right again.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ioffice.web.params import year_param
from journal.errors import Conflict, InvalidInput
from workflows.actions.calendar import do_add_calendar_day, do_remove_calendar_day, may_edit_calendar
from workflows.calendar import working_days_between
from workflows.models import CalendarDay

ONE_DAY = datetime.timedelta(days=1)


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=_lazy("Ngày"), widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    name = forms.CharField(label=_lazy("Tên ngày"), max_length=150)
    working = forms.BooleanField(
        label=_lazy("Là ngày làm việc (làm bù vào thứ Bảy, Chủ nhật)"),
        required=False,
    )


def _months(year: int) -> list[tuple[int, int]]:
    """(month, working days) for each month: the calendar module's own rule, one small query a month."""
    months = []
    for month in range(1, 13):
        first = datetime.date(year, month, 1)
        last = datetime.date(year + 1, 1, 1) - ONE_DAY if month == 12 else datetime.date(year, month + 1, 1) - ONE_DAY
        months.append((month, working_days_between(first - ONE_DAY, last)))
    return months


def _page(request: HttpRequest, *, year: int, form: CalendarDayForm | None = None, error: str = "", status: int = 200):
    editable = may_edit_calendar(request.user)
    context = {
        "year": year,
        "years": [year - 1, year, year + 1],
        "days": CalendarDay.objects.filter(date__year=year).order_by("date"),
        "months": _months(year),
        "editable": editable,
        "form": (form or CalendarDayForm(initial={"date": datetime.date(year, 1, 1)})) if editable else None,
        "error": error,
    }
    return render(request, "calendar/days.html", context, status=status)


@login_required
def calendar_days(request: HttpRequest) -> HttpResponse:
    """The exceptions of ``?nam=`` (this year by default), the working days per month, the form for admins."""
    return _page(request, year=year_param(request.GET.get("nam")))


@login_required
@require_POST
def calendar_day_add(request: HttpRequest) -> HttpResponse:
    """Add a day; a mistake the administrator can fix (a Sunday "holiday", a date already there) stays on the page."""
    form = CalendarDayForm(request.POST)
    if not form.is_valid():
        return _page(request, year=year_param(request.GET.get("nam")), form=form, status=400)
    data = form.cleaned_data
    try:
        day = do_add_calendar_day(
            acting_user=request.user, date=data["date"], name=data["name"], working=data["working"]
        )
    except (InvalidInput, Conflict) as error:
        return _page(request, year=data["date"].year, form=form, error=str(error), status=error.http_status)
    messages.success(request, _("Đã thêm ngày %(date)s vào lịch.") % {"date": f"{day.date:%d/%m/%Y}"})
    return HttpResponseRedirect(f"{reverse('calendar-days')}?nam={day.date.year}")


@login_required
@require_POST
def calendar_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    year = CalendarDay.objects.filter(pk=pk).values_list("date__year", flat=True).first()
    do_remove_calendar_day(pk, acting_user=request.user)
    messages.success(request, _("Đã xóa ngày khỏi lịch."))
    return HttpResponseRedirect(f"{reverse('calendar-days')}?nam={year}")
