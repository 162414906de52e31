"""Fixtures for volunteering, on linli.core.testing's tree and personas.

    team            巾帼志愿服务队, a volunteer team serving street A
    leader          its team leader (Role.VOLUNTEER_TEAM_LEADER on the team)
    volunteer       a registered volunteer (its user: volunteer.user)
    make_volunteer  make_volunteer(phone, name, **fields) -> Volunteer, through check_register_volunteer
    make_activity   make_activity(capacity=2, branches=(), **fields) -> Activity of the team, through the actions;
                    starts in 2 days for 3 hours, sign-up open now
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.volunteering import actions, idnumbers


def resident_id(sequence: int, birth="19900101", area="350203") -> str:
    first17 = f"{area}{birth}{sequence:03d}"
    return first17 + idnumbers.check_char(first17)


@pytest.fixture
def team(tree):
    return do_create_organization(parent=None, name="巾帼志愿服务队", kind="volunteer_team", area=tree.street_a)


@pytest.fixture
def leader(team):
    return make_person("13900000020", "队长甲", Role.VOLUNTEER_TEAM_LEADER, organization=team)


@pytest.fixture
def make_volunteer(tree):
    counter = {"n": 0}

    def make(phone, name, user=None, **fields):
        counter["n"] += 1
        user = user or make_person(phone, name)
        fields.setdefault("gender", "female")
        fields.setdefault("id_number", resident_id(counter["n"] + 100))
        return actions.check_register_volunteer(user, area=tree.community_a, name=name, **fields)

    return make


@pytest.fixture
def volunteer(make_volunteer):
    return make_volunteer("13900000021", "志愿者甲", id_number="350203199001011234"[:17] + idnumbers.check_char("35020319900101123"))


@pytest.fixture
def make_activity(tree, team, leader):
    def make(capacity=2, branches=(), **fields):
        now = timezone.now()
        fields.setdefault("starts_at", now + timedelta(days=2))
        fields.setdefault("ends_at", fields["starts_at"] + timedelta(hours=3))
        fields.setdefault("signup_opens_at", now - timedelta(minutes=1))
        fields.setdefault("title", "学雷锋志愿服务日")
        fields.setdefault("service_area", "elderly")
        fields.setdefault("area", tree.community_a)
        fields.setdefault("place", "坑内社区党群服务中心")
        return actions.check_create_activity(leader, team, capacity=capacity, branches=list(branches), **fields)

    return make
