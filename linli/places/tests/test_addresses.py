from linli.places.addresses import AddressMatcher, match_area


def test_community_named_in_full_or_short(tree):
    assert match_area("思明区开元街道坑内社区仙岳路12号") == tree.community_a
    assert match_area("坑内仙岳路12号3楼") == tree.community_a


def test_grid_is_looked_up_only_inside_the_matched_community(tree):
    # both communities have a "第一网格": the community decides which one
    assert match_area("文安社区第一网格 5号楼") == tree.grid_b1
    assert match_area("坑内社区第二网格") == tree.grid_a2
    assert match_area("第一网格 5号楼") is None  # two grids of that name, no community: ambiguous


def test_street_when_no_community_is_named(tree):
    assert match_area("中华街道某路口") == tree.street_b


def test_nothing_or_scope(tree):
    assert match_area("") is None
    assert match_area("火星基地") is None
    matcher = AddressMatcher(within=tree.street_b)
    assert matcher.match("坑内社区仙岳路") is None  # outside the scope
    assert matcher.match_id("文安社区") == tree.community_b.pk
