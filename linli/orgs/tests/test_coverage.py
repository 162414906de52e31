from linli.orgs.queries import Coverage, coverage_by_host, coverage_by_level
from linli.places.actions import do_create_area

from .conftest import make_org


def codes(areas):
    return [area.code for area in areas]


# -- by area level -------------------------------------------------------------


def test_partial_coverage_of_communities(tree, federations):
    coverage = coverage_by_level(tree.district, "womens_federation", "community")
    assert (coverage.total, coverage.covered, coverage.rate) == (2, 1, 0.5)
    assert codes(coverage.uncovered) == [tree.community_b.code]


def test_full_coverage_of_communities(tree, federations):
    make_org("文安社区妇联", "womens_federation", tree.community_b)
    coverage = coverage_by_level(tree.district, "womens_federation", "community")
    assert coverage == Coverage(total=2, covered=2, uncovered=[])
    assert coverage.rate == 1.0


def test_streets_and_the_area_itself(tree, federations):
    assert coverage_by_level(tree.district, "womens_federation", "street").covered == 1
    # The area's own level: the district itself is the one body.
    assert coverage_by_level(tree.district, "womens_federation", "district") == Coverage(1, 1, [])
    # Looking from street B, nothing of its own.
    coverage = coverage_by_level(tree.street_b, "womens_federation", "community")
    assert (coverage.total, coverage.covered) == (1, 0)


def test_an_organization_above_the_body_does_not_cover_it(tree):
    make_org("厦门市城市管理行政执法局", "department", tree.city)
    assert coverage_by_level(tree.district, "department", "community").covered == 0


def test_within_counts_organizations_serving_smaller_areas(tree):
    make_org("网格志愿队", "volunteer_team", tree.grid_a1)
    assert coverage_by_level(tree.district, "volunteer_team", "community").covered == 0
    coverage = coverage_by_level(tree.district, "volunteer_team", "community", within=True)
    assert (coverage.covered, codes(coverage.uncovered)) == (1, [tree.community_b.code])


def test_no_bodies_has_no_rate(tree):
    coverage = coverage_by_level(tree.grid_a1, "civ_center", "community")
    assert (coverage.total, coverage.rate) == (0, None)


def test_level_form_runs_two_queries_whatever_the_size(tree, federations, django_assert_num_queries):
    with django_assert_num_queries(2):
        coverage_by_level(tree.district, "womens_federation", "community")
    for n in range(3, 13):
        community = do_create_area(parent=tree.street_a, name=f"社区{n}", level="community", code=f"350203001{n:03d}")
        if n % 2:
            make_org(f"社区{n}妇联", "womens_federation", community, parent=federations["street_a"])
    with django_assert_num_queries(2):
        coverage = coverage_by_level(tree.district, "womens_federation", "community", within=True)
    assert (coverage.total, coverage.covered) == (12, 6)


# -- by host kind ----------------------------------------------------------------


def social_orgs(tree, federations):
    social_fed = make_org("思明区社会组织妇联", "womens_federation", tree.district, parent=federations["district"])
    under = [
        make_org(f"女性社会组织{n}", "social_org", area, parent=social_fed, new_sectors=["new_social_org"])
        for n, area in enumerate([tree.street_a, tree.community_a, tree.street_b])
    ]
    loose = make_org("邻里互助会", "social_org", tree.street_a, new_sectors=["new_social_org"])
    untagged = make_org("老年协会", "social_org", tree.street_a)
    return under, loose, untagged


def test_hosts_under_a_federation_are_covered(tree, federations):
    under, loose, untagged = social_orgs(tree, federations)
    coverage = coverage_by_host(tree.district, "social_org", "womens_federation", new_sector="new_social_org")
    assert (coverage.total, coverage.covered) == (4, 3)
    assert coverage.uncovered == [loose]
    # Without the tag filter the untagged one counts too.
    coverage = coverage_by_host(tree.district, "social_org", "womens_federation")
    assert (coverage.total, coverage.covered) == (5, 3)
    assert set(coverage.uncovered) == {loose, untagged}


def test_full_coverage_and_ancestors_outside_the_area(tree, federations):
    under, loose, untagged = social_orgs(tree, federations)
    # From street B: its one organization's federation serves the district, outside street B.
    coverage = coverage_by_host(tree.street_b, "social_org", "womens_federation", new_sector="new_social_org")
    assert coverage == Coverage(total=1, covered=1, uncovered=[])


def test_enterprises_with_their_own_federation(tree):
    with_own = make_org("四三九九网络股份有限公司", "enterprise", tree.street_a, new_sectors=["new_economic_org"])
    make_org("四三九九网络股份有限公司妇联", "womens_federation", tree.street_a, parent=with_own)
    without = make_org("某科技有限公司", "enterprise", tree.street_a, new_sectors=["new_economic_org"])
    # A federation two levels down (under a subsidiary) is the subsidiary's, not the parent's.
    holding = make_org("某集团", "enterprise", tree.street_b)
    subsidiary = make_org("某集团子公司", "enterprise", tree.street_b, parent=holding)
    make_org("某集团子公司妇联", "womens_federation", tree.street_b, parent=subsidiary)

    coverage = coverage_by_host(tree.city, "enterprise", "womens_federation")
    assert (coverage.total, coverage.covered) == (4, 2)
    assert set(coverage.uncovered) == {without, holding}
    assert coverage_by_host(tree.city, "enterprise", "womens_federation", new_sector="new_economic_org").rate == 0.5


def test_no_hosts(tree):
    assert coverage_by_host(tree.city, "business_district", "womens_federation") == Coverage(0, 0, [])


def test_host_form_runs_two_queries_whatever_the_size(tree, federations, django_assert_num_queries):
    social_orgs(tree, federations)
    with django_assert_num_queries(2):
        first = coverage_by_host(tree.district, "social_org", "womens_federation", new_sector="new_social_org")
    for n in range(20):
        host = make_org(f"社会组织{n}", "social_org", tree.street_a, new_sectors=["new_social_org"])
        if n % 4 == 0:
            make_org(f"社会组织{n}妇联", "womens_federation", tree.street_a, parent=host)
    with django_assert_num_queries(2):
        coverage = coverage_by_host(tree.district, "social_org", "womens_federation", new_sector="new_social_org")
    assert (coverage.total, coverage.covered) == (first.total + 20, first.covered + 5)
