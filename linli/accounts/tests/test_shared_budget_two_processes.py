"""Two real server processes, no Redis: the sign-in budget is one for the whole deployment.

With each process counting in its own memory, 40 wrong passwords alternated between two
workers got 20 (two budgets of 10) answers instead of 10. The counters live in the database
now (settings.CACHES["ratelimit"]), which every process shares."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PHONE = "13900000077"
GUESSES = 40
BUDGET = 10  # settings.RATE_LIMITS["login-phone-ip"]: failed passwords per number and address


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120,
                          capture_output=True, text=True, **kwargs)


def wait_until_up(url, process):
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def guess(opener, jar, base):
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    data = urllib.parse.urlencode({"username": PHONE, "password": "wrong-guess", "csrfmiddlewaretoken": token})
    try:
        return opener.open(f"{base}/accounts/login/", data.encode(), timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_processes_without_redis_share_one_sign_in_budget(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'linli.sqlite3'}", SECRET_KEY="linli-two-processes",
               DEBUG="0", ALLOWED_HOSTS="127.0.0.1", STATIC_MANIFEST="0", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0",
               RATE_LIMIT_MULTIPLIER="1", MEDIA_ROOT=str(tmp_path / "media"))
    manage(env, "migrate", "-v0")  # creates the counters' table too: no createcachetable step
    manage(env, "shell", "-c", f"from linli.core.testing import make_person; make_person('{PHONE}', '调度员')")

    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT,
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, server in zip(bases, servers):
            wait_until_up(f"{base}/accounts/login/", server)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{bases[0]}/accounts/login/", timeout=30)  # the CSRF cookie, valid on both (same secret)
        statuses = [guess(opener, jar, bases[index % 2]) for index in range(GUESSES)]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) == BUDGET, statuses
    assert statuses[BUDGET:] == [429] * (GUESSES - BUDGET)
