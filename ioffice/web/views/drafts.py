"""The drafting editor (soạn thảo dự thảo): create and edit a draft, attach and remove its files.

Thin over :mod:`documents.actions`: the forms parse the page into a ``DraftInput``, the actions
decide. A refusal the drafter can fix (a secret level, a stale version, a bad recipient) is shown on
the form, with nothing saved; a refusal of the person (``Forbidden``) goes to the 403 page through
:class:`ioffice.web.middleware.DomainErrorMiddleware`.

Who may open a document page lives here too (:func:`visible_document`), because the editor is the
first page that needs it and the document page imports it from here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents.actions import check_not_secret, do_attach_file, do_create_draft, do_remove_attachment, do_update_draft
from documents.docx_import import extract_paragraphs
from documents.models import (
    Attachment,
    AttachmentRole,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentType,
)
from documents.selectors import drafts_of
from ioffice.acting import acting_unit
from ioffice.web.forms_documents import AttachmentForm, DraftForm, ReferenceFormSet, body_to_text
from journal.errors import Conflict, DomainError, InvalidInput
from organizations.models import Unit
from workflows.visibility import documents_visible_to
from workflows.visibility import visible_document as wf_visible_document

#: Who, besides the drafter, may open a draft that has no dispatch yet: the drafting unit's heads.

#: Where an action's ``details["field"]`` shows on the editor (the rest go to the top of the form).
_FIELD_ON_FORM = {
    "recipients": "units_thuc_hien",
    "recipient_lists": "lists_thuc_hien",
    "upload": "main_file",
}
_CODE_ON_FORM = {"docx_unreadable": "main_file", "secret_document_refused": "secrecy", "invalid_secrecy": "secrecy"}


def visible_document(request: HttpRequest, pk: int) -> Document:
    """The document ``pk`` if the user may open it, else 404 (:func:`workflows.visibility.visible_document`)."""
    return wf_visible_document(user=request.user, pk=pk)


def citable_documents(unit: Unit, user) -> QuerySet[Document]:
    """The issued documents of ``unit``'s agency ``user`` may see and cite by number, newest first (bounded).

    Only visible ones (:func:`workflows.visibility.documents_visible_to`): the list shows their
    summaries, and the form accepts no other target.
    """
    agency = unit.issuing_agency
    visible = documents_visible_to(user).order_by().values("pk")
    ids = list(
        Document.objects.filter(issuer=agency, number__isnull=False, pk__in=visible)
        .order_by("-issued_on", "-number")
        .values_list("pk", flat=True)[:300]
    )
    return Document.objects.filter(pk__in=ids).order_by("-issued_on", "-number")


def show_error(form, exc: DomainError) -> None:
    """Put an action's refusal on the field it is about, or at the top of the form."""
    field = _CODE_ON_FORM.get(exc.code) or _FIELD_ON_FORM.get(exc.details.get("field", ""), exc.details.get("field"))
    form.add_error(field if field in form.fields else None, exc.message)


def _references(formset) -> list:
    return [ref for form in formset.forms if form.has_changed() and (ref := form.to_input()) is not None]


@login_required
def draft_list(request: HttpRequest) -> HttpResponse:
    """Dự thảo của tôi: the user's unnumbered drafts, last edited first."""
    drafts = drafts_of(user=request.user).select_related("dispatch")
    return render(request, "documents/draft_list.html", {"drafts": drafts})


@login_required
def draft_create(request: HttpRequest) -> HttpResponse:
    """New draft in the active unit; a .docx upload becomes its body and its main file."""
    unit = acting_unit(request)
    targets = citable_documents(unit, request.user)
    cong_van = DocumentType.objects.filter(name="Công văn", is_active=True).values_list("pk", flat=True).first()
    form = DraftForm(
        request.POST or None, request.FILES or None, initial={"place": "Đồng Tháp", "document_type": cong_van}
    )
    references = ReferenceFormSet(request.POST or None, prefix="ref", form_kwargs={"targets": targets})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and references.is_valid():
            upload = form.cleaned_data.get("main_file")
            try:
                # Secrecy first: a secret .docx must not even be read.
                check_not_secret(form.cleaned_data.get("secrecy") or "")
                body = extract_paragraphs(upload) if upload else None
                document = do_create_draft(
                    acting_user=request.user,
                    unit=unit,
                    data=form.to_input(references=_references(references), body=body),
                )
            except InvalidInput as exc:
                show_error(form, exc)
            else:
                if upload:
                    do_attach_file(
                        document,
                        acting_user=request.user,
                        upload=upload,
                        role=AttachmentRole.MAIN,
                        expected_version=document.version,
                    )
                messages.success(request, _("Đã lưu dự thảo (phiên bản 1)."))
                return HttpResponseRedirect(reverse("document-detail", args=[document.pk]))
    context = {"form": form, "references": references, "unit": unit, "document": None}
    return render(request, "documents/draft_form.html", context, status=status)


@login_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft as its next version; a version saved by someone else meanwhile is refused, not overwritten."""
    document = visible_document(request, pk)
    if document.number is not None or document.locked:
        messages.warning(
            request,
            _("Văn bản đã được cấp số hoặc đang được trình duyệt, trình ký nên không sửa được."),
        )
        return HttpResponseRedirect(reverse("document-detail", args=[document.pk]))
    document = Document.objects.prefetch_related(
        Prefetch("recipients", DocumentRecipient.objects.all()),
        Prefetch("recipient_lists", DocumentRecipientList.objects.all()),
        "references",
    ).get(pk=document.pk)
    targets = citable_documents(document.drafting_unit, request.user)
    initial_refs = [{"kind": r.kind, "target": r.target_id, "citation": r.citation} for r in document.references.all()]
    if request.method == "POST":
        form = DraftForm(request.POST, request.FILES, document=document)
        references = ReferenceFormSet(
            request.POST, prefix="ref", initial=initial_refs, form_kwargs={"targets": targets}
        )
    else:
        form = DraftForm(initial=DraftForm.initial_for(document), document=document)
        references = ReferenceFormSet(prefix="ref", initial=initial_refs, form_kwargs={"targets": targets})
    status = 200
    conflict = None
    if request.method == "POST":
        status = 400
        if form.is_valid() and references.is_valid():
            upload = form.cleaned_data.get("main_file")
            expected = form.cleaned_data.get("expected_version") or document.version
            try:
                check_not_secret(form.cleaned_data.get("secrecy") or "")
                body = extract_paragraphs(upload) if upload else None
                if body is None and form.cleaned_data.get("body", "").strip() == body_to_text(document.body).strip():
                    # The text box cannot show bold or italic: an untouched body keeps its emphasis.
                    body = document.body
                document = do_update_draft(
                    document,
                    acting_user=request.user,
                    data=form.to_input(references=_references(references), body=body),
                    expected_version=expected,
                )
            except InvalidInput as exc:
                show_error(form, exc)
            except Conflict as exc:
                conflict = exc
                status = 409
            else:
                if upload:
                    do_attach_file(
                        document,
                        acting_user=request.user,
                        upload=upload,
                        role=AttachmentRole.MAIN,
                        expected_version=document.version,
                    )
                    document.refresh_from_db(fields=["version"])
                messages.success(request, _("Đã lưu dự thảo (phiên bản %(version)s).") % {"version": document.version})
                return HttpResponseRedirect(reverse("document-detail", args=[document.pk]))
    context = {
        "form": form,
        "references": references,
        "unit": document.drafting_unit,
        "document": document,
        "conflict": conflict,
    }
    return render(request, "documents/draft_form.html", context, status=status)


@require_POST
@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to a draft (a new version); a refusal comes back on the document page."""
    document = visible_document(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn tệp để đính kèm."))
        return HttpResponseRedirect(reverse("document-detail", args=[document.pk]) + "#tep")
    try:
        do_attach_file(
            document,
            acting_user=request.user,
            upload=form.cleaned_data["upload"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except (InvalidInput, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đính kèm tệp %(name)s.") % {"name": form.cleaned_data["upload"].name})
    return HttpResponseRedirect(reverse("document-detail", args=[document.pk]) + "#tep")


@require_POST
@login_required
def attachment_remove(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """Take a file off a draft (a new version); the file stays on the record."""
    document = visible_document(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, document=document)
    try:
        expected = int(request.POST.get("expected_version", ""))
    except ValueError:
        expected = None
    try:
        do_remove_attachment(attachment, acting_user=request.user, expected_version=expected)
    except (InvalidInput, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gỡ tệp %(name)s khỏi dự thảo.") % {"name": attachment.filename})
    return HttpResponseRedirect(reverse("document-detail", args=[document.pk]) + "#tep")
