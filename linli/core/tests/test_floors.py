"""The floors of docs/architecture.md hold: `lint-imports` checks the contract in pyproject.toml,
and an import that runs back up a floor fails it."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(cwd):
    return subprocess.run([LINT, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_codebase_keeps_its_floors():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_that_runs_up_a_floor_fails_the_check(tmp_path):
    shutil.copytree(ROOT / "linli", tmp_path / "linli", ignore=shutil.ignore_patterns(
        "__pycache__", "locale", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "linli" / "core" / "floor_probe.py").write_text("from linli.cases.models import Case  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "linli.core is not allowed to import linli.cases" in result.stdout
    assert "linli.core.floor_probe -> linli.cases.models" in result.stdout
