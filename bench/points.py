"""Benchmark the points shop and the leaderboard on PostgreSQL.

    .venv/bin/python bench/points.py [--clients 16] [--redemptions 4000] [--entries 1000000] [--runs 50]
                                     [--explain] [--keep]

1. Creates the throwaway database linli_bench_points on 127.0.0.1 (dropped at the end unless
   --keep), migrates it, and builds a city with two districts of 10 streets × 10 communities
   (through the places actions).
2. Redemptions: 400 residents of one community, 300 of them with points for every attempt
   and 100 with points for exactly 3 rewards; 4 rewards of that community (stock 1,000,000,
   one with a stock of 500 that runs out). --clients threads, each with its own database
   connection, call `actions.check_redeem` (the API's and the page's path: shop lookup, reward
   row lock, per-person count, `do_post`, stock)
   --redemptions times in all, on random residents and rewards. Prints redemptions per
   second and latency, then checks there was no lost update: every account's balance equals
   the sum of its entries and its starting points minus what its redemptions cost, no
   balance or `remaining` below zero, every reward's stock equals its start minus its
   redemptions, each low-balance resident got exactly 3.
3. Leaderboard: seeds --entries ledger entries with INSERT … SELECT generate_series
   (foreign-key triggers off for the session, secondary indexes dropped during the load and
   rebuilt after): 20,000 people over three years, 75 % earn, 20 % redeem, 3 % adjust, 2 %
   expire, spread over both districts' 800 grids; VACUUM ANALYZE. Times --runs calls of
   `queries.leaderboard` (what the page and the API call) for a district over a year (from the
   per-year totals `do_post` keeps; the same summed from the entries is timed beside it),
   a street over a quarter, a community over a month, and one person's statement, and
   prints p50/p95 (target: district × year p95 ≤ 100 ms) with EXPLAIN (ANALYZE, BUFFERS)
   of the district query (always with --explain, else when over target).
"""

import sys
from pathlib import Path

# bench/ must not be on the path: bench/queue.py would shadow the standard library's queue.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse  # noqa: E402
import random
import threading
import time
from datetime import timedelta

from bench._common import fmt_ms, machine, migrate, pg_conninfo, summary_ms, throwaway_database, timed  # noqa: E402

DBNAME = "linli_bench_points"
DISTRICTS, STREETS, COMMUNITIES, GRIDS = ("350203", "350206"), 10, 10, 4
SHOPPERS, LOW_BALANCE, COST = 300, 100, 10
PEOPLE = 20_000
CHUNK = 250_000
LEADERBOARD_TARGET_MS = 100


def build_places():
    from linli.places.actions import do_create_area

    city = do_create_area(parent=None, name="厦门市", level="city", code="3502")
    communities = []
    for d, code in enumerate(DISTRICTS):
        district = do_create_area(parent=city, name=f"区{d}", level="district", code=code)
        for s in range(1, STREETS + 1):
            street = do_create_area(parent=district, name=f"街道{d}-{s}", level="street", code=f"{code}{s:03d}")
            for c in range(1, COMMUNITIES + 1):
                communities.append(do_create_area(parent=street, name=f"社区{d}-{s}-{c}", level="community",
                                                  code=f"{street.code}{c:03d}"))
    return communities


# -- redemptions under concurrency ------------------------------------------------------------------


def bench_redemptions(communities, clients, total):
    from django.db import connection

    from linli.accounts.actions import do_assign_role
    from linli.accounts.models import User
    from linli.points.actions import PointsError, check_redeem, do_post, do_save_reward
    from linli.points.models import PointsAccount, PointsEntry, Redemption, Reward

    community = communities[0]
    people = User.objects.bulk_create(
        [User(phone=f"137{n:08d}", name=f"居民{n}", password="!") for n in range(SHOPPERS + LOW_BALANCE)])
    start_points = {}
    for n, person in enumerate(people):
        do_assign_role(person, "resident", area=community)
        points = COST * 3 if n >= SHOPPERS else COST * total  # enough for every attempt, or for exactly 3
        do_post(person, points, "earn", idempotency_key=f"seed:{person.pk}", area_code=community.code)
        start_points[person.pk] = points
    base = {"description": "", "kind": "goods", "cost": COST, "per_person_limit": None, "available_from": None,
            "available_until": None, "active": True, "community": community, "provider": None}
    rewards = [do_save_reward(None, {**base, "name": f"奖品{k}", "stock": 500 if k == 0 else 1_000_000})
               for k in range(4)]
    start_stock = {r.pk: r.stock for r in rewards}

    per_client = total // clients
    barrier = threading.Barrier(clients)
    latencies, outcomes, lock = [], {}, threading.Lock()
    refused_for_points = set()

    def client(seed):
        rng = random.Random(seed)
        mine, codes = [], {}
        try:
            barrier.wait()
            for _ in range(per_client):
                person = people[rng.randrange(len(people))]
                reward = rewards[rng.randrange(len(rewards))]
                started = time.perf_counter()
                try:
                    check_redeem(person, reward.pk)
                    code = "ok"
                except PointsError as error:
                    code = error.code
                    if code == "insufficient_points":
                        with lock:
                            refused_for_points.add(person.pk)
                mine.append(time.perf_counter() - started)
                codes[code] = codes.get(code, 0) + 1
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                for code, n in codes.items():
                    outcomes[code] = outcomes.get(code, 0) + n

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    ok = outcomes.get("ok", 0)
    print(f"\nRedemptions: {clients} clients, {per_client * clients} attempts in {elapsed:.1f} s: "
          f"{ok / elapsed:.0f} redemptions/s ({(per_client * clients) / elapsed:.0f} attempts/s); outcomes {outcomes}")
    print(f"  latency per attempt: {fmt_ms(summary_ms(latencies))}")

    # No lost update: the cached balances, the entries, the redemptions and the stock agree.
    from django.db.models import Count, Sum

    problems = []
    sums = dict(PointsEntry.objects.values_list("account__user_id").annotate(s=Sum("delta")).order_by())
    spent = dict(Redemption.objects.values_list("user_id").annotate(s=Sum("points")).order_by())
    got = dict(Redemption.objects.values_list("user_id").annotate(n=Count("id")).order_by())
    for user_id, balance in PointsAccount.objects.values_list("user_id", "balance"):
        expected = start_points[user_id] - spent.get(user_id, 0)
        if not balance == sums.get(user_id) == expected:
            problems.append(f"user {user_id}: balance {balance}, entries {sums.get(user_id)}, expected {expected}")
    for person in people[SHOPPERS:]:
        # points for exactly 3: never more, and 3 once refused for want of points
        if got.get(person.pk, 0) > 3 or (person.pk in refused_for_points and got.get(person.pk, 0) != 3):
            problems.append(f"low-balance user {person.pk} got {got.get(person.pk, 0)} rewards")
    if refused_for_points - {p.pk for p in people[SHOPPERS:]}:
        problems.append("a resident with points for every attempt was refused")
    taken = dict(Redemption.objects.values_list("reward_id").annotate(n=Count("id")).order_by())
    for reward_id, stock in Reward.objects.values_list("pk", "stock"):
        if stock != start_stock[reward_id] - taken.get(reward_id, 0) or stock < 0:
            problems.append(f"reward {reward_id}: stock {stock}, start {start_stock[reward_id]}, taken {taken.get(reward_id, 0)}")
    if PointsEntry.objects.filter(remaining__lt=0).exists() or PointsAccount.objects.filter(balance__lt=0).exists():
        problems.append("something went below zero")
    print(f"  checked {len(start_points)} accounts, {len(rewards)} rewards, {sum(got.values())} redemptions: "
          + ("no lost update" if not problems else f"{len(problems)} PROBLEMS: {problems[:5]}"))
    return ok / elapsed, not problems


# -- the leaderboard at 1,000,000 entries -------------------------------------------------------------


def seed_entries(total, now):
    import psycopg
    from django.conf import settings

    from linli.accounts.models import User
    from linli.places.models import Area
    from linli.points.models import PointsAccount

    users = User.objects.bulk_create(
        [User(phone=f"136{n:08d}", name=f"志愿者{n}", password="!") for n in range(PEOPLE)], batch_size=5000)
    accounts = PointsAccount.objects.bulk_create([PointsAccount(user=u) for u in users], batch_size=5000)
    first_account = min(a.pk for a in accounts)
    grids = [f"{c}{g:03d}" for c in Area.objects.filter(level="community").values_list("code", flat=True)
             for g in range(1, GRIDS + 1)]
    table = "points_pointsentry"
    with psycopg.connect(pg_conninfo(DBNAME), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers: values are valid by construction
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = conn.execute("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = %s AND i.schemaname = 'public'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", [table]).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        base = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        for offset in range(0, total, CHUNK):
            # Each person earns in a home grid (their account number picks it) most of the time.
            conn.execute(f"""
                INSERT INTO {table} (id, account_id, delta, kind, reference, idempotency_key, remaining,
                                     area_code, note, actor_id, created_at)
                SELECT %(base)s + g, %(first)s + acct, CASE WHEN r_kind < 0.78 THEN 1 + floor(r_pts * 30)::int
                                                             ELSE -(1 + floor(r_pts * 20)::int) END,
                       kind, '', 'bench:' || g, 0,
                       (%(grids)s::text[])[1 + (CASE WHEN r_home < 0.9 THEN acct ELSE floor(r_pts * 100000)::int END)
                                           %% %(n_grids)s],
                       '', NULL, %(now)s - make_interval(secs => (r_age ^ 1.5) * 3 * 365 * 86400)
                FROM (
                    SELECT g, floor(random() * %(people)s)::int AS acct, r_kind, random() AS r_pts,
                           random() AS r_home, random() AS r_age,
                           CASE WHEN r_kind < 0.75 THEN 'earn' WHEN r_kind < 0.78 THEN 'adjust'
                                WHEN r_kind < 0.98 THEN 'redeem' ELSE 'expire' END AS kind
                    FROM (SELECT g, random() AS r_kind FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g) s
                ) t""", {"base": base, "first": first_account, "grids": grids, "n_grids": len(grids),
                         "now": now, "people": PEOPLE, "lo": offset + 1, "hi": min(offset + CHUNK, total)})
        # the per-year totals do_post keeps for these entries (a year's leaderboard reads them)
        conn.execute(f"""
            INSERT INTO points_pointsyeartotal (account_id, area_code, year, points)
            SELECT account_id, area_code, extract(year FROM created_at AT TIME ZONE %(zone)s)::int, sum(delta)
            FROM {table} WHERE id > %(base)s AND kind IN ('adjust', 'earn') GROUP BY 1, 2, 3
            ON CONFLICT (account_id, area_code, year)
            DO UPDATE SET points = points_pointsyeartotal.points + excluded.points""",
                     {"zone": settings.TIME_ZONE, "base": base})
        totals = conn.execute("SELECT count(*) FROM points_pointsyeartotal").fetchone()[0]
        seeded = time.perf_counter() - started
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        started = time.perf_counter()
        for _name, definition in indexes:
            conn.execute(definition)
        indexed = time.perf_counter() - started
        conn.execute(f"VACUUM ANALYZE {table}")
        conn.execute("VACUUM ANALYZE points_pointsyeartotal")
        count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table]).fetchone()[0]
    print(f"\nSeeded {count:,} entries for {PEOPLE:,} people over 3 years in {seeded:.1f} s "
          f"(+ {len(indexes)} indexes in {indexed:.1f} s); table with indexes {size}; {totals:,} year totals")
    return accounts[0].user


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def bench_leaderboard(person, runs, want_explain):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from linli.points import queries

    today = timezone.localdate()
    last_year = today - timedelta(days=180)  # the year holding this day: a full year of entries
    cases = [
        ("district 350203 × year", "350203", "year", last_year),
        ("street 350203001 × quarter", "350203001", "quarter", today),
        ("community 350203001001 × month", "350203001001", "month", today),
    ]
    met = True
    print()
    for label, code, period, day in cases:
        samples = timed(lambda: queries.leaderboard(code, period, day), runs)
        with CaptureQueriesContext(connection) as captured:
            ranks = queries.leaderboard(code, period, day)
        stats = summary_ms(samples)
        over = label.startswith("district") and stats["p95"] > LEADERBOARD_TARGET_MS
        met = met and not over
        print(f"leaderboard {label:32s} {fmt_ms(stats)}  SQL {len(captured)}  top {ranks[0].points if ranks else 0}"
              + ("  OVER TARGET" if over else ""))
        if want_explain or over:
            print(explain(captured.captured_queries[0]["sql"], None))
    # the same district × year summed from the entries (what the year totals save)
    from django.db.models import Sum

    from linli.points.models import PointsEntry

    start, end = queries.period_bounds("year", last_year)
    raw = PointsEntry.objects.filter(kind__in=("adjust", "earn"), area_code__startswith="350203", created_at__gte=start,
                                     created_at__lt=end).values("account_id").annotate(points=Sum("delta")) \
        .filter(points__gt=0).order_by("-points", "account_id")[:50]
    samples = timed(lambda: list(raw.all()), runs)
    print(f"  (district × year from the entries, without the year totals: {fmt_ms(summary_ms(samples))})")
    if want_explain:
        print(explain(*raw.query.sql_with_params()))
    samples = timed(lambda: queries.statement(person), runs)
    print(f"statement, first page                  {fmt_ms(summary_ms(samples))}")
    entry = queries.statement(person).next_before
    samples = timed(lambda: queries.statement(person, before=entry), runs)
    print(f"statement, second page                 {fmt_ms(summary_ms(samples))}")
    return met


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--redemptions", type=int, default=4000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(machine())
    with throwaway_database(DBNAME, keep=args.keep):
        migrate()
        from django.utils import timezone

        communities = build_places()
        rate, consistent = bench_redemptions(communities, args.clients, args.redemptions)
        person = seed_entries(args.entries, timezone.now())
        met = bench_leaderboard(person, args.runs, args.explain)
    if not consistent or not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
