"""Phone-first pages: volunteers find, sign up, scan in/out and see their hours; leaders run activities."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import certificates, qr
from linli.core.errors import ActionError
from linli.core.ids import parse_id, parse_ids
from linli.enrolment import checkin
from linli.points.actions import balance_of

from . import actions, queries
from .certificate_pdf import FontUnavailable, render_certificate
from .choices import ActivityStatus, HoursStatus, SignupStatus
from .forms import (
    ActivityEditForm,
    ActivityForm,
    CancelActivityForm,
    CertificateForm,
    ProfileForm,
    RegisterForm,
    RejectForm,
)
from .models import Attendance, Enrolment, Venue, Volunteer

PAGE_SIZE = 20


def _form_error(form, error: ActionError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _client_ip(request):
    return request.META.get("REMOTE_ADDR")


# -- volunteers -----------------------------------------------------------------------------


@login_required
def activity_list(request):
    page = Paginator(queries.published_activities(request.user).filter(ends_at__gt=timezone.now()), PAGE_SIZE)
    return render(request, "volunteering/index.html", {
        "page": page.get_page(request.GET.get("page")),
        "volunteer": Volunteer.objects.filter(user=request.user).first(),
        "is_manager": queries.is_manager(request.user),
    })


def _visible_activity(user, pk):
    activity = queries.visible_activity(user, pk)
    if activity is None:
        raise Http404
    return activity


@login_required
def activity_detail(request, pk):
    activity = _visible_activity(request.user, pk)
    mine = Enrolment.objects.filter(session=activity, user=request.user).exclude(
        status=SignupStatus.CANCELLED).select_related("venue").first()
    return render(request, "volunteering/activity.html", {
        "activity": activity, "venues": queries.venues_of(activity), "mine": mine,
        "volunteer": Volunteer.objects.filter(user=request.user).first(),
        "can_manage": queries.can_manage_organization(request.user, activity.organization),
        "signup_open": activity.signup_opens_at <= timezone.now() < activity.signup_closes_at,
    })


@login_required
@require_POST
def signup(request, pk):
    activity = _visible_activity(request.user, pk)
    venue_id = parse_id(request.POST.get("venue"))
    venue = Venue.objects.filter(session=activity, pk=venue_id).first() if venue_id else None
    try:
        result = actions.check_signup(request.user, activity, venue)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if result.status == SignupStatus.CONFIRMED:
            messages.success(request, _("You are signed up. See you there!"))
        else:
            messages.info(request, _("The venue is full: you are on the waiting list and will be told if a place frees up."))
    return redirect("volunteering:activity", pk=activity.pk)


@login_required
@require_POST
def cancel(request, pk):
    signup_row = get_object_or_404(Enrolment.objects.select_related("session__activity"), pk=pk, user=request.user)
    try:
        actions.check_cancel_signup(request.user, signup_row)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteering:mine")


@login_required
def register(request):
    existing = Volunteer.objects.filter(user=request.user).first()
    if existing:
        return render(request, "volunteering/register.html", {"volunteer": existing})
    community = queries.resident_community(request.user)
    form = RegisterForm(request.POST or None, initial={
        "name": request.user.name, "phone": request.user.phone, "area": community.pk if community else None})
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = actions.check_register_volunteer(request.user, **form.cleaned_data)
        except ActionError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Welcome! Your volunteer number is %(number)s.") % {"number": volunteer.number})
            # Back to the activity the person came from, to sign up for it.
            return redirect(_safe_next(request) or reverse("volunteering:index"))
    return render(request, "volunteering/register.html", {"form": form, "next": _safe_next(request)})


def _safe_next(request):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


@login_required
def profile(request):
    """我的志愿者资料: the record as registered; the volunteer edits what is theirs to keep up to date."""
    volunteer = Volunteer.objects.select_related("area").filter(user=request.user).first()
    if volunteer is None:
        return redirect("volunteering:register")
    initial = {field: getattr(volunteer, field) for field in actions.PROFILE_FIELDS}
    initial["skills"] = ", ".join(volunteer.skills)
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_update_volunteer(request.user, volunteer, **form.cleaned_data)
        except ActionError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Your volunteer profile is saved."))
            return redirect("volunteering:profile")
    return render(request, "volunteering/profile.html", {"volunteer": volunteer, "form": form})


@login_required
def my_signups(request):
    page = Paginator(queries.my_current_signups(request.user), PAGE_SIZE)
    return render(request, "volunteering/mine.html", {"page": page.get_page(request.GET.get("page"))})


@login_required
def my_hours(request):
    page = Paginator(queries.my_attendances(request.user), PAGE_SIZE)
    return render(request, "volunteering/hours.html", {
        "page": page.get_page(request.GET.get("page")),
        "approved_hours": queries.approved_hours_of(request.user),
        "balance": balance_of(request.user),
        "volunteer": Volunteer.objects.filter(user=request.user).first(),
    })


@login_required
def scan(request, token):
    """The page a phone camera opens from a venue's QR code: one tap checks in (or out)."""
    venue_id = checkin.venue_id_from_token(token)
    venue = Venue.objects.select_related("session__activity").filter(pk=venue_id).first() if venue_id else None
    result = None
    if request.method == "POST":
        try:
            result = actions.check_scan(request.user, token, request.POST.get("lat") or None,
                                        request.POST.get("lng") or None)
        except ActionError as error:
            # too_soon is a second scan right after checking in (double tap, reload): the page then says
            # when check-out opens (check_out_in below) instead of showing an error.
            if error.code != "too_soon":
                messages.error(request, error.message)
    attendance = None
    if venue is not None:
        attendance = Attendance.objects.filter(enrolment__session=venue.session_id, enrolment__user=request.user).first()
    check_out_in = None
    if attendance is not None and attendance.checked_out_at is None:
        wait = attendance.checked_in_at + actions.MIN_STAY - timezone.now()
        if wait.total_seconds() > 0:
            check_out_in = -(-int(wait.total_seconds()) // 60)  # whole minutes, rounded up
    return render(request, "volunteering/scan.html", {
        "token": token, "venue": venue, "attendance": attendance, "result": result,
        "check_out_in": check_out_in, "heading": _scan_heading(result, attendance, check_out_in),
    })


def _scan_heading(result, attendance, check_out_in):
    """The scan page's heading: what just happened, else what the tap will do."""
    latest = result or attendance
    if latest is not None and latest.checked_out_at:
        return _("Checked out")
    if result is not None or check_out_in:
        return _("Checked in")
    return _("Check out") if attendance is not None else _("Check in")


# -- leaders --------------------------------------------------------------------------------


def _require_manager(user):
    if not queries.is_manager(user):
        raise Http404


@login_required
def manage(request):
    _require_manager(request.user)
    page = Paginator(queries.activities_for_manager(request.user), PAGE_SIZE)
    return render(request, "volunteering/manage.html", {
        "page": page.get_page(request.GET.get("page")), "teams": list(queries.managed_teams(request.user)[:20]),
    })


@login_required
def create_activity(request):
    _require_manager(request.user)
    organizations = queries.managed_organizations(request.user).order_by("name")
    form = ActivityForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        try:
            activity = actions.check_create_activity(request.user, organization, **data)
        except ActionError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The activity is published."))
            return redirect("volunteering:roster", pk=activity.pk)
    return render(request, "volunteering/create.html", {"form": form})


def _managed_activity(user, pk):
    activity = queries.activities_for_manager(user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


@login_required
def roster(request, pk):
    activity = _managed_activity(request.user, pk)
    signups = list(queries.roster(activity))
    cancelled = activity.status == ActivityStatus.CANCELLED
    # A cancelled activity's hours cannot be approved (check_approve_hours refuses): no approval offered.
    pending = [] if cancelled else [
        s.attendance.pk for s in signups if hasattr(s, "attendance") and s.attendance.status ==
        HoursStatus.PENDING and s.attendance.checked_out_at]
    return render(request, "volunteering/roster.html", {
        "activity": activity, "venues": queries.venues_of(activity), "signups": signups,
        "pending_ids": pending, "reject_form": RejectForm(), "cancelled": cancelled,
        "can_change": not cancelled and timezone.now() < activity.ends_at,
    })


@login_required
def edit_activity(request, pk):
    activity = _managed_activity(request.user, pk)
    venues = queries.venues_of(activity)
    initial = {field: getattr(activity, field) for field in actions.EDITABLE_ACTIVITY_FIELDS}
    initial["required_skills"] = ", ".join(activity.required_skills)
    for field in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        initial[field] = timezone.localtime(initial[field])
    form = ActivityEditForm(request.POST or None, initial=initial, venues=venues)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_update_activity(request.user, activity, **form.action_fields())
        except ActionError as error:
            field = {"venues": None, "add_branches": "branches"}.get(error.field, error.field)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("volunteering:roster", pk=activity.pk)
    return render(request, "volunteering/edit.html", {"activity": activity, "form": form})


@login_required
def cancel_activity(request, pk):
    """A page of its own: the reason, what happens, then one confirming button."""
    activity = _managed_activity(request.user, pk)
    form = CancelActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_cancel_activity(request.user, activity, form.cleaned_data["reason"])
        except ActionError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The activity is cancelled; the volunteers are being told."))
            return redirect("volunteering:roster", pk=activity.pk)
    return render(request, "volunteering/cancel.html", {
        "activity": activity, "form": form,
        "signed_up": activity.confirmed_count + activity.waitlist_count,
    })


@login_required
@require_POST
def verify(request, pk):
    """Approve the chosen hours (bulk), or reject one with a reason."""
    activity = _managed_activity(request.user, pk)
    try:
        if request.POST.get("reject"):
            reject_id = parse_id(request.POST["reject"])
            if reject_id is None:
                raise Http404
            attendance = get_object_or_404(Attendance, pk=reject_id, enrolment__session=activity)
            actions.check_reject_hours(request.user, attendance, request.POST.get("reason"))
            messages.success(request, _("The hours were rejected."))
        else:
            ids = parse_ids(request.POST.getlist("ids"), limit=500)
            ids = list(Attendance.objects.filter(pk__in=ids, enrolment__session=activity).values_list("pk", flat=True))
            count = actions.check_bulk_approve(request.user, ids)
            messages.success(request, _("%(count)d volunteers' hours approved; their points are posted.") % {"count": count})
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("volunteering:roster", pk=activity.pk)


@login_required
@require_POST
def mark_present(request, pk):
    """The leader marks a confirmed volunteer present for the activity's whole time."""
    signup_row = get_object_or_404(Enrolment.objects.select_related("session__activity__organization__area"), pk=pk)
    if not queries.can_manage_organization(request.user, signup_row.session.activity.organization):
        raise Http404
    try:
        actions.check_mark_attendance(request.user, signup_row, signup_row.session.activity.starts_at, signup_row.session.activity.ends_at)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked present."))
    return redirect("volunteering:roster", pk=signup_row.session_id)


def _managed_venue(user, pk):
    venue = Venue.objects.select_related("session__activity__organization__area").filter(pk=pk).first()
    if venue is None or not queries.can_manage_organization(user, venue.session.activity.organization):
        raise Http404
    return venue


def _qr_context(request, venue):
    url = request.build_absolute_uri(reverse("volunteering:scan", args=[checkin.make_token(venue.pk)]))
    svg = qr.svg(url, scale=6, border=2, sized=True)
    return {"venue": venue, "scan_url": url, "svg": svg, "rotate_seconds": checkin.rotate_seconds()}


@login_required
def show_qr(request, pk):
    venue = _managed_venue(request.user, pk)
    return render(request, "volunteering/qr.html", _qr_context(request, venue))


@login_required
def qr_code(request, pk):
    """The refreshing part of the QR page (htmx swaps it in every few seconds)."""
    venue = _managed_venue(request.user, pk)
    response = render(request, "volunteering/_qr_code.html", _qr_context(request, venue))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def reveal_id(request, number):
    volunteer = get_object_or_404(Volunteer, number=number)
    full = actions.check_reveal_id_number(request.user, volunteer, _client_ip(request))
    return HttpResponse(format_html('<span class="ll-code" data-testid="revealed-id">{}</span>', full))


# -- certificates ---------------------------------------------------------------------------


def _certificate_form(request, volunteer, organizations):
    today = timezone.localdate()
    return CertificateForm(request.POST or None, organizations=organizations,
                           initial={"date_from": today.replace(month=1, day=1), "date_to": today})


def _issue_from_form(request, form, volunteer):
    """The certificate, or None with the action's error on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        certificate = actions.check_issue_certificate(request.user, volunteer, **form.cleaned_data)
    except ActionError as error:
        _form_error(form, error)
        return None
    messages.success(request, _("Certificate %(number)s is issued. Download the PDF to print it.") % {
        "number": certificate.number})
    return certificate


@login_required
def my_certificates(request):
    """The volunteer's own certificates, and the form to issue one for an organization they served with."""
    volunteer = Volunteer.objects.filter(user=request.user).first()
    form = None
    if volunteer is not None:
        form = _certificate_form(request, volunteer, queries.served_organizations(volunteer))
        if _issue_from_form(request, form, volunteer):
            return redirect("volunteering:certificates")
    return render(request, "volunteering/certificates.html", {
        "volunteer": volunteer, "form": form, "certificates": list(queries.my_certificates(request.user)[:50]),
        "is_manager": queries.is_manager(request.user),
    })


@login_required
def issue_certificate(request, number):
    """A leader issues a certificate to a volunteer of their team (linked from the attendance page)."""
    _require_manager(request.user)
    volunteer = queries.volunteers_for_manager(request.user).filter(number=number).first()
    if volunteer is None:
        raise Http404
    organizations = queries.served_organizations(volunteer).filter(
        pk__in=queries.managed_organizations(request.user).values("pk"))
    form = _certificate_form(request, volunteer, organizations)
    if _issue_from_form(request, form, volunteer):
        return redirect("volunteering:issue_certificate", number=volunteer.number)
    return render(request, "volunteering/certificate_issue.html", {
        "volunteer": volunteer, "form": form,
        "certificates": list(queries.certificates_visible_to(request.user).filter(volunteer=volunteer)[:50]),
        "can_revoke": True,
    })


@login_required
def certificate_pdf(request, number):
    certificate = queries.certificates_visible_to(request.user).filter(number=number).first()
    if certificate is None:
        raise Http404
    try:
        pdf = render_certificate(certificate, certificates.check_url(request, certificate))
    except FontUnavailable:
        return render(request, "volunteering/certificate_unavailable.html", status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


@login_required
@require_POST
def revoke_certificate(request, number):
    """A manager of the issuing organization revokes a certificate; its check page then says so."""
    certificate = queries.certificates_visible_to(request.user).filter(number=number).first()
    if certificate is None:
        raise Http404
    try:
        actions.check_revoke_certificate(request.user, certificate, request.POST.get("reason", ""))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Certificate %(number)s is revoked.") % {"number": certificate.number})
    return redirect("volunteering:issue_certificate", number=certificate.volunteer.number)
