"""The scope helper with personas in two streets: each sees only its own subtree."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from linli.accounts.actions import do_assign_role
from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.core.scoping import Scope, _minimal, can, forget_scopes, scope_for
from linli.orgs.actions import do_create_organization
from linli.orgs.models import Organization
from linli.places.models import Area
from linli.places.queries import areas_in
from linli.orgs.queries import organizations_in


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


STREET_A = ["350203001", "350203001001", "350203001001001", "350203001001002"]
STREET_B = ["350203002", "350203002001", "350203002001001"]


@pytest.fixture
def street_b_org(tree):
    return do_create_organization(parent=None, name="中华街道妇联", kind="womens_federation", area=tree.street_b)


def test_dispatchers_in_two_streets_see_only_their_own_subtree(personas):
    assert codes(areas_in(scope_for(personas.street_dispatcher))) == STREET_A
    assert codes(areas_in(scope_for(personas.other_street_dispatcher))) == STREET_B


def test_organizations_follow_the_area_they_serve(personas, street_b_org):
    assert names(organizations_in(scope_for(personas.street_dispatcher))) == ["市政园林局", "开元街道妇联"]
    assert names(organizations_in(scope_for(personas.other_street_dispatcher))) == ["中华街道妇联"]


def test_organization_roles_see_their_organization_subtree_only(personas, tree, street_b_org):
    branch = do_create_organization(
        parent=personas.federation, name="坑内社区妇联", kind="womens_federation", area=tree.community_a
    )
    assert names(organizations_in(scope_for(personas.org_admin))) == ["坑内社区妇联", "开元街道妇联"]
    assert names(organizations_in(scope_for(personas.department_handler))) == ["市政园林局"]
    # An organization role reaches no area.
    assert not areas_in(scope_for(personas.department_handler)).exists()
    assert can(personas.org_admin, "view", branch)
    assert not can(personas.org_admin, "view", street_b_org)


def test_get_or_404_hides_what_is_outside(personas, tree):
    scope = scope_for(personas.street_dispatcher)
    assert scope.get_or_404(Area.objects.all(), area_path="path", pk=tree.grid_a2.pk) == tree.grid_a2
    with pytest.raises(Http404):
        scope.get_or_404(Area.objects.all(), area_path="path", pk=tree.grid_b1.pk)
    with pytest.raises(Http404):
        scope.get_or_404(Area.objects.all(), area_path="path", pk=tree.district.pk)  # above is outside too
    with pytest.raises(Http404):
        scope_for(personas.other_street_dispatcher).get_or_404(
            Organization.objects.all(), area_path="area__path", org_path="path", pk=personas.department.pk
        )


def test_grid_worker_sees_only_their_grid(personas, tree):
    assert codes(areas_in(scope_for(personas.grid_worker))) == ["350203001001001"]
    assert not can(personas.grid_worker, "view", tree.grid_a2)
    assert not can(personas.grid_worker, "view", tree.community_a)


def test_community_staff_see_their_community(personas):
    assert codes(areas_in(scope_for(personas.community_staff))) == STREET_A[1:]


@pytest.mark.parametrize("who", ["outsider", "resident"])
def test_outsider_and_resident_see_nothing(personas, who):
    scope = scope_for(getattr(personas, who))
    assert scope.is_empty
    assert not areas_in(scope).exists()
    assert not organizations_in(scope).exists()


def test_anonymous_and_inactive_users_see_nothing(personas):
    assert scope_for(AnonymousUser()).is_empty
    assert scope_for(None).is_empty
    dispatcher = personas.street_dispatcher
    dispatcher.is_active = False
    assert scope_for(dispatcher).is_empty


def test_superuser_sees_everything(tree, street_b_org):
    root = User.objects.create_superuser(phone="13700000009", name="root", password="x-very-long-pass")
    scope = scope_for(root)
    assert scope.is_global
    assert areas_in(scope).count() == Area.objects.count() == 9
    assert names(organizations_in(scope)) == ["中华街道妇联"]
    assert can(root, "places.manage", tree.grid_b1)


def test_capabilities(personas, tree):
    # places.manage: system admins only.
    assert can(personas.system_admin, "places.manage", tree.grid_b1)
    for who in ("street_dispatcher", "community_staff", "grid_worker", "org_admin"):
        assert scope_for(getattr(personas, who), "places.manage").is_empty, who
    # orgs.manage: org admins on their own organization.
    assert can(personas.org_admin, "orgs.manage", personas.federation)
    assert not can(personas.org_admin, "orgs.manage", personas.department)
    assert not can(personas.street_dispatcher, "orgs.manage", personas.federation)
    # accounts.manage: command centers in their street.
    assert can(personas.street_dispatcher, "accounts.manage", tree.grid_a1)
    assert not can(personas.street_dispatcher, "accounts.manage", tree.grid_b1)
    assert not can(personas.community_staff, "accounts.manage", tree.grid_a1)
    # accounts.view_personal: staff and grid workers, within their node.
    assert can(personas.community_staff, "accounts.view_personal", tree.grid_a2)
    assert can(personas.grid_worker, "accounts.view_personal", tree.grid_a1)
    assert not can(personas.grid_worker, "accounts.view_personal", tree.grid_a2)
    assert not can(personas.department_handler, "accounts.view_personal", personas.department)
    # view: a department handler sees their department, no area.
    assert can(personas.department_handler, "view", personas.department)
    assert not can(personas.department_handler, "view", tree.street_a)


def test_scope_is_cached_per_user_object(personas, django_assert_num_queries):
    dispatcher = personas.street_dispatcher
    with django_assert_num_queries(1):
        scope_for(dispatcher)
    with django_assert_num_queries(0):
        scope_for(dispatcher)
        scope_for(dispatcher, "view")
    # Other capabilities derive from the assignments already read.
    with django_assert_num_queries(0):
        assert scope_for(dispatcher, "accounts.manage").area_paths == scope_for(dispatcher).area_paths
        assert scope_for(dispatcher, "cases.handle").is_empty
    # A fresh object of the same person asks again (the cache lives for one request).
    fresh = User.objects.get(pk=dispatcher.pk)
    with django_assert_num_queries(1):
        scope_for(fresh)
    forget_scopes(dispatcher)
    with django_assert_num_queries(1):
        scope_for(dispatcher)


def test_nested_roles_collapse_to_the_outer_node(personas, tree):
    dispatcher = personas.street_dispatcher
    do_assign_role(dispatcher, Role.COMMUNITY_STAFF, area=tree.community_a, tier="member")
    do_assign_role(dispatcher, Role.GRID_LEADER, area=tree.grid_a1)
    scope = scope_for(dispatcher)
    assert scope.area_paths == (tree.street_a.path,)
    assert codes(areas_in(scope)) == STREET_A


def test_minimal():
    assert _minimal([]) == ()
    assert _minimal(["0001", "00010001", "000100010003", "0002", "0001"]) == ("0001", "0002")
    # Siblings are not prefixes of each other.
    assert _minimal(["00010002", "00010001"]) == ("00010001", "00010002")
    assert _minimal(["000100020001", "00010002", "0003"]) == ("00010002", "0003")


def test_two_streets_together(personas, tree):
    do_assign_role(personas.street_dispatcher, Role.COMMAND_CENTER, area=tree.street_b)
    assert codes(areas_in(scope_for(personas.street_dispatcher))) == sorted(STREET_A + STREET_B)


def test_empty_scope_matches_nothing(tree):
    assert Scope().is_empty
    assert not areas_in(Scope()).exists()
    assert areas_in(Scope(is_global=True)).count() == 9


def test_area_codes_select_the_same_subtree_as_paths(personas, tree):
    """Denormalized area-code columns (e.g. Case.area_code) filter like the path."""
    scope = scope_for(personas.street_dispatcher)
    assert scope.area_codes == ("350203001",)
    by_code = Area.objects.filter(scope.q(area_code="code"))
    by_path = areas_in(scope)
    assert codes(by_code) == codes(by_path) == STREET_A
    nested = scope_for(personas.community_staff)
    assert nested.area_codes == (tree.community_a.code,)
    assert codes(Area.objects.filter(Scope().q(area_code="code"))) == []
    assert len(Area.objects.filter(Scope(is_global=True).q(area_code="code"))) == Area.objects.count()
