"""Which organizations may see a case: lead unit, assisting unit, or serving an area that
contains the case's area (the filter the webhook handler queries with)."""

import pytest

from linli.cases.actions import perform
from linli.orgs.actions import do_create_organization
from linli.orgs.models import Organization
from linli.webhooks.visibility import CaseFacts, organizations_seeing_q

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(tree, personas):
    return {
        "department": personas.department,  # lead unit after dispatch; serves street A
        "federation": personas.federation,  # serves street A
        "district_office": do_create_organization(parent=None, name="思明区政府办", kind="department", area=tree.district),
        "community_b_team": do_create_organization(parent=None, name="文安志愿队", kind="volunteer_team", area=tree.community_b),
        "street_b_unit": do_create_organization(parent=None, name="中华街道城管中队", kind="department", area=tree.street_b),
        "grid_a2_team": do_create_organization(parent=None, name="第二网格志愿队", kind="volunteer_team", area=tree.grid_a2),
    }


def seeing_by_facts(facts, orgs, case_id=None):
    """The names of `orgs` the filter selects."""
    names = {org.pk: name for name, org in orgs.items()}
    selected = Organization.objects.filter(organizations_seeing_q(facts, prefix="", case_id=case_id), pk__in=list(names))
    return {names[pk] for pk in selected.values_list("pk", flat=True)}


def seeing(case, orgs):
    """The names of `orgs` that see the case as it is now (its assisting units looked up by id)."""
    return seeing_by_facts(CaseFacts(unit_id=case.unit_id, area_code=case.area_code), orgs, case_id=case.pk)


def test_lead_unit_and_area_organizations_see_a_case_others_do_not(case_at, orgs):
    case = case_at("dispatched")  # grid A1 of street A, dispatched to the department
    assert seeing(case, orgs) == {"department", "federation", "district_office"}


def test_an_assisting_unit_from_another_street_sees_it_once_added(case_at, orgs, personas):
    case = case_at("in_progress")
    assert "street_b_unit" not in seeing(case, orgs)
    perform(personas.street_dispatcher, case, "assist", unit=orgs["street_b_unit"])
    assert "street_b_unit" in seeing(case, orgs)
    assert "community_b_team" not in seeing(case, orgs)


def test_an_organization_of_a_sibling_grid_does_not_see_it(case_at, orgs):
    assert "grid_a2_team" not in seeing(case_at("reported"), orgs)


def test_an_unlocated_case_is_seen_by_its_unit_only(orgs):
    facts = CaseFacts(unit_id=orgs["department"].pk, area_code="")
    assert "department" in seeing_by_facts(facts, orgs)
    assert not any(name in seeing_by_facts(facts, orgs) for name in ("federation", "district_office"))


def test_the_webhook_filter_is_one_query_and_matches_the_rule(case_at, orgs, django_assert_num_queries):
    from linli.webhooks.actions import do_register_webhook
    from linli.webhooks.models import Webhook

    case = case_at("dispatched")
    for org in orgs.values():
        do_register_webhook(None, org, f"https://example.org/{org.pk}", [])
    facts = CaseFacts(unit_id=case.unit_id, area_code=case.area_code)
    with django_assert_num_queries(1):
        names = set(
            Webhook.objects.filter(organizations_seeing_q(facts, case_id=case.pk)).values_list("organization__name", flat=True)
        )
    assert names == {orgs[n].name for n in ("department", "federation", "district_office")}
