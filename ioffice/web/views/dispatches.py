"""The document page and the outgoing dispatch's pages: work lists, transitions, preview, tracking.

The buttons a page shows are a convenience computed from the state and the person; the action
behind each POST checks the right again and refuses with 403/409 (shown by
:class:`ioffice.web.middleware.DomainErrorMiddleware`). Only a refusal the person can fix on the
same page (a missing reason, no reviewer chosen) is shown inline, with status 400.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from documents.diff import compare_versions
from documents.models import Attachment, Document, RecipientPurpose, SignerAuthority
from documents.rendering.docx import render_docx
from documents.rendering.from_document import printable_for
from documents.rendering.pdf import render_pdf
from documents.selectors import versions_of
from ioffice.web.context import display_name
from ioffice.web.forms_documents import AttachmentForm, TransitionForm
from ioffice.web.views.access import access_section
from ioffice.web.views.drafts import visible_document
from journal import reads
from journal.errors import InvalidInput, NotFound
from journal.reads import record_read
from organizations.models import Role
from organizations.selectors import authority_holders, members_with, roles_in
from workflows import actions as wf
from workflows import selectors as wf_selectors
from workflows.actions.dispatches import REVIEWER_ROLES
from workflows.actions.issue import RECALLER_ROLES
from workflows.consultation_selectors import consultation_summary, consultations_of
from workflows.incoming_selectors import recipient_status_log, tracking_tree
from workflows.models import Delivery, DeliveryTransition, Dispatch, DispatchState
from workflows.models.deliveries import EDXML_CODES, DeliveryChannel, DeliveryStatus
from workflows.read_audit import document_readers
from workflows.visibility import dispatches_tracked_by, dispatches_visible_to, tracked_dispatch

S = DispatchState


#: Who may recall an issued dispatch, as far as the page is concerned (the action has the last word).
@dataclass(frozen=True)
class Transition:
    """One button of the document page: the action's name, its label, and the inputs its form needs."""

    name: str
    label: str
    needs: tuple[str, ...] = ()
    primary: bool = True
    choices: dict = field(default_factory=dict)


_LABELS = {
    "submit_for_review": gettext_lazy("Trình lãnh đạo phòng duyệt"),
    "approve": gettext_lazy("Duyệt"),
    "return": gettext_lazy("Trả lại"),
    "submit_for_signature": gettext_lazy("Trình ký"),
    "sign": gettext_lazy("Ký duyệt"),
    "number": gettext_lazy("Cấp số"),
    "seal": gettext_lazy("Đóng dấu"),
    "issue": gettext_lazy("Phát hành"),
    "recall": gettext_lazy("Thu hồi"),
}


_RELATED_LABELS = {
    "replaces": gettext_lazy("Thay thế văn bản"),
    "replaced_by": gettext_lazy("Bị thay thế bởi"),
    "corrects": gettext_lazy("Đính chính văn bản"),
    "corrected_by": gettext_lazy("Được đính chính bởi"),
}


def dispatch_of(document: Document) -> Dispatch | None:
    try:
        return document.dispatch
    except Dispatch.DoesNotExist:
        return None


def available_transitions(document: Document, dispatch: Dispatch | None, user) -> list[Transition]:
    """The transitions ``user`` may plausibly fire now, in the order a page shows them."""
    state = dispatch.state if dispatch is not None else S.DRAFT
    is_drafter = document.created_by_id == user.pk
    found: list[Transition] = []
    if state in (S.DRAFT, S.RETURNED) and is_drafter and document.number is None:
        found.append(Transition("submit_for_review", _LABELS["submit_for_review"], ("reviewer", "comment")))
    if dispatch is None:
        return found
    if state == S.SUBMITTED and dispatch.reviewer_id == user.pk:
        found.append(Transition("approve", _LABELS["approve"], ("comment",)))
        found.append(Transition("return", _LABELS["return"], ("reason",), primary=False))
    if state == S.APPROVED and user.pk in (dispatch.reviewer_id, document.created_by_id):
        found.append(
            Transition("submit_for_signature", _LABELS["submit_for_signature"], ("signer", "authority", "comment"))
        )
    if state == S.AWAITING_SIGNATURE and dispatch.signer_id == user.pk:
        found.append(Transition("sign", _LABELS["sign"], ("comment",)))
        found.append(Transition("return", _LABELS["return"], ("reason",), primary=False))
    issuer_roles = (
        roles_in(user=user, unit=document.issuer) if state in (S.SIGNED, S.NUMBERED, S.SEALED, S.ISSUED) else set()
    )
    if Role.CLERK in issuer_roles:
        clerk_step = {S.SIGNED: "number", S.NUMBERED: "seal", S.SEALED: "issue"}.get(state)
        if clerk_step:
            found.append(Transition(clerk_step, _LABELS[clerk_step]))
    if state == S.ISSUED and issuer_roles & RECALLER_ROLES:
        found.append(Transition("recall", _LABELS["recall"], ("reason",), primary=False))
    return found


def _user_from(raw: int | None, *, field: str, message: str):
    user = get_user_model().objects.filter(pk=raw, is_active=True).first() if raw else None
    if user is None:
        raise InvalidInput(message, code=f"{field}_required", details={"field": field})
    return user


def _fire(name: str, document: Document, dispatch: Dispatch | None, user, data: dict) -> Dispatch:
    """Run the action behind button ``name``; ``InvalidInput`` for input the person must supply first."""
    if name == "submit_for_review":
        reviewer = _user_from(data.get("reviewer"), field="reviewer", message="Vui lòng chọn lãnh đạo duyệt.")
        if dispatch is None:
            dispatch = wf.do_start_dispatch(document, acting_user=user)
        return wf.do_submit_for_review(dispatch, acting_user=user, reviewer=reviewer, comment=data.get("comment", ""))
    if dispatch is None:
        raise NotFound("Văn bản chưa vào quy trình phát hành.", code="no_dispatch", message_en="No dispatch yet.")
    match name:
        case "approve":
            return wf.do_approve(dispatch, acting_user=user, comment=data.get("comment", ""))
        case "return":
            return wf.do_return(dispatch, acting_user=user, reason=data.get("reason", ""))
        case "submit_for_signature":
            signer = _user_from(data.get("signer"), field="signer", message="Vui lòng chọn người ký.")
            return wf.do_submit_for_signature(
                dispatch,
                acting_user=user,
                signer=signer,
                authority=data.get("authority") or SignerAuthority.NONE,
                comment=data.get("comment", ""),
            )
        case "sign":
            return wf.do_sign(dispatch, acting_user=user, comment=data.get("comment", ""))
        case "number":
            return wf.do_number(dispatch, acting_user=user)
        case "seal":
            return wf.do_seal(dispatch, acting_user=user)
        case "issue":
            return wf.do_issue_dispatch(dispatch, acting_user=user)
        case "recall":
            return wf.do_recall_dispatch(dispatch, acting_user=user, reason=data.get("reason", ""))
    raise NotFound("Không có thao tác này.", code="unknown_transition", message_en="No such transition.")


def _page_context(request: HttpRequest, document: Document) -> dict:
    dispatch = dispatch_of(document)
    attachments = list(Attachment.objects.filter(document=document).select_related("uploaded_by"))
    transitions = available_transitions(document, dispatch, request.user)
    needs = {need for t in transitions for need in t.needs}
    is_editor = document.created_by_id == request.user.pk or bool(
        roles_in(user=request.user, unit=document.drafting_unit) & wf_selectors.DRAFT_READER_ROLES
    )
    return {
        "document": document,
        "dispatch": dispatch,
        "log": dispatch.transitions.select_related("actor") if dispatch is not None else [],
        "current_attachments": [a for a in attachments if a.is_current],
        "removed_attachments": [a for a in attachments if not a.is_current],
        "versions": versions_of(document=document),
        "transitions": transitions,
        "reviewers": members_with(unit=document.drafting_unit, roles=REVIEWER_ROLES) if "reviewer" in needs else [],
        "signers": authority_holders(unit=document.issuer, authority="sign") if "signer" in needs else [],
        "authorities": SignerAuthority.choices,
        "editable": is_editor and document.number is None and not document.locked,
        "attachment_form": AttachmentForm(initial={"expected_version": document.version}),
        "related": [
            (_RELATED_LABELS[key], documents)
            for key, documents in wf_selectors.related_documents(document=document).items()
            if documents
        ],
        # The tracking link is the sender's: a recipient or a grantee sees the document, not the others' copies.
        "issued": dispatch is not None
        and dispatch.state in (S.ISSUED, S.RECALLED, S.REPLACED)
        and dispatches_tracked_by(request.user).filter(pk=dispatch.pk).exists(),
        "consultations": [consultation_summary(consultation=c) for c in consultations_of(document=document)],
        "access": access_section(request.user, document),
        "readers": document_readers(request.user, document),
    }


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Trang văn bản: metadata, preview, files, versions, the dispatch's log and this person's buttons."""
    document = visible_document(request, pk)
    record_read(actor=request.user, kind=reads.VIEWED, target=document)
    return render(request, "documents/detail.html", _page_context(request, document))


@require_POST
@login_required
def document_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Fire transition ``name``; Forbidden/Conflict go to the 403/409 page, missing input stays here."""
    if name not in _LABELS:
        raise NotFound("Không có thao tác này.", code="unknown_transition", message_en="No such transition.")
    document = visible_document(request, pk)
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        _fire(name, document, dispatch_of(document), request.user, form.cleaned_data)
    except InvalidInput as exc:
        document = visible_document(request, pk)
        context = _page_context(request, document) | {"transition_error": exc.message, "failed": name}
        return render(request, "documents/detail.html", context, status=400)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": _LABELS[name]})
    return HttpResponseRedirect(reverse("document-detail", args=[document.pk]))


@xframe_options_sameorigin
@login_required
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The Decree 30 print of the document as PDF (a draft prints with blanks for number and date)."""
    document = visible_document(request, pk)
    pdf = render_pdf(printable_for(document))
    record_read(actor=request.user, kind=reads.PRINTED, target=document, data={"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_file_stem(document)}.pdf"'
    return response


@login_required
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same layout as .docx, for the clerk who finishes in Word."""
    document = visible_document(request, pk)
    docx = render_docx(printable_for(document))
    record_read(actor=request.user, kind=reads.EXPORTED, target=document, data={"format": "docx"})
    response = HttpResponse(
        docx,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(document)}.docx"'
    return response


def _file_stem(document: Document) -> str:
    # Symbols hold "/" and Vietnamese letters; an ASCII name is safe in every browser's header parser.
    if document.number is not None:
        return f"van-ban-so-{document.number}-{document.issued_on:%Y}"
    return f"du-thao-{document.pk}-v{document.version}"


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """One file of the document, byte for byte as uploaded."""
    document = visible_document(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, document=document)
    record_read(
        actor=request.user,
        kind=reads.DOWNLOADED,
        target=document,
        data={"file": attachment.pk, "filename": attachment.filename},
    )
    return FileResponse(
        storages["blobs"].open(attachment.blob_key, "rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )


@login_required
def document_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions (``?a=&b=``); the fragment alone when HTMX asks."""
    document = visible_document(request, pk)
    versions = {v.number: v for v in versions_of(document=document)}
    try:
        a, b = versions[int(request.GET.get("a", ""))], versions[int(request.GET.get("b", ""))]
    except (KeyError, ValueError):
        raise InvalidInput(
            "Vui lòng chọn hai phiên bản của dự thảo để so sánh.",
            code="versions_required",
            message_en="Choose two versions of the draft to compare.",
        ) from None
    if a.number > b.number:
        a, b = b, a
    record_read(actor=request.user, kind=reads.VIEWED, target=document, data={"compare": [a.number, b.number]})
    context = {"document": document, "diff": compare_versions(a, b), "a": a, "b": b}
    template = "documents/_compare.html" if request.headers.get("HX-Request") else "documents/compare.html"
    return render(request, template, context)


# -- work lists ------------------------------------------------------------------------------------


@login_required
def queue_review(request: HttpRequest) -> HttpResponse:
    dispatches = wf_selectors.awaiting_review(user=request.user)
    return _queue_page(request, _("Dự thảo chờ tôi duyệt"), dispatches, _("Không có dự thảo nào chờ duyệt."))


@login_required
def queue_signature(request: HttpRequest) -> HttpResponse:
    dispatches = wf_selectors.awaiting_signature(user=request.user)
    return _queue_page(request, _("Văn bản chờ tôi ký"), dispatches, _("Không có văn bản nào chờ ký."))


@login_required
def queue_clerk(request: HttpRequest) -> HttpResponse:
    """The clerk's three lists: to number, to seal, to issue."""
    sections = [
        (_("Chờ cấp số"), wf_selectors.awaiting_numbering(user=request.user)),
        (_("Chờ đóng dấu"), wf_selectors.at_clerk_desk(user=request.user, state=S.NUMBERED)),
        (_("Chờ phát hành"), wf_selectors.at_clerk_desk(user=request.user, state=S.SEALED)),
    ]
    return render(request, "dispatches/clerk_queue.html", {"sections": sections})


@login_required
def issued_list(request: HttpRequest) -> HttpResponse:
    """Văn bản đã phát hành of the agency of the active unit, newest first."""
    membership = request.active_membership
    if membership is None:
        dispatches = Dispatch.objects.none()
        agency = None
    else:
        agency = membership.unit.issuing_agency
        visible = dispatches_visible_to(request.user).order_by().values("pk")
        dispatches = wf_selectors.issued_by(unit=agency).filter(pk__in=visible)[:500]
    return render(request, "dispatches/issued_list.html", {"dispatches": dispatches, "agency": agency})


def _queue_page(request: HttpRequest, title: str, dispatches, empty: str) -> HttpResponse:
    return render(request, "dispatches/queue.html", {"title": title, "dispatches": dispatches, "empty": empty})


# -- after issue -----------------------------------------------------------------------------------


def _issued_dispatch(request: HttpRequest, pk: int) -> tuple[Document, Dispatch]:
    document = visible_document(request, pk)
    dispatch = dispatch_of(document)
    if dispatch is None or dispatch.issued_at is None:
        raise NotFound(
            "Văn bản chưa được phát hành nên chưa có thông tin theo dõi.",
            code="not_issued",
            message_en="The document has not been issued yet.",
        )
    # Every recipient's progress is the sending side's to follow, never a recipient's or a grantee's.
    tracked_dispatch(request.user, dispatch.pk)
    return document, dispatch


@login_required
def dispatch_tracking(request: HttpRequest, pk: int) -> HttpResponse:
    """Theo dõi văn bản đi: counts per status and channel, then each direct recipient as the sender sees it.

    Per recipient: its status (edXML code), who moved it last and when, its số đến, the "đã nhận",
    the reply once issued, and — for a district office that forwarded — the roll-up of its schools with
    the schools listed under a details/summary. A fixed number of queries whatever the recipient count.
    """
    document, dispatch = _issued_dispatch(request, pk)
    summary = wf_selectors.tracking_summary(dispatch=dispatch)
    tracks = tracking_tree(dispatch)
    # The last step of each direct recipient's copy: the newest log row per delivery, in one query.
    newest = DeliveryTransition.objects.filter(delivery=OuterRef("delivery")).order_by("-at", "-pk").values("pk")[:1]
    last_steps = {
        step.delivery_id: step
        for step in recipient_status_log(dispatch).filter(delivery__parent__isnull=True, pk=Subquery(newest))
    }
    reply_ids = [t.delivery.reply_id for t in tracks if t.delivery.reply_id]
    issued = Dispatch.objects.filter(document_id__in=reply_ids, issued_at__isnull=False)
    issued_replies = set(issued.values_list("document_id", flat=True))
    forwarded: dict[int, list] = {}
    for child in (
        Delivery.objects.filter(parent__dispatch=dispatch, parent__parent__isnull=True)
        .select_related("recipient")
        .order_by("recipient__path", "pk")
    ):
        forwarded.setdefault(child.parent_id, []).append(child)
    context = {
        "document": document,
        "dispatch": dispatch,
        "total": summary["total"],
        "by_status": [
            (status.label, EDXML_CODES[status.value], summary["by_status"][status.value]) for status in DeliveryStatus
        ],
        "by_channel": [(channel.label, summary["by_channel"][channel.value]) for channel in DeliveryChannel],
        "recipients": [
            {
                "track": track,
                "delivery": track.delivery,
                "last_step": last_steps.get(track.delivery.pk),
                "last_step_by": display_name(last_steps[track.delivery.pk].actor)
                if track.delivery.pk in last_steps
                else "",
                "reply_issued": track.delivery.reply_id in issued_replies,
                "schools": forwarded.get(track.delivery.pk, []),
            }
            for track in tracks
        ],
    }
    return render(request, "dispatches/tracking.html", context)


@login_required
def paper_dispatch_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Phiếu gửi: the units that get this document on paper, printable for the post."""
    document, dispatch = _issued_dispatch(request, pk)
    purposes = dict(RecipientPurpose.choices)
    rows = [
        row | {"purpose": purposes.get(row["purpose"], row["purpose"])}
        for row in wf_selectors.paper_deliveries(dispatch=dispatch)
    ]
    context = {"document": document, "dispatch": dispatch, "rows": rows}
    return render(request, "dispatches/paper_list.html", context)
