"""Pages for explicit access to a document (Decree 30, Phụ lục VI): the access list, asking, deciding.

Who may read a document's access list and ask for a change is
:func:`documents.access_selectors.access_role` (the responsible unit's heads, admins, clerks and
archivists); to everyone else the access page is a 404 like a document that does not exist. The
document page shows the same section (:func:`access_section`) to those people. Every POST goes
through an action, which checks the right again: its refusals become 403/409 pages, and input the
person can fix on the same page (no reason, an unknown user name) is shown inline with status 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents.access_selectors import (
    AccessRole,
    access_changes_awaiting,
    access_list,
    access_role,
    document_for_access,
    visible_access_change,
)
from documents.actions.access import (
    do_cancel_access_change,
    do_confirm_access_change,
    do_refuse_access_change,
    do_request_access_grant,
    do_request_access_revoke,
)
from documents.models import AccessChangeKind, AccessPermission, Document
from journal.errors import InvalidInput
from organizations.models import Unit, UnitKind

#: How many people a user-name search offers; a longer list means the search should be narrower.
SEARCH_LIMIT = 20
#: The awaiting list's page size; the count above it says how many there are in all.
AWAITING_SHOWN = 200


def access_section(user, document: Document) -> dict | None:
    """What the document page's access section needs, or ``None`` for someone who may not see it."""
    role = access_role(user=user, document=document)
    if role < AccessRole.REQUESTER:
        return None
    return {
        "list": access_list(document=document),
        "may_confirm": role >= AccessRole.CONFIRMER,
        "permissions": AccessPermission.choices,
    }


def _units() -> list[Unit]:
    # Outside agencies (made when a clerk registers their paper) hold no accounts to open anything to.
    return list(Unit.objects.filter(is_active=True).exclude(kind=UnitKind.EXTERNAL).only("pk", "name").order_by("path"))


def _search_users(query: str) -> list:
    query = query.strip()
    if not query:
        return []
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(username__icontains=query) | Q(last_name__icontains=query) | Q(first_name__icontains=query))
        .order_by("username")[:SEARCH_LIMIT]
    )


def _render(request: HttpRequest, document: Document, *, error: str = "", status: int = 200) -> HttpResponse:
    query = request.GET.get("tim", "")
    return render(
        request,
        "access/document.html",
        {
            "document": document,
            "access": access_section(request.user, document),
            "units": _units(),
            "query": query,
            "found": _search_users(query),
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
def document_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Quyền truy cập văn bản: the rights in force, the changes waiting, the form to ask for one."""
    return _render(request, document_for_access(user=request.user, pk=pk))


def _grantee(post) -> dict:
    """The grantee the form names: a user by exact user name, or a unit by id."""
    if post.get("grantee_type") == "unit":
        raw = post.get("unit", "")
        unit = Unit.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
        if unit is None:
            raise InvalidInput(
                _("Hãy chọn đơn vị được cấp quyền."), code="unknown_grantee", details={"field": "grantee_unit"}
            )
        return {"grantee_unit": unit}
    username = post.get("username", "").strip()
    user = get_user_model().objects.filter(username__iexact=username, is_active=True).first() if username else None
    if user is None:
        raise InvalidInput(
            _("Không tìm thấy người dùng có tên đăng nhập “%(name)s”.") % {"name": username},
            code="unknown_grantee",
            details={"field": "grantee_user"},
        )
    return {"grantee_user": user}


@require_POST
@login_required
def access_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a grant or a revocation; it waits for a second person (chờ xác nhận)."""
    document = document_for_access(user=request.user, pk=pk)
    kind = request.POST.get("kind", AccessChangeKind.GRANT)
    action = do_request_access_revoke if kind == AccessChangeKind.REVOKE else do_request_access_grant
    try:
        action(
            document,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
            permission=request.POST.get("permission", AccessPermission.VIEW),
            **_grantee(request.POST),
        )
    except InvalidInput as exc:
        return _render(request, document, error=exc.message, status=400)
    messages.success(request, _("Đã gửi đề nghị; quyền chỉ thay đổi khi người có thẩm quyền khác xác nhận."))
    return HttpResponseRedirect(reverse("document-access", args=[document.pk]))


def _back(request: HttpRequest, change) -> HttpResponseRedirect:
    if request.POST.get("from") == "awaiting":
        return HttpResponseRedirect(reverse("access-awaiting"))
    return HttpResponseRedirect(reverse("document-access", args=[change.document_id]))


@require_POST
@login_required
def access_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    change = visible_access_change(user=request.user, pk=pk)
    do_confirm_access_change(change, acting_user=request.user, comment=request.POST.get("comment", ""))
    messages.success(request, _("Đã xác nhận; thay đổi quyền truy cập có hiệu lực."))
    return _back(request, change)


@require_POST
@login_required
def access_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    change = visible_access_change(user=request.user, pk=pk)
    try:
        do_refuse_access_change(change, acting_user=request.user, comment=request.POST.get("comment", ""))
    except InvalidInput as exc:
        if request.POST.get("from") == "awaiting":
            return _render_awaiting(request, error=exc.message, status=400)
        return _render(request, change.document, error=exc.message, status=400)
    messages.success(request, _("Đã từ chối đề nghị thay đổi quyền truy cập."))
    return _back(request, change)


@require_POST
@login_required
def access_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    change = visible_access_change(user=request.user, pk=pk)
    do_cancel_access_change(change, acting_user=request.user, comment=request.POST.get("comment", ""))
    messages.success(request, _("Đã hủy đề nghị."))
    return _back(request, change)


def _render_awaiting(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    awaiting = access_changes_awaiting(user=request.user)
    return render(
        request,
        "access/awaiting.html",
        {"changes": list(awaiting[:AWAITING_SHOWN]), "total": awaiting.count(), "error": error},
        status=status,
    )


@login_required
def access_awaiting(request: HttpRequest) -> HttpResponse:
    """Quyền truy cập chờ xác nhận: what others asked in the units this person heads or administers."""
    return _render_awaiting(request)
