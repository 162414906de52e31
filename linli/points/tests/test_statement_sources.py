"""我的积分: each entry names what it came from (the activity, the service order, the reward),
linked where the person may open it; entries newest first by time with the id breaking ties,
page after page; a fixed number of queries whatever the entries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.points import queries
from linli.points.actions import check_redeem, do_post
from linli.points.models import PointsEntry
from linli.service_orders import actions as order_actions
from linli.volunteering.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(tree, personas):
    now = timezone.now()
    team = do_create_organization(parent=None, name="巾帼志愿服务队", kind="volunteer_team", area=tree.street_a)

    def activity(title, published=True):
        return Activity.objects.create(
            organization=team, title=title, service_area="elderly", area=tree.community_a, place="文化广场",
            starts_at=now, ends_at=now + timedelta(hours=2), signup_opens_at=now - timedelta(days=2),
            signup_closes_at=now - timedelta(days=1), is_published=published,
            created_by=personas.community_staff)

    def order(resident):
        return order_actions.check_order(resident, area=tree.community_a, kind="housekeeping", address="坑内路 1 号",
                                         starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))

    neighbour = make_person("13900000066", "邻居", Role.RESIDENT, tree.community_a)
    return {"activity": activity, "order": order, "mine": order(personas.resident), "theirs": order(neighbour)}


def earn(user, points, reference, key):
    return do_post(user, points, "earn", idempotency_key=key, reference=reference)


def entries_on_page(client):
    page = client.get(reverse("points:mine"))
    assert page.status_code == 200
    return page.context["statement"].entries, page.content.decode()


def test_each_entry_names_its_source_and_links_what_one_may_open(client, personas, sources, reward):
    user = personas.resident
    day = sources["activity"]("学雷锋志愿服务日")
    draft = sources["activity"]("内部培训", published=False)
    earn(user, 30, f"activity:{day.pk}", "a")
    earn(user, 20, f"activity:{draft.pk}", "b")
    earn(user, 10, f"service-order:{sources['mine'].pk}", "c")
    earn(user, 10, f"service-order:{sources['theirs'].pk}", "d")  # served as a volunteer, not a party
    redemption = check_redeem(user, reward.pk)
    client.force_login(user)
    entries, page = entries_on_page(client)
    by_reference = {entry.reference: entry.source for entry in entries}
    assert "学雷锋志愿服务日" in by_reference[f"activity:{day.pk}"].label
    assert by_reference[f"activity:{day.pk}"].url == reverse("volunteering:activity", args=[day.pk])
    assert "内部培训" in by_reference[f"activity:{draft.pk}"].label and not by_reference[f"activity:{draft.pk}"].url
    assert by_reference[f"service-order:{sources['mine'].pk}"].url == reverse(
        "service_orders:detail", args=[sources["mine"].pk])
    assert by_reference[f"service-order:{sources['theirs'].pk}"].label
    assert not by_reference[f"service-order:{sources['theirs'].pk}"].url
    assert reward.name in by_reference[f"redemption:{redemption.pk}"].label
    assert by_reference[f"redemption:{redemption.pk}"].url.endswith(f"#r{redemption.pk}")
    assert f'href="{reverse("volunteering:activity", args=[day.pk])}" data-testid="entry-source"' in page
    assert page.count('data-testid="entry-source"') == 5


def test_someone_elses_redemption_is_never_named(client, personas, sources, reward, tree):
    neighbour = make_person("13900000067", "邻居乙", Role.RESIDENT, tree.community_a)
    earn(neighbour, 50, "", "n")
    theirs = check_redeem(neighbour, reward.pk)
    earn(personas.resident, 5, f"redemption:{theirs.pk}", "forged")
    client.force_login(personas.resident)
    entries, _page = entries_on_page(client)
    assert entries[0].source is None


def test_newest_first_by_time_with_the_id_breaking_ties_on_every_page(client, personas):
    user = personas.resident
    now = timezone.now()
    made = [earn(user, n + 1, "", f"k{n}") for n in range(7)]
    # Posted out of time order (hours approved late are dated when approved, demo data backdated).
    when = [now - timedelta(days=d) for d in (3, 1, 5, 1, 2, 1, 4)]
    for entry, at in zip(made, when, strict=True):
        PointsEntry.objects.filter(pk=entry.pk).update(created_at=at)
    expected = [e.pk for e in sorted(PointsEntry.objects.filter(account__user=user),
                                     key=lambda e: (e.created_at, e.pk), reverse=True)]
    client.force_login(user)
    entries, _page = entries_on_page(client)
    assert [e.pk for e in entries] == expected
    seen, before = [], None
    while True:
        page = queries.statement(user, before=before, size=2)
        seen += [e.pk for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == expected


def test_the_statement_page_costs_the_same_queries_with_more_entries(client, personas, sources, reward,
                                                                    django_assert_num_queries):
    user = personas.resident

    def one_of_each(tag):
        day = sources["activity"](f"活动{tag}")
        earn(user, 30, f"activity:{day.pk}", f"a{tag}")
        earn(user, 10, f"service-order:{sources['order'](user).pk}", f"o{tag}")
        earn(user, 10, f"service-order:{sources['theirs'].pk}", f"t{tag}")
        check_redeem(user, reward.pk)

    one_of_each(1)
    client.force_login(user)
    client.get(reverse("points:mine"))  # warm the session and caches
    with CaptureQueriesContext(connection) as first:
        entries_on_page(client)
    for tag in range(2, 5):
        one_of_each(tag)
    with django_assert_num_queries(len(first.captured_queries)):
        entries, _page = entries_on_page(client)
    assert len(entries) == 16 and all(entry.source for entry in entries)
