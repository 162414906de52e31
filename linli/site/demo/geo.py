"""Demo polygons: jittered lattices, so neighbouring areas share edges exactly.

Every lattice point is rounded once and reused by all the cells around it, so
adjoining polygons have identical shared vertices: no gaps, no overlaps. The
jitter is seeded, so the demo draws the same map every time.
"""

import random

ROUND = 6  # ≈ 0.1 m


def _point(lng, lat):
    return (round(lng, ROUND), round(lat, ROUND))


def lattice(west, south, east, north, cols, rows, jitter, seed):
    """(cols+1) × (rows+1) points, points[i][j] at column i, row j (south to north).

    Every point moves by up to `jitter` of a cell in each direction.
    """
    rng = random.Random(seed)
    dx, dy = (east - west) / cols, (north - south) / rows
    return [
        [
            _point(west + i * dx + rng.uniform(-jitter, jitter) * dx, south + j * dy + rng.uniform(-jitter, jitter) * dy)
            for j in range(rows + 1)
        ]
        for i in range(cols + 1)
    ]


def subdivide(corners, cols, rows, jitter, seed):
    """Split a quadrilateral (sw, se, ne, nw) into cols × rows cells.

    Points on the quadrilateral's edges stay on its (straight) edges; inner
    points are jittered. Returns points[i][j] like `lattice`.
    """
    rng = random.Random(seed)
    sw, se, ne, nw = corners

    def at(u, v):
        lng = (1 - u) * (1 - v) * sw[0] + u * (1 - v) * se[0] + u * v * ne[0] + (1 - u) * v * nw[0]
        lat = (1 - u) * (1 - v) * sw[1] + u * (1 - v) * se[1] + u * v * ne[1] + (1 - u) * v * nw[1]
        return lng, lat

    points = []
    for i in range(cols + 1):
        column = []
        for j in range(rows + 1):
            u, v = i / cols, j / rows
            if 0 < i < cols and 0 < j < rows:
                u += rng.uniform(-jitter, jitter) / cols
                v += rng.uniform(-jitter, jitter) / rows
            if (i, j) in ((0, 0), (cols, 0), (cols, rows), (0, rows)):
                column.append(corners[[(0, 0), (cols, 0), (cols, rows), (0, rows)].index((i, j))])
            else:
                column.append(_point(*at(u, v)))
        points.append(column)
    return points


def cell_corners(points, i, j):
    """The four corners of cell (i, j), counter-clockwise from the south-west."""
    return points[i][j], points[i + 1][j], points[i + 1][j + 1], points[i][j + 1]


def outline(points):
    """The outer ring of a lattice, counter-clockwise, as a list of points (not closed)."""
    cols, rows = len(points) - 1, len(points[0]) - 1
    ring = [points[i][0] for i in range(cols)]
    ring += [points[cols][j] for j in range(rows)]
    ring += [points[i][rows] for i in range(cols, 0, -1)]
    ring += [points[0][j] for j in range(rows, 0, -1)]
    return ring


def polygon(ring):
    """A GeoJSON Polygon from an open ring of (lng, lat) points."""
    coordinates = [list(p) for p in ring]
    return {"type": "Polygon", "coordinates": [coordinates + [coordinates[0]]]}


def ring_with_extra_points(corners, extra):
    """A cell's ring with `extra[(a, b)]` points inserted along edge a→b (shared with a subdivided cell)."""
    ring = []
    for k, a in enumerate(corners):
        b = corners[(k + 1) % len(corners)]
        ring.append(a)
        ring.extend(extra.get((a, b), ()))
    return ring


def edge_points(sub):
    """{(corner a, corner b): points strictly between} for each edge of a subdivided cell, both directions."""
    cols, rows = len(sub) - 1, len(sub[0]) - 1
    sw, se, ne, nw = sub[0][0], sub[cols][0], sub[cols][rows], sub[0][rows]
    edges = {
        (sw, se): [sub[i][0] for i in range(1, cols)],
        (se, ne): [sub[cols][j] for j in range(1, rows)],
        (ne, nw): [sub[i][rows] for i in range(cols - 1, 0, -1)],
        (nw, sw): [sub[0][j] for j in range(rows - 1, 0, -1)],
    }
    edges.update({(b, a): list(reversed(points)) for (a, b), points in list(edges.items())})
    return edges
