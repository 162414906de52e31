"""The claim board (揭榜领办): who may claim, and first claim wins."""

import threading

import pytest
from django.db import connection, connections
from django.http import Http404

from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.cases.actions import allowed_actions, perform
from linli.cases.choices import CaseStatus
from linli.cases.errors import ActionNotAllowed, CaseError
from linli.cases.models import Case, CaseEvent
from linli.cases.queries import board_for, cases_for
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization, do_create_pairing


@pytest.fixture(autouse=True)
def _federations_claim_too(federations_handle_facilities):
    """The department and the federation of street A may both claim facility cases here."""


@pytest.fixture
def street_b_unit(tree):
    unit = do_create_organization(parent=None, name="中华街道城管中队", kind="department", area=tree.street_b)
    return unit, make_person("13900000041", "城管乙", Role.DEPARTMENT_HANDLER, organization=unit)


def test_claim_dispatches_to_the_claimant(tree, case_at, personas):
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    assert case.board_area == tree.street_a
    assert list(board_for(personas.department_handler)) == [case]
    assert "claim" in allowed_actions(personas.department_handler, case)
    case = perform(personas.department_handler, case, "claim")
    assert (case.status, case.unit) == (CaseStatus.DISPATCHED, personas.department)
    assert case.resolve_due and case.dispatched_at
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.from_status, event.to_status, event.data["unit"]) == (
        "claim", "accepted", "dispatched", personas.department.pk
    )
    assert list(board_for(personas.department_handler)) == []
    # now the department is the lead unit
    assert "sign" in allowed_actions(personas.department_handler, case)


def test_a_unit_serving_an_area_inside_the_board_may_claim(case_at, personas):
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    assert case in cases_for(personas.org_admin)  # the federation sees the board
    case = perform(personas.org_admin, case, "claim")
    assert case.unit == personas.federation


def test_a_unit_elsewhere_may_not(case_at, street_b_unit):
    _unit, handler = street_b_unit
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    assert case not in cases_for(handler) and list(board_for(handler)) == []
    with pytest.raises(Http404):
        perform(handler, case, "claim")


def test_a_paired_unit_may_claim(tree, case_at, street_b_unit):
    unit, handler = street_b_unit
    do_create_pairing(unit, "area_link", area=tree.community_a)  # 包片联村 in street A
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    assert list(board_for(handler)) == [case]
    assert perform(handler, case, "claim").unit == unit


def test_a_department_above_the_board_may_claim(tree, case_at):
    city_bureau = do_create_organization(parent=None, name="市城管局", kind="department", area=tree.city)
    handler = make_person("13900000042", "市城管员", Role.DEPARTMENT_HANDLER, organization=city_bureau)
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    assert perform(handler, case, "claim").unit == city_bureau


def test_a_returned_case_goes_back_on_the_board(case_at, personas):
    case = case_at(CaseStatus.RETURNED, publish=True)
    assert "claim" in allowed_actions(personas.org_admin, case)
    assert perform(personas.org_admin, case, "claim").unit == personas.federation


def test_unpublished_cases_cannot_be_claimed(case_at, personas):
    case = case_at(CaseStatus.ACCEPTED)
    with pytest.raises(Http404):
        perform(personas.org_admin, case, "claim")


def test_claim_for_a_unit_that_may_not(case_at, personas, street_b_unit):
    unit, _handler = street_b_unit
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    with pytest.raises(CaseError) as excinfo:
        perform(personas.department_handler, case, "claim", unit=unit)
    assert excinfo.value.code == "unit_not_allowed"


def test_the_second_claim_is_refused(case_at, personas):
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    stale = Case.objects.get(pk=case.pk)
    perform(personas.department_handler, case, "claim")
    with pytest.raises(ActionNotAllowed) as excinfo:
        perform(personas.org_admin, stale, "claim")
    assert excinfo.value.status == CaseStatus.DISPATCHED
    assert Case.objects.get(pk=case.pk).unit == personas.department
    assert CaseEvent.objects.filter(case=case, action="claim").count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_units_claim_at_once(case_at, personas):
    case = case_at(CaseStatus.ACCEPTED, publish=True)
    claimants = [personas.department_handler.pk, personas.org_admin.pk]
    barrier = threading.Barrier(len(claimants))
    outcomes = {}

    def claim(user_id):
        try:
            user = User.objects.get(pk=user_id)
            mine = Case.objects.get(pk=case.pk)
            barrier.wait(timeout=10)
            perform(user, mine, "claim")
            outcomes[user_id] = "won"
        except ActionNotAllowed:
            outcomes[user_id] = "refused"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[user_id] = repr(error)
        finally:
            connections.close_all()

    for _round in range(5):
        threads = [threading.Thread(target=claim, args=(user_id,)) for user_id in claimants]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes.values()) == ["refused", "won"], outcomes
        winner = next(pk for pk, outcome in outcomes.items() if outcome == "won")
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.status == CaseStatus.DISPATCHED
        assert fresh.unit_id == (personas.department.pk if winner == claimants[0] else personas.federation.pk)
        assert CaseEvent.objects.filter(case=case, action="claim").count() == _round + 1
        # back on the board for the next round
        case = perform(User.objects.get(pk=winner), fresh, "return", reason="再来一轮")
        outcomes.clear()
