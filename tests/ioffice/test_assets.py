"""Everything a page loads is served from here: government networks are often offline."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from ioffice.config import BASE_DIR

_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|srcset)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["'])(?:https?:)?//""",
    re.IGNORECASE,
)
_APPS = ["organizations", "journal", "documents", "signatures", "workflows", "archive", "search", "schoolrecords"]


def _project_asset_files() -> list[Path]:
    roots = [BASE_DIR / "templates", BASE_DIR / "ioffice" / "static", BASE_DIR / "ioffice" / "templates"]
    for app in _APPS:
        roots += [BASE_DIR / app / "templates", BASE_DIR / app / "static"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*") if p.is_file())


def _external_references(text: str) -> list[str]:
    return [text[m.start() : m.end() + 40] for m in _EXTERNAL.finditer(text)]


def test_no_template_or_static_file_loads_from_another_host():
    files = _project_asset_files()
    assert any(p.name == "base.html" for p in files)
    assert any(p.name == "htmx.min.js" for p in files)
    offending = {
        str(p.relative_to(BASE_DIR)): refs
        for p in files
        if (refs := _external_references(p.read_text(encoding="utf-8", errors="replace")))
    }
    assert not offending, offending


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://unpkg.com/htmx.org"></script>',
        "<link href='//cdn.example/x.css'>",
        "body { background: url(http://example.com/a.png) }",
        '@import "https://fonts.googleapis.com/css";',
    ],
)
def test_the_scan_catches_external_references(snippet):
    assert _external_references(snippet)


@pytest.mark.parametrize("snippet", ['<a href="/dang-nhap/">', "url(../img/a.png)", '<script src="/static/x.js">'])
def test_the_scan_lets_local_references_pass(snippet):
    assert not _external_references(snippet)


def test_htmx_and_its_licence_are_vendored_and_found_by_staticfiles():
    script = finders.find("vendor/htmx/htmx.min.js")
    licence = finders.find("vendor/htmx/LICENSE")
    assert script and licence
    assert "htmx" in Path(script).read_text(encoding="utf-8")[:200]
    assert finders.find("css/ioffice.css")


def test_api_docs_use_local_swagger_assets(client, db):
    assert settings.SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] == "SIDECAR"
    html = client.get("/api/docs/").content.decode()
    assert not _external_references(html), _external_references(html)
