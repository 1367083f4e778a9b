"""Who has read a document, and who may know it.

Every page, file and export that shows a document records a read (:mod:`journal.reads`), against the
document itself. The list of readers says who opened a directive and when — across every recipient
unit — so it is shown only to those who answer for the document on the sending side: the heads
(leader, deputy, principal), clerks and archivists of the unit that issued it or drafted it, and its
drafter. A recipient's staff see the document, not who else in the province has read it.
"""

from __future__ import annotations

from documents.models import Document
from journal.reads import Reader, readers_of
from organizations.models import Membership, Role

#: Roles in the issuing or drafting unit that may see the document's readers.
READERS_SEEN_BY = frozenset({Role.LEADER, Role.DEPUTY, Role.PRINCIPAL, Role.CLERK, Role.ARCHIVIST})

DOCUMENT = "documents.document"


def may_see_readers(user, document: Document) -> bool:
    """The drafter, or a head, clerk or archivist (in force) of the issuing or drafting unit: one query."""
    if document.created_by_id == user.pk:
        return True
    units = {document.issuer_id, document.drafting_unit_id} - {None}
    return Membership.objects.in_force().filter(user=user, unit_id__in=units, role__in=READERS_SEEN_BY).exists()


def document_readers(user, document: Document) -> list[Reader] | None:
    """The document's readers for ``user``, or ``None`` when ``user`` may not see them."""
    if not may_see_readers(user, document):
        return None
    return readers_of(object_type=DOCUMENT, object_id=document.pk)
