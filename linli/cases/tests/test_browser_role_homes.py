"""Each role's home does its job, in Chromium on the viewport the role uses: the grid leader on a
phone (workers, patrols, sending a check), community staff at a desktop (a walk-in from the home
tile), the team leader on a phone (the service menu with where and when). Map labels on the
phone neither cover each other nor stick out of the map."""

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.cases.choices import CaseStatus
from linli.cases.models import Case
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.service_orders.models import ServiceOffering

from .test_browser_flow import DESKTOP, PHONE, Session, Shots, fill_walk_in

pytestmark = pytest.mark.browser

# Visible permanent labels of a map: none overlaps another, none sticks out of the map.
LABELS_CLEAR = """() => {
  const map = document.querySelector('#report-map').getBoundingClientRect();
  const shown = [...document.querySelectorAll('.leaflet-tooltip.ll-grid-label, .leaflet-tooltip.ll-area-label')]
    .filter(el => getComputedStyle(el).visibility !== 'hidden').map(el => el.getBoundingClientRect());
  const outside = shown.filter(r => r.left < map.left || r.right > map.right || r.top < map.top || r.bottom > map.bottom);
  const clash = shown.some((a, i) => shown.some((b, j) => i < j && a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top));
  return {shown: shown.length, outside: outside.length, clash};
}"""


@pytest.fixture
def crew(transactional_db, tree, personas, categories, routing_rules):
    from linli.places.actions import do_create_area
    from linli.core.testing import square

    # A crowded community: many small grids side by side, their names longer than the grids are wide.
    for n in range(3, 15):
        do_create_area(parent=tree.community_a, name=f"坑内社区第{n}网格", level="grid",
                       code=f"350203001001{n:03d}", boundary=square(118.104 + 0.0005 * n, 24.470, size=0.0005))
    leader = make_person("13900000090", "网格长甲", Role.GRID_LEADER, tree.community_a)
    second = make_person("13900000091", "网格员乙", Role.GRID_WORKER, tree.grid_a2)
    return leader, personas.grid_worker, second


def test_grid_leader_on_a_phone(live_server, crew, case_at, browser, output_dir):
    leader, first, second = crew
    case = case_at(CaseStatus.RESOLVED)
    shot = Shots(output_dir)
    session = Session(browser, live_server.url, **PHONE)
    page = session.page
    session.log_in_with_password(leader.phone)
    shot(page, "grid-leader-home")
    page.click(f'main a[href="{reverse("cases:grid_lead")}"]')
    page.wait_for_selector('[data-testid="workers"]')
    assert page.inner_text(f'[data-worker="{first.pk}"] [data-testid="open-checks"]') == "1"
    shot(page, "grid-leader-page")
    page.select_option(f'[data-number="{case.number}"] select[name=verifier]', str(second.pk))
    page.click(f'[data-number="{case.number}"] [data-testid="assign-verifier"] button')
    page.wait_for_selector(".alert-success")
    assert page.locator(".alert-success").is_visible()
    case.refresh_from_db()
    assert case.verifier == second
    shot(page, "grid-leader-sent")

    # The patrol page's map on the phone: the names of the crowded grids do not pile up.
    session.go("cases:patrol")
    page.wait_for_selector("#report-map[data-ready='1']")
    page.wait_for_timeout(300)
    labels = page.evaluate(LABELS_CLEAR)
    assert labels["shown"] >= 2 and labels["outside"] == 0 and not labels["clash"], labels
    shot(page, "grid-leader-patrol-map", full_page=False)
    session.close()


def test_community_staff_take_a_walk_in_at_a_desktop(live_server, crew, tree, categories, personas, browser,
                                                      output_dir):
    shot = Shots(output_dir)
    session = Session(browser, live_server.url, **DESKTOP)
    page = session.page
    session.log_in_with_password(personas.community_staff.phone)
    page.click(f'[data-testid="tile-cases.walk_in"] a')
    fill_walk_in(page, ("王阿姨", "13811113333"), categories.dispute, tree.community_a,
                 "来社区反映楼上装修噪音，晚上十点还在施工", "坑内路10号")
    shot(page, "community-walk-in")
    page.click('[data-testid="submit-report"]')
    page.wait_for_selector('[data-testid="case-number"]')
    case = Case.objects.get(channel="walk_in")
    assert case.reporter_name == "王阿姨" and case.reporter == personas.community_staff
    shot(page, "community-walk-in-filed")
    session.close()


def test_team_leader_keeps_the_service_menu_on_a_phone(live_server, transactional_db, tree, browser, output_dir):
    team = do_create_organization(parent=None, name="橙色暖心团", kind="volunteer_team", area=tree.street_a)
    boss = make_person("13900000095", "队长丁", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    shot = Shots(output_dir)
    session = Session(browser, live_server.url, **PHONE)
    page = session.page
    session.log_in_with_password(boss.phone)
    shot(page, "team-leader-home")
    page.click(f'main a[href="{reverse("volunteering:my_teams")}"]')
    page.wait_for_selector('[data-testid="my-team"]')
    shot(page, "team-leader-my-team")
    page.click('[data-testid="team-offerings"]')
    page.click('[data-testid="add-offering"]')
    page.fill("#id_name", "上门理发")
    page.select_option("#id_kind", "haircut")
    page.fill("#id_available", "每周六上午 9:00–11:30")
    page.check(f'input[name=areas][value="{tree.community_a.pk}"]')
    shot(page, "team-leader-offering-form")
    page.click('[data-testid="offering-form"] button[type=submit]')
    page.wait_for_selector('[data-testid="offerings"]')
    assert "每周六上午 9:00–11:30" in page.inner_text('[data-testid="offering-when"]')
    assert ServiceOffering.objects.get().available == "每周六上午 9:00–11:30"
    shot(page, "team-leader-menu")
    session.close()
