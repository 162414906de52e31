from celery import shared_task


@shared_task(name="accounts.send_login_code", ignore_result=True)
def send_login_code_task(code_id):
    """Make and send the code of a OneTimeCode row. Only the row's id travels through the broker
    and the task logs: the code itself exists in this process and in the SMS, nowhere else."""
    from .actions import do_issue_login_code

    do_issue_login_code(code_id)
