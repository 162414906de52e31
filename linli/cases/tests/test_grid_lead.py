"""网格长: the grid leader sees the workers' open and late checks, this week's patrols per grid and
the fixes waiting; sends a check to another worker, who then has it in their tasks and may verify it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.cases.actions import check_assign_verifier, perform
from linli.cases.choices import CaseStatus
from linli.cases.errors import CaseError
from linli.cases.queries import cases_for, verify_tasks_for
from linli.core import outbox
from linli.core.models import Notification
from linli.core.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(tree, personas):
    leader = make_person("13900000090", "网格长甲", Role.GRID_LEADER, tree.community_a)
    second = make_person("13900000091", "网格员乙", Role.GRID_WORKER, tree.grid_a2)
    elsewhere = make_person("13900000092", "网格长乙", Role.GRID_LEADER, tree.community_b)
    return leader, personas.grid_worker, second, elsewhere


def test_the_leader_sees_the_load_and_the_patrols_and_sends_a_check_to_another_worker(
        client, tree, crew, case_at, report, clock):
    leader, first, second, elsewhere = crew
    case = case_at(CaseStatus.RESOLVED)  # in 第一网格: first's check
    report(actor=first, channel="patrol", grid=tree.grid_a1, description="巡查发现路灯不亮")
    clock.advance(hours=30)  # more than a working day later: the check is late
    client.force_login(leader)
    home = client.get(reverse("home")).content.decode()
    assert reverse("cases:grid_lead") in home and reverse("cases:tasks") in home  # the worker's pages too
    page = client.get(reverse("cases:grid_lead")).content.decode()
    row = page[page.index(f'data-worker="{first.pk}"'):]
    assert 'data-testid="open-checks">1<' in row[:400] and 'data-testid="late-checks">1<' in row[:500]
    grid_a1 = page[page.index(f'data-code="{tree.grid_a1.code}"'):]
    assert "<td class=\"text-end\">1</td>" in grid_a1[:300]  # one patrol report this week
    assert f'data-code="{tree.grid_a2.code}" class="table-warning"' in page  # not patrolled

    assert case in verify_tasks_for(first) and case not in verify_tasks_for(second)
    response = client.post(reverse("cases:assign_verifier", args=[case.number]), {"verifier": second.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.verifier == second
    assert case not in verify_tasks_for(first) and case in verify_tasks_for(second)
    assert case.events.filter(action="assign_verifier").count() == 1
    outbox.relay_pending()
    assert Notification.objects.filter(user=second, topic="case.assign_verifier").exists()
    perform(second, case, "verify", note="现场已修复")
    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFIED


def test_only_the_leaders_own_workers_and_area(client, tree, crew, case_at):
    leader, first, second, elsewhere = crew
    case = case_at(CaseStatus.RESOLVED)
    stranger = make_person("13900000093", "网格员丙", Role.GRID_WORKER, tree.grid_b1)
    with pytest.raises(CaseError) as refused:
        check_assign_verifier(leader, case, stranger)  # a worker of another street
    assert refused.value.code == "not_a_worker"
    client.force_login(elsewhere)  # the leader of street B: not their case
    assert case not in cases_for(elsewhere)
    assert client.post(reverse("cases:assign_verifier", args=[case.number]), {"verifier": second.pk}).status_code == 404
    client.force_login(first)  # a worker is not a leader
    assert client.get(reverse("cases:grid_lead")).status_code == 404
