"""Shapes of the API's bodies for drafts (dự thảo) and outgoing dispatches (quy trình phát hành).

Input serializers check shape only (types, lists, known choices where a wrong one could never mean
anything); what a value means (does the type exist, may this person act, is the reviewer a head of
the drafting unit) is the actions' business, so the API and the pages refuse the same things with
the same codes and messages.
"""

from __future__ import annotations

from django.db.models import Choices
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from documents.models import (
    Attachment,
    AttachmentRole,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentReference,
    DocumentVersion,
    RecipientPurpose,
    ReferenceKind,
    Secrecy,
    SignerAuthority,
    Urgency,
)
from ioffice.api.serializers import UnitBriefSerializer
from ioffice.web.context import display_name
from workflows.models import Delivery, Dispatch, DispatchState, DispatchTransition


def one_of(choices: type[Choices]) -> str:
    """The allowed values, for fields the action checks itself.

    Those fields are documented as text, not as an enum: their names (``kind``, ``role``,
    ``authority``) already name other choice sets in the schema, and drf-spectacular would warn
    about the collision and rename both.
    """
    return "One of: " + ", ".join(f"“{value}” ({label})" for value, label in choices.choices) + "."


# -- people ----------------------------------------------------------------------------------------


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField(source="get_username")
    full_name = serializers.SerializerMethodField(help_text="Family name first, the Vietnamese way.")

    def get_full_name(self, user) -> str:
        return display_name(user)


# -- draft input -----------------------------------------------------------------------------------


class RunSerializer(serializers.Serializer):
    """One run of text in a paragraph, with its emphasis."""

    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    bold = serializers.BooleanField(default=False)
    italic = serializers.BooleanField(default=False)


class RecipientSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, help_text="A unit id (see /api/v1/units/).")
    purpose = serializers.ChoiceField(choices=RecipientPurpose.choices, default=RecipientPurpose.THUC_HIEN)


class RecipientListSerializer(serializers.Serializer):
    distribution_list = serializers.IntegerField(min_value=1, help_text="A saved distribution list's id.")
    purpose = serializers.ChoiceField(choices=RecipientPurpose.choices, default=RecipientPurpose.THUC_HIEN)


class ReferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=one_of(ReferenceKind))
    target = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="An issued document's id."
    )
    citation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The earlier document as written, when not in the system.",
    )


class DraftInputSerializer(serializers.Serializer):
    """Everything the drafting editor sends; a PATCH sends only what changes."""

    document_type = serializers.IntegerField(min_value=1, help_text="A document type's id.")
    summary = serializers.CharField(
        max_length=500, help_text="Trích yếu; a công văn gets its “V/v” prefix when it is left out."
    )
    body = serializers.ListField(
        child=serializers.ListField(child=RunSerializer()), default=list, help_text="Paragraphs, each a list of runs."
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL, allow_blank=True)
    secrecy = serializers.ChoiceField(
        choices=Secrecy.choices,
        default=Secrecy.NORMAL,
        allow_blank=True,
        help_text="Anything but empty is refused (secret_document_refused) and nothing is stored.",
    )
    kinh_gui = serializers.ListField(child=serializers.CharField(allow_blank=True), default=list)
    noi_nhan = serializers.ListField(child=serializers.CharField(allow_blank=True), default=list)
    luu = serializers.CharField(allow_blank=True, default="", help_text="Empty becomes “VT, <drafting unit>”.")
    signer_authority = serializers.ChoiceField(
        choices=SignerAuthority.choices, default=SignerAuthority.NONE, allow_blank=True
    )
    signer_position = serializers.CharField(allow_blank=True, default="")
    signer_name = serializers.CharField(allow_blank=True, default="")
    place = serializers.CharField(allow_blank=True, default="Đồng Tháp")
    recipients = RecipientSerializer(many=True, default=list)
    recipient_lists = RecipientListSerializer(many=True, default=list)
    references = ReferenceSerializer(many=True, default=list)
    comment = serializers.CharField(allow_blank=True, default="", help_text="A note on this version.")


class DraftUpdateSerializer(DraftInputSerializer):
    expected_version = serializers.IntegerField(
        min_value=1, help_text="The version the editor was opened on; another save since then is a 409 stale_draft."
    )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="Multipart: PDF, DOCX, XLSX, ODT, PNG or JPEG, checked by its content (upload_* codes).",
    )
    role = serializers.CharField(default=AttachmentRole.ATTACHMENT, help_text=one_of(AttachmentRole))
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    comment = serializers.CharField(allow_blank=True, default="")


class AttachmentRemoveSerializer(serializers.Serializer):
    """The query of a removal: DELETE carries no body."""

    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class CompareQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(min_value=1, help_text="One version number.")
    b = serializers.IntegerField(min_value=1, help_text="The other version number.")


# -- draft output ----------------------------------------------------------------------------------


class DocumentTypeBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    abbreviation = serializers.CharField()


class RecipientOutSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = DocumentRecipient
        fields = ["unit", "purpose"]


class RecipientListOutSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="distribution_list.name", read_only=True)

    class Meta:
        model = DocumentRecipientList
        fields = ["distribution_list", "name", "purpose"]


class ReferenceOutSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=one_of(ReferenceKind))
    target_label = serializers.SerializerMethodField()

    class Meta:
        model = DocumentReference
        fields = ["kind", "target", "target_label", "citation"]

    def get_target_label(self, reference) -> str:
        return str(reference.target) if reference.target_id else ""


class AttachmentSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text=one_of(AttachmentRole))

    class Meta:
        model = Attachment
        fields = [
            "id",
            "role",
            "filename",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "added_in_version",
            "removed_in_version",
            "removed_at",
        ]
        read_only_fields = fields


class DispatchRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispatch
        fields = ["id", "state"]
        read_only_fields = fields


class DraftBriefSerializer(serializers.ModelSerializer):
    """A row of “my drafts”: no related lists, so a page costs one query."""

    document_type = DocumentTypeBriefSerializer(read_only=True)
    drafting_unit = UnitBriefSerializer(read_only=True)
    dispatch = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "document_type",
            "summary",
            "urgency",
            "drafting_unit",
            "version",
            "locked",
            "number",
            "symbol",
            "dispatch",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DispatchRefSerializer(allow_null=True))
    def get_dispatch(self, document) -> dict | None:
        return DispatchRefSerializer(document.dispatch).data if _has_dispatch(document) else None


class DraftSerializer(DraftBriefSerializer):
    """A draft (or, once numbered, the document) with everything the editor shows."""

    issuer = UnitBriefSerializer(read_only=True)
    created_by = UserBriefSerializer(read_only=True)
    recipients = RecipientOutSerializer(many=True, read_only=True)
    recipient_lists = RecipientListOutSerializer(many=True, read_only=True)
    references = ReferenceOutSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True, help_text="Removed files too, with their version.")

    class Meta(DraftBriefSerializer.Meta):
        fields = [
            *DraftBriefSerializer.Meta.fields,
            "issuer",
            "created_by",
            "body",
            "kinh_gui",
            "noi_nhan",
            "luu",
            "signer_authority",
            "signer_position",
            "signer_name",
            "place",
            "issued_on",
            "recipients",
            "recipient_lists",
            "references",
            "attachments",
        ]
        read_only_fields = fields


def _has_dispatch(document: Document) -> bool:
    try:
        document.dispatch  # noqa: B018 - the reverse one-to-one raises when there is none
    except Dispatch.DoesNotExist:
        return False
    return True


class VersionSerializer(serializers.ModelSerializer):
    created_by = UserBriefSerializer(read_only=True)
    snapshot = serializers.JSONField(read_only=True, help_text="Every draft field as saved in this version.")

    class Meta:
        model = DocumentVersion
        fields = ["number", "comment", "created_by", "created_at", "snapshot"]
        read_only_fields = fields


class FieldChangeSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField(help_text="Vietnamese.")
    old = serializers.JSONField()
    new = serializers.JSONField()


class ChangesSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())


class BodyLineSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "removed", "added"])
    text = serializers.CharField()


class VersionDiffSerializer(serializers.Serializer):
    """What changed from the older to the newer version (documents.diff.VersionDiff)."""

    old_number = serializers.IntegerField()
    new_number = serializers.IntegerField()
    fields = FieldChangeSerializer(many=True)
    recipients = ChangesSerializer()
    recipient_lists = ChangesSerializer()
    references = ChangesSerializer()
    attachments = ChangesSerializer()
    body = BodyLineSerializer(many=True, help_text="A line diff of the paragraphs' text.")
    body_formatting_changed = serializers.BooleanField(help_text="Only bold/italic changed.")
    body_changed = serializers.BooleanField()
    has_changes = serializers.BooleanField()


# -- dispatches ------------------------------------------------------------------------------------


class DocumentBriefSerializer(serializers.ModelSerializer):
    document_type = DocumentTypeBriefSerializer(read_only=True)
    drafting_unit = UnitBriefSerializer(read_only=True)
    issuer = UnitBriefSerializer(read_only=True)
    created_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "document_type",
            "summary",
            "urgency",
            "drafting_unit",
            "issuer",
            "created_by",
            "version",
            "number",
            "symbol",
            "issued_on",
        ]
        read_only_fields = fields


class DispatchSerializer(serializers.ModelSerializer):
    document = DocumentBriefSerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    reviewer = UserBriefSerializer(read_only=True, allow_null=True)
    signer = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "document",
            "state",
            "state_display",
            "reviewer",
            "signer",
            "signer_authority",
            "submitted_at",
            "approved_at",
            "signed_at",
            "numbered_at",
            "sealed_at",
            "issued_at",
            "recalled_at",
            "recall_reason",
            "replaced_at",
            "created_at",
        ]
        read_only_fields = fields


class TransitionLogSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True)
    from_state = serializers.CharField(read_only=True, help_text="A dispatch state; empty for the start.")
    to_state = serializers.CharField(read_only=True, help_text="A dispatch state.")

    class Meta:
        model = DispatchTransition
        fields = ["name", "from_state", "to_state", "actor", "at", "comment"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """One recipient's copy (văn bản đến at that unit) and how far it has got."""

    recipient = UnitBriefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    edxml_code = serializers.CharField(read_only=True, help_text="The status as an edXML code (QCVN 102:2016).")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "recipient",
            "purpose",
            "channel",
            "status",
            "status_display",
            "edxml_code",
            "arrived_at",
            "parent",
        ]
        read_only_fields = fields


class TrackingSerializer(serializers.Serializer):
    """Counts of the recipients' copies (workflows.selectors.tracking_summary)."""

    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every delivery status, with 0s.")
    by_edxml_code = serializers.DictField(child=serializers.IntegerField(), help_text="The same, keyed by edXML code.")
    by_channel = serializers.DictField(child=serializers.IntegerField(), help_text="Electronic and paper.")


class DispatchDetailSerializer(DispatchSerializer):
    """A dispatch with its log and, once issued, where every copy went (the sender's tracking view)."""

    transitions = TransitionLogSerializer(many=True, read_only=True, help_text="Oldest first.")
    tracking = TrackingSerializer(read_only=True, help_text="All zero before the dispatch is issued.")
    deliveries = DeliverySerializer(
        source="delivery_rows", many=True, read_only=True, help_text="In unit tree order; empty before issue."
    )

    class Meta(DispatchSerializer.Meta):
        fields = [*DispatchSerializer.Meta.fields, "transitions", "tracking", "deliveries"]
        read_only_fields = fields


class DispatchFilterSerializer(serializers.Serializer):
    """The list's query: an unknown state or queue is a 400, not an empty list."""

    state = serializers.ChoiceField(choices=DispatchState.choices, required=False)
    queue = serializers.ChoiceField(
        choices=[("review", "review"), ("signature", "signature"), ("numbering", "numbering")],
        required=False,
        help_text="What waits for me: my review, my signature, or numbering by my agency's clerks.",
    )


class DispatchStartSerializer(serializers.Serializer):
    document = serializers.IntegerField(min_value=1, help_text="The draft to put into the approval process.")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, default="", help_text="Kept in the transition log.")


class SubmitForReviewSerializer(CommentSerializer):
    reviewer = serializers.IntegerField(min_value=1, help_text="A head or deputy head of the drafting unit.")


class SubmitForSignatureSerializer(CommentSerializer):
    signer = serializers.IntegerField(min_value=1, help_text="Someone who may sign for the issuing agency.")
    authority = serializers.CharField(
        allow_blank=True, default=SignerAuthority.NONE, help_text=one_of(SignerAuthority) + " (invalid_authority)"
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, default="", help_text="Required by the action (reason_required).")
