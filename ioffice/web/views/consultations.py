"""The consultation page (lấy ý kiến): the consolidated opinions, the answer form, closing, opinion files.

Who may read the page is :func:`workflows.consultation_selectors.visible_consultation` (who may open the
draft, or an asked party); everyone else gets the same 404 as for a consultation that does not exist.
The actions check the right to answer or close again; their refusals become 400/403/409 pages.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from journal import reads
from journal.errors import InvalidInput
from journal.reads import record_read
from organizations.models import Membership, Unit
from workflows.actions.consultations import do_answer_consultation, do_close_consultation, do_open_consultation
from workflows.consultation_selectors import consultation_summary, visible_consultation
from workflows.models import ConsultationState, OpinionFile, OpinionStance
from workflows.selectors import visible_document


@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = visible_consultation(user=request.user, pk=pk)
    record_read(
        actor=request.user, kind=reads.VIEWED, target=consultation.document, data={"consultation": consultation.pk}
    )
    return _render(request, consultation)


def _render(request: HttpRequest, consultation, *, error: str = "", status: int = 200) -> HttpResponse:
    summary = consultation_summary(consultation=consultation)
    return render(
        request,
        "consultations/detail.html",
        {
            "summary": summary,
            "c": consultation,
            "accepts_answers": consultation.accepts_answers(),
            # Past the deadline answers stop, but the drafter may still close the round.
            "may_close": consultation.state == ConsultationState.OPEN,
            "stances": OpinionStance.choices,
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = visible_consultation(user=request.user, pk=pk)
    party = get_object_or_404(consultation.requests, pk=request.POST.get("request") or 0)
    try:
        do_answer_consultation(
            party,
            acting_user=request.user,
            stance=request.POST.get("stance", ""),
            text=request.POST.get("text", ""),
            files=request.FILES.getlist("files"),
        )
    except InvalidInput as exc:
        # A missing reason can be fixed on the same page, so it is shown there rather than as an error page.
        return _render(request, consultation, error=str(exc.message), status=400)
    return HttpResponseRedirect(reverse("consultation-detail", args=[pk]))


@login_required
@require_POST
def consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = visible_consultation(user=request.user, pk=pk)
    do_close_consultation(consultation, acting_user=request.user)
    return HttpResponseRedirect(reverse("consultation-detail", args=[pk]))


@login_required
def opinion_file_download(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    consultation = visible_consultation(user=request.user, pk=pk)
    item = get_object_or_404(OpinionFile, pk=file_id, opinion__request__consultation=consultation)
    record_read(
        actor=request.user,
        kind=reads.DOWNLOADED,
        target=consultation.document,
        data={"consultation": consultation.pk, "opinion_file": item.pk, "filename": item.filename},
    )
    return FileResponse(storages["blobs"].open(item.blob_key, "rb"), as_attachment=True, filename=item.filename)


VN_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _ids(values: list[str]) -> list[int]:
    """The whole numbers among posted ids; anything else (a tampered form) chooses nobody."""
    return [int(v) for v in values if v.isdigit()]


@login_required
def consultation_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a consultation on draft ``pk``: question, deadline (Vietnam time), people and units asked."""
    document = visible_document(user=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            deadline = datetime.datetime.fromisoformat(request.POST.get("deadline", "")).replace(tzinfo=VN_TZ)
        except ValueError:
            error = "Hạn góp ý không hợp lệ."
        else:
            users = get_user_model().objects.filter(pk__in=_ids(request.POST.getlist("users")), is_active=True)
            units = Unit.objects.filter(pk__in=_ids(request.POST.getlist("units")))
            try:
                consultation = do_open_consultation(
                    document,
                    acting_user=request.user,
                    question=request.POST.get("question", ""),
                    deadline=deadline,
                    users=list(users),
                    units=list(units),
                )
            except InvalidInput as exc:
                error = str(exc.message)
            else:
                return HttpResponseRedirect(reverse("consultation-detail", args=[consultation.pk]))
    memberships = Membership.objects.in_force().select_related("user", "unit").order_by("unit__name", "user__last_name")
    return render(
        request,
        "consultations/open.html",
        {
            "document": document,
            "units": Unit.objects.order_by("name"),
            "memberships": memberships.exclude(user=request.user),
            "error": error,
            "post": request.POST,
        },
        status=400 if error else 200,
    )
