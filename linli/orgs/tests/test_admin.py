"""The admin writes through the actions: validation shows on the form, nothing is half-saved."""

import pytest

from linli.orgs.actions import do_add_membership
from linli.orgs.models import Membership, Organization, Pairing

from .conftest import make_org


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_pages_render(admin_client, federations):
    for url in ("/admin/orgs/organization/", "/admin/orgs/organization/add/",
                f"/admin/orgs/organization/{federations['street_a'].pk}/change/",
                "/admin/orgs/membership/", "/admin/orgs/membership/add/",
                "/admin/orgs/pairing/", "/admin/orgs/pairing/add/"):
        assert admin_client.get(url).status_code == 200, url


def test_add_organization_under_a_parent(admin_client, tree, federations):
    response = admin_client.post("/admin/orgs/organization/add/", {
        "parent": federations["community_a"].pk, "name": "坑内社区妇女之家", "kind": "women_home",
        "area": tree.community_a.pk, "new_sectors": [], "founded_on": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    home = Organization.objects.get(name="坑内社区妇女之家")
    assert home.path.startswith(federations["community_a"].path)


def test_invalid_organization_shows_errors(admin_client, tree, federations):
    response = admin_client.post("/admin/orgs/organization/add/", {
        "parent": federations["street_a"].pk, "name": "文安社区妇联", "kind": "womens_federation",
        "area": tree.community_b.pk,
    })
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Organization.objects.filter(name="文安社区妇联").exists()


def test_change_moves_and_renames(admin_client, tree, federations):
    host = make_org("中山路商圈", "business_district", tree.district)
    org = federations["community_a"]
    response = admin_client.post(f"/admin/orgs/organization/{org.pk}/change/", {
        "parent": host.pk, "name": "坑内社区妇女联合会", "kind": "womens_federation", "area": tree.community_a.pk,
    })
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "坑内社区妇女联合会" and org.path.startswith(host.path)


def test_drag_and_drop_goes_through_the_action(admin_client, tree, federations):
    other = make_org("中华街道妇联", "womens_federation", tree.street_b, parent=federations["district"])
    url = "/admin/orgs/organization/move/"
    bad = admin_client.post(url, {"node": federations["community_a"].pk, "target": other.pk, "relation": "child"})
    assert bad.status_code == 400
    ok = admin_client.post(url, {"node": other.pk, "target": federations["city"].pk, "relation": "child"})
    assert ok.status_code == 200
    other.refresh_from_db()
    assert other.depth == 2


def test_membership_and_pairing(admin_client, admin, tree, federations):
    response = admin_client.post("/admin/orgs/membership/add/", {
        "user": admin.pk, "organization": federations["city"].pk, "role": "executive",
    })
    assert response.status_code == 302
    assert Membership.objects.filter(user=admin, role="executive").count() == 1
    duplicate = admin_client.post("/admin/orgs/membership/add/", {
        "user": admin.pk, "organization": federations["city"].pk, "role": "executive",
    })
    assert duplicate.status_code == 200

    unit = make_org("厦门水务集团有限公司", "department", tree.city)
    response = admin_client.post("/admin/orgs/pairing/add/", {
        "unit": unit.pk, "kind": "area_link", "area": tree.community_a.pk,
    })
    assert response.status_code == 302
    both = admin_client.post("/admin/orgs/pairing/add/", {
        "unit": unit.pk, "kind": "co_building", "area": tree.community_b.pk, "station": federations["city"].pk,
    })
    assert both.status_code == 200
    assert Pairing.objects.count() == 1


def test_change_parent_and_area_together(admin_client, tree, federations):
    other = make_org("中华街道妇联", "womens_federation", tree.street_b, parent=federations["district"])
    org = federations["community_a"]
    # 坑内 → 文安 and street A → street B at once: neither step alone would fit.
    response = admin_client.post(f"/admin/orgs/organization/{org.pk}/change/", {
        "parent": other.pk, "name": "文安社区妇联", "kind": "womens_federation", "area": tree.community_b.pk,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    org.refresh_from_db()
    assert org.area == tree.community_b and org.path.startswith(other.path)


def test_change_membership_role(admin_client, admin, federations):
    membership = do_add_membership(admin, federations["city"], "member")
    response = admin_client.post(f"/admin/orgs/membership/{membership.pk}/change/", {"role": "vice_chair"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "vice_chair"
