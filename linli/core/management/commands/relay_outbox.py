"""python manage.py relay_outbox [--loop [--interval N]] — deliver pending outbox messages.

Celery beat runs the same relay every minute; this command is for installs
without Redis (run it with --loop under a process supervisor) and for operators.
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from linli.core.outbox import relay_pending


class Command(BaseCommand):
    help = "Deliver pending outbox messages once, or every --interval seconds with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep relaying until stopped")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between runs with --loop")
        parser.add_argument("--limit", type=int, default=200, help="messages per run at most")

    def handle(self, *args, loop=False, interval=10.0, limit=200, **options):
        while True:
            delivered = relay_pending(limit)
            if delivered or not loop:
                self.stdout.write(
                    ngettext("Delivered %(count)d outbox message.", "Delivered %(count)d outbox messages.", delivered)
                    % {"count": delivered}
                )
            if not loop:
                return
            if delivered < limit:  # a full run means more are waiting: go on at once
                time.sleep(interval)
