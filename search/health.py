"""Whether the configured search backend can be reached (for /readyz); the engine comes later."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings


def check() -> tuple[bool, str]:
    """``(ok, detail)``: Elasticsearch answers a ping, or the embedded index directory is writable."""
    url = settings.IOFFICE_ELASTICSEARCH_URL
    if url:
        from elasticsearch import Elasticsearch

        client = Elasticsearch(url, request_timeout=2, max_retries=0, retry_on_timeout=False)
        try:
            return (True, "elasticsearch") if client.ping() else (False, "elasticsearch did not answer")
        finally:
            client.close()
    index_dir = Path(settings.IOFFICE_SEARCH_INDEX_DIR)
    index_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=index_dir, prefix=".probe-"):
        pass
    return True, "embedded"
