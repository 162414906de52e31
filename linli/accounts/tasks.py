from celery import shared_task

from .sms import send_sms


@shared_task(name="accounts.send_sms", ignore_result=True)
def send_sms_task(phone, template_key, params=None):
    send_sms(phone, template_key, params)
