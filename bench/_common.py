"""Helpers shared by the PostgreSQL benchmarks (intake.py, queue.py).

Each benchmark creates its own throwaway database on the local server
(127.0.0.1:5432, user postgres, unless BENCH_PG_* says otherwise), points
Django at it through DATABASE_URL, and drops it at the end. Nothing here
touches var/ or a configured database.
"""

import contextlib
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
if PG_HOST not in {"127.0.0.1", "localhost", "::1"}:
    sys.exit("The benchmarks only run against a local PostgreSQL (127.0.0.1).")


def pg_conninfo(dbname):
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={dbname}"


def pg_url(dbname):
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def _admin(sql):
    import psycopg

    with psycopg.connect(pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def create_database(name):
    """A fresh, empty database `name` (an old one of that name is dropped first)."""
    drop_database(name)
    _admin(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')


def drop_database(name):
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_env(dbname, tmp):
    """Environment for this process and the servers it starts."""
    return {
        "DATABASE_URL": pg_url(dbname),
        "LINLI_VAR_DIR": str(tmp),
        "MEDIA_ROOT": str(Path(tmp) / "media"),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-not-a-secret",
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Background work eager and in process, as in the embedded default.
        "REDIS_URL": "",
        # One machine plays every client from one address: lift the per-user and per-address budgets.
        "RATE_LIMIT_MULTIPLIER": "100000",
    }


def configure_django(dbname, tmp):
    os.environ.update(bench_env(dbname, tmp))
    import django

    django.setup()


def migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@contextlib.contextmanager
def throwaway_database(name, keep=False):
    """Create `name`, configure Django on it, yield a temporary folder; drop it after."""
    tmp = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    (tmp / "static").mkdir()  # STATIC_ROOT under LINLI_VAR_DIR: whitenoise warns when it is missing
    create_database(name)
    try:
        configure_django(name, tmp)
        yield tmp
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if keep:
            print(f"kept database {name} ({pg_url(name)})")
        else:
            drop_database(name)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(samples, p):
    """The p-th percentile (nearest rank) of samples."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def summary_ms(samples):
    """'p50 … p95 … max …' of samples in seconds, shown in ms."""
    ms = [s * 1000 for s in samples]
    return {"n": len(ms), "mean": statistics.fmean(ms), "p50": pct(ms, 50), "p95": pct(ms, 95), "max": max(ms)}


def fmt_ms(s):
    return f"p50 {s['p50']:7.2f} ms   p95 {s['p95']:7.2f} ms   max {s['max']:7.2f} ms   (n={s['n']})"


def timed(fn, runs, warmup=3):
    """Seconds per call of fn() over `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def machine():
    """One line describing where the figures come from."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    pg = ""
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(pg_conninfo("postgres")) as conn:
            version = conn.execute("show server_version").fetchone()[0]
            settings = dict(conn.execute(
                "select name, setting from pg_settings where name in "
                "('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections')"
            ).fetchall())
        buffers = int(settings.get("shared_buffers", 0)) * 8 // 1024
        pg = (f", PostgreSQL {version} (shared_buffers {buffers} MB, fsync {settings.get('fsync')}, "
              f"synchronous_commit {settings.get('synchronous_commit')})")
    load = ""
    with contextlib.suppress(OSError):
        load = f", load {os.getloadavg()[0]:.2f}"
    return f"{cpu}, {os.cpu_count()} CPUs{mem}, Python {platform.python_version()}{pg}{load}"


# -- CPU accounting: where the machine's cores go during a run ------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_AUX = ("checkpointer", "background writer", "walwriter", "wal writer", "autovacuum")


def _proc_stat(pid):
    """(session id, CPU seconds) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    # after "pid (comm)": state ppid pgrp session ... utime(12) stime(13)
    return int(fields[3]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmd:
            return cmd.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cpu_by_group(groups):
    """CPU seconds used so far by each group of processes. `groups` maps a name to a
    predicate (pid, session, cmdline) -> bool; a process counts in the first group it fits."""
    totals = dict.fromkeys(groups, 0.0)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _proc_stat(entry)
        if stat is None:
            continue
        session, seconds = stat
        cmdline = None
        for name, fits in groups.items():
            if cmdline is None:
                cmdline = _cmdline(entry)
            if fits(int(entry), session, cmdline):
                totals[name] += seconds
                break
    return totals


def in_session(*leaders):
    """A predicate: the process belongs to the session of one of these leaders (a child started
    with start_new_session=True and everything it forked)."""
    sessions = {pid for pid in leaders if pid}
    return lambda pid, session, cmdline: session in sessions


def postgres_of(dbname):
    """A predicate: PostgreSQL backends connected to `dbname`, and the server's own writers
    (shared with anything else running, so read it as an upper bound)."""
    return lambda pid, session, cmdline: cmdline.startswith("postgres: ") and (
        f" {dbname} " in cmdline or any(aux in cmdline for aux in PG_AUX)
    )
