"""The env-driven settings file: each variable changes what it says it does."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "hosts": settings.ALLOWED_HOSTS,
    "language": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "tz": settings.TIME_ZONE,
    "media": str(settings.MEDIA_ROOT),
    "tiles": settings.MAP_TILE_URL,
    "secret": settings.SECRET_KEY,
}))
"""


def load(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL",
                                                                "ALLOWED_HOSTS", "MEDIA_ROOT", "MAP_TILE_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )
    return result


def settings_with(**env):
    result = load(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_in_debug_are_sqlite_under_var_and_eager_background_work():
    values = settings_with(DEBUG="1")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("var/linli.sqlite3")
    assert values["eager"] is True
    assert values["language"] == "zh-hans"
    assert values["languages"] == ["zh-hans", "en"]
    assert values["tz"] == "Asia/Shanghai"
    assert values["hosts"] == ["127.0.0.1", "localhost"]
    assert values["tiles"] == ""


def test_production_refuses_to_start_without_a_secret_key():
    result = load()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_environment_variables_override_the_defaults(tmp_path):
    values = settings_with(
        SECRET_KEY="s3cret",
        DATABASE_URL="postgres://someone@db.internal:5433/linli",
        REDIS_URL="redis://127.0.0.1:6379/3",
        ALLOWED_HOSTS="linli.example.gov, www.linli.example.gov",
        MEDIA_ROOT=str(tmp_path),
        MAP_TILE_URL="https://tiles.example.gov/{z}/{x}/{y}.png",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "linli"
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["hosts"] == ["linli.example.gov", "www.linli.example.gov"]
    assert values["media"] == str(tmp_path)
    assert values["tiles"].startswith("https://tiles.example.gov/")
    assert values["secret"] == "s3cret"


@pytest.mark.parametrize("debug", ["0", "false", "no", ""])
def test_debug_off_values_keep_the_secret_required(debug):
    assert load(DEBUG=debug).returncode != 0
