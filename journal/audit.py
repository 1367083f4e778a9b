"""Writing the audit trail: :func:`record`, called by every action inside its transaction.

The row joins the caller's transaction, so an action that rolls back takes its audit row with it and
the trail never claims something happened that did not. It is a plain insert that locks nothing
shared: thousands of clerks registering and principals opening documents do not take turns on one
row. Once the transaction has committed, the worker's next sealing pass
(:func:`journal.sealing.seal_pending`, every few seconds) links the new rows into the hash chain (see
:mod:`journal.models.audit`).
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from journal import context
from journal.errors import TransactionRequired
from journal.models import AuditEvent
from journal.models.audit import RECORDED
from organizations.models import Unit

logger = logging.getLogger(__name__)

_REPR_LENGTH = AuditEvent._meta.get_field("object_repr").max_length


def record(**arguments: Any) -> AuditEvent:
    """Append one event to the trail and return it; the worker seals it into the chain after the commit.

    The arguments are :func:`prepare`'s, by keyword.
    """
    event = prepare(**arguments)
    event.save()
    return event


def prepare(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    unit: Unit | None = None,
    data: dict | None = None,
    ip: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
) -> AuditEvent:
    """The event :func:`record` appends, built but not saved, for an action that writes it itself.

    :func:`documents.numbering.take_number_into` inserts it in the statement that takes a number, so
    that the number it names is known without one more round trip under the register's lock. It must
    be saved in the caller's transaction (only events built here or by :func:`record` can be saved).

    ``actor`` is the acting user (``None`` or an anonymous user for the system or a stranger);
    ``verb`` a dotted name such as ``"auth.login"`` or ``"organizations.membership.granted"``;
    ``target`` the model instance acted on (its ``app.model`` label, pk and ``str()`` are kept), or
    ``object_type``/``object_id`` for something that is not a row (a typed username). ``unit`` and
    ``ip`` default to the request context (:mod:`journal.context`). ``data`` holds the particulars:
    JSON without floats, because PostgreSQL's ``jsonb`` rewrites numbers and the hash must survive
    the round trip byte for byte.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("journal.audit.record() must run inside the action's transaction.atomic().")
    _check_verb(verb)
    data = {} if data is None else data
    _check_json(data, where="data")

    ctx = context.current()
    unit_id, unit_name = _unit_snapshot(unit, ctx.unit_id)
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = target.pk if object_id is None else object_id
        object_repr = str(target)[:_REPR_LENGTH]
    else:
        object_repr = ""
    is_person = actor is not None and getattr(actor, "is_authenticated", False)

    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor.pk if is_person else None,
        actor_username=actor.get_username() if is_person else "",
        unit_id=unit_id,
        unit_name=unit_name,
        verb=verb,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=object_repr,
        ip=_normalise_ip(ip if ip is not None else ctx.ip),
        data=data,
    )
    setattr(event, RECORDED, True)
    return event


def _unit_snapshot(unit: Unit | None, context_unit_id: int | None) -> tuple[int | None, str]:
    if unit is not None:
        return unit.pk, unit.name
    if context_unit_id is None:
        return None, ""
    name = Unit.objects.filter(pk=context_unit_id).values_list("name", flat=True).first()
    return context_unit_id, name or ""


def _normalise_ip(raw: str | None) -> str | None:
    """The address in the form the database hands back, or ``None`` if it is not an address.

    PostgreSQL's ``inet`` prints IPv6 compressed and drops zone ids; the hash is computed before the
    insert, so the value must already be in that form. A malformed ``REMOTE_ADDR`` (a Unix socket
    gives an empty one) must not stop the action it describes, so it is logged and left out.
    """
    if not raw:
        return None
    try:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
    except ValueError:
        logger.warning("audit: ignoring a client address that is not an IP address: %r", raw)
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return address.compressed


def _check_verb(verb: str) -> None:
    parts = verb.split(".") if isinstance(verb, str) else []
    if len(parts) < 2 or not all(part and part.replace("_", "").isalnum() and part.islower() for part in parts):
        raise ValueError(f"audit verb {verb!r} must be dotted lowercase words, e.g. 'auth.login'")


def _check_json(value: Any, *, where: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit {where}: keys must be strings, got {key!r}")
            _check_json(item, where=f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, where=f"{where}[{index}]")
        return
    raise TypeError(
        f"audit {where}: {type(value).__name__} is not allowed (strings, whole numbers, booleans, "
        "null, lists and objects only)"
    )
