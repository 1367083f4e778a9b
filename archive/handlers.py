"""What the archive does when documents move: keep the PDF/A copy of every issued document.

Subscribed in :class:`archive.apps.ArchiveConfig` and run by the worker after the issue committed,
never inside it: rendering and writing the blob are slow I/O that must not hold the dispatch's
transaction, and a failure here is retried with back-off instead of undoing the issue.
"""

from __future__ import annotations

from documents.actions.issued_copy import do_store_issued_copy
from workflows.models import Dispatch


def store_issued_copy(*, kind: str, dispatch_id: int, **_ids) -> None:
    """Make (or find) the archival PDF/A-3b of the issued document; a vanished dispatch is done."""
    dispatch = Dispatch.objects.select_related("document").filter(pk=dispatch_id).first()
    if dispatch is None:
        return
    do_store_issued_copy(dispatch.document)
