"""Writes to the unit tree: save one unit (create, edit, move) and import many by official code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from organizations import audit
from organizations.groups import ensure_unit_groups
from organizations.models import Unit
from organizations.permissions import check_administer
from organizations.tree import assign_paths, move_subtree

_TRACKED = ("name", "short_name", "kind", "school_level", "code", "abbreviation", "parent_id", "enrolled", "is_active")


def do_save_unit(unit: Unit, *, acting_user) -> Unit:
    """Create or change ``unit`` (an unsaved instance, or a saved one with edited fields).

    Creating needs administration rights over the new parent (a superuser for a root); changing needs
    them over the unit where it stands and, when it moves, over the new parent. A move rewrites the
    paths of the whole subtree in one statement; a new unit gets its groups at once.
    """
    with transaction.atomic(durable=True):
        before: Unit | None = None
        if unit.pk is not None:
            before = Unit.objects.select_for_update().get(pk=unit.pk)
            check_administer(acting_user, before)
            unit.path = before.path
        if before is None or before.parent_id != unit.parent_id:
            parent = Unit.objects.select_for_update().get(pk=unit.parent_id) if unit.parent_id else None
            check_administer(acting_user, parent)
            unit.parent = parent
        unit.full_clean()
        unit.save()
        if before is None:
            assign_paths([unit])
            ensure_unit_groups([unit])
            audit.record(
                actor=acting_user, verb="organizations.unit.created", target=unit, unit=unit, data=_fields(unit)
            )
            return unit
        changes = {
            f: [getattr(before, f), getattr(unit, f)] for f in _TRACKED if getattr(before, f) != getattr(unit, f)
        }
        if "parent_id" in changes:
            move_subtree(unit=unit, old_path=before.path)
            audit.record(
                actor=acting_user,
                verb="organizations.unit.moved",
                target=unit,
                unit=unit,
                data={"from_parent": before.parent_id, "to_parent": unit.parent_id},
            )
        if changes:
            audit.record(actor=acting_user, verb="organizations.unit.updated", target=unit, unit=unit, data=changes)
        return unit


@dataclass(frozen=True)
class UnitRow:
    """One unit of an import, keyed on its official code; ``parent_code`` must come earlier or exist."""

    code: str
    name: str
    kind: str
    parent_code: str | None = None
    school_level: str = ""
    short_name: str = ""
    abbreviation: str = ""
    enrolled: bool = False


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


_IMPORTED = ("name", "kind", "school_level", "short_name", "abbreviation", "enrolled")


def do_import_units(rows: Sequence[UnitRow], *, acting_user) -> ImportResult:
    """Upsert units by official code in bulk (a directory sync or the demo data); superusers only.

    Running it twice with the same rows changes nothing the second time. Inserts go in waves, one
    per tree level, so each wave's parents already have ids and paths; every row passes the same
    ``Unit.clean()`` tree rules as a single save. A unit that changes parent is moved like a save.
    """
    check_administer(acting_user, None)
    codes = [row.code for row in rows]
    if len(set(codes)) != len(codes) or not all(codes):
        raise ValidationError("Mỗi đơn vị nhập phải có mã định danh riêng, không trùng.")
    with transaction.atomic(durable=True):
        by_code = {u.code: u for u in Unit.objects.select_for_update().filter(code__in=codes)}
        parent_codes = {row.parent_code for row in rows if row.parent_code} - set(by_code)
        by_code.update({u.code: u for u in Unit.objects.filter(code__in=parent_codes)})
        pending = list(rows)
        created = updated = unchanged = 0
        moved: list[tuple[Unit, str]] = []
        while pending:
            wave = [r for r in pending if r.parent_code is None or _ready(by_code.get(r.parent_code))]
            if not wave:
                missing = sorted({r.parent_code for r in pending})
                raise ValidationError(f"Không tìm thấy đơn vị cấp trên có mã: {', '.join(missing)}.")
            pending = [r for r in pending if r not in wave]
            new_units, changed = [], []
            for row in wave:
                parent = by_code[row.parent_code] if row.parent_code else None
                unit = by_code.get(row.code)
                if unit is None:
                    unit = Unit(code=row.code, parent=parent, **{f: getattr(row, f) for f in _IMPORTED})
                    new_units.append(unit)
                else:
                    diff = [f for f in _IMPORTED if getattr(unit, f) != getattr(row, f)]
                    for f in diff:
                        setattr(unit, f, getattr(row, f))
                    if unit.parent_id != (parent.pk if parent else None):
                        moved.append((unit, unit.path))
                        unit.parent = parent
                        diff.append("parent")
                    if diff:
                        changed.append(unit)
                    else:
                        unchanged += 1
                _clean(unit)
                by_code[row.code] = unit
            Unit.objects.bulk_create(new_units, batch_size=500)
            assign_paths(new_units)
            if changed:
                Unit.objects.bulk_update(changed, [*_IMPORTED, "parent"], batch_size=500)
            created += len(new_units)
            updated += len(changed)
            ensure_unit_groups(new_units)
        for unit, old_path in moved:
            move_subtree(unit=unit, old_path=old_path)
        result = ImportResult(created=created, updated=updated, unchanged=unchanged)
        audit.record(actor=acting_user, verb="organizations.units.imported", target=None, data=result.__dict__)
        return result


def _ready(unit: Unit | None) -> bool:
    return unit is not None and unit.pk is not None


def _clean(unit: Unit) -> None:
    try:
        unit.clean_fields(exclude=["path"])
        unit.clean()
    except ValidationError as exc:
        raise ValidationError(f"Đơn vị {unit.code} ({unit.name}): {'; '.join(exc.messages)}") from exc


def _fields(unit: Unit) -> dict:
    return {f: getattr(unit, f) for f in _TRACKED}
