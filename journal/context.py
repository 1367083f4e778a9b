"""Who is asking, from where: the request context that audit rows take their IP and unit from.

Actions do not thread the client IP and the active unit through every call; the web layer sets them
once per request (:class:`journal.middleware.RequestContextMiddleware` the IP, the web layer's
membership middleware the unit through :func:`set_active_unit`) and :func:`journal.audit.record`
reads them. Commands and tasks that act for a unit say so with ``with request_context(unit_id=...)``.

A context variable holds one mutable :class:`RequestContext` per request, so a value set by an inner
middleware is seen by code running later in the same request, and nothing leaks into the next
request handled by the same thread: the middleware installs a fresh context and restores the old one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestContext:
    ip: str | None = None
    unit_id: int | None = None


_current: ContextVar[RequestContext | None] = ContextVar("journal_request_context", default=None)


def current() -> RequestContext:
    """The context in force; an empty one (no IP, no unit) outside any request or ``request_context``."""
    return _current.get() or RequestContext()


@contextmanager
def request_context(*, ip: str | None = None, unit_id: int | None = None) -> Iterator[RequestContext]:
    """Run a block as if serving a request from ``ip`` with ``unit_id`` active; restores the outer one."""
    token = _current.set(RequestContext(ip=ip, unit_id=unit_id))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_active_unit(unit_id: int | None) -> None:
    """Record the unit the signed-in user is acting for, once the web layer has resolved it."""
    ctx = _current.get()
    if ctx is None:
        # Outside a request (a shell, a test calling a view function directly): start a context so the
        # value is not silently lost.
        _current.set(RequestContext(unit_id=unit_id))
    else:
        ctx.unit_id = unit_id
