"""The organization network page of an org admin (组织网络): the tree under their organization,
coverage by level and by kind, pairings, people holding several offices, an Excel file of each
list, a constant number of queries however big the tree, and nothing outside their network."""

import io

import pytest
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.orgs.actions import do_add_membership, do_create_pairing

from .conftest import make_org


@pytest.fixture
def network(federations, tree):
    city, street_a = federations["city"], federations["street_a"]
    social = make_org("思明区社会组织妇联", "womens_federation", tree.district, parent=federations["district"])
    for n in range(3):
        make_org(f"思明区巾帼社工服务中心{n}", "social_org", tree.district, parent=social, new_sectors=["new_social_org"])
    # A women's social organization not yet under a federation: not covered.
    outside = make_org("思明区女性创业者协会", "social_org", tree.district, new_sectors=["new_social_org"])
    business = make_org("中山路商圈", "business_district", tree.street_b, parent=street_a,
                        new_sectors=["new_business_form"])
    district_federation = make_org("中山路商圈妇联", "womens_federation", tree.street_b, parent=business)
    station = make_org("坑内社区新时代文明实践站", "civ_center", tree.community_a)
    chair = make_person("13900001401", "洪晓琳")
    do_add_membership(chair, district_federation, "chair")
    do_add_membership(chair, federations["community_a"], "chair")
    do_add_membership(make_person("13900001402", "陈秀珍"), social, "chair")  # one office only
    water = make_org("厦门水务集团有限公司", "department", tree.city)
    do_create_pairing(water, "area_link", area=tree.community_a)
    company = make_org("四三九九网络股份有限公司", "enterprise", tree.district, parent=city,
                       new_sectors=["new_economic_org"])
    do_create_pairing(company, "co_building", station=station)
    admin = make_person("13900001400", "张慧敏", Role.ORG_ADMIN, organization=city)
    return {"admin": admin, "city": city, "outside": outside, "chair": chair, "social": social}


def test_the_admin_sees_tree_coverage_pairings_and_cross_offices(client, network, tree, federations):
    client.force_login(network["admin"])
    page = client.get("/orgs/network/")
    assert page.status_code == 200
    html = page.content.decode()
    coverage = {str(row.label): (row.covered, row.total) for row in page.context["coverage"]}
    assert coverage["区/县妇联覆盖"] == (1, 1)
    assert coverage["镇/街道妇联覆盖"] == (2, 2)  # 中华街道's is the business district's federation
    assert coverage["村/社区妇联覆盖"] == (1, 2)
    # Coverage counts every body in the area: the one outside any federation is named as not covered,
    # while the tree holds only the city federation's own.
    assert coverage["妇女社会组织建有妇联"] == (3, 4)
    tree_names = [node.organization.name for node in page.context["roots"]]
    assert tree_names == ["厦门市妇联"] and html.count("思明区女性创业者协会") == 1
    offices = page.context["cross_offices"]
    assert [(person.name, sorted(m.organization.name for m in ms)) for person, ms in offices] == [
        ("洪晓琳", ["中山路商圈妇联", "坑内社区妇联"])]
    assert [p.unit.name for p in page.context["pairings"]] == ["四三九九网络股份有限公司"]  # the water company is not ours
    for name in ("厦门市妇联", "开元街道妇联", "中山路商圈妇联", "思明区巾帼社工服务中心2"):
        assert name in html


def test_each_list_downloads_as_excel(client, network):
    client.force_login(network["admin"])
    expected = {"organizations": "中山路商圈妇联", "coverage": "思明区女性创业者协会", "pairings": "四三九九网络股份有限公司",
                "offices": "洪晓琳"}
    for which, text in expected.items():
        response = client.get(f"/orgs/network/{which}.xlsx")
        assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
        assert "filename*=utf-8''" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert text in "".join(cells), which
    assert client.get("/orgs/network/secrets.xlsx").status_code == 404


def test_nobody_outside_an_organization_network_gets_it(client, network, personas):
    for person in (personas.resident, personas.outsider):
        client.force_login(person)
        assert client.get("/orgs/network/").status_code == 404
        assert client.get("/orgs/network/coverage.xlsx").status_code == 404
    # The women's federation admin of another network sees theirs, not the city's.
    client.force_login(personas.org_admin)
    html = client.get("/orgs/network/").content.decode()
    assert "厦门市妇联" not in html and "洪晓琳" not in html


def test_the_page_costs_the_same_queries_however_big_the_tree(client, network, tree, django_assert_num_queries):
    client.force_login(network["admin"])
    client.get("/orgs/network/")  # warm the session and the scope
    with django_assert_num_queries(0) as first:
        pass
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/orgs/network/")
    for n in range(15):
        make_org(f"思明区巾帼服务社{n}", "social_org", tree.district, parent=network["social"],
                 new_sectors=["new_social_org"])
        do_add_membership(make_person(f"139000015{n:02d}", f"执委{n}"), network["social"], "executive")
    with CaptureQueriesContext(connection) as big:
        client.get("/orgs/network/")
    assert len(big.captured_queries) == len(small.captured_queries) and first is not None
