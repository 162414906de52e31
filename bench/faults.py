"""Intake while Redis freezes: gunicorn, a Celery worker and a private Redis on PostgreSQL, as
deployed, under 8 clients filing cases; Redis is frozen with SIGSTOP (a hung VM, a full disk)
for a while, then thawed.

    .venv/bin/python bench/faults.py [--clients 8] [--workers 4] [--seconds 15] [--keep]

Phases, each --seconds long, latencies and statuses printed per phase:
  normal    Redis answers
  frozen    Redis stopped (kill -STOP): every use of it must be skipped by the circuit breaker
            (core.breaker) after one bounded timeout per worker, not waited for
  thawed    Redis continued (kill -CONT): the breaker closes again after DEPENDENCY_RETRY_SECONDS
Then: the outbox must drain (the messages of the frozen phase relayed once Redis is back), and
every acknowledged case must be in the database exactly once.
The goal (issue "faults"): frozen p95 ≤ normal p95 + 1 s, no 5xx, no case lost or stored twice.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

from bench._common import bench_env, fmt_ms, machine, migrate, pg_conninfo, summary_ms, throwaway_database  # noqa: E402
from bench.intake import (  # noqa: E402
    API_PATH,
    Server,
    drive,
    json_headers,
    payloads,
    random_points,
    setup_data,
    start_broker_and_worker,
    unsent,
)

DBNAME = "linli_bench_faults"


def stored_cases(dbname):
    import psycopg

    with psycopg.connect(pg_conninfo(dbname), autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"machine: {machine()}")
    with throwaway_database(DBNAME, keep=args.keep) as tmp:
        migrate()
        _resident, token, grids = setup_data()
        bodies = payloads(random_points(grids, 20000, rng), rng)
        from django.db import connections

        connections.close_all()
        env, helpers = start_broker_and_worker(bench_env(DBNAME, tmp), tmp)
        redis = helpers[1].process
        server = Server(env, args.workers)
        results, acknowledged = {}, 0
        try:
            server.wait()
            drive(server.port, API_PATH, json_headers(token), bodies[:200], args.clients, 60)  # warm-up
            offset = 200
            before = stored_cases(DBNAME)
            for phase in ("normal", "frozen", "thawed"):
                if phase == "frozen":
                    os.kill(redis.pid, signal.SIGSTOP)
                elif phase == "thawed":
                    os.kill(redis.pid, signal.SIGCONT)
                chunk = bodies[offset:offset + 8000]
                elapsed, latencies, statuses, errors = drive(
                    server.port, API_PATH, json_headers(token), chunk, args.clients, args.seconds)
                offset += sum(statuses.values()) + len(errors)
                acknowledged += statuses.get(201, 0)
                results[phase] = (latencies, statuses, errors, elapsed)
                print(f"\n{phase:7} {statuses.get(201, 0) / elapsed:6.1f} cases/s   statuses {statuses}   "
                      f"transport errors {len(errors)}")
                if latencies:
                    print(f"        {fmt_ms(summary_ms(latencies))}")
                for error in errors[:3]:
                    print(f"        {error}")
            waited = time.perf_counter()
            while unsent(DBNAME) and time.perf_counter() - waited < 120:
                time.sleep(0.2)
            left = unsent(DBNAME)
            print(f"\noutbox: {left} unsent {time.perf_counter() - waited:.1f} s after the last phase")
            stored = stored_cases(DBNAME) - before
            print(f"cases acknowledged (201) {acknowledged}, stored {stored}")
        finally:
            try:
                os.kill(redis.pid, signal.SIGCONT)  # never leave a stopped process behind
            except ProcessLookupError:
                pass
            server.stop()
            for helper in helpers:
                helper.stop()
        normal = summary_ms(results["normal"][0])["p95"]
        frozen = summary_ms(results["frozen"][0])["p95"] if results["frozen"][0] else float("inf")
        failures = sum(n for phase in results.values() for code, n in phase[1].items() if code >= 500)
        verdict = {"frozen p95 - normal p95 (ms)": round(frozen - normal, 1), "5xx": failures,
                   "lost or doubled": stored - acknowledged, "outbox left": left}
        print("\n" + json.dumps(verdict, ensure_ascii=False))
        ok = frozen - normal <= 1000 and failures == 0 and stored == acknowledged and left == 0
        print("goal met" if ok else "GOAL NOT MET")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
