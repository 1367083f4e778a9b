"""Consultation on a draft (lấy ý kiến) over the API: open, read the consolidated opinions, answer, close.

Thin over :mod:`workflows.actions.consultations` and :mod:`workflows.consultation_selectors`. A
consultation the caller may not read (neither someone who may open the draft nor an asked party) is
the same 404 as one that does not exist.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import error_response
from ioffice.api.views.documents import validated, visible_document
from journal import reads
from journal.errors import InvalidInput
from journal.reads import record_read
from organizations.models import Unit
from workflows.actions.consultations import do_answer_consultation, do_close_consultation, do_open_consultation
from workflows.consultation_selectors import consultation_summary, consultations_awaiting, visible_consultation
from workflows.models import OpinionStance

TAGS = ["consultations"]


class OpenConsultationSerializer(serializers.Serializer):
    document = serializers.IntegerField(help_text="The draft asked about.")
    question = serializers.CharField(max_length=5000)
    deadline = serializers.DateTimeField(help_text="ISO 8601; without an offset it is Asia/Ho_Chi_Minh time.")
    users = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    units = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class AnswerSerializer(serializers.Serializer):
    request = serializers.IntegerField(help_text="The id of the request (party) answered for.")
    stance = serializers.ChoiceField(choices=OpinionStance.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    # Empty files pass here so that the upload check refuses them with its own code (upload_empty).
    files = serializers.ListField(child=serializers.FileField(allow_empty_file=True), required=False, default=list)


class OpinionFileOutSerializer(serializers.Serializer):
    filename = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class PartyOutSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    kind = serializers.CharField(help_text='"user" (a person asked) or "unit" (a unit asked).')
    id = serializers.IntegerField()
    name = serializers.CharField()
    stance = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_null=True)
    answered_by = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    files = OpinionFileOutSerializer(many=True)


class ConsultationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField()
    question = serializers.CharField()
    deadline = serializers.DateTimeField()
    state = serializers.CharField()
    accepts_answers = serializers.BooleanField()
    asked_by = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Current opinions per stance.")
    unanswered = serializers.IntegerField()
    parties = PartyOutSerializer(many=True)


class AwaitingOutSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    consultation = serializers.IntegerField()
    document = serializers.IntegerField()
    summary = serializers.CharField()
    question = serializers.CharField()
    deadline = serializers.DateTimeField()
    for_unit = serializers.CharField(allow_null=True)


def _name(user) -> str:
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def consultation_body(consultation) -> dict:
    """The consultation with its consolidated opinions (two queries for the parties, whatever their number)."""
    summary = consultation_summary(consultation=consultation)
    parties = []
    for item in summary.parties:
        request, opinion = item.request, item.opinion
        is_user = request.user_id is not None
        parties.append(
            {
                "request": request.pk,
                "kind": "user" if is_user else "unit",
                "id": request.user_id if is_user else request.unit_id,
                "name": _name(request.user) if is_user else request.unit.name,
                "stance": opinion.stance if opinion else None,
                "text": opinion.text if opinion else None,
                "answered_by": _name(opinion.by) if opinion else None,
                "answered_at": opinion.answered_at if opinion else None,
                "files": [{"filename": f.filename, "size": f.size, "sha256": f.sha256} for f in opinion.files.all()]
                if opinion
                else [],
            }
        )
    return ConsultationOutSerializer(
        {
            "id": consultation.pk,
            "document": consultation.document_id,
            "question": consultation.question,
            "deadline": consultation.deadline,
            "state": consultation.state,
            "accepts_answers": consultation.accepts_answers(),
            "asked_by": _name(consultation.asked_by),
            "counts": summary.counts,
            "unanswered": summary.unanswered,
            "parties": parties,
        }
    ).data


class ConsultationViewSet(ActiveMembershipMixin, viewsets.ViewSet):
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="consultations_create",
        request=OpenConsultationSerializer,
        responses={
            201: ConsultationOutSerializer,
            400: error_response("Bad input: no question, a deadline in the past, no party, an unknown party."),
            403: error_response("Only the drafter or a head of the drafting unit may ask."),
            404: error_response("No such draft, or not visible to the caller."),
            409: error_response("The document is no longer a draft."),
        },
        tags=TAGS,
        description="Ask people and units for their opinion on a draft by a deadline.",
    )
    def create(self, request: Request) -> Response:
        values = validated(OpenConsultationSerializer, request.data)
        document = visible_document(request.user, values["document"])
        users = list(get_user_model().objects.filter(pk__in=values["users"], is_active=True))
        units = list(Unit.objects.filter(pk__in=values["units"]))
        if len(users) != len(set(values["users"])) or len(units) != len(set(values["units"])):
            raise InvalidInput(
                "Có người hoặc đơn vị được chọn không tồn tại.",
                code="unknown_party",
                message_en="A chosen person or unit does not exist.",
            )
        consultation = do_open_consultation(
            document,
            acting_user=request.user,
            question=values["question"],
            deadline=values["deadline"],
            users=users,
            units=units,
        )
        return Response(consultation_body(consultation), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="consultations_retrieve",
        responses={200: ConsultationOutSerializer, 404: error_response("No such consultation, or not visible.")},
        tags=TAGS,
        description="The consultation with every party's current opinion and the counts per stance.",
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        consultation = visible_consultation(user=request.user, pk=pk)
        record_read(
            actor=request.user,
            kind=reads.VIEWED,
            target=consultation.document,
            data={"consultation": consultation.pk, "api": True},
        )
        return Response(consultation_body(consultation))

    @extend_schema(
        operation_id="consultations_answer",
        request={"multipart/form-data": AnswerSerializer, "application/json": AnswerSerializer},
        responses={
            200: ConsultationOutSerializer,
            400: error_response("Bad stance, no text for disagree/other, a file the upload check refuses (upload_*)."),
            403: error_response("The caller does not answer for this party."),
            404: error_response("No such consultation or request, or not visible."),
            409: error_response("The consultation is closed or past its deadline."),
        },
        tags=TAGS,
        description="Give (or replace, before the deadline) the opinion of one asked party.",
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: int) -> Response:
        consultation = visible_consultation(user=request.user, pk=pk)
        # Plain values and the uploaded files separately: a multipart body's files cannot be copied.
        data = {key: request.data[key] for key in ("request", "stance", "text") if key in request.data}
        data["files"] = request.FILES.getlist("files")
        values = validated(AnswerSerializer, data)
        party = consultation.requests.filter(pk=values["request"]).first()
        if party is None:
            raise InvalidInput(
                "Không có nơi được xin ý kiến này trong đợt lấy ý kiến.",
                code="unknown_request",
                message_en="This consultation asked no such party.",
            )
        do_answer_consultation(
            party, acting_user=request.user, stance=values["stance"], text=values["text"], files=values["files"]
        )
        return Response(consultation_body(consultation))

    @extend_schema(
        operation_id="consultations_close",
        request=None,
        responses={
            200: ConsultationOutSerializer,
            403: error_response("Only who asked, the drafter or a head of the drafting unit may close."),
            404: error_response("No such consultation, or not visible."),
            409: error_response("Already closed."),
        },
        tags=TAGS,
        description="End the round: no more answers; the opinions given stay.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        consultation = visible_consultation(user=request.user, pk=pk)
        do_close_consultation(consultation, acting_user=request.user)
        return Response(consultation_body(visible_consultation(user=request.user, pk=pk)))

    @extend_schema(
        operation_id="consultations_awaiting",
        responses={200: AwaitingOutSerializer(many=True)},
        tags=TAGS,
        description="Requests the caller can still answer, nearest deadline first.",
    )
    @action(detail=False, methods=["get"])
    def awaiting(self, request: Request) -> Response:
        rows = [
            {
                "request": r.pk,
                "consultation": r.consultation_id,
                "document": r.consultation.document_id,
                "summary": r.consultation.document.summary,
                "question": r.consultation.question,
                "deadline": r.consultation.deadline,
                "for_unit": r.unit.name if r.unit_id else None,
            }
            for r in consultations_awaiting(user=request.user)[:200]
        ]
        return Response(AwaitingOutSerializer(rows, many=True).data)
