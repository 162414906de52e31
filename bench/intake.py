"""Benchmark case intake over HTTP on PostgreSQL: cases/s through gunicorn, next to
the raw PostgreSQL single-row insert+commit rate measured in the same run.

    .venv/bin/python bench/intake.py [--reports 3000] [--clients 8] [--workers 4] [--seconds 120]
                                     [--runs eager,celery] [--raw-rows 8000] [--profile] [--keep]

1. Creates the throwaway database linli_bench_intake on 127.0.0.1 (dropped at the
   end unless --keep), migrates it, loads the demo's place tree and organizations
   (坑内社区's 15 grids with their polygons), the case categories and routing rules
   of linli/cases/demo.py, and one resident with an API token.
2. Counts the SQL statements of one intake (CaptureQueriesContext): check_report's
   own transaction, the outbox relay of its message, the whole POST /api/cases/;
   then times each part in process (one thread) to show where the time goes.
3. For each HTTP run (--runs): starts gunicorn (config.wsgi, --workers sync workers,
   127.0.0.1:<free port>, DEBUG=0), warms every worker up, then POSTs --reports JSON
   reports (no photos, random points in the 15 grids) from --clients threads, each on
   its own persistent HTTP/1.1 connection (http.client reopens when the sync worker
   closes it); prints cases/s, latency percentiles, and the CPU time each part of the
   machine spent per intake (gunicorn, PostgreSQL, Celery + Redis, the load generator),
   read from /proc, with the rate those two cores could reach at that cost. Runs:
     eager   the embedded default: the outbox relay runs in the request's process
     celery  the relay on a Celery worker (a private redis-server on a free port, one
             worker process), as in production; reports when the outbox is drained
4. Measures the raw PostgreSQL rate at the same concurrency: --clients threads, each
   with its own psycopg connection, single-row INSERT + COMMIT into a copy of the
   cases table (same columns, same indexes, no foreign keys).
5. With --profile: cProfile over 300 in-process POSTs (one thread), top functions.

Bounded: each HTTP run stops after --seconds whatever the count. Only 127.0.0.1.
"""

import sys
from pathlib import Path

# bench/ must not be on the path: bench/queue.py would shadow the standard library's queue.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse  # noqa: E402
import contextlib
import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time

from bench._common import (  # noqa: E402
    ROOT,
    bench_env,
    fmt_ms,
    cpu_by_group,
    free_port,
    in_session,
    machine,
    migrate,
    pg_conninfo,
    postgres_of,
    summary_ms,
    throwaway_database,
    timed,
)

DBNAME = "linli_bench_intake"
API_PATH = "/api/cases/"
LABELS = {
    "eager": "POST /api/cases/, relay in process after commit (embedded default)",
    "celery": "POST /api/cases/, relay on Celery (private Redis, one worker)",
}
CATEGORIES = ["manhole-cover", "street-light", "exposed-garbage", "street-vending", "illegal-parking",
              "building-door", "leaking-ceiling", "water-main-burst", "illegal-flyers", "road-damage"]
TEXTS = [
    "井盖松动，车一压就哐哐响。",
    "路灯不亮，晚上回家路上很黑。",
    "后巷卫生死角，垃圾堆了好几天。",
    "早市摊贩占道经营，行人只能走机动车道。",
    "共享电动车乱停在盲道上。",
    "单元防盗门坏了，门禁刷不开。",
    "楼上卫生间漏水到我家天花板。",
    "楼前自来水管破裂，路面冒水。",
    "楼道里贴满了小广告。",
    "人行道地砖松动破损。",
]


# -- set-up -----------------------------------------------------------------------------------


def setup_data():
    """The demo's places and organizations, categories and routing, one resident with a token."""
    from linli.accounts.actions import do_assign_role, do_issue_token
    from linli.accounts.models import User
    from linli.cases.demo import CaseLoader
    from linli.site.demo import Loader
    from linli.places.models import Area

    loader = Loader()
    loader.superuser()
    loader.places()
    loader.organizations()
    cases = CaseLoader(loader)
    cases.category_tree()
    cases.organizations()
    cases.routing()
    community = Area.objects.get(code="350203001001")
    resident = User.objects.create_user(phone="13900009999", name="压测居民", password=None)
    do_assign_role(resident, "resident", area=community)
    token = do_issue_token(resident, "bench")
    grids = list(Area.objects.filter(level="grid", path__startswith=community.path))
    return resident, token, grids


def random_points(grids, count, rng):
    """Points inside the grids (rejection sampling on each grid's bounding box)."""
    from shapely import Point
    from shapely.geometry import shape

    shapes = [shape(grid.boundary) for grid in grids]
    points = []
    while len(points) < count:
        polygon = rng.choice(shapes)
        west, south, east, north = polygon.bounds
        lng, lat = rng.uniform(west, east), rng.uniform(south, north)
        if polygon.contains(Point(lng, lat)):
            points.append((round(lat, 6), round(lng, 6)))
    return points


def payloads(points, rng):
    return [
        json.dumps({
            "category": rng.choice(CATEGORIES),
            "description": rng.choice(TEXTS),
            "lat": lat,
            "lng": lng,
            "channel": "snapshot",
        }, ensure_ascii=False).encode()
        for lat, lng in points
    ]


# -- statements per intake, and where the time goes (in process, one thread) ----------------------


@contextlib.contextmanager
def relay_deferred():
    """As with Celery: the after-commit kick publishes to the broker and runs no SQL here."""
    from linli.core import outbox

    real = outbox.kick_relay
    outbox.kick_relay = lambda: None
    try:
        yield
    finally:
        outbox.kick_relay = real


def report_call(resident, body):
    from linli.cases import actions
    from linli.cases.models import Category

    data = json.loads(body)
    category = Category.objects.get(code=data["category"])
    kwargs = dict(description=data["description"], channel="snapshot", lat=data["lat"], lng=data["lng"])
    user_model = type(resident)

    def report(user=None):
        # by default a fresh user each time, as a request has (its scopes are not cached yet)
        return actions.check_report(user or user_model.objects.get(pk=resident.pk), category=category, **kwargs)

    return report


def count_statements(resident, token, body):
    """Captured statements of: check_report (relay deferred), the in-process relay of its
    message, and the whole POST /api/cases/ request as the embedded default runs it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from linli.core import outbox

    report = report_call(resident, body)
    report()  # warm: grid index, calendar, caches
    user = type(resident).objects.get(pk=resident.pk)  # fresh, as a request's: no scopes cached
    with relay_deferred():
        with CaptureQueriesContext(connection) as captured:
            report(user)
    intake = list(captured.captured_queries)  # copy now: a later request resets the query log
    with CaptureQueriesContext(connection) as captured:
        outbox.relay_pending()
    relay = list(captured.captured_queries)

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(API_PATH, body, content_type="application/json")
    assert response.status_code == 201, (response.status_code, response.content[:500])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(API_PATH, body, content_type="application/json")
    assert response.status_code == 201, (response.status_code, response.content[:500])
    return intake, relay, list(captured.captured_queries)


def print_statements(title, queries, show=True):
    print(f"  {title}: {len(queries)} statements")
    for query in queries if show else ():
        sql = " ".join(query["sql"].split())
        print(f"    {sql[:140]}{'…' if len(sql) > 140 else ''}")


def breakdown(resident, token, bodies):
    """p50 of each part of an intake, in process, one thread, no profiler."""
    from django.test import Client

    from linli.core import outbox

    def p50(fn, runs=150):
        return summary_ms(timed(fn, runs, warmup=10))["p50"]

    report = report_call(resident, bodies[0])
    with relay_deferred():
        intake = p50(report)
        both = p50(lambda: (report(), outbox.relay_pending()))
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    posts = iter(bodies)
    whole = p50(lambda: client.post(API_PATH, next(posts), content_type="application/json"))
    return {"check_report (relay deferred)": intake, "relay of its message, in process": both - intake,
            "whole POST /api/cases/ in process": whole}


# -- the HTTP run --------------------------------------------------------------------------------


class Process:
    """A child in its own session, so stopping it stops its children (gunicorn's workers) too."""

    def __init__(self, argv, env, log=None):
        self.log = log
        output = open(log, "ab") if log else None  # helpers' chatter goes to a file, shown if they fail
        self.process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
                                        stdout=output, stderr=subprocess.STDOUT if output else None)

    def check(self):
        if self.process.poll() is not None:
            tail = open(self.log, encoding="utf-8", errors="replace").read()[-2000:] if self.log else ""
            raise SystemExit(f"{self.process.args[0]} exited with {self.process.returncode}\n{tail}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Server(Process):
    def __init__(self, env, workers, app="config.wsgi"):
        self.port = free_port()
        super().__init__(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), app, "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "60"],
            env,
        )

    def wait(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")


def start_broker_and_worker(env, tmp):
    """A private redis-server on a free port and one Celery worker (one process) for the relay."""
    port = free_port()
    redis = Process(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--loglevel", "warning"], {}, log=tmp / "redis.log")
    env = {**env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    time.sleep(0.5)
    redis.check()
    worker = Process([str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "--pool", "solo",
                      "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"], env,
                     log=tmp / "celery.log")
    return env, [worker, redis]


def unsent(dbname):
    import psycopg

    with psycopg.connect(pg_conninfo(dbname), autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM core_outboxmessage WHERE sent_at IS NULL").fetchone()[0]


def http_run(args, tmp, token, warmup_bodies, bodies, mode):
    """One HTTP run; returns its figures. Modes: "eager" (the embedded default: the outbox relay
    runs in the request's process after commit), "celery" (the relay on a Celery worker over a
    private Redis)."""
    env = bench_env(DBNAME, tmp)
    helpers = []
    if mode == "celery":
        env, helpers = start_broker_and_worker(env, tmp)
    server = Server(env, args.workers)
    drained = None
    groups = {
        "gunicorn (the app)": in_session(server.process.pid),
        "PostgreSQL": postgres_of(DBNAME),
        "Celery worker + Redis": in_session(*(helper.process.pid for helper in helpers)),
    }
    try:
        server.wait()
        drive(server.port, API_PATH, json_headers(token), warmup_bodies, args.clients, 60)  # every worker warms up
        cpu_before, client_before = cpu_by_group(groups), time.process_time()
        elapsed, latencies, statuses, errors = drive(
            server.port, API_PATH, json_headers(token), bodies, args.clients, args.seconds)
        client_cpu = time.process_time() - client_before
        ended = time.perf_counter()
        while unsent(DBNAME) and time.perf_counter() - ended < 120:
            for helper in helpers:
                helper.check()
            time.sleep(0.05)
        drained = time.perf_counter() - ended
        cpu_after = cpu_by_group(groups)
    finally:
        server.stop()
        for helper in helpers:
            helper.stop()
    cpu = {name: cpu_after[name] - cpu_before[name] for name in groups if name in cpu_after}
    cpu["load generator (8 client threads)"] = client_cpu
    return elapsed, latencies, statuses, errors, drained, unsent(DBNAME), cpu


def json_headers(token):
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}


def drive(port, path, headers, bodies, clients, seconds):
    """POST every body to `path` from `clients` threads, each on its own persistent connection;
    returns (elapsed, latencies, statuses, errors)."""
    latencies, statuses, errors = [], {}, []
    lock = threading.Lock()
    next_index = iter(range(len(bodies)))
    deadline = time.monotonic() + seconds
    start = threading.Barrier(clients + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        start.wait()
        while time.monotonic() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            began = time.perf_counter()
            try:
                conn.request("POST", path, bodies[index], headers)
                response = conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()  # http.client reopens on the next request
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                with lock:
                    errors.append(repr(error))
                continue
            mine.append(time.perf_counter() - began)
            codes[response.status] = codes.get(response.status, 0) + 1
            if response.status != 201 and len(errors) < 5:
                with lock:
                    errors.append(f"{response.status}: {payload[:300]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, statuses, errors


# -- raw PostgreSQL ---------------------------------------------------------------------------------


def raw_insert_rate(dbname, clients, rows):
    """Single-row INSERT + COMMIT into a copy of cases_case (columns and indexes, no FKs)."""
    import psycopg

    with psycopg.connect(pg_conninfo(dbname), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_case")
        conn.execute("CREATE TABLE bench_raw_case (LIKE cases_case INCLUDING ALL)")
        cursor = conn.execute("SELECT * FROM cases_case ORDER BY id DESC LIMIT 1")
        columns = [d.name for d in cursor.description]
        template = dict(zip(columns, cursor.fetchone()))
    insert_columns = [c for c in columns if c != "id"]
    sql = (f"INSERT INTO bench_raw_case ({', '.join(insert_columns)}) "
           f"VALUES ({', '.join(['%s'] * len(insert_columns))})")
    per_client = rows // clients
    latencies, lock = [], threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(n):
        mine = []
        with psycopg.connect(pg_conninfo(dbname), autocommit=False) as conn:
            row = dict(template)
            start.wait()
            for i in range(per_client):
                row["number"] = f"R{n:02d}-{i:07d}"
                values = [json.dumps(row[c]) if isinstance(row[c], (dict, list)) else row[c] for c in insert_columns]
                began = time.perf_counter()
                conn.execute(sql, values, prepare=True)
                conn.commit()
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    with psycopg.connect(pg_conninfo(dbname), autocommit=True) as conn:
        stored = conn.execute("SELECT count(*) FROM bench_raw_case").fetchone()[0]
        conn.execute("DROP TABLE bench_raw_case")
    return len(columns), stored, elapsed, latencies


# -- profile ---------------------------------------------------------------------------------------


def profile(token, bodies):
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    for body in bodies[:20]:
        client.post(API_PATH, body, content_type="application/json")
    sample = bodies[20:320]
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for body in sample:
        client.post(API_PATH, body, content_type="application/json")
    profiler.disable()
    elapsed = time.perf_counter() - began
    print(f"\nprofile: {len(sample)} POSTs in process, one thread: {elapsed / len(sample) * 1000:.2f} ms each "
          f"(with the profiler's overhead)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


# -- main ------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=3000, help="reports per HTTP run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120, help="stop each HTTP run after this long")
    parser.add_argument("--runs", default="eager,celery",
                        help="HTTP runs, comma-separated: eager, celery (see http_run)")
    parser.add_argument("--raw-rows", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also cProfile 300 POSTs in process")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    modes = [mode.strip() for mode in args.runs.split(",") if mode.strip()]
    if not set(modes) <= set(LABELS):
        parser.error(f"--runs: choose from {', '.join(LABELS)}")

    print(f"machine: {machine()}")
    with throwaway_database(DBNAME, keep=args.keep) as tmp:
        started = time.perf_counter()
        migrate()
        resident, token, grids = setup_data()
        warmup = args.workers * 50
        per_run = warmup + args.reports
        bodies = payloads(random_points(grids, per_run * len(modes) + 1000, rng), rng)
        extra = bodies[per_run * len(modes):]
        print(f"set-up (migrate, demo places and organizations, case categories and routing): "
              f"{time.perf_counter() - started:.1f} s")

        intake, relay, request = count_statements(resident, token, extra[0])
        print("\nSQL statements per intake")
        print_statements("check_report() (the intake transaction; relay deferred as with Celery)", intake)
        print_statements("the outbox relay of its message, in process after commit (embedded default)", relay)
        print_statements("POST /api/cases/, whole request as the embedded default runs it", request, show=False)
        parts = breakdown(resident, token, extra[1:])
        print("\nwhere an intake's time goes (in process, one thread, p50):")
        for name, ms in parts.items():
            print(f"  {name:40} {ms:6.2f} ms")

        from django.db import connections

        connections.close_all()
        results = {}
        for n, mode in enumerate(modes):
            chunk = bodies[n * per_run:(n + 1) * per_run]
            elapsed, latencies, statuses, errors, drained, left, cpu = http_run(
                args, tmp, token, chunk[:warmup], chunk[warmup:], mode)
            created = statuses.get(201, 0)
            results[mode] = created / elapsed
            print(f"\nHTTP intake, {LABELS[mode]}: gunicorn {args.workers} sync workers, {args.clients} clients, "
                  f"JSON without photos")
            print(f"  {created} cases in {elapsed:.2f} s = {created / elapsed:.0f} cases/s   statuses {statuses}")
            if latencies:
                print(f"  latency {fmt_ms(summary_ms(latencies))}")
            if mode != "eager":
                print(f"  outbox drained {drained:.1f} s after the last response ({left} unsent)")
            if created:
                per_intake = {name: seconds / created * 1000 for name, seconds in cpu.items()}
                total = sum(per_intake.values())
                cores = os.cpu_count() or 1
                print(f"  CPU per intake: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in per_intake.items()))
                print(f"  = {total:.2f} ms of CPU per intake; {cores} cores at that cost reach "
                      f"{cores * 1000 / total:.0f} cases/s when nothing else runs")
            for error in errors[:5]:
                print(f"  error: {error}")

        columns, stored, raw_elapsed, raw_latencies = raw_insert_rate(DBNAME, args.clients, args.raw_rows)
        raw = stored / raw_elapsed
        print(f"\nraw PostgreSQL: {args.clients} connections, single-row INSERT + COMMIT into a copy of cases_case "
              f"({columns} columns, its indexes)")
        print(f"  {stored} rows in {raw_elapsed:.2f} s = {raw:.0f} rows/s   latency {fmt_ms(summary_ms(raw_latencies))}")

        print()
        for mode, rate in results.items():
            print(f"intake ({mode}): {rate:.0f} cases/s = {rate / raw:.1%} of the raw single-row commit rate; "
                  f"target ≥ 500 cases/s: {'met' if rate >= 500 else 'NOT met'}")
        print(f"statements per intake (check_report's transaction): {len(intake)}; target ≤ 10: "
              f"{'met' if len(intake) <= 10 else 'NOT met'}"
              f"{'' if not relay else f' (+ {len(relay)} for the in-process relay of the embedded default)'}")
        if args.profile:
            profile(token, extra[200:])


if __name__ == "__main__":
    main()
