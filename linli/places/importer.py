"""Import a tree of areas from a GeoJSON FeatureCollection (`manage.py import_areas`).

Each feature has properties `code`, `name`, `level` and `parent_code` (null for
a city) and a Polygon/MultiPolygon geometry (or null). The import is
idempotent by code: a second run of the same file changes nothing, a changed
name or geometry updates the area, a changed parent moves it.

The whole file is validated before anything is written; any error gives a
per-feature report and writes nothing. Valid files are written in one
transaction, parents before children, through the actions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from .actions import area_errors, do_create_area, do_update_area
from .choices import AreaLevel, CoordSystem
from .geometry import GeometryError, clean_boundary, gcj02_geometry_to_wgs84
from .models import Area

REQUIRED_PROPERTIES = ("code", "name", "level", "parent_code")
# Rows per `code IN (...)` query: well under every backend's parameter limit.
_CHUNK = 500


@dataclass
class FeatureError:
    index: int | None  # position in `features` (0-based); None for the file as a whole
    code: str | None
    message: str

    def __str__(self):
        if self.index is None:
            return self.message
        if self.code:
            return _("Feature %(index)d (code %(code)s): %(message)s") % {
                "index": self.index,
                "code": self.code,
                "message": self.message,
            }
        return _("Feature %(index)d: %(message)s") % {"index": self.index, "message": self.message}


class ImportFileError(Exception):
    """The file cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Row:
    index: int
    code: str
    name: str
    level: str
    parent_code: str | None
    boundary: dict | None


@dataclass
class Step:
    row: Row
    kind: str  # "create", "update" or "unchanged"
    changes: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    moved: int = 0  # also counted in `updated`
    unchanged: int = 0
    dry_run: bool = False

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


# -- reading ------------------------------------------------------------------------


def _as_code(value):
    """Codes may be written as JSON strings or integers; anything else is invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def read_rows(text, coord_system=CoordSystem.WGS84):
    """Parse and check each feature on its own.

    Returns (rows, errors, invalid_codes): the valid rows, the problems found,
    and the codes of invalid features (so their children are not also reported
    as having an unknown parent). A file that is not a FeatureCollection at all
    raises ImportFileError. Geometries drawn on a GCJ-02 map (`coord_system`)
    are converted to WGS84 vertex by vertex."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            [FeatureError(None, None, _("The file is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                          % {"error": exc.msg, "line": exc.lineno, "column": exc.colno})]
        ) from None
    except RecursionError:  # nested deeper than any GeoJSON: refused like a file that is not GeoJSON
        raise ImportFileError([FeatureError(None, None, _("The file is not a GeoJSON FeatureCollection."))]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ImportFileError([FeatureError(None, None, _("The file is not a GeoJSON FeatureCollection."))])
    if not data["features"]:
        raise ImportFileError([FeatureError(None, None, _("The file contains no features."))])

    rows, errors, invalid_codes = [], [], set()
    for index, feature in enumerate(data["features"]):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(FeatureError(index, None, _("This is not a GeoJSON Feature.")))
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            errors.append(FeatureError(index, None, _("The feature has no properties.")))
            continue
        code = _as_code(props.get("code"))
        if code:
            invalid_codes.add(code)  # until the feature proves valid
        missing = [key for key in REQUIRED_PROPERTIES if key not in props]
        if missing:
            errors.append(FeatureError(index, code, _("Missing properties: %(names)s.") % {"names": ", ".join(missing)}))
            continue
        if not code:
            errors.append(FeatureError(index, None, _("The code must be a string of digits.")))
            continue
        parent_code = None if props["parent_code"] in (None, "") else _as_code(props["parent_code"])
        if props["parent_code"] not in (None, "") and not parent_code:
            errors.append(FeatureError(index, code, _("The parent code must be a string of digits or null.")))
            continue
        boundary = feature.get("geometry")
        if boundary is not None:
            if coord_system == CoordSystem.GCJ02:
                boundary = gcj02_geometry_to_wgs84(boundary)
            try:
                boundary = clean_boundary(boundary)
            except GeometryError as exc:
                errors.append(FeatureError(index, code, str(exc)))
                continue
        name = props["name"].strip() if isinstance(props["name"], str) else props["name"]
        rows.append(Row(index, code, name, props["level"], parent_code, boundary))
    invalid_codes -= {row.code for row in rows}
    return rows, errors, invalid_codes


# -- checking against the file and the database -----------------------------------


def _existing(codes):
    """Areas already stored, by code, for the given codes."""
    codes = sorted(set(codes))
    found = {}
    for start in range(0, len(codes), _CHUNK):
        for area in Area.objects.filter(code__in=codes[start : start + _CHUNK]):
            found[area.code] = area
    return found


def _codes_at_paths(paths):
    paths = sorted(set(paths))
    found = {}
    for start in range(0, len(paths), _CHUNK):
        found.update(Area.objects.filter(path__in=paths[start : start + _CHUNK]).values_list("path", "code"))
    return found


def plan(rows, errors=(), invalid_codes=frozenset()):
    """The ordered steps that would import `rows`; raise ImportFileError on any
    problem, including the `errors` already found while reading."""
    errors = list(errors)
    by_code = {}
    for row in rows:
        if row.code in by_code:
            errors.append(
                FeatureError(row.index, row.code, _("Duplicate code: feature %(first)d has it too.")
                             % {"first": by_code[row.code].index})
            )
        else:
            by_code[row.code] = row

    stored = _existing([r.code for r in rows] + [r.parent_code for r in rows if r.parent_code])
    stored_parent_codes = _codes_at_paths(a.path[: -Area.steplen] for a in stored.values() if a.depth > 1)

    steps = []
    for row in rows:
        if by_code.get(row.code) is not row:
            continue  # a duplicate, already reported
        parent_level = None
        if row.parent_code:
            parent = by_code.get(row.parent_code) or stored.get(row.parent_code)
            if row.parent_code in invalid_codes and parent is None:
                continue  # the parent's own error says it all
            if parent is None:
                errors.append(
                    FeatureError(row.index, row.code, _("Unknown parent %(parent)s: it is neither in this file nor in the database.")
                                 % {"parent": row.parent_code})
                )
                continue
            parent_level = parent.level
            if parent_level not in AreaLevel.values:
                continue  # the parent's unknown level is reported on the parent
        problems = area_errors(
            name=row.name, level=row.level, code=row.code, parent_level=parent_level, parent_code=row.parent_code
        )
        current = stored.get(row.code)
        if current is not None and "level" not in problems and current.level != row.level:
            problems["level"] = _("The area exists as a %(old)s; its level cannot change to %(new)s.") % {
                "old": current.get_level_display(),
                "new": AreaLevel(row.level).label,
            }
        for message in problems.values():
            errors.append(FeatureError(row.index, row.code, message))
        if problems:
            continue

        if current is None:
            steps.append(Step(row, "create"))
            continue
        changes = {}
        if current.name != row.name:
            changes["name"] = row.name
        if current.boundary != row.boundary:
            changes["boundary"] = row.boundary
        if stored_parent_codes.get(current.path[: -Area.steplen]) != row.parent_code:
            changes["parent"] = row.parent_code
        steps.append(Step(row, "update" if changes else "unchanged", changes))

    if errors:
        errors.sort(key=lambda e: (-1 if e.index is None else e.index))
        raise ImportFileError(errors)
    # Parents before children; within a level by code, so treebeard appends
    # each new child after its siblings instead of shifting them.
    steps.sort(key=lambda s: (AreaLevel.order(s.row.level), s.row.code))
    return steps


# -- writing ------------------------------------------------------------------------


def import_text(text, *, dry_run=False, coord_system=CoordSystem.WGS84, progress=None, progress_every=500):
    """Validate the whole file, then write it in one transaction (unless `dry_run`).

    `progress(done, total)` is called every `progress_every` written features."""
    steps = plan(*read_rows(text, coord_system))
    result = ImportResult(dry_run=dry_run)
    for step in steps:
        if step.kind == "create":
            result.created += 1
        elif step.kind == "update":
            result.updated += 1
            result.moved += "parent" in step.changes
        else:
            result.unchanged += 1
    if dry_run:
        return result

    with transaction.atomic():
        areas = _existing(
            [s.row.code for s in steps if s.kind == "update"]
            + [s.row.parent_code for s in steps if s.kind != "unchanged" and s.row.parent_code]
        )
        for done, step in enumerate(steps, start=1):
            row = step.row
            parent = areas.get(row.parent_code) if row.parent_code else None
            if step.kind == "create":
                areas[row.code] = do_create_area(
                    parent=parent, name=row.name, level=row.level, code=row.code, boundary=row.boundary
                )
            elif step.kind == "update":
                changes = dict(step.changes)
                if "parent" in changes:
                    changes["parent"] = parent
                areas[row.code] = do_update_area(areas[row.code], **changes)
            if progress and done % progress_every == 0:
                progress(done, len(steps))
    return result
