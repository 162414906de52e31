"""Volunteer teams in the API: joining in each mode, leaving, invitations, the leaders' side
(members, invite, decide, remove, join mode), who may do what, query counts and junk input."""

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from linli.accounts.choices import Role
from linli.core.models import Notification
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.orgs.models import Membership, Organization
from linli.volunteering import actions, team_actions
from linli.volunteering.models import Enrolment

from .conftest import resident_id

BASE = "/api/volunteering/teams/"

PATHS = {
    "/api/volunteering/teams/": {"get"},
    "/api/volunteering/teams/{id}/": {"get"},
    "/api/volunteering/teams/{id}/join/": {"post"},
    "/api/volunteering/teams/{id}/leave/": {"post"},
    "/api/volunteering/teams/{id}/accept-invitation/": {"post"},
    "/api/volunteering/teams/{id}/decline-invitation/": {"post"},
    "/api/volunteering/teams/{id}/members/": {"get"},
    "/api/volunteering/teams/{id}/invite/": {"post"},
    "/api/volunteering/teams/{id}/memberships/{membership_id}/decide/": {"post"},
    "/api/volunteering/teams/{id}/memberships/{membership_id}/remove/": {"post"},
    "/api/volunteering/teams/{id}/join-mode/": {"post", "patch"},
}


@pytest.fixture
def api():
    return APIClient()


def as_user(user):
    """A client signed in as a fresh copy of `user`, as a real request loads it (no scopes cached from before)."""
    client = APIClient()
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    return client


@pytest.fixture
def other_team(tree):
    return do_create_organization(parent=None, name="文安志愿服务队", kind="volunteer_team", area=tree.street_b)


@pytest.fixture
def other_leader(other_team):
    return make_person("13900000030", "队长乙", Role.VOLUNTEER_TEAM_LEADER, organization=other_team)


@pytest.fixture
def other_volunteer(tree, other_team):
    """A volunteer of street B who belongs to the other team."""
    user = make_person("13900000031", "志愿者乙")
    actions.check_register_volunteer(user, area=tree.community_b, name="志愿者乙", gender="male",
                                     id_number=resident_id(300))
    actions.check_join_team(user, other_team)
    return user


def url(team, tail=""):
    return f"{BASE}{team.pk}/{tail}"


def membership_url(team, membership, verb):
    return f"{BASE}{team.pk}/memberships/{membership.pk}/{verb}/"


def status_of(team, user):
    return Membership.objects.members().get(organization=team, user=user).status


def test_the_schema_describes_the_team_api(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    validate_schema(schema)
    for route, methods in PATHS.items():
        assert route in schema["paths"], route
        assert set(schema["paths"][route]) >= methods, route
    remove = schema["paths"]["/api/volunteering/teams/{id}/memberships/{membership_id}/remove/"]["post"]
    assert {"200", "400", "401", "404"} <= set(remove["responses"])
    assert {p["name"] for p in remove["parameters"]} >= {"id", "membership_id"}
    assert {p["name"] for p in schema["paths"][BASE]["get"]["parameters"]} >= {"q", "area", "page"}


# -- joining ------------------------------------------------------------------------------------


def test_an_open_team_takes_a_volunteer_at_once(team, volunteer):
    client = as_user(volunteer.user)
    row = client.get(BASE).json()["results"][0]
    assert (row["id"], row["join_mode"], row["my_status"], row["member_count"]) == (team.pk, "open", "", 0)
    response = client.post(url(team, "join/"))
    assert response.status_code == 200 and response.json()["status"] == "active"
    detail = client.get(url(team)).json()
    assert (detail["my_status"], detail["member_count"], detail["can_manage"]) == ("active", 1, False)
    # Joining again changes nothing.
    assert client.post(url(team, "join/")).json()["status"] == "active"


def test_by_application_the_leader_approves_or_declines_through_the_api(team, leader, volunteer, make_volunteer):
    assert as_user(leader).patch(url(team, "join-mode/"), {"join_mode": "approval"}, format="json").json()[
        "join_mode"] == "approval"
    other = make_volunteer("13900000072", "志愿者丙")
    for user in (volunteer.user, other.user):
        assert as_user(user).post(url(team, "join/")).json()["status"] == "applied"
    members = as_user(leader).get(url(team, "members/")).json()["results"]
    assert [m["status"] for m in members] == ["applied", "applied"]
    first, second = Membership.objects.members().filter(organization=team).order_by("pk")
    response = as_user(leader).post(membership_url(team, first, "decide"), {"approve": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert as_user(leader).post(membership_url(team, second, "decide"), {"approve": False},
                                format="json").json()["status"] == "left"
    again = as_user(leader).post(membership_url(team, first, "decide"), {"approve": False}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "not_applied"
    assert status_of(team, volunteer.user) == "active"


def test_by_invitation_only_the_invited_join_and_may_decline(team, leader, volunteer, make_volunteer):
    as_user(leader).post(url(team, "join-mode/"), {"join_mode": "invitation"}, format="json")
    refused = as_user(volunteer.user).post(url(team, "join/"))
    assert refused.status_code == 400 and refused.json()["code"] == "invitation_only"

    unknown = as_user(leader).post(url(team, "invite/"), {"phone": "13999999999"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_phone"
    invited = as_user(leader).post(url(team, "invite/"), {"phone": "+86 139-0000-0021"}, format="json")
    assert invited.status_code == 200
    body = invited.json()
    assert (body["status"], body["phone"], body["volunteer_number"]) == ("invited", "139****0021", volunteer.number)
    assert "id_number" not in body and volunteer.id_number not in invited.content.decode()

    # Someone without an invitation has nothing to accept or decline.
    stranger = make_volunteer("13900000073", "未受邀")
    for verb in ("accept-invitation/", "decline-invitation/"):
        response = as_user(stranger.user).post(url(team, verb))
        assert response.status_code == 400 and response.json()["code"] == "not_invited"
    assert not Membership.objects.members().filter(user=stranger.user).exists()

    assert as_user(volunteer.user).post(url(team, "decline-invitation/")).json()["status"] == "left"
    again = as_user(volunteer.user).post(url(team, "accept-invitation/"))
    assert again.status_code == 400 and again.json()["code"] == "not_invited"

    as_user(leader).post(url(team, "invite/"), {"phone": "13900000021"}, format="json")
    assert as_user(volunteer.user).post(url(team, "accept-invitation/")).json()["status"] == "active"
    declined = as_user(volunteer.user).post(url(team, "decline-invitation/"))
    assert declined.status_code == 400 and declined.json()["code"] == "not_invited"
    assert status_of(team, volunteer.user) == "active"


def test_an_invitation_from_a_team_outside_the_area_shows_and_can_be_declined(other_team, other_leader, volunteer):
    as_user(other_leader).post(url(other_team, "invite/"), {"phone": "13900000021"}, format="json")
    client = as_user(volunteer.user)
    assert client.get(url(other_team)).json()["my_status"] == "invited"
    assert client.post(url(other_team, "decline-invitation/")).json()["status"] == "left"


def test_someone_not_registered_cannot_join(personas, team):
    response = as_user(personas.resident).post(url(team, "join/"))
    # A resident without a volunteer record does not see the team at all (no area to serve).
    assert response.status_code == 404 and not Membership.objects.members().exists()


# -- leaving --------------------------------------------------------------------------------------


def test_a_member_leaves_and_may_join_again(team, volunteer):
    client = as_user(volunteer.user)
    client.post(url(team, "join/"))
    response = client.post(url(team, "leave/"))
    assert response.status_code == 200 and response.json()["status"] == "left"
    membership = Membership.objects.members().get(organization=team, user=volunteer.user)
    assert membership.status == "left" and membership.decided_by == volunteer.user  # kept, not deleted
    assert client.get(url(team)).json()["member_count"] == 0
    twice = client.post(url(team, "leave/"))
    assert twice.status_code == 400 and twice.json()["code"] == "not_a_member"
    assert client.post(url(team, "join/")).json()["status"] == "active"


def test_an_applicant_withdraws_with_leave(team, leader, volunteer):
    actions.check_set_join_mode(leader, team, "approval")
    client = as_user(volunteer.user)
    client.post(url(team, "join/"))
    assert client.post(url(team, "leave/")).json()["status"] == "left"
    assert as_user(leader).get(url(team, "members/")).json()["results"] == []


def test_an_invitee_cannot_leave_but_declines(team, leader, volunteer):
    actions.check_invite(leader, team, volunteer.user)
    response = as_user(volunteer.user).post(url(team, "leave/"))
    assert response.status_code == 400 and response.json()["code"] == "not_a_member"
    assert status_of(team, volunteer.user) == "invited"


def test_the_last_leader_cannot_leave_and_a_leader_who_leaves_stops_leading(team, leader, make_volunteer):
    make_volunteer(None, "队长甲", user=leader)
    actions.check_join_team(leader, team)
    refused = as_user(leader).post(url(team, "leave/"))
    assert refused.status_code == 400 and refused.json()["code"] == "last_leader"
    assert status_of(team, leader) == "active"

    deputy = make_person("13900000029", "副队长", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    response = as_user(leader).post(url(team, "leave/"))
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert not leader.role_assignments.filter(role=Role.VOLUNTEER_TEAM_LEADER, organization=team).exists()
    assert as_user(leader).get(url(team, "members/")).status_code == 404
    assert as_user(deputy).get(url(team, "members/")).status_code == 200


def test_an_inactive_co_leader_does_not_count(team, leader, make_volunteer):
    make_volunteer(None, "队长甲", user=leader)
    actions.check_join_team(leader, team)
    gone = make_person("13900000028", "离任队长", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    response = as_user(leader).post(url(team, "leave/"))
    assert response.status_code == 400 and response.json()["code"] == "last_leader"


# -- removing -------------------------------------------------------------------------------------


def test_the_leader_removes_a_member_who_is_told(team, leader, volunteer, make_activity,
                                                  django_capture_on_commit_callbacks):
    actions.check_join_team(volunteer.user, team)
    with django_capture_on_commit_callbacks(execute=True):  # relay the activity's own message first
        signup = actions.check_signup(volunteer.user, make_activity())
    membership = Membership.objects.members().get(organization=team, user=volunteer.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(leader).post(membership_url(team, membership, "remove"), {"reason": "长期未参加活动"},
                                        format="json")
    assert response.status_code == 200 and response.json()["status"] == "removed"
    membership.refresh_from_db()
    assert (membership.status, membership.decided_by) == ("removed", leader)
    note = Notification.objects.get(user=volunteer.user, topic="volunteering.team_removed")
    assert team.name in note.title and "长期未参加活动" in note.body
    # Their sign-up for an activity stays: activities are open to every volunteer.
    assert Enrolment.objects.get(pk=signup.pk).status == "confirmed"
    again = as_user(leader).post(membership_url(team, membership, "remove"))
    assert again.status_code == 400 and again.json()["code"] == "not_a_member"
    assert as_user(volunteer.user).get(url(team)).json()["my_status"] == "removed"


def test_the_leader_withdraws_an_invitation_without_a_message(team, leader, volunteer,
                                                               django_capture_on_commit_callbacks):
    membership = actions.check_invite(leader, team, volunteer.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert as_user(leader).post(membership_url(team, membership, "remove")).json()["status"] == "removed"
    assert not Notification.objects.filter(user=volunteer.user).exists()


def test_leaders_and_oneself_cannot_be_removed(team, leader, make_volunteer):
    make_volunteer(None, "队长甲", user=leader)
    mine = actions.check_join_team(leader, team)
    deputy = make_person("13900000029", "副队长", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    make_volunteer(None, "副队长", user=deputy)
    theirs = actions.check_join_team(deputy, team)
    response = as_user(leader).post(membership_url(team, theirs, "remove"))
    assert response.status_code == 400 and response.json()["code"] == "cannot_remove_leader"
    response = as_user(leader).post(membership_url(team, mine, "remove"))
    assert response.status_code == 400 and response.json()["code"] == "cannot_remove_self"
    members = {m["name"]: m["is_leader"] for m in as_user(leader).get(url(team, "members/")).json()["results"]}
    assert members == {"队长甲": True, "副队长": True}
    assert Membership.objects.members().filter(organization=team, status="active").count() == 2


def test_an_applicant_is_decided_not_removed(team, leader, volunteer):
    actions.check_set_join_mode(leader, team, "approval")
    membership = actions.check_join_team(volunteer.user, team)
    response = as_user(leader).post(membership_url(team, membership, "remove"))
    assert response.status_code == 400 and response.json()["code"] == "not_a_member"


# -- who may do what ------------------------------------------------------------------------------


LEADER_CALLS = [
    ("get", "members/", None),
    ("post", "invite/", {"phone": "13900000021"}),
    ("patch", "join-mode/", {"join_mode": "invitation"}),
    ("post", "join-mode/", {"join_mode": "invitation"}),
]


def test_only_the_teams_managers_reach_its_members(team, leader, volunteer, personas, other_team, other_leader,
                                                   other_volunteer):
    membership = actions.check_join_team(volunteer.user, team)
    calls = [*LEADER_CALLS, ("post", f"memberships/{membership.pk}/decide/", {"approve": False}),
             ("post", f"memberships/{membership.pk}/remove/", {})]
    for user in (volunteer.user, other_volunteer, other_leader, personas.resident, personas.outsider,
                 personas.org_admin, personas.community_staff, personas.street_dispatcher):
        client = as_user(user)
        for method, tail, body in calls:
            response = getattr(client, method)(url(team, tail), body, format="json")
            assert response.status_code == 404, (user.name, tail, response.content[:200])
            assert response.json()["code"] == "not_found"
    anonymous = APIClient()
    for method, tail, body in [*calls, ("get", "", None), ("post", "join/", None), ("post", "leave/", None)]:
        assert getattr(anonymous, method)(url(team, tail), body, format="json").status_code == 401
    assert anonymous.get(BASE).status_code == 401
    # A leader cannot reach another team's membership through their own team's address.
    assert as_user(other_leader).post(membership_url(other_team, membership, "remove")).status_code == 404
    assert as_user(other_leader).post(membership_url(other_team, membership, "decide"), {"approve": False},
                                      format="json").status_code == 404
    assert status_of(team, volunteer.user) == "active" and not Organization.objects.exclude(join_mode="open").exists()
    assert Membership.objects.members().filter(organization=team).count() == 1
    # The system admin over the city manages every team in it.
    assert as_user(personas.system_admin).get(url(team, "members/")).status_code == 200


def test_each_sees_the_teams_serving_them_and_their_own(team, leader, volunteer, personas, other_team,
                                                        other_leader, other_volunteer):
    def names(user):
        return {row["name"] for row in as_user(user).get(BASE).json()["results"]}

    assert names(volunteer.user) == {team.name}
    assert names(other_volunteer) == {other_team.name}
    assert names(leader) == {team.name}  # managed, though not a volunteer
    assert names(other_leader) == {other_team.name}
    assert names(personas.resident) == names(personas.outsider) == set()
    # Another street's team is not there for this team's volunteer: no detail, no joining.
    for method, tail in (("get", ""), ("post", "join/"), ("post", "leave/"), ("post", "accept-invitation/")):
        assert getattr(as_user(volunteer.user), method)(url(other_team, tail)).status_code == 404
    assert not Membership.objects.members().filter(organization=other_team, user=volunteer.user).exists()
    detail = as_user(leader).get(url(team)).json()
    assert detail["can_manage"] is True and detail["my_status"] == ""
    # Not a volunteer team at all: 404 whoever asks.
    assert as_user(personas.system_admin).get(url(personas.department)).status_code == 404


def test_the_list_searches_by_name_and_area(tree, team, volunteer):
    street_team = do_create_organization(parent=None, name="开元街道志愿者协会", kind="volunteer_team",
                                         area=tree.street_a)
    community_team = do_create_organization(parent=None, name="坑内社区帮帮团", kind="volunteer_team",
                                            area=tree.community_a)
    client = as_user(volunteer.user)

    def names(query):
        return {row["name"] for row in client.get(BASE, query).json()["results"]}

    assert names({}) == {team.name, street_team.name, community_team.name}
    assert names({"q": "帮帮"}) == {community_team.name}
    assert names({"area": tree.community_a.code}) == {community_team.name}
    assert names({"area": tree.street_a.code, "q": "协会"}) == {street_team.name}
    unknown = client.get(BASE, {"area": "999"})
    assert unknown.status_code == 400 and unknown.json()["fields"] == {"area": [unknown.json()["message"]]}


# -- query counts -----------------------------------------------------------------------------------


def test_the_team_list_costs_the_same_for_1_or_9_teams(client, tree, volunteer, make_volunteer,
                                                       django_assert_num_queries):
    client.force_login(volunteer.user)

    def add_team(n):
        team = do_create_organization(parent=None, name=f"志愿服务队{n}", kind="volunteer_team", area=tree.street_a)
        actions.check_join_team(make_volunteer(f"139000005{n:02d}", f"队员{n}").user, team)
        actions.check_join_team(volunteer.user, team)

    add_team(0)
    with django_assert_num_queries(6):  # session, user, volunteer, roles, count, page
        assert len(client.get(BASE).json()["results"]) == 1
    for n in range(1, 9):
        add_team(n)
    with django_assert_num_queries(6):
        rows = client.get(BASE).json()["results"]
    assert len(rows) == 9 and {(r["my_status"], r["member_count"]) for r in rows} == {("active", 2)}


def test_the_member_list_costs_the_same_for_1_or_9_members(client, team, leader, make_volunteer,
                                                           django_assert_num_queries):
    client.force_login(leader)

    def add(n):
        actions.check_join_team(make_volunteer(f"139000006{n:02d}", f"队员{n}").user, team)

    add(0)
    with django_assert_num_queries(6):  # session, user, roles, team, count, page
        assert len(client.get(url(team, "members/")).json()["results"]) == 1
    for n in range(1, 9):
        add(n)
    with django_assert_num_queries(6):
        assert len(client.get(url(team, "members/")).json()["results"]) == 9


# -- junk input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path, body", [
    ("get", "abc/", None),
    ("get", "99999999999999999999999/", None),
    ("get", "-1/", None),
    ("get", "1.5/", None),
    ("get", "%D9%A1/", None),  # ١ (Arabic-Indic one): a digit to str.isdigit and int(), not an id
    ("post", "99999999999999999999999/join/", None),
    ("post", "abc/leave/", None),
    ("get", "abc/members/", None),
    ("post", "{team}/memberships/abc/remove/", {}),
    ("post", "{team}/memberships/99999999999999999999999/decide/", {"approve": True}),
    ("post", "{team}/memberships/0/remove/", {}),
    ("post", "{team}/memberships/{membership}/decide/", {"approve": ["yes"]}),
    ("post", "{team}/memberships/{membership}/decide/", {"approve": "maybe"}),
    ("post", "{team}/memberships/{membership}/decide/", {}),
    ("post", "{team}/memberships/{membership}/decide/", [1, 2]),
    ("post", "{team}/memberships/{membership}/remove/", {"reason": {"a": 1}}),
    ("post", "{team}/memberships/{membership}/remove/", {"reason": "x" * 500}),
    ("post", "{team}/invite/", {"phone": ["13900000021"]}),
    ("post", "{team}/invite/", {"phone": None}),
    ("post", "{team}/invite/", {"phone": "abc"}),
    ("post", "{team}/invite/", "13900000021"),
    ("patch", "{team}/join-mode/", {"join_mode": "everyone"}),
    ("patch", "{team}/join-mode/", {"join_mode": ["open"]}),
    ("post", "{team}/join-mode/", None),
    ("get", "{team}/members/?status=gone", None),
    ("get", "{team}/members/?page=abc", None),
    ("get", "?area=%00", None),
    ("get", "?area=3502%00", None),
    ("get", "?area=" + "9" * 300, None),
    ("get", "?page=99999999999999999999", None),
])
def test_junk_input_answers_a_json_error_never_a_500(team, leader, volunteer, method, path, body):
    membership = actions.check_join_team(volunteer.user, team)
    client = as_user(leader)
    path = path.replace("{team}", str(team.pk)).replace("{membership}", str(membership.pk))
    response = getattr(client, method)(BASE + path, body, format="json") if body is not None else \
        getattr(client, method)(BASE + path)
    assert response.status_code in (400, 404), response.content[:300]
    assert {"code", "message"} <= set(response.json())
    assert status_of(team, volunteer.user) == "active"


@pytest.mark.parametrize("search", ["队" * 5000, "%", "_"])
def test_odd_searches_are_answered_not_refused(team, volunteer, search):
    response = as_user(volunteer.user).get(BASE, {"q": search})
    assert response.status_code == 200 and isinstance(response.json()["results"], list)


def test_a_nul_in_the_search_is_a_clear_400(team, volunteer):
    # NUL never reaches the database: the project's query guard answers for every parameter.
    response = as_user(volunteer.user).get(BASE, {"q": "巾帼\x00"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "q" in response.json()["fields"]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_leaders_leaving_at_once_leave_one_behind(team, leader, make_volunteer):
    import threading

    from django.db import connection

    deputy = make_person("13900000029", "副队长", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    for user, name in ((leader, "队长甲"), (deputy, "副队长")):
        make_volunteer(None, name, user=user)
        actions.check_join_team(user, team)
    barrier, outcomes = threading.Barrier(2), []

    def leave(user):
        barrier.wait()
        try:
            outcomes.append(team_actions.check_leave_team(type(user).objects.get(pk=user.pk), team).status)
        except actions.VolunteeringError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(user,)) for user in (leader, deputy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["last_leader", "left"]
    assert Membership.objects.members().filter(organization=team, status="active").count() == 1
    assert team.role_assignments.filter(role=Role.VOLUNTEER_TEAM_LEADER).count() == 1
