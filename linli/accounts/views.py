"""Login and logout pages.

Staff: mobile number + password (Django's LoginView).
Residents: mobile number + one-time SMS code, in two steps on one URL:
request a code, then enter it. The phone waiting for its code lives in the session.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .actions import LoginCodeError, check_request_login_code, client_ip
from .forms import EnterCodeForm, RequestCodeForm, StaffLoginForm
from .models import mask_phone

PENDING_PHONE = "linli_login_code_phone"


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True
    extra_context = {"hide_login_link": True}


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default); GET shows nothing to click by accident."""


def _next_url(request):
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _self_url(next_url):
    url = reverse("accounts:login_code")
    if next_url:
        url += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
    return url


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)

    if request.method == "GET" and "restart" in request.GET:
        request.session.pop(PENDING_PHONE, None)
    phone = request.session.get(PENDING_PHONE)
    phone_form = RequestCodeForm(initial={"phone": phone} if phone else None)
    code_form = EnterCodeForm()

    resend_error = ""
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "request":
            phone_form = RequestCodeForm(request.POST)
            if phone_form.is_valid():
                requested = phone_form.cleaned_data["phone"]
                try:
                    check_request_login_code(requested, client_ip(request))
                except LoginCodeError as error:
                    if requested == phone:
                        # "Send a new code" from step 2 (e.g. too soon): stay on step 2.
                        resend_error = error.message
                    else:
                        phone_form.add_error("phone", error.message)
                else:
                    request.session[PENDING_PHONE] = requested
                    messages.success(
                        request, _("A code was sent to %(phone)s by SMS.") % {"phone": mask_phone(requested)}
                    )
                    return redirect(_self_url(next_url))
            if not resend_error:
                request.session.pop(PENDING_PHONE, None)
                phone = None
        elif step == "verify" and phone:
            code_form = EnterCodeForm(request.POST)
            if code_form.is_valid():
                user = authenticate(request, phone=phone, code=code_form.cleaned_data["code"])
                if user is None:
                    # The backend keeps why on the request (a LoginCodeError).
                    error = getattr(request, "login_code_error", None)
                    code_form.add_error("code", error.message if error is not None else _("The code is wrong."))
                else:
                    request.session.pop(PENDING_PHONE, None)
                    login(request, user)
                    return redirect(next_url or settings.LOGIN_REDIRECT_URL)

    return render(
        request,
        "accounts/login_code.html",
        {
            "step": "verify" if phone else "request",
            "phone_form": phone_form,
            "code_form": code_form,
            "masked_phone": mask_phone(phone) if phone else "",
            "pending_phone": phone or "",
            "resend_error": resend_error,
            "next": next_url,
            "code_to_log": settings.SMS_BACKEND.endswith("LogSmsBackend"),
            "hide_login_link": True,
        },
    )
