"""Writes to the materialized path of the unit tree; the only code that sets ``Unit.path``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from organizations.models import Unit


def path_for(unit: Unit, parent: Unit | None) -> str:
    """The path of a saved ``unit`` placed under ``parent`` (whose path must be current)."""
    base = parent.path if parent is not None else "/"
    return f"{base}{unit.pk}/"


def assign_paths(units: Iterable[Unit]) -> None:
    """Set the path of freshly inserted units whose parents already have theirs (one UPDATE batch)."""
    units = list(units)
    for unit in units:
        unit.path = path_for(unit, unit.parent)
    Unit.objects.bulk_update(units, ["path"], batch_size=500)


def move_subtree(*, unit: Unit, old_path: str) -> int:
    """Rewrite the paths of ``unit`` and everything under it after its parent changed.

    One UPDATE swaps the old prefix for the new one across the subtree; returns the rows touched.
    """
    new_path = path_for(unit, unit.parent)
    unit.path = new_path
    return Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
