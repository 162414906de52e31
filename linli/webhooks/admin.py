"""Webhooks in the back office: registration (through the actions; the secret is shown once
as a message), recent deliveries inline, a read-only delivery log with "send again"."""

from django import forms
from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from linli.core.admin import ReadOnlyMixin

from . import actions
from .choices import CASE_TOPICS
from .errors import WebhookError
from .models import Webhook, WebhookDelivery

INLINE_DELIVERIES = 20


class WebhookAddForm(forms.ModelForm):
    url = forms.CharField(label=_("URL"), max_length=500)  # checked by actions.clean_url
    topics = forms.MultipleChoiceField(
        label=_("Events to send"), choices=CASE_TOPICS, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick nothing to receive every event."),
    )

    class Meta:
        model = Webhook
        fields = ["organization", "url", "topics"]

    def clean(self):
        cleaned = super().clean()
        for name, check in (("url", actions.clean_url), ("topics", actions.clean_topics)):
            if name in cleaned:
                try:
                    cleaned[name] = check(cleaned[name])
                except WebhookError as error:
                    self.add_error(name, error.message)
        if not self.errors and cleaned.get("organization"):
            try:
                actions.check_room(cleaned["organization"], cleaned["url"])
            except WebhookError as error:
                self.add_error(error.field, error.message)
        return cleaned


class RecentDeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = WebhookDelivery
    fields = ["created_at", "topic", "event_id", "status", "attempts", "last_response_status", "delivered_at", "error"]
    readonly_fields = fields
    extra = 0
    ordering = ["-id"]
    verbose_name_plural = _("recent deliveries")

    @admin.display(description=_("last error"))
    def error(self, delivery):
        return Truncator(delivery.last_error).chars(80)

    def get_queryset(self, request):
        deliveries = super().get_queryset(request).defer("payload")
        object_id = getattr(request.resolver_match, "kwargs", {}).get("object_id")
        if not object_id:
            return deliveries.none()
        recent = WebhookDelivery.objects.filter(webhook_id=object_id).order_by("-id").values_list("pk", flat=True)[:INLINE_DELIVERIES]
        return deliveries.filter(pk__in=list(recent))


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "is_active", "created_at", "created_by"]
    list_select_related = ["organization", "created_by"]
    list_filter = ["is_active"]
    search_fields = ["url", "organization__name"]
    raw_id_fields = ["organization"]
    ordering = ["-id"]
    actions = ["deactivate", "rotate_secret"]
    inlines = [RecentDeliveryInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = WebhookAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organization", "url", "topics"]
        return ["organization", "url", "topics", "is_active", "created_by", "created_at", "secret_rotated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Once registered a webhook changes only through the actions (never the secret here).
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off instead: its delivery log stays

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            webhook = actions.check_register_webhook(
                request.user, form.cleaned_data["organization"], form.cleaned_data["url"], form.cleaned_data["topics"]
            )
        except WebhookError as error:
            # The form checked the same; only a registration made meanwhile gets here.
            self.message_user(request, error.message, messages.ERROR)
            raise
        obj.pk, obj.secret = webhook.pk, webhook.secret
        self.message_user(
            request,
            _("Signing secret (shown only this once): %(secret)s") % {"secret": webhook.secret},
            messages.WARNING,
        )

    def has_rotate_secret_permission(self, request):
        return request.user.has_perm("webhooks.change_webhook")

    has_deactivate_permission = has_rotate_secret_permission

    @admin.action(description=_("Switch off the selected webhooks"), permissions=["deactivate"])
    def deactivate(self, request, queryset):
        for webhook in queryset.select_related("organization"):
            actions.check_deactivate_webhook(request.user, webhook)
        self.message_user(request, _("Switched off."), messages.SUCCESS)

    @admin.action(description=_("Make new signing secrets for the selected webhooks"), permissions=["rotate_secret"])
    def rotate_secret(self, request, queryset):
        for webhook in queryset.filter(is_active=True).select_related("organization"):
            webhook = actions.check_rotate_secret(request.user, webhook)
            self.message_user(
                request,
                _("New signing secret for %(url)s (shown only this once): %(secret)s")
                % {"url": webhook.url, "secret": webhook.secret},
                messages.WARNING,
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "webhook", "topic", "event_id", "status", "attempts", "last_response_status",
                    "duration_ms", "next_attempt_at", "delivered_at"]
    list_select_related = ["webhook__organization"]
    list_filter = ["status", "webhook", "topic"]
    search_fields = ["=event_id", "webhook__url"]
    ordering = ["-id"]
    actions = ["redeliver"]
    show_full_result_count = False

    def has_redeliver_permission(self, request):
        return request.user.has_perm("webhooks.change_webhook")

    @admin.action(description=_("Send the selected deliveries again"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        count = actions.check_redeliver(request.user, queryset.select_related("webhook__organization"))
        self.message_user(
            request,
            ngettext("%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
