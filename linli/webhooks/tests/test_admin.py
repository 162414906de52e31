"""The back office: registering through the actions (secret shown once), the delivery log
read-only with its filters, "send again"."""

import pytest
from django.urls import reverse

from linli.accounts.models import User
from linli.core import outbox
from linli.webhooks.choices import DeliveryStatus
from linli.webhooks.delivery import deliver_due
from linli.webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, db):
    user = User.objects.create_superuser(phone="13800000000", name="超级管理员", password="x-pass-1234")
    client.force_login(user)
    return client


def test_registering_in_the_admin_goes_through_the_action(admin_client_, personas, settings):
    url = reverse("admin:webhooks_webhook_add")
    assert admin_client_.get(url).status_code == 200
    response = admin_client_.post(
        url, {"organization": personas.federation.pk, "url": "https://hooks.example.org/a", "topics": ["case.close"],
              "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"}, follow=True,
    )
    webhook = Webhook.objects.get()
    assert webhook.topics == ["case.close"] and webhook.secret in response.content.decode()
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = admin_client_.post(
        url, {"organization": personas.federation.pk, "url": "http://127.0.0.1/x",
              "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200 and Webhook.objects.count() == 1
    change = admin_client_.get(reverse("admin:webhooks_webhook_change", args=[webhook.pk])).content.decode()
    assert webhook.secret not in change


def test_the_delivery_log_and_send_again(admin_client_, receiver, register, org_admins, personas, case_at, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    webhook = register(org_admins.department_admin, personas.department)
    case_at("dispatched")
    outbox.relay_pending()
    receiver.script = [500, 500, 500]
    deliver_due()
    changelist = reverse("admin:webhooks_webhookdelivery_changelist")
    assert admin_client_.get(changelist + "?status__exact=given_up").status_code == 200
    assert admin_client_.get(changelist + f"?webhook__id__exact={webhook.pk}").status_code == 200
    assert admin_client_.get(reverse("admin:webhooks_webhook_change", args=[webhook.pk])).status_code == 200
    ids = list(WebhookDelivery.objects.values_list("pk", flat=True))
    admin_client_.post(changelist, {"action": "redeliver", "_selected_action": ids})
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert deliver_due().succeeded == 3
