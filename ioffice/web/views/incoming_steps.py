"""The steps behind the delivery page's buttons: one POST per step, each calling its one action.

``delivery_action`` and ``assignment_action`` look the step up by name, check that the person may see
the delivery or the line (404 otherwise), and call the action, which checks the state, the right and
the input again. A refusal the person can fix on the page (a missing reason, a past deadline, a likely
duplicate to confirm) re-renders the delivery page with the form as typed (400/409); the others become
the error pages of :class:`ioffice.web.middleware.DomainErrorMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ioffice.web.forms_incoming import (
    CommentForm,
    ExtendForm,
    ForwardForm,
    ReasonForm,
    ReassignForm,
    RegisterForm,
    ReplaceLeadForm,
    ResultForm,
    RouteForm,
    StartReplyForm,
    person_label,
)
from ioffice.web.views.incoming import (
    StepRefused,
    delivery_page_context,
    line_id,
    visible_assignment,
    visible_delivery,
)
from journal.errors import Conflict, InvalidInput, NotFound
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import (
    do_accept_recall,
    do_acknowledge_delivery,
    do_refuse_recall,
    do_register_delivery,
    do_reject_delivery,
)
from workflows.actions.replies import do_start_reply
from workflows.actions.routing import (
    AssigneeSpec,
    do_acknowledge_assignment,
    do_complete_delivery,
    do_extend_deadline,
    do_finish_assignment,
    do_reassign,
    do_replace_lead,
    do_return_assignment,
    do_route,
    do_start_assignment,
)

# -- the steps behind the page's buttons -----------------------------------------------------------------


def _valid(key: str, form: forms.Form) -> dict:
    if not form.is_valid():
        raise StepRefused(key, form, _("Vui lòng kiểm tra lại thông tin đã nhập."))
    return form.cleaned_data


def _fixable(key: str, form: forms.Form, call: Callable):
    """Run ``call``; its refusal of the input goes on the form (beside the field it names) and the page re-renders."""
    try:
        return call()
    except InvalidInput as exc:
        name = exc.details.get("field", "")
        if name in form.fields:
            form.add_error(name, exc.message)
        raise StepRefused(key, form, exc.message) from exc


def _spec(assignee: tuple[str, int], *, deadline=None, days=None) -> AssigneeSpec:
    """The action's line from the form's ``("unit"|"user", id)``; ids as they are, the action checks them."""
    kind, pk = assignee
    return AssigneeSpec(
        unit=pk if kind == "unit" else None, user=pk if kind == "user" else None, deadline=deadline, working_days=days
    )


def _register(request, delivery):
    form = RegisterForm(request.POST, auto_id="register-%s")
    data = _valid("register", form)
    try:
        done = _fixable(
            "register",
            form,
            lambda: do_register_delivery(
                delivery,
                acting_user=request.user,
                arrived_at=data["arrived_at"],
                confirm_duplicate=data["confirm_duplicate"],
                note=data["note"],
            ),
        )
    except Conflict as exc:
        if exc.code != "likely_duplicate":
            raise
        raise StepRefused("register", form, exc.message, status=409, duplicates=exc.details["duplicates"]) from exc
    return _("Đã vào sổ văn bản đến, số đến %(number)s.") % {"number": done.incoming_number}


def _reject(request, delivery):
    form = ReasonForm(request.POST, auto_id="reject-%s")
    data = _valid("reject", form)
    _fixable("reject", form, lambda: do_reject_delivery(delivery, acting_user=request.user, reason=data["reason"]))
    return _("Đã từ chối nhận văn bản; bên gửi được báo lý do.")


def _route(request, delivery):
    form = RouteForm(request.POST, auto_id="route-%s", recipient=delivery.recipient)
    data = _valid("route", form)
    coordinators_deadline = data["coordinators_deadline"] or (
        None if data["coordinators_days"] else data["lead_deadline"]
    )
    coordinators_days = data["coordinators_days"] or (None if data["coordinators_deadline"] else data["lead_days"])
    _fixable(
        "route",
        form,
        lambda: do_route(
            delivery,
            acting_user=request.user,
            lead=_spec(data["lead"], deadline=data["lead_deadline"], days=data["lead_days"]),
            coordinators=[
                _spec(c, deadline=coordinators_deadline, days=coordinators_days) for c in data["coordinators"]
            ],
            informed=[_spec(i) for i in data["informed"]],
            direction=data["direction"],
        ),
    )
    return _("Đã phân phối văn bản.")


def _replace_lead(request, delivery):
    form = ReplaceLeadForm(request.POST, auto_id="replace-%s", recipient=delivery.recipient)
    data = _valid("replace-lead", form)
    lead = _spec(data["lead"], deadline=data["lead_deadline"], days=data["lead_days"])
    _fixable("replace-lead", form, lambda: do_replace_lead(delivery, acting_user=request.user, lead=lead))
    return _("Đã giao chủ trì mới.")


def _complete(request, delivery):
    form = CommentForm(request.POST, auto_id="complete-%s")
    data = _valid("complete", form)
    _fixable(
        "complete", form, lambda: do_complete_delivery(delivery, acting_user=request.user, comment=data["comment"])
    )
    return _("Đã kết thúc xử lý, lưu văn bản.")


def _acknowledge(request, delivery):
    do_acknowledge_delivery(delivery, acting_user=request.user)
    return _("Đã xác nhận đã nhận văn bản.")


def _accept_recall(request, delivery):
    form = CommentForm(request.POST, auto_id="accept-%s")
    data = _valid("accept-recall", form)
    do_accept_recall(delivery, acting_user=request.user, comment=data["comment"])
    return _("Đã chấp nhận thu hồi văn bản.")


def _refuse_recall(request, delivery):
    form = ReasonForm(request.POST, auto_id="refuse-%s")
    data = _valid("refuse-recall", form)
    _fixable("refuse-recall", form, lambda: do_refuse_recall(delivery, acting_user=request.user, reason=data["reason"]))
    return _("Đã từ chối thu hồi văn bản.")


def _forward(request, delivery):
    form = ForwardForm(request.POST, auto_id="forward-%s", office=delivery.recipient)
    data = _valid("forward", form)
    mode = data["mode"]
    _fixable(
        "forward",
        form,
        lambda: do_forward_delivery(
            delivery,
            acting_user=request.user,
            units=list(data["units"]) if mode == "units" else None,
            school_level=data["school_level"] if mode == "level" else None,
            all_children=mode == "all",
            note=data["note"],
        ),
    )
    return _("Đã chuyển văn bản đến các đơn vị trực thuộc.")


def _start_reply(request, delivery):
    form = StartReplyForm(request.POST, auto_id="reply-%s")
    data = _valid("start-reply", form)
    draft = _fixable(
        "start-reply",
        form,
        lambda: do_start_reply(delivery, acting_user=request.user, summary=data["summary"] or None),
    )
    return _("Đã tạo dự thảo văn bản trả lời."), HttpResponseRedirect(reverse("draft-edit", args=[draft.pk]))


DELIVERY_STEPS: dict[str, Callable] = {
    "register": _register,
    "reject": _reject,
    "route": _route,
    "replace-lead": _replace_lead,
    "complete": _complete,
    "acknowledge": _acknowledge,
    "accept-recall": _accept_recall,
    "refuse-recall": _refuse_recall,
    "forward": _forward,
    "start-reply": _start_reply,
}


def _start(request, assignment):
    do_start_assignment(assignment, acting_user=request.user)
    return _("Đã bắt đầu xử lý.")


def _finish(request, assignment):
    key = f"finish-{assignment.pk}"
    form = ResultForm(request.POST, auto_id=line_id(assignment, "finish"))
    data = _valid(key, form)
    _fixable(key, form, lambda: do_finish_assignment(assignment, acting_user=request.user, result=data["result"]))
    return _("Đã báo cáo hoàn thành.")


def _return(request, assignment):
    key = f"return-{assignment.pk}"
    form = ReasonForm(request.POST, auto_id=line_id(assignment, "return"))
    data = _valid(key, form)
    _fixable(key, form, lambda: do_return_assignment(assignment, acting_user=request.user, reason=data["reason"]))
    return _("Đã trả lại phân công.")


def _acknowledge_line(request, assignment):
    do_acknowledge_assignment(assignment, acting_user=request.user)
    return _("Đã xác nhận đã nhận văn bản.")


def _reassign(request, assignment):
    key = f"reassign-{assignment.pk}"
    form = ReassignForm(request.POST, auto_id=line_id(assignment, "reassign"), unit=assignment.unit)
    data = _valid(key, form)
    _fixable(
        key,
        form,
        lambda: do_reassign(
            assignment, acting_user=request.user, user=data["user"], deadline=data["deadline"], note=data["note"]
        ),
    )
    return _("Đã giao cho %(name)s.") % {"name": person_label(data["user"])}


def _extend(request, assignment):
    key = f"extend-{assignment.pk}"
    form = ExtendForm(request.POST, auto_id=line_id(assignment, "extend"))
    data = _valid(key, form)
    _fixable(
        key,
        form,
        lambda: do_extend_deadline(
            assignment, acting_user=request.user, new_deadline=data["new_deadline"], reason=data["reason"]
        ),
    )
    return _("Đã gia hạn xử lý đến %(day)s.") % {"day": data["new_deadline"].strftime("%d/%m/%Y")}


ASSIGNMENT_STEPS: dict[str, Callable] = {
    "start": _start,
    "finish": _finish,
    "return": _return,
    "acknowledge": _acknowledge_line,
    "reassign": _reassign,
    "extend": _extend,
}


def _done(request: HttpRequest, outcome, default: str) -> HttpResponseRedirect:
    """The step's message, then its own page (a reply's draft) or back where the button was."""
    message, redirect = outcome if isinstance(outcome, tuple) else (outcome, None)
    messages.success(request, message)
    if redirect is not None:
        return redirect
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _refused_page(request: HttpRequest, pk: int, refused: StepRefused) -> HttpResponse:
    delivery = visible_delivery(request.user, pk)
    context = delivery_page_context(request, delivery, refused=refused)
    return render(request, "incoming/detail.html", context, status=refused.status)


def _unknown_step() -> NotFound:
    return NotFound("Không có thao tác này.", code="unknown_step", message_en="No such step.")


@require_POST
@login_required
def delivery_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run step ``name`` of the delivery; input the person can fix re-renders the page beside the form."""
    step = DELIVERY_STEPS.get(name)
    if step is None:
        raise _unknown_step()
    delivery = visible_delivery(request.user, pk)
    try:
        outcome = step(request, delivery)
    except StepRefused as refused:
        return _refused_page(request, pk, refused)
    return _done(request, outcome, reverse("delivery-detail", args=[pk]))


@require_POST
@login_required
def assignment_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run step ``name`` of one line of the routing slip; back to its delivery's page."""
    step = ASSIGNMENT_STEPS.get(name)
    if step is None:
        raise _unknown_step()
    assignment = visible_assignment(request.user, pk)
    try:
        outcome = step(request, assignment)
    except StepRefused as refused:
        return _refused_page(request, assignment.delivery_id, refused)
    return _done(request, outcome, reverse("delivery-detail", args=[assignment.delivery_id]))
