"""The recipient unit's clerk (văn thư) at the door: register, reject, record what came from outside, answer recalls.

Registering (vào sổ, Art. 22) gives a delivery the next số đến of the unit's incoming register for the
year, gap-free under the same row lock as outgoing numbers (:mod:`documents.numbering`): the delivery
is locked first and everything that does not need the number is written before it is taken; the
number, the delivery's new state and the audit event naming the number are then one statement
(:func:`~documents.numbering.take_number_into`), so the register row is held for it and the commit.
Of two clerks registering the same delivery, the second waits on the row lock, then finds it
registered (409) before it takes a number: a number is never taken and lost.

The sender learns of the registration from the delivery row and its log (its tracking page reads them),
so the status change and the log row written here *are* the acknowledgement of receipt the Decree asks
for; notifying the sender is the notifications' business, on ``delivery.registered``.

A document may arrive twice (paper and electronic, from the Sở and forwarded by the Phòng): before a
number is taken, :func:`workflows.duplicates.likely_duplicates` is asked, and a hit is a 409
``likely_duplicate`` listing them, unless the clerk confirms it is a different document.

Events (``delivery_id=``): ``delivery.registered`` (also for external documents), ``delivery.rejected``,
``delivery.recall_accepted``, ``delivery.recall_refused``, ``delivery.acknowledged``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from documents.actions.drafts import check_not_secret
from documents.models import (
    Attachment,
    AttachmentRole,
    Document,
    DocumentType,
    RecipientPurpose,
    RegisterDirection,
    Secrecy,
    Urgency,
)
from documents.numbering import RegisterKey, Taken, register_key, take_number_into
from documents.uploads import ANY_DOCUMENT, SCANNED, check_upload
from journal import events
from journal.audit import prepare, record
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import Role, Unit, UnitKind
from organizations.selectors import roles_in
from organizations.tree import assign_paths
from workflows.actions.delivery_steps import (
    concurrent_transition_as_conflict,
    is_clerk_of,
    log_delivery,
    may_route,
    reread_delivery,
    run_delivery_step,
)
from workflows.duplicates import any_likely_duplicate, describe, duplicates_of, likely_duplicates
from workflows.models import Delivery, DeliveryChannel, DeliveryStatus, DeliveryTransition, priority_of
from workflows.models.deliveries import ON_HOLD_STATUSES

#: Who says "đã nhận" on a directive for the whole unit: its head and deputy heads.
ACKNOWLEDGING_ROLES = frozenset({Role.PRINCIPAL, Role.LEADER, Role.DEPUTY})

_LEADING_NUMBER = re.compile(r"^\s*0*(\d{1,9})")


# -- register and reject --------------------------------------------------------------------------


def do_register_delivery(
    delivery: Delivery | int,
    *,
    acting_user,
    arrived_at: datetime.datetime | None = None,
    confirm_duplicate: bool = False,
    note: str = "",
) -> Delivery:
    """The recipient's clerk registers an arrived delivery with the next số đến (01/16 → 03).

    ``arrived_at`` corrects the arrival time of a paper copy (it reached the office by post, days after
    it was sent); an electronic copy's arrival is the system's own record and is not edited.
    """
    note = _clean_text(note)
    with transaction.atomic(durable=True):
        current = reread_delivery(delivery, "register_incoming", lock=True, related=("document", "recipient"))
        from_status = current.status
        if not is_clerk_of(acting_user, current.recipient):
            raise Forbidden(
                "Chỉ văn thư của đơn vị nhận mới được vào sổ văn bản đến.",
                code="not_recipient_clerk",
                message_en="Only the recipient unit's clerk may register an incoming document.",
            )
        now = timezone.now()
        corrected = _paper_arrival(current, arrived_at, now) if arrived_at is not None else None
        duplicates = []
        if any_likely_duplicate(current):  # almost never: the candidates are read only then
            duplicates = _check_duplicates(list(likely_duplicates(current)), confirm_duplicate)
        if corrected is not None:
            current.arrived_at = corrected
        # Everything that does not need the number is written before it is taken: the register row
        # is locked from then to commit, so that is the stretch every clerk of the unit queues on.
        DeliveryTransition.objects.create(
            delivery=current,
            from_status=from_status,
            to_status=DeliveryStatus.REGISTERED,
            name="registered",
            actor=acting_user,
            at=now,
            comment=note,
        )
        events.publish("delivery.registered", delivery_id=current.pk)
        key = register_key(unit=current.recipient, direction=RegisterDirection.INCOMING, on=now)
        audit = prepare(
            actor=acting_user,
            verb="workflows.delivery.registered",
            target=current,
            unit=current.recipient,
            data={
                "from": from_status,
                "to": DeliveryStatus.REGISTERED,
                "year": key.year,
                **({"arrived_at": corrected.isoformat()} if corrected is not None else {}),
                **({"confirmed_duplicates": [d["id"] for d in duplicates]} if duplicates else {}),
            },
        )  # "register" and "number" are added as the number is taken
        _register(current, key, acting_user=acting_user, at=now, from_status=from_status, audit=audit)
    return current


def do_reject_delivery(delivery: Delivery | int, *, acting_user, reason: str) -> Delivery:
    """The recipient's clerk sends an arrived delivery back (02): wrong address, illegible, incomplete."""
    reason = _clean_text(reason)

    def check(d: Delivery) -> None:
        if not is_clerk_of(acting_user, d.recipient):
            raise Forbidden(
                "Chỉ văn thư của đơn vị nhận mới được từ chối nhận văn bản.",
                code="not_recipient_clerk",
                message_en="Only the recipient unit's clerk may reject an incoming document.",
            )
        _require_reason(reason, "Phải nêu lý do từ chối nhận văn bản.", "A reason for the rejection is required.")

    return run_delivery_step(
        delivery,
        "reject",
        acting_user,
        check=check,
        move=lambda d, at: d.reject(),
        comment=reason,
        event="rejected",
        data={"reason": reason},
    )


# -- recall answers -------------------------------------------------------------------------------


def do_accept_recall(delivery: Delivery | int, *, acting_user, comment: str = "") -> Delivery:
    """The recipient's clerk or leader gives the copy back (15): it stays on record, frozen."""
    comment = _clean_text(comment)
    return run_delivery_step(
        delivery,
        "accept_recall",
        acting_user,
        check=lambda d: _check_may_answer_recall(acting_user, d),
        move=lambda d, at: d.accept_recall(),
        comment=comment,
        event="recall_accepted",
    )


def do_refuse_recall(delivery: Delivery | int, *, acting_user, reason: str) -> Delivery:
    """The recipient's clerk or leader keeps the copy (16), saying why; the unit carries on from where it was."""
    reason = _clean_text(reason)

    def check(d: Delivery) -> None:
        _check_may_answer_recall(acting_user, d)
        _require_reason(reason, "Phải nêu lý do từ chối thu hồi.", "A reason for refusing the recall is required.")

    return run_delivery_step(
        delivery,
        "refuse_recall",
        acting_user,
        check=check,
        move=lambda d, at: d.refuse_recall(),
        comment=reason,
        event="recall_refused",
        data={"reason": reason},
    )


# -- acknowledge ----------------------------------------------------------------------------------


def do_acknowledge_delivery(delivery: Delivery | int, *, acting_user) -> Delivery:
    """A principal or leader of the recipient says "đã nhận" on the whole delivery; once, irrevocably.

    Not a status change: the sender's tracking shows it beside the status, so it is a log row whose
    from and to are the current status. The guarded UPDATE (still unacknowledged, same status) makes a
    concurrent second "đã nhận" or a move in between a 409 rather than a silent overwrite.
    """
    with transaction.atomic(durable=True):
        pk = delivery if isinstance(delivery, int) else delivery.pk
        current = Delivery.objects.select_for_update(of=("self",)).select_related("recipient").get(pk=pk)
        if current.status in ON_HOLD_STATUSES:
            raise Conflict(
                f"Không thể xác nhận đã nhận khi văn bản đến đang ở trạng thái “{current.get_status_display()}”.",
                code="illegal_transition",
                message_en=f"Cannot acknowledge a delivery in status “{current.status}”.",
                details={"status": current.status, "transition": "acknowledge"},
            )
        if current.incoming_number is None:
            raise Conflict(
                "Văn bản chưa được vào sổ; văn thư phải vào sổ trước khi xác nhận đã nhận.",
                code="not_registered",
                message_en="The delivery must be registered before it is acknowledged.",
                details={"status": current.status},
            )
        if current.acknowledged_at is not None:
            raise Conflict(
                "Văn bản đã được xác nhận đã nhận; không thể xác nhận lại.",
                code="already_acknowledged",
                message_en="This delivery has already been acknowledged.",
                details={"acknowledged_at": current.acknowledged_at.isoformat()},
            )
        if not roles_in(user=acting_user, unit=current.recipient) & ACKNOWLEDGING_ROLES:
            raise Forbidden(
                "Chỉ thủ trưởng hoặc cấp phó của đơn vị nhận mới được xác nhận đã nhận.",
                code="not_recipient_leader",
                message_en="Only the recipient unit's head or a deputy may acknowledge a delivery.",
            )
        at = timezone.now()
        moved = Delivery.objects.filter(pk=current.pk, status=current.status, acknowledged_at__isnull=True).update(
            acknowledged_at=at, acknowledged_by=acting_user
        )
        if moved != 1:
            raise Conflict(
                "Văn bản đến vừa được người khác xử lý; hãy tải lại.",
                code="concurrent_transition",
                message_en="Someone else moved this delivery first; reload it.",
            )
        current.acknowledged_at, current.acknowledged_by = at, acting_user
        log_delivery(current, name="acknowledge", from_status=current.status, actor=acting_user, at=at)
        events.publish("delivery.acknowledged", delivery_id=current.pk)
        record(
            actor=acting_user,
            verb="workflows.delivery.acknowledged",
            target=current,
            unit=current.recipient,
            data={"status": current.status},
        )
    return current


# -- documents from outside the system -----------------------------------------------------------


@dataclass
class ExternalDocumentInput:
    """What the clerk types from a paper or e-mailed document: the issuer's own number, date and summary.

    The issuer is an existing unit (``issuer``) or, for an agency not yet known, its name
    (``issuer_name``), which becomes a unit of kind "outside the sector". ``secrecy`` is asked so that a
    secret document can be refused before anything of it is stored.
    """

    document_type: DocumentType | int
    symbol: str
    issued_on: datetime.date
    summary: str
    issuer: Unit | int | None = None
    issuer_name: str = ""
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    signer_name: str = ""
    external_id: str = ""
    channel: str = DeliveryChannel.PAPER
    arrived_at: datetime.datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class _Upload:
    upload: object
    filename: str
    content_type: str
    digest: str
    size: int


def do_register_external(
    unit: Unit,
    data: ExternalDocumentInput,
    *,
    acting_user,
    files: Sequence = (),
    confirm_duplicate: bool = False,
) -> Delivery:
    """Record a document that came from outside the system and register it in ``unit``'s incoming register.

    ``files`` are uploads: the first is the main file (a PDF or a scanned image), the rest attachments.
    Everything is checked before the bytes go to the blob store; the rows (issuer unit if new, document,
    files, delivery, số đến) are written in one transaction after it, so a refusal leaves no row and a
    failure after the store leaves only unreferenced, content-addressed bytes.
    """
    check_not_secret(data.secrecy)
    recipient = Unit.objects.get(pk=unit.pk)
    _check_clerk_of_unit(acting_user, recipient)
    values = _clean_external(data)
    uploads = _clean_files(files)
    for item in uploads:
        key = storages["blobs"].save(item.filename, item.upload)
        if key != item.digest:
            raise RuntimeError(f"the blob store returned {key!r} for bytes whose SHA-256 is {item.digest}")

    with transaction.atomic(durable=True):
        recipient = Unit.objects.get(pk=recipient.pk)
        _check_clerk_of_unit(acting_user, recipient)
        issuer, issuer_created = _issuer(values, acting_user=acting_user)
        found = duplicates_of(
            recipient_id=recipient.pk,
            symbol=values["symbol"],
            issuer_id=issuer.pk if issuer.pk is not None else None,
            external_id=values["external_id"],
        )
        duplicates = _check_duplicates(list(found), confirm_duplicate)
        if issuer_created:
            issuer.save()
            assign_paths([issuer])
        document = Document(
            document_type=values["document_type"],
            issuer=issuer,
            drafting_unit=issuer,
            created_by=acting_user,
            summary=values["summary"],
            urgency=values["urgency"],
            signer_name=values["signer_name"],
            number=values["number"],
            symbol=values["symbol"],
            issued_on=values["issued_on"],
            external=True,
        )
        document.save()
        Attachment.objects.bulk_create(
            [
                Attachment(
                    document=document,
                    role=AttachmentRole.MAIN if i == 0 else AttachmentRole.ATTACHMENT,
                    blob_key=item.digest,
                    sha256=item.digest,
                    filename=item.filename[:255],
                    content_type=item.content_type[:150],
                    size=item.size,
                    uploaded_by=acting_user,
                    added_in_version=1,
                )
                for i, item in enumerate(uploads)
            ]
        )
        now = timezone.now()
        current = Delivery(
            dispatch=None,
            document=document,
            recipient=recipient,
            purpose=RecipientPurpose.THUC_HIEN,
            channel=values["channel"],
            arrived_at=values["arrived_at"] or now,
            priority=priority_of(values["urgency"]),
            external_id=values["external_id"],
        )
        key = register_key(unit=recipient, direction=RegisterDirection.INCOMING, on=now)
        taken = _register(current, key, acting_user=acting_user, at=now)
        log_delivery(
            current,
            name="registered",
            from_status=DeliveryStatus.ARRIVED,
            actor=acting_user,
            at=now,
            comment=values["note"],
        )
        events.publish("delivery.registered", delivery_id=current.pk)
        record(
            actor=acting_user,
            verb="workflows.delivery.registered_external",
            target=current,
            unit=recipient,
            data={
                "from": DeliveryStatus.ARRIVED,
                "to": current.status,
                "register": taken.register_id,
                "year": taken.year,
                "number": current.incoming_number,
                "document": document.pk,
                "issuer": issuer.pk,
                "issuer_created": issuer_created,
                "files": [item.digest for item in uploads],
                **({"confirmed_duplicates": [d["id"] for d in duplicates]} if duplicates else {}),
            },
        )
    return current


# -- helpers --------------------------------------------------------------------------------------


def _register(
    delivery: Delivery,
    key: RegisterKey,
    *,
    acting_user,
    at: datetime.datetime,
    from_status: str = DeliveryStatus.ARRIVED,
    audit: AuditEvent | None = None,
) -> Taken:
    """Move to 03 and save the delivery with the next số đến of ``key`` (and ``audit`` naming it), last.

    The caller has locked the delivery; an external document's row is new and is inserted here.
    """
    delivery.register_incoming(at=at, by=acting_user)
    with concurrent_transition_as_conflict():
        return take_number_into(
            delivery,
            key=key,
            number_field="incoming_number",
            register_field="register",
            update_fields=["status", "registered_at", "registered_by", "arrived_at"],
            expected={"status": from_status},
            audit=audit,
        )


def _check_duplicates(duplicates: list[Delivery], confirmed: bool) -> list[dict]:
    """The duplicates' details when the clerk confirmed; a 409 ``likely_duplicate`` when they did not."""
    found = describe(duplicates)
    if found and not confirmed:
        numbers = ", ".join(str(d["incoming_number"]) for d in found)
        raise Conflict(
            f"Văn bản này có thể trùng với văn bản đến đã vào sổ (số đến {numbers}). "
            "Hãy kiểm tra; nếu đúng là văn bản khác, xác nhận để vào sổ.",
            code="likely_duplicate",
            message_en="This looks like a document already registered; confirm to register it anyway.",
            details={"duplicates": found},
        )
    return found


def _paper_arrival(delivery: Delivery, arrived_at, now: datetime.datetime) -> datetime.datetime:
    """The arrival time a clerk gives for a paper copy: aware, not in the future, not before it was sent."""
    if delivery.channel != DeliveryChannel.PAPER:
        _invalid(
            "arrived_at",
            "Chỉ sửa được thời điểm đến của văn bản giấy; văn bản điện tử đến lúc hệ thống nhận.",
            "Only a paper copy's arrival time can be given.",
            code="arrival_time_paper_only",
        )
    moment = _aware(arrived_at, "arrived_at")
    if moment > now:
        _invalid(
            "arrived_at",
            "Thời điểm đến không được ở tương lai.",
            "The arrival is in the future.",
            code="arrival_in_future",
        )
    sent = delivery.dispatch.issued_at if delivery.dispatch_id else None
    if sent is not None and moment < sent:
        _invalid(
            "arrived_at",
            "Thời điểm đến không được trước lúc văn bản được phát hành.",
            "The arrival is before the document was sent.",
            code="arrival_before_sending",
        )
    return moment


def _aware(value, name: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.get_default_timezone())
    if isinstance(value, datetime.date):
        return timezone.make_aware(datetime.datetime.combine(value, datetime.time()), timezone.get_default_timezone())
    _invalid(name, "Thời điểm không hợp lệ.", "Not a date or time.", code="invalid_arrival")


def _check_may_answer_recall(user, delivery: Delivery) -> None:
    if not (is_clerk_of(user, delivery.recipient) or may_route(user, delivery.recipient)):
        raise Forbidden(
            "Chỉ văn thư hoặc lãnh đạo của đơn vị nhận mới được trả lời đề nghị thu hồi.",
            code="not_recipient_clerk_or_leader",
            message_en="Only the recipient unit's clerk or leader may answer a recall.",
        )


def _check_clerk_of_unit(user, unit: Unit) -> None:
    if not is_clerk_of(user, unit):
        raise Forbidden(
            "Chỉ văn thư của đơn vị mới được vào sổ văn bản đến.",
            code="not_recipient_clerk",
            message_en="Only the unit's clerk may register an incoming document.",
        )


def _clean_external(data: ExternalDocumentInput) -> dict:
    """The checked, normalised metadata of an external document; ``InvalidInput`` on the first problem."""
    pk = getattr(data.document_type, "pk", data.document_type)
    document_type = DocumentType.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None
    if document_type is None:
        _invalid("document_type", "Loại văn bản không có hoặc đã ngừng sử dụng.", "Unknown or inactive document type.")
    symbol = _field(data.symbol, "symbol", 64)
    if not symbol:
        _invalid("symbol", "Phải nhập số, ký hiệu của văn bản.", "The document's number and symbol are required.")
    summary = _field(data.summary, "summary", 500)
    if not summary:
        _invalid("summary", "Phải nhập trích yếu nội dung.", "A summary is required.")
    if not isinstance(data.issued_on, datetime.date) or isinstance(data.issued_on, datetime.datetime):
        _invalid("issued_on", "Phải nhập ngày ban hành.", "The date of issue is required.")
    if data.issued_on > timezone.localdate():
        _invalid("issued_on", "Ngày ban hành không được ở tương lai.", "The date of issue is in the future.")
    if data.urgency not in Urgency.values:
        _invalid("urgency", "Độ khẩn không hợp lệ.", "Unknown urgency.")
    if data.channel not in DeliveryChannel.values:
        _invalid("channel", "Hình thức nhận không hợp lệ.", "Unknown channel.")
    arrived_at = None
    if data.arrived_at is not None:
        arrived_at = _aware(data.arrived_at, "arrived_at")
        if arrived_at > timezone.now():
            _invalid("arrived_at", "Thời điểm đến không được ở tương lai.", "The arrival is in the future.")
        if timezone.localtime(arrived_at, timezone.get_default_timezone()).date() < data.issued_on:
            _invalid(
                "arrived_at", "Văn bản không thể đến trước ngày ban hành.", "The arrival is before the issue date."
            )
    issuer_id = getattr(data.issuer, "pk", data.issuer)
    issuer_name = _field(data.issuer_name, "issuer_name", 255)
    if (issuer_id is None) == (not issuer_name):
        _invalid(
            "issuer",
            "Chọn cơ quan ban hành có sẵn hoặc nhập tên cơ quan ban hành mới (một trong hai).",
            "Choose an existing issuer or type a new issuer's name (one of the two).",
        )
    issuer = None
    if issuer_id is not None:
        issuer = Unit.objects.filter(pk=issuer_id).first() if isinstance(issuer_id, int) else None
        if issuer is None:
            _invalid("issuer", "Không có cơ quan ban hành này.", "Unknown issuer.")
    number_match = _LEADING_NUMBER.match(symbol)
    number = int(number_match.group(1)) if number_match else None
    return {
        "document_type": document_type,
        "symbol": symbol,
        "number": number if number else None,
        "issued_on": data.issued_on,
        "summary": summary,
        "urgency": data.urgency,
        "signer_name": _field(data.signer_name, "signer_name", 150),
        "external_id": _field(data.external_id, "external_id", 255),
        "channel": data.channel,
        "arrived_at": arrived_at,
        "issuer": issuer,
        "issuer_name": issuer_name,
        "note": _clean_text(data.note),
    }


def _issuer(values: dict, *, acting_user) -> tuple[Unit, bool]:
    """The issuer unit, and whether it is new (then unsaved: the caller saves it after the duplicate check).

    A typed name that an outside agency already carries reuses that unit, so that the same ministry
    typed twice is one issuer and the (symbol, issuer) duplicate warning can see both.
    """
    if values["issuer"] is not None:
        return values["issuer"], False
    name = values["issuer_name"]
    known = Unit.objects.filter(kind=UnitKind.EXTERNAL, parent__isnull=True, name=name).order_by("pk").first()
    if known is not None:
        return known, False
    unit = Unit(name=name, kind=UnitKind.EXTERNAL, enrolled=False, parent=None)
    try:
        unit.clean_fields(exclude=["path"])
        unit.clean()
    except ValidationError as exc:
        _invalid("issuer_name", "Tên cơ quan ban hành không hợp lệ: " + "; ".join(exc.messages), "Bad issuer name.")
    return unit, True


def _clean_files(files: Sequence) -> list[_Upload]:
    """Check every upload (:func:`documents.uploads.check_upload`); the first is required and must be a scan.

    The main file is what the clerk registers: a PDF or a scanned page (PNG, JPEG). TIFF is no longer
    taken: browsers cannot show it and a scanner can save the same page as PDF.
    """
    files = list(files or ())
    if not files:
        _invalid(
            "files",
            "Phải đính kèm tệp văn bản (PDF hoặc ảnh quét).",
            "The main file is required.",
            code="file_required",
        )
    checked = []
    for i, upload in enumerate(files):
        allowed = SCANNED if i == 0 else ANY_DOCUMENT
        result = check_upload(getattr(upload, "name", "") or "", upload, allowed=allowed, field="files")
        checked.append(_Upload(upload, result.safe_name, result.content_type, result.sha256, result.size))
    return checked


def _field(value, name: str, max_length: int) -> str:
    if not isinstance(value, str):
        _invalid(name, "Phải là chuỗi ký tự.", "Must be text.")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if len(text) > max_length:
        _invalid(name, f"Không quá {max_length} ký tự.", f"At most {max_length} characters.")
    return text


def _clean_text(value) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def _require_reason(reason: str, message: str, message_en: str) -> None:
    if not reason:
        raise InvalidInput(message, code="reason_required", message_en=message_en)


def _invalid(name: str, message: str, message_en: str, *, code: str = "invalid_external_document") -> NoReturn:
    raise InvalidInput(message, code=code, message_en=message_en, details={"field": name})
