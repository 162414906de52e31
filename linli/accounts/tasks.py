from celery import shared_task

from .sms import send_sms


@shared_task(name="accounts.send_sms", ignore_result=True)
def send_sms_task(phone, message):
    send_sms(phone, message)
