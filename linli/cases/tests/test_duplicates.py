"""Duplicate suggestions (same category, open, within 50 m, last 30 days) and following."""

import math

import pytest
from django.http import Http404

from linli.cases.actions import check_follow
from linli.cases.choices import Action, CaseStatus
from linli.cases.errors import CaseError
from linli.cases.models import CaseEvent, CaseFollower
from linli.cases.queries import haversine_meters, suggest_duplicates
from linli.cases.testing import center_of

METERS_PER_DEGREE = math.pi * 6_371_008.8 / 180


def north(lat, lng, meters):
    return lat + meters / METERS_PER_DEGREE, lng


def east(lat, lng, meters):
    return lat, lng + meters / (METERS_PER_DEGREE * math.cos(math.radians(lat)))


@pytest.fixture
def here(tree):
    return center_of(tree.grid_a1)


def test_within_fifty_meters(report, categories, here):
    case = report(category="manhole", lat=here[0], lng=here[1])
    for move in (north, east):
        lat, lng = move(*here, 49)
        assert haversine_meters(*here, lat, lng) == pytest.approx(49, abs=0.01)
        found = suggest_duplicates(categories.manhole, lat, lng)
        assert found == [case] and found[0].distance == pytest.approx(49, abs=0.01)
        assert suggest_duplicates(categories.manhole, *move(*here, 51)) == []


def test_same_category_only(report, categories, here):
    report(category="manhole", lat=here[0], lng=here[1])
    assert suggest_duplicates(categories.public_facilities, *here) == []  # not even the parent class
    assert suggest_duplicates("manhole", *here) != []  # a code works too


def test_open_cases_only(case_at, categories, here):
    case_at(CaseStatus.CLOSED, category="manhole", lat=here[0], lng=here[1])
    case_at(CaseStatus.REJECTED, category="manhole", lat=here[0], lng=here[1])
    assert suggest_duplicates(categories.manhole, *here) == []
    resolved = case_at(CaseStatus.RESOLVED, category="manhole", lat=here[0], lng=here[1])
    assert suggest_duplicates(categories.manhole, *here) == [resolved]


def test_last_thirty_days_only(report, categories, here, clock):
    old = report(category="manhole", lat=here[0], lng=here[1])
    clock.advance(days=29)
    assert suggest_duplicates(categories.manhole, *here) == [old]
    clock.advance(days=2)  # 31 days after the report
    assert suggest_duplicates(categories.manhole, *here) == []


def test_nearest_first(report, categories, here):
    far = report(category="manhole", lat=north(*here, 40)[0], lng=here[1])
    near = report(category="manhole", lat=north(*here, 10)[0], lng=here[1])
    assert suggest_duplicates(categories.manhole, *here) == [near, far]


@pytest.mark.parametrize("lat, lng, category", [(None, 118.1, "manhole"), ("x", "y", "manhole"), (24.47, 118.1, "nope"),
                                                 (24.47, 118.1, None)])
def test_garbage_gives_nothing(report, lat, lng, category):
    report(category="manhole")
    assert suggest_duplicates(category, lat, lng) == []


def test_follow_instead_of_filing(tree, personas, report, here):
    from linli.accounts.choices import Role
    from linli.core.testing import make_person

    neighbour = make_person("13900000061", "邻居", Role.RESIDENT, tree.community_a)
    case = report(category="manhole")
    follower = check_follow(neighbour, case)
    assert check_follow(neighbour, case) == follower  # idempotent
    assert CaseFollower.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action=Action.FOLLOW).count() == 1
    with pytest.raises(CaseError) as excinfo:
        check_follow(personas.resident, case)
    assert excinfo.value.code == "own_case"


def test_no_following_finished_or_hidden_cases(tree, personas, case_at):
    with pytest.raises(CaseError) as excinfo:
        check_follow(personas.grid_worker, case_at(CaseStatus.CLOSED))
    assert excinfo.value.code == "case_finished"
    with pytest.raises(Http404):
        check_follow(personas.grid_worker, case_at(CaseStatus.REJECTED))

