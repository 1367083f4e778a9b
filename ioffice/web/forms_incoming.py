"""Forms of the incoming pages: they turn what the page sends into the shapes the actions take, nothing more.

The rules (who may act, deadlines not in the past, one lead, the issuer typed or chosen, the main file
a PDF or a scan) live in :mod:`workflows.actions`; a form only parses text boxes, so the page and the
API refuse the same things with the same words. Where a choice lists people or units, the list is the
plausible one for the page (the recipient's own units and people); the action has the last word.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentType, Secrecy, Urgency
from organizations.models import Membership, SchoolLevel, Unit, UnitKind
from workflows.incoming_selectors import IncomingFilters
from workflows.models import DeliveryChannel, DeliveryStatus

#: The urgency filter's values; "thuong" stands for ordinary mail, whose stored urgency is "".
_URGENCY_FILTER = (("", _("Mọi độ khẩn")), ("thuong", _("Thường")), *[(u.value, u.label) for u in Urgency if u.value])

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def person_label(user) -> str:
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


class InboxFilterForm(forms.Form):
    """The filters of every incoming list (GET): text, arrival dates, urgency, document type, status."""

    q = forms.CharField(label=_("Tìm trong trích yếu, số ký hiệu"), required=False, max_length=200)
    arrived_from = forms.DateField(label=_("Đến từ ngày"), required=False, widget=_DATE)
    arrived_until = forms.DateField(label=_("đến ngày"), required=False, widget=_DATE)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=_URGENCY_FILTER, required=False)
    document_type = forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.none(), required=False, empty_label=_("Mọi loại")
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=(("", _("Mọi trạng thái")), *DeliveryStatus.choices), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = DocumentType.objects.order_by("ordering", "name")

    def to_filters(self) -> IncomingFilters:
        """The selectors' filters; a field the person got wrong is left off (and shown as an error)."""
        self.is_valid()
        data = self.cleaned_data
        urgency = data.get("urgency") or None
        return IncomingFilters(
            text=data.get("q") or "",
            arrived_from=data.get("arrived_from"),
            arrived_until=data.get("arrived_until"),
            urgency="" if urgency == "thuong" else urgency,
            status=data.get("status") or None,
            document_type=data.get("document_type"),
        )


class RegisterForm(forms.Form):
    """Vào sổ: the arrival time of a paper copy, a note, and the "vẫn vào sổ" answer to a duplicate warning."""

    arrived_at = forms.DateTimeField(
        label=_("Thời điểm văn bản giấy đến"),
        required=False,
        widget=_DATETIME,
        help_text=_("Chỉ với văn bản giấy; để trống nếu đến hôm nay."),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm_duplicate = forms.BooleanField(label=_("Đúng là văn bản khác, vẫn vào sổ"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResultForm(forms.Form):
    result = forms.CharField(
        label=_("Kết quả xử lý"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    new_deadline = forms.DateField(label=_("Hạn mới"), widget=_DATE)
    reason = forms.CharField(
        label=_("Lý do gia hạn"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _assignee_choices(units: QuerySet[Unit], people: QuerySet) -> list:
    """One select for "a unit or a person": values ``u<id>`` and ``p<id>``, grouped."""
    return [
        (_("Đơn vị"), [(f"u{unit.pk}", unit.name) for unit in units]),
        (_("Cá nhân"), [(f"p{user.pk}", person_label(user)) for user in people]),
    ]


def routing_candidates(recipient: Unit) -> tuple[QuerySet[Unit], QuerySet]:
    """Whom a leader of ``recipient`` plausibly routes to: its direct units, and the people of it and its divisions.

    The schools under a Sở are many thousand people; they are reached through their unit, not by name.
    """
    units = Unit.objects.filter(parent=recipient, is_active=True).order_by("path")
    held = (
        Membership.objects.in_force()
        .filter(Q(unit=recipient) | Q(unit__parent=recipient, unit__kind=UnitKind.DIVISION))
        .values("user_id")
    )
    people = get_user_model().objects.filter(pk__in=held, is_active=True).order_by("last_name", "first_name")
    return units, people


class AssigneeField(forms.ChoiceField):
    """A unit (``u<id>``) or a person (``p<id>``) from the offered list, cleaned to ``("unit"|"user", id)``."""

    def clean(self, value):
        value = super().clean(value)
        return _parse_assignee(value) if value else None


class AssigneeMultipleField(forms.MultipleChoiceField):
    def clean(self, value):
        return [_parse_assignee(v) for v in super().clean(value)]


def _parse_assignee(value: str) -> tuple[str, int]:
    return ("unit" if value[0] == "u" else "user", int(value[1:]))


class RouteForm(forms.Form):
    """Phân phối: one lead, coordinators, for-information, deadlines (a date or N working days), direction."""

    lead = AssigneeField(label=_("Chủ trì"))
    lead_deadline = forms.DateField(label=_("Hạn xử lý (ngày)"), required=False, widget=_DATE)
    lead_days = forms.IntegerField(
        label=_("hoặc số ngày làm việc"),
        required=False,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    coordinators = AssigneeMultipleField(
        label=_("Phối hợp"), required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    coordinators_deadline = forms.DateField(label=_("Hạn phối hợp (ngày)"), required=False, widget=_DATE)
    coordinators_days = forms.IntegerField(
        label=_("hoặc số ngày làm việc"),
        required=False,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    informed = AssigneeMultipleField(
        label=_("Nhận để biết"), required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    direction = forms.CharField(
        label=_("Ý kiến chỉ đạo"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, recipient: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        units, people = routing_candidates(recipient)
        choices = _assignee_choices(units, people)
        self.fields["lead"].choices = [("", "—"), *choices]
        self.fields["coordinators"].choices = choices
        self.fields["informed"].choices = choices


class ReplaceLeadForm(forms.Form):
    """A new lead after the old one gave the document back."""

    lead = AssigneeField(label=_("Chủ trì mới"))
    lead_deadline = forms.DateField(label=_("Hạn xử lý (ngày)"), required=False, widget=_DATE)
    lead_days = forms.IntegerField(label=_("hoặc số ngày làm việc"), required=False, min_value=1, max_value=365)

    def __init__(self, *args, recipient: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        units, people = routing_candidates(recipient)
        self.fields["lead"].choices = [("", "—"), *_assignee_choices(units, people)]


class ReassignForm(forms.Form):
    """A unit head gives the unit's line to one of its people."""

    user = forms.ModelChoiceField(label=_("Giao cho"), queryset=get_user_model().objects.none())
    deadline = forms.DateField(
        label=_("Hạn xử lý"), required=False, widget=_DATE, help_text=_("Để trống: bằng hạn của đơn vị.")
    )
    note = forms.CharField(label=_("Ý kiến khi giao"), required=False, max_length=2000)

    def __init__(self, *args, unit: Unit | None, **kwargs):
        super().__init__(*args, **kwargs)
        # A person's own line has no unit to pick from: nobody is offered, so the form refuses.
        held = Membership.objects.in_force().filter(unit=unit).values("user_id") if unit is not None else []
        field = self.fields["user"]
        field.queryset = (
            get_user_model().objects.filter(pk__in=held, is_active=True).order_by("last_name", "first_name")
        )
        field.label_from_instance = person_label


class ForwardForm(forms.Form):
    """Chuyển tiếp to the units under a district office: all of them, one school level, or the chosen ones."""

    MODES = (("all", _("Tất cả đơn vị trực thuộc")), ("level", _("Theo cấp học")), ("units", _("Các đơn vị chọn")))

    mode = forms.ChoiceField(label=_("Gửi đến"), choices=MODES, widget=forms.RadioSelect, initial="all")
    school_level = forms.ChoiceField(label=_("Cấp học"), choices=(("", "—"), *SchoolLevel.choices), required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000)

    def __init__(self, *args, office: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(parent=office, is_active=True).order_by("path")

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "level" and not data.get("school_level"):
            self.add_error("school_level", _("Vui lòng chọn cấp học."))
        if mode == "units" and not data.get("units"):
            self.add_error("units", _("Vui lòng chọn ít nhất một đơn vị."))
        return data


class StartReplyForm(forms.Form):
    summary = forms.CharField(
        label=_("Trích yếu văn bản trả lời"),
        required=False,
        max_length=500,
        help_text=_("Để trống: “V/v trả lời …” theo văn bản đến."),
    )


# -- documents from outside the system ---------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ExternalDocumentForm(forms.Form):
    """A document from outside the system, as the clerk types it from the paper or the e-mail, with its files."""

    document_type = forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.none(), empty_label="—"
    )
    issuer = forms.ModelChoiceField(
        label=_("Cơ quan ban hành"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Chọn cơ quan có sẵn, hoặc nhập tên cơ quan mới ở ô bên dưới."),
    )
    issuer_name = forms.CharField(label=_("Tên cơ quan ban hành mới"), required=False, max_length=255)
    symbol = forms.CharField(
        label=_("Số, ký hiệu"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=_DATE)
    summary = forms.CharField(label=_("Trích yếu"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, required=False)
    secrecy = forms.ChoiceField(
        label=_("Độ mật"),
        choices=Secrecy.choices,
        required=False,
        help_text=_("Văn bản mật không được lưu trên hệ thống."),
    )
    signer_name = forms.CharField(label=_("Người ký"), required=False, max_length=150)
    channel = forms.ChoiceField(
        label=_("Hình thức nhận"), choices=DeliveryChannel.choices, initial=DeliveryChannel.PAPER
    )
    arrived_at = forms.DateTimeField(
        label=_("Thời điểm đến"), required=False, widget=_DATETIME, help_text=_("Để trống: lúc vào sổ.")
    )
    external_id = forms.CharField(
        label=_("Mã thông điệp"),
        required=False,
        max_length=255,
        help_text=_("Mã thư điện tử hoặc mã edXML, nếu có; dùng để cảnh báo trùng."),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Empty files pass the fields so that the upload check refuses them in its own words.
    main_file = forms.FileField(
        label=_("Tệp văn bản (PDF hoặc ảnh quét)"),
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    attachments = MultipleFileField(label=_("Tệp đính kèm"), required=False, allow_empty_file=True)
    confirm_duplicate = forms.BooleanField(label=_("Đúng là văn bản khác, vẫn vào sổ"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = DocumentType.objects.filter(is_active=True).order_by("ordering", "name")
        self.fields["issuer"].queryset = Unit.objects.filter(is_active=True).order_by("kind", "name")
