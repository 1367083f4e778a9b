"""Shapes of the API's bodies for the incoming flow (văn bản đến): deliveries, assignments, notifications.

As in :mod:`ioffice.api.serializers_documents` (whose comment and reason bodies the steps reuse),
input serializers check shape only; whether the caller may act, whether the state allows it and
whether a value makes sense (a deadline in the past, an assignee outside the unit) is the actions'
business, so the API and the pages refuse alike.

State, status and kind fields are documented as text with their values listed (:func:`one_of`), not
as enums: ``state``, ``status`` and ``kind`` already name other choice sets in the schema, and
drf-spectacular would warn about the collision and rename them all.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from documents.models import Attachment, AttachmentRole, Document, RecipientPurpose, Secrecy, Urgency
from ioffice.api.serializers import UnitBriefSerializer
from ioffice.api.serializers_documents import (
    DocumentTypeBriefSerializer,
    TrackingSerializer,
    UserBriefSerializer,
    one_of,
)
from organizations.models import SchoolLevel
from workflows.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeadlineExtension,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    NotificationKind,
    Priority,
)

# -- query parameters ------------------------------------------------------------------------------

#: The work lists of ``GET /api/v1/deliveries/?inbox=``.
INBOXES = ("to_register", "to_route", "to_acknowledge", "all")


class DeliveryFilterSerializer(serializers.Serializer):
    """The list's query: an unknown inbox, status or urgency, or a bad date, is a 400, not an empty list."""

    inbox = serializers.ChoiceField(
        choices=[(name, name) for name in INBOXES],
        required=False,
        default="all",
        help_text="to_register (clerk), to_route (leader), to_acknowledge (principal, leader), all (the unit's).",
    )
    unit = serializers.IntegerField(
        required=False, min_value=1, help_text="Act as this unit (one where the caller holds a role)."
    )
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Text in summary or symbol.")
    status = serializers.CharField(required=False, help_text=one_of(DeliveryStatus))
    urgency = serializers.CharField(
        required=False, allow_blank=True, help_text="Empty for ordinary mail. " + one_of(Urgency)
    )
    # "from" and "to" are Python keywords: declared through the class namespace.
    vars()["from"] = serializers.DateField(required=False, help_text="Arrived on or after this day.")
    vars()["to"] = serializers.DateField(required=False, help_text="Arrived on or before this day.")

    def validate_status(self, value: str) -> str:
        if value not in DeliveryStatus.values:
            raise serializers.ValidationError(f"“{value}” không phải trạng thái văn bản đến.")
        return value

    def validate_urgency(self, value: str) -> str:
        if value not in Urgency.values:
            raise serializers.ValidationError(f"“{value}” không phải độ khẩn.")
        return value

    def validate(self, attrs: dict) -> dict:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": "Ngày kết thúc phải sau ngày bắt đầu."})
        return attrs


class AssignmentFilterSerializer(serializers.Serializer):
    state = serializers.CharField(required=False, help_text=one_of(AssignmentState))

    def validate_state(self, value: str) -> str:
        if value not in AssignmentState.values:
            raise serializers.ValidationError(f"“{value}” không phải trạng thái phân công.")
        return value


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Only unread ones.")


# -- delivery input --------------------------------------------------------------------------------


class RegisterSerializer(serializers.Serializer):
    arrived_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Paper mail: when it actually arrived (not in the future). ISO 8601, Asia/Ho_Chi_Minh by default.",
    )
    confirm_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Register even though likely duplicates were found (after a 409 likely_duplicate).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssigneeSerializer(serializers.Serializer):
    """One line of the routing slip: a unit or a person, with a deadline (a date or N working days)."""

    unit_id = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    user_id = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    deadline = serializers.DateField(required=False, allow_null=True, default=None, help_text="Hạn xử lý.")
    working_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=365,
        help_text="Instead of a date: this many working days from today (holidays skipped).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, attrs: dict) -> dict:
        if (attrs["unit_id"] is None) == (attrs["user_id"] is None):
            raise serializers.ValidationError("Chọn một đơn vị (unit_id) hoặc một người (user_id).")
        if attrs["deadline"] is not None and attrs["working_days"] is not None:
            raise serializers.ValidationError("Chỉ nhập hạn xử lý hoặc số ngày làm việc, không nhập cả hai.")
        return attrs


class RouteSerializer(serializers.Serializer):
    lead = AssigneeSerializer(help_text="Exactly one lead (chủ trì).")
    coordinators = AssigneeSerializer(many=True, required=False, default=list, help_text="Phối hợp.")
    informed = AssigneeSerializer(many=True, required=False, default=list, help_text="Nhận để biết.")
    direction = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Ý kiến chỉ đạo."
    )


class ForwardSerializer(serializers.Serializer):
    """To whom a district office forwards: chosen units, one school level, or every unit under it."""

    unit_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    school_level = serializers.CharField(required=False, allow_blank=True, default="", help_text=one_of(SchoolLevel))
    all = serializers.BooleanField(required=False, default=False, help_text="Every unit directly under it.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate_school_level(self, value: str) -> str:
        if value and value not in SchoolLevel.values:
            raise serializers.ValidationError(f"“{value}” không phải cấp học.")
        return value

    def validate(self, attrs: dict) -> dict:
        chosen = [bool(attrs["unit_ids"]), bool(attrs["school_level"]), attrs["all"]]
        if sum(chosen) != 1:
            raise serializers.ValidationError("Chọn đúng một cách: unit_ids, school_level hoặc all.")
        return attrs


class StartReplySerializer(serializers.Serializer):
    summary = serializers.CharField(
        required=False, allow_null=True, default=None, max_length=500, help_text='Default "V/v trả lời …".'
    )


class ExternalDocumentSerializer(serializers.Serializer):
    """A document that came from outside the system (paper scan, e-mailed PDF), with its files.

    Type and issuer are passed on as ids: the action refuses unknown ones with the pages' codes.
    """

    unit = serializers.IntegerField(
        required=False, min_value=1, help_text="Register for this unit (one where the caller holds a role)."
    )
    document_type = serializers.IntegerField(min_value=1)
    issuer = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="An existing unit as the issuer…"
    )
    issuer_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text="…or the name of a new one."
    )
    symbol = serializers.CharField(max_length=64, help_text="Số, ký hiệu, e.g. 12/UBND-VX.")
    issued_on = serializers.DateField()
    summary = serializers.CharField(max_length=500, help_text="Trích yếu.")
    urgency = serializers.CharField(required=False, allow_blank=True, default="", help_text=one_of(Urgency))
    secrecy = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Secret documents are refused. " + one_of(Secrecy)
    )
    signer_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    external_id = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text="Message id, for duplicate warnings."
    )
    channel = serializers.CharField(required=False, default=DeliveryChannel.PAPER, help_text=one_of(DeliveryChannel))
    arrived_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    confirm_duplicate = serializers.BooleanField(required=False, default=False)
    file = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        allow_empty_file=True,
        help_text="The document itself: a PDF or a scanned PNG/JPEG (file_required, upload_* codes).",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list
    )


# -- assignment input ------------------------------------------------------------------------------


class FinishSerializer(serializers.Serializer):
    result = serializers.CharField(
        allow_blank=True, default="", max_length=20000, help_text="Kết quả xử lý (result_required)."
    )


class ReassignSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1, help_text="A member of the assigned unit.")
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="No later than the unit's; default the unit's."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ExtendSerializer(serializers.Serializer):
    new_deadline = serializers.DateField()
    reason = serializers.CharField(allow_blank=True, default="", help_text="Required (reason_required).")


# -- delivery output -------------------------------------------------------------------------------


class IncomingDocumentSerializer(serializers.ModelSerializer):
    """What a recipient reads about the document: its identity, not its drafting history."""

    document_type = DocumentTypeBriefSerializer(read_only=True)
    issuer = UnitBriefSerializer(read_only=True)
    urgency = serializers.CharField(read_only=True, help_text=one_of(Urgency))

    class Meta:
        model = Document
        fields = ["id", "document_type", "issuer", "number", "symbol", "issued_on", "summary", "urgency", "external"]
        read_only_fields = fields


class DeliveryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recipient = UnitBriefSerializer()
    status = serializers.CharField(help_text=one_of(DeliveryStatus))
    status_display = serializers.CharField(source="get_status_display")
    edxml_code = serializers.CharField()


class DeliveryRowSerializer(serializers.ModelSerializer):
    """A row of an inbox: one query per page whatever its size."""

    document = IncomingDocumentSerializer(read_only=True)
    recipient = UnitBriefSerializer(read_only=True)
    status = serializers.CharField(read_only=True, help_text=one_of(DeliveryStatus))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    edxml_code = serializers.CharField(read_only=True, help_text="The status as an edXML code (QCVN 102:2016).")
    priority = serializers.IntegerField(read_only=True, help_text=one_of(Priority))
    purpose = serializers.CharField(read_only=True, help_text=one_of(RecipientPurpose))
    channel = serializers.CharField(read_only=True, help_text=one_of(DeliveryChannel))
    awaits_receipt = serializers.SerializerMethodField(
        help_text="inbox=to_acknowledge only: the unit's “đã nhận” on the whole delivery is due; else null."
    )
    fyi_assignment = serializers.SerializerMethodField(
        help_text="inbox=to_acknowledge only: the caller's for-information line to acknowledge; else null."
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "document",
            "recipient",
            "status",
            "status_display",
            "edxml_code",
            "priority",
            "purpose",
            "channel",
            "arrived_at",
            "incoming_number",
            "registered_at",
            "routed_at",
            "due_on",
            "completed_at",
            "acknowledged_at",
            "dispatch",
            "parent",
            "awaits_receipt",
            "fyi_assignment",
        ]
        read_only_fields = fields

    def get_awaits_receipt(self, delivery) -> bool | None:
        return getattr(delivery, "awaits_receipt", None)

    def get_fyi_assignment(self, delivery) -> int | None:
        return getattr(delivery, "fyi_assignment_id", None)


class ExtensionSerializer(serializers.ModelSerializer):
    extended_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = ["old_deadline", "new_deadline", "reason", "extended_by", "at"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    """One line of the routing slip, with its deadline changes."""

    kind = serializers.CharField(read_only=True, help_text=one_of(AssignmentKind))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.CharField(read_only=True, help_text=one_of(AssignmentState))
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    unit = UnitBriefSerializer(read_only=True, allow_null=True)
    user = UserBriefSerializer(read_only=True, allow_null=True)
    assigned_by = UserBriefSerializer(read_only=True)
    acknowledged_by = UserBriefSerializer(read_only=True, allow_null=True)
    extensions = ExtensionSerializer(many=True, read_only=True, help_text="Oldest first.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "delivery",
            "parent",
            "kind",
            "kind_display",
            "unit",
            "user",
            "deadline",
            "state",
            "state_display",
            "assigned_by",
            "assigned_at",
            "note",
            "started_at",
            "done_at",
            "result",
            "returned_reason",
            "acknowledged_at",
            "acknowledged_by",
            "extensions",
        ]
        read_only_fields = fields


class AssignmentDetailSerializer(AssignmentSerializer):
    """An assignment with the delivery it belongs to, for the caller's own list and page."""

    delivery = DeliveryRowSerializer(read_only=True)


class RoutingSerializer(serializers.Serializer):
    routed_by = UserBriefSerializer()
    routed_at = serializers.DateTimeField()
    direction = serializers.CharField(help_text="Ý kiến chỉ đạo (bút phê).")
    proposal = serializers.CharField(help_text="Đề xuất của người xử lý.")


class HistoryEntrySerializer(serializers.Serializer):
    """One step of the delivery, of one of its assignments, or a deadline change, oldest first."""

    at = serializers.DateTimeField()
    source = serializers.CharField(help_text='"delivery", "assignment" or "extension".')
    name = serializers.CharField(help_text="The step (register, route, start, finish, extend_deadline …).")
    actor = UserBriefSerializer()
    before = serializers.CharField(allow_blank=True, help_text="Status or state before; an extension's old deadline.")
    after = serializers.CharField(help_text="Status or state after; an extension's new deadline.")
    comment = serializers.CharField(allow_blank=True)
    assignment = serializers.IntegerField(
        source="assignment.pk", allow_null=True, default=None, help_text="The assignment line, if any."
    )


class IncomingAttachmentSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text=one_of(AttachmentRole))

    class Meta:
        model = Attachment
        fields = ["id", "role", "filename", "content_type", "size", "sha256"]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliveryRowSerializer):
    """A delivery with everything its page shows: the slip, the assignments, the history, the children."""

    registered_by = UserBriefSerializer(read_only=True, allow_null=True)
    acknowledged_by = UserBriefSerializer(read_only=True, allow_null=True)
    attachments = IncomingAttachmentSerializer(source="attachment_rows", many=True, read_only=True)
    routing = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(source="assignment_rows", many=True, read_only=True, help_text="Slip order.")
    children = DeliveryRefSerializer(
        source="child_rows", many=True, read_only=True, help_text="Where a district office forwarded it."
    )
    reply = serializers.IntegerField(source="reply_id", read_only=True, allow_null=True, help_text="The reply draft.")
    history = HistoryEntrySerializer(source="history_rows", many=True, read_only=True)

    class Meta(DeliveryRowSerializer.Meta):
        fields = [
            *DeliveryRowSerializer.Meta.fields,
            "registered_by",
            "acknowledged_by",
            "attachments",
            "routing",
            "assignments",
            "children",
            "reply",
            "history",
        ]
        read_only_fields = fields

    @extend_schema_field(RoutingSerializer(allow_null=True))
    def get_routing(self, delivery) -> dict | None:
        routing = getattr(delivery, "routing_row", None)
        return RoutingSerializer(routing).data if routing is not None else None


class ReplyStartedSerializer(serializers.Serializer):
    draft = serializers.IntegerField(help_text="The new draft's id: open it at /api/v1/drafts/{draft}/.")
    delivery = serializers.IntegerField()


# -- the sender's tracking -------------------------------------------------------------------------


class TrackingRollupSerializer(serializers.Serializer):
    """Counts over the units a recipient forwarded to (its children)."""

    total = serializers.IntegerField()
    received = serializers.IntegerField()
    registered = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    completed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    rejected = serializers.IntegerField()


class TrackingNodeSerializer(serializers.Serializer):
    """One direct recipient: its own status and, if it forwarded, the roll-up of its units."""

    delivery = serializers.IntegerField(source="delivery.pk")
    recipient = UnitBriefSerializer(source="delivery.recipient")
    status = serializers.CharField(help_text=one_of(DeliveryStatus))
    edxml_code = serializers.CharField()
    channel = serializers.CharField(source="delivery.channel", help_text=one_of(DeliveryChannel))
    incoming_number = serializers.IntegerField(source="delivery.incoming_number", allow_null=True)
    registered_at = serializers.DateTimeField(source="delivery.registered_at", allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(source="delivery.completed_at", allow_null=True)
    due_on = serializers.DateField(source="delivery.due_on", allow_null=True)
    overdue = serializers.BooleanField(help_text="Past its deadline and not completed.")
    reply = serializers.IntegerField(
        source="delivery.reply_id", allow_null=True, help_text="The reply document's id, once linked."
    )
    children = TrackingRollupSerializer(allow_null=True, help_text="The units it forwarded to; null if none.")
    grandchildren = TrackingRollupSerializer(allow_null=True, help_text="What those units forwarded on; null if none.")


class DispatchTrackingSerializer(serializers.Serializer):
    dispatch = serializers.IntegerField()
    summary = TrackingSerializer(
        help_text="Counts over the copies the dispatch sent; forwarded copies are in each recipient's roll-up."
    )
    recipients = TrackingNodeSerializer(many=True, help_text="Each direct recipient, in unit tree order.")


# -- notifications ---------------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=one_of(NotificationKind))
    kind_display = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField(help_text="A path inside the site, e.g. /van-ban-den/12/.")
    urgent = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    all = serializers.BooleanField(required=False, default=False, help_text="Mark every notification read.")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs["ids"]) == attrs["all"]:
            raise serializers.ValidationError("Gửi danh sách ids hoặc all=true (một trong hai).")
        return attrs


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField(help_text="How many remain unread.")


class PreferencesSerializer(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    email_kinds = serializers.ListField(
        child=serializers.CharField(),
        help_text="Kinds mailed when e-mail is on (urgent ones are mailed anyway; an unknown kind is a 400 "
        "unknown_notification_kind). " + one_of(NotificationKind),
    )
