"""Benchmark `linli.places.locate` over 10,000 grids.

    .venv/bin/python bench/locate.py [--grids 10000] [--points 100000] [--seed 1]

Builds a throwaway SQLite database in a temporary folder (never touches var/),
imports a generated city → district → street → communities → grids tree with
`import_areas` (so the import is timed too), then times the index build and
lookups over random points. Grids tile the area without gaps: a jittered
lattice whose cell edges are shared polylines, ~20 vertices per grid, about
300 m across, like surveyed community grids. See bench/README.md.
"""

import argparse
import gc
import json
import math
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CELL = 0.003  # degrees, ~300 m
WEST, SOUTH = 118.0, 24.4
EDGE_POINTS = 4  # intermediate points on each shared edge → 4 + 4*4 = 20 vertices


def configure(tmp):
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["LINLI_VAR_DIR"] = str(tmp)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def lattice(columns, rows, rng):
    """Jittered corner points and shared edge polylines of a columns × rows grid."""
    jitter = CELL * 0.2
    corners = {
        (i, j): (round(WEST + i * CELL + rng.uniform(-jitter, jitter), 7), round(SOUTH + j * CELL + rng.uniform(-jitter, jitter), 7))
        for i in range(columns + 1)
        for j in range(rows + 1)
    }

    def edge(a, b):
        (x0, y0), (x1, y1) = corners[a], corners[b]
        points = []
        for k in range(1, EDGE_POINTS + 1):
            t = k / (EDGE_POINTS + 1)
            wobble = rng.uniform(-0.08, 0.08) * CELL
            # Wobble across the edge (perpendicular), small enough to keep cells simple.
            dx, dy = x1 - x0, y1 - y0
            length = math.hypot(dx, dy)
            points.append((round(x0 + t * dx - dy / length * wobble, 7), round(y0 + t * dy + dx / length * wobble, 7)))
        return points

    horizontal = {(i, j): edge((i, j), (i + 1, j)) for i in range(columns) for j in range(rows + 1)}
    vertical = {(i, j): edge((i, j), (i, j + 1)) for i in range(columns + 1) for j in range(rows)}

    def cell(i, j):
        ring = [corners[i, j], *horizontal[i, j], corners[i + 1, j], *vertical[i + 1, j], corners[i + 1, j + 1]]
        ring += [*reversed(horizontal[i, j + 1]), corners[i, j + 1], *reversed(vertical[i, j]), corners[i, j]]
        return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}

    return cell


def feature_collection(grids, rng):
    columns = 100
    rows = math.ceil(grids / columns)
    cell = lattice(columns, rows, rng)

    def feature(code, name, level, parent, geometry=None):
        props = {"code": code, "name": name, "level": level, "parent_code": parent}
        return {"type": "Feature", "geometry": geometry, "properties": props}

    features = [
        feature("3502", "厦门市", "city", None),
        feature("350211", "集美区", "district", "3502"),
        feature("350211001", "集美街道", "street", "350211"),
    ]
    made = 0
    for j in range(rows):  # one community per lattice row of 100 grids
        community = f"350211001{j + 1:03d}"
        features.append(feature(community, f"第{j + 1}社区", "community", "350211001"))
        for i in range(columns):
            if made == grids:
                break
            features.append(feature(f"{community}{i + 1:03d}", f"第{i + 1}网格", "grid", community, cell(i, j)))
            made += 1
    bounds = (WEST, SOUTH, WEST + columns * CELL, SOUTH + rows * CELL)
    return {"type": "FeatureCollection", "features": features}, bounds


def best_of(fn, repeat=3):
    """(fastest seconds, result) of a few runs, to keep GC pauses out of one-off timings."""
    best, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def timed_loop(fn, points):
    started = time.perf_counter()
    for lat, lng in points:
        fn(lat, lng)
    return (time.perf_counter() - started) / len(points) * 1e6


def percentiles(fn, points):
    samples = []
    clock = time.perf_counter
    for lat, lng in points:
        t = clock()
        fn(lat, lng)
        samples.append((clock() - t) * 1e6)
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    try:
        configure(tmp)
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp):
    import shapely
    from django.core.management import call_command

    from linli.places import locate as loc
    from linli.places.coords import wgs84_to_gcj02

    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)

    data, (west, south, east, north) = feature_collection(args.grids, rng)
    path = tmp / "grids.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    started = time.perf_counter()
    call_command("import_areas", str(path), stdout=open(os.devnull, "w"))
    import_seconds = time.perf_counter() - started

    # Cold start as a process sees it (fingerprint + read + build), then its parts.
    loc.invalidate_grid_index()
    started = time.perf_counter()
    index = loc.get_grid_index()
    build_total = time.perf_counter() - started
    rows = list(loc._rows())
    tree_seconds, _ = best_of(lambda: loc.GridIndex(rows))
    fingerprint_ms = best_of(loc._fingerprint)[0] * 1000
    del rows

    # Points over the tiled block plus a 5% margin, so some fall outside every grid.
    mx, my = (east - west) * 0.05, (north - south) * 0.05
    points = [(rng.uniform(south - my, north + my), rng.uniform(west - mx, east + mx)) for _ in range(args.points)]

    # Correctness against brute force on a sample: lowest code among covering grids.
    polygons = [shapely.geometry.shape(f["geometry"]) for f in data["features"] if f["geometry"]]
    codes = [f["properties"]["code"] for f in data["features"] if f["geometry"]]
    for lat, lng in points[:300]:
        hits = [c for c, p in zip(codes, polygons) if p.intersects(shapely.Point(lng, lat))]
        assert loc.locate_code(lat, lng) == (min(hits) if hits else None), (lat, lng)

    feature_count = len(data["features"])
    vertices = statistics.mean(len(f["geometry"]["coordinates"][0]) - 1 for f in data["features"] if f["geometry"])
    # Drop the generated file's millions of small objects: a server holds no such heap,
    # and full GC passes over it would show up as multi-millisecond lookups.
    del data, polygons, codes
    gc.collect()

    hit_rate = sum(loc.locate_id(lat, lng) is not None for lat, lng in points) / len(points)
    results = [
        ("GridIndex.lookup_id (index only)", timed_loop(index.lookup_id, points), percentiles(index.lookup_id, points)),
        ("locate_id (input check + index)", timed_loop(loc.locate_id, points), percentiles(loc.locate_id, points)),
        ("locate_code", timed_loop(loc.locate_code, points), percentiles(loc.locate_code, points)),
    ]
    few = points[:5_000]
    results.append(("locate (fetches the Area row)", timed_loop(loc.locate, few), percentiles(loc.locate, few)))
    gcj = [wgs84_to_gcj02(lat, lng) for lat, lng in few]
    results.append(("locate_gcj02 (convert + fetch)", timed_loop(loc.locate_gcj02, gcj), percentiles(loc.locate_gcj02, gcj)))

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Shapely {shapely.__version__}, GEOS {shapely.geos_version_string}, SQLite")
    print(f"grids: {len(index)} (~{vertices:.0f} vertices each), features imported: {feature_count}")
    print(f"import_areas: {import_seconds:.1f} s ({feature_count / import_seconds:.0f} features/s)")
    print(f"index build: {build_total * 1000:.0f} ms cold (fingerprint + reading boundaries + shapes + STRtree), "
          f"of which {tree_seconds * 1000:.0f} ms shapes + STRtree; freshness check (fingerprint query): {fingerprint_ms:.1f} ms")
    print(f"points: {len(points)} random, {hit_rate:.0%} inside a grid; brute-force check of 300: ok")
    print(f"{'lookup':36} {'mean µs':>8} {'p50 µs':>8} {'p99 µs':>8}")
    for name, mean, (p50, p99) in results:
        print(f"{name:36} {mean:8.1f} {p50:8.1f} {p99:8.1f}")
    print(f"target < 50 µs per lookup: {'met' if results[1][1] < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
