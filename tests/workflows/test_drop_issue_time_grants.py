"""The data migration that removes the unit-wide grants issuing used to write keeps the confirmed ones."""

import importlib

import pytest
from django.apps import apps
from guardian.shortcuts import assign_perm

from documents.actions.access import do_confirm_access_change, do_request_access_grant
from documents.models import DocumentGroupObjectPermission
from organizations.groups import unit_group
from organizations.models import Role
from tests.organizations.factories import make_membership, make_user
from tests.workflows.factories import make_agency, make_arrived, make_office

pytestmark = pytest.mark.django_db

migration = importlib.import_module("workflows.migrations.0007_drop_issue_time_grants")


def test_issue_time_grants_go_and_confirmed_grants_stay():
    agency = make_agency()
    office, archive = make_office(agency=agency, officers=0), make_office(agency=agency, officers=0)
    (delivery,) = make_arrived(agency, office.unit)
    document = delivery.document
    # What issuing wrote before: the recipient's and the issuer's unit groups.
    assign_perm("documents.view_document", unit_group(office.unit), document)
    assign_perm("documents.view_document", unit_group(agency.department), document)
    # A right confirmed through the access process, to a unit that did not receive the document.
    archivist = make_user()
    make_membership(user=archivist, unit=agency.department, role=Role.ARCHIVIST)
    change = do_request_access_grant(document, acting_user=agency.clerk, grantee_unit=archive.unit, reason="Lưu trữ")
    do_confirm_access_change(change, acting_user=agency.leader)

    migration.drop_issue_time_grants(apps, None)

    left = DocumentGroupObjectPermission.objects.filter(content_object=document)
    assert list(left.values_list("group_id", flat=True)) == [unit_group(archive.unit).pk]
