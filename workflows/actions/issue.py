"""Issue (phát hành) and recall (thu hồi) of a sealed dispatch: the fan-out to every recipient unit.

Issuing is one durable transaction whose number of SQL statements does not depend on how many
units receive the document (one province is ~750 units): the recipients are resolved with one query
per saved list, the deliveries and their log rows are each one bulk insert, and
the ``dispatch.issued`` event is published once (its subscribers fan out later, in the worker). The
dispatch row is saved first under its optimistic lock, so of two clerks issuing at once the second
fails before it writes anything.

Who recalls: DOMAIN.md makes recall a decision about an issued document, which Decree 30 leaves to
whoever may sign for the agency; the clerk only executes. So the leader or a deputy leader of the
issuing agency recalls, and must say why (the reason travels to every recipient).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from documents.models import (
    DocumentRecipient,
    DocumentRecipientList,
    RecipientPurpose,
    ReferenceKind,
)
from journal import events
from journal.audit import record
from journal.errors import Forbidden, InvalidInput
from organizations.models import Role
from organizations.selectors import resolve_distribution_list, roles_in
from workflows.actions.dispatches import _log, reread_for, save_moved
from workflows.actions.replies import complete_replied_deliveries
from workflows.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    DeliveryTransition,
    Dispatch,
    DispatchState,
    priority_of,
)
from workflows.models.deliveries import RECALL_EXEMPT

#: The stronger purpose wins when a unit is named twice (directly and through a list, or by two lists).
PURPOSE_RANK = {RecipientPurpose.THUC_HIEN: 3, RecipientPurpose.PHOI_HOP: 2, RecipientPurpose.BIET: 1}

#: Who may recall an issued dispatch: the agency's leader and deputies (see the module docstring).
RECALLER_ROLES = frozenset({Role.LEADER, Role.DEPUTY})


#: Rows per INSERT: 9 columns × 3500 stays under both SQLite's default 32766 and PostgreSQL's 65535 parameters.
CHUNK_ROWS = 3500


def resolve_recipients(document) -> dict[int, tuple[str, bool]]:
    """``{unit_id: (purpose, enrolled)}`` of a document's recipients, lists resolved, strongest purpose kept.

    One query for the direct recipients, one for the lists, one per list: none per unit.
    """
    found: dict[int, tuple[str, bool]] = {}

    def add(unit_id: int, purpose: str, enrolled: bool) -> None:
        have = found.get(unit_id)
        if have is None or PURPOSE_RANK[purpose] > PURPOSE_RANK[have[0]]:
            found[unit_id] = (purpose, enrolled)

    direct = DocumentRecipient.objects.filter(document=document, unit__is_active=True)
    for unit_id, purpose, enrolled in direct.values_list("unit_id", "purpose", "unit__enrolled"):
        add(unit_id, purpose, enrolled)
    for named in DocumentRecipientList.objects.filter(document=document).select_related("distribution_list__under"):
        units = resolve_distribution_list(distribution_list=named.distribution_list)
        for unit_id, enrolled in units.values_list("pk", "enrolled"):
            add(unit_id, named.purpose, enrolled)
    return found


def do_issue_dispatch(dispatch: Dispatch, *, acting_user) -> Dispatch:
    """A clerk of the issuing agency issues a sealed dispatch: one delivery per recipient unit."""
    with transaction.atomic(durable=True):
        current = reread_for(dispatch, "issue")
        if Role.CLERK not in roles_in(user=acting_user, unit=current.document.issuer):
            raise Forbidden("Chỉ văn thư của cơ quan ban hành mới được phát hành văn bản.")
        document = current.document
        recipients = resolve_recipients(document)
        recipients.pop(document.issuer_id, None)  # the agency keeps its own copy (bản lưu), not a delivery
        if not recipients:
            raise InvalidInput(
                "Văn bản chưa có nơi nhận nào; hãy thêm đơn vị hoặc danh sách nơi nhận trước khi phát hành.",
                code="no_recipients",
                message_en="The document has no recipients.",
            )
        replaced = list(
            Dispatch.objects.filter(
                document__referenced_by__document=document,
                document__referenced_by__kind=ReferenceKind.THAY_THE,
                state=DispatchState.ISSUED,
            )
        )

        priority = priority_of(document.urgency)
        at = timezone.now()
        current.issue(at=at)
        save_moved(current)  # the lock point: a concurrent issue fails here, before anything below is written
        _log(current, name="issue", from_state=DispatchState.SEALED, actor=acting_user, comment="", at=at)

        _insert_rows(
            Delivery,
            ["dispatch", "document", "recipient", "purpose", "channel", "status", "arrived_at", "priority"],
            [
                (
                    current.pk,
                    document.pk,
                    unit_id,
                    purpose,
                    DeliveryChannel.ELECTRONIC if enrolled else DeliveryChannel.PAPER,
                    DeliveryStatus.ARRIVED,
                    at,
                    priority,
                )
                for unit_id, (purpose, enrolled) in sorted(recipients.items())
            ],
        )
        _log_deliveries(current, name="issue", to_status=DeliveryStatus.ARRIVED, actor=acting_user, at=at)

        for old in replaced:
            old.replace(at=at)
            save_moved(old)
            _log(old, name="replace", from_state=DispatchState.ISSUED, actor=acting_user, comment="", at=at)
            events.publish("dispatch.replaced", dispatch_id=old.pk, by_dispatch_id=current.pk)
            record(
                actor=acting_user,
                verb="workflows.dispatch.replaced",
                target=old,
                unit=document.issuer,
                data={"by_dispatch": current.pk},
            )

        paper = sum(1 for _, enrolled in recipients.values() if not enrolled)
        events.publish("dispatch.issued", dispatch_id=current.pk)
        complete_replied_deliveries(document, actor=acting_user, at=at)
        record(
            actor=acting_user,
            verb="workflows.dispatch.issue",
            target=current,
            unit=document.issuer,
            data={
                "from": DispatchState.SEALED,
                "to": DispatchState.ISSUED,
                "recipients": len(recipients),
                "paper": paper,
                "replaced": [old.pk for old in replaced],
            },
        )
    return current


def do_recall_dispatch(dispatch: Dispatch, *, acting_user, reason: str) -> Dispatch:
    """The agency's leader or a deputy recalls an issued dispatch; every open delivery is asked back (13)."""
    reason = (reason or "").strip()
    with transaction.atomic(durable=True):
        current = reread_for(dispatch, "recall")
        if not roles_in(user=acting_user, unit=current.document.issuer) & RECALLER_ROLES:
            raise Forbidden("Chỉ lãnh đạo cơ quan ban hành mới được thu hồi văn bản.")
        if not reason:
            raise InvalidInput(
                "Phải nêu lý do thu hồi.", code="reason_required", message_en="A reason for the recall is required."
            )
        at = timezone.now()
        current.recall(at=at, reason=reason)
        save_moved(current)
        _log(current, name="recall", from_state=DispatchState.ISSUED, actor=acting_user, comment=reason, at=at)

        # Lock the rows we move so a recipient finishing one meanwhile is either before or after us;
        # then log them (from their status) and move them, each in one statement.
        open_ = Delivery.objects.filter(dispatch=current).exclude(status__in=RECALL_EXEMPT)
        moving = len(list(open_.select_for_update().values_list("pk", flat=True)))
        _log_deliveries(
            current,
            name="request_recall",
            to_status=DeliveryStatus.RECALL_REQUESTED,
            actor=acting_user,
            at=at,
            comment=reason,
            skip=RECALL_EXEMPT,
        )
        open_.update(status=DeliveryStatus.RECALL_REQUESTED)
        events.publish("dispatch.recalled", dispatch_id=current.pk)
        record(
            actor=acting_user,
            verb="workflows.dispatch.recall",
            target=current,
            unit=current.document.issuer,
            data={
                "from": DispatchState.ISSUED,
                "to": DispatchState.RECALLED,
                "reason": reason,
                "deliveries": moving,
            },
        )
    return current


def _insert_rows(model, fields: list[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> None:
    """One multi-row INSERT per :data:`CHUNK_ROWS` rows, whatever the backend.

    ``bulk_create`` on SQLite cuts batches at Django's assumed 999 parameters (about 140 deliveries),
    so its statement count grows with the recipients; the SQLite actually linked allows far more
    (32766 by default since 3.32), as does PostgreSQL (65535). A province's 750 units fit in one.
    """
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    # Identifiers come from the model's _meta, quoted; every value travels as a parameter.
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c.column) for c in columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            params = [
                column.get_db_prep_save(value, connection)
                for row in chunk
                for column, value in zip(columns, row, strict=True)
            ]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)


def _log_deliveries(dispatch: Dispatch, *, name: str, to_status: str, actor, at, comment: str = "", skip=()) -> None:
    """A log row for every delivery of ``dispatch`` not in ``skip`` (from its current status): one INSERT … SELECT.

    Runs before the status UPDATE it records, so ``from_status`` is read from the row itself.
    """
    qn = connection.ops.quote_name
    log, delivery = DeliveryTransition._meta, Delivery._meta
    col = {f.name: qn(f.column) for f in log.concrete_fields}
    status_col = qn(delivery.get_field("status").column)
    at_db = log.get_field("at").get_db_prep_save(at, connection)
    skip = sorted(skip)
    where_skip = f" AND {status_col} NOT IN ({', '.join(['%s'] * len(skip))})" if skip else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(log.db_table)} ({col['delivery']}, {col['from_status']}, {col['to_status']}, "  # noqa: S608 (identifiers from _meta)
            f"{col['name']}, {col['actor']}, {col['at']}, {col['comment']}) "
            f"SELECT {qn(delivery.pk.column)}, {status_col}, %s, %s, %s, %s, %s FROM {qn(delivery.db_table)} "
            f"WHERE {qn(delivery.get_field('dispatch').column)} = %s" + where_skip,
            [to_status, name, actor.pk, at_db, comment, dispatch.pk, *skip],
        )
