"""Team pages: volunteers join, apply and accept invitations; leaders decide, invite and set the join mode."""

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.orgs.models import Membership, Organization
from linli.volunteering.actions import check_decide_membership, check_invite, check_join_team, check_set_join_mode


def _row(page, team):
    """The data-status attribute of the team's row on the teams page."""
    marker = f'data-team="{team.pk}" data-status="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def test_a_volunteer_sees_the_teams_of_their_area_and_joins_an_open_one(client, tree, team, volunteer):
    elsewhere = do_create_organization(parent=None, name="文安志愿服务队", kind="volunteer_team", area=tree.street_b)
    client.force_login(volunteer.user)
    page = client.get(reverse("volunteering:teams")).content.decode()
    assert team.name in page and elsewhere.name not in page
    assert _row(page, team) == "" and 'data-testid="join-team"' in page
    assert client.post(reverse("volunteering:join_team", args=[team.pk])).status_code == 302
    assert Membership.objects.members().get(organization=team, user=volunteer.user).status == "active"
    assert _row(client.get(reverse("volunteering:teams")).content.decode(), team) == "active"


def test_apply_and_the_leader_approves_or_declines(client, team, leader, volunteer, make_volunteer):
    check_set_join_mode(leader, team, "approval")
    other = make_volunteer("13900000072", "志愿者乙")
    for user in (volunteer.user, other.user):
        client.force_login(user)
        assert 'data-testid="apply-team"' in client.get(reverse("volunteering:teams")).content.decode()
        client.post(reverse("volunteering:join_team", args=[team.pk]))
    assert _row(client.get(reverse("volunteering:teams")).content.decode(), team) == "applied"

    client.force_login(leader)
    page = client.get(reverse("volunteering:manage_team", args=[team.pk])).content.decode()
    assert page.count('data-testid="application-row"') == 2 and "139****0072" in page and "13900000072" not in page
    first, second = Membership.objects.members().filter(organization=team).order_by("pk")
    url = reverse("volunteering:decide_membership", args=[team.pk, first.pk])
    client.post(url, {"decision": "approve"})
    client.post(reverse("volunteering:decide_membership", args=[team.pk, second.pk]), {"decision": "decline"})
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("active", "left")
    assert first.decided_by == leader
    # Deciding twice is refused with a message, not a crash, and changes nothing.
    response = client.post(url, {"decision": "decline"}, follow=True)
    assert response.status_code == 200 and Membership.objects.members().get(pk=first.pk).status == "active"
    page = client.get(reverse("volunteering:manage_team", args=[team.pk])).content.decode()
    assert page.count('data-testid="member-row"') == 1 and 'data-testid="application-row"' not in page


def test_the_leader_invites_by_mobile_and_the_invitee_accepts(client, team, leader, volunteer, make_volunteer):
    client.force_login(leader)
    client.post(reverse("volunteering:set_join_mode", args=[team.pk]), {"join_mode": "invitation"})
    assert Organization.objects.get(pk=team.pk).join_mode == "invitation"
    # An unknown number invites no one; a bad join mode changes nothing.
    client.post(reverse("volunteering:invite", args=[team.pk]), {"phone": "13999999999"})
    client.post(reverse("volunteering:set_join_mode", args=[team.pk]), {"join_mode": "anything"})
    assert not Membership.objects.members().exists() and Organization.objects.get(pk=team.pk).join_mode == "invitation"
    client.post(reverse("volunteering:invite", args=[team.pk]), {"phone": "+86 139-0000-0021"})
    assert Membership.objects.members().get(user=volunteer.user).status == "invited"

    outsider = make_volunteer("13900000073", "未受邀")
    client.force_login(outsider.user)
    page = client.get(reverse("volunteering:teams")).content.decode()
    assert 'data-testid="join-team"' not in page and 'data-testid="apply-team"' not in page
    assert client.post(reverse("volunteering:accept_invitation", args=[team.pk])).status_code == 404
    client.post(reverse("volunteering:join_team", args=[team.pk]))
    assert not Membership.objects.members().filter(user=outsider.user).exists()

    client.force_login(volunteer.user)
    page = client.get(reverse("volunteering:teams")).content.decode()
    assert 'data-testid="invitation-row"' in page and 'data-testid="accept-invitation"' in page
    client.post(reverse("volunteering:accept_invitation", args=[team.pk]))
    assert Membership.objects.members().get(user=volunteer.user).status == "active"


def test_an_invitation_shows_even_from_a_team_outside_the_area(client, tree, volunteer):
    far = do_create_organization(parent=None, name="文安志愿服务队", kind="volunteer_team", area=tree.street_b)
    far_leader = make_person("13900000074", "队长乙", Role.VOLUNTEER_TEAM_LEADER, organization=far)
    check_invite(far_leader, far, volunteer.user)
    client.force_login(volunteer.user)
    page = client.get(reverse("volunteering:teams")).content.decode()
    assert 'data-testid="invitation-row"' in page and far.name in page


def test_someone_not_registered_is_asked_to_register(client, personas, team):
    client.force_login(personas.resident)
    page = client.get(reverse("volunteering:teams")).content.decode()
    assert 'data-testid="register-first"' in page and 'data-testid="join-team"' not in page
    client.post(reverse("volunteering:join_team", args=[team.pk]))
    assert not Membership.objects.members().exists()


def test_only_volunteer_teams_can_be_joined(client, personas, volunteer):
    client.force_login(volunteer.user)
    assert client.post(reverse("volunteering:join_team", args=[personas.department.pk])).status_code == 404
    assert client.post(reverse("volunteering:join_team", args=[999999])).status_code == 404


def test_the_team_page_is_not_there_for_others(client, tree, personas, team, leader, volunteer):
    other_team = do_create_organization(parent=None, name="文安志愿服务队", kind="volunteer_team", area=tree.street_b)
    other_leader = make_person("13900000075", "队长丙", Role.VOLUNTEER_TEAM_LEADER, organization=other_team)
    check_join_team(volunteer.user, team)
    membership = Membership.objects.members().get()
    for user in (personas.resident, personas.outsider, personas.org_admin, personas.community_staff,
                 other_leader, volunteer.user):
        client.force_login(user)
        assert client.get(reverse("volunteering:manage_team", args=[team.pk])).status_code == 404
        assert client.post(reverse("volunteering:invite", args=[team.pk]), {"phone": "13900000001"}).status_code == 404
        assert client.post(reverse("volunteering:set_join_mode", args=[team.pk]),
                           {"join_mode": "invitation"}).status_code == 404
        assert client.post(reverse("volunteering:decide_membership", args=[team.pk, membership.pk]),
                           {"decision": "decline"}).status_code == 404
    assert not Organization.objects.exclude(join_mode="open").exists() and Membership.objects.members().get().status == "active"
    assert Membership.objects.members().count() == 1
    # A leader cannot reach another team's membership through their own team's address.
    client.force_login(other_leader)
    assert client.post(reverse("volunteering:decide_membership", args=[other_team.pk, membership.pk]),
                       {"decision": "decline"}).status_code == 404
    # The leader reaches the page from the activities page.
    client.force_login(leader)
    assert reverse("volunteering:manage_team", args=[team.pk]) in client.get(reverse("volunteering:manage")).content.decode()
    assert client.get(reverse("volunteering:manage_team", args=[team.pk])).status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_the_members_page_does_not_query_per_member(client, team, leader, make_volunteer, count,
                                                    django_assert_max_num_queries):
    check_set_join_mode(leader, team, "approval")
    for n in range(count):
        check_join_team(make_volunteer(f"139000001{n:02d}", f"队员{n}").user, team)
        check_join_team(make_volunteer(f"139000002{n:02d}", f"申请人{n}").user, team)
    for membership in Membership.objects.members().all()[:count]:
        check_decide_membership(leader, membership, approve=True)
    client.force_login(leader)
    with django_assert_max_num_queries(10):  # 10: one of them is the bell's unread count
        page = client.get(reverse("volunteering:manage_team", args=[team.pk])).content.decode()
    assert page.count('data-testid="member-row"') == count


@pytest.mark.parametrize("count", [1, 8])
def test_the_teams_page_does_not_query_per_team(client, tree, volunteer, count, django_assert_max_num_queries):
    for n in range(count):
        do_create_organization(parent=None, name=f"志愿服务队{n}", kind="volunteer_team", area=tree.street_a)
    client.force_login(volunteer.user)
    # 7: one is the ☰ menu reading the person's roles, one the bell's unread count (once per page)
    with django_assert_max_num_queries(7):
        page = client.get(reverse("volunteering:teams")).content.decode()
    assert page.count('data-testid="team-row"') == count


def test_a_member_leaves_and_an_applicant_withdraws_from_the_teams_page(client, team, leader, volunteer,
                                                                        make_volunteer):
    check_join_team(volunteer.user, team)
    client.force_login(volunteer.user)
    page = client.get(reverse("volunteering:teams")).content.decode()
    assert 'data-testid="leave-team"' in page and "return confirm(" in page
    response = client.post(reverse("volunteering:leave_team", args=[team.pk]), follow=True)
    assert response.status_code == 200 and team.name in response.content.decode()
    assert Membership.objects.members().get(user=volunteer.user).status == "left"
    assert _row(client.get(reverse("volunteering:teams")).content.decode(), team) == "left"

    check_set_join_mode(leader, team, "approval")
    applicant = make_volunteer("13900000076", "申请人")
    check_join_team(applicant.user, team)
    client.force_login(applicant.user)
    assert 'data-testid="withdraw-application"' in client.get(reverse("volunteering:teams")).content.decode()
    client.post(reverse("volunteering:leave_team", args=[team.pk]))
    assert Membership.objects.members().get(user=applicant.user).status == "left"


def test_the_last_leader_is_told_they_cannot_leave(client, team, leader, make_volunteer):
    make_volunteer(None, "队长甲", user=leader)
    check_join_team(leader, team)
    client.force_login(leader)
    response = client.post(reverse("volunteering:leave_team", args=[team.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Membership.objects.members().get(user=leader).status == "active"


def test_an_invitee_declines_on_the_teams_page(client, team, leader, volunteer, make_volunteer):
    check_invite(leader, team, volunteer.user)
    other = make_volunteer("13900000077", "旁人")
    client.force_login(other.user)
    assert client.post(reverse("volunteering:decline_invitation", args=[team.pk])).status_code == 404
    client.force_login(volunteer.user)
    assert 'data-testid="decline-invitation"' in client.get(reverse("volunteering:teams")).content.decode()
    client.post(reverse("volunteering:decline_invitation", args=[team.pk]))
    assert Membership.objects.members().get(user=volunteer.user).status == "left"


def test_the_leader_removes_a_member_but_not_a_leader_or_themself(client, tree, team, leader, volunteer,
                                                                   make_volunteer):
    make_volunteer(None, "队长甲", user=leader)
    mine = check_join_team(leader, team)
    deputy = make_person("13900000078", "副队长", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    make_volunteer(None, "副队长", user=deputy)
    theirs = check_join_team(deputy, team)
    member = check_join_team(volunteer.user, team)
    client.force_login(leader)
    page = client.get(reverse("volunteering:manage_team", args=[team.pk])).content.decode()
    assert page.count('data-testid="member-row"') == 3 and page.count('data-testid="remove-member"') == 1
    for membership in (mine, theirs):
        client.post(reverse("volunteering:remove_member", args=[team.pk, membership.pk]))
    assert Membership.objects.members().filter(organization=team, status="active").count() == 3
    client.post(reverse("volunteering:remove_member", args=[team.pk, member.pk]), {"reason": "搬离本社区"})
    member.refresh_from_db()
    assert (member.status, member.decided_by) == ("removed", leader)
    assert 'data-testid="remove-member"' not in client.get(
        reverse("volunteering:manage_team", args=[team.pk])).content.decode()

    other_team = do_create_organization(parent=None, name="文安志愿服务队", kind="volunteer_team", area=tree.street_b)
    other_leader = make_person("13900000079", "队长丁", Role.VOLUNTEER_TEAM_LEADER, organization=other_team)
    client.force_login(other_leader)
    assert client.post(reverse("volunteering:remove_member", args=[team.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("volunteering:remove_member", args=[other_team.pk, theirs.pk])).status_code == 404
    client.force_login(volunteer.user)
    assert client.post(reverse("volunteering:remove_member", args=[team.pk, theirs.pk])).status_code == 404
    assert Membership.objects.members().get(pk=theirs.pk).status == "active"
