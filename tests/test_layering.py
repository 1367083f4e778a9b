"""Imports run one way, down DESIGN.md's list: no app imports one above it (or beside it)."""

import ast
from pathlib import Path

import pytest

from ioffice.config import BASE_DIR

LAYERS = {
    "organizations": 0,
    "journal": 1,
    "documents": 2,
    "signatures": 2,
    "workflows": 3,
    "archive": 4,
    "search": 4,
    "schoolrecords": 4,
    "ioffice": 5,
}


def _imported_apps(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                found.add((top, node.lineno))
    return found


def _modules(app: str):
    yield from sorted((BASE_DIR / app).rglob("*.py"))


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_app_imports_only_lower_layers(app):
    offending = []
    for path in _modules(app):
        for imported, line in _imported_apps(path):
            if imported != app and LAYERS[imported] >= LAYERS[app]:
                offending.append(f"{path.relative_to(BASE_DIR)}:{line} imports {imported}")
    assert not offending, "upward or sideways imports:\n" + "\n".join(offending)


def test_the_check_can_fail(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("from workflows.models import Delivery\nimport ioffice.settings\n")
    assert {name for name, _ in _imported_apps(bad)} == {"workflows", "ioffice"}
