"""The incoming flow (văn bản đến) over the API: inboxes, the delivery, its steps, the sender's tracking.

Thin over :mod:`workflows.actions.incoming`, :mod:`workflows.actions.forward`,
:mod:`workflows.actions.routing`, :mod:`workflows.actions.replies` and
:mod:`workflows.incoming_selectors`. Each step is ``POST /api/v1/deliveries/{id}/<step>/`` (assignment lines are in
:mod:`ioffice.api.views.assignments`) calling the one action behind it, which checks the state (409),
then the caller's right (403), then the input (400). A delivery the caller may not see is a 404
before any of that (:func:`~workflows.incoming_selectors.deliveries_visible_to`), so the API never
tells a stranger that it exists or how far it has got.

The inboxes are the acting unit's: the one of the caller's active membership (the session's choice,
else the first), or the ``unit`` a client names among the units where the caller holds a role.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import Attachment, Urgency
from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import error_response
from ioffice.api.serializers_documents import CommentSerializer, ReasonSerializer
from ioffice.api.serializers_incoming import (
    DeliveryDetailSerializer,
    DeliveryFilterSerializer,
    DeliveryRowSerializer,
    DispatchTrackingSerializer,
    ExternalDocumentSerializer,
    ForwardSerializer,
    RegisterSerializer,
    ReplyStartedSerializer,
    RouteSerializer,
    StartReplySerializer,
)
from ioffice.api.views.documents import validated
from journal import reads
from journal.errors import Forbidden, InvalidInput
from journal.reads import record_read
from organizations.models import Unit
from workflows.actions.forward import do_forward_delivery
from workflows.actions.incoming import (
    ExternalDocumentInput,
    do_accept_recall,
    do_acknowledge_delivery,
    do_refuse_recall,
    do_register_delivery,
    do_register_external,
    do_reject_delivery,
)
from workflows.actions.replies import do_start_reply
from workflows.actions.routing import (
    AssigneeSpec,
    do_complete_delivery,
    do_route,
)
from workflows.incoming_selectors import (
    IncomingFilters,
    deliveries_visible_to,
    delivery_history,
    to_acknowledge,
    to_register,
    to_route,
    tracking_tree,
    unit_deliveries,
)
from workflows.models import Assignment, DeadlineExtension, Delivery, DeliveryStatus, Routing
from workflows.selectors import tracking_summary
from workflows.visibility import tracked_dispatch, visible_delivery

DELIVERY_TAGS = ["deliveries"]

_INBOXES = {
    "to_register": to_register,
    "to_route": to_route,
    "to_acknowledge": to_acknowledge,
    "all": unit_deliveries,
}

_DELIVERY_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The delivery's id.")
_DELIVERY_FILTERS = [
    OpenApiParameter(
        "inbox",
        OpenApiTypes.STR,
        enum=list(_INBOXES),
        description="to_register: waiting for a số đến (clerk); to_route: registered, not routed (leader); "
        "to_acknowledge: “đã nhận” due (principal, leader; FYI lines of the caller); all: everything the unit "
        "received (clerk, heads). Default all.",
    ),
    OpenApiParameter("unit", OpenApiTypes.INT, description="Act as this unit (default: the active membership's)."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Text in the summary (trích yếu) or the số, ký hiệu."),
    OpenApiParameter(
        "status", OpenApiTypes.STR, enum=DeliveryStatus.values, description="Only deliveries in this status."
    ),
    OpenApiParameter("urgency", OpenApiTypes.STR, enum=Urgency.values, description="Độ khẩn; empty for ordinary mail."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Arrived on or after this day (local)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Arrived on or before this day (local)."),
]

_NOT_VISIBLE = "No such delivery, or not visible to the caller (delivery_not_found)."
STATE_CONFLICT = (
    "Not possible in the current status (illegal_transition; details.status and details.transition), "
    "or someone else moved it first (concurrent_transition)."
)


def step_responses(ok, *, bad_input: str | None = None, forbidden: str, conflict: str = STATE_CONFLICT) -> dict:
    responses = {
        200: ok,
        403: error_response(forbidden),
        404: error_response(_NOT_VISIBLE),
        409: error_response(conflict),
    }
    if bad_input:
        responses[400] = error_response(bad_input)
    return responses


def _acting_unit(request: Request, unit_id: int | None) -> Unit:
    """The unit the caller acts as: the named one if they hold a role there, else the active membership's."""
    memberships = getattr(request, "memberships", [])
    if unit_id is not None:
        for membership in memberships:
            if membership.unit_id == unit_id:
                return membership.unit
        raise Forbidden(
            "Bạn không có vai trò tại đơn vị này.",
            code="not_a_member",
            message_en="You hold no role in this unit.",
            details={"unit": unit_id},
        )
    membership = getattr(request, "active_membership", None)
    if membership is None:
        raise Forbidden(
            "Bạn chưa được phân công vai trò tại đơn vị nào.",
            code="no_membership",
            message_en="You hold no role in any unit.",
        )
    return membership.unit


def user_by_id(pk: int, *, field: str) -> object:
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise InvalidInput(
            "Không tìm thấy người dùng này.",
            code="unknown_user",
            message_en="No such active user.",
            details={"field": field, "id": pk},
        )
    return user


def _assignee(values: dict, *, field: str) -> AssigneeSpec:
    """The action's assignee from one validated line; an id that names nobody is a 400 here."""
    unit = None
    if values["unit_id"] is not None:
        unit = Unit.objects.filter(pk=values["unit_id"]).first()
        if unit is None:
            raise InvalidInput(
                "Không tìm thấy đơn vị được giao.",
                code="unknown_assignee",
                message_en="No such unit to assign.",
                details={"field": field, "unit_id": values["unit_id"]},
            )
    user = user_by_id(values["user_id"], field=field) if values["user_id"] is not None else None
    return AssigneeSpec(
        unit=unit, user=user, deadline=values["deadline"], working_days=values["working_days"], note=values["note"]
    )


def delivery_body(pk: int) -> dict:
    """The full representation of delivery ``pk``, in a fixed number of queries whatever its slip's size."""
    delivery = (
        Delivery.objects.select_related(
            "document__document_type", "document__issuer", "recipient", "registered_by", "acknowledged_by"
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                Assignment.objects.select_related("unit", "user", "assigned_by", "acknowledged_by")
                .prefetch_related(Prefetch("extensions", DeadlineExtension.objects.select_related("extended_by")))
                .order_by("pk"),
                to_attr="assignment_rows",
            ),
            Prefetch(
                "children",
                Delivery.objects.select_related("recipient").order_by("recipient__path", "pk"),
                to_attr="child_rows",
            ),
        )
        .get(pk=pk)
    )
    delivery.attachment_rows = Attachment.objects.filter(
        document_id=delivery.document_id, removed_in_version__isnull=True
    ).order_by("pk")
    delivery.routing_row = Routing.objects.select_related("routed_by").filter(delivery=delivery).first()
    delivery.history_rows = delivery_history(delivery)
    return DeliveryDetailSerializer(delivery).data


@extend_schema_view(
    list=extend_schema(
        operation_id="deliveries_list",
        parameters=_DELIVERY_FILTERS,
        responses={
            200: DeliveryRowSerializer(many=True),
            400: error_response("Unknown inbox, status or urgency, or a bad date (invalid_input)."),
            403: error_response("The caller holds no role in the unit (no_membership, not_a_member)."),
        },
        tags=DELIVERY_TAGS,
        description="One of the acting unit's incoming work lists, urgent (Hỏa tốc, Thượng khẩn) first, then newest.",
    ),
    retrieve=extend_schema(
        operation_id="deliveries_retrieve",
        parameters=[_DELIVERY_ID],
        responses={200: DeliveryDetailSerializer, 404: error_response(_NOT_VISIBLE)},
        tags=DELIVERY_TAGS,
        description="The delivery with its document, status (edXML code), số đến, routing slip, assignments, history.",
    ),
)
class DeliveryViewSet(ActiveMembershipMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DeliveryRowSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Delivery]:
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        user = self.request.user
        if self.action != "list":
            return deliveries_visible_to(user)
        wanted = validated(DeliveryFilterSerializer, self.request.query_params)
        unit = _acting_unit(self.request, wanted.get("unit"))
        filters = IncomingFilters(
            text=wanted.get("q", ""),
            arrived_from=wanted.get("from"),
            arrived_until=wanted.get("to"),
            urgency=wanted.get("urgency"),
            status=wanted.get("status"),
        )
        return _INBOXES[wanted["inbox"]](user, unit, filters=filters)

    def _visible(self, pk: int) -> Delivery:
        return visible_delivery(self.request.user, pk)

    def retrieve(self, request: Request, pk: int) -> Response:
        delivery = self._visible(pk)
        record_read(
            actor=request.user, kind=reads.VIEWED, target=delivery.document, data={"delivery": delivery.pk, "api": True}
        )
        return Response(delivery_body(delivery.pk))

    def _step(self, request: Request, pk: int, serializer, fire) -> Response:
        delivery = self._visible(pk)
        values = validated(serializer, request.data) if serializer is not None else {}
        fire(delivery, values)
        return Response(delivery_body(delivery.pk))

    @extend_schema(
        operation_id="deliveries_register",
        parameters=[_DELIVERY_ID],
        request=RegisterSerializer,
        responses=step_responses(
            DeliveryDetailSerializer,
            bad_input="arrived_at for an electronic copy (arrival_time_paper_only), in the future "
            "(arrival_in_future) or before the dispatch was issued (arrival_before_sending).",
            forbidden="Only the unit's clerk (or the principal of a school without one) registers.",
            conflict=STATE_CONFLICT + " Or likely_duplicate: details.duplicates lists the registered deliveries "
            "that look like the same document (id, incoming_number, symbol, registered_at); send "
            "confirm_duplicate=true to register anyway.",
        ),
        tags=DELIVERY_TAGS,
        description="Receive and register (vào sổ, edXML 03): the next số đến of the unit's incoming register.",
    )
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: int) -> Response:
        def fire(delivery: Delivery, values: dict) -> None:
            do_register_delivery(
                delivery,
                acting_user=request.user,
                arrived_at=values["arrived_at"],
                confirm_duplicate=values["confirm_duplicate"],
                note=values["note"],
            )

        return self._step(request, pk, RegisterSerializer, fire)

    @extend_schema(
        operation_id="deliveries_reject",
        parameters=[_DELIVERY_ID],
        request=ReasonSerializer,
        responses=step_responses(
            DeliveryDetailSerializer,
            bad_input="No reason given (reason_required).",
            forbidden="Only the unit's clerk rejects.",
        ),
        tags=DELIVERY_TAGS,
        description="Send an arrived document back to the sender (edXML 02), saying why.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        def fire(delivery: Delivery, values: dict) -> None:
            do_reject_delivery(delivery, acting_user=request.user, reason=values["reason"])

        return self._step(request, pk, ReasonSerializer, fire)

    @extend_schema(
        operation_id="deliveries_route",
        parameters=[_DELIVERY_ID],
        request=RouteSerializer,
        responses=step_responses(
            DeliveryDetailSerializer,
            bad_input="No lead, a line without a deadline, a deadline in the past, an assignee outside the unit, "
            "the same assignee twice, an unknown unit or person (unknown_assignee, unknown_user).",
            forbidden="Only a holder of the unit's routing authority (leader, deputy, principal, delegate).",
        ),
        tags=DELIVERY_TAGS,
        description="Route (phân phối, edXML 04): exactly one lead, any coordinators and for-information lines; "
        "each lead/coordinator with a deadline date or a number of working days.",
    )
    @action(detail=True, methods=["post"])
    def route(self, request: Request, pk: int) -> Response:
        def fire(delivery: Delivery, values: dict) -> None:
            do_route(
                delivery,
                acting_user=request.user,
                lead=_assignee(values["lead"], field="lead"),
                coordinators=[_assignee(v, field="coordinators") for v in values["coordinators"]],
                informed=[_assignee(v, field="informed") for v in values["informed"]],
                direction=values["direction"],
            )

        return self._step(request, pk, RouteSerializer, fire)

    @extend_schema(
        operation_id="deliveries_forward",
        parameters=[_DELIVERY_ID],
        request=ForwardSerializer,
        responses=step_responses(
            DeliveryDetailSerializer,
            bad_input="None or more than one of unit_ids / school_level / all; a unit not directly under the "
            "office, or unknown (unknown_unit); no unit to forward to.",
            forbidden="Only the office's clerk or leader forwards.",
        ),
        tags=DELIVERY_TAGS,
        description="A district office forwards a registered delivery to its units (children of the delivery).",
    )
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: int) -> Response:
        def fire(delivery: Delivery, values: dict) -> None:
            units = None
            if values["unit_ids"]:
                wanted = set(values["unit_ids"])
                units = list(Unit.objects.filter(pk__in=wanted))
                if len(units) != len(wanted):
                    raise InvalidInput(
                        "Có đơn vị được chọn không tồn tại.",
                        code="unknown_unit",
                        message_en="A chosen unit does not exist.",
                        details={"unit_ids": sorted(wanted - {u.pk for u in units})},
                    )
            do_forward_delivery(
                delivery,
                acting_user=request.user,
                units=units,
                school_level=values["school_level"] or None,
                all_children=values["all"],
                note=values["note"],
            )

        return self._step(request, pk, ForwardSerializer, fire)

    @extend_schema(
        operation_id="deliveries_acknowledge",
        parameters=[_DELIVERY_ID],
        request=None,
        responses=step_responses(
            DeliveryDetailSerializer,
            forbidden="Only the unit's principal, leader or deputy.",
            conflict=STATE_CONFLICT + " Or already_acknowledged.",
        ),
        tags=DELIVERY_TAGS,
        description="“Đã nhận” on the whole delivery by the unit's head: once, irrevocable, shown to the sender.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int) -> Response:
        return self._step(
            request, pk, None, lambda delivery, _v: do_acknowledge_delivery(delivery, acting_user=request.user)
        )

    @extend_schema(
        operation_id="deliveries_complete",
        parameters=[_DELIVERY_ID],
        request=CommentSerializer,
        responses=step_responses(
            DeliveryDetailSerializer,
            bad_input="Bad input.",
            forbidden="Only a holder of the unit's routing authority files it.",
        ),
        tags=DELIVERY_TAGS,
        description="File the delivery as done (lưu hồ sơ, để biết; edXML 06) without further work.",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        def fire(delivery: Delivery, values: dict) -> None:
            do_complete_delivery(delivery, acting_user=request.user, comment=values["comment"])

        return self._step(request, pk, CommentSerializer, fire)

    @extend_schema(
        operation_id="deliveries_accept_recall",
        parameters=[_DELIVERY_ID],
        request=CommentSerializer,
        responses=step_responses(
            DeliveryDetailSerializer, bad_input="Bad input.", forbidden="Only the unit's clerk or leader."
        ),
        tags=DELIVERY_TAGS,
        description="Accept the sender's recall (edXML 15): the copy is frozen and kept for the record.",
    )
    @action(detail=True, methods=["post"], url_path="accept-recall", url_name="accept-recall")
    def accept_recall(self, request: Request, pk: int) -> Response:
        def fire(delivery: Delivery, values: dict) -> None:
            do_accept_recall(delivery, acting_user=request.user, comment=values["comment"])

        return self._step(request, pk, CommentSerializer, fire)

    @extend_schema(
        operation_id="deliveries_refuse_recall",
        parameters=[_DELIVERY_ID],
        request=ReasonSerializer,
        responses=step_responses(
            DeliveryDetailSerializer,
            bad_input="No reason given (reason_required).",
            forbidden="Only the unit's clerk or leader.",
        ),
        tags=DELIVERY_TAGS,
        description="Refuse the sender's recall (edXML 16), saying why; the unit carries on where it was.",
    )
    @action(detail=True, methods=["post"], url_path="refuse-recall", url_name="refuse-recall")
    def refuse_recall(self, request: Request, pk: int) -> Response:
        def fire(delivery: Delivery, values: dict) -> None:
            do_refuse_recall(delivery, acting_user=request.user, reason=values["reason"])

        return self._step(request, pk, ReasonSerializer, fire)

    @extend_schema(
        operation_id="deliveries_start_reply",
        parameters=[_DELIVERY_ID],
        request=StartReplySerializer,
        responses={
            201: ReplyStartedSerializer,
            400: error_response("Bad input."),
            403: error_response("The caller may not draft in the recipient unit."),
            404: error_response(_NOT_VISIBLE),
            409: error_response("A reply is already linked (reply_exists), or the delivery is frozen."),
        },
        tags=DELIVERY_TAGS,
        description="Start the reply (văn bản trả lời) as a draft of the recipient unit that refers to this "
        "document; edit it at /api/v1/drafts/{draft}/. Issuing it completes the delivery.",
    )
    @action(detail=True, methods=["post"], url_path="start-reply", url_name="start-reply")
    def start_reply(self, request: Request, pk: int) -> Response:
        delivery = self._visible(pk)
        values = validated(StartReplySerializer, request.data)
        draft = do_start_reply(delivery, acting_user=request.user, summary=values["summary"])
        return Response({"draft": draft.pk, "delivery": delivery.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="deliveries_external",
        request={"multipart/form-data": ExternalDocumentSerializer},
        responses={
            201: DeliveryDetailSerializer,
            400: error_response(
                "Bad input: a missing field (invalid_input), or the action's codes: invalid_external_document "
                "(details.field: an unknown type or issuer, a date in the future …), secret_document, "
                "file_required, and the upload check's upload_* codes (documents.uploads: upload_empty, "
                "upload_too_large, upload_type_not_allowed — the main file must be a PDF, PNG or JPEG —, "
                "upload_name_mismatch, upload_bad_name, upload_pdf_malformed, upload_pdf_encrypted, "
                "upload_pdf_active_content, upload_zip_bomb, upload_office_malformed, upload_image_malformed, "
                "upload_image_too_large)."
            ),
            403: error_response("Only the unit's clerk registers (no_membership, not_a_member, forbidden)."),
            409: error_response("likely_duplicate: details.duplicates as for register; confirm_duplicate=true."),
        },
        tags=DELIVERY_TAGS,
        description="Register a document that came from outside the system (paper scan, e-mailed PDF) with its "
        "files: it gets the next số đến at once.",
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def external(self, request: Request) -> Response:
        # Plain values and the uploaded files separately: a multipart body's files cannot be copied.
        data = {key: request.data[key] for key in request.data if key not in ("file", "attachments")}
        if "file" in request.FILES:
            data["file"] = request.FILES["file"]
        data["attachments"] = request.FILES.getlist("attachments")
        values = validated(ExternalDocumentSerializer, data)
        unit = _acting_unit(request, values.get("unit"))
        # The ids go to the action as they are: it refuses an unknown type or issuer with the pages' codes.
        data = ExternalDocumentInput(
            document_type=values["document_type"],
            issuer=values["issuer"],
            issuer_name=values["issuer_name"],
            symbol=values["symbol"],
            issued_on=values["issued_on"],
            summary=values["summary"],
            urgency=values["urgency"],
            secrecy=values["secrecy"],
            signer_name=values["signer_name"],
            external_id=values["external_id"],
            channel=values["channel"],
            arrived_at=values["arrived_at"],
            note=values["note"],
        )
        delivery = do_register_external(
            unit,
            data,
            acting_user=request.user,
            files=[values["file"], *values["attachments"]] if values["file"] is not None else [],
            confirm_duplicate=values["confirm_duplicate"],
        )
        return Response(delivery_body(delivery.pk), status=status.HTTP_201_CREATED)


class DispatchTrackingView(ActiveMembershipMixin, APIView):
    """The sender's view of where every copy of an issued dispatch got to, forwarded copies rolled up."""

    @extend_schema(
        operation_id="dispatches_tracking",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The dispatch's id.")],
        responses={
            200: DispatchTrackingSerializer,
            404: error_response("No such dispatch, or not visible to the caller (dispatch_not_found)."),
        },
        tags=["dispatches"],
        description="Counts per status and channel, then each direct recipient with its status, số đến, "
        "“đã nhận”, reply, and counts over the units it forwarded to (and theirs).",
    )
    def get(self, request: Request, id: int) -> Response:
        dispatch = tracked_dispatch(request.user, id)
        body = {
            "dispatch": dispatch.pk,
            "summary": tracking_summary(dispatch=dispatch),
            "recipients": tracking_tree(dispatch),
        }
        return Response(DispatchTrackingSerializer(body).data)
