"""Page weight of the phone pages on a weak mobile network.

Builds the production site in a throwaway folder (SQLite, the demo data, `collectstatic` with
the default production storage: hashed names, Brotli and gzip), serves it with gunicorn and
`DEBUG` off, and opens each phone persona's main pages in Debian's Chromium (Playwright) on a
390×844 viewport with 400 ms latency, 1.6 Mbit/s down, 750 kbit/s up and 4× CPU throttling.

For each page it prints the requests, the bytes on the wire (headers and bodies as received,
compressed), the load time and the Largest Contentful Paint, first on a cold cache and then on a
warm second visit in the same browser profile.

    .venv/bin/python bench/pageweight.py                 # every page, budget checked
    .venv/bin/python bench/pageweight.py --runs 3        # median of 3 cold and warm visits
    .venv/bin/python bench/pageweight.py --no-throttle   # the same pages at full speed

Budget (issue 15): cold ≤ 150 KB on the wire and LCP ≤ 2.5 s; warm ≤ 30 KB. Exit status 1
when a page is over it. Nothing here touches var/ or a configured database.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue: import from the project root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

LATENCY_MS = 400
DOWN_BYTES_PER_S = 1_600_000 / 8
UP_BYTES_PER_S = 750_000 / 8
CPU_SLOWDOWN = 4

COLD_BUDGET_BYTES = 150 * 1024
WARM_BUDGET_BYTES = 30 * 1024
LCP_BUDGET_MS = 2500

RESIDENT, GRID_WORKER = "13800000001", "13800000002"

# LCP is the last largest-contentful-paint entry before the page is left.
LCP_OBSERVER = """
window.__lcp = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(tmp):
    env = dict(os.environ)
    for name in ("DEBUG", "REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)
    env.update({
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "LINLI_VAR_DIR": str(tmp),
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Plain HTTP on loopback: cookies must travel without TLS.
        "SECURE_COOKIES": "0",
        "RATE_LIMIT_MULTIPLIER": "100000",
        "LOG_LEVEL": "WARNING",
    })
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def build_site(tmp, env):
    started = time.monotonic()
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput")
    print(f"site built in {time.monotonic() - started:.0f} s (migrate, load_demo, collectstatic)")


def start_server(env, port):
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def personas_and_pages(env):
    """Session cookies of the two phone personas and the pages to open, read from the demo."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "LINLI_VAR_DIR", "SECRET_KEY",
                                            "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "SECURE_COOKIES")})
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from linli.cases.models import Case
    from linli.service_orders.models import ServiceOrder
    from linli.volunteering.models import Venue

    User = get_user_model()
    sessions = {}
    for phone in (RESIDENT, GRID_WORKER):
        client = Client()
        client.force_login(User.objects.get(phone=phone))
        sessions[phone] = client.cookies[settings.SESSION_COOKIE_NAME].value
    resident = User.objects.get(phone=RESIDENT)
    case = Case.objects.filter(reporter=resident).order_by("-pk").first()
    order = ServiceOrder.objects.filter(resident=resident).order_by("-pk").first()
    venue = Venue.objects.order_by("-activity__starts_at").first()
    pages = [
        ("resident", RESIDENT, "home", "/"),
        ("resident", RESIDENT, "随手拍", "/cases/report/"),
        ("resident", RESIDENT, "my cases", "/cases/mine/"),
        ("resident", RESIDENT, "a case", f"/cases/{case.number}/" if case else None),
        ("resident", RESIDENT, "service order", f"/service-orders/{order.pk}/" if order else None),
        ("resident", RESIDENT, "activity check-in", ("scan", venue.pk) if venue else None),
        ("resident", RESIDENT, "points shop", "/points/shop/"),
        ("grid worker", GRID_WORKER, "home", "/"),
        ("grid worker", GRID_WORKER, "patrol report", "/cases/patrol/"),
    ]
    return sessions, [p for p in pages if p[3] is not None]


def page_path(path):
    if isinstance(path, tuple):  # the check-in QR rotates: sign a fresh token right before the visit
        from linli.volunteering.checkin import make_token

        return f"/volunteering/scan/{make_token(path[1])}/"
    return path


class Visit:
    """One page load with the network log of the DevTools protocol."""

    def __init__(self, page, cdp):
        self.page, self.cdp = page, cdp
        self.requests, self.cached, self.wire, self.failed = {}, set(), {}, []
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", lambda e: self.wire.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.on("Network.loadingFailed", lambda e: self.failed.append(e.get("errorText")))

    def _sent(self, event):
        if not event["request"]["url"].startswith("data:"):
            self.requests[event["requestId"]] = {"url": event["request"]["url"], "encoding": ""}

    def _received(self, event):
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(event["requestId"])
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]].update(
                encoding=headers.get("content-encoding", ""), status=response.get("status"))

    def open(self, url):
        self.requests.clear()
        self.cached.clear()
        self.wire.clear()
        self.failed.clear()
        response = self.page.goto(url, wait_until="load", timeout=60_000)
        if response is None or response.status != 200:
            raise RuntimeError(f"{url} answered {response and response.status}")
        self.page.wait_for_timeout(300)  # late LCP entries and the last loadingFinished events
        timing = self.page.evaluate("""() => {
            const nav = performance.getEntriesByType("navigation")[0];
            return {load: nav.loadEventEnd, lcp: window.__lcp};
        }""")
        # Requests that went to the network: a warm visit answers the rest from the browser's cache.
        fetched = [rid for rid in self.requests if rid not in self.cached]
        detail = [(self.requests[rid]["url"], self.requests[rid].get("encoding", ""), self.wire.get(rid, 0))
                  for rid in fetched]
        return {"requests": len(fetched), "bytes": int(sum(self.wire.get(rid, 0) for rid in fetched)),
                "load_ms": timing["load"], "lcp_ms": timing["lcp"], "failed": list(self.failed),
                "detail": detail}


def measure(browser, base, session, path, throttle):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    context.add_init_script(LCP_OBSERVER)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": LATENCY_MS,
            "downloadThroughput": DOWN_BYTES_PER_S, "uploadThroughput": UP_BYTES_PER_S})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    visit = Visit(page, cdp)
    try:
        cold = visit.open(base + page_path(path))
        warm = visit.open(base + page_path(path))
    finally:
        context.close()
    return cold, warm


def median_of(runs, key):
    return statistics.median(run[key] for run in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="visits per page (the median is printed)")
    parser.add_argument("--no-throttle", action="store_true", help="no network or CPU throttling")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="list each request of the cold and warm visits")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("Debian's chromium is missing (make browser installs it)")

    tmp = Path(tempfile.mkdtemp(prefix="linli-pageweight-"))
    env = production_env(tmp)
    server = None
    try:
        build_site(tmp, env)
        port = free_port()
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        sessions, pages = personas_and_pages(env)
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for persona, phone, name, path in pages:
                runs = [measure(browser, base, sessions[phone], path, not args.no_throttle)
                        for _ in range(args.runs)]
                cold, warm = [r[0] for r in runs], [r[1] for r in runs]
                rows.append({
                    "persona": persona, "page": name, "path": page_path(path) if not isinstance(path, tuple) else "/volunteering/scan/…/",
                    "requests": median_of(cold, "requests"), "bytes": median_of(cold, "bytes"),
                    "load_ms": median_of(cold, "load_ms"), "lcp_ms": median_of(cold, "lcp_ms"),
                    "warm_requests": median_of(warm, "requests"), "warm_bytes": median_of(warm, "bytes"),
                    "warm_lcp_ms": median_of(warm, "lcp_ms"),
                    "failed": sorted({f for r in cold + warm for f in r["failed"] if f}),
                })
                if args.verbose:
                    for label, visit in (("cold", cold[-1]), ("warm", warm[-1])):
                        print(f"{persona} · {name} · {label}")
                        for url, encoding, size in visit["detail"]:
                            print(f"    {size / 1024:7.1f} KB  {encoding or '-':5}  {url.replace(base, '')}")
            browser.close()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    over = report(rows, throttled=not args.no_throttle)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    sys.exit(1 if over else 0)


def report(rows, throttled):
    conditions = (f"{LATENCY_MS} ms latency, {DOWN_BYTES_PER_S * 8 / 1e6:.1f} Mbit/s down, "
                  f"{UP_BYTES_PER_S * 8 / 1e3:.0f} kbit/s up, {CPU_SLOWDOWN}× CPU" if throttled else "no throttling")
    print(f"\nChromium, 390×844, {conditions}\n")
    print("| persona | page | requests | KB on the wire | load | LCP | warm: requests | warm: KB | warm: LCP |")
    print("|---|---|---|---|---|---|---|---|---|")
    over = []
    for r in rows:
        print(f"| {r['persona']} | {r['page']} | {r['requests']:.0f} | {r['bytes'] / 1024:.0f} | "
              f"{r['load_ms'] / 1000:.2f} s | {r['lcp_ms'] / 1000:.2f} s | {r['warm_requests']:.0f} | "
              f"{r['warm_bytes'] / 1024:.1f} | {r['warm_lcp_ms'] / 1000:.2f} s |")
        if r["bytes"] > COLD_BUDGET_BYTES or r["warm_bytes"] > WARM_BUDGET_BYTES or (
                throttled and r["lcp_ms"] > LCP_BUDGET_MS):
            over.append(f"{r['persona']} {r['page']}")
        if r["failed"]:
            over.append(f"{r['persona']} {r['page']}: failed requests {r['failed']}")
    if over:
        print("\nover the budget (cold ≤ 150 KB and LCP ≤ 2.5 s, warm ≤ 30 KB):\n  " + "\n  ".join(over))
    else:
        print("\nevery page within the budget (cold ≤ 150 KB and LCP ≤ 2.5 s, warm ≤ 30 KB)")
    return over


if __name__ == "__main__":
    main()
