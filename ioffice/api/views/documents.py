"""Drafts (dự thảo) over the API: my drafts, create, edit, versions, compare, files, PDF preview.

Thin over :mod:`documents.actions` and :mod:`documents.selectors`: a serializer checks the shape, the
action decides and refuses with a :class:`journal.errors.DomainError` that
:mod:`ioffice.api.errors` turns into 400/403/404/409.

Who may read a draft is the pages' rule (:func:`workflows.visibility.visible_document`): its drafter
and the heads of its drafting unit, and, once it is in the approval process, whoever may see the
dispatch. Anyone else gets the same 404 as for a document that does not exist.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from documents.actions import (
    DraftInput,
    RecipientInput,
    RecipientListInput,
    ReferenceInput,
    do_attach_file,
    do_create_draft,
    do_remove_attachment,
    do_update_draft,
)
from documents.diff import compare_versions
from documents.models import (
    Attachment,
    Document,
    DocumentRecipient,
    DocumentRecipientList,
    DocumentReference,
    RecipientPurpose,
)
from documents.selectors import drafts_of, snapshot_of, versions_of
from ioffice.acting import acting_unit
from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import error_response
from ioffice.api.serializers_documents import (
    AttachmentRemoveSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CompareQuerySerializer,
    DraftBriefSerializer,
    DraftInputSerializer,
    DraftSerializer,
    DraftUpdateSerializer,
    VersionDiffSerializer,
    VersionSerializer,
)
from journal import reads
from journal.errors import InvalidInput, NotFound
from journal.reads import record_read
from workflows.visibility import documents_visible_to
from workflows.visibility import visible_document as wf_visible_document

#: Who, besides the drafter, may read a draft that has no dispatch yet (the pages' rule).

TAGS = ["drafts"]


ERRORS = {
    400: error_response("Bad input (invalid_input with details per field, or the action's own code)."),
    403: error_response("The caller may not do this (the action's code, e.g. not_your_draft)."),
    404: error_response("No such draft, or not visible to the caller (document_not_found)."),
}


def validated(serializer_class: type[Serializer], data: Any, *, partial: bool = False) -> dict:
    """``serializer_class``'s validated data, or ``InvalidInput`` with its errors per field.

    The refusal has the same body as an action's (code, detail, detail_vi, details), so a client
    reads one error shape whichever layer refused.
    """
    serializer = serializer_class(data=data, partial=partial)
    if not serializer.is_valid():
        raise InvalidInput(details=serializer.errors)
    return serializer.validated_data


def visible_document(user, pk: int) -> Document:
    """Document ``pk`` if ``user`` may read it, else ``NotFound`` (:func:`workflows.visibility.visible_document`)."""
    return wf_visible_document(user=user, pk=pk)


def check_references_visible(user, values: dict) -> None:
    """Refuse a reference to a document ``user`` may not see: the draft would show its number and summary.

    Said as for a target that does not exist, so a probe learns nothing.
    """
    wanted = {r["target"] for r in values.get("references", []) if r.get("target")}
    if wanted and documents_visible_to(user).filter(pk__in=wanted).count() != len(wanted):
        raise InvalidInput(
            "Không tìm thấy văn bản được dẫn chiếu.",
            code="reference_not_found",
            message_en="A referenced document was not found.",
            details={"field": "references"},
        )


def draft_input(values: dict) -> DraftInput:
    """The action's input from validated (or snapshot) values."""
    return DraftInput(
        document_type=values["document_type"],
        summary=values["summary"],
        body=values.get("body", []),
        urgency=values.get("urgency", ""),
        secrecy=values.get("secrecy", ""),
        kinh_gui=values.get("kinh_gui", []),
        noi_nhan=values.get("noi_nhan", []),
        luu=values.get("luu", ""),
        signer_authority=values.get("signer_authority", ""),
        signer_position=values.get("signer_position", ""),
        signer_name=values.get("signer_name", ""),
        place=values.get("place", "Đồng Tháp"),
        # A PATCH validates nested rows partially too, so their defaults are applied here.
        recipients=[
            RecipientInput(unit=r["unit"], purpose=r.get("purpose", RecipientPurpose.THUC_HIEN))
            for r in values.get("recipients", [])
        ],
        recipient_lists=[
            RecipientListInput(
                distribution_list=r["distribution_list"], purpose=r.get("purpose", RecipientPurpose.THUC_HIEN)
            )
            for r in values.get("recipient_lists", [])
        ],
        references=[
            ReferenceInput(kind=r["kind"], target=r.get("target"), citation=r.get("citation") or "")
            for r in values.get("references", [])
        ],
        comment=values.get("comment", ""),
    )


def _current_values(document: Document) -> dict:
    """The draft as it stands, in the input's shape: what a PATCH starts from."""
    snapshot = snapshot_of(document=document)
    return {
        **{key: snapshot[key] for key in DraftInputSerializer().fields if key in snapshot},
        "document_type": snapshot["document_type"]["id"],
        "recipients": [{"unit": r["unit"], "purpose": r["purpose"]} for r in snapshot["recipients"]],
        "recipient_lists": [
            {"distribution_list": r["distribution_list"], "purpose": r["purpose"]} for r in snapshot["recipient_lists"]
        ],
        "references": [
            {"kind": r["kind"], "target": r["target"], "citation": r["citation"]} for r in snapshot["references"]
        ],
    }


def draft_body(pk: int) -> dict:
    """The full representation of document ``pk``, read afresh after an action changed it."""
    document = (
        Document.objects.select_related("document_type", "issuer", "drafting_unit", "created_by", "dispatch")
        .prefetch_related(
            Prefetch("recipients", DocumentRecipient.objects.select_related("unit")),
            Prefetch("recipient_lists", DocumentRecipientList.objects.select_related("distribution_list")),
            Prefetch("references", DocumentReference.objects.select_related("target")),
            "attachments",
        )
        .get(pk=pk)
    )
    return DraftSerializer(document).data


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; a refusal still comes back as JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The draft's document id.")


@extend_schema_view(
    list=extend_schema(operation_id="drafts_list", responses={200: DraftBriefSerializer(many=True)}, tags=TAGS),
    retrieve=extend_schema(
        operation_id="drafts_retrieve", parameters=[_ID], responses={200: DraftSerializer, 404: ERRORS[404]}, tags=TAGS
    ),
)
class DraftViewSet(ActiveMembershipMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """My drafts; one draft with its recipients, references and files; its versions and files."""

    serializer_class = DraftSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return drafts_of(user=self.request.user).select_related("dispatch")

    def get_serializer_class(self):
        return DraftBriefSerializer if self.action == "list" else DraftSerializer

    def retrieve(self, request: Request, pk: int) -> Response:
        document = visible_document(request.user, pk)
        record_read(actor=request.user, kind=reads.VIEWED, target=document, data={"api": True})
        return Response(draft_body(document.pk))

    @extend_schema(
        operation_id="drafts_create",
        request=DraftInputSerializer,
        responses={201: DraftSerializer, 400: ERRORS[400], 403: ERRORS[403]},
        tags=TAGS,
        description="Start a draft in the unit of the caller's active membership; it becomes version 1.",
    )
    def create(self, request: Request) -> Response:
        values = validated(DraftInputSerializer, request.data)
        check_references_visible(request.user, values)
        document = do_create_draft(acting_user=request.user, unit=acting_unit(request), data=draft_input(values))
        return Response(draft_body(document.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="drafts_update",
        parameters=[_ID],
        request=DraftUpdateSerializer,
        responses={
            200: DraftSerializer,
            **ERRORS,
            409: error_response("Saved by someone else since expected_version (stale_draft), locked, or numbered."),
        },
        tags=TAGS,
        description="Replace the draft's content; saves the next version.",
    )
    def update(self, request: Request, pk: int) -> Response:
        return self._save(request, pk, partial=False)

    @extend_schema(
        operation_id="drafts_partial_update",
        parameters=[_ID],
        request=DraftUpdateSerializer(partial=True),
        responses={
            200: DraftSerializer,
            **ERRORS,
            409: error_response("Saved by someone else since expected_version (stale_draft), locked, or numbered."),
        },
        tags=TAGS,
        description="Change only the fields sent (expected_version is still required); saves the next version.",
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        return self._save(request, pk, partial=True)

    def _save(self, request: Request, pk: int, *, partial: bool) -> Response:
        document = visible_document(request.user, pk)
        values = validated(DraftUpdateSerializer, request.data, partial=partial)
        if "expected_version" not in values:
            raise InvalidInput(details={"expected_version": ["This field is required."]})
        check_references_visible(request.user, values)
        if partial:
            values = {**_current_values(document), "comment": "", **values}
        document = do_update_draft(
            document, acting_user=request.user, data=draft_input(values), expected_version=values["expected_version"]
        )
        return Response(draft_body(document.pk))

    @extend_schema(
        operation_id="drafts_versions",
        parameters=[_ID],
        responses={200: VersionSerializer(many=True), 404: ERRORS[404]},
        tags=TAGS,
        description="Every saved version, oldest first, each with its snapshot.",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk: int) -> Response:
        document = visible_document(request.user, pk)
        return Response(VersionSerializer(versions_of(document=document), many=True).data)

    @extend_schema(
        operation_id="drafts_compare",
        parameters=[_ID, CompareQuerySerializer],
        responses={200: VersionDiffSerializer, 400: ERRORS[400], 404: error_response("No such draft or version.")},
        tags=TAGS,
        description="What changed between versions a and b (in either order; the older is compared to the newer).",
    )
    @action(detail=True, methods=["get"])
    def compare(self, request: Request, pk: int) -> Response:
        document = visible_document(request.user, pk)
        wanted = validated(CompareQuerySerializer, request.query_params)
        numbers = sorted((wanted["a"], wanted["b"]))
        versions = {v.number: v for v in versions_of(document=document).filter(number__in=numbers)}
        if len(versions) != len(set(numbers)):
            raise NotFound(
                "Dự thảo không có phiên bản này.",
                code="version_not_found",
                message_en="The draft has no such version.",
                details={"missing": sorted(set(numbers) - set(versions))},
            )
        diff = compare_versions(versions[numbers[0]], versions[numbers[1]])
        data = {
            **{name: getattr(diff, name) for name in ("old_number", "new_number", "body_formatting_changed")},
            "fields": [vars(change) for change in diff.fields],
            **{
                name: {"added": getattr(diff, name).added, "removed": getattr(diff, name).removed}
                for name in ("recipients", "recipient_lists", "references", "attachments")
            },
            "body": [vars(line) for line in diff.body],
            "body_changed": diff.body_changed,
            "has_changes": diff.has_changes,
        }
        return Response(VersionDiffSerializer(data).data)

    @extend_schema(
        operation_id="drafts_attachments_create",
        parameters=[_ID],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            **ERRORS,
            409: error_response("Stale expected_version, a locked or numbered draft."),
        },
        tags=TAGS,
        description="Add a file as a new version; a main .docx fills an empty body with its paragraphs.",
    )
    @action(detail=True, methods=["post"], url_path="attachments", parser_classes=[MultiPartParser, FormParser])
    def attach(self, request: Request, pk: int) -> Response:
        document = visible_document(request.user, pk)
        values = validated(AttachmentUploadSerializer, request.data)
        attachment = do_attach_file(
            document,
            acting_user=request.user,
            upload=values["file"],
            role=values["role"],
            expected_version=values["expected_version"],
            comment=values["comment"],
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="drafts_attachments_destroy",
        parameters=[
            _ID,
            OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The file's id."),
            AttachmentRemoveSerializer,
        ],
        request=None,
        responses={
            200: DraftSerializer,
            **ERRORS,
            409: error_response("Already removed, a stale expected_version, a locked or numbered draft."),
        },
        tags=TAGS,
        description="Take a file off the draft as a new version; it stays on record as removed.",
    )
    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def detach(self, request: Request, pk: int, attachment_id: int) -> Response:
        document = visible_document(request.user, pk)
        values = validated(AttachmentRemoveSerializer, request.query_params)
        attachment = Attachment.objects.filter(pk=attachment_id, document=document).first()
        if attachment is None:
            raise NotFound("Dự thảo không có tệp này.", code="attachment_not_found", message_en="No such file.")
        document = do_remove_attachment(
            attachment, acting_user=request.user, expected_version=values["expected_version"]
        )
        return Response(draft_body(document.pk))

    @extend_schema(
        operation_id="drafts_preview",
        parameters=[_ID],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The Decree 30 print."),
            404: ERRORS[404],
        },
        tags=TAGS,
        description="The document in the Decree 30 layout as PDF; a draft prints with blanks for number and date.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def preview(self, request: Request, pk: int) -> HttpResponse:
        document = visible_document(request.user, pk)
        # WeasyPrint takes most of a second to import: only the processes that print pay for it.
        from documents.rendering.from_document import printable_for
        from documents.rendering.pdf import render_pdf

        pdf = render_pdf(printable_for(document))
        record_read(actor=request.user, kind=reads.PRINTED, target=document, data={"format": "pdf", "api": True})
        response = HttpResponse(pdf, content_type="application/pdf")
        stem = f"van-ban-so-{document.number}" if document.number else f"du-thao-{document.pk}-v{document.version}"
        response["Content-Disposition"] = f'inline; filename="{stem}.pdf"'
        return response
