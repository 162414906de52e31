"""The demo cases (linli/cases/demo.py) that `manage.py load_demo` files through the actions."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.cases import demo
from linli.cases.choices import CaseStatus, Channel
from linli.cases.models import Case, CaseEvent, CasePhoto, Category, RoutingRule
from linli.cases.queries import board_for, cases_for, inbox_for
from linli.accounts.models import User
from linli.places.models import Area

CASE_MODELS = [Case, CaseEvent, CasePhoto, Category, RoutingRule]


@pytest.fixture
def demo_loaded(demo_once, db):
    return demo_once


def children(category):
    return list(Category.objects.filter(path__startswith=category.path, depth=category.depth + 1).order_by("path"))


def counts():
    return {model.__name__: model.objects.count() for model in CASE_MODELS}


def test_every_state_of_the_workflow(demo_loaded):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == len(demo.CASES) >= 40
    assert set(statuses) == set(CaseStatus.values)
    assert statuses == Counter({status: n for status, n in demo.demo_statuses().items() if n})
    assert statuses[CaseStatus.CLOSED] >= 10

    # the special ones
    unlocated = Case.objects.get(unlocated=True)
    # in no grid, but inside a community outline of 开元街道: on the community, waiting for a grid
    assert unlocated.status == CaseStatus.REPORTED and unlocated.area.level == "community"
    assert unlocated.area.code.startswith(demo.KAIYUAN)
    assert unlocated.queue_area.code == demo.KAIYUAN
    assert Case.objects.filter(status=CaseStatus.RETURNED).count() == 1
    reworked = Case.objects.get(rework_count=1)
    assert reworked.status == CaseStatus.IN_PROGRESS
    assert reworked.events.filter(action="rework").count() == 1
    escalated = Case.objects.get(escalation_level__gt=0)
    assert escalated.queue_area.level == "city" and escalated.events.filter(action="escalate").exists()
    reopened = Case.objects.get(reopened=True)
    assert reopened.status == CaseStatus.IN_PROGRESS and reopened.events.filter(action="reopen").exists()
    assert Case.objects.filter(supervised=True, reminder_count__gte=1).exists()

    # 揭榜领办: two waiting on 坑内社区's board, one claimed by the paired water company
    waiting = Case.objects.filter(board_area__code=demo.KENGNEI, status=CaseStatus.ACCEPTED)
    assert waiting.count() == 2
    claimed = Case.objects.get(events__action="claim")
    assert claimed.unit.name == demo.WATER and claimed.status == CaseStatus.IN_PROGRESS
    water_handler = User.objects.get(phone=demo.WATERWORKS)
    assert set(board_for(water_handler)) == set(waiting)

    # every channel the seeds name; ratings on closed cases; photos where the resident took one
    channels = Counter(Case.objects.values_list("channel", flat=True))
    assert channels[Channel.HOTLINE] >= 3 and channels[Channel.PATROL] >= 3 and channels[Channel.SNAPSHOT] >= 20
    assert all(case.reporter_name and case.reporter_phone for case in Case.objects.filter(channel=Channel.HOTLINE))
    rated = Case.objects.exclude(rating=None)
    assert rated.count() >= 10 and all(case.status == CaseStatus.CLOSED for case in rated)
    assert {case.rating for case in rated} >= {5, 4, 3}
    with_photo = {spec.text for spec in demo.CASES if spec.photo}
    assert set(Case.objects.filter(photos__event__action="report").values_list("description", flat=True)) == with_photo
    for event in CaseEvent.objects.filter(action="resolve"):
        assert event.photos.exists()  # evidence of the fix
    photo = CasePhoto.objects.first()
    assert photo.image.size < 100_000 and photo.width > 0

    # every case lies in 坑内社区's grids, except the unlocated one
    grids = set(Area.objects.filter(code__startswith=demo.KENGNEI, level="grid").values_list("pk", flat=True))
    assert set(Case.objects.filter(unlocated=False).values_list("area_id", flat=True)) <= grids
    assert Case.objects.filter(unlocated=False).values("area_id").distinct().count() >= 12


def test_timelines_agree_with_the_statuses(demo_loaded):
    now = timezone.now()
    numbers = list(Case.objects.order_by("created_at").values_list("number", flat=True))
    assert numbers == sorted(numbers)  # filed oldest first
    assert Case.objects.filter(created_at__lt=now - timezone.timedelta(days=30)).exists()  # a lived-in past
    for case in Case.objects.prefetch_related("events"):
        events = sorted(case.events.all(), key=lambda event: event.pk)
        first = events[0]
        assert (first.action, first.from_status, first.to_status) == ("report", "", CaseStatus.REPORTED)
        assert first.created_at == case.created_at
        for before, after in zip(events, events[1:]):
            assert after.from_status == before.to_status, (case.number, after.action)
            assert before.created_at <= after.created_at <= now, (case.number, after.action)
        assert events[-1].to_status == case.status, case.number

        times = {event.action: event.created_at for event in events}  # the last of each action
        if case.accepted_at:
            assert "accept" in times
        if case.status not in (CaseStatus.REPORTED, CaseStatus.REJECTED):
            assert case.accepted_at is not None
        if case.dispatched_at:
            assert case.dispatched_at in {e.created_at for e in events if e.action in ("dispatch", "claim")}
        if case.status in (CaseStatus.RESOLVED, CaseStatus.VERIFIED, CaseStatus.CLOSED):
            assert case.resolved_at == times["resolve"]
        if case.status == CaseStatus.CLOSED:
            assert case.closed_at == times["close"]
        if case.rating:
            rate = next(e for e in events if e.action == "rate")
            assert case.rated_at == rate.created_at and rate.actor_id == case.reporter_id
        if case.status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS):
            assert case.unit_id and case.resolve_due and case.resolve_due > case.dispatched_at
        if case.accept_due:
            assert case.accept_due > case.created_at


def test_routing_and_categories(demo_loaded):
    component, event = Category.objects.get(code="component"), Category.objects.get(code="event")
    assert (component.kind, event.kind) == ("component", "event")
    assert [c.name for c in children(component)] == ["公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地", "其他设施"]
    classes = [c.name for c in children(event)]
    assert classes[:6] == ["市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序", "其他事件"]
    assert {"邻里纠纷", "为老服务", "物业管理"} <= set(classes)
    for top in [*children(component), *children(event)]:
        assert len(children(top)) >= 2, top.name
        assert all(child.kind == top.kind for child in Category.objects.filter(path__startswith=top.path, depth__gt=top.depth))
    assert Category.objects.get(code="gas-leak").default_priority == 4

    assert RoutingRule.objects.count() == len(demo.ROUTING_RULES)
    light = Case.objects.filter(category__code="street-light").first()
    assert light.unit.name == demo.MUNICIPAL  # 思明区 · 路灯 → 市政园林局
    dispute = Case.objects.get(category__code="leaking-ceiling")
    assert dispute.unit.name == demo.MEDIATION  # 坑内社区 · 邻里纠纷 → the community's mediators
    vending = Case.objects.get(category__code="street-vending")
    assert vending.unit.name == demo.ENFORCEMENT
    assert Case.objects.get(category__code="ev-charging").unit is None  # no rule: the street's queue decides

    # the demo accounts see their part
    dispatcher = User.objects.get(phone=demo.CENTER)
    assert cases_for(dispatcher).count() == Case.objects.count()
    grid_worker = User.objects.get(phone=demo.GRID_WORKER)
    first_grid = Area.objects.get(code=demo.KENGNEI + "001")
    assert set(cases_for(grid_worker).values_list("area_id", flat=True)) == {first_grid.pk}
    municipal = User.objects.get(phone=demo.MUNICIPAL_HANDLER)
    assert {case.unit.name for case in inbox_for(municipal)} == {demo.MUNICIPAL}


def test_is_idempotent(demo_loaded):
    before = counts()
    statuses = dict(Case.objects.values_list("number", "status"))
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == before
    assert dict(Case.objects.values_list("number", "status")) == statuses


def test_the_ledgers_area_rows_add_up_to_its_total(demo_loaded):
    """按区域: every case of the demo counts in one row, the ones not yet on a grid in 未定位."""
    from datetime import timedelta

    from django.utils import timezone

    from linli.cases.queries import ledger
    from linli.places.models import Area

    today = timezone.localdate()
    for code in ("350203", "350203001", "350203001001"):  # 思明区, 开元街道, 坑内社区
        result = ledger(Area.objects.get(code=code), today - timedelta(days=60), today)
        assert result.collected > 0
        assert sum(row.collected for row in result.by_child_area) == result.collected, code
        assert sum(row.open for row in result.by_child_area) == result.open, code
