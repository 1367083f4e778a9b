"""Forms of the drafting editor: they parse what the page sends into a :class:`DraftInput`, nothing more.

The rules (secret refused, V/v prefix, Lưu line, duplicate recipients, only issued documents cited)
live in :mod:`documents.actions.drafts`; the forms only turn text boxes into the shapes the action
takes, so the page and the API refuse exactly the same things with the same words.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents.actions import DraftInput, RecipientInput, RecipientListInput, ReferenceInput
from documents.models import (
    Document,
    DocumentType,
    RecipientPurpose,
    ReferenceKind,
    Secrecy,
    SignerAuthority,
    Urgency,
)
from documents.uploads import WORD, check_upload
from journal.errors import InvalidInput
from organizations.models import DistributionList, Unit

#: The purposes in the order the editor shows them, with the field-name suffix of each.
PURPOSES: tuple[tuple[str, str], ...] = tuple((p.value, p.label) for p in RecipientPurpose)


def body_to_text(body: list[list[dict]]) -> str:
    """A stored body as the editor's text: one paragraph per block, blank lines between them."""
    return "\n\n".join("".join(run["text"] for run in paragraph) for paragraph in body)


def text_to_body(text: str) -> list[list[dict]]:
    """The editor's text as paragraphs: a blank line ends a paragraph; a single line break is kept as a space.

    People paste from e-mail and PDFs where every line is broken; only a blank line is a deliberate
    paragraph break.
    """
    blocks = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        joined = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if joined:
            blocks.append([{"text": joined, "bold": False, "italic": False}])
    return blocks


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


class DraftForm(forms.Form):
    """The draft's own fields; recipients are one multi-select per purpose so each unit has one purpose."""

    document_type = forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.none(), empty_label=None
    )
    summary = forms.CharField(
        label=_("Trích yếu"),
        max_length=500,
        help_text=_("Với công văn, hệ thống tự thêm “V/v” nếu chưa có."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, required=False)
    secrecy = forms.ChoiceField(
        label=_("Độ mật"),
        choices=Secrecy.choices,
        required=False,
        help_text=_("Văn bản mật không được soạn thảo trên hệ thống."),
    )
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Mỗi đoạn văn cách nhau một dòng trống."),
    )
    # Empty files pass the field so that the upload check refuses them in its own words.
    main_file = forms.FileField(
        label=_("Hoặc tải lên tệp Word (.docx) làm nội dung"),
        required=False,
        allow_empty_file=True,
        help_text=_("Nội dung tệp thay cho ô Nội dung ở trên; tệp được lưu làm tệp văn bản chính."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
    )
    kinh_gui = forms.CharField(
        label=_("Kính gửi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một nơi."),
    )
    noi_nhan = forms.CharField(
        label=_("Nơi nhận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng một nơi; dòng “Lưu” ghi ở ô bên dưới."),
    )
    luu = forms.CharField(
        label=_("Lưu"), required=False, max_length=200, help_text=_("Để trống: “VT, <đơn vị soạn thảo>”.")
    )
    signer_authority = forms.ChoiceField(label=_("Thẩm quyền ký"), choices=SignerAuthority.choices, required=False)
    signer_position = forms.CharField(label=_("Chức vụ người ký"), required=False, max_length=150)
    signer_name = forms.CharField(label=_("Họ tên người ký"), required=False, max_length=150)
    place = forms.CharField(label=_("Địa danh"), required=False, max_length=100, initial="Đồng Tháp")
    comment = forms.CharField(label=_("Ghi chú phiên bản"), required=False, max_length=500)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, document: Document | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        types = DocumentType.objects.filter(is_active=True)
        if document is not None:
            # A type taken out of use stays selectable on the drafts that already have it.
            types = DocumentType.objects.filter(is_active=True) | DocumentType.objects.filter(
                pk=document.document_type_id
            )
        self.fields["document_type"].queryset = types.order_by("ordering", "name")
        units = Unit.objects.filter(is_active=True).order_by("path")
        lists = DistributionList.objects.filter(is_active=True).order_by("name")
        for purpose, label in PURPOSES:
            self.fields[f"units_{purpose}"] = forms.ModelMultipleChoiceField(
                label=_("Đơn vị nhận %(purpose)s") % {"purpose": label.lower()},
                queryset=units,
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
            self.fields[f"lists_{purpose}"] = forms.ModelMultipleChoiceField(
                label=_("Danh sách nơi nhận %(purpose)s") % {"purpose": label.lower()},
                queryset=lists,
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 4}),
            )

    def recipient_fields(self) -> list[dict]:
        """The recipient selects grouped by purpose, for the template."""
        return [
            {"label": label, "units": self[f"units_{purpose}"], "lists": self[f"lists_{purpose}"]}
            for purpose, label in PURPOSES
        ]

    @staticmethod
    def initial_for(document: Document) -> dict:
        """The form's values for an existing draft (its current version)."""
        initial = {
            "document_type": document.document_type_id,
            "summary": document.summary,
            "urgency": document.urgency,
            "body": body_to_text(document.body),
            "kinh_gui": "\n".join(document.kinh_gui),
            "noi_nhan": "\n".join(document.noi_nhan),
            "luu": document.luu,
            "signer_authority": document.signer_authority,
            "signer_position": document.signer_position,
            "signer_name": document.signer_name,
            "place": document.place,
            "expected_version": document.version,
        }
        for purpose, _label in PURPOSES:
            initial[f"units_{purpose}"] = [r.unit_id for r in document.recipients.all() if r.purpose == purpose]
            initial[f"lists_{purpose}"] = [
                r.distribution_list_id for r in document.recipient_lists.all() if r.purpose == purpose
            ]
        return initial

    def clean_main_file(self):
        """The upload check (a real .docx) on the page, before any draft is created for the file.

        A secret draft's file is not even read: the view refuses the secrecy level first.
        """
        upload = self.cleaned_data.get("main_file")
        secrecy = self.cleaned_data.get("secrecy")  # None when the field itself was invalid
        if not upload or secrecy != Secrecy.NORMAL:
            return upload
        try:
            check_upload(upload.name or "", upload, allowed=WORD, field="main_file")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload

    def to_input(self, *, references: list[ReferenceInput], body: list | None = None) -> DraftInput:
        """The cleaned form as the action's input; ``body`` overrides the text box (a .docx, kept formatting)."""
        data = self.cleaned_data
        recipients = [
            RecipientInput(unit=unit.pk, purpose=purpose)
            for purpose, _label in PURPOSES
            for unit in data.get(f"units_{purpose}") or []
        ]
        recipient_lists = [
            RecipientListInput(distribution_list=lst.pk, purpose=purpose)
            for purpose, _label in PURPOSES
            for lst in data.get(f"lists_{purpose}") or []
        ]
        return DraftInput(
            document_type=data["document_type"].pk,
            summary=data["summary"],
            body=body if body is not None else text_to_body(data.get("body") or ""),
            urgency=data.get("urgency") or Urgency.NORMAL,
            secrecy=data.get("secrecy") or Secrecy.NORMAL,
            kinh_gui=_lines(data.get("kinh_gui") or ""),
            noi_nhan=_lines(data.get("noi_nhan") or ""),
            luu=data.get("luu") or "",
            signer_authority=data.get("signer_authority") or SignerAuthority.NONE,
            signer_position=data.get("signer_position") or "",
            signer_name=data.get("signer_name") or "",
            place=data.get("place") or "Đồng Tháp",
            recipients=recipients,
            recipient_lists=recipient_lists,
            references=references,
            comment=data.get("comment") or "",
        )


class ReferenceForm(forms.Form):
    """One earlier document cited (căn cứ, trả lời, thay thế, đính chính): a document here or a citation."""

    kind = forms.ChoiceField(label=_("Quan hệ"), choices=[("", "—"), *ReferenceKind.choices], required=False)
    target = forms.ModelChoiceField(
        label=_("Văn bản trong hệ thống"), queryset=Document.objects.none(), required=False, empty_label="—"
    )
    citation = forms.CharField(label=_("Hoặc ghi trích dẫn"), required=False, max_length=500)

    def __init__(self, *args, targets: QuerySet[Document] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["target"].queryset = targets

    def to_input(self) -> ReferenceInput | None:
        data = self.cleaned_data
        if not data.get("kind") and not data.get("target") and not data.get("citation"):
            return None
        return ReferenceInput(
            kind=data.get("kind") or "",
            target=data["target"].pk if data.get("target") else None,
            citation=data.get("citation") or "",
        )


ReferenceFormSet = forms.formset_factory(ReferenceForm, extra=2, max_num=50)


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label=_("Tệp đính kèm"),
        allow_empty_file=True,
        help_text=_("PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt), ảnh PNG hoặc JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt,.png,.jpg,.jpeg"}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    """The fields any transition may need; each action checks the ones it uses."""

    comment = forms.CharField(required=False, max_length=2000)
    reason = forms.CharField(required=False, max_length=2000)
    reviewer = forms.IntegerField(required=False)
    signer = forms.IntegerField(required=False)
    authority = forms.ChoiceField(choices=SignerAuthority.choices, required=False)
