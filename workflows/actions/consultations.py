"""Consultation on a draft (lấy ý kiến): open a round, answer it, close it.

Who may do what:

- Open: the drafter (``document.created_by``) or a leader or deputy leader of the drafting unit,
  the same people who may edit the draft, and only while it is a draft (no number yet).
- Answer a request addressed to a person: that person only.
- Answer a request addressed to a unit: a member of that unit holding the leader, deputy or
  principal role today (:data:`organizations.selectors.AUTHORITY_ROLES`). A unit's opinion is its
  head's to give; an officer may prepare it, but the head (or a deputy) sends it in. Any of them may
  replace an answer a colleague gave for the unit: the unit has one current opinion.
- Close: whoever opened it, the drafter, or a leader or deputy leader of the drafting unit.

Answering is refused once the deadline has passed or the consultation was closed (409). Answering
again before then replaces the current opinion; the earlier one stays, marked superseded (see
:mod:`workflows.models.consultations`).

Files follow the house rule: each upload is checked (rights, state, then
:func:`documents.uploads.check_upload`: type, size, content) before its bytes go to the blob store,
the bytes are stored content-addressed, and the rows pointing to them commit after. An answer refused
inside the transaction (the deadline passed meanwhile) leaves orphan blobs, which are
harmless: content-addressed, and referenced by nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from documents.actions.drafts import EDITING_LEADER_ROLES
from documents.models import Document
from documents.text import clean_text
from documents.uploads import CheckedUpload, check_upload
from journal import events
from journal.audit import record
from journal.errors import Conflict, Forbidden, InvalidInput
from organizations.models import Unit
from organizations.selectors import AUTHORITY_ROLES, roles_in
from workflows.models import (
    Consultation,
    ConsultationRequest,
    ConsultationState,
    Opinion,
    OpinionFile,
    OpinionStance,
)

#: Longest question or opinion text; a longer argument belongs in an attached file.
MAX_TEXT_LENGTH = 10_000


def do_open_consultation(
    document: Document,
    *,
    acting_user,
    question: str,
    deadline: datetime.datetime,
    users: Iterable[Any] = (),
    units: Iterable[Unit] = (),
) -> Consultation:
    """Ask ``users`` and ``units`` for their opinion on the draft ``document`` by ``deadline``."""
    question = _text(question, "question")
    if not question:
        raise InvalidInput(
            "Phải nêu nội dung xin ý kiến.",
            code="question_required",
            message_en="The question is required.",
            details={"field": "question"},
        )
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= timezone.now():
        raise InvalidInput(
            "Hạn góp ý phải ở tương lai.",
            code="deadline_in_past",
            message_en="The deadline must be in the future.",
            details={"field": "deadline"},
        )
    user_ids = _unique_ids(users)
    unit_ids = _unique_ids(units)
    if not user_ids and not unit_ids:
        raise InvalidInput(
            "Phải chọn ít nhất một người hoặc một đơn vị để xin ý kiến.",
            code="no_parties",
            message_en="Choose at least one person or unit to consult.",
        )
    with transaction.atomic(durable=True):
        document = Document.objects.select_for_update(of=("self",)).select_related("drafting_unit").get(pk=document.pk)
        if document.number is not None:
            raise Conflict(
                "Văn bản đã được cấp số, không còn là dự thảo nên không lấy ý kiến được.",
                code="not_a_draft",
                message_en="The document has been numbered; it is no longer a draft.",
            )
        _check_drafting_side(document, acting_user=acting_user, what="lấy ý kiến về")
        if acting_user.pk in user_ids:
            raise InvalidInput(
                "Không thể tự xin ý kiến của chính mình.",
                code="self_consultation",
                message_en="You cannot ask yourself.",
                details={"field": "users"},
            )
        _check_parties_exist(user_ids, unit_ids)
        consultation = Consultation(document=document, asked_by=acting_user, question=question, deadline=deadline)
        # The protected state field refuses even full_clean's re-assignment; it has its default here.
        consultation.full_clean(exclude=["state"])
        consultation.save()
        parties = [{"user_id": pk} for pk in user_ids] + [{"unit_id": pk} for pk in unit_ids]
        ConsultationRequest.objects.bulk_create(
            ConsultationRequest(consultation=consultation, position=i, **party) for i, party in enumerate(parties)
        )
        events.publish("consultation.opened", consultation_id=consultation.pk)
        record(
            actor=acting_user,
            verb="workflows.consultation.opened",
            target=consultation,
            unit=document.drafting_unit,
            data={
                "document": document.pk,
                "deadline": deadline.isoformat(),
                "users": user_ids,
                "units": unit_ids,
            },
        )
        return consultation


def do_answer_consultation(
    request: ConsultationRequest,
    *,
    acting_user,
    stance: str,
    text: str = "",
    files: Sequence[Any] = (),
) -> Opinion:
    """Give (or replace) the opinion of the party ``request`` asks; ``files`` are uploaded files."""
    if stance not in OpinionStance.values:
        raise InvalidInput(
            "Ý kiến phải là Đồng ý, Không đồng ý hoặc Ý kiến khác.",
            code="invalid_stance",
            message_en="The stance must be agree, disagree or other.",
            details={"field": "stance"},
        )
    text = _text(text, "text")
    if stance != OpinionStance.AGREE and not text:
        raise InvalidInput(
            f"Ý kiến “{OpinionStance(stance).label}” phải kèm nội dung góp ý.",
            code="opinion_text_required",
            message_en="Disagreeing or giving another opinion needs a text saying what.",
            details={"field": "text"},
        )
    # Rights and every file are checked before any byte is stored, so a refused answer leaves no blob behind.
    _check_may_answer(_request_for_update(request, lock=False), acting_user=acting_user)
    uploads = [_check_file(upload) for upload in files]
    stored = [_store(upload, checked) for upload, checked in uploads]
    with transaction.atomic(durable=True):
        request = _request_for_update(request, lock=True)
        _check_may_answer(request, acting_user=acting_user)
        now = timezone.now()
        previous_id = request.current_opinion_id
        if previous_id is not None:
            Opinion.objects.filter(pk=previous_id).update(superseded_at=now)
        opinion = Opinion(request=request, by=acting_user, stance=stance, text=text, answered_at=now)
        opinion.full_clean()
        opinion.save()
        OpinionFile.objects.bulk_create(OpinionFile(opinion=opinion, **row) for row in stored)
        request.current_opinion = opinion
        request.save(update_fields=["current_opinion"])
        consultation = request.consultation
        events.publish(
            "consultation.answered", consultation_id=consultation.pk, request_id=request.pk, opinion_id=opinion.pk
        )
        record(
            actor=acting_user,
            verb="workflows.consultation.answered",
            target=consultation,
            unit=request.unit,
            data={
                "request": request.pk,
                "opinion": opinion.pk,
                "stance": stance,
                "replaces": previous_id,
                "files": [row["blob_key"] for row in stored],
            },
        )
        return opinion


def do_close_consultation(consultation: Consultation, *, acting_user) -> Consultation:
    """End the round (also after its deadline): no more answers, the opinions given stay."""
    with transaction.atomic(durable=True):
        consultation = (
            Consultation.objects.select_for_update(of=("self",))
            .select_related("document__drafting_unit")
            .get(pk=consultation.pk)
        )
        if consultation.state != ConsultationState.OPEN:
            raise Conflict(
                "Đợt lấy ý kiến này đã kết thúc.",
                code="consultation_closed",
                message_en="This consultation is already closed.",
            )
        if acting_user.pk != consultation.asked_by_id:
            _check_drafting_side(consultation.document, acting_user=acting_user, what="kết thúc lấy ý kiến về")
        consultation.close(by=acting_user, at=timezone.now())
        consultation.save()
        answered = consultation.requests.filter(current_opinion__isnull=False).count()
        events.publish("consultation.closed", consultation_id=consultation.pk)
        record(
            actor=acting_user,
            verb="workflows.consultation.closed",
            target=consultation,
            unit=consultation.document.drafting_unit,
            data={"answered": answered, "asked": consultation.requests.count()},
        )
        return consultation


# -- rights and state ----------------------------------------------------------------------------


def _check_drafting_side(document: Document, *, acting_user, what: str) -> None:
    if getattr(acting_user, "is_authenticated", False) and acting_user.is_active:
        if document.created_by_id == acting_user.pk:
            return
        if roles_in(user=acting_user, unit=document.drafting_unit) & EDITING_LEADER_ROLES:
            return
    raise Forbidden(
        f"Chỉ người soạn hoặc lãnh đạo đơn vị soạn thảo được {what} dự thảo này.",
        code="not_your_draft",
        message_en="Only the drafter or a leader of the drafting unit may do this.",
    )


def _request_for_update(request: ConsultationRequest, *, lock: bool) -> ConsultationRequest:
    qs = ConsultationRequest.objects.select_related("consultation", "unit")
    if lock:
        # The consultation row first (closing locks it too), so an answer cannot commit after a close
        # it did not see; then the request row, which serialises two answers for the same party.
        # Always in that order, so answers and closes cannot deadlock.
        Consultation.objects.select_for_update().only("pk").get(pk=request.consultation_id)
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=request.pk)


def _check_may_answer(request: ConsultationRequest, *, acting_user) -> None:
    consultation = request.consultation
    if consultation.state != ConsultationState.OPEN:
        raise Conflict(
            "Đợt lấy ý kiến này đã kết thúc nên không nhận thêm ý kiến.",
            code="consultation_closed",
            message_en="This consultation is closed; it takes no more opinions.",
        )
    if consultation.is_expired():
        deadline = timezone.localtime(consultation.deadline)
        raise Conflict(
            f"Đã quá hạn góp ý ({deadline:%H:%M} ngày {deadline:%d/%m/%Y}) nên không nhận thêm ý kiến.",
            code="consultation_expired",
            message_en="The deadline for opinions has passed.",
            details={"deadline": consultation.deadline.isoformat()},
        )
    if getattr(acting_user, "is_authenticated", False) and acting_user.is_active:
        if request.user_id is not None and request.user_id == acting_user.pk:
            return
        if request.unit_id is not None and roles_in(user=acting_user, unit=request.unit) & AUTHORITY_ROLES:
            return
    raise Forbidden(
        "Bạn không phải người (hoặc lãnh đạo đơn vị) được xin ý kiến nên không góp ý thay được.",
        code="not_consulted",
        message_en="Only the person asked, or a head of the unit asked, may answer.",
    )


def _check_parties_exist(user_ids: list[int], unit_ids: list[int]) -> None:
    if get_user_model().objects.filter(pk__in=user_ids, is_active=True).count() != len(user_ids):
        raise InvalidInput(
            "Có người được xin ý kiến không tồn tại hoặc đã ngừng hoạt động.",
            code="unknown_party",
            message_en="Unknown or inactive user among the parties.",
            details={"field": "users"},
        )
    if Unit.objects.filter(pk__in=unit_ids, is_active=True).count() != len(unit_ids):
        raise InvalidInput(
            "Có đơn vị được xin ý kiến không tồn tại hoặc đã ngừng hoạt động.",
            code="unknown_party",
            message_en="Unknown or inactive unit among the parties.",
            details={"field": "units"},
        )


# -- input ---------------------------------------------------------------------------------------


def _unique_ids(items: Iterable[Any]) -> list[int]:
    """Primary keys in first-seen order: choosing the same party twice asks them once."""
    ids: list[int] = []
    for item in items:
        pk = getattr(item, "pk", item)
        if not isinstance(pk, int):
            raise InvalidInput("Nơi được xin ý kiến không hợp lệ.", code="unknown_party", message_en="Bad party.")
        if pk not in ids:
            ids.append(pk)
    return ids


def _text(value: Any, name: str) -> str:
    return clean_text(
        value,
        field=name,
        max_length=MAX_TEXT_LENGTH,
        longer=("nội dung dài hơn hãy gửi dưới dạng tệp đính kèm", "attach a file for more"),
    )


def _check_file(upload) -> tuple[Any, CheckedUpload]:
    return upload, check_upload(getattr(upload, "name", "") or "", upload, field="files")


def _store(upload, checked: CheckedUpload) -> dict[str, Any]:
    key = storages["blobs"].save(checked.safe_name, upload)
    if key != checked.sha256:
        raise RuntimeError(f"the blob store returned {key!r} for bytes whose SHA-256 is {checked.sha256}")
    return {
        "blob_key": key,
        "sha256": checked.sha256,
        "filename": checked.safe_name[:255],
        "size": checked.size,
        "content_type": checked.content_type,
    }
