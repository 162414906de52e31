"""Backup and restore, practised: the demo is backed up, restored into a fresh database and a
fresh media folder, and has the same cases, photos and point balances there."""

import hashlib
import io
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from linli.cases.models import Case, CasePhoto
from linli.core import backup
from linli.points.models import PointsAccount


def facts(cursor, media_root):
    """What a street office would check after a restore, read with plain SQL."""
    cases, photos, accounts = Case._meta.db_table, CasePhoto._meta.db_table, PointsAccount._meta.db_table
    cursor.execute(f'SELECT "number", "status" FROM "{cases}" ORDER BY "number"')
    numbers = cursor.fetchall()
    cursor.execute(f'SELECT "image" FROM "{photos}" ORDER BY "image"')
    files = {name: hashlib.sha256((Path(media_root) / name).read_bytes()).hexdigest() for (name,) in cursor.fetchall()}
    cursor.execute(f'SELECT "user_id", "balance" FROM "{accounts}" ORDER BY "user_id"')
    return {"cases": numbers, "photos": files, "balances": cursor.fetchall()}


@pytest.fixture
def fresh_database():
    """The URL of an empty database of the suite's kind, dropped afterwards."""
    if connection.vendor == "sqlite":
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/restored.sqlite3"
        return
    name = f"linli_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings_dict = connection.settings_dict
    auth = f"{settings_dict['USER']}:{settings_dict.get('PASSWORD') or ''}@" if settings_dict.get("USER") else ""
    try:
        yield f"postgres://{auth}{settings_dict.get('HOST') or '127.0.0.1'}:{settings_dict.get('PORT') or 5432}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_the_demo_restored_into_a_fresh_database_has_the_same_cases_photos_and_balances(
    settings, tmp_path, fresh_database
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())  # committed: pg_dump reads it from outside
    with connection.cursor() as cursor:
        before = facts(cursor, settings.MEDIA_ROOT)
    assert len(before["cases"]) > 20 and len(before["photos"]) > 20 and any(b for _u, b in before["balances"])

    path, made = backup.backup(tmp_path / "backups", log=lambda text: None)
    assert made.files >= len(before["photos"]) and made.rows > 0

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    checked = backup.restore(path, database_url=fresh_database, log=lambda text: None)
    assert checked.problems == [] and (checked.rows, checked.files) == (made.rows, made.files)
    with closing(backup._open_target(backup.target_config(fresh_database))) as restored:
        after = facts(restored.cursor(), settings.MEDIA_ROOT)
    assert after == before

    # A second restore over it is refused, unless forced; a file changed after the restore is found.
    with pytest.raises(backup.BackupError):
        backup.restore(path, database_url=fresh_database, log=lambda text: None)
    some_photo = next(iter(before["photos"]))
    (Path(settings.MEDIA_ROOT) / some_photo).write_bytes(b"changed")
    manifest = backup.read_manifest(path)
    assert backup.verify(manifest, backup.target_config(fresh_database)).problems == [
        f"file {some_photo} differs from the backup"]
    assert backup.restore(path, database_url=fresh_database, force=True, log=lambda text: None).problems == []


def test_the_commands_are_wired(tmp_path, settings, db):
    """manage.py restore refuses what is not a backup, with a plain error."""
    import tarfile

    from django.core.management.base import CommandError

    not_a_backup = tmp_path / "x.tar"
    with tarfile.open(not_a_backup, "w"):
        pass
    with pytest.raises(CommandError, match="not a Linli backup"):
        call_command("restore", str(not_a_backup))
