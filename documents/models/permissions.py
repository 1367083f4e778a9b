"""django-guardian object permissions on documents with real foreign keys ("direct foreign keys").

The generic guardian tables key objects by a text ``object_pk``: no join on an integer, no foreign
key. A document is opened to a whole recipient unit (its group) at issue time, hundreds at once, and
every visibility query joins through these rows, so documents get their own tables.
"""

from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from documents.models.documents import Document


class DocumentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "quyền của người dùng trên văn bản"
        verbose_name_plural = "quyền của người dùng trên văn bản"


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "quyền của nhóm trên văn bản"
        verbose_name_plural = "quyền của nhóm trên văn bản"
        indexes = [models.Index(fields=["group", "permission"], name="doc_groupperm_group_perm")]
