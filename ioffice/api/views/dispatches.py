"""Outgoing dispatches (quy trình phát hành) over the API: list, start, read, and every transition.

Each transition is ``POST /api/v1/dispatches/{id}/<transition>/`` calling the one action behind it;
the action checks the state (409 ``illegal_transition`` with the reason), then the caller's right
(403), then the input (400). A dispatch the caller may not see is a 404 before any of that, so the
API never tells a stranger that it exists or what state it is in.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from documents.models import Document
from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import error_response
from ioffice.api.serializers_documents import (
    CommentSerializer,
    DispatchDetailSerializer,
    DispatchFilterSerializer,
    DispatchSerializer,
    DispatchStartSerializer,
    ReasonSerializer,
    SubmitForReviewSerializer,
    SubmitForSignatureSerializer,
)
from ioffice.api.views.documents import validated, visible_document
from journal import reads
from journal.errors import InvalidInput, NotFound
from journal.reads import record_read
from workflows import actions as wf
from workflows import selectors
from workflows.models import (
    EDXML_CODES,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Dispatch,
    DispatchState,
    DispatchTransition,
)
from workflows.visibility import dispatches_tracked_by

TAGS = ["dispatches"]

_RELATED = (
    "document__document_type",
    "document__drafting_unit",
    "document__issuer",
    "document__created_by",
    "reviewer",
    "signer",
)
#: The work lists a caller can ask for with ``?queue=``.
_QUEUES = {
    "review": selectors.awaiting_review,
    "signature": selectors.awaiting_signature,
    "numbering": selectors.awaiting_numbering,
}


def _transition_responses(bad_input: str | None) -> dict:
    responses = {
        200: DispatchDetailSerializer,
        403: error_response("The caller may not fire this transition (forbidden)."),
        404: error_response("No such dispatch, or not visible to the caller (dispatch_not_found)."),
        409: error_response(
            "Not possible in the current state (illegal_transition; details.state and details.transition), "
            "or someone else moved the dispatch first (concurrent_transition)."
        ),
    }
    if bad_input:
        responses[400] = error_response(bad_input)
    return responses


def _user(pk: int, *, field: str, code: str):
    """An active user by id, else the 400 the action would give for a person who cannot take the step."""
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise InvalidInput(
            "Không tìm thấy người dùng này.", code=code, message_en="No such active user.", details={"field": field}
        )
    return user


def dispatch_body(pk: int, *, user) -> dict:
    """The full representation of dispatch ``pk``: the dispatch, its log, and once issued its recipients.

    The recipients and their counts are the sender's tracking view: for a caller who sees the
    document only as a recipient or through a grant (:func:`workflows.visibility.dispatches_tracked_by`
    says no) they stay empty and zero, as before issue.
    """
    dispatch = (
        Dispatch.objects.select_related(*_RELATED)
        .prefetch_related(Prefetch("transitions", DispatchTransition.objects.select_related("actor")))
        .get(pk=pk)
    )
    if dispatches_tracked_by(user).filter(pk=pk).exists():
        dispatch.tracking = selectors.tracking_summary(dispatch=dispatch)
        dispatch.delivery_rows = selectors.deliveries_of(dispatch=dispatch)
    else:
        dispatch.tracking = {
            "total": 0,
            "by_status": dict.fromkeys(DeliveryStatus.values, 0),
            "by_edxml_code": dict.fromkeys(EDXML_CODES.values(), 0),
            "by_channel": dict.fromkeys(DeliveryChannel.values, 0),
        }
        dispatch.delivery_rows = Delivery.objects.none()
    return DispatchDetailSerializer(dispatch).data


_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The dispatch's id.")
_FILTERS = [
    OpenApiParameter(
        "state", OpenApiTypes.STR, enum=DispatchState.values, description="Only dispatches in this state."
    ),
    OpenApiParameter(
        "queue",
        OpenApiTypes.STR,
        enum=list(_QUEUES),
        description="review / signature: waiting for me; numbering: signed, waiting for my agency's clerks.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        operation_id="dispatches_list",
        parameters=_FILTERS,
        responses={200: DispatchSerializer(many=True), 400: error_response("Unknown state or queue.")},
        tags=TAGS,
        description="The dispatches the caller may see, newest first, or one of the caller's work lists.",
    ),
    retrieve=extend_schema(
        operation_id="dispatches_retrieve",
        parameters=[_ID],
        responses={200: DispatchDetailSerializer, 404: error_response("No such dispatch, or not visible.")},
        tags=TAGS,
    ),
)
class DispatchViewSet(ActiveMembershipMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DispatchSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Dispatch]:
        if getattr(self, "swagger_fake_view", False):
            return Dispatch.objects.none()
        user = self.request.user
        if self.action != "list":
            return selectors.dispatches_visible_to(user=user)
        wanted = validated(DispatchFilterSerializer, self.request.query_params)
        if wanted.get("queue"):
            # The queues keep their own order (oldest waiting first): that is the order work is done in.
            queryset = _QUEUES[wanted["queue"]](user=user)
        else:
            queryset = selectors.dispatches_visible_to(user=user).order_by("-created_at", "-pk")
        if wanted.get("state"):
            queryset = queryset.filter(state=wanted["state"])
        return queryset.select_related(*_RELATED)

    def _visible(self, pk: int) -> Dispatch:
        dispatch = self.get_queryset().filter(pk=pk).first()
        if dispatch is None:
            raise NotFound("Không tìm thấy văn bản.", code="dispatch_not_found", message_en="Dispatch not found.")
        return dispatch

    def retrieve(self, request: Request, pk: int) -> Response:
        dispatch = self._visible(pk)
        record_read(
            actor=request.user, kind=reads.VIEWED, target=dispatch.document, data={"dispatch": dispatch.pk, "api": True}
        )
        return Response(dispatch_body(dispatch.pk, user=request.user))

    @extend_schema(
        operation_id="dispatches_create",
        request=DispatchStartSerializer,
        responses={
            201: DispatchDetailSerializer,
            400: error_response("Bad input."),
            403: error_response("Only the drafter may start the process (forbidden)."),
            404: error_response("No such draft, or not visible (document_not_found)."),
            409: error_response("The document already has a dispatch (dispatch_exists)."),
        },
        tags=TAGS,
        description="Put a draft into the approval process (state draft); only its drafter may.",
    )
    def create(self, request: Request) -> Response:
        values = validated(DispatchStartSerializer, request.data)
        document: Document = visible_document(request.user, values["document"])
        dispatch = wf.do_start_dispatch(document, acting_user=request.user)
        return Response(dispatch_body(dispatch.pk, user=request.user), status=status.HTTP_201_CREATED)

    def _fire(self, request: Request, pk: int, serializer: type[Serializer] | None, fire) -> Response:
        dispatch = self._visible(pk)
        values = validated(serializer, request.data) if serializer is not None else {}
        fire(dispatch, values)
        return Response(dispatch_body(dispatch.pk, user=request.user))

    @extend_schema(
        operation_id="dispatches_submit_for_review",
        parameters=[_ID],
        request=SubmitForReviewSerializer,
        responses=_transition_responses("Missing reviewer, or not a head of the drafting unit (invalid_reviewer)."),
        tags=TAGS,
        description="The drafter submits the draft to the head (or a deputy head) of the drafting unit.",
    )
    @action(detail=True, methods=["post"])
    def submit_for_review(self, request: Request, pk: int) -> Response:
        def fire(dispatch: Dispatch, values: dict) -> None:
            reviewer = _user(values["reviewer"], field="reviewer", code="invalid_reviewer")
            wf.do_submit_for_review(dispatch, acting_user=request.user, reviewer=reviewer, comment=values["comment"])

        return self._fire(request, pk, SubmitForReviewSerializer, fire)

    @extend_schema(
        operation_id="dispatches_return",
        parameters=[_ID],
        request=ReasonSerializer,
        responses=_transition_responses("No reason given (reason_required)."),
        tags=TAGS,
        description="The reviewer (while submitted) or the signer (while awaiting signature) returns it, saying why.",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: int) -> Response:
        def fire(dispatch: Dispatch, values: dict) -> None:
            wf.do_return(dispatch, acting_user=request.user, reason=values["reason"])

        return self._fire(request, pk, ReasonSerializer, fire)

    @extend_schema(
        operation_id="dispatches_approve",
        parameters=[_ID],
        request=CommentSerializer,
        responses=_transition_responses("Bad input."),
        tags=TAGS,
        description="The reviewer chosen at submission approves the draft.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        def fire(dispatch: Dispatch, values: dict) -> None:
            wf.do_approve(dispatch, acting_user=request.user, comment=values["comment"])

        return self._fire(request, pk, CommentSerializer, fire)

    @extend_schema(
        operation_id="dispatches_submit_for_signature",
        parameters=[_ID],
        request=SubmitForSignatureSerializer,
        responses=_transition_responses("Missing signer, or one who may not sign for the agency (invalid_signer)."),
        tags=TAGS,
        description="The reviewer or the drafter sends the approved draft to someone who may sign for the agency.",
    )
    @action(detail=True, methods=["post"])
    def submit_for_signature(self, request: Request, pk: int) -> Response:
        def fire(dispatch: Dispatch, values: dict) -> None:
            signer = _user(values["signer"], field="signer", code="invalid_signer")
            wf.do_submit_for_signature(
                dispatch,
                acting_user=request.user,
                signer=signer,
                authority=values["authority"],
                comment=values["comment"],
            )

        return self._fire(request, pk, SubmitForSignatureSerializer, fire)

    @extend_schema(
        operation_id="dispatches_sign",
        parameters=[_ID],
        request=CommentSerializer,
        responses=_transition_responses("Bad input."),
        tags=TAGS,
        description="The chosen signer signs off.",
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: int) -> Response:
        def fire(dispatch: Dispatch, values: dict) -> None:
            wf.do_sign(dispatch, acting_user=request.user, comment=values["comment"])

        return self._fire(request, pk, CommentSerializer, fire)

    @extend_schema(
        operation_id="dispatches_number",
        parameters=[_ID],
        request=None,
        responses=_transition_responses(None),
        tags=TAGS,
        description="A clerk of the issuing agency takes the next outgoing number; the draft is frozen from here on.",
    )
    @action(detail=True, methods=["post"])
    def number(self, request: Request, pk: int) -> Response:
        return self._fire(request, pk, None, lambda dispatch, _values: wf.do_number(dispatch, acting_user=request.user))

    @extend_schema(
        operation_id="dispatches_seal",
        parameters=[_ID],
        request=None,
        responses=_transition_responses(None),
        tags=TAGS,
        description="A clerk of the issuing agency affixes the seal (or the agency's digital signature).",
    )
    @action(detail=True, methods=["post"])
    def seal(self, request: Request, pk: int) -> Response:
        return self._fire(request, pk, None, lambda dispatch, _values: wf.do_seal(dispatch, acting_user=request.user))

    @extend_schema(
        operation_id="dispatches_issue",
        parameters=[_ID],
        request=None,
        responses=_transition_responses("The document has no recipients."),
        tags=TAGS,
        description="A clerk issues the sealed dispatch: one delivery per recipient unit, electronic or paper.",
    )
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: int) -> Response:
        return self._fire(
            request, pk, None, lambda dispatch, _values: wf.do_issue_dispatch(dispatch, acting_user=request.user)
        )

    @extend_schema(
        operation_id="dispatches_recall",
        parameters=[_ID],
        request=ReasonSerializer,
        responses=_transition_responses("No reason given (reason_required)."),
        tags=TAGS,
        description="Recall (thu hồi) an issued dispatch, saying why; every recipient is asked to give it back.",
    )
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk: int) -> Response:
        def fire(dispatch: Dispatch, values: dict) -> None:
            wf.do_recall_dispatch(dispatch, acting_user=request.user, reason=values["reason"])

        return self._fire(request, pk, ReasonSerializer, fire)
