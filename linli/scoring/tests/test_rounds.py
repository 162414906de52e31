"""A scoring round end to end on the database: conflict of interest, locked sheets, recorded
corrections, finalising into tiers, publishing; organizers and judges against each other's data."""

from decimal import Decimal as D

import pytest
from django.http import Http404

from linli.core.models import OutboxMessage
from linli.core.testing import make_person
from linli.orgs.actions import do_add_membership, do_create_organization
from linli.scoring import actions, queries
from linli.scoring.actions import ScoringError
from linli.scoring.models import Result, ScoringEvent, Sheet


@pytest.fixture
def template(db):
    return actions.check_create_template(
        "展演评分", [
            {"name": "展演内容", "method": "points", "weight": 40, "max_points": 10},
            {"name": "展演技巧", "method": "points", "weight": 30, "max_points": 10},
            {"name": "形体台风", "method": "grade", "weight": 30},
        ],
        aggregation="mean", tie_rule="criteria", tier_kind="rank",
        tiers=[{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1}],
    )


@pytest.fixture
def show(tree, personas, template):
    """A round of three presenters from two communities, before one panel of three judges; judge
    `own` belongs to community A's federation and must never see its presenter."""
    community_a = do_create_organization(parent=personas.federation, name="坑内社区妇联", kind="womens_federation",
                                         area=tree.community_a)
    community_b = do_create_organization(parent=None, name="文安社区妇联", kind="womens_federation",
                                         area=tree.community_b)
    judges = [make_person(f"1391111000{n}", f"评委{n}") for n in range(3)]
    do_add_membership(judges[2], community_a, "member")
    scoring_round = actions.check_create_round(personas.org_admin, template, personas.federation, "结业展演",
                                               "academy.showcase:1")
    panel = actions.check_add_panel(personas.org_admin, scoring_round, "评审组",
                                    [(judge, None) for judge in judges])
    subjects = [
        actions.check_add_subject(personas.org_admin, scoring_round, f"presenter:{n}", title, organization, panel,
                                  order=n)
        for n, (title, organization) in enumerate([("甲", community_a), ("乙", community_b), ("丙", community_b)])
    ]
    actions.check_open(personas.org_admin, scoring_round)
    return scoring_round, judges, subjects


def score(judge, subject, content, skill, grade):
    criteria = list(subject.round.template.criteria.all())
    actions.check_mark(judge, subject, {criteria[0].pk: content, criteria[1].pk: skill, criteria[2].pk: grade})
    return actions.check_submit(judge, subject)


def test_a_judge_never_sees_a_subject_of_their_own_organization(show):
    scoring_round, (first, _second, own), (a, b, c) = show
    assert set(queries.judge_subjects(first)) == {a, b, c}
    assert set(queries.judge_subjects(own)) == {b, c}
    with pytest.raises(Http404):
        actions.check_mark(own, a, {})
    with pytest.raises(Http404):
        actions.check_submit(own, a)
    assert queries.expected_judges(a) == {first.pk, _second.pk}


def test_a_person_off_the_panel_and_an_outsider_organizer_get_404(show, personas):
    scoring_round, judges, (a, _b, _c) = show
    with pytest.raises(Http404):
        actions.check_mark(personas.outsider, a, {})
    with pytest.raises(Http404):
        actions.check_finalise(personas.other_street_dispatcher, scoring_round)
    with pytest.raises(Http404):
        actions.check_correct(personas.resident, Sheet(subject=a, judge=judges[0]), a.round.template.criteria.first(),
                              5, "x")


def test_a_sheet_is_locked_when_submitted_and_changed_only_by_a_recorded_correction(show, personas):
    scoring_round, (first, _second, _own), (a, _b, _c) = show
    criteria = list(scoring_round.template.criteria.all())
    with pytest.raises(ScoringError) as incomplete:
        actions.check_submit(first, a)
    assert incomplete.value.code == "incomplete"
    with pytest.raises(ScoringError) as out_of_range:
        actions.check_mark(first, a, {criteria[0].pk: "11"})
    assert out_of_range.value.code == "out_of_range"
    sheet = score(first, a, 8, 7, "B")
    assert sheet.total == D("32") + D("21") + D("19.8")  # 40×0.8 + 30×0.7 + 30×66 %
    with pytest.raises(ScoringError) as locked:
        actions.check_mark(first, a, {criteria[0].pk: 10})
    assert locked.value.code == "submitted"
    assert actions.check_submit(first, a).total == sheet.total  # a second submit (a double tap) changes nothing

    corrected = actions.check_correct(personas.org_admin, sheet, criteria[0], 9, "评委口误，更正为9分")
    assert corrected.total == sheet.total + 4
    event = ScoringEvent.objects.get(round=scoring_round, action="correct")
    assert (event.actor, event.note) == (personas.org_admin, "评委口误，更正为9分")
    assert (event.data["from"], event.data["to"], event.data["judge"]) == ("8", "9", first.pk)


def test_finalise_waits_for_every_expected_sheet_then_ranks_into_tiers_and_publishes(show, personas):
    scoring_round, (first, second, own), (a, b, c) = show
    score(first, a, 9, 9, "A")
    score(second, a, 8, 9, "A")
    score(first, b, 7, 7, "B")
    with pytest.raises(ScoringError) as missing:
        actions.check_finalise(personas.org_admin, scoring_round)
    assert missing.value.code == "sheets_missing" and "5" in missing.value.message  # b×2, c×3 (own is excused from a)
    score(second, b, 7, 8, "B")
    score(own, b, 6, 6, "C")
    for judge in (first, second, own):
        score(judge, c, 5, 5, "C")
    actions.check_finalise(personas.org_admin, scoring_round)
    results = {r.subject: r for r in Result.objects.filter(round=scoring_round)}
    assert [results[s].rank for s in (a, b, c)] == [1, 2, 3]
    assert [results[s].tier for s in (a, b, c)] == ["一等奖", "二等奖", ""]
    assert results[a].sheets == 2 and results[b].sheets == 3
    assert results[a].final == results[a].raw_mean == D("91.0000")  # (36+27+30 + 32+27+30) / 2
    with pytest.raises(ScoringError):
        actions.check_mark(first, a, {})  # finalised: no more marking
    actions.check_publish(personas.org_admin, scoring_round)
    scoring_round.refresh_from_db()
    assert scoring_round.status == "published" and scoring_round.published_at is not None
    actions_on_timeline = list(ScoringEvent.objects.filter(round=scoring_round).values_list("action", flat=True))
    assert actions_on_timeline[0] == "open" and actions_on_timeline[-2:] == ["finalise", "publish"]
    assert actions_on_timeline.count("submit") == 8
    assert OutboxMessage.objects.filter(topic="scoring.publish", payload__owner="academy.showcase:1").exists()
