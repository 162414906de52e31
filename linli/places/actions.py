"""Writes to the place tree. Views, admin, commands and tests call these, never .save().

`check_*` validates input (and the actor's permission, when there is an actor;
commands and fixtures act as the system) and returns the cleaned arguments for
the matching `do_*`, which locks, writes and assumes valid input:

    area = do_create_area(**check_create_area(actor=user, parent=p, name=..., level=..., code=...))
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.scoping import scope_for

from .choices import CODE_LENGTHS, AreaLevel
from .geometry import GeometryError, centroid_of, clean_boundary
from .locate import invalidate_grid_index
from .models import Area

# "argument not given" for update actions, where None is a meaningful value.
UNSET = object()

NAME_MAX_LENGTH = Area._meta.get_field("name").max_length


# -- validation shared by actions, the importer and the admin --------------------


def parent_level_of(level):
    """The level directly above `level`, or None for the top (city)."""
    index = AreaLevel.order(level)
    return AreaLevel.values[index - 1] if index > 0 else None


def parent_code_of(code, level):
    """The code of the parent an area's code implies (its prefix), or None for a city."""
    above = parent_level_of(level)
    return code[: CODE_LENGTHS[above]] if above else None


def area_errors(*, name, level, code, parent_level, parent_code):
    """Field → message for an area placed under a parent of `parent_level`/`parent_code`
    (both None for a root). Pure: no database access, so the importer can check a
    whole file against parents that exist only in the file."""
    errors = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = _("The name is required.")
    elif len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = _("The name is longer than %(n)d characters.") % {"n": NAME_MAX_LENGTH}

    if level not in AreaLevel.values:
        errors["level"] = _("Unknown level %(level)s; use one of: %(levels)s.") % {
            "level": level,
            "levels": ", ".join(AreaLevel.values),
        }
        return errors
    label = AreaLevel(level).label
    expected = AreaLevel.child_of(parent_level) if parent_level else AreaLevel.CITY
    if parent_level is None and level != AreaLevel.CITY:
        errors["level"] = _("Only a city can be at the top of the tree; a %(level)s needs a parent.") % {"level": label}
    elif parent_level is not None and expected is None:
        errors["level"] = _("A grid cannot contain other areas.")
    elif level != expected:
        errors["level"] = _("A %(parent)s can only contain %(child)s areas, not %(level)s.") % {
            "parent": AreaLevel(parent_level).label,
            "child": AreaLevel(expected).label,
            "level": label,
        }

    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        errors["code"] = _("The code must consist of digits only.")
    elif len(code) != CODE_LENGTHS[level]:
        errors["code"] = _("A %(level)s code has %(n)d digits, this one has %(got)d.") % {
            "level": label,
            "n": CODE_LENGTHS[level],
            "got": len(code),
        }
    elif parent_code and not code.startswith(parent_code):
        errors["code"] = _("The code %(code)s does not start with its parent's code %(parent)s.") % {
            "code": code,
            "parent": parent_code,
        }
    return errors


def _check_boundary(boundary, errors):
    if boundary is None:
        return None
    try:
        return clean_boundary(boundary)
    except GeometryError as exc:
        errors["boundary"] = str(exc)
        return None


def _check_permission(actor, parent):
    if actor is None:
        return  # the system itself: commands, fixtures, migrations
    scope = scope_for(actor, "places.manage")
    allowed = scope.is_global if parent is None else scope.contains_area(parent)
    if not allowed:
        raise PermissionDenied(_("You cannot change areas here."))


def _grids_changed():
    # Now, so this process (and a test, which never commits) stops using the old
    # index; and again after commit, so a lookup racing the transaction cannot
    # keep an index built from the data before it.
    invalidate_grid_index()
    transaction.on_commit(invalidate_grid_index)


# -- create -----------------------------------------------------------------------


def check_create_area(*, actor=None, parent, name, level, code, boundary=None):
    _check_permission(actor, parent)
    name = name.strip() if isinstance(name, str) else name
    errors = area_errors(
        name=name,
        level=level,
        code=code,
        parent_level=parent.level if parent else None,
        parent_code=parent.code if parent else None,
    )
    boundary = _check_boundary(boundary, errors)
    if "code" not in errors and Area.objects.filter(code=code).exists():
        errors["code"] = _("An area with the code %(code)s already exists.") % {"code": code}
    if errors:
        raise ValidationError(errors)
    return dict(parent=parent, name=name, level=level, code=code, boundary=boundary)


@transaction.atomic
def do_create_area(*, parent, name, level, code, boundary=None):
    lat, lng = centroid_of(boundary) if boundary else (None, None)
    fields = dict(name=name, level=level, code=code, boundary=boundary, centroid_lat=lat, centroid_lng=lng)
    if parent is None:
        area = Area.objects.add_root(create_kwargs=fields)
    else:
        # add_child locks the parent row (select_for_update) and re-reads it.
        area = Area.objects.add_child(parent, create_kwargs=fields)
    if level == AreaLevel.GRID:
        _grids_changed()
    return area


# -- update and move --------------------------------------------------------------


def _parent_path(area):
    return area.path[: -Area.steplen] or None


def check_update_area(area, *, actor=None, name=UNSET, code=UNSET, boundary=UNSET, parent=UNSET):
    """Validate changes to an area. Moving it means giving a new `parent` (of the
    same level as the old one) and a `code` that extends the new parent's code;
    its descendants' codes follow the new prefix."""
    current_parent = None
    if _parent_path(area):
        current_parent = Area.objects.get(path=_parent_path(area))
    _check_permission(actor, area)
    if parent is not UNSET and (parent.pk if parent else None) != (current_parent.pk if current_parent else None):
        _check_permission(actor, parent)
    new_parent = current_parent if parent is UNSET else parent
    new_name = area.name if name is UNSET else (name.strip() if isinstance(name, str) else name)
    new_code = area.code if code is UNSET else code

    errors = area_errors(
        name=new_name,
        level=area.level,
        code=new_code,
        parent_level=new_parent.level if new_parent else None,
        parent_code=new_parent.code if new_parent else None,
    )
    new_boundary = area.boundary
    if boundary is not UNSET:
        new_boundary = _check_boundary(boundary, errors)
    if "code" not in errors and new_code != area.code:
        if Area.objects.filter(code=new_code).exists():
            errors["code"] = _("An area with the code %(code)s already exists.") % {"code": new_code}
        else:
            # Descendants are renumbered under the new prefix; none may collide.
            renumbered = [
                new_code + c[len(area.code) :]
                for c in Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk).values_list("code", flat=True)
            ]
            if renumbered and Area.objects.filter(code__in=renumbered).exclude(path__startswith=area.path).exists():
                errors["code"] = _("Renumbering the areas under %(code)s would collide with existing codes.") % {
                    "code": new_code
                }
    if errors:
        raise ValidationError(errors)

    changes = {}
    if new_name != area.name:
        changes["name"] = new_name
    if new_code != area.code:
        changes["code"] = new_code
    if boundary is not UNSET and new_boundary != area.boundary:
        changes["boundary"] = new_boundary
    if new_parent != current_parent:
        changes["parent"] = new_parent
    return changes


@transaction.atomic
def do_update_area(area, *, name=UNSET, code=UNSET, boundary=UNSET, parent=UNSET):
    """Apply validated changes (see check_update_area); returns the fresh area."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    old_code = area.code
    if name is not UNSET:
        area.name = name
    if code is not UNSET:
        area.code = code
    if boundary is not UNSET:
        area.boundary = boundary
        area.centroid_lat, area.centroid_lng = centroid_of(boundary) if boundary else (None, None)

    if parent is not UNSET and parent is not None:
        # Fresh and locked: the caller's copy may predate an earlier move.
        parent = Area.objects.select_for_update().get(pk=parent.pk)
    if parent is not UNSET and (parent.path if parent else None) != _parent_path(area):
        if parent is None:
            raise ValueError("Only a city is a root, and a city never moves.")
        # treebeard rewrites the paths of the whole subtree and both parents' counts,
        # then refreshes area.path/depth; the fields set above are saved below.
        Area.objects.move(area, parent, pos="sorted-child")

    area.save()

    if area.code != old_code:
        now = timezone.now()
        descendants = list(
            Area.objects.select_for_update().filter(path__startswith=area.path).exclude(pk=area.pk).only("code")
        )
        for node in descendants:
            node.code = area.code + node.code[len(old_code) :]
            node.updated_at = now  # so other processes' grid fingerprints change
        Area.objects.bulk_update(descendants, ["code", "updated_at"], batch_size=500)
    # The index holds grid codes and shapes: any grid change or renumbering matters.
    if area.level == AreaLevel.GRID or area.code != old_code:
        _grids_changed()
    return area


# -- delete -----------------------------------------------------------------------


def check_delete_area(area, *, actor=None):
    _check_permission(actor, area)
    if Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk).exists():
        raise ValidationError(_("Delete or move the areas under %(name)s first.") % {"name": area.name})
    return dict(area=area)


@transaction.atomic
def do_delete_area(area):
    area = Area.objects.select_for_update().get(pk=area.pk)
    is_grid = area.level == AreaLevel.GRID
    area.delete()  # treebeard fixes the parent's child count
    if is_grid:
        _grids_changed()
