"""Backup and restore of a deployment: the database and the uploaded files, in one tar file.

    linli-backup-20261207-221500.tar
      manifest.json     when, the database's kind, every table's row count, every file's sha256
      database.dump     PostgreSQL: pg_dump's custom format (or database.sqlite3: a copy of the file)
      media/…           the uploaded files (photos, videos, imports), from the default storage

The database is dumped first, then the files: a photo uploaded meanwhile is in the files without
a row (harmless), never a row without its photo. On PostgreSQL the row counts are taken in the
very snapshot pg_dump dumps (`pg_export_snapshot`), on SQLite from the copy itself, so a backup
taken while residents report still checks out exactly. Redis holds nothing to keep; the
environment file with SECRET_KEY is backed up by the operator (docs/deploy.md).

`restore` loads a backup into an empty database and storage (or over them with `force`), then
checks every table's row count and every file's sha256 against the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

MANIFEST, PG_DUMP_NAME, SQLITE_NAME, MEDIA_DIR = "manifest.json", "database.dump", "database.sqlite3", "media"
FORMAT = 1


class BackupError(Exception):
    pass


@dataclass
class Report:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


def _tables() -> list[str]:
    """Every table the project's models keep rows in (many-to-many tables included)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


def _walk(storage, path=""):
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for directory in sorted(directories):
        yield from _walk(storage, posixpath.join(path, directory) if path else directory)


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


class _Hashing(io.RawIOBase):
    """Reads through a file while hashing it (tarfile reads each member once)."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def readable(self):
        return True

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _pg_environment(config):
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return env


def _pg_target(config) -> list[str]:
    args = ["--dbname", config["NAME"]]
    if config.get("HOST"):
        args += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", str(config["USER"])]
    return args


def _run(command, config):
    done = subprocess.run(command, env=_pg_environment(config), capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def _count(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_database(workdir: Path) -> tuple[str, dict[str, int]]:
    existing = set(connection.introspection.table_names())
    tables = [table for table in _tables() if table in existing]  # an app not migrated yet has none
    if connection.vendor == "postgresql":
        target = workdir / PG_DUMP_NAME
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run([os.environ.get("PG_DUMP", "pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", "--file", str(target), *_pg_target(connection.settings_dict)],
                 connection.settings_dict)
            counts = _count(cursor, tables, connection.ops.quote_name)
        return PG_DUMP_NAME, counts
    if connection.vendor == "sqlite":
        target = workdir / SQLITE_NAME
        connection.ensure_connection()
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
            counts = _count(copy.cursor(), tables, lambda name: f'"{name}"')
        return SQLITE_NAME, counts
    raise BackupError(f"backing up {connection.vendor} is not supported")


def backup(directory, storage=default_storage, log=print) -> tuple[Path, Report]:
    """Write a backup tar into `directory`; returns its path and what it holds."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = directory / f"linli-backup-{stamp}.tar"
    report = Report()
    with tempfile.TemporaryDirectory(prefix="linli-backup-") as work:
        work = Path(work)
        log("database …")
        database_name, counts = _dump_database(work)
        report.tables, report.rows = len(counts), sum(counts.values())
        files = {}
        partial = path.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(work / database_name, arcname=database_name)
            log("files …")
            for name in _walk(storage):
                with storage.open(name, "rb") as handle:
                    info = tarfile.TarInfo(f"{MEDIA_DIR}/{name}")
                    info.size = storage.size(name)
                    reader = _Hashing(handle)
                    archive.addfile(info, reader)
                files[name] = reader.digest.hexdigest()
                report.files += 1
                report.bytes += info.size
            manifest = json.dumps({
                "format": FORMAT, "created_at": timezone.now().isoformat(), "database": connection.vendor,
                "database_file": database_name, "tables": counts, "files": files,
            }, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(manifest)
            archive.addfile(info, io.BytesIO(manifest))
        partial.rename(path)  # a backup cut short never looks complete
    return path, report


# -- restore ----------------------------------------------------------------------------------


def target_config(database_url=None) -> dict:
    """The database to restore into: DATABASE_URL's form, or the configured default."""
    if database_url:
        return dj_database_url.parse(database_url)
    return dict(settings.DATABASES["default"])


def _vendor(config) -> str:
    return "postgresql" if "postgresql" in config["ENGINE"] else "sqlite" if "sqlite" in config["ENGINE"] else "?"


def _open_target(config):
    if _vendor(config) == "postgresql":
        import psycopg

        conninfo = {"dbname": config["NAME"], "host": config.get("HOST") or None, "port": config.get("PORT") or None,
                    "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
        return psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True)
    return sqlite3.connect(config["NAME"])


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _has_data(config) -> bool:
    """Whether the target already holds a deployment (any migration recorded)."""
    with closing(_open_target(config)) as target:
        cursor = target.cursor()
        try:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            return cursor.fetchone()[0] > 0
        except Exception:  # noqa: BLE001 — no such table: an empty database
            return False


def _storage_has_files(storage) -> bool:
    return next(_walk(storage), None) is not None


def read_manifest(path) -> dict:
    with tarfile.open(path, "r") as archive:
        try:
            return json.load(archive.extractfile(MANIFEST))
        except KeyError:
            raise BackupError(f"{path} is not a Linli backup (no {MANIFEST})") from None


def restore(path, *, database_url=None, storage=default_storage, force=False, log=print) -> Report:
    """Load a backup into the target database and storage, then check it (Report.problems)."""
    config = target_config(database_url)
    manifest = read_manifest(path)
    with tarfile.open(path, "r") as archive:
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest["database"] != _vendor(config):
            raise BackupError(f"the backup is of a {manifest['database']} database, the target is {_vendor(config)}")
        if not force and (_has_data(config) or _storage_has_files(storage)):
            raise BackupError("the target database or file storage is not empty; restore with --force to replace it")
        with tempfile.TemporaryDirectory(prefix="linli-restore-") as work:
            database_file = Path(work) / manifest["database_file"]
            with archive.extractfile(manifest["database_file"]) as source, open(database_file, "wb") as out:
                shutil.copyfileobj(source, out)
            log("database …")
            _restore_database(database_file, config, force)
        log("files …")
        for member in archive:
            if not member.isfile() or not member.name.startswith(MEDIA_DIR + "/"):
                continue
            name = member.name[len(MEDIA_DIR) + 1:]
            if name not in manifest["files"] or ".." in name.split("/"):
                continue  # only what the manifest lists, never outside the storage
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(archive.extractfile(member), name=posixpath.basename(name)))
            if saved != name:
                raise BackupError(f"the storage saved {name} as {saved}")
    return verify(manifest, config, storage)


def _restore_database(database_file, config, force):
    if _vendor(config) == "postgresql":
        command = [os.environ.get("PG_RESTORE", "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        if force:
            command += ["--clean", "--if-exists"]
        _run([*command, *_pg_target(config), str(database_file)], config)
    else:
        if config["NAME"] == settings.DATABASES["default"]["NAME"]:
            connection.close()  # the file is replaced under Django's feet otherwise
        with closing(sqlite3.connect(database_file)) as source, closing(sqlite3.connect(config["NAME"])) as target:
            source.backup(target)


def verify(manifest, config=None, storage=default_storage) -> Report:
    """Every table's row count and every file's sha256 as the manifest has them."""
    config = config or target_config()
    report = Report()
    with closing(_open_target(config)) as target:
        counts = _count(target.cursor(), manifest["tables"], _quote)
    for table, expected in manifest["tables"].items():
        report.tables += 1
        report.rows += counts[table]
        if counts[table] != expected:
            report.problems.append(f"{table}: {counts[table]} rows, the backup has {expected}")
    for name, expected in manifest["files"].items():
        try:
            with storage.open(name, "rb") as handle:
                found = _sha256(handle)
        except FileNotFoundError:
            report.problems.append(f"missing file {name}")
            continue
        report.files += 1
        report.bytes += storage.size(name)
        if found != expected:
            report.problems.append(f"file {name} differs from the backup")
    return report
