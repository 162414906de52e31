from django.core.management.base import BaseCommand

from linli.points.actions import expire_points


class Command(BaseCommand):
    help = "Expire points older than settings.POINTS_EXPIRE_MONTHS (safe to run twice, also at once)."

    def handle(self, *args, **options):
        posted = expire_points()
        self.stdout.write(f"expired the old points of {posted} account(s)")
