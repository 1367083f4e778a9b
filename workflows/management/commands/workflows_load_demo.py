"""Demo mail for the pilot units: dispatches of the Sở that have reached Phòng GDĐT TP Cao Lãnh and a THPT.

Run after ``organizations_load_demo`` (``scripts/run`` does both). Everything goes through the real
actions — drafted by the CNTT officer, approved by the division head, signed by the director, numbered,
sealed and issued by the Sở's clerk — so the demo shows what the system does, not rows typed in.
One dispatch is registered at the Phòng and waits there for routing; a Hỏa tốc one waits in every
clerk's inbox; the holiday calendar gets this year's and next year's fixed public holidays.
Idempotent: a second run finds the demo dispatches by their summaries and adds nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from documents.actions.drafts import DraftInput, RecipientInput, do_create_draft
from documents.models import Document, DocumentType, RecipientPurpose, SignerAuthority, Urgency
from organizations.management.commands.organizations_load_demo import CAO_LANH, CNTT, thpt_code
from organizations.models import Unit
from workflows.actions.dispatches import (
    do_approve,
    do_number,
    do_seal,
    do_sign,
    do_start_dispatch,
    do_submit_for_review,
    do_submit_for_signature,
)
from workflows.actions.incoming import do_register_delivery
from workflows.actions.issue import do_issue_dispatch
from workflows.calendar import load_public_holidays
from workflows.models import Delivery

ROUTINE = "V/v triển khai sử dụng văn phòng điện tử tại các đơn vị thí điểm (dữ liệu thử)"
URGENT = "V/v báo cáo nhanh tình hình thiệt hại do mưa lũ tại các trường học (dữ liệu thử)"

BODY = [
    [{"text": "Thực hiện kế hoạch chuyển đổi số của ngành, Sở Giáo dục và Đào tạo đề nghị các đơn vị "
              "triển khai văn phòng điện tử theo hướng dẫn kèm theo."}],
    [{"text": "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị liên hệ Phòng Công nghệ thông tin - "
              "Thiết bị - Thư viện để được hỗ trợ."}],
]  # fmt: skip


class Command(BaseCommand):
    help = "Nạp văn bản mẫu cho các đơn vị thí điểm (chạy sau organizations_load_demo; chạy lại không tạo trùng)."

    def handle(self, *args, **options):
        users = {u.username: u for u in get_user_model().objects.filter(username__in=_PEOPLE)}
        missing = sorted(set(_PEOPLE) - set(users))
        if missing:
            raise CommandError(f"Chưa có người dùng thử {', '.join(missing)}: hãy chạy organizations_load_demo trước.")
        year = timezone.localdate().year
        for y in (year, year + 1):
            load_public_holidays(y, acting_user=users["quantri"])
        cao_lanh = Unit.objects.get(code=CAO_LANH)
        thpt = Unit.objects.get(code=thpt_code(1))
        made = []
        if not Document.objects.filter(summary=ROUTINE).exists():
            dispatch = _issue(users, ROUTINE, [cao_lanh, thpt], urgency=Urgency.NORMAL)
            delivery = Delivery.objects.get(dispatch=dispatch, recipient=cao_lanh, parent__isnull=True)
            do_register_delivery(delivery, acting_user=users["pgd.caolanh.vanthu"])
            made.append(ROUTINE)
        if not Document.objects.filter(summary=URGENT).exists():
            _issue(users, URGENT, [cao_lanh, thpt], urgency=Urgency.HOA_TOC)
            made.append(URGENT)
        self.stdout.write(f"Văn bản mẫu: {len(made)} văn bản mới phát hành." if made else "Văn bản mẫu: đã có.")


_PEOPLE = (
    "quantri",
    "so.cntt.chuyenvien",
    "so.cntt.truongphong",
    "so.giamdoc",
    "so.vanthu",
    "pgd.caolanh.vanthu",
)


def _issue(users, summary: str, recipients: list[Unit], *, urgency: str):
    """One dispatch of the Sở, from draft to issue, each step by the person whose step it is."""
    drafter = users["so.cntt.chuyenvien"]
    data = DraftInput(
        document_type=DocumentType.objects.get(name="Công văn"),
        summary=summary,
        body=BODY,
        urgency=urgency,
        kinh_gui=[unit.name for unit in recipients],
        noi_nhan=[f"{unit.name};" for unit in recipients],
        luu="VT, CNTTTBT",
        signer_authority=SignerAuthority.NONE,
        signer_position="Giám đốc",
        signer_name="Trần Văn Giám",
        recipients=[RecipientInput(unit=unit, purpose=RecipientPurpose.THUC_HIEN) for unit in recipients],
    )
    document = do_create_draft(acting_user=drafter, unit=Unit.objects.get(code=CNTT), data=data)
    dispatch = do_start_dispatch(document, acting_user=drafter)
    do_submit_for_review(dispatch, acting_user=drafter, reviewer=users["so.cntt.truongphong"])
    do_approve(dispatch, acting_user=users["so.cntt.truongphong"])
    do_submit_for_signature(
        dispatch, acting_user=users["so.cntt.truongphong"], signer=users["so.giamdoc"], authority=SignerAuthority.NONE
    )
    do_sign(dispatch, acting_user=users["so.giamdoc"])
    do_number(dispatch, acting_user=users["so.vanthu"])
    do_seal(dispatch, acting_user=users["so.vanthu"])
    return do_issue_dispatch(dispatch, acting_user=users["so.vanthu"])
