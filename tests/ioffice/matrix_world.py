"""The world the authorization matrix runs against, and how one cell builds its request.

A district office ``P`` (Phòng GDĐT) holds the clerk, leader, deputy, two officers (P's officer drafts
what P sends; the other, "officer assigned", is the lead of a routing line) and the archivist; its
school ``S`` holds the principal (a small school: no clerk in force, the principal registers). ``Zs``
is a school of another district office: for everyone in the matrix it is the unrelated unit. The Sở
``D`` sends to and receives from all three; its people are never matrix subjects.

For each of ``P``, ``S`` and ``Zs`` the world holds the same objects (:class:`Side`): a draft with a
file, one dispatch in each state of the outgoing chain, an issued dispatch (delivered to the Sở, which
registered and routed it), a consultation on the draft, an access change waiting for confirmation, and
what the Sở sent the unit: a copy arrived, one registered, one routed (lead line and FYI line), one
with its lead line in progress, one whose recall is pending, a consultation asking the unit. Every
object's summary carries a unique marker, so a list can be searched for it. Objects are made with the
real actions where the chain allows; the outgoing states are written directly in their state (as
:func:`tests.workflows.factories.make_sealed` does), because a school's draft has no reviewer role to
pass through.

The second half builds one cell's :class:`Target` for a role and a relation (``own`` / ``recipient`` /
``unrelated``): the object of that relation, the URL arguments, a minimal valid body, and a snapshot
of what a write would change, re-read from the database before and after the request.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.actions import do_attach_file, do_create_draft
from documents.actions.access import do_request_access_grant
from documents.models import Attachment, AttachmentRole, Document
from organizations.models import Membership, Role, SchoolLevel, Unit, UnitKind
from tests.documents.factories import draft_input, make_department, make_register
from tests.organizations.factories import make_membership, make_unit, make_user
from workflows.actions import do_answer_consultation, do_open_consultation
from workflows.actions.incoming import do_register_delivery
from workflows.actions.issue import do_issue_dispatch, do_recall_dispatch
from workflows.actions.routing import AssigneeSpec, do_route, do_start_assignment
from workflows.models import Assignment, CalendarDay, Consultation, Delivery, Dispatch, DispatchState, Opinion
from workflows.models.notifications import Notification


def _minimal_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table: the upload check parses PDFs strictly."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = _minimal_pdf()

#: The roles of the matrix, each a person of ``P`` (the principal: of ``S``) with exactly one membership.
ROLES = ("anonymous", "clerk", "leader", "deputy", "officer", "officer_assigned", "principal", "archivist")
#: The outgoing states a :class:`Side` holds one dispatch in (issued apart: it is delivered and routed).
CHAIN_STATES = (
    DispatchState.DRAFT,
    DispatchState.SUBMITTED,
    DispatchState.APPROVED,
    DispatchState.AWAITING_SIGNATURE,
    DispatchState.SIGNED,
    DispatchState.NUMBERED,
    DispatchState.SEALED,
)

_seq = itertools.count(1)
_SIGNED = (DispatchState.SIGNED, DispatchState.NUMBERED, DispatchState.SEALED)


@dataclass
class Side:
    """What one unit has: its own outgoing objects, and what the Sở sent it."""

    unit: Unit
    author: object
    head: object
    draft: Document = None
    chain: dict[str, Dispatch] = field(default_factory=dict)
    issued: Dispatch = None
    issued_copy: Delivery = None  # the Sở's copy of ``issued``, registered and routed there
    issued_line: Assignment = None
    consultation: Consultation = None
    asked: Consultation = None  # the Sở's consultation asking this unit
    arrived: Delivery = None
    registered: Delivery = None
    routed: Delivery = None
    line: Assignment = None  # the lead line of ``routed``
    fyi: Assignment = None  # its "for information" line
    started: Assignment = None  # a lead line already in progress
    recalling: Delivery = None
    access_change: object = None  # a grant to the Sở's leader asked on ``issued``, waiting for confirmation
    received_change: object = None  # one the Sở's clerk asked on the document it sent the unit (``registered``)
    markers: dict[str, str] = field(default_factory=dict)

    def attachment(self, document: Document) -> Attachment:
        return Attachment.objects.filter(document=document).order_by("pk").first()


@dataclass
class World:
    department: Unit
    d_clerk: object
    d_leader: object
    d_officer: object
    sides: dict[str, Side]
    users: dict[str, object]
    notifications: dict[str, Notification]
    calendar_day: CalendarDay
    year: int

    def home(self, role: str) -> Side:
        return self.sides["S" if role == "principal" else "P"]


def _upload(name: str = "tep.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _draft(unit: Unit, author, marker: str) -> Document:
    document = do_create_draft(acting_user=author, unit=unit, data=draft_input(summary=f"V/v {marker}"))
    do_attach_file(document, acting_user=author, upload=_upload(), role=AttachmentRole.MAIN, expected_version=1)
    return Document.objects.get(pk=document.pk)


def _in_state(document: Document, state: str, *, head, recipient: Unit) -> Dispatch:
    """The dispatch of ``document`` written straight in ``state``, numbered from ``signed`` on."""
    now = timezone.now()
    numbered = state in (DispatchState.NUMBERED, DispatchState.SEALED)
    if numbered:
        n = next(_seq)
        Document.objects.filter(pk=document.pk).update(
            number=n, symbol=f"{n}/MX", issued_on=timezone.localdate(), locked=True
        )
    document.recipients.update_or_create(unit=recipient, defaults={"purpose": "thuc_hien", "position": 0})
    stamps = {
        DispatchState.DRAFT: (),
        DispatchState.SUBMITTED: ("submitted_at",),
        DispatchState.APPROVED: ("submitted_at", "approved_at"),
        DispatchState.AWAITING_SIGNATURE: ("submitted_at", "approved_at"),
        DispatchState.SIGNED: ("submitted_at", "approved_at", "signed_at"),
        DispatchState.NUMBERED: ("submitted_at", "approved_at", "signed_at", "numbered_at"),
        DispatchState.SEALED: ("submitted_at", "approved_at", "signed_at", "numbered_at", "sealed_at"),
    }[state]
    return Dispatch.objects.create(
        document=document,
        state=state,
        reviewer=head if state != DispatchState.DRAFT else None,
        signer=head if state in (DispatchState.AWAITING_SIGNATURE, *_SIGNED) else None,
        **{name: now for name in stamps},
    )


def _issue(unit: Unit, author, head, clerk, marker: str, recipients: list[Unit]) -> Dispatch:
    """A dispatch of ``unit`` issued through the real action by ``clerk`` to ``recipients``."""
    document = _draft(unit, author, marker)
    for i, recipient in enumerate(recipients):
        document.recipients.create(unit=recipient, purpose="thuc_hien", position=i)
    dispatch = _in_state(document, DispatchState.SEALED, head=head, recipient=recipients[0])
    do_issue_dispatch(dispatch, acting_user=clerk)
    return Dispatch.objects.select_related("document").get(pk=dispatch.pk)


def _copy(dispatch: Dispatch, unit: Unit) -> Delivery:
    return Delivery.objects.select_related("document").get(dispatch=dispatch, recipient=unit, parent__isnull=True)


def _register_and_route(delivery: Delivery, *, clerk, head, lead, reader=None) -> Assignment:
    do_register_delivery(delivery, acting_user=clerk)
    informed = [AssigneeSpec(user=reader)] if reader is not None else []
    do_route(delivery, acting_user=head, lead=AssigneeSpec(user=lead, working_days=5), informed=informed)
    return Assignment.objects.get(delivery=delivery, user=lead)


def build_world() -> World:
    """Everything the matrix reads and writes; about two hundred rows, built once per test module."""
    department = make_department()
    d_clerk, d_leader, d_officer = make_user(), make_user(), make_user()
    make_membership(user=d_clerk, unit=department, role=Role.CLERK)
    make_membership(user=d_leader, unit=department, role=Role.LEADER)
    make_membership(user=d_officer, unit=department, role=Role.OFFICER)

    office = make_unit(
        kind=UnitKind.DISTRICT_OFFICE, parent=department, name="Phòng GDĐT ma trận", abbreviation="PGDMT"
    )
    school = make_unit(
        kind=UnitKind.SCHOOL, parent=office, school_level=SchoolLevel.THCS, name="Trường ma trận", abbreviation="THCSMT"
    )
    other_office = make_unit(
        kind=UnitKind.DISTRICT_OFFICE, parent=department, name="Phòng GDĐT khác", abbreviation="PGDK"
    )
    other_school = make_unit(
        kind=UnitKind.SCHOOL,
        parent=other_office,
        school_level=SchoolLevel.THCS,
        name="Trường không liên quan",
        abbreviation="THCSK",
    )

    users = {role: make_user(f"mx-{role.replace('_', '-')}") for role in ROLES if role != "anonymous"}
    for role in ("clerk", "leader", "deputy", "officer", "archivist"):
        make_membership(user=users[role], unit=office, role=role)
    make_membership(user=users["officer_assigned"], unit=office, role=Role.OFFICER)
    make_membership(user=users["principal"], unit=school, role=Role.PRINCIPAL)

    # P's officer drafts what P sends; the schools' drafters and FYI readers are not matrix subjects.
    p_author = users["officer"]
    s_author, z_author, z_principal, s_teacher, z_teacher = (make_user() for _ in range(5))
    for user, unit in ((s_author, school), (z_author, other_school), (s_teacher, school), (z_teacher, other_school)):
        make_membership(user=user, unit=unit, role=Role.OFFICER)
    make_membership(user=z_principal, unit=other_school, role=Role.PRINCIPAL)
    # A school issues through a clerk; the two schools' clerks are retired once their dispatch is out,
    # so that (as in a small school) the principal keeps the clerk's incoming duties.
    s_clerk, z_clerk = make_user(), make_user()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    retired = [
        make_membership(user=s_clerk, unit=school, role=Role.CLERK, valid_from=yesterday),
        make_membership(user=z_clerk, unit=other_school, role=Role.CLERK, valid_from=yesterday),
    ]

    sides = {
        "P": Side(office, p_author, users["leader"]),
        "S": Side(school, s_author, users["principal"]),
        "Zs": Side(other_school, z_author, z_principal),
    }
    clerks = {"P": users["clerk"], "S": s_clerk, "Zs": z_clerk}
    receivers = {"P": users["clerk"], "S": users["principal"], "Zs": z_principal}
    leads = {"P": users["officer_assigned"], "S": s_author, "Zs": z_author}
    readers = {"P": users["deputy"], "S": s_teacher, "Zs": z_teacher}
    later = timezone.now() + datetime.timedelta(days=5)

    for key, side in sides.items():
        m = side.markers
        for name in ("draft", "issued", "arrived", "registered", "routed", "started", "recalling", *CHAIN_STATES):
            m[name] = f"MX-{key}-{name}".upper().replace("_", "-")
        side.draft = _draft(side.unit, side.author, m["draft"])
        for state in CHAIN_STATES:
            document = _draft(side.unit, side.author, m[state])
            side.chain[state] = _in_state(document, state, head=side.head, recipient=department)
        side.issued = _issue(side.unit, side.author, side.head, clerks[key], m["issued"], [department])
        side.issued_copy = _copy(side.issued, department)
        side.issued_line = _register_and_route(side.issued_copy, clerk=d_clerk, head=d_leader, lead=d_officer)
        side.consultation = do_open_consultation(
            side.draft,
            acting_user=side.author,
            question=f"Góp ý {m['draft']}",
            deadline=later,
            users=[d_officer],
            units=[department],
        )
        do_answer_consultation(
            side.consultation.requests.get(user=d_officer),
            acting_user=d_officer,
            stance="agree",
            files=[_upload("gop-y.pdf")],
        )
    Membership.objects.filter(pk__in=[r.pk for r in retired]).update(valid_until=yesterday)

    for key, side in sides.items():
        m = side.markers

        def send(name: str, _key=key, _side=side) -> Delivery:
            dispatch = _issue(department, d_officer, d_leader, d_clerk, _side.markers[name], [_side.unit])
            return _copy(dispatch, _side.unit)

        side.arrived = send("arrived")
        side.registered = send("registered")
        do_register_delivery(side.registered, acting_user=receivers[key])
        side.routed = send("routed")
        side.line = _register_and_route(
            side.routed, clerk=receivers[key], head=side.head, lead=leads[key], reader=readers[key]
        )
        side.fyi = Assignment.objects.get(delivery=side.routed, user=readers[key])
        started = send("started")
        side.started = _register_and_route(started, clerk=receivers[key], head=side.head, lead=leads[key])
        do_start_assignment(side.started, acting_user=leads[key])
        side.recalling = send("recalling")
        do_register_delivery(side.recalling, acting_user=receivers[key])
        do_recall_dispatch(side.recalling.dispatch, acting_user=d_leader, reason="Ban hành nhầm")
        d_draft = _draft(department, d_officer, f"MX-{key}-ASKED")
        m["asked"] = f"MX-{key}-ASKED"
        side.asked = do_open_consultation(
            d_draft,
            acting_user=d_officer,
            question=f"Xin ý kiến {m['asked']}",
            deadline=later,
            users=[d_leader],
            units=[side.unit],
        )
        do_answer_consultation(
            side.asked.requests.get(user=d_leader), acting_user=d_leader, stance="agree", files=[_upload("y-kien.pdf")]
        )

    for key, side in sides.items():
        # Asked by P's clerk (so that P's heads may confirm it), at the schools by their principal.
        side.access_change = do_request_access_grant(
            side.issued.document,
            acting_user=users["clerk"] if key == "P" else side.head,
            reason="Chia sẻ với lãnh đạo Sở",
            grantee_user=d_leader,
        )
        side.received_change = do_request_access_grant(
            side.registered.document, acting_user=d_clerk, reason="Chia sẻ trong Sở", grantee_user=d_officer
        )
        # Numbering (the clerk's step) takes the next number of the unit's outgoing register of the year.
        make_register(unit=side.unit, year=timezone.localdate().year)

    notifications = {}
    for role, user in [*users.items(), ("stranger", z_principal)]:
        notifications[role] = Notification.objects.create(
            user=user, kind="status", title=f"MX-NOTE-{role}", key=f"mx-{role}"
        )
    calendar_day = CalendarDay.objects.create(date=datetime.date(timezone.localdate().year, 9, 2), name="Quốc khánh")
    for side in sides.values():
        for name in ("arrived", "registered", "routed", "recalling", "issued_copy"):
            setattr(side, name, Delivery.objects.select_related("document").get(pk=getattr(side, name).pk))
    return World(
        department=department,
        d_clerk=d_clerk,
        d_leader=d_leader,
        d_officer=d_officer,
        sides=sides,
        users=users,
        notifications=notifications,
        calendar_day=calendar_day,
        year=timezone.localdate().year,
    )


# --- one cell's request: the object of a relation, its URL arguments, a minimal valid body, a snapshot ------


@dataclass(frozen=True)
class Target:
    """One cell's request: the URL arguments, a query string, a body, and the object a write must (not) change."""

    kwargs: dict = field(default_factory=dict)
    query: str = ""
    body: dict | None = None
    snapshot: Callable[[], object] | None = None
    marker: str = ""


def side_of(w: World, role: str, relation: str):
    return w.sides["Zs"] if relation == "unrelated" else w.home(role)


def _document_state(pk: int) -> Callable:
    def snap():
        document = Document.objects.get(pk=pk)
        dispatch = getattr(document, "dispatch", None)
        return (
            document.version,
            document.summary,
            document.number,
            dispatch.state if dispatch else None,
            list(Attachment.objects.filter(document=document).values_list("pk", "removed_in_version").order_by("pk")),
            Document.objects.count(),
            Consultation.objects.filter(document=document).count(),
        )

    return snap


def _delivery_state(pk: int) -> Callable:
    def snap():
        d = Delivery.objects.get(pk=pk)
        lines = Assignment.objects.filter(delivery_id=pk).order_by("pk")
        return (
            d.status,
            d.incoming_number,
            d.acknowledged_at,
            d.reply_id,
            list(lines.values_list("pk", "state", "user_id", "deadline", "acknowledged_at")),
            Delivery.objects.filter(parent_id=pk).count(),
        )

    return snap


def doc_target(which: str, body: Callable | None = None) -> Callable:
    """A document: the unit's own ``which`` (draft, issued or a chain state), or the one delivered to it."""

    def build(w: World, role: str, relation: str) -> Target:
        side = side_of(w, role, relation)
        if relation == "recipient":
            document = side.registered.document
        elif which == "draft":
            document = side.draft
        elif which == "issued":
            document = side.issued.document
        else:
            document = side.chain[which].document
        return Target(
            kwargs={"pk": document.pk},
            body=body(w, side, document) if body else None,
            snapshot=_document_state(document.pk),
        )

    return build


def dispatch_target(which: str, body: Callable | None = None) -> Callable:
    def build(w: World, role: str, relation: str) -> Target:
        side = side_of(w, role, relation)
        if relation == "recipient":
            dispatch = side.registered.dispatch
        elif which == "issued":
            dispatch = side.issued
        else:
            dispatch = side.chain[which]
        return Target(
            kwargs={"pk": dispatch.pk},
            body=body(w, side, dispatch) if body else None,
            snapshot=_document_state(dispatch.document_id),
        )

    return build


def delivery_target(which: str, body: Callable | None = None) -> Callable:
    """A delivery: the Sở's copy of what the unit issued (own), one the Sở sent the unit (recipient)."""

    def build(w: World, role: str, relation: str) -> Target:
        side = side_of(w, role, relation)
        delivery = side.issued_copy if relation == "own" else getattr(side, which)
        return Target(
            kwargs={"pk": delivery.pk},
            body=body(w, side, delivery) if body else None,
            snapshot=_delivery_state(delivery.pk),
        )

    return build


def line_target(which: str = "line", body: Callable | None = None) -> Callable:
    """A routing line: the Sở's line on what the unit issued (own), a line at the unit (recipient)."""

    def build(w: World, role: str, relation: str) -> Target:
        side = side_of(w, role, relation)
        line = side.issued_line if relation == "own" else getattr(side, which)
        return Target(
            kwargs={"pk": line.pk},
            body=body(w, side, line) if body else None,
            snapshot=_delivery_state(line.delivery_id),
        )

    return build


def consultation_target(body: Callable | None = None) -> Callable:
    """A consultation: on the unit's own draft (own), the Sở's asking the unit (recipient)."""

    def build(w: World, role: str, relation: str) -> Target:
        side = side_of(w, role, relation)
        consultation = side.asked if relation == "recipient" else side.consultation

        def snap():
            c = Consultation.objects.get(pk=consultation.pk)
            return c.state, Opinion.objects.filter(request__consultation=c).count()

        return Target(kwargs={"pk": consultation.pk}, body=body(w, side, consultation) if body else None, snapshot=snap)

    return build


def list_target(key: dict[str, str], query: str = "") -> Callable:
    """A list: the marker of the object of each relation (``key[relation]`` names it on the side)."""

    def build(w: World, role: str, relation: str) -> Target:
        return Target(query=query, marker=side_of(w, role, relation).markers[key[relation]])

    return build


def year_target(w: World, role: str, relation: str) -> Target:
    return Target(kwargs={"year": w.year})


def none_target(w: World, role: str, relation: str) -> Target:
    return Target()


def attachment_target(w: World, role: str, relation: str) -> Target:
    t = doc_target("draft")(w, role, relation)
    attachment = Attachment.objects.filter(document_id=t.kwargs["pk"]).order_by("pk").first()
    return Target(
        kwargs={**t.kwargs, "attachment_id": attachment.pk}, snapshot=t.snapshot, body={"expected_version": 2}
    )


def delivery_attachment(w: World, role: str, relation: str) -> Target:
    t = delivery_target("registered")(w, role, relation)
    delivery = Delivery.objects.get(pk=t.kwargs["pk"])
    attachment = Attachment.objects.filter(document_id=delivery.document_id).order_by("pk").first()
    return Target(kwargs={**t.kwargs, "attachment_id": attachment.pk})


def opinion_file(w: World, role: str, relation: str) -> Target:
    from workflows.models import OpinionFile

    t = consultation_target()(w, role, relation)
    file = OpinionFile.objects.filter(opinion__request__consultation_id=t.kwargs["pk"]).order_by("pk").first()
    return Target(kwargs={**t.kwargs, "file_id": file.pk})


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def upload_body(w, side, document):
    return {"upload": _pdf("them.pdf"), "expected_version": 2}


def api_upload_body(w, side, document):
    return {"file": _pdf("them.pdf"), "role": "attachment", "expected_version": 2}


def patch_body(w, side, document):
    return {"expected_version": 2, "summary": "V/v sửa ma trận"}


def open_consultation_body(w, side, document):
    deadline = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    return {"document": document.pk, "question": "Góp ý ma trận", "deadline": deadline, "users": [w.d_leader.pk]}


def open_consultation_target(w: World, role: str, relation: str) -> Target:
    t = doc_target("draft", open_consultation_body)(w, role, relation)
    return Target(body=t.body, snapshot=t.snapshot)


def open_dispatch_target(w: World, role: str, relation: str) -> Target:
    t = doc_target("draft")(w, role, relation)
    return Target(body={"document": t.kwargs["pk"]}, snapshot=t.snapshot)


def compare_target(w: World, role: str, relation: str) -> Target:
    return Target(kwargs=doc_target("draft")(w, role, relation).kwargs, query="a=1&b=2")


def tracking_target(w: World, role: str, relation: str) -> Target:
    return Target(kwargs={"id": dispatch_target("issued")(w, role, relation).kwargs["pk"]})


def notification_target(w: World, role: str, relation: str) -> Target:
    """The person's own notification, a colleague's (recipient), a stranger's (unrelated)."""
    owner = {"own": role, "recipient": "clerk" if role == "officer" else "officer", "unrelated": "stranger"}[relation]
    note = w.notifications.get(owner, w.notifications["stranger"])
    return Target(kwargs={"pk": note.pk}, snapshot=lambda: Notification.objects.get(pk=note.pk).read_at)


def calendar_target(w: World, role: str, relation: str) -> Target:
    return Target(kwargs={"pk": w.calendar_day.pk}, snapshot=lambda: CalendarDay.objects.count())


def calendar_add_target(w: World, role: str, relation: str) -> Target:
    body = {"date": f"{w.year}-04-30", "name": "Ngày thống nhất", "working": ""}
    return Target(body=body, snapshot=lambda: CalendarDay.objects.count())


def membership_target(w: World, role: str, relation: str) -> Target:
    """The person's own membership id (own), a colleague's (recipient), a stranger's (unrelated)."""
    from organizations.models import Membership

    owner = {"own": w.users.get(role, w.d_leader), "recipient": w.d_clerk, "unrelated": w.sides["Zs"].head}[relation]
    return Target(body={"membership": Membership.objects.filter(user=owner).values_list("pk", flat=True).first()})


def unit_target(w: World, role: str, relation: str) -> Target:
    return Target(kwargs={"pk": side_of(w, role, relation).unit.pk})


def external_target(w: World, role: str, relation: str) -> Target:
    from documents.models import DocumentType

    return Target(
        body={
            "document_type": DocumentType.objects.get(name="Công văn").pk,
            "issuer_name": "UBND huyện ma trận",
            "symbol": f"{len(role)}{len(relation)}/UBND-MX",
            "issued_on": timezone.localdate().isoformat(),
            "summary": f"V/v văn bản ngoài ma trận {role} {relation}",
            "file": _pdf("ngoai.pdf"),
        },
        snapshot=lambda: Delivery.objects.count(),
    )


def access_doc_target(body: Callable | None = None) -> Callable:
    """Access to a document: the unit's own issued document, the one delivered to it, another school's."""

    def build(w: World, role: str, relation: str) -> Target:
        from documents.models import AccessChange

        t = doc_target("issued", body)(w, role, relation)
        pk = t.kwargs["pk"]
        return Target(
            kwargs=t.kwargs, body=t.body, snapshot=lambda: AccessChange.objects.filter(document_id=pk).count()
        )

    return build


def access_request_body(w, side, document):
    return {"grantee_type": "user", "username": w.d_officer.username, "reason": "Chia sẻ để phối hợp", "kind": "grant"}


def api_access_request_target(w: World, role: str, relation: str) -> Target:
    t = access_doc_target()(w, role, relation)
    body = {"kind": "grant", "user": w.d_officer.username, "reason": "Chia sẻ để phối hợp"}
    return Target(kwargs={"id": t.kwargs["pk"]}, body=body, snapshot=t.snapshot)


def access_change_target(w: World, role: str, relation: str) -> Target:
    """A pending access change on the unit's own issued document (asked by its clerk; at a school by its principal)."""
    side = side_of(w, role, relation)
    change = side.received_change if relation == "recipient" else side.access_change

    def snap():
        return type(change).objects.get(pk=change.pk).state

    return Target(kwargs={"pk": change.pk}, body={"comment": "Ý kiến ma trận"}, snapshot=snap)


# Bodies of the steps.


def review_body(w, side, obj):
    return {"reviewer": side.head.pk, "comment": "Kính trình"}


def signature_body(w, side, obj):
    return {"signer": side.head.pk, "authority": "", "comment": "Kính trình ký"}


def reason_body(w, side, obj):
    return {"reason": "Không đúng thẩm quyền", "comment": "Đồng ý"}


def _member_of(w, side, delivery):
    """Someone the head of the delivery's unit may route to (not its present lead)."""
    return side.author if delivery.recipient_id == side.unit.pk else w.d_officer


def route_body_web(w, side, delivery):
    return {"lead": f"p{_member_of(w, side, delivery).pk}", "lead_days": 5}


def route_body_api(w, side, delivery):
    return {"lead": {"user_id": _member_of(w, side, delivery).pk, "working_days": 5}}


def forward_body_web(w, side, delivery):
    return {"mode": "all", "note": ""}


def forward_body_api(w, side, delivery):
    return {"all": True}


def extend_body(w, side, line):
    return {"new_deadline": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(), "reason": "Cần thêm"}


def finish_body(w, side, line):
    return {"result": "Đã xong"}


def reassign_body_web(w, side, line):
    return {"user": side.author.pk}


def reassign_body_api(w, side, line):
    return {"user_id": side.author.pk}


def answer_body(w, side, consultation):
    request = consultation.requests.filter(unit__isnull=False).first()
    return {"request": request.pk, "stance": "agree"}
