"""Assignment lines of routing slips over the API: my lines, and their steps.

Each step is ``POST /api/v1/assignments/{id}/<step>/`` calling the one action of
:mod:`workflows.actions.routing` behind it (state 409, then right 403, then input 400); a line the caller
may not see is a 404 first. Split from :mod:`ioffice.api.views.incoming`, whose error shapes it shares.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import error_response
from ioffice.api.serializers_documents import ReasonSerializer
from ioffice.api.serializers_incoming import (
    AssignmentDetailSerializer,
    AssignmentFilterSerializer,
    ExtendSerializer,
    FinishSerializer,
    ReassignSerializer,
)
from ioffice.api.views.documents import validated
from ioffice.api.views.incoming import STATE_CONFLICT, step_responses, user_by_id
from workflows.actions.routing import (
    do_acknowledge_assignment,
    do_extend_deadline,
    do_finish_assignment,
    do_reassign,
    do_return_assignment,
    do_start_assignment,
)
from workflows.incoming_selectors import my_assignments
from workflows.models import Assignment, DeadlineExtension
from workflows.visibility import visible_assignment

ASSIGNMENT_TAGS = ["assignments"]
_ASSIGNMENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The assignment's id.")


def _assignment_responses(
    *, bad_input: str | None, forbidden: str, conflict: str = STATE_CONFLICT, ok_status: int = 200
) -> dict:
    responses = step_responses(AssignmentDetailSerializer, bad_input=bad_input, forbidden=forbidden, conflict=conflict)
    responses[ok_status] = responses.pop(200)
    responses[404] = error_response("No such assignment, or not visible (assignment_not_found).")
    return responses


def assignment_body(pk: int) -> dict:
    return AssignmentDetailSerializer(_assignments().get(pk=pk)).data


def _assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related(
        "delivery__document__document_type",
        "delivery__document__issuer",
        "delivery__recipient",
        "unit",
        "user",
        "assigned_by",
        "acknowledged_by",
    ).prefetch_related(Prefetch("extensions", DeadlineExtension.objects.select_related("extended_by")))


@extend_schema_view(
    list=extend_schema(
        operation_id="assignments_list",
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, description="new, in_progress, done or returned.")],
        responses={200: AssignmentDetailSerializer(many=True), 400: error_response("Unknown state.")},
        tags=ASSIGNMENT_TAGS,
        description="My assignment lines (and those of units I head, to re-assign): open first, by deadline.",
    ),
    retrieve=extend_schema(
        operation_id="assignments_retrieve",
        parameters=[_ASSIGNMENT_ID],
        responses={200: AssignmentDetailSerializer, 404: error_response("No such assignment, or not visible.")},
        tags=ASSIGNMENT_TAGS,
        description="One line of a routing slip, with its delivery and deadline changes.",
    ),
)
class AssignmentViewSet(ActiveMembershipMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AssignmentDetailSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Assignment]:
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        wanted = validated(AssignmentFilterSerializer, self.request.query_params)
        return (
            my_assignments(self.request.user, wanted.get("state"))
            .select_related("assigned_by", "acknowledged_by")
            .prefetch_related(Prefetch("extensions", DeadlineExtension.objects.select_related("extended_by")))
        )

    def _visible(self, pk: int) -> Assignment:
        """Assignment ``pk`` if the caller may see its delivery (the assignee always may)."""
        return visible_assignment(self.request.user, pk)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(assignment_body(self._visible(pk).pk))

    def _step(self, request: Request, pk: int, serializer, fire) -> Response:
        assignment = self._visible(pk)
        values = validated(serializer, request.data) if serializer is not None else {}
        fire(assignment, values)
        return Response(assignment_body(assignment.pk))

    @extend_schema(
        operation_id="assignments_start",
        parameters=[_ASSIGNMENT_ID],
        request=None,
        responses=_assignment_responses(bad_input=None, forbidden="Only the assignee (or a member of the unit)."),
        tags=ASSIGNMENT_TAGS,
        description="Begin work; starting the lead moves the delivery to in progress (edXML 05).",
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int) -> Response:
        return self._step(request, pk, None, lambda a, _v: do_start_assignment(a, acting_user=request.user))

    @extend_schema(
        operation_id="assignments_finish",
        parameters=[_ASSIGNMENT_ID],
        request=FinishSerializer,
        responses=_assignment_responses(
            bad_input="No result given (result_required).", forbidden="Only the assignee (or a member of the unit)."
        ),
        tags=ASSIGNMENT_TAGS,
        description="Report the result; finishing the lead completes the delivery (edXML 06).",
    )
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, pk: int) -> Response:
        def fire(assignment: Assignment, values: dict) -> None:
            do_finish_assignment(assignment, acting_user=request.user, result=values["result"])

        return self._step(request, pk, FinishSerializer, fire)

    @extend_schema(
        operation_id="assignments_return",
        parameters=[_ASSIGNMENT_ID],
        request=ReasonSerializer,
        responses=_assignment_responses(
            bad_input="No reason given (reason_required).", forbidden="Only the assignee (or a member of the unit)."
        ),
        tags=ASSIGNMENT_TAGS,
        description="Give the line back to whoever assigned it, saying why (wrong addressee, not our remit).",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: int) -> Response:
        def fire(assignment: Assignment, values: dict) -> None:
            do_return_assignment(assignment, acting_user=request.user, reason=values["reason"])

        return self._step(request, pk, ReasonSerializer, fire)

    @extend_schema(
        operation_id="assignments_acknowledge",
        parameters=[_ASSIGNMENT_ID],
        request=None,
        responses=_assignment_responses(
            bad_input=None,
            forbidden="Only the assignee (or a member of the unit).",
            conflict=STATE_CONFLICT + " Or not a for-information line, or already acknowledged.",
        ),
        tags=ASSIGNMENT_TAGS,
        description="“Đã nhận” on a for-information (nhận để biết) line: once, irrevocable.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int) -> Response:
        return self._step(request, pk, None, lambda a, _v: do_acknowledge_assignment(a, acting_user=request.user))

    @extend_schema(
        operation_id="assignments_reassign",
        parameters=[_ASSIGNMENT_ID],
        request=ReassignSerializer,
        responses=_assignment_responses(
            bad_input="Unknown person (unknown_user), not a member of the unit, a deadline after the unit's.",
            forbidden="Only the head (or deputy head) of the assigned unit.",
            ok_status=201,
        ),
        tags=ASSIGNMENT_TAGS,
        description="A unit head hands the unit's line to a person inside it; returns the new line.",
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: int) -> Response:
        assignment = self._visible(pk)
        values = validated(ReassignSerializer, request.data)
        child = do_reassign(
            assignment,
            acting_user=request.user,
            user=user_by_id(values["user_id"], field="user_id"),
            deadline=values["deadline"],
            note=values["note"],
        )
        return Response(assignment_body(child.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="assignments_extend",
        parameters=[_ASSIGNMENT_ID],
        request=ExtendSerializer,
        responses=_assignment_responses(
            bad_input="No reason (reason_required), a new deadline in the past or equal to the old one.",
            forbidden="Only whoever routed or re-assigned it, or a holder of the unit's routing authority.",
        ),
        tags=ASSIGNMENT_TAGS,
        description="Move the deadline (gia hạn), saying why; the history keeps every change.",
    )
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: int) -> Response:
        def fire(assignment: Assignment, values: dict) -> None:
            do_extend_deadline(
                assignment, acting_user=request.user, new_deadline=values["new_deadline"], reason=values["reason"]
            )

        return self._step(request, pk, ExtendSerializer, fire)
