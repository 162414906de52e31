"""民情台账: the ledger page of an area and a period, and its Excel export."""

from datetime import datetime, timedelta
from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.cases import actions, queries
from linli.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(personas, tree, categories, case_at, report, photo_file):
    """Street A: two closed (rated 5, and 2 after a rework), one resolved after its limit, one
    dispatched, one reported, one rejected; street B: one reported (never in street A's ledger)."""
    p = personas
    good = case_at("closed")
    actions.perform(p.resident, good, "rate", rating=5, comment="很好")
    poor = case_at("resolved", category=categories.street_order, grid=tree.grid_a2)
    actions.perform(p.street_dispatcher, poor, "rework", reason="没修好")
    actions.perform(p.department_handler, poor, "resolve", photos=[photo_file()], note="重新修好")
    actions.perform(p.street_dispatcher, poor, "verify")
    actions.perform(p.street_dispatcher, poor, "close")
    actions.perform(p.resident, poor, "rate", rating=2)
    late = case_at("resolved")
    type(late).objects.filter(pk=late.pk).update(resolve_due=late.resolved_at - timedelta(hours=1))
    case_at("dispatched")
    report()
    case_at("rejected")
    report(grid=tree.grid_b1)


def period():
    today = timezone.localdate()
    return {"date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat()}


def test_ledger_page_shows_the_kpis_and_breakdowns(client, personas, tree, cases):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("cases:ledger"), {"area": tree.street_a.code, **period()})
    assert response.status_code == 200
    ledger = response.context["ledger"]
    expected = queries.ledger(tree.street_a, *[timezone.localdate() - timedelta(days=7), timezone.localdate()])
    assert (ledger.collected, ledger.resolved, ledger.open, ledger.rejected) == (
        expected.collected, expected.resolved, expected.open, expected.rejected) == (6, 3, 2, 1)
    # due in the period: only the late one (the others' limits are still ahead)
    assert (ledger.due, ledger.late) == (1, 1)
    assert (ledger.on_time_rate, ledger.satisfaction_rate, ledger.rework_rate) == (
        0.0, 0.5, pytest.approx(1 / 3, abs=1e-4))
    html = response.content.decode()
    assert f'data-kpi="collected">{ledger.collected}<' in html
    assert 'data-testid="by-category"' in html and 'data-testid="by-area"' in html
    assert "坑内社区" in html  # the child area row
    assert f"{ledger.on_time_rate * 100:.1f}%" in html
    assert reverse("cases:ledger_export") in html


def test_ledger_defaults_to_the_first_area_and_this_quarter(client, personas, tree, cases):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("cases:ledger"))
    assert response.status_code == 200
    ledger = response.context["ledger"]
    assert ledger.area == tree.street_a and ledger.date_to == timezone.localdate()
    assert ledger.date_from.day == 1 and ledger.date_from.month in (1, 4, 7, 10)


def test_ledger_is_only_for_areas_in_the_dispatch_scope(client, personas, tree, cases):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("cases:ledger"), {"area": tree.street_b.code, **period()})
    assert response.status_code == 400  # not a choice: street B is outside the scope
    assert response.context["ledger"] is None
    for persona in ("resident", "department_handler", "grid_worker"):
        client.force_login(getattr(personas, persona))
        assert client.get(reverse("cases:ledger")).status_code == 404
        assert client.get(reverse("cases:ledger_export")).status_code == 404


def test_ledger_rejects_a_period_that_ends_before_it_starts(client, personas, tree):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("cases:ledger"), {"area": tree.street_a.code, "date_from": "2026-03-31",
                                                     "date_to": "2026-01-01"})
    assert response.status_code == 400 and response.context["ledger"] is None


def test_ledger_empty_period(client, personas, tree, cases):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("cases:ledger"), {"area": tree.street_a.code, "date_from": "2020-01-01",
                                                     "date_to": "2020-03-31"})
    assert response.status_code == 200 and 'data-testid="ledger-empty"' in response.content.decode()


def test_excel_export_opens_and_holds_the_figures(client, personas, tree, cases):
    client.force_login(personas.street_dispatcher)
    dates = period()
    response = client.get(reverse("cases:ledger_export"), {"area": tree.street_a.code, **dates})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"民情台账_开元街道_{dates['date_from']}_{dates['date_to']}.xlsx"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"ledger_350203001_")
    assert f"filename*=UTF-8''{quote(name)}" in disposition

    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["汇总", "按类别", "按区域", "诉求明细"]
    ledger = queries.ledger(tree.street_a, timezone.localdate() - timedelta(days=7), timezone.localdate())

    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=5, max_row=15, values_only=True)}
    assert summary["收集诉求"] == ledger.collected == 6
    assert summary["已办结"] == ledger.resolved and summary["办理中"] == ledger.open
    assert summary["其中超期"] == ledger.overdue and summary["不予受理"] == ledger.rejected
    assert summary["按期办结率"] == pytest.approx(ledger.on_time_rate)
    assert summary["期内应办结"] == ledger.due == 1 and summary["其中逾期"] == ledger.late == 1
    assert summary["满意率"] == pytest.approx(ledger.satisfaction_rate)
    assert summary["返工率"] == pytest.approx(ledger.rework_rate)
    assert summary["平均办理时长（小时）"] == pytest.approx(ledger.mean_handling_hours)
    assert book["汇总"]["A1"].value == "民情台账 · 开元街道"
    assert book["汇总"]["B12"].number_format == "0.0%"

    sheet = book["按类别"]
    header = [c.value for c in sheet[4]]
    assert header[:5] == ["类别", "收集数", "已办结", "办理中", "超期未办结"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]}
    for row in ledger.by_category:
        assert rows[row.name][1] == row.collected and rows[row.name][2] == row.resolved
    assert rows["合计"][1] == ledger.collected
    assert sum(r.collected for r in ledger.by_category) == ledger.collected

    sheet = book["按区域"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["坑内社区"][1] == 6 and rows["合计"][1] == 6
    assert sheet["A4"].fill.fgColor.rgb.endswith("B4282D")  # styled header


def test_export_of_a_bad_period_goes_back_to_the_page(client, personas, tree):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("cases:ledger_export"), {"area": tree.street_a.code, "date_from": "x"})
    assert response.status_code == 302 and response.url.startswith(reverse("cases:ledger"))


def test_excel_export_lists_every_case_with_masked_phones(client, personas, tree, cases):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("cases:ledger_export"), {"area": tree.street_a.code, **period()})
    sheet = load_workbook(BytesIO(response.content))["诉求明细"]
    header = [c.value for c in sheet[4]]
    assert header[:9] == ["编号", "上报时间", "类别", "所属区域", "渠道", "状态", "承办单位", "办结时限", "办结时间"]
    assert {"按期情况", "评价", "反映人电话"} <= set(header)
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=5, values_only=True)]
    numbers = {r["编号"] for r in rows}
    in_street_a = set(Case.objects.filter(area_code__startswith=tree.street_a.code).values_list("number", flat=True))
    assert numbers == in_street_a and len(rows) == 6  # street B's case is not in street A's register
    late = next(r for r in rows if r["按期情况"] == "逾期办结")
    assert late["期内应办结"] == "是" and isinstance(late["办结时限"], datetime)
    assert {r["评价"] for r in rows} >= {5, 2}
    phone = personas.resident.phone
    assert all(r["反映人电话"] == f"{phone[:3]}****{phone[-4:]}" for r in rows)
    book = load_workbook(BytesIO(response.content))
    cells = [str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r if v is not None]
    assert not any(phone in v for v in cells)  # never the full number anywhere in the file
    assert sheet.auto_filter.ref == f"A4:P{4 + len(rows)}"


def test_ledger_page_and_export_cost_a_fixed_number_of_queries(client, personas, tree, cases, report,
                                                               django_assert_num_queries):
    client.force_login(personas.street_dispatcher)
    url, params = reverse("cases:ledger"), {"area": tree.street_a.code, **period()}
    client.get(url, params)  # warm the session and per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get(url, params)
        client.get(reverse("cases:ledger_export"), params)
    for category in ("manhole", "greenery", "dispute", "street-order"):
        report(category=category, grid=tree.grid_a2)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url, params)
        client.get(reverse("cases:ledger_export"), params)
    assert page.context["ledger"].collected == 10


def test_ledger_page_shows_the_rate_over_due_cases_with_the_late_count_and_the_rule(client, personas, tree, cases):
    client.force_login(personas.street_dispatcher)
    html = client.get(reverse("cases:ledger"), {"area": tree.street_a.code, **period()}).content.decode()
    kpi = html.split('data-kpi="on_time_rate"')[1].split('data-kpi="satisfaction_rate"')[0]
    assert "0.0%" in kpi
    assert 'data-kpi="due">1<' in kpi and 'data-kpi="late">1<' in kpi
    assert 'data-testid="on-time-rule"' in kpi  # the rule under a help icon


def test_hours_are_written_as_people_write_them():
    from django.utils import translation

    from linli.cases.templatetags.cases import hours

    with translation.override("en"):
        assert [hours(24.0), hours(10.5), hours(10.54), hours(0.04), hours(None)] == ["24 h", "10.5 h", "10.5 h", "0 h", "—"]
