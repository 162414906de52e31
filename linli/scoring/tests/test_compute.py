"""The scoring arithmetic on known numbers (no database)."""

from decimal import Decimal as D

from linli.scoring import compute
from linli.scoring.choices import Method, TieRule


def test_a_grade_item_earns_its_share_of_the_weight():
    assert compute.sheet_total([(D(10), compute.share(Method.GRADE, grade="B"))]) == D("6.6000")  # 66 %
    assert compute.sheet_total([(D(10), compute.share(Method.GRADE, grade="A"))]) == D("10.0000")
    assert compute.sheet_total([(D(10), compute.share(Method.GRADE, grade="C"))]) == D("3.3000")
    assert compute.sheet_total([(D(10), compute.share(Method.GRADE, grade="C#"))]) == D("0.0000")


def test_points_and_checkboxes_add_up_by_weight():
    items = [
        (D(40), compute.share(Method.POINTS, points=D(8), max_points=D(10))),  # 32
        (D(30), compute.share(Method.POINTS, points=D("7.5"), max_points=D(10))),  # 22.5
        (D(20), compute.share(Method.CHECKBOX, checked=True)),  # 20
        (D(10), compute.share(Method.CHECKBOX, checked=False)),  # 0
    ]
    assert compute.sheet_total(items) == D("74.5000")


def test_mean_and_trimmed_mean():
    assert compute.mean([D(80), D(90), D(70)]) == D("80.0000")
    assert compute.trimmed_mean([D(60), D(80), D(90), D(100)]) == D("85.0000")  # without 60 and 100
    assert compute.trimmed_mean([D(60), D(100)]) == D("80.0000")  # two sheets: nothing to drop
    assert compute.mean([]) == D(0)


def test_per_judge_normalisation_on_known_numbers():
    # J1 gives 90 and 70, J2 gives 60 and 50: each judge ranks P one spread above their own mean.
    sheets = [("J1", "P", D(90)), ("J1", "Q", D(70)), ("J2", "P", D(60)), ("J2", "Q", D(50))]
    # grand mean 67.5, grand spread √218.75 = 14.7902; P is +1 spread, Q −1.
    assert compute.normalised(sheets) == {"P": D("82.2902"), "Q": D("52.7098")}


def test_one_harsh_judge_cannot_sink_an_entry():
    sheets = [
        ("J1", "A", D(85)), ("J1", "B", D(80)), ("J1", "C", D(75)),
        ("J2", "A", D(86)), ("J2", "B", D(81)), ("J2", "C", D(76)),
        ("H", "A", D(40)), ("H", "B", D(79)), ("H", "C", D(74)),  # H sinks A alone
    ]
    raw = {s: compute.mean([t for _j, subject, t in sheets if subject == s]) for s in "ABC"}
    assert raw["A"] < raw["C"] < raw["B"]  # on the raw mean A comes last
    normal = compute.normalised(sheets)
    assert normal["A"] > normal["B"] > normal["C"]  # two judges of three put A first, and so it is


def test_a_judge_who_gives_everyone_the_same_counts_as_average():
    sheets = [("J1", "P", D(80)), ("J1", "Q", D(80)), ("J2", "P", D(90)), ("J2", "Q", D(70))]
    normal = compute.normalised(sheets)
    assert normal["P"] > normal["Q"]


def _standings(finals, by_criterion=None):
    return [compute.Standing(key=n, final=D(final), by_criterion=(by_criterion or {}).get(n, []), order=n)
            for n, final in enumerate(finals)]


AWARDS = [("一等奖", 1), ("二等奖", 2), ("三等奖", 3), ("优秀奖", 6)]


def test_rank_tiers_give_exactly_1_2_3_6_of_12_with_ties_broken_by_the_criteria():
    # Ties at the boundaries: 2nd/3rd place pair ends tier 2 at 88, 6th/7th at 80 ends tier 3.
    finals = [95, 88, 88, 88, 82, 80, 80, 75, 70, 65, 60, 55]
    by_criterion = {1: [D(40), D(30)], 2: [D(40), D(28)], 3: [D(39), D(35)],  # the three at 88
                    5: [D(30), D(30)], 6: [D(30), D(30)]}  # identical: presentation order decides
    ranked = compute.rank(_standings(finals, by_criterion), TieRule.CRITERIA)
    assert [place for _s, place in ranked] == list(range(1, 13))
    assert [s.key for s, _place in ranked][:4] == [0, 1, 2, 3]  # 1 beats 2 on the second criterion, 3 loses on the first
    tiers = compute.tiers_by_rank(ranked, AWARDS)
    counts = {name: list(tiers.values()).count(name) for name, _count in AWARDS}
    assert counts == {"一等奖": 1, "二等奖": 2, "三等奖": 3, "优秀奖": 6}
    assert tiers[3] == "三等奖" and tiers[5] == "三等奖" and tiers[6] == "优秀奖"


def test_shared_ranks_give_a_tie_at_a_boundary_the_better_tier():
    ranked = compute.rank(_standings([95, 88, 88, 88, 70]), TieRule.SHARED)
    assert [place for _s, place in ranked] == [1, 2, 2, 2, 5]
    tiers = compute.tiers_by_rank(ranked, AWARDS)
    assert [tiers[n] for n in range(5)] == ["一等奖", "二等奖", "二等奖", "二等奖", "三等奖"]


def test_tiers_by_score_range():
    stars = [("★★★★★", D(90)), ("★★★★", D(80)), ("★★★", D(70))]
    assert compute.tier_by_score(D("90.0"), stars) == "★★★★★"
    assert compute.tier_by_score(D("89.99"), stars) == "★★★★"
    assert compute.tier_by_score(D(69), stars) == ""
