import pytest
from rest_framework.test import APIClient

from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.core.testing import make_person

from .conftest import make_org

LIST = "/api/v1/organizations/"
COVERAGE = "/api/v1/coverage/"


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def network(tree, federations):
    """Street A: its federation tree and a station; street B: a federation and an enterprise with its own."""
    center = make_org("思明区新时代文明实践中心", "civ_center", tree.district)
    institute = make_org("开元街道新时代文明实践所", "civ_center", tree.street_a, parent=center)
    station = make_org("坑内社区新时代文明实践站", "civ_center", tree.community_a, parent=institute)
    street_b = make_org("中华街道妇联", "womens_federation", tree.street_b, parent=federations["district"])
    company = make_org("中山路某企业", "enterprise", tree.street_b, new_sectors=["new_economic_org"])
    company_fed = make_org("中山路某企业妇联", "womens_federation", tree.street_b, parent=company)
    return {**federations, "center": center, "institute": institute, "station": station,
            "street_b": street_b, "company": company, "company_fed": company_fed}


def names(response):
    return sorted(row["name"] for row in response.json()["results"])


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_personas_in_two_streets_see_their_own(personas, network):
    response = client_for(personas.street_dispatcher).get(LIST)
    assert response.status_code == 200
    street_a = {network[key].pk for key in ("street_a", "community_a", "institute", "station")}
    # personas.department and personas.federation serve street A too.
    assert ids(response) == street_a | {personas.department.pk, personas.federation.pk}
    response = client_for(personas.other_street_dispatcher).get(LIST)
    assert ids(response) == {network[key].pk for key in ("street_b", "company", "company_fed")}


def test_rows_carry_area_parent_and_title(personas, network):
    rows = {row["name"]: row for row in client_for(personas.street_dispatcher).get(LIST).json()["results"]}
    station = rows["坑内社区新时代文明实践站"]
    assert station["area"]["code"] == "350203001001"
    assert station["parent"] == network["institute"].pk
    assert station["title"]
    # The street federation's parent (the district's) is outside the dispatcher's scope: not revealed.
    assert rows["开元街道妇联"]["parent"] is None


def test_out_of_scope_detail_is_404_json(personas, network):
    client = client_for(personas.street_dispatcher)
    assert client.get(f"{LIST}{network['station'].pk}/").json()["name"] == "坑内社区新时代文明实践站"
    for pk in (network["company"].pk, network["city"].pk, 999999, "abc"):
        response = client.get(f"{LIST}{pk}/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "not_found"


def test_residents_and_outsiders_see_nothing(personas, network):
    for user in (personas.resident, personas.outsider):
        assert client_for(user).get(LIST).json()["count"] == 0
    assert client_for(None).get(LIST).status_code in (401, 403)


def test_org_admin_sees_its_federation_subtree(tree, network):
    admin = make_person("13700000008", "市妇联管理员", Role.ORG_ADMIN, organization=network["city"])
    got = names(client_for(admin).get(LIST, {"kind": "womens_federation"}))
    assert got == sorted(["厦门市妇联", "思明区妇联", "开元街道妇联", "坑内社区妇联", "中华街道妇联"])


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "civ_center"}, ["思明区新时代文明实践中心", "开元街道新时代文明实践所", "坑内社区新时代文明实践站"]),
        ({"kind": ["civ_center", "enterprise"], "area": "350203002"}, ["中山路某企业"]),
        ({"area": "350203002001"}, []),
        ({"area": "nope"}, []),
        ({"area_level": "street"}, ["中华街道妇联", "开元街道妇联", "开元街道新时代文明实践所", "中山路某企业", "中山路某企业妇联"]),
        ({"new_sector": "new_economic_org"}, ["中山路某企业"]),
        ({"q": "实践站"}, ["坑内社区新时代文明实践站"]),
    ],
)
def test_filters(admin, network, params, expected):
    # Without personas: only the network's organizations exist.
    assert names(client_for(admin).get(LIST, params)) == sorted(expected)


def test_parent_and_within_filters(admin, network):
    client = client_for(admin)
    assert names(client.get(LIST, {"parent": network["district"].pk})) == sorted(["开元街道妇联", "中华街道妇联"])
    assert len(names(client.get(LIST, {"within": network["district"].pk}))) == 4
    assert names(client.get(LIST, {"parent": 999999})) == []


def test_invalid_filter_is_400_json(admin, network):
    response = client_for(admin).get(LIST, {"kind": "club"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_list_queries_do_not_grow(tree, personas, network, django_assert_num_queries):
    def fresh_client():
        # A fresh user object each time: scopes are cached on it for one request's life.
        return client_for(User.objects.get(pk=personas.street_dispatcher.pk))

    # scope, count, page, parents
    client = fresh_client()
    with django_assert_num_queries(4):
        assert client.get(LIST).status_code == 200
    for n in range(15):
        make_org(f"坑内社区第{n}志愿队", "volunteer_team", tree.community_a, parent=network["station"])
    client = fresh_client()
    with django_assert_num_queries(4):
        assert client.get(LIST).json()["count"] == 4 + 2 + 15
    # + the area code lookup
    client = fresh_client()
    with django_assert_num_queries(5):
        assert client.get(LIST, {"area": "350203001001", "kind": "volunteer_team"}).json()["count"] == 15


# -- coverage ----------------------------------------------------------------------


def test_coverage_by_level(personas, network):
    client = client_for(personas.street_dispatcher)
    body = client.get(COVERAGE, {"area": "350203001", "kind": "civ_center", "level": "community"}).json()
    assert (body["total"], body["covered"], body["rate"], body["uncovered"]) == (1, 1, 1.0, [])
    assert body["area"]["name"] == "开元街道"


def test_coverage_partial_for_the_district(admin, network):
    body = client_for(admin).get(COVERAGE, {"area": "350203", "kind": "womens_federation", "level": "community"}).json()
    assert (body["total"], body["covered"], body["rate"]) == (2, 1, 0.5)
    assert [row["code"] for row in body["uncovered"]] == ["350203002001"]


def test_coverage_by_host(admin, network):
    body = client_for(admin).get(
        COVERAGE, {"area": "3502", "kind": "womens_federation", "host_kind": "enterprise", "new_sector": "new_economic_org"}
    ).json()
    assert (body["total"], body["covered"], body["uncovered"]) == (1, 1, [])


def test_coverage_scope(personas, tree, network):
    params = {"area": "350203002", "kind": "civ_center", "level": "community"}
    response = client_for(personas.street_dispatcher).get(COVERAGE, params)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client_for(personas.other_street_dispatcher).get(COVERAGE, params).status_code == 200
    assert client_for(personas.resident).get(COVERAGE, params).status_code == 404
    # The city federation's admin reads coverage anywhere in the city it serves.
    org_admin = make_person("13700000008", "市妇联管理员", Role.ORG_ADMIN, organization=network["city"])
    assert client_for(org_admin).get(COVERAGE, {**params, "area": "3502"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "civ_center", "level": "community"},
        {"area": "3502", "kind": "civ_center"},
        {"area": "3502", "kind": "civ_center", "level": "community", "host_kind": "social_org"},
        {"area": "3502", "kind": "club", "level": "community"},
        {"area": "350203001", "kind": "civ_center", "level": "district"},
    ],
)
def test_coverage_bad_requests(admin, network, params):
    response = client_for(admin).get(COVERAGE, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_coverage_unknown_area_is_404(admin, network):
    assert client_for(admin).get(COVERAGE, {"area": "9999", "kind": "civ_center", "level": "street"}).status_code == 404
