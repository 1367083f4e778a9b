"""The issued document as PDF, in the Decree 30 layout (Phụ lục I), with WeasyPrint.

The layout lives in ``templates/print/dispatch.html`` and its stylesheet; this module fills the
template from a :class:`~documents.rendering.printable.Printable` and hands the HTML to WeasyPrint.
Fonts are the TeX Gyre Termes files committed in ``documents/fonts`` and named by ``file://`` URL in
``@font-face``, so the output never depends on what fontconfig finds on the machine, and they are
embedded (subset) in every PDF. One WeasyPrint ``FontConfiguration`` per thread is kept for the life
of the process: building one loads the system font list and re-registers the four faces, which is
most of what a renderer could add on top of WeasyPrint's own work.
"""

from __future__ import annotations

import base64
import datetime
import threading
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration

from documents.rendering.printable import Printable

__all__ = ["BASE_URL", "FONT_DIR", "PdfVariant", "font_config", "render_html", "render_pdf"]

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
#: Relative URLs in the print template (none today) resolve against the font folder.
BASE_URL = FONT_DIR.as_uri() + "/"
_FONTS = {
    face: (FONT_DIR / f"texgyretermes-{face}.otf").as_uri() for face in ("regular", "bold", "italic", "bolditalic")
}
TEMPLATE = "print/dispatch.html"

PdfVariant = Literal["pdf/a-3b"]
_VARIANTS = frozenset({"pdf/a-3b"})

_local = threading.local()


def font_config() -> FontConfiguration:
    """This thread's font configuration: Pango font maps are not safe to share between threads."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def _local_zone() -> ZoneInfo:
    """The document's date is a calendar day where it was signed: midnight there, not in UTC."""
    return ZoneInfo(settings.TIME_ZONE)


def render_html(doc: Printable) -> str:
    """The print HTML of ``doc``: self-contained (stylesheet inline, fonts by absolute URL)."""
    signature_image = None
    if doc.signature.image:
        signature_image = "data:image/png;base64," + base64.b64encode(doc.signature.image).decode("ascii")
    return render_to_string(
        TEMPLATE,
        {
            "doc": doc,
            "fonts": _FONTS,
            "created": datetime.datetime.combine(doc.date, datetime.time(), tzinfo=_local_zone()).isoformat(),
            "signature_image": signature_image,
        },
    )


def render_pdf(doc: Printable, *, variant: PdfVariant | None = None) -> bytes:
    """The PDF of ``doc``; ``variant="pdf/a-3b"`` makes the archival PDF/A-3b form.

    The PDF's title is the summary, its author the issuing body and its creation date the
    document's date (midnight, local time), so the same document always carries the same metadata.
    """
    if variant is not None and variant not in _VARIANTS:
        raise ValueError(f"Unknown PDF variant {variant!r}: use None or one of {sorted(_VARIANTS)}.")
    html = weasyprint.HTML(string=render_html(doc), base_url=BASE_URL)
    return html.write_pdf(font_config=font_config(), pdf_variant=variant)
