from django.core.management.base import BaseCommand

from linli.volunteering.actions import do_auto_check_out, do_send_reminders


class Command(BaseCommand):
    help = "Remind volunteers of tomorrow's activities and check out those still in after the end (safe to run twice)."

    def handle(self, *args, **options):
        reminded = do_send_reminders()
        checked_out = do_auto_check_out()
        self.stdout.write(f"reminded {reminded}, checked out {checked_out}")
