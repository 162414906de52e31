"""The notification centre's pages: my notifications (newest first), opening one (marks it read and
follows its link), marking all read, and my SMS setting (我的提醒设置)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from . import notify
from .models import Notification

PAGE_SIZE = 20


@login_required
def notification_list(request):
    queryset = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page, "notifications": page.object_list})


@login_required
def notification_open(request, pk):
    """Following an entry: mark it read, then go where it points (a path on this site only)."""
    notification = notify.check_open(request.user, pk)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    if notify.do_mark_all_read(request.user):
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


class PreferenceForm(forms.Form):
    sms_enabled = forms.BooleanField(
        label=gettext_lazy("Also send me text messages (SMS)"), required=False,
        help_text=gettext_lazy("At the important steps: your report accepted, dealt with or closed, your service "
                               "order accepted or done, a reward ready to collect. Login codes always come by SMS."),
    )


@login_required
def notification_settings(request):
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            notify.do_set_sms_enabled(request.user, form.cleaned_data["sms_enabled"])
            messages.success(request, _("Your settings are saved."))
            return redirect("notifications:settings")
    else:
        form = PreferenceForm(initial={"sms_enabled": notify.sms_enabled(request.user)})
    return render(request, "core/notification_settings.html", {"form": form})
