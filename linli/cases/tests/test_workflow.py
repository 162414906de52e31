"""The workflow: every action from every status, and what each action changes."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from linli.cases.actions import allowed_actions, check_place, perform
from linli.cases.choices import (
    REASON_REQUIRED,
    TRANSITIONS,
    Action,
    CaseStatus,
    Party,
    SlaState,
)
from linli.cases.errors import ActionNotAllowed, CaseError
from linli.cases.models import Case, CaseAssist, CaseEvent, CasePhoto
from linli.core import outbox
from linli.core.models import Notification, OutboxMessage

# Who takes an action in the matrix, by the party it needs.
ACTOR_OF = {
    Party.DISPATCHER: "street_dispatcher",
    Party.UNIT: "department_handler",
    Party.VERIFIER: "grid_worker",
    Party.REPORTER: "resident",
    Party.CLAIMANT: "department_handler",
}


def valid_params(action, personas, photo_file):
    return {
        Action.REJECT: {"reason": "不属于受理范围"},
        Action.DISPATCH: {"unit": personas.department},
        Action.RETURN: {"reason": "不属于本单位"},
        Action.RESOLVE: {"photos": [photo_file()], "note": "已修复"},
        Action.REWORK: {"reason": "仍有松动"},
        Action.RATE: {"rating": 5, "comment": "很快"},
        Action.REOPEN: {"reason": "没修好"},
        Action.ESCALATE: {"reason": "需要区级协调"},
        Action.ASSIST: {"unit": personas.federation},
    }.get(action, {})


def actor_for(action, personas):
    party = sorted(TRANSITIONS[action].parties)[0]
    return getattr(personas, ACTOR_OF[party])


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_status(action, status, case_at, personas, photo_file, routing_rules):
    # routed at intake, so the department is the case's unit from the start; published
    # from acceptance on, so the department is a claimant from then on
    case = case_at(status, publish=True)
    spec = TRANSITIONS[action]
    actor = actor_for(action, personas)
    params = valid_params(action, personas, photo_file)
    events_before = CaseEvent.objects.filter(case=case).count()
    messages = OutboxMessage.objects.filter(topic=f"case.{action}", payload__case_id=case.pk)
    messages_before = messages.count()
    if status in spec.sources:
        assert action in allowed_actions(actor, case)
        done = perform(actor, case, action, **params)
        assert done.status == (spec.target or status)
        assert Case.objects.get(pk=case.pk).status == done.status
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.action, event.from_status, event.to_status, event.actor) == (action, status, done.status, actor)
        assert CaseEvent.objects.filter(case=case).count() == events_before + 1
        assert messages.count() == messages_before + 1
    elif action == Action.CLAIM and case.board_area_id is None:
        with pytest.raises(Http404):  # not on a board: nobody is a claimant
            perform(actor, case, action, **params)
    else:
        assert action not in allowed_actions(actor, case)
        with pytest.raises(ActionNotAllowed) as excinfo:
            perform(actor, case, action, **params)
        assert excinfo.value.status == status
        assert excinfo.value.allowed == allowed_actions(actor, case)
        assert excinfo.value.as_body()["code"] == "action_not_allowed"
        assert Case.objects.get(pk=case.pk).status == status
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_the_whole_road(case_at, personas):
    case = case_at(CaseStatus.CLOSED)
    trail = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", "to_status"))
    assert trail == [
        ("report", "reported"), ("accept", "accepted"), ("dispatch", "dispatched"), ("sign", "in_progress"),
        ("resolve", "resolved"), ("verify", "verified"), ("close", "closed"),
    ]
    assert case.accepted_at and case.dispatched_at and case.resolved_at and case.closed_at
    assert allowed_actions(personas.resident, case) == ["rate", "reopen"]


def test_dispatch_sets_the_unit_and_the_resolve_limit(case_at, personas):
    case = case_at(CaseStatus.ACCEPTED)
    case = perform(personas.street_dispatcher, case, "dispatch", unit=personas.department.pk, note="请尽快")
    assert case.unit == personas.department and case.dispatched_at
    assert case.resolve_due > case.dispatched_at
    assert CaseEvent.objects.filter(case=case).latest("id").data["unit"] == personas.department.pk


def test_dispatch_defaults_to_the_routed_unit(case_at, personas, routing_rules):
    case = case_at(CaseStatus.ACCEPTED)
    assert perform(personas.street_dispatcher, case, "dispatch").unit == personas.department


def test_dispatch_needs_a_unit(case_at, personas):
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case_at(CaseStatus.ACCEPTED), "dispatch", unit=None)
    assert excinfo.value.code == "unit_required"
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case_at(CaseStatus.ACCEPTED), "dispatch", unit=10**9)
    assert excinfo.value.code == "unknown_unit"


@pytest.mark.parametrize("action", sorted(REASON_REQUIRED))
def test_a_reason_is_required(action, case_at, personas):
    status = next(iter(sorted(TRANSITIONS[action].sources)))
    case = case_at(status)
    for reason in ("", "   ", None):
        with pytest.raises(CaseError) as excinfo:
            perform(actor_for(action, personas), case, action, reason=reason)
        assert (excinfo.value.code, excinfo.value.field) == ("reason_required", "reason")


def test_resolve_needs_evidence(case_at, personas, photo_file):
    case = case_at(CaseStatus.IN_PROGRESS)
    with pytest.raises(CaseError) as excinfo:
        perform(personas.department_handler, case, "resolve", note="修好了", photos=[])
    assert (excinfo.value.code, excinfo.value.field) == ("evidence_required", "photos")
    with pytest.raises(CaseError) as excinfo:
        perform(personas.department_handler, case, "resolve", photos=[photo_file(name="x.jpg").__class__("x.jpg", b"text")])
    assert excinfo.value.code == "not_an_image"
    case = perform(personas.department_handler, case, "resolve", note="修好了", photos=[photo_file(), photo_file()])
    event = CaseEvent.objects.get(case=case, action="resolve")
    assert CasePhoto.objects.filter(case=case, event=event).count() == 2


def test_rework_is_counted(case_at, personas, photo_file):
    case = case_at(CaseStatus.RESOLVED)
    case = perform(personas.grid_worker, case, "rework", reason="井盖仍松动")
    assert (case.status, case.rework_count, case.resolved_at) == (CaseStatus.IN_PROGRESS, 1, None)
    case = perform(personas.department_handler, case, "resolve", photos=[photo_file()])
    case = perform(personas.street_dispatcher, case, "rework", reason="再看看")
    assert case.rework_count == 2


@pytest.mark.parametrize("rating", [0, 6, -1, "x", None, 2.5, True, "", [3]])
def test_bad_ratings(rating, case_at, personas):
    with pytest.raises(CaseError) as excinfo:
        perform(personas.resident, case_at(CaseStatus.CLOSED), "rate", rating=rating)
    assert (excinfo.value.code, excinfo.value.field) == ("bad_rating", "rating")


def test_rate_once(case_at, personas):
    case = perform(personas.resident, case_at(CaseStatus.CLOSED), "rate", rating="4", comment="不错")
    assert (case.rating, case.rating_comment) == (4, "不错") and case.rated_at
    with pytest.raises(ActionNotAllowed) as excinfo:
        perform(personas.resident, case, "rate", rating=5)
    assert "rate" not in excinfo.value.allowed


def test_only_the_reporter_rates(case_at, personas):
    with pytest.raises(Http404):
        perform(personas.street_dispatcher, case_at(CaseStatus.CLOSED), "rate", rating=5)


def test_a_dissatisfied_reporter_reopens_once(case_at, personas, photo_file):
    case = perform(personas.resident, case_at(CaseStatus.CLOSED), "rate", rating=2)
    case = perform(personas.resident, case, "reopen", reason="还是坏的")
    assert case.status == CaseStatus.ACCEPTED and case.reopened
    assert (case.rating, case.closed_at, case.resolved_at, case.resolve_due) == (None, None, None, None)
    assert CaseEvent.objects.filter(case=case).latest("id").data["rating"] == 2
    # round again, then no second reopen
    for who, action, params in [
        ("street_dispatcher", "dispatch", {"unit": personas.department}), ("department_handler", "sign", {}),
        ("department_handler", "resolve", {"photos": [photo_file()]}), ("grid_worker", "verify", {}),
        ("street_dispatcher", "close", {}),
    ]:
        case = perform(getattr(personas, who), case, action, **params)
    assert allowed_actions(personas.resident, case) == ["rate"]
    with pytest.raises(ActionNotAllowed):
        perform(personas.resident, case, "reopen", reason="又坏了")


def test_no_reopen_after_a_good_rating(case_at, personas):
    case = perform(personas.resident, case_at(CaseStatus.CLOSED), "rate", rating=4)
    with pytest.raises(ActionNotAllowed):
        perform(personas.resident, case, "reopen", reason="改主意了")


def test_no_reopen_after_seven_days(case_at, personas, clock):
    case = case_at(CaseStatus.CLOSED)
    clock.advance(days=7, seconds=1)
    assert "reopen" not in allowed_actions(personas.resident, case)
    with pytest.raises(ActionNotAllowed):
        perform(personas.resident, case, "reopen", reason="太晚了")


def test_escalate_climbs_to_the_city_and_stops(tree, case_at, personas):
    case = case_at(CaseStatus.ACCEPTED)
    case = perform(personas.street_dispatcher, case, "escalate", reason="跨街道")
    assert (case.queue_area, case.escalation_level) == (tree.city, 1)
    assert CaseEvent.objects.filter(case=case).latest("id").data == {"from_queue": tree.street_a.code, "to_queue": tree.city.code}
    assert "escalate" not in allowed_actions(personas.street_dispatcher, case)
    with pytest.raises(ActionNotAllowed):
        perform(personas.street_dispatcher, case, "escalate", reason="再升")


def test_escalate_from_a_community_queue_goes_to_the_street(tree, personas, categories):
    from linli.cases.actions import check_report

    case = check_report(
        personas.community_staff, category="dispute", description="x", channel="walk_in", address="某楼",
        area_hint=tree.community_a,
    )
    # a community hint queues at its street; put it on the community's queue the way a
    # community-level intake desk would (an area above street level queues itself)
    Case.objects.filter(pk=case.pk).update(queue_area=tree.community_a)
    case.refresh_from_db()
    case = perform(personas.community_staff, case, "escalate", reason="社区协调不了")
    assert case.queue_area == tree.street_a


def test_remind_and_supervise(case_at, personas):
    case = case_at(CaseStatus.DISPATCHED)
    case = perform(personas.street_dispatcher, case, "remind", note="请今天处理")
    case = perform(personas.street_dispatcher, case, "remind")
    assert case.reminder_count == 2
    case = perform(personas.street_dispatcher, case, "supervise", note="列入督办")
    assert case.supervised
    with pytest.raises(ActionNotAllowed):
        perform(personas.street_dispatcher, case, "supervise")


def test_publish_defaults_to_the_queue_area_and_stays_in_scope(tree, case_at, personas):
    case = case_at(CaseStatus.ACCEPTED)
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case, "publish", board_area=tree.street_b.code)
    assert excinfo.value.code == "bad_board_area"
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case, "publish", board_area="000")
    assert excinfo.value.code == "unknown_area"
    case = perform(personas.street_dispatcher, case, "publish")
    assert case.board_area == tree.street_a and case.published_at


def test_assist(case_at, personas):
    case = case_at(CaseStatus.DISPATCHED)
    case = perform(personas.street_dispatcher, case, "assist", unit=personas.federation)
    assert CaseAssist.objects.filter(case=case, unit=personas.federation).exists()
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case, "assist", unit=personas.federation)
    assert excinfo.value.code == "already_assisting"
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case, "assist", unit=personas.department)
    assert excinfo.value.code == "already_lead"
    # the assisting unit sees the case but takes no unit action
    assert allowed_actions(personas.org_admin, case) == []
    with pytest.raises(Http404):
        perform(personas.org_admin, case, "sign")


def test_unknown_action_and_unexpected_params(case_at, personas):
    case = case_at(CaseStatus.REPORTED)
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case, "teleport")
    assert excinfo.value.code == "unknown_action"
    with pytest.raises(CaseError) as excinfo:
        perform(personas.street_dispatcher, case, "accept", unit=personas.department)
    assert excinfo.value.code == "unexpected_param"


def test_a_stale_instance_is_checked_again_under_the_lock(case_at, personas):
    case = case_at(CaseStatus.REPORTED)
    stale = Case.objects.get(pk=case.pk)
    perform(personas.street_dispatcher, case, "accept")
    with pytest.raises(ActionNotAllowed) as excinfo:
        perform(personas.street_dispatcher, stale, "reject", reason="重复")
    assert excinfo.value.status == CaseStatus.ACCEPTED
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_the_callers_instance_is_updated(case_at, personas):
    case = case_at(CaseStatus.ACCEPTED)
    returned = perform(personas.street_dispatcher, case, "dispatch", unit=personas.department)
    assert case.status == returned.status == CaseStatus.DISPATCHED
    assert case.unit == personas.department


def test_accept_and_dispatch_start_a_fresh_limit(case_at, personas):
    case = case_at(CaseStatus.REPORTED)
    Case.objects.filter(pk=case.pk).update(sla_state=SlaState.OVERDUE, sla_escalated=True)
    case.refresh_from_db()
    case = perform(personas.street_dispatcher, case, "accept")
    assert (case.sla_state, case.sla_escalated) == (SlaState.ON_TRACK, False)


def test_place_an_unlocated_case(tree, personas, report, routing_rules):
    case = report(lat=24.456, lng=118.070)  # street B's queue
    assert case.unlocated
    with pytest.raises(Http404):
        check_place(personas.street_dispatcher, case, tree.grid_a1)
    with pytest.raises(CaseError):
        check_place(personas.other_street_dispatcher, case, tree.grid_a1)  # not their grid
    case = check_place(personas.other_street_dispatcher, case, tree.grid_b1.code)
    assert (case.area, case.area_code, case.unlocated, case.queue_area) == (tree.grid_b1, tree.grid_b1.code, False, tree.street_b)
    assert CaseEvent.objects.filter(case=case).latest("id").action == Action.PLACE
    with pytest.raises(ActionNotAllowed):
        check_place(personas.other_street_dispatcher, case, tree.grid_b1)


# -- notifications (the outbox relay runs the handlers) ------------------------------------------


def relay():
    outbox.relay_pending()


def titles_of(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("topic", flat=True))


def test_notifications_follow_the_case(tree, case_at, personas, photo_file):
    case = case_at(CaseStatus.REPORTED)
    relay()
    assert titles_of(personas.street_dispatcher) == ["case.reported"]
    assert titles_of(personas.other_street_dispatcher) == []

    case = perform(personas.street_dispatcher, case, "accept")
    case = perform(personas.street_dispatcher, case, "dispatch", unit=personas.department)
    relay()
    assert titles_of(personas.resident) == ["case.accept", "case.dispatch"]
    assert titles_of(personas.department_handler) == ["case.dispatch"]

    case = perform(personas.street_dispatcher, case, "remind", note="快点")
    case = perform(personas.department_handler, case, "sign")
    case = perform(personas.department_handler, case, "resolve", photos=[photo_file()])
    relay()
    assert titles_of(personas.department_handler) == ["case.dispatch", "case.remind"]
    assert titles_of(personas.grid_worker) == ["case.resolve"]

    case = perform(personas.grid_worker, case, "verify")
    perform(personas.street_dispatcher, case, "close")
    relay()
    assert titles_of(personas.resident) == ["case.accept", "case.dispatch", "case.resolve", "case.close"]
    note = Notification.objects.filter(user=personas.resident, topic="case.close").get()
    assert case.number in note.title and note.url.endswith(f"{case.number}/")
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_escalation_tells_the_new_queue(tree, case_at, personas):
    from linli.accounts.choices import Role
    from linli.core.testing import make_person

    city_desk = make_person("13900000031", "市指挥中心", Role.COMMAND_CENTER, tree.city)
    case = case_at(CaseStatus.ACCEPTED)
    perform(personas.street_dispatcher, case, "escalate", reason="跨区")
    relay()
    assert titles_of(city_desk) == ["case.escalate"]


def test_an_actor_is_not_told_what_they_did(tree, personas, categories):
    from linli.cases.actions import check_report

    check_report(
        personas.street_dispatcher, category="dispute", description="电话反映", channel="hotline", address="某路",
        area_hint=tree.community_a,
    )
    relay()
    assert titles_of(personas.street_dispatcher) == []


def test_the_assisting_unit_is_told(case_at, personas):
    perform(personas.street_dispatcher, case_at(CaseStatus.DISPATCHED), "assist", unit=personas.federation)
    relay()
    assert titles_of(personas.org_admin) == ["case.assist"]


def test_a_relay_batch_loads_cases_and_dispatchers_once(report, personas):
    """Per new case the relay writes its notification; the cases and the command center's
    staff are read once for the whole batch, however many cases it holds."""

    def relay_reads(count):
        for _ in range(count):
            report()
        with CaptureQueriesContext(connection) as captured:
            relay()
        sql = [query["sql"] for query in captured.captured_queries]
        return {
            "cases": sum('FROM "cases_case"' in q for q in sql),
            "dispatchers": sum('FROM "accounts_roleassignment"' in q for q in sql),
            "notifications": sum('INSERT INTO "core_notification"' in q for q in sql),
        }

    assert relay_reads(2) == {"cases": 1, "dispatchers": 1, "notifications": 2}
    assert relay_reads(6) == {"cases": 1, "dispatchers": 1, "notifications": 6}
    assert titles_of(personas.street_dispatcher).count("case.reported") == 8
