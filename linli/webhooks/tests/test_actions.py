"""Registering, switching off, new secrets and redelivery: through the actions, for the
organization's org_admin only."""

import pytest
from django.http import Http404

from linli.core import outbox
from linli.webhooks.actions import (
    MAX_ACTIVE_WEBHOOKS_PER_ORGANIZATION,
    check_deactivate_webhook,
    check_redeliver,
    check_register_webhook,
    check_rotate_secret,
)
from linli.webhooks.choices import DeliveryStatus
from linli.webhooks.delivery import deliver_due
from linli.webhooks.errors import WebhookError
from linli.webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def test_registering_makes_a_secret_and_cleans_topics(personas):
    webhook = check_register_webhook(
        personas.org_admin, personas.federation, " https://hooks.example.org/linli#x ", ["case.close", "case.dispatch", "case.close"]
    )
    assert webhook.url == "https://hooks.example.org/linli"
    assert webhook.topics == ["case.close", "case.dispatch"]
    assert webhook.secret.startswith("whsec_") and len(webhook.secret) > 40
    assert webhook.created_by == personas.org_admin and webhook.is_active
    other = check_register_webhook(personas.org_admin, personas.federation, "https://hooks.example.org/2", "all")
    assert other.topics == [] and other.secret != webhook.secret


@pytest.mark.parametrize(
    "url, code",
    [
        ("", "url_required"),
        ("ftp://hooks.example.org/x", "bad_url"),
        ("javascript:alert(1)", "bad_url"),
        ("hooks.example.org/x", "bad_url"),
        ("https://user:pw@hooks.example.org/x", "url_credentials"),
        ("https://hooks.example.org/" + "x" * 500, "url_too_long"),
    ],
)
def test_bad_urls_are_refused(personas, url, code):
    with pytest.raises(WebhookError) as caught:
        check_register_webhook(personas.org_admin, personas.federation, url)
    assert caught.value.code == code and caught.value.field == "url"
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://192.168.1.10/x",
        "http://172.16.0.5/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://0.0.0.0/x",
    ],
)
def test_private_addresses_are_refused_in_production(personas, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(WebhookError) as caught:
        check_register_webhook(personas.org_admin, personas.federation, url)
    assert caught.value.code == "private_address"


def test_a_public_address_is_accepted_in_production_and_private_ones_on_an_intranet(personas, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    assert check_register_webhook(personas.org_admin, personas.federation, "https://93.184.216.34/hook").pk
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert check_register_webhook(personas.org_admin, personas.federation, "http://10.1.2.3/hook").pk


def test_unknown_topics_are_refused(personas):
    with pytest.raises(WebhookError) as caught:
        check_register_webhook(personas.org_admin, personas.federation, "https://a.example.org/", ["case.nope"])
    assert caught.value.code == "unknown_topic"


def test_the_same_url_twice_and_too_many_webhooks_are_refused(personas):
    check_register_webhook(personas.org_admin, personas.federation, "https://a.example.org/")
    with pytest.raises(WebhookError) as caught:
        check_register_webhook(personas.org_admin, personas.federation, "https://a.example.org/")
    assert caught.value.code == "already_registered"
    for n in range(MAX_ACTIVE_WEBHOOKS_PER_ORGANIZATION - 1):
        check_register_webhook(personas.org_admin, personas.federation, f"https://a.example.org/{n}")
    with pytest.raises(WebhookError) as caught:
        check_register_webhook(personas.org_admin, personas.federation, "https://a.example.org/last")
    assert caught.value.code == "too_many_webhooks"


@pytest.mark.parametrize(
    "who",
    ["resident", "grid_worker", "community_staff", "street_dispatcher", "outsider", "department_handler", "system_admin"],
)
def test_only_the_organizations_admin_manages_its_webhooks(personas, who):
    actor = getattr(personas, who)
    with pytest.raises(Http404):
        check_register_webhook(actor, personas.federation, "https://a.example.org/")
    webhook = check_register_webhook(personas.org_admin, personas.federation, "https://a.example.org/")
    for write in (check_deactivate_webhook, check_rotate_secret):
        with pytest.raises(Http404):
            write(actor, webhook)
    assert Webhook.objects.get().is_active


def test_an_org_admin_cannot_register_for_another_organization(personas, org_admins):
    with pytest.raises(Http404):
        check_register_webhook(personas.org_admin, personas.department, "https://a.example.org/")
    with pytest.raises(Http404):
        check_register_webhook(org_admins.street_b_admin, personas.federation, "https://a.example.org/")


def test_a_new_secret_signs_the_next_attempts(receiver, register, org_admins, personas, case_at):
    webhook = register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    old = webhook.secret
    case_at("dispatched")
    outbox.relay_pending()
    rotated = check_rotate_secret(org_admins.department_admin, webhook)
    assert rotated.secret != old and Webhook.objects.get().secret == rotated.secret
    receiver.secrets = [old]  # a receiver still on the old secret refuses the event
    deliver_due()
    assert receiver.requests[-1].signature_ok is False
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    switched_off = check_deactivate_webhook(org_admins.department_admin, webhook)
    with pytest.raises(WebhookError) as caught:
        check_rotate_secret(org_admins.department_admin, switched_off)
    assert caught.value.code == "inactive"


def test_redeliver_sends_a_given_up_event_again_with_the_same_id(receiver, register, org_admins, personas, case_at, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    outbox.relay_pending()
    receiver.script = [500]
    assert deliver_due().given_up == 1
    with pytest.raises(Http404):
        check_redeliver(personas.org_admin, WebhookDelivery.objects.select_related("webhook__organization"))
    assert check_redeliver(org_admins.department_admin, WebhookDelivery.objects.select_related("webhook__organization")) == 1
    again = WebhookDelivery.objects.get()
    assert again.status == DeliveryStatus.PENDING and again.attempts == 0
    assert deliver_due().succeeded == 1
    assert receiver.seen_ids()[0] == receiver.seen_ids()[1]
