"""python manage.py deliver_webhooks [--loop [--interval N]] — send due webhook deliveries.

Celery beat runs the same every minute; this command is for installs without Redis
(run it with --loop under a process supervisor) and for operators.
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from linli.webhooks.delivery import deliver_due


class Command(BaseCommand):
    help = "Send due webhook deliveries once, or every --interval seconds with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep sending until stopped")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between runs with --loop")
        parser.add_argument("--limit", type=int, default=200, help="deliveries per run at most")

    def handle(self, *args, loop=False, interval=10.0, limit=200, **options):
        while True:
            run = deliver_due(limit)
            if run.attempted or not loop:
                self.stdout.write(
                    _("Webhooks: %(succeeded)d delivered, %(failed)d to retry, %(given_up)d given up.")
                    % {"succeeded": run.succeeded, "failed": run.failed, "given_up": run.given_up}
                )
            if not loop:
                return
            if run.attempted < limit:
                time.sleep(interval)
