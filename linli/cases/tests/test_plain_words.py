"""Residents read plain words; staff keep the terms of their trade; a menu entry and its page
have one name."""

import pytest
from django.urls import reverse


pytestmark = pytest.mark.django_db


def text_of(response):
    return response.content.decode()


def test_a_residents_pages_say_no_grid_and_no_scope(client, personas, tree, report):
    unlocated = report(lat=24.4900, lng=118.1010)  # outside every grid: waiting to be placed
    assert unlocated.unlocated
    client.force_login(personas.resident)
    form = text_of(client.get(reverse("cases:report"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    mine = text_of(client.get(reverse("cases:mine"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    detail = text_of(client.get(reverse("cases:detail", args=[unlocated.number]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    for page in (form, mine, detail):
        assert "待定位网格" not in page and "可进行的操作" not in page and "WGS84" not in page
    assert "网格" not in form.split("</nav>", 1)[-1].split("<footer", 1)[0]
    missing = client.get("/cases/2099-999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert missing.status_code == 404 and "不是您可以打开的页面" in text_of(missing)
    assert "管辖" not in text_of(missing)

    client.force_login(personas.street_dispatcher)  # staff see the mark and the trade's words
    desk = text_of(client.get(reverse("cases:detail", args=[unlocated.number]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "待定位网格" in desk


def test_the_community_desk_is_called_as_in_the_menu(client, personas):
    client.force_login(personas.community_staff)
    page = text_of(client.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "<title>社区诉求" in page and "调度台" not in page.split("<main", 1)[-1]
    client.force_login(personas.street_dispatcher)
    page = text_of(client.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "<title>调度台" in page


def test_no_area_code_on_a_residents_pages(client, personas, tree, report, offering_for_resident):
    """A resident reads place names, never the codes behind them ("开元街道 350203001")."""
    import re

    case = report()
    client.force_login(personas.resident)
    for url in (reverse("home"), reverse("cases:report"), reverse("cases:mine"),
                reverse("cases:detail", args=[case.number]), reverse("service_orders:menu"),
                reverse("service_orders:mine"), reverse("volunteering:index"), reverse("points:mine")):
        page = text_of(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>|<style.*?</style>", "", page, flags=re.S))
        assert not re.search(r"3502\d{5,}", visible), url


@pytest.fixture
def offering_for_resident(tree):
    from linli.accounts.choices import Role
    from linli.core.testing import make_person
    from linli.orgs.actions import do_create_organization
    from linli.service_orders.actions import check_save_offering

    team = do_create_organization(parent=None, name="巾帼志愿服务队", kind="volunteer_team", area=tree.street_a)
    boss = make_person("13900000098", "队长", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    return check_save_offering(boss, team, name="上门理发", kind="haircut", areas=[tree.community_a])
