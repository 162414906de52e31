"""揭榜领办 by the kind of unit: a unit claims only cases of a category its kind handles (as the
routing rules say); a person of several units chooses which one claims; the claimed case is in
their work orders."""

import pytest
from django.http import Http404
from django.urls import reverse

from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.cases.actions import allowed_actions, do_set_routing_rule, perform
from linli.cases.choices import CaseStatus
from linli.cases.errors import CaseError
from linli.cases.queries import board_for, claimable_on_board, inbox_for
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def gas_rule(tree, categories, personas):
    """Public facilities (the gas pipeline among them) are the department's kind of work."""
    return do_set_routing_rule(area=tree.street_a, category=categories.public_facilities, unit=personas.department)


def test_a_federation_may_not_claim_a_case_its_kind_does_not_handle(client, case_at, personas, gas_rule):
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    admin = personas.org_admin
    assert list(claimable_on_board(admin)) == [] and list(board_for(admin)) == []
    assert "claim" not in allowed_actions(admin, case)
    with pytest.raises(Http404):
        perform(admin, case, "claim")
    client.force_login(admin)
    assert 'data-testid="quick-claim"' not in client.get(reverse("cases:board")).content.decode()
    response = client.post(reverse("cases:act", args=[case.number, "claim"]), {"claim-unit": personas.federation.pk})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.events.filter(action="claim").exists()
    # The department, whose kind the rules name, still sees and claims it.
    assert list(claimable_on_board(personas.department_handler)) == [case]


def test_a_person_of_several_units_chooses_which_one_claims(client, tree, categories, case_at, personas):
    family = do_create_organization(parent=None, name="开元街道妇联（二）", kind="womens_federation", area=tree.street_a)
    do_set_routing_rule(area=tree.street_a, category=categories.dispute, unit=family)  # disputes: federations
    sub_unit = do_create_organization(parent=family, name="坑内社区妇联", kind="womens_federation",
                                      area=tree.community_a)
    admin = make_person("13900000070", "区妇联管理员", Role.ORG_ADMIN, organization=family)
    case = case_at(CaseStatus.ACCEPTED, publish=True, category="dispute")
    with pytest.raises(CaseError) as refused:
        perform(admin, case, "claim")  # not silently the first of them
    assert refused.value.code == "unit_required"

    client.force_login(admin)
    board = client.get(reverse("cases:board")).content.decode()
    choice = board[board.index('data-testid="quick-claim-unit"'):]
    choice = choice[:choice.index("</select>")]
    assert f'value="{family.pk}"' in choice and f'value="{sub_unit.pk}"' in choice
    detail = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="claim-unit"' in detail
    client.post(reverse("cases:act", args=[case.number, "claim"]), {"claim-unit": sub_unit.pk})
    case.refresh_from_db()
    assert (case.status, case.unit) == (CaseStatus.DISPATCHED, sub_unit)

    # Afterwards the case is in the admin's work orders, reached from the menu.
    fresh = User.objects.get(pk=admin.pk)
    assert case in inbox_for(fresh)
    home = client.get(reverse("home")).content.decode()
    assert reverse("cases:inbox") in home
    assert case.number in client.get(reverse("cases:inbox")).content.decode()


def test_a_person_of_one_unit_claims_with_it_preselected(client, case_at, personas, gas_rule):
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    client.force_login(personas.department_handler)
    board = client.get(reverse("cases:board")).content.decode()
    assert f'name="claim-unit" value="{personas.department.pk}"' in board
    client.post(reverse("cases:act", args=[case.number, "claim"]), {"claim-unit": personas.department.pk})
    case.refresh_from_db()
    assert case.unit == personas.department
