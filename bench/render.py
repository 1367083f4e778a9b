"""Render benchmark: the project's PDF renderer against WeasyPrint alone, on the same 2-page letter.

``median_ms`` is ``render_pdf(seed)`` end to end (template, HTML, PDF); ``weasyprint_direct_median_ms``
is the same final HTML through ``weasyprint.HTML(string=…, base_url=…).write_pdf()`` as a caller
with no renderer of its own would do it. Both warm (one untimed call each first), interleaved so
machine noise hits both alike. Target: ratio ≤ 1.3. Prints one JSON line.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 21


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ioffice.settings"
    with tempfile.TemporaryDirectory(prefix="ioffice-bench-render-") as var_dir:
        os.environ["IOFFICE_VAR_DIR"] = var_dir
        run()


def run() -> None:
    import django

    django.setup()
    # WeasyPrint logs each step at INFO; a benchmark's output is its JSON line.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)

    import weasyprint

    from documents.rendering.pdf import BASE_URL, render_html, render_pdf
    from tests.documents.seed import seed_letter

    doc = seed_letter()
    html = render_html(doc)

    def direct() -> bytes:
        return weasyprint.HTML(string=html, base_url=BASE_URL).write_pdf()

    pages = len(weasyprint.HTML(string=html, base_url=BASE_URL).render().pages)
    if pages != 2:
        raise SystemExit(f"the benchmark letter must be 2 pages, it is {pages}")
    render_pdf(doc)
    direct()
    ours, theirs = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        render_pdf(doc)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        direct()
        theirs.append(time.perf_counter() - start)
    median_ms = statistics.median(ours) * 1000
    direct_ms = statistics.median(theirs) * 1000
    print(
        json.dumps(
            {
                "bench": "render",
                "median_ms": round(median_ms, 1),
                "weasyprint_direct_median_ms": round(direct_ms, 1),
                "ratio": round(median_ms / direct_ms, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
