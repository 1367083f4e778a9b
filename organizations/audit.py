"""The audit seam: organizations must write audit rows but sits below journal, which keeps them.

Dependency inversion: journal registers its recorder here from its AppConfig.ready(), and every
action in this app calls :func:`record`. Without a recorder, :func:`record` refuses, because an action
that silently skipped its audit row would break the trail that the journal promises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Recorder = Callable[..., Any]

_recorder: Recorder | None = None


def set_recorder(fn: Recorder | None) -> Recorder | None:
    """Register ``fn(*, actor, verb, target, unit, data)``; returns the previous one (tests restore it)."""
    global _recorder
    previous, _recorder = _recorder, fn
    return previous


def record(*, actor: Any, verb: str, target: Any, unit: Any = None, data: dict | None = None) -> None:
    """Write one audit row through the registered recorder.

    ``target`` is the model instance acted on, or ``None`` for a bulk operation (its figures go in
    ``data``); ``unit`` is the unit whose trail it belongs to.
    """
    if _recorder is None:
        raise ImproperlyConfigured(
            "organizations.audit has no recorder: the journal app must call "
            "organizations.audit.set_recorder(...) in its AppConfig.ready()."
        )
    _recorder(actor=actor, verb=verb, target=target, unit=unit, data=data or {})
