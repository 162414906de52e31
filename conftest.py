"""Shared fixtures: a small place tree in two streets, and personas on it."""

import os
import uuid

import pytest

pytest_plugins = ["linli.core.browser_testing", "linli.core.testing", "linli.cases.testing"]


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path):
    if "demo_once" in request.fixturenames:
        return  # the module's demo wrote its photos under the module's own media root
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher is slow by design; tests only need a real hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_routing_config():
    # Each test's database starts empty: no categories or rules cached from another test.
    from linli.cases.routing import invalidate_routing_config

    invalidate_routing_config()
    yield
    invalidate_routing_config()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    # Request budgets live in the cache, which outlives a test: each test counts in its own keys.
    settings.RATE_LIMIT_KEY_PREFIX = f"test-rl-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    # Eager apply_async sets a process-wide "joining would block" flag and restores the value it
    # saw; two threads doing so at once (the race tests) can leave it on, and a later test's
    # EagerResult.get() then refuses. The app never joins a result; tests start with it off.
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _background_work_in_the_request(settings):
    # Tests run background work where they can wait for it: in the request, after commit.
    settings.LONG_TASKS_IN_THREAD = False


@pytest.fixture(autouse=True)
def _dependencies_answer():
    # Circuit breakers are per process: a test that broke Redis must not leave it skipped.
    from linli.core.breaker import reset_all

    reset_all()


def _on_postgresql():
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _postgresql_required():
    """CI's PostgreSQL pass sets LINLI_REQUIRE_POSTGRESQL=1: a lost DATABASE_URL must not turn
    the race tests into silent skips on SQLite."""
    return os.environ.get("LINLI_REQUIRE_POSTGRESQL") == "1"


def pytest_collection_modifyitems(config, items):
    """Tests marked `slow` (minutes each, e.g. the 100,000-row hotline import) run only with
    LINLI_SLOW_TESTS=1; the benchmark scripts under bench/ measure the same paths.
    Tests marked `postgresql` skip on SQLite, unless PostgreSQL is required: then the run stops."""
    if _postgresql_required() and not _on_postgresql():
        raise pytest.UsageError("LINLI_REQUIRE_POSTGRESQL=1 but DATABASE_URL does not name a PostgreSQL database")
    if not _on_postgresql():
        needs_server = pytest.mark.skip(reason="postgresql: concurrent connections need a server database")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(needs_server)
    if os.environ.get("LINLI_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set LINLI_SLOW_TESTS=1 to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and "postgresql" in item.keywords and _postgresql_required():
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: a PostgreSQL test skipped although PostgreSQL is required"
    return report


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if _on_postgresql() else 'SQLite'}" + (
        " (required)" if _postgresql_required() else "")


def pytest_terminal_summary(terminalreporter):
    ran = [r for r in terminalreporter.stats.get("passed", []) if "postgresql" in r.keywords and r.when == "call"]
    failed = [r for r in terminalreporter.stats.get("failed", []) if "postgresql" in r.keywords]
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "postgresql" in r.keywords]
    database = "PostgreSQL" if _on_postgresql() else "SQLite"
    if not (ran or failed or skipped or _postgresql_required()):
        return
    terminalreporter.write_line(
        f"Ran on {database}: {len(ran)} PostgreSQL race tests passed, {len(failed)} failed, {len(skipped)} skipped")



@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """A thread that served the live server (browser tests) can leave its PostgreSQL session
    open after it ended; PostgreSQL then refuses to drop the test database at the end of the
    run. End such sessions before the drop."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
