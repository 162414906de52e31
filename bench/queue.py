"""Benchmark the command-center queue and the ledger at 1,000,000 cases on PostgreSQL.

    .venv/bin/python bench/queue.py [--cases 1000000] [--runs 50] [--explain] [--keep]

1. Creates the throwaway database linli_bench_queue on 127.0.0.1 (dropped at the end
   unless --keep), migrates it, and builds a city of 10 streets × 10 communities × 8
   grids, plus 坑内社区 (开元街道) with its 15 grids, the demo's case categories and
   routing units, command centers on 开元街道 and on the city, community staff on
   坑内社区, a department handler and 2,000 residents (through the actions).
2. Seeds --cases cases with one INSERT … SELECT generate_series per 100,000 rows
   (foreign-key triggers off for the session, secondary indexes dropped during the
   load and rebuilt after), spread over three years with more recent cases, 10 % in
   坑内社区's 15 grids and the rest over the other 800 grids, statuses by age (old
   cases mostly closed, a tail still open and overdue), the time limits, unit,
   ratings, rework counts and timestamps a real case would carry, then the events of
   every case (report, and each step it went through), 1 % followed, 0.5 % assisted;
   VACUUM ANALYZE.
3. Times, --runs times each after warm-up, with a fresh user per run (a request loads
   its user and scopes): the queue's first page (desk_for(dispatcher) through
   CaseFilterSet, newest first, 50 rows, as the page and the API build it), a
   filtered page (status + category + overdue), the status counts the queue page
   shows, the whole GET /cases/queue/ page and GET /api/cases/ in process, the same
   for the city's command center and 坑内社区's staff, a unit's inbox, and
   ledger(开元街道, last 365 days). Prints p50/p95 and, for anything over its target
   (or everything with --explain), EXPLAIN (ANALYZE, BUFFERS) of its slowest statements.
   The changes an earlier run suggested (S1–S4 in bench/README.md) are in the code now:
   the queue counts the desk only, no DISTINCT, jit and parallel workers off for web
   connections (settings), and the covering index case_ledger (a migration).
"""

import sys
from pathlib import Path

# bench/ must not be on the path: bench/queue.py would shadow the standard library's queue.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse  # noqa: E402
import time
from datetime import timedelta

from bench._common import fmt_ms, machine, migrate, pg_conninfo, summary_ms, throwaway_database

DBNAME = "linli_bench_queue"
CHUNK = 100_000
STREETS, COMMUNITIES, GRIDS = 10, 10, 8
KENGNEI_SHARE = 0.10
RESIDENTS = 2000
QUEUE_TARGET_MS, LEDGER_TARGET_MS = 50, 300


# -- places, categories, people -----------------------------------------------------------------


def build_world():
    from linli.accounts.actions import do_assign_role
    from linli.accounts.models import User
    from linli.cases.demo import CaseLoader, HANDLERS, MUNICIPAL
    from linli.site.demo import Loader
    from linli.orgs.models import Organization
    from linli.places.actions import do_create_area
    from linli.places.models import Area

    loader = Loader()
    loader.superuser()
    loader.places()  # 厦门市, 6 districts, 开元街道's 12 communities, 坑内社区's 15 grids
    loader.organizations()
    cases = CaseLoader(loader)
    cases.category_tree()
    cases.organizations()
    cases.routing()

    # Ten more streets of ten communities of eight grids, without polygons (the queue never locates).
    district = Area.objects.get(code="350206")
    grids = []
    for s in range(1, STREETS + 1):
        street = do_create_area(parent=district, name=f"压测{s}街道", level="street", code=f"350206{100 + s:03d}")
        for c in range(1, COMMUNITIES + 1):
            community = do_create_area(parent=street, name=f"压测{s}-{c}社区", level="community",
                                       code=f"{street.code}{c:03d}")
            for g in range(1, GRIDS + 1):
                grids.append(do_create_area(parent=community, name=f"第{g}网格", level="grid",
                                            code=f"{community.code}{g:03d}"))
    kengnei = list(Area.objects.filter(code__startswith="350203001001", level="grid").order_by("code"))

    users = User.objects.bulk_create(
        [User(phone=f"139{n:08d}", name=f"居民{n}", password="!") for n in range(RESIDENTS)]
    )
    community = Area.objects.get(code="350203001001")
    dispatcher = User.objects.create_user(phone="13800000006", name="王海峰", password=None)
    do_assign_role(dispatcher, "command_center", area=Area.objects.get(code="350203001"))
    staff = User.objects.create_user(phone="13800000005", name="郑美玲", password=None)
    do_assign_role(staff, "community_staff", area=community, tier="head")
    city = User.objects.create_user(phone="13800000012", name="市指挥中心", password=None)
    do_assign_role(city, "command_center", area=Area.objects.get(code="3502"))
    handler = User.objects.create_user(phone="13800000007", name="刘建国", password=None)
    municipal = Organization.objects.get(name=MUNICIPAL)
    do_assign_role(handler, "department_handler", organization=municipal)
    units = [Organization.objects.get(name=name).pk for name in HANDLERS]
    return {
        "kengnei": kengnei, "grids": grids, "users": [u.pk for u in users], "units": units,
        "categories": cases.categories, "dispatcher": dispatcher, "staff": staff, "handler": handler, "city": city,
        "municipal": municipal,
    }


# -- seeding --------------------------------------------------------------------------------------

# Status by age, as cumulative thresholds over one random number: (status, up to).
OLD = [("closed", 0.880), ("rejected", 0.920), ("verified", 0.930), ("resolved", 0.940), ("in_progress", 0.970),
       ("dispatched", 0.980), ("accepted", 0.988), ("reported", 0.994), ("returned", 1.0)]
RECENT = [("reported", 0.08), ("accepted", 0.14), ("dispatched", 0.24), ("in_progress", 0.44), ("returned", 0.46),
          ("resolved", 0.56), ("verified", 0.62), ("closed", 0.97), ("rejected", 1.0)]
STEP = {"reported": 0, "rejected": 1, "accepted": 1, "dispatched": 2, "returned": 2, "in_progress": 3,
        "resolved": 4, "verified": 5, "closed": 6}


def status_case(column, table):
    parts = " ".join(f"WHEN {column} < {upto} THEN '{status}'" for status, upto in table)
    return f"CASE {parts} END"


def seed_cases(conn, world, total, now):
    """INSERT … SELECT generate_series in chunks; returns seconds spent."""
    grids_k = [g.pk for g in world["kengnei"]]
    codes_k = [g.code for g in world["kengnei"]]
    grids_o = [g.pk for g in world["grids"]]
    codes_o = [g.code for g in world["grids"]]
    from linli.places.models import Area

    street_of = {a.code: a.pk for a in Area.objects.filter(level="street")}
    queue_k = [street_of[c[:9]] for c in codes_k]
    queue_o = [street_of[c[:9]] for c in codes_o]
    leaves = [c for c in world["categories"].values() if c.is_leaf()]
    from linli.cases.routing import limits_for

    limits = [limits_for(c) for c in leaves]
    cat_ids = [c.pk for c in leaves]
    accept_h = [lim.accept_hours or 4 for lim in limits]
    resolve_d = [lim.resolve_days or 3 for lim in limits]
    prio = [int(lim.priority) for lim in limits]
    params = {
        "gk": grids_k, "ck": codes_k, "qk": queue_k, "go": grids_o, "co": codes_o, "qo": queue_o,
        "cats": cat_ids, "ah": accept_h, "rd": resolve_d, "pr": prio, "units": world["units"],
        "users": world["users"], "now": now,
    }
    n_users, n_units, n_cats, n_k, n_o = len(world["users"]), len(world["units"]), len(cat_ids), len(grids_k), len(grids_o)

    def pick(array, kind, fraction, n):
        """Element of an array parameter chosen by a fraction in [0, 1)."""
        return f"(%({array})s::{kind}[])[1 + least({n} - 1, floor(({fraction}) * {n})::int)]"

    k_frac, o_frac = f"r_area / {KENGNEI_SHARE}", f"(r_area - {KENGNEI_SHARE}) / {1 - KENGNEI_SHARE}"

    def by_area(array_k, array_o, kind):
        return (f"CASE WHEN r_area < {KENGNEI_SHARE} THEN {pick(array_k, kind, k_frac, n_k)} "
                f"ELSE {pick(array_o, kind, o_frac, n_o)} END")

    status_expr = (f"CASE WHEN created < %(now)s - interval '30 days' THEN {status_case('r_st', OLD)} "
                   f"ELSE {status_case('r_st', RECENT)} END")
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in STEP.items())
    step_expr = f"CASE status {whens} END"
    accept_due = "created + make_interval(hours => (%(ah)s::int[])[1 + cat])"
    resolve_due = "created + make_interval(hours => 2, days => (%(rd)s::int[])[1 + cat])"
    sql = f"""
    INSERT INTO cases_case (
        id, number, channel, category_id, description, address, lat, lng, area_id, area_code, unlocated,
        status, priority, reporter_id, reporter_name, reporter_phone, show_reporter_name, queue_area_id,
        unit_id, escalation_level, board_area_id, published_at, accept_due, resolve_due, sla_state,
        sla_escalated, supervised, reminder_count, rework_count, reopened, rating, rating_comment,
        created_at, updated_at, accepted_at, dispatched_at, resolved_at, closed_at, rated_at)
    SELECT
        g, extract(year from created)::int || '-' || lpad(g::text, 7, '0'),
        (ARRAY['snapshot','snapshot','snapshot','patrol','patrol','hotline','walk_in','api'])[1 + floor(r_ch * 8)::int],
        (%(cats)s::bigint[])[1 + cat], '随手拍：' || g, '', 24.46 + r_pt * 0.02, 118.09 + r_ch * 0.03,
        {by_area("gk", "go", "bigint")}, {by_area("ck", "co", "text")}, false,
        status, (%(pr)s::int[])[1 + cat],
        CASE WHEN r_ch < 0.7 THEN {pick("users", "bigint", "r_pt", n_users)} END,
        '', '', false, {by_area("qk", "qo", "bigint")},
        CASE WHEN step >= 2 THEN {pick("units", "bigint", "r_x", n_units)} END,
        0, NULL, NULL,
        {accept_due},
        CASE WHEN step >= 2 THEN {resolve_due} END,
        CASE
            WHEN status = 'reported' AND {accept_due} < %(now)s THEN 'overdue'
            WHEN status IN ('dispatched', 'in_progress', 'returned') AND {resolve_due} < %(now)s THEN 'overdue'
            ELSE 'on_track' END,
        false, false, 0, CASE WHEN step >= 4 AND r_x < 0.04 THEN 1 ELSE 0 END, false,
        CASE WHEN status = 'closed' AND r_x < 0.7 THEN
            CASE WHEN r_r < 0.70 THEN 5 WHEN r_r < 0.88 THEN 4 WHEN r_r < 0.95 THEN 3 WHEN r_r < 0.98 THEN 2 ELSE 1 END
        END,
        '',
        created, created + make_interval(hours => step * 6),
        CASE WHEN step >= 1 THEN created + interval '1 hour' END,
        CASE WHEN step >= 2 THEN created + interval '2 hours' END,
        CASE WHEN step >= 4 THEN resolved END,
        CASE WHEN step >= 6 THEN resolved + interval '1 day' END,
        CASE WHEN status = 'closed' AND r_x < 0.7 THEN resolved + interval '2 days' END
    FROM (
        SELECT *, {step_expr} AS step,
               created + make_interval(secs => 3600 * (3 + r_res * 24 * (%(rd)s::int[])[1 + cat] * 1.3)) AS resolved
        FROM (
            SELECT *, {status_expr} AS status FROM (
                SELECT g,
                       %(now)s - make_interval(secs => 1095 * 86400 * power(random(), 1.25)) AS created,
                       random() AS r_area, random() AS r_st, random() AS r_ch, random() AS r_pt,
                       random() AS r_x, random() AS r_r, random() AS r_res,
                       least({n_cats} - 1, floor(random() * {n_cats})::int) AS cat
                FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
            ) raw
        ) with_status
    ) rows
    """
    started = time.perf_counter()
    conn.execute("SELECT setseed(0.42)")
    for lo in range(1, total + 1, CHUNK):
        hi = min(total, lo + CHUNK - 1)
        conn.execute(sql, {**params, "lo": lo, "hi": hi})
        print(f"\r  cases {hi:,} / {total:,}  {time.perf_counter() - started:5.1f} s", end="", flush=True)
    print()
    conn.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case))")
    return time.perf_counter() - started


def seed_events(conn, world):
    """One event per step each case went through (report, accept, dispatch, sign, resolve, verify, close, rate)."""
    steps = [("report", "", "reported", 0, "0 hours"), ("accept", "reported", "accepted", 1, "1 hour"),
             ("dispatch", "accepted", "dispatched", 2, "2 hours"), ("sign", "dispatched", "in_progress", 3, "3 hours"),
             ("resolve", "in_progress", "resolved", 4, None), ("verify", "resolved", "verified", 5, None),
             ("close", "verified", "closed", 6, None)]
    step_of = " ".join(f"WHEN '{k}' THEN {v}" for k, v in STEP.items())
    started = time.perf_counter()
    for action, source, target, step, after in steps:
        when = f"c.created_at + interval '{after}'" if after else (
            "c.resolved_at" if action == "resolve" else
            "c.resolved_at + interval '12 hours'" if action == "verify" else "c.closed_at")
        conn.execute(f"""
            INSERT INTO cases_caseevent (case_id, actor_id, action, from_status, to_status, note, data, created_at)
            SELECT c.id, c.reporter_id, '{action}', '{source}', '{target}', '', '{{}}'::jsonb, {when}
            FROM cases_case c WHERE (CASE c.status {step_of} END) >= {step}
              AND ({step} <> 1 OR c.status <> 'rejected') AND ({step} <> 2 OR c.status <> 'rejected')
        """)
        print(f"\r  events through {action:8} {time.perf_counter() - started:5.1f} s", end="", flush=True)
    conn.execute("""
        INSERT INTO cases_caseevent (case_id, actor_id, action, from_status, to_status, note, data, created_at)
        SELECT id, NULL, 'reject', 'reported', 'rejected', '不予受理', '{}'::jsonb, created_at + interval '1 hour'
        FROM cases_case WHERE status = 'rejected'""")
    conn.execute("""
        INSERT INTO cases_caseevent (case_id, actor_id, action, from_status, to_status, note, data, created_at)
        SELECT id, reporter_id, 'rate', 'closed', 'closed', '', jsonb_build_object('rating', rating), rated_at
        FROM cases_case WHERE rating IS NOT NULL""")
    conn.execute("""
        INSERT INTO cases_caseevent (case_id, actor_id, action, from_status, to_status, note, data, created_at)
        SELECT id, NULL, 'rework', 'resolved', 'in_progress', '返工', '{}'::jsonb, resolved_at - interval '1 hour'
        FROM cases_case WHERE rework_count > 0""")
    print()
    users = world["users"]
    conn.execute("""
        INSERT INTO cases_casefollower (case_id, user_id, created_at)
        SELECT id, (%(users)s::bigint[])[1 + (id * 7919) %% %(n)s], created_at + interval '1 hour'
        FROM cases_case WHERE id %% 100 = 7""", {"users": users, "n": len(users)})
    conn.execute("""
        INSERT INTO cases_caseassist (case_id, unit_id, created_at)
        SELECT id, %(unit)s, dispatched_at FROM cases_case
        WHERE id %% 200 = 3 AND unit_id IS NOT NULL AND unit_id <> %(unit)s""", {"unit": world["municipal"].pk})
    return time.perf_counter() - started


def seed(world, total):
    """The bulk load: FK triggers off, secondary indexes dropped and rebuilt, then VACUUM ANALYZE."""
    import psycopg
    from django.utils import timezone

    now = timezone.now()
    tables = ["cases_case", "cases_caseevent", "cases_casefollower", "cases_caseassist"]
    with psycopg.connect(pg_conninfo(DBNAME), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers: values are valid by construction
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '64MB'")
        indexes = conn.execute("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = ANY(%s) AND i.schemaname = 'public'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", [tables]).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        case_seconds = seed_cases(conn, world, total, now)
        event_seconds = seed_events(conn, world)
        started = time.perf_counter()
        for _name, definition in indexes:
            conn.execute(definition)
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for table in tables:
            conn.execute(f"VACUUM ANALYZE {table}")
        vacuum_seconds = time.perf_counter() - started
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        statuses = dict(conn.execute("SELECT status, count(*) FROM cases_case GROUP BY 1 ORDER BY 2 DESC").fetchall())
        overdue = conn.execute("SELECT count(*) FROM cases_case WHERE sla_state = 'overdue'").fetchone()[0]
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"  cases {case_seconds:.1f} s, events/followers/assists {event_seconds:.1f} s, "
          f"{len(indexes)} secondary indexes {index_seconds:.1f} s, VACUUM ANALYZE {vacuum_seconds:.1f} s; "
          f"database {size}")
    print(f"  rows: {', '.join(f'{t} {n:,}' for t, n in counts.items())}")
    print(f"  statuses: {', '.join(f'{s} {n:,}' for s, n in statuses.items())}; overdue {overdue:,}")
    return now


# -- measuring ------------------------------------------------------------------------------------


def fresh(user):
    """The user as a new request sees it: no cached scopes."""
    return type(user).objects.get(pk=user.pk)


def querydict(data):
    """Filter values as a request's GET carries them (status is a multiple choice)."""
    from urllib.parse import urlencode

    from django.http import QueryDict

    return QueryDict(urlencode(data, doseq=True))


def filterset(user, data):
    from linli.cases import queries

    return filterset_on(queries.desk_for(user), data)  # the queue page's base


def filterset_on(queryset, data):
    from linli.cases.filters import CaseFilterSet

    fs = CaseFilterSet(querydict(data), queryset=queryset, request=None)
    if not fs.is_valid():
        raise SystemExit(f"CaseFilterSet refused {data}: {fs.errors}")
    return fs.qs


def first_page(user, data):
    from linli.cases.filters import keyset_page

    qs = filterset(user, data).select_related("category", "area", "unit")
    page = keyset_page(qs, size=50)
    return list(getattr(page, "object_list", page))


def measure(name, fn, runs, target_ms, explain):
    """Times fn (after warm-up), then prints p50/p95 and EXPLAIN of its slow statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    for _ in range(3):
        fn()
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    stats = summary_ms(samples)
    verdict = "" if target_ms is None else ("  ok" if stats["p95"] <= target_ms else f"  OVER {target_ms} ms")
    print(f"{name:52} {fmt_ms(stats)}  {len(captured)} statements{verdict}")
    if explain or (target_ms is not None and stats["p95"] > target_ms):
        slow = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
        for query in slow:
            # Only statements that matter: with a handful of ~1 ms statements, the time is Python's.
            if not explain and float(query["time"]) * 1000 < max(5, (target_ms or 0) / 10):
                continue
            print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of a {float(query['time']) * 1000:.1f} ms statement:")
            print("  " + " ".join(query["sql"].split())[:1500])
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                for (line,) in cursor.fetchall():
                    print("    " + line)
            print()
    return stats, result


def run(args, world, now):
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from linli.accounts.actions import do_issue_token
    from linli.cases import queries
    from linli.places.models import Area

    dispatcher, handler, staff = world["dispatcher"], world["handler"], world["staff"]
    # A filtered page: a busy category, open and overdue (the "chase late work" view).
    from linli.cases.models import Case

    busy = (Case.objects.filter(sla_state="overdue", area_code__startswith="350203001")
            .values("status", "category__code").annotate(n=Count("id")).order_by("-n").first())
    filtered = {"status": busy["status"], "category": busy["category__code"], "overdue": "true"}
    street = Area.objects.get(code="350203001")
    token = do_issue_token(dispatcher, "bench")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    scoped = queries.cases_for(fresh(dispatcher)).count()
    print(f"\ndispatcher 开元街道 sees {scoped:,} cases; filtered page: {filtered}")
    print(f"{'':52} ({args.runs} runs each, a fresh user per run)")

    results = {}
    results["queue"] = measure("queue first page (cases_for + CaseFilterSet, 50)",
                               lambda: first_page(fresh(dispatcher), {}), args.runs, QUEUE_TARGET_MS, args.explain)
    results["filtered"] = measure("filtered page (status + category + overdue)",
                                  lambda: first_page(fresh(dispatcher), filtered), args.runs, QUEUE_TARGET_MS,
                                  args.explain)
    results["counts"] = measure("status counts of the queue page (queue_counts)",
                                lambda: queries.queue_counts(filterset(fresh(dispatcher), {})), args.runs,
                                QUEUE_TARGET_MS, args.explain)
    results["counts_filtered"] = measure(
        "status counts under the filters (category + overdue)",
        lambda: queries.queue_counts(filterset(fresh(dispatcher), {k: v for k, v in filtered.items() if k != "status"})),
        args.runs, QUEUE_TARGET_MS, args.explain)

    def api():
        response = client.get("/api/cases/")
        assert response.status_code == 200, response.content[:300]

    def api_filtered():
        response = client.get("/api/cases/", filtered)
        assert response.status_code == 200, response.content[:300]

    page_client = Client(HTTP_HOST="127.0.0.1")
    page_client.force_login(dispatcher)

    def page(data=None):
        response = page_client.get("/cases/queue/", data or {})
        assert response.status_code == 200, response.status_code

    results["page"] = measure("GET /cases/queue/ in process (whole HTML page)", page, args.runs, QUEUE_TARGET_MS,
                              args.explain)
    results["page_filtered"] = measure("GET /cases/queue/?status&category&overdue", lambda: page(filtered), args.runs,
                                       QUEUE_TARGET_MS, args.explain)
    results["api"] = measure("GET /api/cases/ in process (whole request)", api, args.runs, QUEUE_TARGET_MS, args.explain)
    results["api_filtered"] = measure("GET /api/cases/?status&category&overdue", api_filtered, args.runs,
                                      QUEUE_TARGET_MS, args.explain)
    results["city"] = measure("queue first page, city command center (all cases)",
                              lambda: first_page(fresh(world["city"]), {}), args.runs, QUEUE_TARGET_MS, args.explain)
    results["city_filtered"] = measure("filtered page, city command center",
                                       lambda: first_page(fresh(world["city"]), filtered), args.runs, QUEUE_TARGET_MS,
                                       args.explain)
    results["community"] = measure("queue first page, community staff 坑内社区",
                                   lambda: first_page(fresh(staff), {}), args.runs, QUEUE_TARGET_MS, args.explain)
    results["inbox"] = measure("unit inbox first page (市政园林局 handler)",
                               lambda: first_page(fresh(handler), {}), args.runs, QUEUE_TARGET_MS, args.explain)
    today = now.date() if hasattr(now, "date") else now
    year_ago = today - timedelta(days=365)
    results["ledger"], ledger = measure("ledger(开元街道, last 365 days)",
                                        lambda: queries.ledger(street, year_ago, today), max(10, args.runs // 2),
                                        LEDGER_TARGET_MS, args.explain)
    print(f"  ledger: collected {getattr(ledger, 'collected', '?')}, resolved {getattr(ledger, 'resolved', '?')}, "
          f"on-time rate {getattr(ledger, 'on_time_rate', '?')}, satisfaction {getattr(ledger, 'satisfaction_rate', '?')}")
    connection.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (a new run rebuilds it)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN every measured query, not only slow ones")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    with throwaway_database(DBNAME, keep=args.keep):
        started = time.perf_counter()
        migrate()
        world = build_world()
        print(f"set-up (migrate, {len(world['grids']) + 15} grids, categories, people): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        print(f"seeding {args.cases:,} cases")
        now = seed(world, args.cases)
        print(f"  seeding total {time.perf_counter() - started:.1f} s")
        run(args, world, now)


if __name__ == "__main__":
    main()
