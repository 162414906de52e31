"""Who sees which cases and who may do what: the permission matrix with the personas."""

import pytest
from django.http import Http404

from linli.accounts.choices import Role
from linli.cases.actions import allowed_actions, check_follow, perform
from linli.cases.choices import CaseStatus
from linli.cases.models import Case
from linli.cases.queries import (
    cases_for,
    get_case_for,
    inbox_for,
    public_cases,
    reports_of,
    verify_tasks_for,
)
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization


@pytest.fixture
def spread(tree, personas, report, case_at):
    """One case in each grid, one of them dispatched to the department, one rejected."""
    other_resident = make_person("13900000051", "居民乙", Role.RESIDENT, tree.community_b)
    return {
        "a1": case_at(CaseStatus.DISPATCHED),
        "a2": report(grid=tree.grid_a2),
        "b1": report(actor=other_resident, grid=tree.grid_b1),
        "rejected": case_at(CaseStatus.REJECTED),
        "other_resident": other_resident,
    }


def visible(user):
    return set(cases_for(user).values_list("pk", flat=True))


def ids(spread, *names):
    return {spread[name].pk for name in names}


def test_who_sees_what(tree, personas, spread):
    everything = ids(spread, "a1", "a2", "b1", "rejected")
    assert visible(personas.system_admin) == everything
    assert visible(personas.street_dispatcher) == ids(spread, "a1", "a2", "rejected")
    assert visible(personas.community_staff) == ids(spread, "a1", "a2", "rejected")
    assert visible(personas.other_street_dispatcher) == ids(spread, "b1")
    assert visible(personas.grid_worker) == ids(spread, "a1", "rejected")  # only grid A1
    assert visible(personas.department_handler) == ids(spread, "a1")  # only what its unit leads
    assert visible(personas.org_admin) == set()  # the federation leads nothing
    assert visible(personas.resident) == ids(spread, "a1", "a2", "rejected")  # their own reports
    assert visible(spread["other_resident"]) == ids(spread, "b1")
    assert visible(personas.outsider) == set()


def test_a_resident_sees_only_their_own_and_followed(personas, spread):
    follower = spread["other_resident"]
    check_follow(follower, spread["a2"])
    # Following gives news, not access: the followed case is in their list, seen as the public sees it.
    assert visible(follower) == ids(spread, "b1")
    assert set(reports_of(follower).values_list("pk", flat=True)) == ids(spread, "b1", "a2")


def test_an_assisting_unit_sees_the_case(personas, spread):
    perform(personas.street_dispatcher, spread["a1"], "assist", unit=personas.federation)
    assert visible(personas.org_admin) == ids(spread, "a1")
    assert set(inbox_for(personas.org_admin).values_list("pk", flat=True)) == ids(spread, "a1")


def test_a_unit_in_a_parent_organization_sees_its_children_s_cases(tree, personas, spread):
    section = do_create_organization(parent=personas.department, name="市政园林局养护科", kind="department", area=tree.street_a)
    case = perform(personas.street_dispatcher, spread["a2"], "accept")
    perform(personas.street_dispatcher, case, "dispatch", unit=section)
    assert spread["a2"].pk in visible(personas.department_handler)


def test_get_case_for_answers_404_outside(personas, spread):
    number = spread["a1"].number
    assert get_case_for(personas.street_dispatcher, number) == spread["a1"]
    for outsider in (personas.other_street_dispatcher, personas.outsider, personas.org_admin, spread["other_resident"]):
        with pytest.raises(Http404):
            get_case_for(outsider, number)
    with pytest.raises(Http404):
        get_case_for(personas.street_dispatcher, "2026-999999")


def test_public_cases_leave_out_rejected(spread):
    public = set(public_cases().values_list("pk", flat=True))
    assert public == ids(spread, "a1", "a2", "b1")


def test_verify_tasks(case_at, personas, tree):
    resolved = case_at(CaseStatus.RESOLVED)
    case_at(CaseStatus.RESOLVED, grid=tree.grid_a2)
    assert list(verify_tasks_for(personas.grid_worker)) == [resolved]
    assert verify_tasks_for(personas.street_dispatcher).count() == 2
    assert verify_tasks_for(personas.resident).count() == 0


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("street_dispatcher", ["accept", "reject", "escalate"]),
        ("community_staff", ["accept", "reject", "escalate"]),
        ("system_admin", ["accept", "reject", "escalate"]),
        ("grid_worker", []),
        ("resident", []),
        ("department_handler", []),
        ("org_admin", []),
        ("outsider", []),
        ("other_street_dispatcher", []),
    ],
)
def test_allowed_actions_on_a_new_report(persona, expected, personas, report):
    assert allowed_actions(getattr(personas, persona), report()) == expected


@pytest.mark.parametrize(
    "status, persona, expected",
    [
        (CaseStatus.DISPATCHED, "department_handler", ["sign", "return"]),
        (CaseStatus.DISPATCHED, "street_dispatcher", ["escalate", "remind", "supervise", "assist"]),
        (CaseStatus.IN_PROGRESS, "department_handler", ["resolve"]),
        (CaseStatus.RESOLVED, "grid_worker", ["verify", "rework"]),
        (CaseStatus.RESOLVED, "street_dispatcher", ["verify", "rework"]),
        (CaseStatus.RESOLVED, "department_handler", []),
        (CaseStatus.VERIFIED, "street_dispatcher", ["close"]),
        (CaseStatus.CLOSED, "resident", ["rate", "reopen"]),
        (CaseStatus.CLOSED, "street_dispatcher", []),
    ],
)
def test_allowed_actions_along_the_way(status, persona, expected, personas, case_at):
    assert allowed_actions(getattr(personas, persona), case_at(status)) == expected


@pytest.mark.parametrize(
    "persona, action, params",
    [
        ("other_street_dispatcher", "accept", {}),
        ("resident", "accept", {}),
        ("grid_worker", "accept", {}),
        ("department_handler", "reject", {"reason": "x"}),
        ("outsider", "escalate", {"reason": "x"}),
    ],
)
def test_actions_outside_role_or_scope_are_404(persona, action, params, personas, report):
    case = report()
    with pytest.raises(Http404):
        perform(getattr(personas, persona), case, action, **params)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPORTED


def test_another_unit_cannot_act_on_a_case(tree, personas, case_at):
    other = do_create_organization(parent=None, name="水务集团", kind="enterprise", area=tree.street_a)
    handler = make_person("13900000052", "水务员", Role.DEPARTMENT_HANDLER, organization=other)
    case = case_at(CaseStatus.DISPATCHED)
    assert allowed_actions(handler, case) == []
    with pytest.raises(Http404):
        perform(handler, case, "sign")


def test_anonymous_sees_nothing(personas, report):
    from django.contrib.auth.models import AnonymousUser

    report()
    assert cases_for(AnonymousUser()).count() == 0
    assert allowed_actions(AnonymousUser(), Case.objects.get()) == []
    assert allowed_actions(None, Case.objects.get()) == []


# -- the back office is read-only for cases and scoped like the queue ------------------------------


def test_admin_pages(client, personas, case_at):
    from django.urls import reverse

    case = case_at(CaseStatus.RESOLVED)
    client.force_login(personas.system_admin.__class__.objects.create_superuser(phone="13900000098", name="管理员"))
    for name, args in [
        ("admin:cases_case_changelist", []), ("admin:cases_case_change", [case.pk]),
        ("admin:cases_caseevent_changelist", []), ("admin:cases_category_changelist", []),
        ("admin:cases_category_add", []), ("admin:cases_routingrule_add", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert case.number in page and "resolve" in page
    assert client.get(reverse("admin:cases_case_add")).status_code == 403


# -- the queue: one FilterSet over the scoped list, keyset pages ----------------------------------


def filtered(user, **params):
    from linli.cases.filters import CaseFilterSet

    filterset = CaseFilterSet(params, queryset=cases_for(user))
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_queue_filters(tree, personas, case_at, report):
    from linli.cases.choices import SlaState

    reported = report(category="manhole")
    a2 = report(category="greenery", grid=tree.grid_a2)
    dispatched = case_at(CaseStatus.DISPATCHED, category="dispute")
    published = case_at(CaseStatus.ACCEPTED, publish=True, category="street-order")
    walk_in = report(actor=personas.street_dispatcher, channel="walk_in", lat=None, lng=None, address="某路",
                     area_hint=tree.community_a, category="dispute")
    Case.objects.filter(pk=dispatched.pk).update(sla_state=SlaState.OVERDUE)
    Case.objects.filter(pk=reported.pk).update(sla_state=SlaState.DUE_SOON)
    user = personas.street_dispatcher
    everything = {reported.pk, a2.pk, dispatched.pk, published.pk, walk_in.pk}
    assert filtered(user) == everything
    assert filtered(user, status=["reported"]) == {reported.pk, a2.pk, walk_in.pk}
    assert filtered(user, status=["reported", "dispatched"]) == {reported.pk, a2.pk, walk_in.pk, dispatched.pk}
    assert filtered(user, category="component") == {reported.pk, a2.pk}  # with its subclasses
    assert filtered(user, category="manhole") == {reported.pk}
    assert filtered(user, category="nothing") == set()
    assert filtered(user, area=tree.grid_a2.code) == {a2.pk}
    assert filtered(user, area=tree.street_a.code) == everything
    assert filtered(user, area="abc") == set()
    assert filtered(user, channel=["walk_in"]) == {walk_in.pk}
    assert filtered(user, overdue="true") == {dispatched.pk}
    assert filtered(user, overdue="false") == everything - {dispatched.pk}
    assert filtered(user, due_soon="true") == {reported.pk}
    assert filtered(user, claimable="true") == {published.pk}
    assert filtered(user, unlocated="true") == {walk_in.pk}
    assert filtered(user, unit=str(personas.department.pk)) == {dispatched.pk}
    assert filtered(user, unit="99999999999999999999999") == set()
    assert filtered(user, q=reported.number) == {reported.pk}
    # the filters only narrow the scope
    assert filtered(personas.other_street_dispatcher, status=["reported"]) == set()


def test_queue_counts(personas, report, case_at):
    from linli.cases.queries import queue_counts

    report(), report(), case_at(CaseStatus.ACCEPTED)
    assert queue_counts(cases_for(personas.street_dispatcher).order_by("-id")) == {"reported": 2, "accepted": 1}


def test_keyset_pages(personas, report, django_assert_num_queries):
    from linli.cases.filters import keyset_page

    cases = [report() for _ in range(7)]
    newest_first = [case.pk for case in reversed(cases)]
    queryset = cases_for(personas.street_dispatcher)
    with django_assert_num_queries(1):
        first = keyset_page(queryset, size=3)
    assert [c.pk for c in first] == newest_first[:3]
    assert (first.has_next, first.has_previous, first.previous_cursor) == (True, False, None)
    second = keyset_page(queryset, after=first.next_cursor, size=3)
    assert [c.pk for c in second] == newest_first[3:6] and second.has_previous and second.has_next
    last = keyset_page(queryset, after=second.next_cursor, size=3)
    assert [c.pk for c in last] == newest_first[6:] and not last.has_next and last.next_cursor is None
    back = keyset_page(queryset, before=second.previous_cursor, size=3)
    assert [c.pk for c in back] == newest_first[:3] and not back.has_previous
    assert [c.pk for c in keyset_page(queryset, after="garbage", size=3)] == newest_first[:3]
