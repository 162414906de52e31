"""Writes to organizations, memberships and pairings.

`check_*(actor, ...)` validates the input and the actor's permission, then
calls `do_*`. `do_*` runs in one transaction, locks what it changes and
assumes valid input. Views, serializers, the admin, commands and tests call
these; nothing else saves organizations.

Permission: the actor needs the `orgs.manage` capability on the node (see
linli.core.scoping). A node the actor cannot even see answers 404, one the
actor can see but not manage answers 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from linli.core.scoping import can
from linli.places.choices import AreaLevel

from .choices import CIV_CENTER_TITLES, MembershipRole, MembershipStatus, NewSector, OrganizationKind, PairingKind
from .models import Membership, Organization, Pairing

# Venues hang under a women's federation and host nothing themselves.
VENUE_KINDS = frozenset({OrganizationKind.WOMEN_HOME, OrganizationKind.WOMEN_MICRO_HOME})
NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length
UPDATABLE_FIELDS = ("name", "kind", "area", "new_sectors", "founded_on")
# "argument not given", where None (move to the top) is meaningful.
UNSET = object()


def _pk(obj):
    return obj.pk if obj is not None else None


def fresh(node):
    """The node as stored now. Sorted trees (node_order_by) shift the paths of
    existing nodes when a sibling is inserted, so a caller's copy may be stale,
    and paths decide both permission and placement."""
    if node is None:
        return None
    return type(node).objects.select_related(*(["area"] if isinstance(node, Organization) else [])).get(pk=node.pk)


def require_manage(actor, node):
    """Raise 404 when `node` is outside the actor's view, 403 when it is visible but not manageable."""
    if can(actor, "orgs.manage", node):
        return
    if can(actor, "view", node):
        raise PermissionDenied(_("You may not change this."))
    raise Http404


# -- validation ---------------------------------------------------------------


def clean_new_sectors(new_sectors):
    """Known NewSector tags, de-duplicated, in a stable order."""
    tags = list(dict.fromkeys(new_sectors or ()))
    unknown = sorted(set(tags) - set(NewSector.values))
    if unknown:
        raise ValidationError({"new_sectors": _("Unknown new-sector tags: %s") % ", ".join(unknown)})
    return tags


def _level_order(area):
    return AreaLevel.order(area.level)


def validate_placement(*, kind, area, parent, children=()):
    """Parent/child sanity of one organization; raises ValidationError.

    - it serves an area inside its parent's area (a street federation under a
      district federation serves a street of that district);
    - women's homes hang under a women's federation and have nothing under them;
    - a civilization-practice body is a center, institute or station, i.e. it
      serves a district, street or community, strictly below a civ_center parent.
    `children` are the organization's current children (for updates and moves).
    """
    errors = {}
    if parent is not None:
        if parent.kind in VENUE_KINDS:
            errors["parent"] = _("A women's home cannot have organizations under it.")
        elif not area.path.startswith(parent.area.path):
            errors["area"] = _("The area served must lie within the parent organization's area (%(area)s).") % {
                "area": parent.area.name
            }
        elif kind == OrganizationKind.CIV_CENTER and parent.kind == OrganizationKind.CIV_CENTER:
            if _level_order(area) <= _level_order(parent.area):
                errors["area"] = _("A practice institute or station serves a smaller area than its center.")
    if kind in VENUE_KINDS:
        if parent is None or parent.kind != OrganizationKind.WOMENS_FEDERATION:
            errors["parent"] = _("A women's home belongs to a women's federation.")
        if children:
            errors["kind"] = _("A women's home cannot have organizations under it.")
    if kind == OrganizationKind.CIV_CENTER and area.level not in CIV_CENTER_TITLES:
        errors["area"] = _("A practice center serves a district, an institute a street, a station a community.")
    for child in children:
        if not child.area.path.startswith(area.path):
            errors["area"] = _("%(child)s serves an area outside this one.") % {"child": child.name}
            break
        if kind == OrganizationKind.CIV_CENTER and child.kind == OrganizationKind.CIV_CENTER:
            if _level_order(child.area) <= _level_order(area):
                errors["kind"] = _("%(child)s must serve a smaller area than this one.") % {"child": child.name}
                break
    if errors:
        raise ValidationError(errors)


def _check_name(name):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the organization a name.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("At most %d characters.") % NAME_MAX_LENGTH})
    return name


def _check_kind(kind):
    if kind not in OrganizationKind.values:
        raise ValidationError({"kind": _("Unknown organization kind.")})
    return kind


def check_unique_name(name, kind, parent, exclude_pk=None):
    """No two organizations of one kind with one name under the same parent."""
    if parent is None:
        siblings = Organization.objects.filter(depth=1)
    else:
        siblings = Organization.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
    siblings = siblings.filter(name=name, kind=kind)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        raise ValidationError({"name": _("There is already an organization of this kind with this name here.")})


def validate_organization(*, parent, name, kind, area, new_sectors=(), founded_on=None):
    """The cleaned fields of a new organization; raises ValidationError."""
    if area is None:
        raise ValidationError({"area": _("Choose the area the organization serves.")})
    name = _check_name(name)
    kind = _check_kind(kind)
    new_sectors = clean_new_sectors(new_sectors)
    validate_placement(kind=kind, area=area, parent=parent)
    check_unique_name(name, kind, parent)
    return dict(parent=parent, name=name, kind=kind, area=area, new_sectors=new_sectors, founded_on=founded_on)


# -- organizations ------------------------------------------------------------


def check_create_organization(actor, *, parent, name, kind, area, new_sectors=(), founded_on=None):
    parent, area = fresh(parent), fresh(area)
    require_manage(actor, parent if parent is not None else area)
    fields = validate_organization(
        parent=parent, name=name, kind=kind, area=area, new_sectors=new_sectors, founded_on=founded_on
    )
    return do_create_organization(**fields)


@transaction.atomic
def do_create_organization(*, parent, name, kind, area, new_sectors=(), founded_on=None):
    fields = dict(name=name, kind=kind, area=area, new_sectors=list(new_sectors), founded_on=founded_on)
    if parent is None:
        return Organization.objects.add_root(create_kwargs=fields)
    # add_child locks the parent row itself.
    return Organization.objects.add_child(parent, create_kwargs=fields)


def get_parent(organization):
    return None if organization.depth == 1 else Organization.objects.get_parent(organization)


def check_update_organization(actor, organization, *, parent=UNSET, **changes):
    """Change name, kind, area, new_sectors or founded_on, and/or move under `parent`.

    Only the final state is validated, so an organization can change its
    parent and its area in one step (a community federation re-homed to
    another street). `parent=None` moves it to the top.
    """
    organization = fresh(organization)
    if parent is not UNSET:
        parent = fresh(parent)
    if changes.get("area") is not None:
        changes["area"] = fresh(changes["area"])
    require_manage(actor, organization)
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
    if "name" in changes:
        changes["name"] = _check_name(changes["name"])
    if "kind" in changes:
        changes["kind"] = _check_kind(changes["kind"])
    if "new_sectors" in changes:
        changes["new_sectors"] = clean_new_sectors(changes["new_sectors"])
    if "area" in changes and changes["area"] is None:
        raise ValidationError({"area": _("Choose the area the organization serves.")})

    current_parent = get_parent(organization)
    moving = parent is not UNSET and _pk(parent) != _pk(current_parent)
    if moving:
        if parent is not None:
            require_manage(actor, parent)
            if parent.path.startswith(organization.path):
                raise ValidationError({"parent": _("An organization cannot move under itself.")})
        else:
            require_manage(actor, changes.get("area", organization.area))
    new_parent = parent if moving else current_parent

    if moving or {"kind", "area"} & set(changes):
        validate_placement(
            kind=changes.get("kind", organization.kind),
            area=changes.get("area", organization.area),
            parent=new_parent,
            children=list(Organization.objects.get_children(organization).select_related("area")),
        )
    if moving or {"name", "kind"} & set(changes):
        check_unique_name(
            changes.get("name", organization.name),
            changes.get("kind", organization.kind),
            new_parent,
            exclude_pk=organization.pk,
        )
    return do_update_organization(organization, parent=parent if moving else UNSET, **changes)


@transaction.atomic
def do_update_organization(organization, *, parent=UNSET, **changes):
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    # Tree order (node_order_by) is fixed at insertion; a rename does not re-sort siblings.
    locked.save(update_fields=list(changes))
    if parent is not UNSET:
        _move(locked, parent)
    organization.refresh_from_db()
    return organization


def check_move_organization(actor, organization, parent):
    """Move an organization (and everything under it) under `parent`, or to the top when None."""
    return check_update_organization(actor, organization, parent=parent)


def do_move_organization(organization, parent):
    return do_update_organization(organization, parent=parent)


def _move(node, parent):
    manager = Organization.objects
    if parent is None:
        if node.depth != 1:
            manager.move(node, manager.get_first_root_node(), pos="sorted-sibling")
    else:
        target = manager.select_for_update().get(pk=parent.pk)
        manager.move(node, target, pos="sorted-child")


# -- memberships --------------------------------------------------------------


def validate_membership(user, organization, role, exclude_pk=None):
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Unknown membership role.")})
    if not user.is_active:
        raise ValidationError({"user": _("This account is disabled.")})
    same = Membership.objects.filter(organization=organization)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    # Adding a role a person once held (and left) makes that row active again; a changed role must
    # not collide with any row of the person's.
    holding = same.filter(user=user, role=role)
    if (holding.active() if exclude_pk is None else holding).exists():
        raise ValidationError({"role": _("This person already holds this role here.")})
    # One chair per organization; a person may chair several (交叉任职).
    if role == MembershipRole.CHAIR and same.active().filter(role=MembershipRole.CHAIR).exists():
        raise ValidationError({"role": _("This organization already has a chair.")})


def check_add_membership(actor, user, organization, role, since=None):
    organization = fresh(organization)
    require_manage(actor, organization)
    validate_membership(user, organization, role)
    return do_add_membership(user, organization, role, since=since)


@transaction.atomic
def do_add_membership(user, organization, role, since=None):
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role, defaults={"since": since}
    )
    if not created and membership.status != MembershipStatus.ACTIVE:
        membership.status, membership.since, membership.decided_by = MembershipStatus.ACTIVE, since, None
        membership.save(update_fields=["status", "since", "decided_by", "updated_at"])
    return membership


def check_update_membership(actor, membership, *, role=None, since=None):
    require_manage(actor, fresh(membership.organization))
    role = role or membership.role
    validate_membership(membership.user, membership.organization, role, exclude_pk=membership.pk)
    return do_update_membership(membership, role=role, since=since)


@transaction.atomic
def do_update_membership(membership, *, role, since=None):
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    locked.role, locked.since = role, since
    locked.save(update_fields=["role", "since", "updated_at"])
    membership.role, membership.since = role, since
    return membership


def check_remove_membership(actor, membership):
    require_manage(actor, fresh(membership.organization))
    do_remove_membership(membership)


@transaction.atomic
def do_remove_membership(membership):
    Membership.objects.filter(pk=membership.pk).delete()


# -- pairings -----------------------------------------------------------------


def validate_pairing(unit, kind, area=None, station=None):
    """A unit pairs with exactly one of an area (包片联村) or a practice station (“1+1+1”)."""
    if kind not in PairingKind.values:
        raise ValidationError({"kind": _("Unknown pairing kind.")})
    if (area is None) == (station is None):
        raise ValidationError({"area": _("Pair the unit with either an area or a station, not both.")})
    if station is not None:
        if station.kind != OrganizationKind.CIV_CENTER:
            raise ValidationError({"station": _("Units pair with a civilization practice center, institute or station.")})
        if station.pk == unit.pk:
            raise ValidationError({"station": _("A unit cannot pair with itself.")})
        if kind == PairingKind.AREA_LINK:
            raise ValidationError({"kind": _("An area link pairs a unit with an area.")})
        if Pairing.objects.filter(unit=unit, station=station).exists():
            raise ValidationError({"station": _("This unit is already paired with this station.")})
    elif Pairing.objects.filter(unit=unit, area=area).exists():
        raise ValidationError({"area": _("This unit is already paired with this area.")})
    if unit.kind in VENUE_KINDS:
        raise ValidationError({"unit": _("A women's home cannot be a paired unit.")})


def check_create_pairing(actor, unit, kind, area=None, station=None, since=None):
    unit, area, station = fresh(unit), fresh(area), fresh(station)
    # Either side may set the pairing up: the unit, or whoever runs the station / area.
    target = station if station is not None else area
    if not can(actor, "orgs.manage", unit) and not (target is not None and can(actor, "orgs.manage", target)):
        require_manage(actor, unit)
    validate_pairing(unit, kind, area=area, station=station)
    return do_create_pairing(unit, kind, area=area, station=station, since=since)


@transaction.atomic
def do_create_pairing(unit, kind, area=None, station=None, since=None):
    Organization.objects.select_for_update().filter(pk=unit.pk).first()
    return Pairing.objects.create(unit=unit, kind=kind, area=area, station=station, since=since)


def check_update_pairing(actor, pairing, *, since):
    require_manage(actor, fresh(pairing.unit))
    return do_update_pairing(pairing, since=since)


@transaction.atomic
def do_update_pairing(pairing, *, since):
    Pairing.objects.select_for_update().filter(pk=pairing.pk).update(since=since)
    pairing.since = since
    return pairing


def check_delete_pairing(actor, pairing):
    require_manage(actor, fresh(pairing.unit))
    do_delete_pairing(pairing)


@transaction.atomic
def do_delete_pairing(pairing):
    Pairing.objects.filter(pk=pairing.pk).delete()
