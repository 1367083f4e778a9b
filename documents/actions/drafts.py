"""Drafting (soạn thảo): create and edit a draft, attach and remove its files; every save is a version.

Secret documents (Mật, Tối mật, Tuyệt mật) are refused before anything is written: no row, no
version, no blob, no audit row, no task. The state-secrets law forbids drafting or keeping their
content on a networked computer, so even the refusal must not leave a trace of the content.

Input is normalised before it is checked: text to NFC (fonts and search need composed letters), a
công văn's summary gets its ``V/v`` prefix when the drafter left it out (the prefix is a layout
convention, not content, so refusing would only annoy), "Nơi nhận" lines lose the ``-``/``;`` the
layout adds back, and an empty "Lưu" line becomes ``VT, <drafting unit>``.

Files follow the house rule: bytes to the blob store first, then the row. A transaction that fails
after the blob was written leaves an orphan blob, which is harmless: it is content-addressed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from documents.docx_import import extract_paragraphs
from documents.models import (
    Attachment,
    AttachmentRole,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentReference,
    DocumentType,
    DocumentVersion,
    RecipientPurpose,
    ReferenceKind,
    Secrecy,
    SignerAuthority,
    Urgency,
    normalise_body,
)
from documents.selectors import snapshot_of
from documents.uploads import FileKind, check_upload
from journal import events
from journal.audit import record
from journal.errors import Conflict, Forbidden, InvalidInput, TransactionRequired
from organizations.models import DistributionList, Role, Unit, UnitKind
from organizations.selectors import roles_in

#: Who may draft in a unit: anyone working there, not archivists or unit administrators as such.
DRAFTING_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.DEPUTY, Role.CLERK})
#: Who may edit a colleague's draft: the drafting unit's head and deputy heads (they review it next).
EDITING_LEADER_ROLES = frozenset({Role.LEADER, Role.DEPUTY})

_CONG_VAN = "Công văn"
_VV_PREFIX = re.compile(r"^v\s*/\s*v\b[\s.:]*", re.IGNORECASE)
_LUU_PREFIX = re.compile(r"^lưu\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class RecipientInput:
    unit: Unit | int
    purpose: str = RecipientPurpose.THUC_HIEN


@dataclass(frozen=True)
class RecipientListInput:
    distribution_list: DistributionList | int
    purpose: str = RecipientPurpose.THUC_HIEN


@dataclass(frozen=True)
class ReferenceInput:
    """An earlier document: ``target`` (an issued document in the system) or ``citation`` text, not both."""

    kind: str
    target: Document | int | None = None
    citation: str = ""


@dataclass
class DraftInput:
    """Everything the drafting editor sends; ``secrecy`` is there so a secret draft can be refused."""

    document_type: DocumentType | int
    summary: str
    body: list = field(default_factory=list)
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    kinh_gui: list[str] = field(default_factory=list)
    noi_nhan: list[str] = field(default_factory=list)
    luu: str = ""
    signer_authority: str = SignerAuthority.NONE
    signer_position: str = ""
    signer_name: str = ""
    place: str = "Đồng Tháp"
    recipients: list[RecipientInput] = field(default_factory=list)
    recipient_lists: list[RecipientListInput] = field(default_factory=list)
    references: list[ReferenceInput] = field(default_factory=list)
    comment: str = ""


def check_not_secret(secrecy: str) -> None:
    """Refuse any secrecy level but none (``secret_document_refused``); called before anything is written."""
    if secrecy == Secrecy.NORMAL:
        return
    if secrecy not in Secrecy.values:
        _invalid("secrecy", "Độ mật không hợp lệ.", "Unknown secrecy level.", code="invalid_secrecy")
    label = Secrecy(secrecy).label
    raise InvalidInput(
        f"Không thể soạn thảo văn bản có độ mật “{label}” trên hệ thống. Luật Bảo vệ bí mật nhà nước cấm "
        "soạn thảo, lưu giữ tài liệu có nội dung bí mật nhà nước trên máy tính, thiết bị có kết nối mạng; "
        "hãy soạn thảo văn bản này trên máy tính không kết nối mạng và đăng ký vào sổ văn bản mật. "
        "Không có nội dung nào của văn bản này được lưu.",
        code="secret_document_refused",
        message_en=(
            f"A document marked “{label}” cannot be drafted here: the law on protecting state secrets forbids "
            "drafting or storing state-secret content on a networked computer. Nothing of it was stored."
        ),
        details={"secrecy": secrecy},
    )


def do_create_draft(*, acting_user, unit: Unit, data: DraftInput) -> Document:
    """Start a draft in ``unit`` (the drafter's division or school); it becomes version 1."""
    check_not_secret(data.secrecy)
    with transaction.atomic(durable=True):
        return create_draft(acting_user=acting_user, unit=Unit.objects.get(pk=unit.pk), data=data)


def create_draft(*, acting_user, unit: Unit, data: DraftInput, audit_data: dict | None = None) -> Document:
    """The body of :func:`do_create_draft`, for an action of a higher app that starts a draft in its own transaction.

    A reply to an incoming document is such a case: the draft and the delivery's link to it must
    commit together. Checks the drafter's right, writes version 1, publishes ``document.drafted``
    and the audit row (``audit_data`` added to it).
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("documents.actions.drafts.create_draft() must run inside the caller's transaction.")
    check_not_secret(data.secrecy)
    _check_may_draft(acting_user, unit)
    values, children = _clean(data, drafting_unit=unit, current_type_id=None)
    document = Document(**values, drafting_unit=unit, issuer=unit.issuing_agency, created_by=acting_user)
    document.full_clean()
    document.save()
    _save_children(document, children)
    version = _write_version(document, acting_user=acting_user, comment=data.comment)
    events.publish("document.drafted", document_id=document.pk)
    record(
        actor=acting_user,
        verb="documents.draft.created",
        target=document,
        unit=unit,
        data={"version": version.number, "document_type": document.document_type_id, **(audit_data or {})},
    )
    return document


def do_update_draft(document: Document, *, acting_user, data: DraftInput, expected_version: int) -> Document:
    """Save the editor's content over a draft as its next version, if nobody saved in between.

    ``expected_version`` is the version the editor was opened on; a different current version means
    another officer saved meanwhile, and overwriting their work silently would lose it (``stale_draft``).
    """
    check_not_secret(data.secrecy)
    with transaction.atomic(durable=True):
        document = _lock(document)
        _check_editable(document, acting_user=acting_user, expected_version=expected_version)
        values, children = _clean(data, drafting_unit=document.drafting_unit, current_type_id=document.document_type_id)
        for name, value in values.items():
            setattr(document, name, value)
        document.version += 1
        document.full_clean()
        document.save()
        document.recipients.all().delete()
        document.recipient_lists.all().delete()
        document.references.all().delete()
        _save_children(document, children)
        previous = DocumentVersion.objects.get(document=document, number=document.version - 1).snapshot
        version = _write_version(document, acting_user=acting_user, comment=data.comment)
        changed = sorted(key for key, value in version.snapshot.items() if previous.get(key) != value)
        record(
            actor=acting_user,
            verb="documents.draft.updated",
            target=document,
            unit=document.drafting_unit,
            data={"version": version.number, "changed": changed},
        )
        return document


def do_attach_file(
    document: Document,
    *,
    acting_user,
    upload,
    role: str = AttachmentRole.ATTACHMENT,
    expected_version: int | None = None,
    comment: str = "",
) -> Attachment:
    """Add a file to a draft as a new version; a main .docx fills an empty body with its paragraphs.

    A new main file retires the previous one (it stays on the record, removed in this version). The
    upload is checked (rights, then :func:`documents.uploads.check_upload`) before its bytes are stored.
    """
    if role not in AttachmentRole.values:
        _invalid("role", "Vai trò tệp không hợp lệ.", "Unknown file role.")
    # Rights first (a stranger learns nothing about the file check), then the file itself; both before
    # the bytes are stored, so a refused upload leaves no blob behind.
    current = Document.objects.select_related("drafting_unit").get(pk=document.pk)
    _check_editable(current, acting_user=acting_user, expected_version=expected_version)
    checked = check_upload(getattr(upload, "name", "") or "", upload, field="upload")
    filename, content_type, digest, size = checked.safe_name, checked.content_type, checked.sha256, checked.size
    paragraphs = None
    if role == AttachmentRole.MAIN and checked.kind == FileKind.DOCX:
        paragraphs = extract_paragraphs(upload)
    key = storages["blobs"].save(filename, upload)
    if key != digest:
        raise RuntimeError(f"the blob store returned {key!r} for bytes whose SHA-256 is {digest}")
    with transaction.atomic(durable=True):
        document = _lock(document)
        _check_editable(document, acting_user=acting_user, expected_version=expected_version)
        document.version += 1
        if role == AttachmentRole.MAIN:
            _retire(document.attachments.filter(role=AttachmentRole.MAIN), document, acting_user=acting_user)
        attachment = Attachment.objects.create(
            document=document,
            role=role,
            blob_key=key,
            sha256=digest,
            filename=filename[:255],
            content_type=content_type[:150],
            size=size,
            uploaded_by=acting_user,
            added_in_version=document.version,
        )
        body_filled = bool(paragraphs) and not document.body
        if body_filled:
            document.body = paragraphs
        document.save(update_fields=["body", "version", "updated_at"])
        version = _write_version(document, acting_user=acting_user, comment=comment)
        record(
            actor=acting_user,
            verb="documents.draft.file_attached",
            target=document,
            unit=document.drafting_unit,
            data={"version": version.number, "key": key, "role": role, "size": size, "body_filled": body_filled},
        )
        return attachment


def do_remove_attachment(
    attachment: Attachment, *, acting_user, expected_version: int | None = None, comment: str = ""
) -> Document:
    """Take a file off a draft as a new version; the row and the bytes stay, marked removed."""
    with transaction.atomic(durable=True):
        document = _lock(attachment.document)
        _check_editable(document, acting_user=acting_user, expected_version=expected_version)
        attachment = Attachment.objects.get(pk=attachment.pk, document=document)
        if attachment.removed_in_version is not None:
            raise Conflict(
                "Tệp này đã được gỡ khỏi dự thảo.",
                code="attachment_already_removed",
                message_en="This file was already removed from the draft.",
            )
        document.version += 1
        _retire(Attachment.objects.filter(pk=attachment.pk), document, acting_user=acting_user)
        document.save(update_fields=["version", "updated_at"])
        version = _write_version(document, acting_user=acting_user, comment=comment)
        record(
            actor=acting_user,
            verb="documents.draft.file_removed",
            target=document,
            unit=document.drafting_unit,
            data={"version": version.number, "key": attachment.blob_key, "filename": attachment.filename},
        )
        return document


# -- permission and state ----------------------------------------------------------------------


def _drafting_chain(unit: Unit) -> list[Unit]:
    """The unit and its parents up to the issuing agency (a division's staff may draft for the Sở too)."""
    chain = [unit]
    while chain[-1].kind == UnitKind.DIVISION and chain[-1].parent_id is not None:
        chain.append(chain[-1].parent)
    return chain


def _check_may_draft(user, unit: Unit) -> None:
    if getattr(user, "is_authenticated", False) and user.is_active:
        for link in _drafting_chain(unit):
            if roles_in(user=user, unit=link) & DRAFTING_ROLES:
                return
    raise Forbidden(
        f"Bạn không công tác tại {unit} nên không được soạn thảo văn bản của đơn vị này.",
        code="not_a_drafter",
        message_en="You hold no drafting role in this unit.",
    )


def _check_editable(document: Document, *, acting_user, expected_version: int | None = None) -> None:
    if document.number is not None or document.external:
        raise Conflict(
            "Văn bản đã được cấp số (hoặc là văn bản đến từ ngoài hệ thống), không phải dự thảo nên không sửa được.",
            code="not_a_draft",
            message_en="The document has been numbered; it is no longer a draft.",
        )
    if document.locked:
        raise Conflict(
            "Dự thảo đang được trình duyệt hoặc trình ký nên không sửa được; hãy chờ lãnh đạo trả lại nếu cần sửa.",
            code="draft_locked",
            message_en="The draft is with a reviewer or signer; it can be edited only after it is returned.",
        )
    _check_may_draft(acting_user, document.drafting_unit)
    is_creator = document.created_by_id == acting_user.pk
    if not is_creator and not roles_in(user=acting_user, unit=document.drafting_unit) & EDITING_LEADER_ROLES:
        raise Forbidden(
            "Chỉ người soạn hoặc lãnh đạo đơn vị soạn thảo được sửa dự thảo này.",
            code="not_your_draft",
            message_en="Only the drafter or a leader of the drafting unit may edit this draft.",
        )
    if expected_version is not None and expected_version != document.version:
        raise Conflict(
            f"Dự thảo đã được người khác lưu (phiên bản {document.version}) sau khi bạn mở "
            f"phiên bản {expected_version}. Hãy mở lại dự thảo và sửa trên phiên bản mới nhất.",
            code="stale_draft",
            message_en="Someone else saved this draft after you opened it; reopen the latest version.",
            details={"expected_version": expected_version, "current_version": document.version},
        )


def set_review_lock(document: Document, *, locked: bool) -> None:
    """Freeze (or free) a draft's content while it is submitted; the dispatch workflow calls this.

    Runs inside the caller's transaction, which already holds the dispatch; it is not an action of
    its own because nobody locks a draft except by submitting it.
    """
    Document.objects.filter(pk=document.pk).update(locked=locked)
    document.locked = locked


def _lock(document: Document) -> Document:
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("drafting_unit", "document_type")
        .get(pk=document.pk)
    )


# -- writing -------------------------------------------------------------------------------------


def _save_children(document: Document, children: dict[str, list]) -> None:
    for model, rows in (
        (DocumentRecipient, children["recipients"]),
        (DocumentRecipientList, children["recipient_lists"]),
        (DocumentReference, children["references"]),
    ):
        model.objects.bulk_create(model(document=document, position=i, **row) for i, row in enumerate(rows))


def _write_version(document: Document, *, acting_user, comment: str) -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=document.version,
        snapshot=snapshot_of(document=document),
        comment=_nfc(comment).strip()[:500],
        created_by=acting_user,
    )


def _retire(attachments, document: Document, *, acting_user) -> None:
    attachments.filter(removed_in_version__isnull=True).update(
        removed_in_version=document.version, removed_by=acting_user, removed_at=timezone.now()
    )


# -- input ---------------------------------------------------------------------------------------


def _clean(data: DraftInput, *, drafting_unit: Unit, current_type_id: int | None) -> tuple[dict, dict]:
    """The draft's column values and child rows, normalised; ``InvalidInput`` on the first problem."""
    document_type = _document_type(data.document_type, current_type_id=current_type_id)
    for name, allowed in (("urgency", Urgency.values), ("signer_authority", SignerAuthority.values)):
        if getattr(data, name) not in allowed:
            _invalid(name, "Giá trị không hợp lệ.", "Not one of the allowed values.")
    luu = _LUU_PREFIX.sub("", _text(data.luu, "luu", 200))
    values = {
        "document_type": document_type,
        "summary": _summary(data.summary, document_type),
        "body": _body(data.body),
        "urgency": data.urgency,
        "kinh_gui": _lines(data.kinh_gui, "kinh_gui"),
        "noi_nhan": _lines(data.noi_nhan, "noi_nhan"),
        "luu": luu or ", ".join(part for part in ("VT", drafting_unit.abbreviation) if part),
        "signer_authority": data.signer_authority,
        "signer_position": _text(data.signer_position, "signer_position", 150),
        "signer_name": _text(data.signer_name, "signer_name", 150),
        "place": _text(data.place, "place", 100) or "Đồng Tháp",
    }
    if any(_LUU_PREFIX.match(line) for line in values["noi_nhan"]):
        _invalid("noi_nhan", "Ghi dòng “Lưu: …” vào ô Lưu, không vào Nơi nhận.", "Put the “Lưu” line in its own field.")
    return values, {
        "recipients": _recipients(data.recipients),
        "recipient_lists": _recipient_lists(data.recipient_lists),
        "references": _references(data.references),
    }


def _body(value: Any) -> list[list[dict]]:
    try:
        return normalise_body(value)
    except ValidationError as exc:
        _invalid("body", exc.messages[0], "The body must be a list of paragraphs of runs {text, bold, italic}.")


def _document_type(value: DocumentType | int, *, current_type_id: int | None) -> DocumentType:
    pk = getattr(value, "pk", value)
    document_type = DocumentType.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    # A type taken out of use stays valid on the drafts that already have it.
    if document_type is None or not (document_type.is_active or document_type.pk == current_type_id):
        _invalid("document_type", "Loại văn bản không có hoặc đã ngừng sử dụng.", "Unknown or inactive document type.")
    return document_type


def _summary(value: str, document_type: DocumentType) -> str:
    summary = _text(value, "summary", 500)
    if document_type.name == _CONG_VAN:
        rest = _VV_PREFIX.sub("", summary).strip()
        summary = f"V/v {rest}" if rest else ""
    if not summary or len(summary) > 500:
        _invalid("summary", "Trích yếu phải có và không quá 500 ký tự.", "Summary required, ≤500 characters.")
    return summary


def _recipients(items: list[RecipientInput]) -> list[dict]:
    ids = [getattr(item.unit, "pk", item.unit) for item in items]
    if len(set(ids)) != len(ids) or any(item.purpose not in RecipientPurpose.values for item in items):
        _invalid("recipients", "Mỗi đơn vị nhận chỉ ghi một lần.", "Duplicate unit or bad purpose.")
    if Unit.objects.filter(pk__in=ids, is_active=True).count() != len(ids):
        _invalid("recipients", "Có đơn vị nhận không tồn tại hoặc đã ngừng hoạt động.", "Unknown or inactive unit.")
    return [{"unit_id": pk, "purpose": item.purpose} for pk, item in zip(ids, items, strict=True)]


def _recipient_lists(items: list[RecipientListInput]) -> list[dict]:
    ids = [getattr(item.distribution_list, "pk", item.distribution_list) for item in items]
    if len(set(ids)) != len(ids) or any(item.purpose not in RecipientPurpose.values for item in items):
        _invalid("recipient_lists", "Mỗi danh sách chỉ ghi một lần.", "Duplicate list or bad purpose.")
    if DistributionList.objects.filter(pk__in=ids, is_active=True).count() != len(ids):
        _invalid("recipient_lists", "Có danh sách nơi nhận không tồn tại hoặc đã ngừng dùng.", "Unknown list.")
    return [{"distribution_list_id": pk, "purpose": item.purpose} for pk, item in zip(ids, items, strict=True)]


def _references(items: list[ReferenceInput]) -> list[dict]:
    rows = []
    for item in items:
        target_id = getattr(item.target, "pk", item.target)
        citation = _text(item.citation, "references", 500)
        if item.kind not in ReferenceKind.values or (target_id is None) == (not citation):
            _invalid(
                "references",
                "Mỗi văn bản liên quan cần đúng một trong hai: văn bản trong hệ thống hoặc trích dẫn.",
                "Each reference needs exactly one of a target document or a citation, and a valid kind.",
            )
        rows.append({"kind": item.kind, "target_id": target_id, "citation": citation})
    targets = {row["target_id"] for row in rows if row["target_id"] is not None}
    # Only issued documents can be cited: a draft has no number to cite it by.
    if Document.objects.filter(pk__in=targets, number__isnull=False).count() != len(targets):
        _invalid("references", "Văn bản được dẫn chiếu phải là văn bản đã ban hành.", "References must be issued.")
    return rows


def _lines(items: list[str], name: str) -> list[str]:
    if not isinstance(items, list):
        _invalid(name, "Phải là danh sách các dòng.", "Must be a list of lines.")
    lines = [_text(item, name, 300).lstrip("-–+• ").rstrip(";.,").strip() for item in items]
    return [line for line in lines if line]


def _text(value: Any, name: str, max_length: int) -> str:
    if not isinstance(value, str):
        _invalid(name, "Phải là chuỗi ký tự.", "Must be text.")
    text = _nfc(value).strip()
    if len(text) > max_length:
        _invalid(name, f"Không quá {max_length} ký tự.", f"At most {max_length} characters.")
    return text


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _invalid(name: str, message: str, message_en: str, *, code: str = "invalid_draft") -> NoReturn:
    raise InvalidInput(message, code=code, message_en=message_en, details={"field": name})
