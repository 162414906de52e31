"""manage.py backup [DIRECTORY]: the database and the uploaded files in one tar (linli.core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from linli.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into DIRECTORY (default var/backups)."

    def add_arguments(self, parser):
        from django.conf import settings

        parser.add_argument("directory", nargs="?", default=str(settings.VAR_DIR / "backups"))

    def handle(self, *args, directory, **options):
        try:
            path, report = backup(directory, log=lambda text: self.stderr.write(text))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{path}\n{report.tables} tables, {report.rows} rows, {report.files} files "
                          f"({report.bytes / 2**20:.1f} MB)")
