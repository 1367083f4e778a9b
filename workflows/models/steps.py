"""What every transition log row of the workflows has: the step's name, who took it, when, and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StepLog(models.Model):
    """The common columns of a log row; each log adds the row it logs and its from/to state."""

    name = models.CharField("thao tác", max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("lúc")
    comment = models.TextField("ý kiến", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
