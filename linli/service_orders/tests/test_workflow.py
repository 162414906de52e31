"""点单 → 派单 → 接单 → 评单: every transition, every refused one, the timeline and the outbox."""

from decimal import Decimal

import pytest
from django.http import Http404

from linli.core import outbox
from linli.core.models import Notification, OutboxMessage
from linli.points.actions import balance_of
from linli.points.models import PointsEntry
from linli.service_orders import actions
from linli.service_orders.choices import TRANSITIONS
from linli.service_orders.errors import ActionNotAllowed, ServiceOrderError
from linli.service_orders.models import ServiceOrderEvent

pytestmark = pytest.mark.django_db


def timeline(order):
    return list(ServiceOrderEvent.objects.filter(order=order).values_list("action", "from_status", "to_status"))


def test_ordering_writes_the_order_its_first_event_and_tells_the_dispatchers(make_order, personas, offering):
    order = make_order()
    assert (order.status, order.kind, order.offering, order.area_code) == (
        "ordered", "housekeeping", offering, "350203001001")
    assert timeline(order) == [("order", "", "ordered")]
    assert OutboxMessage.objects.filter(topic="service_order.ordered", payload__order_id=order.pk).count() == 1
    outbox.relay_pending()
    told = set(Notification.objects.filter(topic="service_order.ordered").values_list("user__name", flat=True))
    assert told == {"社区干部甲", "街道调度甲"}  # the dispatchers over community A, not street B's


def test_the_whole_way_dispatch_accept_assign_done_hours_rate(make_order, personas, team, leader, members,
                                                              photo_file):
    order = make_order()
    actions.perform(personas.community_staff, order, "dispatch", team=team, note="请尽快上门")
    assert (order.status, order.team) == ("dispatched", team)
    actions.perform(leader, order, "accept")
    assert order.status == "accepted" and order.accepted_at is not None
    actions.perform(leader, order, "assign", volunteers=[members[0].pk, members[1].pk])
    actions.perform(leader, order, "assign", volunteers=[str(members[0].pk)])  # re-assigning replaces the set
    assert list(order.assignments.values_list("user_id", flat=True)) == [members[0].pk]
    actions.perform(leader, order, "complete", note="窗户擦干净了", photos=[photo_file()])
    assert order.status == "done" and order.done_note == "窗户擦干净了"
    assert order.photos.count() == 1
    actions.perform(leader, order, "record_hours", hours={str(members[0].pk): "2.5"})
    assignment = order.assignments.get()
    assert (assignment.hours, assignment.points) == (Decimal("2.50"), 25)
    assert balance_of(members[0]) == 25
    actions.perform(personas.resident, order, "rate", rating=5, comment="很满意")
    assert (order.rating, order.rating_comment) == (5, "很满意")
    assert timeline(order) == [
        ("order", "", "ordered"), ("dispatch", "ordered", "dispatched"), ("accept", "dispatched", "accepted"),
        ("assign", "accepted", "accepted"), ("assign", "accepted", "accepted"), ("complete", "accepted", "done"),
        ("record_hours", "done", "done"), ("rate", "done", "done"),
    ]
    topics = list(OutboxMessage.objects.filter(payload__order_id=order.pk).order_by("id").values_list("topic", flat=True))
    assert topics == ["service_order.ordered", "service_order.dispatch", "service_order.accept", "service_order.assign",
                      "service_order.assign", "service_order.complete", "service_order.record_hours",
                      "service_order.rate"]
    assert actions.allowed_actions(personas.resident, order) == []
    assert actions.allowed_actions(leader, order) == ["correct_hours"]  # hours stay correctable


def test_notices_go_to_the_team_on_dispatch_and_to_the_resident_on_accept_and_done(make_order, leader, personas):
    order = make_order("done")
    outbox.relay_pending()
    to = {topic: set(Notification.objects.filter(topic=topic).values_list("user_id", flat=True))
          for topic in ("service_order.dispatch", "service_order.accept", "service_order.complete")}
    assert to == {"service_order.dispatch": {leader.pk}, "service_order.accept": {personas.resident.pk},
                  "service_order.complete": {personas.resident.pk}}


def test_publish_then_a_serving_team_grabs_it(make_order, personas, team, leader, other_leader):
    order = make_order(published=True)
    assert order.published_at is not None and order.status == "ordered"
    assert "grab" in actions.allowed_actions(leader, order)
    assert actions.allowed_actions(other_leader, order) == []  # street B's team does not serve community A
    outbox.relay_pending()
    assert Notification.objects.filter(topic="service_order.publish", user=leader).exists()
    assert not Notification.objects.filter(topic="service_order.publish", user=other_leader).exists()
    with pytest.raises(Http404):
        actions.perform(other_leader, order, "grab")
    actions.perform(leader, order, "grab")
    assert (order.status, order.team, order.published_at) == ("accepted", team, None)
    assert timeline(order)[-1] == ("grab", "ordered", "accepted")


def test_the_team_declines_and_the_order_goes_back_to_the_dispatcher(make_order, personas, team, leader):
    order = make_order("dispatched")
    with pytest.raises(ServiceOrderError) as refused:
        actions.perform(leader, order, "decline", reason="  ")
    assert refused.value.code == "reason_required"
    actions.perform(leader, order, "decline", reason="本周人手不足")
    assert (order.status, order.team) == ("ordered", None)
    with pytest.raises(Http404):  # no longer the team's order
        actions.perform(leader, order, "accept")
    outbox.relay_pending()
    assert Notification.objects.filter(topic="service_order.decline", user=personas.community_staff).exists()
    actions.perform(personas.community_staff, order, "dispatch", team=team)
    assert order.status == "dispatched"


@pytest.mark.parametrize("status", ["ordered", "dispatched"])
def test_the_resident_cancels_before_acceptance(make_order, personas, status):
    order = make_order(status)
    actions.perform(personas.resident, order, "cancel", reason="不需要了")
    assert order.status == "cancelled"


# What each action answers in each status it is not allowed from, taken by its own kind of actor:
# 409 where that actor is a party of the order, 404 where it is not (a team's action on an order
# that is not the team's, a grab of an order that is not on the board).
REFUSED = {
    "dispatch": {"dispatched": 409, "accepted": 409, "done": 409, "cancelled": 409},
    "publish": {"dispatched": 409, "accepted": 409, "done": 409, "cancelled": 409},
    "grab": {"ordered": 404, "dispatched": 404, "accepted": 404, "done": 404, "cancelled": 404},
    "accept": {"ordered": 404, "accepted": 409, "done": 409, "cancelled": 404},
    "decline": {"ordered": 404, "accepted": 409, "done": 409, "cancelled": 404},
    "assign": {"ordered": 404, "dispatched": 409, "done": 409, "cancelled": 404},
    "complete": {"ordered": 404, "dispatched": 409, "done": 409, "cancelled": 404},
    "record_hours": {"ordered": 404, "dispatched": 409, "accepted": 409, "cancelled": 404},
    # "done" too: nothing is recorded yet in make_order's orders
    "correct_hours": {"ordered": 404, "dispatched": 409, "accepted": 409, "done": 409, "cancelled": 404},
    "rate": {"ordered": 409, "dispatched": 409, "accepted": 409, "cancelled": 409},
    "cancel": {"accepted": 409, "done": 409, "cancelled": 409},
}
CASES = [(action, status, code) for action, by_status in REFUSED.items() for status, code in by_status.items()]


def test_the_refusal_table_covers_every_action_outside_its_sources():
    for action, spec in TRANSITIONS.items():
        outside = {"ordered", "dispatched", "accepted", "done", "cancelled"} - set(spec.sources)
        assert set(REFUSED[action]) >= outside, action  # grab also from an unpublished "ordered"


@pytest.mark.parametrize("action,status,code", CASES)
def test_every_refused_transition(make_order, personas, leader, action, status, code):
    order = make_order(status)
    actor = {"dispatch": personas.community_staff, "publish": personas.community_staff,
             "rate": personas.resident, "cancel": personas.resident}.get(action, leader)
    before = timeline(order)
    with pytest.raises(ActionNotAllowed if code == 409 else Http404) as refused:
        actions.perform(actor, order, action)
    assert timeline(order) == before
    if code == 409:
        assert refused.value.allowed == actions.allowed_actions(actor, order)
        assert action not in refused.value.allowed


def test_preconditions_refuse_a_second_publish_a_second_rating_and_an_empty_done(make_order, personas, leader):
    order = make_order(published=True)
    with pytest.raises(ActionNotAllowed):
        actions.perform(personas.community_staff, order, "publish")
    done = make_order("done")
    actions.perform(personas.resident, done, "rate", rating=4)
    with pytest.raises(ActionNotAllowed) as refused:
        actions.perform(personas.resident, done, "rate", rating=1)
    assert refused.value.allowed == []
    accepted = make_order("accepted")
    with pytest.raises(ServiceOrderError) as empty:
        actions.perform(leader, accepted, "complete")
    assert empty.value.code == "no_volunteers"


@pytest.mark.parametrize("action,params,code", [
    ("dispatch", {}, "team_required"),
    ("dispatch", {"team": 10**6}, "unknown_team"),
    ("dispatch", {"team": "x"}, "unknown_team"),
    ("dispatch", {"team": 2**70}, "unknown_team"),
    ("publish", {"colour": "red"}, "unexpected_param"),
    ("bogus", {}, "unknown_action"),
])
def test_bad_dispatch_parameters(make_order, personas, action, params, code):
    order = make_order()
    with pytest.raises(ServiceOrderError) as refused:
        actions.perform(personas.community_staff, order, action, **params)
    assert refused.value.code == code
    assert order.status == "ordered" and len(timeline(order)) == 1


def test_dispatch_only_to_a_team_serving_the_area(make_order, personas, other_team):
    order = make_order()
    with pytest.raises(ServiceOrderError) as refused:
        actions.perform(personas.community_staff, order, "dispatch", team=other_team)
    assert refused.value.code == "team_not_allowed"


def test_assign_only_active_members_and_hours_only_of_those_sent(make_order, leader, members, personas):
    order = make_order("accepted")
    for volunteers, code in [([], "volunteers_required"), ([personas.outsider.pk], "not_a_member"),
                             (["abc"], "not_a_member"), ("nope", "not_a_member")]:
        with pytest.raises(ServiceOrderError) as refused:
            actions.perform(leader, order, "assign", volunteers=volunteers)
        assert refused.value.code == code
    done = make_order("done")
    for hours, code in [({}, "bad_hours"), ({str(personas.outsider.pk): 1}, "not_assigned"),
                        ({str(members[0].pk): 0}, "bad_hours"), ({str(members[0].pk): 25}, "bad_hours"),
                        ({str(members[0].pk): "NaN"}, "bad_hours"), ([1], "bad_hours")]:
        with pytest.raises(ServiceOrderError) as refused:
            actions.perform(leader, done, "record_hours", hours=hours)
        assert refused.value.code == code
    assert PointsEntry.objects.count() == 0


def test_points_post_once_per_volunteer_even_when_recorded_twice(make_order, leader, members):
    order = make_order("done")
    first, second = members
    actions.perform(leader, order, "record_hours", hours={str(first.pk): "1.5"})
    with pytest.raises(ServiceOrderError) as again:
        actions.perform(leader, order, "record_hours", hours={str(first.pk): "3"})
    assert again.value.code == "already_recorded"
    # The do_* on its own, as a retried task would run it, with the first volunteer again.
    actions.do_record_hours(leader, order, {first.pk: Decimal("3"), second.pk: Decimal("2")})
    assert (balance_of(first), balance_of(second)) == (15, 20)
    entries = PointsEntry.objects.filter(reference=f"service-order:{order.pk}").order_by("id")
    assert [(e.account.user_id, e.delta, e.kind, e.area_code) for e in entries] == [
        (first.pk, 15, "earn", "350203001001"), (second.pk, 20, "earn", "350203001001")]
    assert {e.idempotency_key for e in entries} == {f"service-order:{order.pk}:{first.pk}",
                                                    f"service-order:{order.pk}:{second.pk}"}
    with pytest.raises(ActionNotAllowed):  # everyone recorded: nothing left to record
        actions.perform(leader, order, "record_hours", hours={str(first.pk): "1"})
    with pytest.raises(ActionNotAllowed):  # and done only once
        actions.perform(leader, order, "complete")
    assert PointsEntry.objects.count() == 2


@pytest.mark.parametrize("fields,code", [
    ({"area": "350203001"}, "bad_area"),  # a street, not a community
    ({"area": "nope"}, "bad_area"),
    ({"offering": 10**6}, "unknown_offering"),
    ({"offering": None, "kind": "massage"}, "bad_kind"),
    ({"address": "  "}, "address_required"),
    ({"notes": "长" * 1001}, "too_long"),
    ({"starts_at": "tomorrow", "ends_at": "2030-01-01T10:00"}, "bad_time"),
    ({"ends_at": "2020-01-01T10:00:00+08:00", "starts_at": "2019-12-31T10:00:00+08:00"}, "bad_time"),
])
def test_bad_orders_are_refused_with_a_code(make_order, fields, code):
    with pytest.raises(ServiceOrderError) as refused:
        make_order(**fields)
    assert refused.value.code == code


def test_an_offering_is_ordered_only_where_it_is_served(make_order, tree):
    with pytest.raises(ServiceOrderError) as refused:
        make_order(area=tree.community_b)
    assert refused.value.code == "offering_not_here"
    order = make_order(area=tree.community_b, offering=None, kind="haircut")  # by kind: any community
    assert order.kind == "haircut"


def test_recorded_hours_are_corrected_by_a_new_adjust_entry_never_by_editing_one(make_order, leader, members,
                                                                               personas):
    order = make_order("done")
    first, second = members
    assert "correct_hours" not in actions.allowed_actions(leader, order)  # nothing recorded yet
    actions.perform(leader, order, "record_hours", hours={str(first.pk): "2", str(second.pk): "1"})
    assert "correct_hours" in actions.allowed_actions(leader, order)
    actions.perform(leader, order, "correct_hours", hours={str(first.pk): "3.5"}, reason="实际服务到五点半")
    actions.perform(leader, order, "correct_hours", hours={str(first.pk): "1"}, reason="记错了")
    assert (balance_of(first), balance_of(second)) == (10, 10)
    entries = list(PointsEntry.objects.filter(account__user=first).order_by("id").values_list("kind", "delta"))
    assert entries == [("earn", 20), ("adjust", 15), ("adjust", -25)]
    assignment = order.assignments.get(user=first)
    assert (assignment.hours, assignment.points, assignment.corrections) == (Decimal("1.00"), 10, 2)
    event = ServiceOrderEvent.objects.filter(order=order, action="correct_hours").order_by("id").last()
    assert event.note == "记错了"
    assert event.data["hours"] == {str(first.pk): {"from": "3.50", "to": "1.00", "points": -25}}
    # Back to a value used before: a fresh key, so the entry is not taken for a retry.
    actions.perform(leader, order, "correct_hours", hours={str(first.pk): "3.5"}, reason="再核实")
    assert balance_of(first) == 35


def test_a_correction_needs_a_reason_recorded_hours_and_a_change(make_order, leader, members, personas):
    order = make_order("done")
    first, second = members
    actions.perform(leader, order, "record_hours", hours={str(first.pk): "2"})
    for params, code in [
        ({"hours": {str(first.pk): "3"}}, "reason_required"),
        ({"hours": {str(second.pk): "3"}, "reason": "x"}, "not_recorded"),
        ({"hours": {str(personas.outsider.pk): "3"}, "reason": "x"}, "not_assigned"),
        ({"hours": {str(first.pk): "2"}, "reason": "x"}, "nothing_changed"),
        ({"hours": {str(first.pk): "-1"}, "reason": "x"}, "bad_hours"),
    ]:
        with pytest.raises(ServiceOrderError) as refused:
            actions.perform(leader, order, "correct_hours", **params)
        assert refused.value.code == code
    assert list(PointsEntry.objects.values_list("kind", "delta")) == [("earn", 20)]
    for outsider in (personas.resident, personas.community_staff, personas.outsider, first):
        with pytest.raises(Http404):
            actions.perform(outsider, order, "correct_hours", hours={str(first.pk): "3"}, reason="x")


def test_lowering_hours_whose_points_are_spent_is_refused_and_changes_nothing(make_order, leader, members):
    from linli.points.actions import do_post

    order = make_order("done")
    first = members[0]
    actions.perform(leader, order, "record_hours", hours={str(first.pk): "2"})
    do_post(first, -15, "redeem", idempotency_key="spent-on-a-haircut")
    with pytest.raises(ServiceOrderError) as refused:
        actions.perform(leader, order, "correct_hours", hours={str(first.pk): "0.5"}, reason="多记了")
    assert refused.value.code == "points_spent"
    assignment = order.assignments.get(user=first)
    assert (assignment.hours, assignment.points, assignment.corrections) == (Decimal("2.00"), 20, 0)
    assert balance_of(first) == 5
    assert not ServiceOrderEvent.objects.filter(order=order, action="correct_hours").exists()


def test_a_team_serves_only_streets_and_communities_under_its_own_area(tree, other_team, other_leader, make_order):
    """What a team serves decides whose orders it sees on the grab board: a street B team
    naming street A's community (or the city) would read street A's orders."""
    for areas, code in [([tree.community_a], "area_outside_team"), ([tree.city.code], "bad_area"),
                        ([tree.grid_b1], "bad_area"), (["nope"], "bad_area")]:
        with pytest.raises(ServiceOrderError) as refused:
            actions.check_save_offering(other_leader, other_team, name="理发", kind="haircut", areas=areas)
        assert refused.value.code == code
    make_order(published=True)
    actions.check_save_offering(other_leader, other_team, name="理发", kind="haircut", areas=[tree.community_b])
    assert not actions.queries.grab_board(other_leader).exists()


def test_a_civilization_practice_center_dispatches_the_orders_of_its_area(tree, make_order, team, personas):
    from linli.accounts.choices import Role
    from linli.core.testing import make_person
    from linli.orgs.actions import do_create_organization

    center = do_create_organization(parent=None, name="开元街道新时代文明实践所", kind="civ_center", area=tree.street_a)
    admin = make_person("13900000050", "实践所管理员", Role.ORG_ADMIN, organization=center)
    other = do_create_organization(parent=None, name="中华街道新时代文明实践所", kind="civ_center", area=tree.street_b)
    other_admin = make_person("13900000051", "中华实践所", Role.ORG_ADMIN, organization=other)
    order = make_order()
    assert "dispatch" in actions.allowed_actions(admin, order)
    assert list(actions.queries.dispatch_queue(admin)) == [order]
    actions.perform(admin, order, "dispatch", team=team)
    assert order.status == "dispatched"
    assert not actions.queries.dispatch_queue(other_admin).exists()
    with pytest.raises(Http404):
        actions.perform(other_admin, make_order(), "dispatch", team=team)


def test_hours_turn_into_points_rounded_half_up_as_for_activities(make_order, leader, members):
    order = make_order("done")
    actions.perform(leader, order, "record_hours", hours={str(members[0].pk): "0.25", str(members[1].pk): "0.35"})
    assert sorted(order.assignments.values_list("points", flat=True)) == [3, 4]  # 2.5 → 3, 3.5 → 4
