from django.core.management.base import BaseCommand

from linli.cases import sla


class Command(BaseCommand):
    help = "Mark cases due soon and overdue, send reminders, escalate by policy (safe to run concurrently)."

    def handle(self, *args, **options):
        result = sla.sweep()
        self.stdout.write(
            f"due soon: {result.due_soon}, overdue: {result.overdue}, escalated: {result.escalated}"
        )
