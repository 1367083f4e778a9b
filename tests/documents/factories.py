"""Small factories for documents rows, importable from any app's tests.

Document types come from the data migration, so :func:`document_type` looks one up by abbreviation
(or by name, for Công văn and Thư công) rather than making one.
"""

from __future__ import annotations

from documents.actions import DraftInput
from documents.models import DocumentType, Register, RegisterDirection, default_register_name
from organizations.models import Unit
from tests.organizations.factories import make_unit


def document_type(abbreviation: str = "", *, name: str | None = None) -> DocumentType:
    """A seeded type: ``document_type("QĐ")``, or ``document_type(name="Công văn")``."""
    if name is not None:
        return DocumentType.objects.get(name=name)
    return DocumentType.objects.get(abbreviation=abbreviation)


def make_department(**fields) -> Unit:
    """The Sở GDĐT Đồng Tháp: an issuing agency, abbreviation SGDĐT."""
    fields.setdefault("name", "Sở Giáo dục và Đào tạo Đồng Tháp")
    fields.setdefault("abbreviation", "SGDĐT")
    return make_unit(kind="department", **fields)


def make_register(
    *,
    unit: Unit,
    year: int,
    direction: str = RegisterDirection.OUTGOING,
    document_type: DocumentType | None = None,
    last_number: int = 0,
) -> Register:
    register = Register(
        name=default_register_name(direction=direction, year=year, document_type=document_type),
        unit=unit,
        direction=direction,
        year=year,
        document_type=document_type,
        last_number=last_number,
    )
    register.full_clean()
    register.save()
    return register


def make_division(*, department: Unit, name: str = "Phòng Công nghệ thông tin - Thiết bị - Thư viện", **fields) -> Unit:
    """A division of the Sở (CNTTTBT by default): drafts there are issued under the Sở's name."""
    fields.setdefault("abbreviation", "CNTTTBT")
    return make_unit(kind="division", parent=department, name=name, **fields)


def draft_input(**fields) -> DraftInput:
    """A valid :class:`DraftInput` for a công văn, with ``fields`` overriding any part of it."""
    fields.setdefault("document_type", document_type(name="Công văn"))
    fields.setdefault("summary", "V/v triển khai văn phòng điện tử")
    fields.setdefault(
        "body",
        [
            [{"text": "Thực hiện kế hoạch năm học, ", "bold": False, "italic": False}],
            [{"text": "Sở Giáo dục và Đào tạo", "bold": True, "italic": False}, {"text": " đề nghị các đơn vị:"}],
        ],
    )
    fields.setdefault("kinh_gui", ["Trưởng phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố"])
    fields.setdefault("noi_nhan", ["Như trên", "Giám đốc Sở (để b/c)"])
    fields.setdefault("signer_authority", "KT.")
    fields.setdefault("signer_position", "GIÁM ĐỐC")
    fields.setdefault("signer_name", "Nguyễn Văn A")
    return DraftInput(**fields)
