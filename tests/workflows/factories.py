"""Factories for the fan-out: many units at once, and dispatches built straight in the sealed state.

:func:`make_units` inserts hundreds of schools with a handful of statements (bulk insert, one path
update, groups in bulk), so the 750-recipient tests and the benchmark stay cheap. :func:`make_sealed`
skips the approval chain (tested on its own in test_dispatches.py): it writes a numbered document
and its dispatch as the chain would leave them, ready to issue.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from documents.models import Document, DocumentRecipient, DocumentReference, RecipientPurpose
from organizations.groups import ensure_unit_groups
from organizations.models import Role, SchoolLevel, Unit, UnitKind
from organizations.tree import path_for
from tests.documents.factories import document_type, make_department, make_division
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.models import Dispatch, DispatchState

_seq = itertools.count(1)


def make_units(count: int, *, parent: Unit, enrolled=lambda i: True, groups: bool = True) -> list[Unit]:
    """``count`` schools under ``parent`` in bulk; ``enrolled(i)`` says which use the e-office."""
    batch = next(_seq)
    units = Unit.objects.bulk_create(
        [
            Unit(
                name=f"Trường Tiểu học thử {batch}-{i}",
                kind=UnitKind.SCHOOL,
                school_level=SchoolLevel.TIEU_HOC,
                parent=parent,
                code=f"B{batch:03d}.{i:04d}.H41",
                enrolled=enrolled(i),
            )
            for i in range(count)
        ],
        batch_size=500,
    )
    if units[0].pk is None:  # a backend that does not return ids from a bulk insert
        units = list(Unit.objects.filter(code__startswith=f"B{batch:03d}.").order_by("pk"))
    for unit in units:
        unit.path = path_for(unit, parent)
    Unit.objects.bulk_update(units, ["path"], batch_size=500)
    if groups:
        ensure_unit_groups(units)
    return units


@dataclass
class Agency:
    department: Unit
    division: Unit
    drafter: object
    clerk: object
    leader: object
    deputy: object


def make_agency() -> Agency:
    department = make_department()
    division = make_division(department=department)
    agency = Agency(department, division, make_user(), make_user(), make_user(), make_user())
    make_membership(user=agency.drafter, unit=division, role=Role.OFFICER)
    make_membership(user=agency.clerk, unit=department, role=Role.CLERK)
    make_membership(user=agency.leader, unit=department, role=Role.LEADER)
    make_membership(user=agency.deputy, unit=department, role=Role.DEPUTY)
    return agency


def make_sealed(
    agency: Agency,
    *,
    recipients: Iterable[Unit | int] = (),
    purpose: str = RecipientPurpose.THUC_HIEN,
    summary: str = "V/v triển khai văn phòng điện tử",
    references: Iterable[tuple[str, Document]] = (),
) -> Dispatch:
    """A numbered, sealed dispatch of ``agency`` addressed to ``recipients`` (units or unit ids)."""
    n = next(_seq)
    now = timezone.now()
    document = Document.objects.create(
        document_type=document_type(name="Công văn"),
        issuer=agency.department,
        drafting_unit=agency.division,
        created_by=agency.drafter,
        summary=summary,
        number=n,
        symbol=f"{n}/SGDĐT-CNTTTBT",
        issued_on=timezone.localdate(),
        locked=True,
    )
    DocumentRecipient.objects.bulk_create(
        [
            DocumentRecipient(document=document, unit_id=getattr(u, "pk", u), purpose=purpose, position=i)
            for i, u in enumerate(recipients)
        ],
        batch_size=500,
    )
    DocumentReference.objects.bulk_create(
        [DocumentReference(document=document, kind=kind, target=target) for kind, target in references]
    )
    # Built directly in its state: the protected field may be given once, at construction.
    return Dispatch.objects.create(
        document=document,
        state=DispatchState.SEALED,
        submitted_at=now,
        approved_at=now,
        signed_at=now,
        numbered_at=now,
        sealed_at=now,
    )


def make_recipient(*, agency: Agency, enrolled: bool = True, **fields) -> Unit:
    return make_unit(kind=UnitKind.DISTRICT_OFFICE, parent=agency.department, enrolled=enrolled, **fields)


@dataclass
class Office:
    """A receiving unit with its people: a district office (or any unit) with a division-like team.

    ``unit`` receives; ``clerk`` registers; ``leader`` routes; ``officers`` process. ``schools`` are
    units under it (for forwarding), each with a ``principal`` in ``principals[i]``.
    """

    unit: Unit
    clerk: object
    leader: object
    deputy: object
    officers: list
    schools: list
    principals: list


def make_office(*, agency: Agency, officers: int = 2, schools: int = 0, enrolled: bool = True) -> Office:
    """A Phòng GDĐT under ``agency.department`` with a clerk, a leader, a deputy, officers and schools."""
    unit = make_recipient(agency=agency, enrolled=enrolled)
    office = Office(unit, make_user(), make_user(), make_user(), [make_user() for _ in range(officers)], [], [])
    make_membership(user=office.clerk, unit=unit, role=Role.CLERK)
    make_membership(user=office.leader, unit=unit, role=Role.LEADER)
    make_membership(user=office.deputy, unit=unit, role=Role.DEPUTY)
    for officer in office.officers:
        make_membership(user=officer, unit=unit, role=Role.OFFICER)
    for i in range(schools):
        school = make_unit(
            kind=UnitKind.SCHOOL,
            school_level=SchoolLevel.THCS if i % 2 else SchoolLevel.TIEU_HOC,
            parent=unit,
            enrolled=True,
        )
        principal = make_user()
        make_membership(user=principal, unit=school, role=Role.PRINCIPAL)
        office.schools.append(school)
        office.principals.append(principal)
    return office


def make_arrived(
    agency: Agency, *recipients: Unit, urgency: str = "", summary: str = "V/v triển khai văn phòng điện tử"
):
    """Issue a sealed dispatch of ``agency`` to ``recipients`` through the real action; its deliveries, by unit."""
    from workflows.actions.issue import do_issue_dispatch

    dispatch = make_sealed(agency, recipients=recipients, summary=summary)
    if urgency:
        Document.objects.filter(pk=dispatch.document_id).update(urgency=urgency)
    do_issue_dispatch(dispatch, acting_user=agency.clerk)
    by_unit = {d.recipient_id: d for d in dispatch.deliveries.select_related("document", "recipient")}
    return [by_unit[u.pk] for u in recipients]
