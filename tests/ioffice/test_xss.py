"""Every text a person typed reaches pages escaped: markup in a summary, a unit name, a reason, a name.

Each field carries its own payload (a ``<script>`` or an attribute break-out with an ``onerror``
handler, tagged with the field's name), so the test can tell which field leaked. Every page that
shows them is fetched by the people who see it; none may contain a payload as markup, and each
payload must appear escaped on at least one page (proof that the field was shown at all).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from documents.actions.drafts import do_create_draft
from documents.models import Document
from organizations.models import Role, Unit
from tests.documents.factories import draft_input, make_register
from tests.organizations.factories import make_membership, make_user
from tests.workflows.factories import make_agency, make_office, make_recipient, make_sealed
from workflows.actions.incoming import do_register_delivery, do_reject_delivery
from workflows.actions.issue import do_issue_dispatch
from workflows.actions.routing import AssigneeSpec, do_route
from workflows.models import Assignment, NotificationKind
from workflows.notifications import notify

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "summary": "V/v <script>alert('summary')</script> thử",
    "draft": 'Dự thảo "><img src=x onerror=alert("draft")>',
    "unit": 'Phòng GDĐT "><img src=x onerror=alert("unit")>',
    "reason": "Sai địa chỉ <script>alert('reason')</script>",
    "direction": 'Giao tham mưu "><img src=x onerror=alert("direction")>',
    "note": "Ghi chú <script>alert('note')</script>",
    "name": 'Lan"><img src=x onerror=alert("name")>',
    "notification": "Thông báo <script>alert('notification')</script>",
}
#: The markup that must never reach a page as markup (escaped, "onerror=alert" is harmless text).
RAW = ["<script>", "<img src=x"]


@pytest.fixture
def world():
    """An issued letter (payload summary) to a Phòng (payload name) that registers and routes it (payload
    direction and note), a second recipient that rejects it (payload reason), a draft with a payload
    summary, people with payload names, and a notification with a payload title."""
    agency = make_agency()
    office = make_office(agency=agency, officers=1)
    Unit.objects.filter(pk=office.unit.pk).update(name=PAYLOADS["unit"])
    refusing = make_recipient(agency=agency)
    refusing_clerk = make_user()
    make_membership(user=refusing_clerk, unit=refusing, role=Role.CLERK)
    for user in (agency.drafter, agency.clerk, office.leader, office.officers[0], office.clerk, refusing_clerk):
        user.first_name = PAYLOADS["name"]
        user.save(update_fields=["first_name"])

    dispatch = make_sealed(agency, recipients=[office.unit, refusing], summary=PAYLOADS["summary"])
    register = make_register(unit=agency.department, year=timezone.localdate().year)
    Document.objects.filter(pk=dispatch.document_id).update(register=register)
    do_issue_dispatch(dispatch, acting_user=agency.clerk)
    delivery = dispatch.deliveries.get(recipient=office.unit)
    rejected = dispatch.deliveries.get(recipient=refusing)
    do_reject_delivery(rejected, acting_user=refusing_clerk, reason=PAYLOADS["reason"])
    do_register_delivery(delivery, acting_user=office.clerk)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    do_route(
        delivery,
        acting_user=office.leader,
        lead=AssigneeSpec(user=office.officers[0], deadline=deadline, note=PAYLOADS["note"]),
        direction=PAYLOADS["direction"],
    )
    draft = do_create_draft(
        acting_user=agency.drafter, unit=agency.division, data=draft_input(summary=PAYLOADS["draft"])
    )
    for user in (agency.drafter, office.officers[0]):
        notify([user], kind=NotificationKind.OTHER, title=PAYLOADS["notification"], key=f"xss:{user.pk}")
    return {
        "agency": agency,
        "office": office,
        "refusing_clerk": refusing_clerk,
        "dispatch": dispatch,
        "delivery": delivery,
        "rejected": rejected,
        "draft": draft,
        "assignment": Assignment.objects.get(delivery=delivery),
    }


def _pages(world) -> list[tuple[object, str]]:
    """(who, URL) for every page that shows one of the payloads to someone allowed to see it."""
    agency, office = world["agency"], world["office"]
    document = world["dispatch"].document_id
    year = timezone.localdate().year
    return [
        (agency.drafter, reverse("draft-list")),
        (agency.drafter, reverse("document-detail", args=[world["draft"].pk])),
        (agency.drafter, reverse("draft-edit", args=[world["draft"].pk])),
        (agency.drafter, reverse("document-detail", args=[document])),
        (agency.drafter, reverse("dispatch-tracking", args=[document])),
        (agency.drafter, reverse("issued-list")),
        (agency.drafter, reverse("notification-list")),
        (agency.drafter, reverse("home")),
        (agency.clerk, reverse("queue-clerk")),
        (agency.clerk, reverse("issued-list")),
        (agency.clerk, reverse("dispatch-tracking", args=[document])),
        (agency.clerk, reverse("paper-dispatch-list", args=[document])),
        (agency.clerk, reverse("outgoing-register") + f"?year={year}"),
        (agency.clerk, reverse("home")),
        (office.clerk, reverse("incoming-list")),
        (office.clerk, reverse("incoming-to-register")),
        (office.clerk, reverse("delivery-detail", args=[world["delivery"].pk])),
        (office.clerk, reverse("incoming-register") + f"?year={year}"),
        (office.clerk, reverse("followup-register") + f"?year={year}"),
        (office.clerk, reverse("handling-report")),
        (office.clerk, reverse("home")),
        (world["refusing_clerk"], reverse("delivery-detail", args=[world["rejected"].pk])),
        (world["refusing_clerk"], reverse("incoming-list")),
        (office.leader, reverse("incoming-list")),
        (office.leader, reverse("delivery-detail", args=[world["delivery"].pk])),
        (office.leader, reverse("overdue-list")),
        (office.leader, reverse("home")),
        (office.officers[0], reverse("my-assignments")),
        (office.officers[0], reverse("delivery-detail", args=[world["delivery"].pk])),
        (office.officers[0], reverse("notification-list")),
        (office.officers[0], reverse("home")),
    ]


def test_no_page_shows_typed_markup_as_markup(client, world):
    shown: dict[str, list[str]] = {field: [] for field in PAYLOADS}
    for user, url in _pages(world):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        leaked = [raw for raw in RAW if raw in html]
        assert not leaked, (url, leaked, [html[max(0, html.find(r) - 120) : html.find(r) + 80] for r in leaked])
        for field, payload in PAYLOADS.items():
            if escape(payload) in html:
                shown[field].append(url)
    missing = [field for field, urls in shown.items() if not urls]
    assert not missing, f"never shown, so never checked: {missing}"


def test_htmx_fragments_escape_too(client, world):
    """The rows htmx swaps in are rendered apart from their page: they escape on their own."""
    client.force_login(world["agency"].clerk)
    year = timezone.localdate().year
    rows = client.get(reverse("outgoing-register") + f"?year={year}", HTTP_HX_REQUEST="true")
    html = rows.content.decode()
    assert rows.status_code == 200
    assert escape(PAYLOADS["summary"]) in html
    assert not [raw for raw in RAW if raw in html]


def test_the_api_returns_text_as_data_not_markup(client, world):
    """JSON is not HTML: the API hands back exactly what was typed, with a JSON content type and nosniff."""
    client.force_login(world["office"].clerk)
    response = client.get(f"/api/v1/deliveries/{world['delivery'].pk}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert PAYLOADS["summary"] in response.json()["document"]["summary"]
