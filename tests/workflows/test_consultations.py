"""Consultation on a draft (lấy ý kiến): open, answer (with files, replacing, refused), close, consolidate."""

import datetime
import hashlib
from dataclasses import dataclass

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents.actions import do_create_draft
from documents.models import Document
from journal import events
from journal.errors import Conflict, Forbidden, InvalidInput
from journal.models import AuditEvent
from organizations.models import Role
from tests.concurrency import at_once, codes, postgresql_only
from tests.documents.factories import draft_input, make_department, make_division
from tests.documents.files import make_pdf
from tests.journal import handlers
from tests.journal.handlers import queued
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.actions import do_answer_consultation, do_close_consultation, do_open_consultation
from workflows.consultation_selectors import (
    consultation_summary,
    consultations_awaiting,
    consultations_of,
    opinion_history,
)
from workflows.models import Consultation, ConsultationRequest, ConsultationState, Opinion, OpinionFile

pytestmark = pytest.mark.django_db

KINDS = ("consultation.opened", "consultation.answered", "consultation.closed")
PDF = make_pdf("Gop y")


@pytest.fixture(autouse=True)
def observed():
    """Subscribe a test handler, as a higher app would from its ready(), so events become tasks."""
    for kind in KINDS:
        events.subscribe(kind, handlers.remember)
    yield
    for kind in KINDS:
        events.unsubscribe(kind, handlers.remember)


@dataclass
class World:
    division: object
    school: object
    drafter: object
    colleague: object
    head: object
    expert: object
    principal: object
    teacher: object
    outsider: object
    document: Document


@pytest.fixture
def w() -> World:
    department = make_department()
    division = make_division(department=department)
    school = make_unit(kind="school", parent=department, name="Trường THPT Thành phố Cao Lãnh", school_level="thpt")
    users = {
        name: make_user() for name in ("drafter", "colleague", "head", "expert", "principal", "teacher", "outsider")
    }
    make_membership(user=users["drafter"], unit=division, role=Role.OFFICER)
    make_membership(user=users["colleague"], unit=division, role=Role.OFFICER)
    make_membership(user=users["head"], unit=division, role=Role.LEADER)
    make_membership(user=users["expert"], unit=department, role=Role.OFFICER)
    make_membership(user=users["principal"], unit=school, role=Role.PRINCIPAL)
    make_membership(user=users["teacher"], unit=school, role=Role.OFFICER)
    document = do_create_draft(acting_user=users["drafter"], unit=division, data=draft_input())
    return World(division=division, school=school, document=document, **users)


def later(**kwargs) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**kwargs or {"days": 3})


def open_for(w: World, **kwargs) -> Consultation:
    kwargs.setdefault("acting_user", w.drafter)
    kwargs.setdefault("question", "Đề nghị góp ý dự thảo công văn triển khai văn phòng điện tử.")
    kwargs.setdefault("deadline", later())
    kwargs.setdefault("users", [w.expert])
    kwargs.setdefault("units", [w.school])
    return do_open_consultation(w.document, **kwargs)


def request_of(consultation: Consultation, party) -> ConsultationRequest:
    field = "user" if hasattr(party, "get_username") else "unit"
    return ConsultationRequest.objects.get(consultation=consultation, **{field: party})


def expire(consultation: Consultation) -> None:
    Consultation.objects.filter(pk=consultation.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))


def counts() -> dict[str, int]:
    return {
        "consultations": Consultation.objects.count(),
        "requests": ConsultationRequest.objects.count(),
        "opinions": Opinion.objects.count(),
        "files": OpinionFile.objects.count(),
        "audit": AuditEvent.objects.filter(verb__startswith="workflows.consultation.").count(),
        "tasks": DBTaskResult.objects.count(),
    }


# -- opening ---------------------------------------------------------------------------------------


def test_open_writes_the_round_its_parties_the_audit_row_and_the_event(w):
    deadline = later(days=5)
    c = open_for(w, deadline=deadline, users=[w.expert, w.colleague, w.expert], units=[w.school])

    c = Consultation.objects.get(pk=c.pk)
    assert (c.document_id, c.asked_by, c.state, c.deadline) == (w.document.pk, w.drafter, "open", deadline)
    assert c.question.startswith("Đề nghị góp ý")
    parties = list(c.requests.order_by("position").values_list("user_id", "unit_id", "position", "current_opinion"))
    # The same person chosen twice is asked once.
    assert parties == [(w.expert.pk, None, 0, None), (w.colleague.pk, None, 1, None), (None, w.school.pk, 2, None)]
    event = AuditEvent.objects.get(verb="workflows.consultation.opened")
    assert (event.actor_id, event.object_id, event.unit_id) == (w.drafter.pk, str(c.pk), w.division.pk)
    assert event.data["users"] == [w.expert.pk, w.colleague.pk] and event.data["units"] == [w.school.pk]
    assert queued("consultation.opened") == [{"consultation_id": c.pk}]


def test_a_leader_of_the_drafting_unit_may_open(w):
    c = open_for(w, acting_user=w.head)
    assert c.asked_by == w.head


@pytest.mark.parametrize("who", ["colleague", "outsider", "principal"])
def test_only_the_drafter_or_a_leader_of_the_drafting_unit_may_open(w, who):
    before = counts()
    with pytest.raises(Forbidden) as caught:
        open_for(w, acting_user=getattr(w, who))
    assert caught.value.code == "not_your_draft"
    assert counts() == before


def test_open_is_refused_once_the_document_is_numbered(w):
    Document.objects.filter(pk=w.document.pk).update(number=960)
    before = counts()
    with pytest.raises(Conflict) as caught:
        open_for(w)
    assert caught.value.code == "not_a_draft" and "dự thảo" in caught.value.message
    assert counts() == before


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"users": [], "units": []}, "no_parties"),
        ({"deadline": timezone.now() - datetime.timedelta(hours=1)}, "deadline_in_past"),
        ({"question": "   "}, "question_required"),
        ({"users": ["drafter"]}, "self_consultation"),
        ({"users": [987654]}, "unknown_party"),
    ],
)
def test_open_refuses_bad_input_and_writes_nothing(w, kwargs, code):
    kwargs = dict(kwargs)
    if "users" in kwargs:  # names of the world's people, or raw ids that match nobody
        kwargs["users"] = [getattr(w, u) if isinstance(u, str) else u for u in kwargs["users"]]
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        open_for(w, **kwargs)
    assert caught.value.code == code
    assert counts() == before


# -- answering -------------------------------------------------------------------------------------


def test_answer_with_files_stores_blobs_then_rows_audit_and_event(w):
    c = open_for(w)
    request = request_of(c, w.expert)
    upload = SimpleUploadedFile("Góp ý.pdf", PDF, content_type="application/pdf")

    opinion = do_answer_consultation(
        request, acting_user=w.expert, stance="disagree", text="Đề nghị bỏ đoạn 2.", files=[upload]
    )

    key = hashlib.sha256(PDF).hexdigest()
    opinion = Opinion.objects.get(pk=opinion.pk)
    assert (opinion.by, opinion.stance, opinion.text, opinion.superseded_at) == (
        w.expert,
        "disagree",
        "Đề nghị bỏ đoạn 2.",
        None,
    )
    assert opinion.get_stance_display() == "Không đồng ý"
    assert ConsultationRequest.objects.get(pk=request.pk).current_opinion_id == opinion.pk
    assert list(opinion.files.values_list("blob_key", "sha256", "filename", "size", "content_type")) == [
        (key, key, "Góp ý.pdf", len(PDF), "application/pdf")
    ]
    with storages["blobs"].open(key) as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(verb="workflows.consultation.answered")
    assert (event.actor_id, event.object_id) == (w.expert.pk, str(c.pk))
    assert event.data == {
        "request": request.pk,
        "opinion": opinion.pk,
        "stance": "disagree",
        "replaces": None,
        "files": [key],
    }
    assert queued("consultation.answered") == [
        {"consultation_id": c.pk, "request_id": request.pk, "opinion_id": opinion.pk}
    ]


def test_a_unit_is_answered_by_its_head_not_its_staff_nor_strangers(w):
    c = open_for(w)
    request = request_of(c, w.school)
    for stranger in (w.teacher, w.expert, w.outsider, w.drafter):
        with pytest.raises(Forbidden) as caught:
            do_answer_consultation(request, acting_user=stranger, stance="agree")
        assert caught.value.code == "not_consulted"
    opinion = do_answer_consultation(request, acting_user=w.principal, stance="agree")
    assert opinion.request_id == request.pk and opinion.text == ""


def test_a_person_request_is_answered_only_by_that_person(w):
    c = open_for(w)
    with pytest.raises(Forbidden):
        do_answer_consultation(request_of(c, w.expert), acting_user=w.principal, stance="agree")
    assert Opinion.objects.count() == 0


@pytest.mark.parametrize("stance", ["disagree", "other"])
def test_disagree_or_other_needs_a_text_and_nothing_is_stored(w, stance):
    c = open_for(w)
    data = b"%PDF-1.4 a file that must not be kept"
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        do_answer_consultation(
            request_of(c, w.expert),
            acting_user=w.expert,
            stance=stance,
            text="  ",
            files=[SimpleUploadedFile("a.pdf", data)],
        )
    assert caught.value.code == "opinion_text_required"
    assert counts() == before
    assert not storages["blobs"].exists(hashlib.sha256(data).hexdigest())


def test_an_unknown_stance_is_refused(w):
    c = open_for(w)
    with pytest.raises(InvalidInput) as caught:
        do_answer_consultation(request_of(c, w.expert), acting_user=w.expert, stance="maybe", text="?")
    assert caught.value.code == "invalid_stance"


def test_answering_again_replaces_the_current_opinion_and_keeps_the_old_one(w):
    c = open_for(w)
    request = request_of(c, w.expert)
    first = do_answer_consultation(request, acting_user=w.expert, stance="agree")
    second = do_answer_consultation(request, acting_user=w.expert, stance="other", text="Bổ sung thời hạn báo cáo.")

    first = Opinion.objects.get(pk=first.pk)
    assert first.superseded_at is not None and first.superseded_at >= first.answered_at
    assert ConsultationRequest.objects.get(pk=request.pk).current_opinion_id == second.pk
    assert [o.pk for o in opinion_history(request=request)] == [first.pk, second.pk]
    assert (
        AuditEvent.objects.filter(verb="workflows.consultation.answered").order_by("pk").last().data["replaces"]
        == first.pk
    )
    summary = consultation_summary(consultation=c)
    assert summary.counts == {"agree": 0, "disagree": 0, "other": 1}


def test_after_the_deadline_answers_are_refused_and_no_blob_is_kept(w):
    c = open_for(w)
    expire(c)
    data = b"%PDF-1.4 too late"
    with pytest.raises(Conflict) as caught:
        do_answer_consultation(
            request_of(c, w.expert), acting_user=w.expert, stance="agree", files=[SimpleUploadedFile("late.pdf", data)]
        )
    assert caught.value.code == "consultation_expired" and "quá hạn" in caught.value.message
    assert not storages["blobs"].exists(hashlib.sha256(data).hexdigest())
    assert Opinion.objects.count() == 0
    assert Consultation.objects.get(pk=c.pk).is_expired()


def test_a_closed_consultation_takes_no_answers(w):
    c = open_for(w)
    do_close_consultation(c, acting_user=w.drafter)
    with pytest.raises(Conflict) as caught:
        do_answer_consultation(request_of(c, w.school), acting_user=w.principal, stance="agree")
    assert caught.value.code == "consultation_closed" and "kết thúc" in caught.value.message


def test_a_file_over_the_cap_is_refused_before_it_is_stored(w, settings):
    settings.IOFFICE_MAX_UPLOAD_MB = 1
    c = open_for(w)
    data = b"x" * (1024 * 1024 + 1)
    with pytest.raises(InvalidInput) as caught:
        do_answer_consultation(
            request_of(c, w.expert),
            acting_user=w.expert,
            stance="other",
            text="Xem tệp.",
            files=[SimpleUploadedFile("big.bin", data)],
        )
    assert caught.value.code == "upload_too_large" and "1 MB" in caught.value.message
    assert not storages["blobs"].exists(hashlib.sha256(data).hexdigest())
    assert Opinion.objects.count() == 0


def test_an_empty_file_is_refused(w):
    c = open_for(w)
    with pytest.raises(InvalidInput) as caught:
        do_answer_consultation(
            request_of(c, w.expert), acting_user=w.expert, stance="agree", files=[SimpleUploadedFile("e.pdf", b"")]
        )
    assert caught.value.code == "upload_empty"


# -- closing ---------------------------------------------------------------------------------------


def test_close_records_who_and_when_audit_and_event(w):
    c = open_for(w)
    do_answer_consultation(request_of(c, w.expert), acting_user=w.expert, stance="agree")
    expire(c)  # an expired round can still be closed: that is the drafter saying it is over

    do_close_consultation(c, acting_user=w.drafter)

    c = Consultation.objects.get(pk=c.pk)
    assert (c.state, c.closed_by) == (ConsultationState.CLOSED, w.drafter) and c.closed_at is not None
    assert not c.is_expired()
    event = AuditEvent.objects.get(verb="workflows.consultation.closed")
    assert (event.actor_id, event.object_id, event.data) == (w.drafter.pk, str(c.pk), {"answered": 1, "asked": 2})
    assert queued("consultation.closed") == [{"consultation_id": c.pk}]
    with pytest.raises(Conflict) as caught:
        do_close_consultation(c, acting_user=w.drafter)
    assert caught.value.code == "consultation_closed"


def test_only_the_drafting_side_may_close(w):
    c = open_for(w)
    for who in (w.expert, w.principal, w.colleague):
        with pytest.raises(Forbidden):
            do_close_consultation(c, acting_user=who)
    assert Consultation.objects.get(pk=c.pk).state == ConsultationState.OPEN
    do_close_consultation(c, acting_user=w.head)
    assert Consultation.objects.get(pk=c.pk).closed_by == w.head


# -- reading ---------------------------------------------------------------------------------------


def test_summary_consolidates_stances_unanswered_and_parties_in_order(w):
    c = open_for(w, users=[w.expert, w.colleague], units=[w.school])
    do_answer_consultation(
        request_of(c, w.expert),
        acting_user=w.expert,
        stance="disagree",
        text="Chưa rõ.",
        files=[SimpleUploadedFile("g.pdf", PDF)],
    )
    do_answer_consultation(request_of(c, w.school), acting_user=w.principal, stance="agree")

    summary = consultation_summary(consultation=c)

    assert summary.counts == {"agree": 1, "disagree": 1, "other": 0}
    assert summary.unanswered == 1
    assert [p.party for p in summary.parties] == [w.expert, w.colleague, w.school]
    assert [p.opinion and p.opinion.stance for p in summary.parties] == ["disagree", None, "agree"]
    assert [f.filename for f in summary.parties[0].opinion.files.all()] == ["g.pdf"]
    assert summary.counts_labelled == [
        ("agree", "Đồng ý", 1),
        ("disagree", "Không đồng ý", 1),
        ("other", "Ý kiến khác", 0),
    ]


def _summary_queries(w: World, parties: int) -> int:
    users = [make_user() for _ in range(parties)]
    c = open_for(w, users=users, units=[])
    for user in users[::2]:
        do_answer_consultation(
            request_of(c, user),
            acting_user=user,
            stance="other",
            text="Ý kiến.",
            files=[SimpleUploadedFile("f.pdf", PDF)],
        )
    with CaptureQueriesContext(connection) as ctx:
        summary = consultation_summary(consultation=c)
        for party in summary.parties:
            _ = (
                str(party.party),
                party.opinion and party.opinion.by.pk,
                party.opinion and list(party.opinion.files.all()),
            )
    assert summary.unanswered == parties // 2 and summary.counts["other"] == parties - parties // 2
    return len(ctx.captured_queries)


def test_summary_query_count_does_not_grow_with_parties(w):
    assert _summary_queries(w, 5) == _summary_queries(w, 50) == 2


def test_consultations_of_a_draft_with_counts(w):
    first = open_for(w)
    do_answer_consultation(request_of(first, w.expert), acting_user=w.expert, stance="agree")
    second = open_for(w, users=[w.colleague], units=[])
    rows = list(consultations_of(document=w.document))
    assert [(r.pk, r.asked, r.answered) for r in rows] == [(second.pk, 1, 0), (first.pk, 2, 1)]


def test_awaiting_lists_what_the_user_can_still_answer(w):
    c = open_for(w)
    other = open_for(w, users=[w.expert], units=[])
    assert [r.consultation_id for r in consultations_awaiting(user=w.expert)] == [c.pk, other.pk]
    assert [r.unit for r in consultations_awaiting(user=w.principal)] == [w.school]
    assert list(consultations_awaiting(user=w.teacher)) == []  # staff do not answer for the school

    do_answer_consultation(request_of(c, w.expert), acting_user=w.expert, stance="agree")
    expire(other)
    do_close_consultation(c, acting_user=w.drafter)
    assert list(consultations_awaiting(user=w.expert)) == []
    assert list(consultations_awaiting(user=w.principal)) == []


# -- database guards -------------------------------------------------------------------------------


def test_the_database_keeps_one_party_per_request_each_once_and_one_current_opinion(w):
    c = open_for(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.create(consultation=c, user=w.colleague, unit=w.division)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.create(consultation=c)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.create(consultation=c, user=w.expert)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.create(consultation=c, unit=w.school)
    request = request_of(c, w.expert)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.create(request=request, by=w.expert, stance="disagree", text="", answered_at=timezone.now())
    Opinion.objects.create(request=request, by=w.expert, stance="agree", answered_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.create(request=request, by=w.expert, stance="agree", answered_at=timezone.now())


# -- concurrency (PostgreSQL) ----------------------------------------------------------------------


@postgresql_only("SQLite serialises writers, so two answers never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_answers_at_once_leave_exactly_one_current_opinion(w):
    c = open_for(w)
    request = request_of(c, w.school)
    deputy = make_membership(unit=w.school, role=Role.DEPUTY).user
    outcomes = codes(
        at_once(
            lambda: do_answer_consultation(request, acting_user=w.principal, stance="agree"),
            lambda: do_answer_consultation(request, acting_user=deputy, stance="other", text="Cần thêm thời gian."),
        )
    )
    assert outcomes == ["ok", "ok"]
    current = Opinion.objects.filter(request=request, superseded_at__isnull=True)
    assert current.count() == 1
    assert ConsultationRequest.objects.get(pk=request.pk).current_opinion_id == current.get().pk
    assert Opinion.objects.filter(request=request, superseded_at__isnull=False).count() == 1


@postgresql_only("SQLite serialises writers, so an answer and a close never overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_answer_racing_the_close_either_lands_before_it_or_is_refused(w):
    c = open_for(w)
    request = request_of(c, w.expert)
    outcomes = codes(
        at_once(
            lambda: do_answer_consultation(request, acting_user=w.expert, stance="agree"),
            lambda: do_close_consultation(c, acting_user=w.drafter),
        )
    )
    c = Consultation.objects.get(pk=c.pk)
    assert c.state == ConsultationState.CLOSED
    opinion = Opinion.objects.filter(request=request).first()
    if opinion is None:
        assert sorted(outcomes) == ["consultation_closed", "ok"]
    else:
        assert outcomes == ["ok", "ok"] and opinion.answered_at <= c.closed_at
        assert AuditEvent.objects.get(verb="workflows.consultation.closed").data["answered"] == 1
