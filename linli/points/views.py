"""Points pages: my points and statement, my community's shop with my redemptions (pickup code
shown large and as a QR code), the leaderboard (红色积分榜), and for staff the catalog, fulfilment
by typed or scanned code (扫码核销) and the redemptions of their rewards. Reads through `queries`,
writes through `actions`; anything outside one's reach answers 404."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.models import User
from linli.core.scoping import scope_for

from linli.core import qr
from linli.core.ids import parse_id

from . import actions, queries
from .actions import PointsError
from .choices import Period, RedemptionStatus
from .forms import AdjustForm, CodeForm, LeaderboardForm, RewardForm
from .models import Redemption

STAFF_PAGE = queries.STAFF_PAGE


def _id(value):
    return parse_id(value)


def _path_id(value):
    """A URL's id (`<int:pk>` matches any run of digits, beyond what the database holds), or 404."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


@login_required
def mine(request):
    page = queries.statement(request.user, before=_id(request.GET.get("before")))
    sources = queries.entry_sources(request.user, page.entries)
    for entry in page.entries:
        entry.source = sources.get(entry.pk)
    return render(request, "points/mine.html", {"statement": page})


@login_required
def shop(request):
    rewards = list(queries.shop_rewards(request.user))
    return render(request, "points/shop.html", {
        "rewards": rewards, "balance": queries.statement(request.user, size=0).balance})


@login_required
def redeem(request, pk):
    reward = queries.shop_rewards(request.user).filter(pk=_path_id(pk)).first()
    if reward is None:
        raise Http404
    balance = queries.statement(request.user, size=0).balance
    if request.method == "POST":
        try:
            redemption = actions.check_redeem(request.user, reward.pk)
        except PointsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Redeemed. Show the pickup code when you collect it."))
            return redirect(f"{_url('points:redemptions')}#r{redemption.pk}")
    return render(request, "points/redeem.html", {"reward": reward, "balance": balance})


@login_required
def redemptions(request):
    rows = list(queries.my_redemptions(request.user)[:50])
    for row in rows:
        row.qr_svg = pickup_qr_svg(row.code) if row.status == RedemptionStatus.PENDING else ""
    return render(request, "points/redemptions.html", {"redemptions": rows})


def pickup_qr_svg(code):
    """The pickup code as a QR code holding just the code, so any scanner, even one that types
    into the code box, reads it; sized by CSS."""
    return qr.svg(code, css_class="ll-pickup-qr")


@login_required
@require_POST
def cancel(request, pk):
    try:
        actions.check_cancel(request.user, _path_id(pk))
    except PointsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Cancelled. The points are back in your account."))
    back = request.POST.get("back")
    return redirect(_url("points:staff_redemptions") if back == "staff" else _url("points:redemptions"))


@login_required
def leaderboard(request):
    areas = queries.leaderboard_areas(request.user)
    form = LeaderboardForm(request.GET or None, areas=areas)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area = data.get("area") or _default_area(request.user, areas)
    period = data.get("period") or Period.MONTH
    day = data.get("date") or timezone.localdate()
    ranks = queries.leaderboard(area.code, period, day) if area else []
    start, end = queries.period_bounds(period, day)
    return render(request, "points/leaderboard.html", {
        "form": form, "area": area, "period": Period(period), "ranks": ranks, "start": start,
        "end": end - timezone.timedelta(days=1), "areas": areas, "day": day,
    })


def _default_area(user, areas):
    """The community one lives in, else the first area one may pick."""
    candidates = list(areas[:200])
    communities = [a for a in candidates if a.level == "community"]
    return (communities or candidates or [None])[0]


# -- staff -----------------------------------------------------------------------------------------


def _staff_scope(request):
    scope = scope_for(request.user, "points.manage")
    if scope.is_empty:
        raise PermissionDenied
    return scope


@login_required
def catalog(request):
    _staff_scope(request)
    rewards = list(queries.managed_rewards(request.user).order_by("community__path", "-active", "cost", "id")[:200])
    pending = queries.redemption_counts(rewards)
    for reward in rewards:
        reward.pending = pending.get(reward.pk, 0)
    return render(request, "points/catalog.html", {"rewards": rewards})


@login_required
def reward_edit(request, pk=None):
    scope = _staff_scope(request)
    reward = None
    if pk is not None:
        reward = queries.managed_rewards(request.user).filter(pk=_path_id(pk)).first()
        if reward is None:
            raise Http404
    initial = {field: getattr(reward, field) for field in actions.REWARD_FIELDS} if reward else {}
    if reward:
        initial.update(community=reward.community, provider=reward.provider)
    form = RewardForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_save_reward(request.user, form.cleaned_data, reward)
        except PointsError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Reward saved."))
            return redirect("points:catalog")
    return render(request, "points/reward_form.html", {"form": form, "reward": reward})


@login_required
def fulfil(request):
    _staff_scope(request)
    form = CodeForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        try:
            done = actions.check_fulfil(request.user, form.cleaned_data["code"])
        except Http404:
            form.add_error("code", _("No redemption with this code among your rewards."))
        except PointsError as error:
            form.add_error("code", error.message)
        else:
            done = Redemption.objects.select_related("reward", "user").get(pk=done.pk)
            form = CodeForm()
    # The scanner posts with htmx and keeps the camera running: it gets the result panel alone.
    template = "points/_fulfil_panel.html" if request.headers.get("HX-Request") else "points/fulfil.html"
    # After a scan the camera stays in front: no focus on the box (it would open the phone's keyboard).
    scanned = request.POST.get("scanned") == "1"
    return render(request, template, {"form": form, "done": done, "scanned": scanned})


@login_required
def staff_redemptions(request):
    scope = _staff_scope(request)
    status = request.GET.get("status") or ""
    if status not in RedemptionStatus.values:
        status = ""
    reward_id = _id(request.GET.get("reward"))
    rows, next_before = queries.staff_redemptions(
        request.user, status=status, reward_id=reward_id, before=_id(request.GET.get("before")), size=STAFF_PAGE)
    return render(request, "points/staff_redemptions.html", {
        "redemptions": rows, "status": status, "statuses": RedemptionStatus.choices, "reward_id": reward_id or "",
        "next_before": next_before, "can_adjust": scope.is_global or bool(scope.area_paths),
        "adjust_form": AdjustForm(initial={"key": uuid.uuid4()}),
    })


@login_required
@require_POST
def adjust(request):
    """A correction of a resident's points (by mobile number), from the staff redemptions page."""
    scope = _staff_scope(request)
    if not (scope.is_global or scope.area_paths):
        raise PermissionDenied
    form = AdjustForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        person = User.objects.filter(phone=data["mobile"]).first()
        try:
            entry = actions.check_adjust(request.user, person, data["delta"], data["reason"], data["key"])
        except Http404:
            messages.error(request, _("No resident with this mobile number lives in your area."))
        except PointsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Points corrected: %(delta)+d for %(name)s, balance now %(balance)d.") % {
                "delta": entry.delta, "name": person.name or person.masked_phone, "balance": actions.balance_of(person)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_url("points:staff_redemptions"))


def _url(name):
    from django.urls import reverse

    return reverse(name)


