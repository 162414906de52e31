"""Benchmark the 12345 hotline import on PostgreSQL: a generated workbook of --rows work
orders imported as the embedded default runs it (in a background thread of the process after
the start commits, in chunks of 500 rows, each validated and then filed as one batch in a
short transaction; the outbox relay in process after each chunk), its progress polled like the
clerk's page does, then the same file again (every row skipped by its work order number).

    .venv/bin/python bench/hotline_import.py [--rows 100000] [--chunk 500] [--keep]

Creates the throwaway database linli_bench_hotline on 127.0.0.1 (dropped at the end unless
--keep), migrates it, builds the test place tree (two streets, three grids), the case
categories and routing rule of the test fixtures and one street dispatcher, then prints
the progress every 2 s and rows/s for the import and the re-import.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse  # noqa: E402
import time  # noqa: E402

from bench._common import machine, migrate, throwaway_database  # noqa: E402


def setup_world():
    from linli.accounts.choices import Role
    from linli.cases.actions import do_set_routing_rule
    from linli.cases.choices import CategoryKind
    from linli.cases.testing import make_category
    from linli.core.testing import make_person, square
    from linli.orgs.actions import do_create_organization
    from linli.places.actions import do_create_area

    city = do_create_area(parent=None, name="厦门市", level="city", code="3502")
    district = do_create_area(parent=city, name="思明区", level="district", code="350203")
    street = do_create_area(parent=district, name="开元街道", level="street", code="350203001")
    community = do_create_area(parent=street, name="坑内社区", level="community", code="350203001001")
    do_create_area(parent=community, name="第一网格", level="grid", code="350203001001001", boundary=square(118.100, 24.470))
    do_create_area(parent=community, name="第二网格", level="grid", code="350203001001002", boundary=square(118.102, 24.470))
    component = make_category(None, "部件", "component", CategoryKind.COMPONENT, accept_hours=4, resolve_days=5)
    public = make_category(component, "公用设施", "public-facilities")
    make_category(public, "井盖", "manhole", resolve_days=2)
    make_category(component, "园林绿化", "greenery")
    event = make_category(None, "事件", "event", CategoryKind.EVENT, accept_hours=2, resolve_days=3)
    make_category(event, "街面秩序", "street-order")
    make_category(event, "邻里纠纷", "dispute", accept_hours=8, resolve_days=10)
    department = do_create_organization(parent=None, name="市政园林局", kind="department", area=street)
    do_set_routing_rule(area=street, category=component, unit=department)
    clerk = make_person("13900000004", "街道调度甲", Role.COMMAND_CENTER, street)
    return street, clerk


def run_once(street, clerk, data, name, chunk):
    from linli.hotline import actions, importer
    from linli.hotline.choices import JobStatus
    from linli.hotline.testing import upload

    if chunk:
        importer.CHUNK_ROWS = chunk
    job = actions.check_upload(clerk, upload=upload(name, data), area=street, source_name="厦门市12345")
    read_from = time.perf_counter()
    while job.status == JobStatus.READING:  # the header row is read in the background too
        time.sleep(0.2)
        job.refresh_from_db()
    print(f"  header row read in {time.perf_counter() - read_from:.1f} s: {job.get_status_display()}", flush=True)
    started = time.perf_counter()
    # As the embedded default runs it: the import starts in a thread of this process after the
    # start commits, and the clerk's page polls the job's progress (here: every 2 s, printed).
    actions.check_start_import(clerk, job, mapping=job.mapping)
    while True:
        time.sleep(2)
        job.refresh_from_db()
        print(f"  {time.perf_counter() - started:6.1f} s  {job.get_status_display()}: {job.done} of {job.total} rows, "
              f"created {job.created}, skipped {job.skipped}, failed {job.failed}", flush=True)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            break
    seconds = time.perf_counter() - started
    return job, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=0, help="rows per chunk (default: the importer's)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(machine())
    with throwaway_database("linli_bench_hotline", keep=args.keep):
        migrate()
        from linli.core.models import OutboxMessage
        from linli.hotline.testing import order_row, xlsx_bytes

        street, clerk = setup_world()
        started = time.perf_counter()
        data = xlsx_bytes(order_row(i) for i in range(args.rows))
        print(f"workbook of {args.rows:,} rows: {len(data) / 2**20:.1f} MB, generated in {time.perf_counter() - started:.1f} s")
        print("import (background thread, progress polled every 2 s):")
        job, seconds = run_once(street, clerk, data, "big.xlsx", args.chunk)
        print(f"import: {job.status}, created {job.created:,}, failed {job.failed:,}: {seconds:.1f} s, "
              f"{args.rows / seconds:.0f} rows/s (outbox relay in process included); "
              f"outbox unsent after: {OutboxMessage.objects.filter(sent_at__isnull=True).count():,}")
        print("the same file again:")
        job, seconds = run_once(street, clerk, data, "big-again.xlsx", args.chunk)
        print(f"re-import: created {job.created:,}, skipped {job.skipped:,}: {seconds:.1f} s, {args.rows / seconds:.0f} rows/s")


if __name__ == "__main__":
    main()
