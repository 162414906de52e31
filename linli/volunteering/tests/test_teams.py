"""Joining a team: open, by application and approval, or by invitation."""

import pytest
from django.http import Http404

from linli.core.testing import make_person
from linli.volunteering.actions import (
    VolunteeringError,
    check_accept_invitation,
    check_decide_membership,
    check_invite,
    check_join_team,
    check_set_join_mode,
)


def test_an_open_team_takes_a_volunteer_at_once(team, volunteer):
    assert check_join_team(volunteer.user, team).status == "active"


def test_by_application_the_leader_approves(team, leader, volunteer, personas):
    check_set_join_mode(leader, team, "approval")
    application = check_join_team(volunteer.user, team)
    assert application.status == "applied"
    with pytest.raises(Http404):
        check_decide_membership(personas.community_staff, application, approve=True)
    assert check_decide_membership(leader, application, approve=True).status == "active"


def test_by_invitation_only_the_invited_join(team, leader, volunteer, make_volunteer):
    check_set_join_mode(leader, team, "invitation")
    other = make_volunteer("13900000070", "未受邀")
    with pytest.raises(VolunteeringError) as refused:
        check_join_team(other.user, team)
    assert refused.value.code == "invitation_only"
    invitation = check_invite(leader, team, volunteer.user)
    with pytest.raises(Http404):
        check_accept_invitation(other.user, invitation)
    assert check_accept_invitation(volunteer.user, invitation).status == "active"


def test_only_volunteer_teams_and_only_their_leaders(personas, team, volunteer):
    with pytest.raises(Http404):
        check_join_team(volunteer.user, personas.department)
    with pytest.raises(Http404):
        check_set_join_mode(make_person("13900000071", "路人乙"), team, "open")


@pytest.mark.parametrize("first, second", [("actions", "team_actions"), ("team_actions", "actions")])
def test_the_two_action_modules_import_in_either_order_without_a_module_getattr(first, second):
    import os
    import subprocess
    import sys

    from linli.volunteering import actions

    # team_actions imports from actions; actions no longer re-exports team_actions lazily.
    assert not hasattr(actions, "__getattr__") and not hasattr(actions, "check_leave_team")
    code = (f"import django; django.setup(); import linli.volunteering.{first}, linli.volunteering.{second}; "
            "from linli.volunteering import team_actions; assert callable(team_actions.check_leave_team)")
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", **os.environ}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
