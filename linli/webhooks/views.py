"""The organization admin's webhook pages: list, add, the webhook with its delivery log,
switch off, new secret, send again.

Only the org_admin of an organization manages its webhooks here (back-office staff use the
Django admin); anyone else, and any webhook outside the user's organizations, answers 404.
Every write goes through `actions`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, queries
from .choices import CASE_TOPICS, DeliveryStatus
from .errors import WebhookError
from .forms import WebhookForm
from .models import WebhookDelivery

SECRET_SESSION_KEY = "webhooks:new-secret:%s"
TOPIC_LABELS = dict(CASE_TOPICS)


def _organizations_or_404(user):
    organizations = queries.managed_organizations(user)
    if not organizations.exists():
        raise Http404
    return organizations


def _show_secret_once(request, webhook):
    request.session[SECRET_SESSION_KEY % webhook.pk] = webhook.secret


@login_required
def webhook_list(request):
    _organizations_or_404(request.user)
    failing = Q(deliveries__status__in=[DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP])
    webhooks = (
        queries.webhooks_for(request.user)
        .annotate(failing=Count("deliveries", filter=failing), last_delivered_at=Max("deliveries__delivered_at"))
        .order_by("-is_active", "organization__name", "-id")
    )
    rows = [(webhook, [TOPIC_LABELS.get(topic, topic) for topic in webhook.topics]) for webhook in webhooks]
    return render(request, "webhooks/list.html", {"rows": rows})


@login_required
def webhook_add(request):
    organizations = _organizations_or_404(request.user)
    form = WebhookForm(request.POST or None, organizations=organizations, initial={"organization": organizations.first()})
    if request.method == "POST" and form.is_valid():
        try:
            webhook = actions.check_register_webhook(
                request.user, form.cleaned_data["organization"], form.cleaned_data["url"], form.cleaned_data["topics"]
            )
        except WebhookError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            _show_secret_once(request, webhook)
            messages.success(request, _("Webhook added. Copy the signing secret now: it is shown only once."))
            return redirect("webhooks:detail", webhook.pk)
    return render(request, "webhooks/add.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def webhook_detail(request, pk):
    webhook = queries.get_webhook_for(request.user, pk)
    status = request.GET.get("status", "")
    if status not in DeliveryStatus.values:
        status = ""
    try:
        before = int(request.GET.get("before", "") or 0) or None
    except ValueError:
        before = None
    deliveries = list(queries.delivery_log(webhook, status=status, before=before, limit=queries.LOG_PAGE_SIZE + 1))
    has_more = len(deliveries) > queries.LOG_PAGE_SIZE
    deliveries = deliveries[: queries.LOG_PAGE_SIZE]
    context = {
        "webhook": webhook,
        "topic_labels": [TOPIC_LABELS.get(topic, topic) for topic in webhook.topics],
        "new_secret": request.session.pop(SECRET_SESSION_KEY % webhook.pk, None),
        "deliveries": deliveries,
        "status": status,
        "statuses": DeliveryStatus.choices,
        "next_before": deliveries[-1].pk if has_more and deliveries else None,
        "redeliverable": {str(value) for value in actions.REDELIVERABLE},
    }
    return render(request, "webhooks/detail.html", context)


@login_required
@require_POST
def webhook_deactivate(request, pk):
    webhook = queries.get_webhook_for(request.user, pk)
    actions.check_deactivate_webhook(request.user, webhook)
    messages.success(request, _("Webhook switched off. No more events will be sent to it."))
    return redirect("webhooks:detail", webhook.pk)


@login_required
@require_POST
def webhook_rotate_secret(request, pk):
    webhook = queries.get_webhook_for(request.user, pk)
    try:
        webhook = actions.check_rotate_secret(request.user, webhook)
    except WebhookError as error:
        messages.error(request, error.message)
    else:
        _show_secret_once(request, webhook)
        messages.success(request, _("New signing secret made. Copy it now: it is shown only once."))
    return redirect("webhooks:detail", webhook.pk)


@login_required
@require_POST
def delivery_redeliver(request, pk, delivery_pk):
    webhook = queries.get_webhook_for(request.user, pk)
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook__organization"), pk=delivery_pk, webhook=webhook)
    if actions.check_redeliver(request.user, [delivery]):
        messages.success(request, _("The event will be sent again in a moment."))
    else:
        messages.error(request, _("This event cannot be sent again now."))
    return redirect("webhooks:detail", webhook.pk)
