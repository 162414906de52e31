from datetime import timedelta

from django.core.management.base import BaseCommand

from linli.accounts.actions import do_purge_login_codes


class Command(BaseCommand):
    help = "Delete one-time login codes older than --days (default 1); run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=1.0)

    def handle(self, *args, days, **options):
        deleted = do_purge_login_codes(timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} login codes.")
