"""Beat tasks: reminders the day before, automatic check-out after the end (both safe to run twice)."""

from celery import shared_task


@shared_task(name="volunteering.send_reminders")
def send_reminders():
    from .actions import do_send_reminders

    return do_send_reminders()


@shared_task(name="volunteering.auto_check_out")
def auto_check_out():
    from .actions import do_auto_check_out

    return do_auto_check_out()
