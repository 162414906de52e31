"""The suite's own guards: CI's PostgreSQL pass cannot go green with its race tests skipped."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

SAMPLE = '''
import pytest

@pytest.mark.postgresql
def test_a_race():
    pytest.skip("as if the database were not there")
'''


@pytest.fixture
def sample_dir():
    """A folder inside the tree (under var/, ignored by git), so the project's conftest applies."""
    path = Path(settings.BASE_DIR) / "var" / f"suite-guard-{uuid.uuid4().hex}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_sample(folder, **env):
    sample = folder / "test_sample.py"
    sample.write_text(SAMPLE)
    environment = {**os.environ, "SECRET_KEY": "linli-test-secret", **env}
    environment.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", str(sample)],
        cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
    )


def test_requiring_postgresql_on_sqlite_stops_the_run(sample_dir, tmp_path):
    result = run_sample(sample_dir, LINLI_REQUIRE_POSTGRESQL="1", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode != 0
    assert "does not name a PostgreSQL database" in result.stdout + result.stderr


def test_a_race_test_skips_quietly_when_postgresql_is_not_required(sample_dir, tmp_path):
    result = run_sample(sample_dir, LINLI_REQUIRE_POSTGRESQL="", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout and "Ran on SQLite" in result.stdout


@pytest.mark.postgresql
def test_a_skipped_race_test_fails_when_postgresql_is_required(sample_dir):
    # the child's own test database, not this run's (which it would drop and make anew)
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{sample_dir.name.replace('-', '_')}"
    result = run_sample(sample_dir, LINLI_REQUIRE_POSTGRESQL="1", DATABASE_URL=url)
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout and "Ran on PostgreSQL" in result.stdout
    assert "a PostgreSQL test skipped although PostgreSQL is required" in result.stdout
