"""The organization admin's webhook pages: scoped to the admin's organizations, 404 for
everyone else, the secret shown once, a delivery log whose query count does not grow."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.core import outbox
from linli.webhooks.actions import check_register_webhook
from linli.webhooks.choices import DeliveryStatus
from linli.webhooks.delivery import deliver_due
from linli.webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def queries_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def federation_webhook(personas):
    return check_register_webhook(personas.org_admin, personas.federation, "https://hooks.example.org/fed")


@pytest.mark.parametrize(
    "who",
    ["resident", "grid_worker", "community_staff", "street_dispatcher", "outsider", "department_handler", "system_admin"],
)
def test_pages_answer_404_to_everyone_but_org_admins(client, personas, federation_webhook, who):
    login(client, getattr(personas, who))
    pk = federation_webhook.pk
    for url in (reverse("webhooks:list"), reverse("webhooks:add"), reverse("webhooks:detail", args=[pk])):
        assert client.get(url).status_code == 404, url
    for url in (reverse("webhooks:deactivate", args=[pk]), reverse("webhooks:rotate_secret", args=[pk])):
        assert client.post(url).status_code == 404, url
    assert Webhook.objects.get().is_active


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("webhooks:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_org_admin_sees_only_the_webhooks_of_their_organizations(client, personas, org_admins, federation_webhook):
    other = check_register_webhook(org_admins.department_admin, personas.department, "https://hooks.example.org/dept")
    html = login(client, personas.org_admin).get(reverse("webhooks:list")).content.decode()
    assert "hooks.example.org/fed" in html and "hooks.example.org/dept" not in html
    assert client.get(reverse("webhooks:detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("webhooks:deactivate", args=[other.pk])).status_code == 404
    assert Webhook.objects.get(pk=other.pk).is_active


def test_adding_a_webhook_shows_its_secret_once(client, personas):
    login(client, personas.org_admin)
    form = client.get(reverse("webhooks:add")).content.decode()
    assert 'name="topics"' in form and 'value="case.dispatch"' in form and "开元街道妇联" in form
    response = client.post(
        reverse("webhooks:add"),
        {"organization": personas.federation.pk, "url": "https://hooks.example.org/new", "topics": ["case.dispatch"]},
    )
    webhook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhooks:detail", args=[webhook.pk])
    assert webhook.topics == ["case.dispatch"] and webhook.created_by == personas.org_admin
    first = client.get(response["Location"]).content.decode()
    assert webhook.secret in first and 'data-testid="new-secret"' in first
    assert webhook.secret not in client.get(response["Location"]).content.decode()


def test_a_bad_address_comes_back_with_the_reason(client, personas, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    login(client, personas.org_admin)
    response = client.post(reverse("webhooks:add"), {"organization": personas.federation.pk, "url": "http://192.168.0.8/x"})
    assert response.status_code == 400 and not Webhook.objects.exists()
    assert 'class="invalid-feedback d-block"' in response.content.decode()


def test_an_org_admin_cannot_add_for_someone_elses_organization(client, personas):
    login(client, personas.org_admin)
    response = client.post(reverse("webhooks:add"), {"organization": personas.department.pk, "url": "https://a.example.org/"})
    assert response.status_code == 400 and not Webhook.objects.exists()


def test_switching_off_and_a_new_secret(client, personas, federation_webhook):
    login(client, personas.org_admin)
    old = federation_webhook.secret
    response = client.post(reverse("webhooks:rotate_secret", args=[federation_webhook.pk]), follow=True)
    new = Webhook.objects.get().secret
    assert new != old and new in response.content.decode()
    client.post(reverse("webhooks:deactivate", args=[federation_webhook.pk]))
    assert not Webhook.objects.get().is_active
    html = client.get(reverse("webhooks:detail", args=[federation_webhook.pk])).content.decode()
    assert 'data-testid="deactivate"' not in html


def test_the_delivery_log_filters_pages_and_does_not_grow_in_queries(
    client, receiver, register, org_admins, personas, case_at
):
    webhook = register(org_admins.department_admin, personas.department)
    case_at("dispatched")
    outbox.relay_pending()
    receiver.script = [500]
    deliver_due()
    login(client, org_admins.department_admin)
    url = reverse("webhooks:detail", args=[webhook.pk])
    few = queries_of(client, url)
    html = client.get(url + "?status=failed").content.decode()
    assert html.count('data-testid="delivery-row"') == 1 and "HTTP 500" in html
    for _ in range(4):
        case_at("dispatched")
    outbox.relay_pending()
    assert WebhookDelivery.objects.count() == 15
    assert queries_of(client, url) == few
    assert client.get(url + "?status=bogus&before=x").status_code == 200

    list_queries = queries_of(client, reverse("webhooks:list"))
    check_register_webhook(org_admins.department_admin, personas.department, "https://hooks.example.org/2")
    assert queries_of(client, reverse("webhooks:list")) == list_queries


def test_redeliver_from_the_log(client, receiver, register, org_admins, personas, case_at):
    webhook = register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    outbox.relay_pending()
    deliver_due()
    sent = WebhookDelivery.objects.get()
    login(client, personas.org_admin)  # not this organization's admin
    assert client.post(reverse("webhooks:redeliver", args=[webhook.pk, sent.pk])).status_code == 404
    login(client, org_admins.department_admin)
    client.post(reverse("webhooks:redeliver", args=[webhook.pk, sent.pk]))
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
