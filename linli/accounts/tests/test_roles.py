import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from linli.accounts.actions import (
    can_grant_role,
    check_assign_role,
    check_revoke_role,
    do_assign_role,
    do_revoke_role,
)
from linli.accounts.choices import Role, StaffTier
from linli.accounts.models import RoleAssignment, User
from linli.core.scoping import scope_for
from linli.core.testing import make_person
from linli.places.queries import areas_in


@pytest.fixture
def newcomer(db):
    return User.objects.create_user(phone="13700000001", name="新人")


def test_dispatcher_assigns_a_grid_worker_in_their_street(personas, tree, newcomer):
    assert scope_for(newcomer).is_empty  # cached on the object...
    assignment = check_assign_role(personas.street_dispatcher, newcomer, Role.GRID_WORKER, area=tree.grid_a2)
    assert assignment.pk and assignment.area == tree.grid_a2
    # ...and forgotten by the action, so the same object sees its new grid.
    assert list(areas_in(scope_for(newcomer))) == [tree.grid_a2]


def test_dispatcher_cannot_assign_in_another_street(personas, tree, newcomer):
    with pytest.raises(PermissionDenied):
        check_assign_role(personas.street_dispatcher, newcomer, Role.GRID_WORKER, area=tree.grid_b1)
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_nobody_grants_more_than_they_hold(personas, tree, newcomer):
    # A command center lacks places.manage, so it cannot make a system admin, even in its own street.
    with pytest.raises(PermissionDenied):
        check_assign_role(personas.street_dispatcher, newcomer, Role.SYSTEM_ADMIN, area=tree.community_a)
    # ... nor an organization admin (orgs.manage).
    with pytest.raises(PermissionDenied):
        check_assign_role(personas.street_dispatcher, newcomer, Role.ORG_ADMIN, organization=personas.federation)
    # The system admin on the city can do both.
    check_assign_role(personas.system_admin, newcomer, Role.SYSTEM_ADMIN, area=tree.community_a)
    check_assign_role(personas.system_admin, newcomer, Role.ORG_ADMIN, organization=personas.federation)
    assert newcomer.role_assignments.count() == 2


def test_dispatcher_assigns_a_handler_on_a_department_serving_their_street(personas, newcomer):
    check_assign_role(personas.street_dispatcher, newcomer, Role.DEPARTMENT_HANDLER, organization=personas.department)
    with pytest.raises(PermissionDenied):
        check_assign_role(
            personas.other_street_dispatcher, newcomer, Role.JUDGE, organization=personas.department
        )


@pytest.mark.parametrize("actor", ["community_staff", "grid_worker", "resident", "outsider", "org_admin"])
def test_roles_without_accounts_manage_cannot_assign(personas, tree, newcomer, actor):
    with pytest.raises(PermissionDenied):
        check_assign_role(getattr(personas, actor), newcomer, Role.RESIDENT, area=tree.community_a)


def test_a_role_without_a_node_is_for_superusers_to_give(personas, newcomer):
    with pytest.raises(PermissionDenied):
        check_assign_role(personas.system_admin, newcomer, Role.RESIDENT)
    root = User.objects.create_superuser(phone="13700000009", name="root", password="x-very-long-pass")
    assert check_assign_role(root, newcomer, Role.RESIDENT).area is None


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(role=Role.COMMUNITY_STAFF, area="community_a"), "tier"),  # staff need a tier
        (dict(role=Role.GRID_WORKER, area="grid_a1", tier=StaffTier.HEAD), "tier"),  # only staff have one
        (dict(role=Role.GRID_WORKER, organization="department"), "organization"),  # area role on an org
        (dict(role=Role.DEPARTMENT_HANDLER, area="street_a"), "organization"),  # org role on an area
        (dict(role=Role.GRID_WORKER), "area"),  # area role without an area
        (dict(role="mayor", area="street_a"), "role"),  # not a role
        (dict(role=Role.JUDGE, area="street_a", organization="department"), "__all__"),  # two nodes
    ],
)
def test_assignment_rules(personas, tree, newcomer, kwargs, field):
    nodes = {"area": tree, "organization": personas}
    for key in ("area", "organization"):
        if key in kwargs:
            kwargs[key] = getattr(nodes[key], kwargs[key])
    root = User.objects.create_superuser(phone="13700000009", name="root", password="x-very-long-pass")
    with pytest.raises(ValidationError) as caught:
        check_assign_role(root, newcomer, **kwargs)
    assert field in caught.value.message_dict
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_duplicate_assignment_is_a_validation_error(personas, tree):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        check_assign_role(personas.street_dispatcher, personas.grid_worker, Role.GRID_WORKER, area=tree.grid_a1)
    assert caught.value.messages == ["This person already holds this role here."]


def test_do_assign_role_is_idempotent_and_updates_the_tier(personas, tree):
    staff = personas.community_staff
    again = do_assign_role(staff, Role.COMMUNITY_STAFF, area=tree.community_a, tier=StaffTier.DEPUTY)
    assert staff.role_assignments.count() == 1
    assert again.tier == StaffTier.DEPUTY
    assert RoleAssignment.objects.get(pk=again.pk).tier == StaffTier.DEPUTY


@pytest.mark.parametrize("node", ["area", "organization", "none"])
def test_database_refuses_duplicates_on_every_kind_of_node(personas, tree, node):
    user = personas.outsider
    fields = {
        "area": dict(role=Role.GRID_WORKER, area=tree.grid_a1),
        "organization": dict(role=Role.JUDGE, organization=personas.department),
        "none": dict(role=Role.RESIDENT),
    }[node]
    RoleAssignment.objects.create(user=user, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, **fields)


def test_revoke(personas, tree):
    worker = personas.grid_worker
    assignment = worker.role_assignments.get()
    assert scope_for(worker).contains_area(tree.grid_a1)
    with pytest.raises(PermissionDenied):
        check_revoke_role(personas.other_street_dispatcher, assignment)
    with pytest.raises(PermissionDenied):
        check_revoke_role(personas.community_staff, assignment)
    check_revoke_role(personas.street_dispatcher, assignment)
    assert not worker.role_assignments.exists()
    # The scope cached on the assignment's user object is forgotten.
    assert scope_for(assignment.user).is_empty


def test_do_revoke_role_without_a_loaded_user(personas):
    assignment = RoleAssignment.objects.get(user=personas.grid_worker)
    do_revoke_role(assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_can_grant_role_for_revoking_needs_the_same_power(personas, tree):
    assert can_grant_role(personas.street_dispatcher, Role.COMMAND_CENTER, tree.community_a)
    assert not can_grant_role(personas.street_dispatcher, Role.COMMAND_CENTER, tree.street_b)
    assert not can_grant_role(personas.street_dispatcher, Role.SYSTEM_ADMIN, tree.grid_a1)
    assert can_grant_role(personas.system_admin, Role.SYSTEM_ADMIN, tree.grid_b1)


def test_make_person_follows_the_rules(tree):
    with pytest.raises(ValidationError):
        make_person("13700000002", "无层级社区干部", Role.COMMUNITY_STAFF, tree.community_a)


def test_personas_fixture_roles(personas):
    assert personas.department.kind == "department"
    assert personas.department.area.level == "street"
    assert personas.department_handler.role_assignments.get().organization == personas.department
    assert personas.org_admin.role_assignments.get().organization == personas.federation
