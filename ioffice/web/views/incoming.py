"""Pages of the incoming flow (văn bản đến): the delivery page, its routing slip and files, and registering a
document that came from outside the system. The work lists are in :mod:`ioffice.web.views.inboxes`, the
steps behind the page's buttons in :mod:`ioffice.web.views.incoming_steps`.

Thin over :mod:`workflows.actions.incoming`, :mod:`workflows.actions.routing`,
:mod:`workflows.actions.forward`, :mod:`workflows.actions.replies` and
:mod:`workflows.incoming_selectors`. The buttons of the delivery page are a convenience computed from the status
and the person, by the same rules as the actions; every POST goes to the action, which checks the right again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from documents.models import Attachment
from ioffice.acting import acting_unit
from ioffice.web.forms_incoming import (
    CommentForm,
    ExtendForm,
    ExternalDocumentForm,
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
from journal import reads
from journal.errors import Conflict, Forbidden, InvalidInput, NotFound
from journal.reads import record_read
from organizations.models import Membership, Role, UnitKind
from organizations.selectors import roles_in
from workflows.actions.delivery_steps import is_clerk_of, may_route
from workflows.actions.incoming import (
    ACKNOWLEDGING_ROLES,
    ExternalDocumentInput,
    do_register_external,
)
from workflows.actions.routing import (
    REASSIGNING_ROLES,
    WORKABLE,
    WORKING_ROLES,
)
from workflows.incoming_selectors import delivery_history
from workflows.models import (
    EDXML_CODES,
    FROZEN_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeadlineExtension,
    Delivery,
    DeliveryStatus,
    Routing,
)
from workflows.rendering import render_routing_slip_pdf
from workflows.visibility import visible_assignment as visible_assignment
from workflows.visibility import visible_delivery as visible_delivery
from workflows.visibility import visible_document

# -- the delivery page ------------------------------------------------------------------------------

D = DeliveryStatus
#: Who of the recipient unit may start the reply draft (the action decides who may draft there).
_REPLY_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.DEPUTY, Role.CLERK, Role.PRINCIPAL})
_OPEN = (AssignmentState.NEW, AssignmentState.IN_PROGRESS)


class StepRefused(Exception):
    """A step refused for input the person can fix on the page: the bound form, the message, the status."""

    def __init__(self, key: str, form: forms.Form, message: str = "", *, status: int = 400, duplicates=()):
        super().__init__(message)
        self.key, self.form, self.message, self.status, self.duplicates = key, form, message, status, list(duplicates)


@dataclass
class Line:
    """One line of the routing slip on the page, with the buttons this person has on it."""

    assignment: Assignment
    children: list = field(default_factory=list)
    steps: tuple[str, ...] = ()
    forms: dict = field(default_factory=dict)
    error: str = ""


def _line_steps(line: Line, parent: Line | None, *, user, unit_roles: dict, router: bool, workable: bool):
    """The buttons ``user`` plausibly has on one line, by the rules of :mod:`workflows.actions.routing`."""
    a = line.assignment
    if not workable or a.state not in _OPEN:
        return ()
    roles = unit_roles.get(a.unit_id, set())
    reassigned = any(child.assignment.state != AssignmentState.RETURNED for child in line.children)
    own = a.user_id == user.pk or (a.unit_id is not None and not reassigned and bool(roles & WORKING_ROLES))
    steps: list[str] = []
    if a.kind == AssignmentKind.INFORM:
        if own and a.acknowledged_at is None:
            steps.append("acknowledge")
    else:
        if own and a.state == AssignmentState.NEW:
            steps.append("start")
        if own:
            steps += ["finish", "return"]
        parent_head = parent is not None and bool(unit_roles.get(parent.assignment.unit_id, set()) & REASSIGNING_ROLES)
        if a.deadline is not None and (router or a.assigned_by_id == user.pk or parent_head):
            steps.append("extend")
    if a.unit_id is not None and not reassigned and roles & REASSIGNING_ROLES:
        steps.append("reassign")
    return tuple(steps)


def line_id(a: Assignment, step: str) -> str:
    """The ``auto_id`` of a line's form: unique on the page, so each label points at its own box."""
    return f"a{a.pk}-{step}-%s"


def _line_forms(a: Assignment, steps: tuple[str, ...]) -> dict:
    made = {
        "finish": lambda: ResultForm(auto_id=line_id(a, "finish")),
        "return": lambda: ReasonForm(auto_id=line_id(a, "return")),
        "extend": lambda: ExtendForm(auto_id=line_id(a, "extend"), initial={"new_deadline": a.deadline}),
        "reassign": lambda: ReassignForm(auto_id=line_id(a, "reassign"), unit=a.unit),
    }
    return {name: made[name]() for name in steps if name in made}


def _delivery_steps(delivery: Delivery, *, roles: set, clerk: bool, router: bool, lines: list[Line]) -> set[str]:
    """The delivery's steps this person plausibly has now (the actions have the last word)."""
    status, registered = delivery.status, delivery.incoming_number is not None
    live = status not in FROZEN_STATUSES and status != D.RECALL_REQUESTED
    steps: set[str] = set()
    if clerk and (status == D.ARRIVED or (status == D.RECALL_REFUSED and not registered)):
        steps.add("register")
    if clerk and status == D.ARRIVED:
        steps.add("reject")
    if router and registered and delivery.routed_at is None and status in (D.REGISTERED, D.RECALL_REFUSED):
        steps.add("route")
    lead_live = any(
        line.assignment.kind == AssignmentKind.LEAD and line.assignment.state != AssignmentState.RETURNED
        for line in lines
    )
    if router and delivery.routed_at is not None and delivery.completed_at is None and live and not lead_live:
        steps.add("replace-lead")
    if router and registered and delivery.completed_at is None and live and status != D.COMPLETED:
        steps.add("complete")
    if roles & ACKNOWLEDGING_ROLES and registered and live and delivery.acknowledged_at is None:
        steps.add("acknowledge")
    if status == D.RECALL_REQUESTED and (clerk or router):
        steps |= {"accept-recall", "refuse-recall"}
    if delivery.recipient.kind == UnitKind.DISTRICT_OFFICE and (clerk or router) and registered and live:
        steps.add("forward")
    if roles & _REPLY_ROLES and registered and delivery.is_actionable and delivery.reply_id is None:
        steps.add("start-reply")
    return steps


def _delivery_forms(delivery: Delivery, steps: set[str]) -> dict:
    recipient = delivery.recipient
    made = {
        "register": lambda: RegisterForm(auto_id="register-%s"),
        "reject": lambda: ReasonForm(auto_id="reject-%s"),
        "route": lambda: RouteForm(auto_id="route-%s", recipient=recipient),
        "replace-lead": lambda: ReplaceLeadForm(auto_id="replace-%s", recipient=recipient),
        "complete": lambda: CommentForm(auto_id="complete-%s"),
        "accept-recall": lambda: CommentForm(auto_id="accept-%s"),
        "refuse-recall": lambda: ReasonForm(auto_id="refuse-%s"),
        "forward": lambda: ForwardForm(auto_id="forward-%s", office=recipient),
        "start-reply": lambda: StartReplyForm(auto_id="reply-%s"),
    }
    return {name.replace("-", "_"): made[name]() for name in steps if name in made}


def _slip_lines(delivery: Delivery) -> list[Line]:
    rows = list(
        Assignment.objects.filter(delivery=delivery)
        .select_related("unit", "user", "assigned_by", "acknowledged_by")
        .prefetch_related(Prefetch("extensions", DeadlineExtension.objects.select_related("extended_by")))
        .order_by("pk")
    )
    lines = {a.pk: Line(a) for a in rows}
    for a in rows:
        if a.parent_id is not None and a.parent_id in lines:
            lines[a.parent_id].children.append(lines[a.pk])
    return [line for line in lines.values() if line.assignment.parent_id is None]


def delivery_page_context(request: HttpRequest, delivery: Delivery, *, refused: StepRefused | None = None) -> dict:
    """Everything the delivery page shows, with the forms of this person's steps (the refused one bound)."""
    user, recipient = request.user, delivery.recipient
    roles = roles_in(user=user, unit=recipient)
    clerk, router = is_clerk_of(user, recipient), may_route(user, recipient)
    top = _slip_lines(delivery)
    every = [*top, *(child for line in top for child in line.children)]
    unit_roles: dict[int, set] = {}
    unit_ids = {line.assignment.unit_id for line in every if line.assignment.unit_id}
    for unit_id, role in (
        Membership.objects.in_force().filter(user=user, unit_id__in=unit_ids).values_list("unit_id", "role")
    ):
        unit_roles.setdefault(unit_id, set()).add(role)
    workable = delivery.status in WORKABLE
    for line in top:
        for item, parent in ((line, None), *((child, line) for child in line.children)):
            item.steps = _line_steps(item, parent, user=user, unit_roles=unit_roles, router=router, workable=workable)
            item.forms = _line_forms(item.assignment, item.steps)
    steps = _delivery_steps(delivery, roles=roles, clerk=clerk, router=router, lines=top)
    delivery_forms = _delivery_forms(delivery, steps)
    errors: dict[str, str] = {}
    unplaced = ""
    if refused is not None:
        unplaced = refused.message
        for line in every:
            if refused.key in {f"{name}-{line.assignment.pk}" for name in line.steps}:
                line.forms[refused.key.split("-")[0]], line.error, unplaced = refused.form, refused.message, ""
        key = refused.key.replace("-", "_")
        if key in delivery_forms:
            delivery_forms[key], errors[key], unplaced = refused.form, refused.message, ""
    document = delivery.document
    try:
        visible_document(user=user, pk=document.pk)
        document_visible = True
    except NotFound:
        document_visible = False
    return {
        "delivery": delivery,
        "document": document,
        "edxml_code": EDXML_CODES[delivery.status],
        "attachments": Attachment.objects.filter(document=document, removed_in_version__isnull=True).order_by(
            "role", "pk"
        ),
        "document_visible": document_visible,
        "routing": Routing.objects.select_related("routed_by").filter(delivery=delivery).first(),
        "lines": top,
        "children": delivery.children.select_related("recipient").order_by("recipient__path", "pk"),
        "history": [_history_row(entry) for entry in delivery_history(delivery)],
        "steps": steps,
        "refused_message": unplaced,
        "forms": delivery_forms,
        "errors": errors,
        "duplicates": refused.duplicates if refused is not None else [],
    }


#: The history's step names (the log rows' ``name``) as the page says them.
_HISTORY_NAMES = {
    "issue": _lazy("Văn bản đến đơn vị"),
    "registered": _lazy("Vào sổ"),
    "rejected": _lazy("Từ chối nhận"),
    "routed": _lazy("Phân phối"),
    "started": _lazy("Bắt đầu xử lý"),
    "start": _lazy("Bắt đầu xử lý"),
    "completed": _lazy("Hoàn thành"),
    "finished": _lazy("Báo cáo hoàn thành"),
    "returned": _lazy("Trả lại"),
    "created": _lazy("Giao việc"),
    "reassigned": _lazy("Giao lại"),
    "lead_replaced": _lazy("Giao chủ trì mới"),
    "acknowledge": _lazy("Xác nhận đã nhận"),
    "acknowledged": _lazy("Xác nhận đã nhận"),
    "forwarded": _lazy("Chuyển tiếp"),
    "extend_deadline": _lazy("Gia hạn xử lý"),
    "deadline_extended": _lazy("Gia hạn xử lý"),
    "request_recall": _lazy("Bên gửi đề nghị thu hồi"),
    "recall_accepted": _lazy("Chấp nhận thu hồi"),
    "recall_refused": _lazy("Từ chối thu hồi"),
    "reply_started": _lazy("Soạn văn bản trả lời"),
    "reply_issued": _lazy("Phát hành văn bản trả lời"),
}
_LABELS = {**dict(DeliveryStatus.choices), **dict(AssignmentState.choices)}


def _assignee_name(assignment: Assignment) -> str:
    return person_label(assignment.user) if assignment.user_id else assignment.unit.name


def _history_row(entry) -> dict:
    """One history line in words: the step, the move (statuses, or old → new deadline), who, when, why."""
    if entry.source == "extension":
        before, after = (datetime.date.fromisoformat(d).strftime("%d/%m/%Y") for d in (entry.before, entry.after))
    else:
        before, after = _LABELS.get(entry.before, entry.before), _LABELS.get(entry.after, entry.after)
    return {
        "entry": entry,
        "name": _HISTORY_NAMES.get(entry.name, entry.name),
        "before": before if before != after else "",
        "after": after,
        "assignee": _assignee_name(entry.assignment) if entry.assignment is not None else "",
    }


@login_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Trang văn bản đến: the document, the status, the routing slip, the history and this person's steps."""
    delivery = visible_delivery(request.user, pk)
    record_read(actor=request.user, kind=reads.VIEWED, target=delivery.document, data={"delivery": delivery.pk})
    return render(request, "incoming/detail.html", delivery_page_context(request, delivery))


@login_required
def routing_slip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Phiếu giải quyết văn bản đến (Phụ lục IV) as PDF; blank lines to fill by hand when not yet routed."""
    delivery = visible_delivery(request.user, pk)
    pdf = render_routing_slip_pdf(delivery)
    record_read(
        actor=request.user,
        kind=reads.PRINTED,
        target=delivery.document,
        data={"delivery": delivery.pk, "form": "routing_slip"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-giai-quyet-{delivery.pk}.pdf"'
    return response


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """A file of the delivery's document, for whoever may see the delivery.

    The document page's own download asks who may see the *document*; a document registered from
    outside the system has no dispatch to open it to the unit's leader and handlers, so its files are
    served through the delivery they came with.
    """
    delivery = visible_delivery(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, document_id=delivery.document_id)
    record_read(
        actor=request.user,
        kind=reads.DOWNLOADED,
        target=delivery.document,
        data={"delivery": delivery.pk, "file": attachment.pk, "filename": attachment.filename},
    )
    return FileResponse(
        storages["blobs"].open(attachment.blob_key, "rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )


# -- documents from outside the system ---------------------------------------------------------------

#: Where an action's ``details["field"]`` (or its code) shows on the external registration form.
_EXTERNAL_FIELD = {"files": "main_file", "issuer": "issuer", "issuer_name": "issuer_name"}
_EXTERNAL_CODE = {"secret_document_refused": "secrecy", "invalid_secrecy": "secrecy"}


@login_required
def register_external(request: HttpRequest) -> HttpResponse:
    """Vào sổ văn bản ngoài hệ thống: a scanned or e-mailed document, typed in and registered at once."""
    unit = acting_unit(request)
    if not is_clerk_of(request.user, unit):
        raise Forbidden(
            "Chỉ văn thư của đơn vị mới được vào sổ văn bản đến.",
            message_en="Only the unit's clerk may register an incoming document.",
            code="not_recipient_clerk",
        )
    form = ExternalDocumentForm(request.POST or None, request.FILES or None)
    duplicates: list = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            main = data.get("main_file")
            try:
                delivery = do_register_external(
                    unit,
                    ExternalDocumentInput(
                        document_type=data["document_type"].pk,
                        issuer=data["issuer"].pk if data.get("issuer") else None,
                        issuer_name=data.get("issuer_name", ""),
                        symbol=data["symbol"],
                        issued_on=data["issued_on"],
                        summary=data["summary"],
                        urgency=data.get("urgency", ""),
                        secrecy=data.get("secrecy", ""),
                        signer_name=data.get("signer_name", ""),
                        external_id=data.get("external_id", ""),
                        channel=data["channel"],
                        arrived_at=data.get("arrived_at"),
                        note=data.get("note", ""),
                    ),
                    acting_user=request.user,
                    files=[main, *data.get("attachments", [])] if main else [],
                    confirm_duplicate=data.get("confirm_duplicate", False),
                )
            except InvalidInput as exc:
                field = _EXTERNAL_CODE.get(exc.code) or _EXTERNAL_FIELD.get(exc.details.get("field", ""))
                field = field or exc.details.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            except Conflict as exc:
                if exc.code != "likely_duplicate":
                    raise
                duplicates = exc.details.get("duplicates", [])
                form.add_error("confirm_duplicate", exc.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("Đã vào sổ văn bản đến, số đến %(number)s.") % {"number": delivery.incoming_number},
                )
                return HttpResponseRedirect(reverse("delivery-detail", args=[delivery.pk]))
    context = {"form": form, "unit": unit, "duplicates": duplicates}
    return render(request, "incoming/external_form.html", context, status=status)
