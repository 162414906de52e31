"""Benchmark Open311 intake on PostgreSQL: POST /open311/v2/requests.json beside POST /api/cases/,
against the same gunicorn in the same run.

    .venv/bin/python bench/open311.py [--requests 2000] [--clients 8] [--workers 4] [--seconds 120] [--keep]

1. Creates the throwaway database linli_bench_open311 on 127.0.0.1 (dropped at the end unless
   --keep), migrates it, loads what bench/intake.py loads (the demo's places, organizations,
   categories and routing rules; a resident with an API token), then an Open311 key of the
   first department (rate limit 100,000 per minute) and two questions on the manhole service
   (one required list, one number), which every Open311 request answers.
2. Counts the SQL statements of one request of each kind in process (CaptureQueriesContext).
3. Starts gunicorn (config.wsgi, --workers sync workers, DEBUG=0, the embedded default: outbox
   relay in process, local-memory cache, so each worker counts the key's rate on its own),
   warms every worker on both endpoints, then for each endpoint in turn POSTs --requests
   reports at random points of 坑内社区's 15 grids from --clients threads on persistent
   HTTP/1.1 connections: JSON with a bearer token to /api/cases/, form-encoded with api_key
   and attribute[...] to /open311/v2/requests.json. Prints requests/s and latency percentiles.
"""

import sys
from pathlib import Path

# bench/ must not be on the path: bench/queue.py would shadow the standard library's queue.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench._common import bench_env, fmt_ms, machine, migrate, summary_ms, throwaway_database  # noqa: E402
from bench.intake import TEXTS, Server, drive, random_points, setup_data  # noqa: E402

DBNAME = "linli_bench_open311"
API_PATH = "/api/cases/"
OPEN311_PATH = "/open311/v2/requests.json"
MANHOLE = "manhole-cover"


def setup_open311():
    """A key for the first department, and two questions on the manhole service."""
    from linli.cases.models import Category
    from linli.open311 import actions, queries
    from linli.open311.models import ServiceAttribute
    from linli.orgs.models import Organization

    organization = Organization.objects.filter(kind="department").order_by("id").first()
    _key, raw = actions.do_create_api_key(organization, "bench", rate_per_minute=100_000)
    manhole = Category.objects.get(code=MANHOLE)
    actions.check_save_service_attribute(ServiceAttribute(
        category=manhole, code="cover_state", datatype="singlevaluelist", description="井盖状态", order=1,
        required=True, values=[{"key": "missing", "name": "缺失"}, {"key": "loose", "name": "松动"}]))
    actions.check_save_service_attribute(ServiceAttribute(
        category=manhole, code="depth_cm", datatype="number", description="井深（厘米）", order=2))
    services = [found.category.code for found in queries.services()]
    assert MANHOLE in services, services
    return raw, services


def api_bodies(points, services, rng):
    return [json.dumps({"category": rng.choice(services), "description": rng.choice(TEXTS), "lat": lat, "lng": lng,
                        "channel": "snapshot"}, ensure_ascii=False).encode() for lat, lng in points]


def open311_bodies(points, services, key, rng):
    bodies = []
    for lat, lng in points:
        code = rng.choice(services)
        form = {"api_key": key, "service_code": code, "lat": lat, "long": lng, "description": rng.choice(TEXTS),
                "first_name": "小明", "last_name": "王", "phone": "13912345678", "email": "wang@example.org"}
        if code == MANHOLE:
            form.update({"attribute[cover_state]": rng.choice(["missing", "loose"]), "attribute[depth_cm]": "80"})
        bodies.append(urlencode(form).encode())
    return bodies


def count_statements(token, api_body, open311_body):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, path, body, kind, headers in (
        ("POST /api/cases/", API_PATH, api_body, "application/json", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        ("POST /open311/v2/requests.json", OPEN311_PATH, open311_body, "application/x-www-form-urlencoded", {}),
    ):
        client = Client(HTTP_HOST="127.0.0.1", **headers)
        client.post(path, body, content_type=kind)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.post(path, body, content_type=kind)
        assert response.status_code == 201, (response.status_code, response.content[:300])
        counts[name] = len(captured.captured_queries)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="POSTs per endpoint")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120, help="stop each run after this long")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(f"machine: {machine()}")
    with throwaway_database(DBNAME, keep=args.keep) as tmp:
        migrate()
        _resident, token, grids = setup_data()
        key, services = setup_open311()
        warmup = args.workers * 30
        points = random_points(grids, 2 * (warmup + args.requests) + 2, rng)
        api = api_bodies(points[: warmup + args.requests + 1], services, rng)
        o311 = open311_bodies(points[warmup + args.requests + 1:], services, key, rng)

        print("\nSQL statements per request (in process, embedded default: relay after commit)")
        for name, count in count_statements(token, api[-1], o311[-1]).items():
            print(f"  {name:34} {count}")

        from django.db import connections

        connections.close_all()
        runs = {
            "POST /api/cases/ (JSON, bearer token)": (
                API_PATH, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, api[:-1]),
            "POST /open311/v2/requests.json (form, api_key, attributes)": (
                OPEN311_PATH, {"Content-Type": "application/x-www-form-urlencoded"}, o311[:-1]),
        }
        server = Server(bench_env(DBNAME, tmp), args.workers)
        results = {}
        try:
            server.wait()
            for path, headers, bodies in runs.values():  # every worker warms its grid index and caches
                drive(server.port, path, headers, bodies[:warmup], args.clients, 60)
            for name, (path, headers, bodies) in runs.items():
                elapsed, latencies, statuses, errors = drive(
                    server.port, path, headers, bodies[warmup:], args.clients, args.seconds)
                created = statuses.get(201, 0)
                results[name] = created / elapsed
                print(f"\n{name}: gunicorn {args.workers} sync workers, {args.clients} clients, no photos")
                print(f"  {created} created in {elapsed:.2f} s = {created / elapsed:.0f} requests/s   "
                      f"statuses {statuses}")
                if latencies:
                    print(f"  latency {fmt_ms(summary_ms(latencies))}")
                for error in errors[:5]:
                    print(f"  error: {error}")
        finally:
            server.stop()
        api_rate, o311_rate = results.values()
        print(f"\nOpen311 intake at {o311_rate / api_rate:.0%} of the JSON API's rate in the same run")


if __name__ == "__main__":
    main()
