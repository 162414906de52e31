"""The deployment kit: `check --deploy` clean with the documented production environment, a
valid compose file, an image that builds (where a docker engine runs), every setting documented."""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = ROOT / "config" / "settings.py"
ENV_EXAMPLE = ROOT / "docs" / "deploy.env.example"
# Variables of the compose file itself (its PostgreSQL and MinIO), not of the app.
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "WEB_CONCURRENCY", "WEB_PORT"}


def settings_variables():
    """Every environment variable config/settings.py reads."""
    source = SETTINGS.read_text()
    pattern = r'(?:os\.environ\.get|os\.environ\[|env_bool|env_list|os\.getenv)\(?\s*"([A-Z][A-Z0-9_]*)"'
    return set(re.findall(pattern, source))


def documented_environment():
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def clean_environment(**env):
    kept = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    return {**kept, "DJANGO_SETTINGS_MODULE": "config.settings", **env}


def docker_engine():
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


def docker_compose():
    return docker_engine() and subprocess.run(
        ["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0


# -- check --deploy -------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    env = documented_environment()
    assert "DEBUG" not in env
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # the example's placeholder, made real
    env = {name: value for name, value in env.items() if name in settings_variables()}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=clean_environment(LINLI_VAR_DIR=str(tmp_path), **env),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_the_proxy_settings(tmp_path):
    # The test above can fail: without the documented HTTPS settings, Django warns.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=clean_environment(LINLI_VAR_DIR=str(tmp_path), SECRET_KEY=secrets.token_urlsafe(50),
                                        ALLOWED_HOSTS="linli.example.gov.cn"),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


# -- every setting documented ------------------------------------------------------------------


def test_every_environment_variable_of_the_settings_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    variables = settings_variables()
    assert {"DATABASE_URL", "LOG_LEVEL", "CSRF_TRUSTED_ORIGINS", "DATABASE_CONN_MAX_AGE"} <= variables
    missing = sorted(name for name in variables if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"


# -- compose ---------------------------------------------------------------------------------------


def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_starts_web_worker_beat_postgresql_redis_and_minio():
    services = compose()["services"]
    assert {"web", "worker", "beat", "migrate", "db", "redis", "minio", "minio-bucket", "nginx"} <= set(services)
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["build"] == "." and services[name]["image"] == "linli:latest", name
    assert services["web"]["command"] == ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["minio"]["image"].startswith("minio/minio")
    assert services["nginx"]["profiles"] == ["nginx"]  # optional
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    # The image's /healthz probe is the web server's; the workers would always look unhealthy.
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"] == services["beat"]["healthcheck"] == {"disable": True}


def test_compose_wires_the_app_to_its_services_through_settings_that_exist():
    env = compose()["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000" and env["AWS_STORAGE_BUCKET_NAME"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without one
    known = settings_variables()
    assert not sorted(set(env) - known), "compose sets variables the settings never read"
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))
    assert not sorted(used - known - COMPOSE_ONLY)
    assert set(documented_environment()) <= known | COMPOSE_ONLY


@pytest.mark.skipif(not docker_compose(), reason="no docker engine with the compose plugin runs here")
def test_docker_compose_config_accepts_the_file():
    result = subprocess.run(["docker", "compose", "config", "--quiet"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "SECRET_KEY": "compose-config-check"}, timeout=120)
    assert result.returncode == 0, result.stderr


# -- the image -------------------------------------------------------------------------------------


def test_dockerfile_builds_assets_runs_as_non_root_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert stages == ["python:3.11-slim", "python:3.11-slim"]
    assert "RUN make assets" in dockerfile and "nodejs npm" in dockerfile
    assert re.search(r"^USER linli$", dockerfile, re.M)
    assert "manage.py collectstatic --noinput" in dockerfile
    assert '"gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "node_modules", "var", "static_vendor"} <= set(ignored)


@pytest.mark.skipif(not docker_engine(), reason="no docker engine runs here (the client alone cannot build)")
def test_the_image_builds():
    result = subprocess.run(["docker", "build", "--quiet", "-t", "linli:test", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-4000:]


# -- uploaded files in an S3-compatible store ----------------------------------------------------

STORE_PROBE = """
import json
import django
from moto import mock_aws

with mock_aws():
    import boto3
    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    default_storage = storages["default"]
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=settings.AWS_STORAGE_BUCKET_NAME)
    name = default_storage.save("cases/photo.jpg", ContentFile(b"jpeg bytes"))
    with default_storage.open(name, "rb") as handle:
        read = handle.read().decode()
    keys = [o["Key"] for o in boto3.client("s3", region_name="us-east-1").list_objects_v2(
        Bucket=settings.AWS_STORAGE_BUCKET_NAME)["Contents"]]
    print(json.dumps({"backend": type(default_storage).__module__ + "." + type(default_storage).__name__,
                      "read": read, "keys": keys, "url": default_storage.url(name)}))
"""


def test_uploaded_files_go_to_the_bucket_when_one_is_named(tmp_path):
    pytest.importorskip("moto", reason="moto (test extra) fakes the S3 API")
    result = subprocess.run(
        [sys.executable, "-c", STORE_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=clean_environment(LINLI_VAR_DIR=str(tmp_path), SECRET_KEY="s3-probe", AWS_STORAGE_BUCKET_NAME="linli-media",
                              AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                              AWS_S3_REGION_NAME="us-east-1"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["backend"] == "storages.backends.s3.S3Storage"
    assert probe["read"] == "jpeg bytes" and probe["keys"] == ["cases/photo.jpg"]
    assert "X-Amz-Signature=" in probe["url"] or "Signature=" in probe["url"]  # private: signed links only
    assert not (tmp_path / "media").exists()  # nothing written locally


def test_uploaded_files_stay_in_media_root_without_a_bucket(tmp_path):
    probe = (
        "import django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "print(type(storages['default']).__name__, storages['default'].location)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=clean_environment(LINLI_VAR_DIR=str(tmp_path), SECRET_KEY="local-probe"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["FileSystemStorage", str(tmp_path / "media")]


def test_check_deploy_refuses_the_sms_log_backend_unless_allowed(tmp_path):
    env = documented_environment()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env = {name: value for name, value in env.items() if name in settings_variables()}
    env["SMS_BACKEND"] = "linli.accounts.sms.LogSmsBackend"  # writes login codes to the log

    def check(**extra):
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT, env=clean_environment(LINLI_VAR_DIR=str(tmp_path), **env, **extra),
            capture_output=True, text=True, timeout=120,
        )

    refused = check()
    assert refused.returncode != 0 and "linli.E001" in refused.stderr
    allowed = check(SMS_LOG_ALLOWED="1")  # a closed trial without SMS, said on purpose
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_gunicorns_own_lines_are_json_like_the_apps(tmp_path):
    """The production server's boot, worker and access lines: one JSON object each."""
    import json
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = clean_environment(LINLI_VAR_DIR=str(tmp_path), SECRET_KEY=secrets.token_urlsafe(50),
                            ALLOWED_HOSTS="127.0.0.1", GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1",
                            SMS_LOG_ALLOWED="1")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert any("Booting worker" in line for line in lines) and any("/healthz" in line for line in lines)
    for line in lines:
        entry = json.loads(line)  # every line, gunicorn's included
        assert {"time", "level", "logger", "message"} <= set(entry)
