"""The demo's volunteering, points and service orders (linli/volunteering/demo.py, points/demo.py,
service_orders/demo.py): present, consistent with the ledger, and loaded once."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from linli.accounts.models import User
from linli.orgs.models import Membership, Organization
from linli.points import demo as points_demo
from linli.points.choices import RedemptionStatus
from linli.points.models import PointsAccount, PointsEntry, PointsYearTotal, Redemption, Reward
from linli.points.queries import leaderboard, shop_rewards
from linli.service_orders import demo as orders_demo
from linli.service_orders.choices import OrderStatus
from linli.service_orders.models import AssignedVolunteer, ServiceOffering, ServiceOrder
from linli.service_orders.queries import grab_board, led_team_ids
from linli.site.demo import data
from linli.volunteering import demo
from linli.volunteering.choices import HoursStatus, SignupStatus
from linli.volunteering.models import Activity, Attendance, ServiceCertificate, Volunteer


@pytest.fixture
def demo_output(demo_once, db):
    return demo_once


def ledger():
    return {
        "balances": dict(PointsAccount.objects.values_list("user__phone", "balance")),
        "entries": PointsEntry.objects.count(),
        "stock": dict(Reward.objects.values_list("name", "stock")),
    }


def test_sixteen_womens_teams_and_the_volunteers(demo_output):
    federation = Organization.objects.get(name=demo.KENGNEI_FEDERATION)
    teams = Organization.objects.filter(name__in=demo.WOMENS_TEAMS, kind="volunteer_team")
    assert teams.count() == len(demo.WOMENS_TEAMS) == 16
    assert all(team.path.startswith(federation.path) and team.area.code == demo.KENGNEI for team in teams)
    assert Volunteer.objects.count() == len(demo.VOLUNTEERS)
    assert Membership.objects.members().active().count() == sum(len(v.teams) for v in demo.VOLUNTEERS)
    # every volunteer lives in 坑内社区, so its points shop is theirs
    for spec in demo.VOLUNTEERS:
        user = User.objects.get(phone=spec.phone)
        assert not user.has_usable_password()
        assert shop_rewards(user).exists()


def test_the_leader_and_the_volunteer_accounts_are_printed_and_work(demo_output):
    assert demo.TEAM_LEADER in demo_output and demo.VOLUNTEER in demo_output
    leader = User.objects.get(phone=demo.TEAM_LEADER)
    assert leader.check_password(data.DEMO_PASSWORD)
    assert led_team_ids(leader) == frozenset(Organization.objects.filter(name__in=demo.LEADER_TEAMS).values_list(
        "pk", flat=True))
    volunteer = User.objects.get(phone=demo.VOLUNTEER)
    assert not volunteer.has_usable_password()  # a resident: one-time code
    assert volunteer.volunteer.number.startswith("V" + demo.KENGNEI)


def test_activities_past_and_upcoming(demo_output):
    past = Activity.objects.filter(title__in=[a.title for a in demo.ACTIVITIES if a.past])
    approved = Attendance.objects.filter(status=HoursStatus.APPROVED)
    assert approved.count() >= 20 and approved.filter(points__gt=0).count() == approved.count()
    pending = Attendance.objects.filter(status=HoursStatus.PENDING, checked_out_at__isnull=False)
    assert pending.exists()  # waiting for the leader
    assert {a.enrolment.session.activity.organization.name for a in pending} <= set(demo.LEADER_TEAMS)
    now = timezone.now()
    assert past.count() >= 6 and all(a.created_at < a.starts_at < a.ends_at < now for a in past)

    friday = Activity.objects.get(title="周五一起来·社区环境卫生大整治")
    statuses = Counter(friday.enrolments.values_list("status", flat=True))
    assert statuses[SignupStatus.CONFIRMED] == friday.venues.get().capacity and statuses[SignupStatus.WAITLISTED] >= 1

    lei_feng = Activity.objects.get(title__startswith="学雷锋")
    venues = list(lei_feng.venues.all())
    assert venues[0].is_main and len(venues) >= 3 and all("分会场" in v.name for v in venues[1:])
    assert lei_feng.enrolments.filter(venue__in=venues[1:], status=SignupStatus.WAITLISTED).exists()
    assert not Attendance.objects.filter(enrolment__session__in=[friday, lei_feng]).exists()


def test_points_ledger_matches_hours_and_redemptions(demo_output):
    # every balance is the sum of its entries, and never below zero
    for account in PointsAccount.objects.all():
        assert account.balance == account.entries.aggregate(s=Sum("delta"))["s"] >= 0
    # approved hours ↔ one earn entry each; recorded service-order hours ↔ one earn entry each; nothing else earns
    expected = {f"attendance:{a.pk}": (a.enrolment.user_id, a.points)
                for a in Attendance.objects.filter(status=HoursStatus.APPROVED).select_related("enrolment")}
    expected.update({f"service-order:{a.order_id}:{a.user_id}": (a.user_id, a.points)
                     for a in AssignedVolunteer.objects.filter(recorded_at__isnull=False)})
    earned = {e.idempotency_key: (e.account.user_id, e.delta) for e in
              PointsEntry.objects.filter(kind="earn").select_related("account")}
    assert earned == expected and len(earned) >= 25
    assert not Attendance.objects.filter(status=HoursStatus.PENDING).exclude(points=0).exists()
    # the per-year totals the leaderboards read agree with the entries
    totals = PointsYearTotal.objects.aggregate(s=Sum("points"))["s"]
    assert totals == PointsEntry.objects.filter(kind__in=["earn", "adjust"]).aggregate(s=Sum("delta"))["s"]
    # redemptions: a redeem entry each, a refund for the cancelled one, stock taken for the others
    redemptions = Redemption.objects.all()
    assert PointsEntry.objects.filter(kind="redeem").count() == redemptions.count() == len(points_demo.REDEMPTIONS)
    assert PointsEntry.objects.filter(kind="refund").count() == redemptions.filter(status="cancelled").count() == 1
    assert redemptions.filter(status=RedemptionStatus.FULFILLED).count() == 1
    for name, _provider, _kind, _cost, stock, *_rest in points_demo.REWARDS:
        taken = redemptions.filter(reward__name=name).exclude(status="cancelled").count()
        assert Reward.objects.get(name=name).stock == stock - taken > 0


def test_free_housekeeping_reward_and_the_red_leaderboard(demo_output):
    reward = Reward.objects.get(name=points_demo.FREE_HOUSEKEEPING)
    assert reward.provider.name == points_demo.HOUSEKEEPING_ENTERPRISE and reward.kind == "service"
    assert reward.stock > 0 and reward.community.code == demo.KENGNEI
    fulfilled = Redemption.objects.get(status=RedemptionStatus.FULFILLED)
    assert fulfilled.reward == reward and fulfilled.user.phone == demo.VOLUNTEER

    newest = PointsEntry.objects.filter(kind="earn").latest("created_at").created_at
    board = leaderboard(demo.KENGNEI, "year", newest.date())
    assert len(board) >= 10 and board[0].name == "黄秀兰"

    certificate = ServiceCertificate.objects.get(volunteer__user__phone=demo.VOLUNTEER)
    assert certificate.hours > 0 and len(certificate.entries) >= 2


def test_service_orders_in_every_state(demo_output):
    kinds = set(ServiceOffering.objects.values_list("kind", flat=True))
    assert kinds >= {"housekeeping", "haircut", "free_clinic", "hospital_escort", "elderly_home_visit", "tutoring"}
    orders = ServiceOrder.objects.all()
    assert orders.count() == len(orders_demo.ORDERS)
    assert set(orders.values_list("status", flat=True)) == set(OrderStatus.values)
    for order in orders:  # the timeline: the order, then one event per step
        spec = next(o for o in orders_demo.ORDERS if o.notes == order.notes)
        assert order.events.count() == len(spec.steps) + 1
        assert list(order.events.values_list("created_at", flat=True)) == sorted(
            order.events.values_list("created_at", flat=True))
    done = orders.filter(status=OrderStatus.DONE)
    assert done.count() >= 3 and all(o.events.filter(action="complete", photos__isnull=False).exists() for o in done)
    assert done.exclude(rating=None).count() >= 2 and done.filter(rating=None).exists()  # one still to rate
    assert orders.filter(events__action="decline", status=OrderStatus.ORDERED).exists()
    leader = User.objects.get(phone=demo.TEAM_LEADER)
    assert grab_board(leader).exists()  # a published order the leader's teams may grab


def test_loading_twice_changes_nothing(demo_output):
    before = ledger()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert ledger() == before
    assert demo.TEAM_LEADER in out.getvalue()


def test_the_main_venue_is_marked_once(demo_output, client):
    from django.urls import reverse

    from linli.volunteering.models import Venue

    # The page marks the main venue from `is_main`: the demo's names do not carry it too.
    assert Venue.objects.filter(is_main=True, session__venues__is_main=False).exists()
    assert not Venue.objects.filter(name__contains="主会场").exists()
    activity = Activity.objects.filter(venues__is_main=False, is_published=True).first()
    client.force_login(User.objects.get(phone=demo.VOLUNTEER))
    page = client.get(reverse("volunteering:activity", args=[activity.pk])).content.decode()
    assert "（主会场）" in page and "（主会场）（主会场）" not in page


def test_load_demo_prints_the_servers_port_and_a_table_in_one_language(demo_output, monkeypatch):
    from linli.accounts.choices import Role

    assert "(one-time code)" not in demo_output and "（一次性验证码）" in demo_output
    for role in ("community_staff", "volunteer_team_leader", "grid_worker", "resident (volunteer)"):
        assert f" {role} " not in demo_output
    assert str(Role.VOLUNTEER_TEAM_LEADER.label) != "volunteer_team_leader"
    out = StringIO()
    call_command("load_demo", port="8123", stdout=out)
    assert "http://127.0.0.1:8123/" in out.getvalue() and ":8000" not in out.getvalue()
    monkeypatch.setenv("PORT", "8765")
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "http://127.0.0.1:8765/" in out.getvalue()
