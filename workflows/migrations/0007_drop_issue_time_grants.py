"""Issuing and forwarding no longer grant ``view_document`` to the recipient units' groups.

Those grants opened a delivered document to every member of the unit, officers included, where the
visibility rule (workflows.visibility) opens it by role through the delivery. The rows written before
are removed: a unit-group grant on a document the unit received, forwarded, registered from outside
or issued, that no confirmed access change made. Explicit grants (documents.AccessChange) stay.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def drop_issue_time_grants(apps, schema_editor):
    GroupPermission = apps.get_model("documents", "DocumentGroupObjectPermission")
    UnitGroup = apps.get_model("organizations", "UnitGroup")
    Delivery = apps.get_model("workflows", "Delivery")
    AccessChange = apps.get_model("documents", "AccessChange")
    unit_of_group = UnitGroup.objects.filter(group_id=OuterRef("group_id"), role="")
    delivered = Delivery.objects.filter(
        document_id=OuterRef("content_object_id"),
        recipient_id__in=UnitGroup.objects.filter(group_id=OuterRef(OuterRef("group_id")), role="").values("unit_id"),
    )
    issued = UnitGroup.objects.filter(
        group_id=OuterRef("group_id"), role="", unit_id=OuterRef("content_object__issuer_id")
    )
    confirmed = AccessChange.objects.filter(
        document_id=OuterRef("content_object_id"),
        kind="grant",
        state="confirmed",
        grantee_unit__unit_groups__group_id=OuterRef("group_id"),
    )
    GroupPermission.objects.filter(
        Exists(unit_of_group) & (Q(Exists(delivered)) | Q(Exists(issued))) & ~Q(Exists(confirmed))
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0006_open_due_index_includes_refused_recall"),
        ("documents", "0009_access_changes"),
        ("organizations", "0002_distribution_lists"),
    ]

    operations = [migrations.RunPython(drop_issue_time_grants, migrations.RunPython.noop)]
