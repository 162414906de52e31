"""Following a case is a subscription to its news, never access: a follower with no role, and an
organization admin following a case outside their scope, get the public view on every level (API
detail, the case page, the photos), never the staff's notes or anyone's name."""

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.cases.actions import check_follow, perform
from linli.cases.choices import CaseStatus
from linli.cases.tests.api_support import client_for
from linli.core.testing import make_person

pytestmark = pytest.mark.django_db

INTERNAL = "变压器属供电公司资产，不属本局职责，请改派国网厦门供电公司。"


@pytest.fixture
def returned(case_at, personas):
    """A case the unit returned with an internal note, then dispatched again: open, public."""
    case = case_at(CaseStatus.DISPATCHED)
    perform(personas.department_handler, case, "return", reason=INTERNAL)
    perform(personas.street_dispatcher, case, "dispatch", unit=personas.department)
    return case


@pytest.mark.parametrize("who", ["neighbour", "org_admin_elsewhere"])
def test_a_follower_sees_the_public_view_only(client, tree, personas, returned, who):
    if who == "neighbour":
        follower = make_person("13900000077", "邻居乙", Role.RESIDENT, tree.community_a)
    else:
        from linli.orgs.actions import do_create_organization

        federation_b = do_create_organization(parent=None, name="中华街道妇联", kind="womens_federation",
                                              area=tree.street_b)
        follower = make_person("13900000078", "妇联管理员乙", Role.ORG_ADMIN, organization=federation_b)
    check_follow(follower, returned)

    body = client_for(follower).get(f"/api/cases/{returned.number}/").json()
    assert body["view"] == "public"
    assert INTERNAL not in str(body) and personas.department_handler.name not in str(body)
    assert all(event.get("note") in (None, "") for event in body["timeline"])

    client.force_login(follower)
    page = client.get(reverse("cases:detail", args=[returned.number])).content.decode()
    assert INTERNAL not in page and personas.department_handler.name not in page
    assert personas.resident.name not in page  # nor who reported it
    assert 'data-testid="actions"' not in page
    mine = client.get(reverse("cases:mine")).content.decode()
    assert returned.number in mine  # the news stays in their list

    # The staff still see it all; the reporter sees their own case in full.
    assert client_for(personas.street_dispatcher).get(f"/api/cases/{returned.number}/").json()["view"] == "full"
    assert client_for(personas.resident).get(f"/api/cases/{returned.number}/").json()["view"] == "full"
