"""Login and logout pages.

Staff: mobile number + password (Django's LoginView).
Residents: mobile number + one-time SMS code, in two steps on one URL:
request a code, then enter it. The phone waiting for its code lives in the session.

Failed sign-ins spend budgets (settings.RATE_LIMITS, linli.core.ratelimit): "login-ip" per
address for both kinds; for passwords also "login-phone-ip" per (number, address), the tight
one, and "login-phone" per number, far above it. Checked in that order, and a refused attempt
spends nothing further: a guesser held back by the first two never reaches the account's budget.
The account's budget never refuses an address that has not failed on it: past it, each address
gets one guess (then it is held back too), so a stranger's guesses slow the guessing of an
account but cannot lock its owner out of a fresh address; `manage.py unlock_sign_in` clears
them all. A success gives its attempts back. Refused, the page answers 429 with Retry-After.
"""

import math


from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from linli.core import ratelimit

from .actions import LoginCodeError, check_request_login_code, client_ip
from .forms import PHONE_MAX_LENGTH, EnterCodeForm, RequestCodeForm, StaffLoginForm
from .models import mask_phone, normalize_phone

PENDING_PHONE = "linli_login_code_phone"


def too_many_sign_ins_message(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-ins. Please try again in %(minutes)d minute.",
        "Too many failed sign-ins. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def with_retry_after(response, seconds):
    response.status_code = 429
    response["Retry-After"] = str(max(1, int(seconds)))
    return response


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True
    extra_context = {"hide_login_link": True}

    def post(self, request, *args, **kwargs):
        phone = normalize_phone(request.POST.get("username", ""))[:PHONE_MAX_LENGTH]
        spent, refused = sign_in_budgets(phone, ratelimit.ip_ident(request))
        if refused is not None:
            # The password is not even checked: that is what a guesser is after.
            messages.error(request, too_many_sign_ins_message(refused.retry_after))
            form = self.get_form_class()(request, initial={"username": phone})
            return with_retry_after(self.render_to_response(self.get_context_data(form=form)), refused.retry_after)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            for budget in spent:
                ratelimit.refund(*budget)
        return response


def sign_in_budgets(phone, address):
    """Count a password attempt: ([budgets spent], the refusing verdict or None). See the module."""
    spent = []
    pair = ("login-phone-ip", f"phone:{phone}|{address}")
    for budget in [("login-ip", address)] + ([pair] if phone else []):
        verdict = ratelimit.hit(*budget)
        spent.append(budget)
        if not verdict.allowed:
            return spent, verdict  # nothing further is spent
    if phone:
        account = ("login-phone", f"phone:{phone}")
        fresh = ratelimit.peek(*pair).count == 2  # this attempt is the address's first on the account
        verdict = ratelimit.peek(*account)
        if not verdict.allowed and not fresh:
            return spent, verdict
        ratelimit.hit(*account)
        spent.append(account)
    return spent, None


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
    retry_after = None
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "request":
            phone_form = RequestCodeForm(request.POST)
            if phone_form.is_valid():
                requested = phone_form.cleaned_data["phone"]
                try:
                    check_request_login_code(requested, client_ip(request))
                except LoginCodeError as error:
                    retry_after = error.retry_after
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
            address = ratelimit.ip_ident(request)
            verdict = ratelimit.hit("login-ip", address)
            if not verdict.allowed:
                retry_after = verdict.retry_after
                code_form = EnterCodeForm()
                messages.error(request, too_many_sign_ins_message(verdict.retry_after))
            elif code_form.is_valid():
                user = authenticate(request, phone=phone, code=code_form.cleaned_data["code"])
                if user is None:
                    # The backend keeps why on the request (a LoginCodeError).
                    error = getattr(request, "login_code_error", None)
                    code_form.add_error("code", error.message if error is not None else _("The code is wrong."))
                else:
                    ratelimit.refund("login-ip", address)
                    request.session.pop(PENDING_PHONE, None)
                    login(request, user)
                    return redirect(next_url or settings.LOGIN_REDIRECT_URL)

    response = render(
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
    return with_retry_after(response, retry_after) if retry_after else response
