"""Fixtures for service orders, on linli.core.testing's tree and personas.

    team / leader              巾帼志愿服务队 serving street A, and its leader
    other_team / other_leader  a team serving street B, and its leader
    members                    two registered volunteers, active members of `team`
    make_team                  another team with its leader and one offering in community A
    offering                   the team's 家政 offering in 坑内社区 (community A)
    make_order                 make_order(status="ordered", published=False, resident=None, **fields),
                               through the actions, brought to `status` by the right parties
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.service_orders import actions
from linli.volunteering import actions as volunteering_actions, idnumbers


def resident_id(sequence: int) -> str:
    first17 = f"35020319900101{sequence:03d}"
    return first17 + idnumbers.check_char(first17)


@pytest.fixture
def team(tree):
    return do_create_organization(parent=None, name="巾帼志愿服务队", kind="volunteer_team", area=tree.street_a)


@pytest.fixture
def make_team(tree):
    """make_team(name, area, (phone, leader name), (offering name, kind)) → (team, its leader), the
    team offering that service in community A."""
    def make(name, area, leader, offering):
        team = do_create_organization(parent=None, name=name, kind="volunteer_team", area=area)
        boss = make_person(*leader, Role.VOLUNTEER_TEAM_LEADER, organization=team)
        actions.check_save_offering(boss, team, name=offering[0], kind=offering[1], areas=[tree.community_a])
        return team, boss

    return make


@pytest.fixture
def leader(team):
    return make_person("13900000020", "队长甲", Role.VOLUNTEER_TEAM_LEADER, organization=team)


@pytest.fixture
def other_team(tree):
    return do_create_organization(parent=None, name="文安红马甲", kind="volunteer_team", area=tree.street_b)


@pytest.fixture
def other_leader(other_team):
    return make_person("13900000030", "队长乙", Role.VOLUNTEER_TEAM_LEADER, organization=other_team)


@pytest.fixture
def members(tree, team):
    people = []
    for n, (phone, name) in enumerate([("13900000021", "志愿者甲"), ("13900000022", "志愿者乙")], start=1):
        user = make_person(phone, name)
        volunteering_actions.check_register_volunteer(
            user, area=tree.community_a, name=name, gender="female", id_number=resident_id(n)
        )
        volunteering_actions.check_join_team(user, team)
        people.append(user)
    return people


@pytest.fixture
def offering(tree, team, leader):
    return actions.check_save_offering(leader, team, name="上门家政", kind="housekeeping", areas=[tree.community_a],
                                       description="擦窗、收纳")


@pytest.fixture
def make_order(tree, personas, team, leader, members, offering):
    def make(status="ordered", published=False, resident=None, **fields):
        now = timezone.now()
        fields.setdefault("area", tree.community_a)
        fields.setdefault("offering", offering)
        fields.setdefault("address", "坑内路 12 号 301")
        # Booked from an hour ago for four hours: the team may mark it done and record up to 4 h.
        fields.setdefault("starts_at", now - timedelta(hours=1))
        if "ends_at" not in fields:
            fields["ends_at"] = fields["starts_at"] + timedelta(hours=4)
        order = actions.check_order(resident or personas.resident, **fields)
        if published:
            actions.perform(personas.community_staff, order, "publish")
        if status == "ordered":
            return order
        if status == "cancelled":
            return actions.perform(order.resident, order, "cancel")
        actions.perform(personas.community_staff, order, "dispatch", team=team)
        if status == "dispatched":
            return order
        actions.perform(leader, order, "accept")
        if status == "accepted":
            return order
        actions.perform(leader, order, "assign", volunteers=[m.pk for m in members])
        actions.perform(leader, order, "complete", note="打扫完毕")
        return order

    return make
