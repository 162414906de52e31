"""manage.py restore BACKUP.tar [--force] [--database-url URL]: load a backup made by `backup`
into an empty database and file storage, then check every table's rows and every file's sha256."""

from django.core.management.base import BaseCommand, CommandError

from linli.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and file storage, then check it against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--force", action="store_true", help="replace what the database and storage hold")
        parser.add_argument("--database-url", default="", help="restore into this database instead of DATABASE_URL")
        parser.add_argument("--media-root", default="", help="restore the files into this folder instead of the "
                            "configured storage (with --database-url: a practice restore beside production)")

    def handle(self, *args, backup, force, database_url, media_root, **options):
        from django.core.files.storage import FileSystemStorage, default_storage

        storage = FileSystemStorage(location=media_root) if media_root else default_storage
        try:
            report = restore(backup, database_url=database_url or None, storage=storage, force=force,
                             log=lambda text: self.stderr.write(text))
        except BackupError as error:
            raise CommandError(str(error)) from None
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(f"the restore does not match the backup: {len(report.problems)} problems")
        self.stdout.write(f"restored and checked: {report.tables} tables, {report.rows} rows, {report.files} files")
