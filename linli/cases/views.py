"""Server-rendered case pages: intake (随手拍, patrol, walk-in), the dispatch queue, the case
page with its timeline and actions, the unit inbox, the grid worker's tasks, the resident's
reports, and the ledger (民情台账) with its Excel export.

Every read goes through `queries`, every write through `actions`; a case outside the user's
scope answers 404 (never 403), as everywhere in Linli.
"""

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.actions import client_ip
from linli.core import media
from linli.core.idempotency import idempotent_form
from linli.core.ids import parse_ids, parse_point
from linli.core.ratelimit import rate_limit, user_ident
from linli.core.scoping import scope_for
from linli.orgs.choices import OrganizationKind
from linli.orgs.models import Organization
from linli.places.choices import AreaLevel
from linli.places.models import Area
from linli.places.queries import areas_in, community_labels, grid_features

from . import actions, queries
from .choices import PLACE_STATUSES, Action, CaseStatus, Channel
from .errors import ActionNotAllowed, CaseError
from .filters import CaseFilterSet, keyset_page
from .forms import (
    ACTION_FIELDS,
    WALK_IN_LEVELS,
    ActionForm,
    BulkDispatchForm,
    LedgerForm,
    PatrolForm,
    ReportForm,
    WalkInForm,
    category_choices,
)
from .models import CaseEvent, CasePhoto, Category
from .parties import claim_units, in_area_scope, is_dispatcher, reporter_visible

PAGE_SIZE = 25

# The steps a resident sees on "my reports" (a rejected case stops after the first).
PROGRESS_STEPS = [
    (CaseStatus.REPORTED, gettext_lazy("Reported")),
    (CaseStatus.ACCEPTED, gettext_lazy("Accepted")),
    (CaseStatus.DISPATCHED, gettext_lazy("Dispatched")),
    (CaseStatus.IN_PROGRESS, gettext_lazy("Being handled")),
    (CaseStatus.RESOLVED, gettext_lazy("Fixed")),
    (CaseStatus.VERIFIED, gettext_lazy("Checked on site")),
    (CaseStatus.CLOSED, gettext_lazy("Closed")),
]
# Where each status sits on those steps (returned and rework cases go back a step).
STEP_OF = {
    CaseStatus.REPORTED: 0, CaseStatus.REJECTED: 0, CaseStatus.ACCEPTED: 1, CaseStatus.RETURNED: 1,
    CaseStatus.DISPATCHED: 2, CaseStatus.IN_PROGRESS: 3, CaseStatus.RESOLVED: 4, CaseStatus.VERIFIED: 5,
    CaseStatus.CLOSED: 6,
}

# The message shown after each action.
ACTION_DONE = {
    Action.ACCEPT: gettext_lazy("Case accepted."),
    Action.REJECT: gettext_lazy("Case rejected; the reporter will see your reason."),
    Action.DISPATCH: gettext_lazy("Case dispatched."),
    Action.SIGN: gettext_lazy("Signed for. The case is now in progress."),
    Action.RETURN: gettext_lazy("Case returned to the dispatcher."),
    Action.RESOLVE: gettext_lazy("Fix reported. A grid worker will check it on site."),
    Action.VERIFY: gettext_lazy("Fix verified on site."),
    Action.REWORK: gettext_lazy("Sent back to the unit for rework."),
    Action.CLOSE: gettext_lazy("Case closed."),
    Action.RATE: gettext_lazy("Thank you for your rating."),
    Action.REOPEN: gettext_lazy("Case reopened. The command center will look at it again."),
    Action.ESCALATE: gettext_lazy("Case escalated to the next level."),
    Action.REMIND: gettext_lazy("Reminder sent to the unit."),
    Action.SUPERVISE: gettext_lazy("Case put under supervision."),
    Action.PUBLISH: gettext_lazy("Case published on the claim board."),
    Action.CLAIM: gettext_lazy("Case claimed by your unit."),
    Action.ASSIST: gettext_lazy("Assisting unit added."),
}
# Actions shown as the main (filled) button; the rest are outlined or tucked away.
PRIMARY_ACTIONS = {Action.ACCEPT, Action.DISPATCH, Action.SIGN, Action.RESOLVE, Action.VERIFY, Action.CLOSE,
                   Action.RATE, Action.CLAIM}
DANGER_ACTIONS = {Action.REJECT, Action.RETURN, Action.REWORK, Action.REOPEN}

# The organization kinds that handle cases, in the order the dispatch list groups them
# (federations, practice centers and volunteer teams run their own work, not work orders).
from .choices import UNIT_KIND_ORDER  # noqa: E402


# -- helpers -----------------------------------------------------------------------


def _require(scope):
    """A page for a role the user does not hold answers 404, like a case outside scope."""
    if scope.is_empty:
        raise Http404
    return scope


def _safe_next(request, fallback):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return fallback


def _ancestor_paths(path):
    step = Area.steplen
    return [path[:i] for i in range(step, len(path), step)]


def dispatch_units(user, current=None):
    """Units a dispatcher can send cases to: organizations that handle cases (UNIT_KIND_ORDER) in
    the dispatcher's scope, and
    departments serving an area above it (a city bureau takes a street's cases), plus the
    routed unit `current` if it is neither. One query."""
    scope = scope_for(user, "cases.dispatch")
    above = {p for path in scope.area_paths for p in _ancestor_paths(path)}
    condition = (scope.q(area_path="area__path", org_path="path") & Q(kind__in=UNIT_KIND_ORDER)) | Q(
        kind=OrganizationKind.DEPARTMENT, area__path__in=above
    )
    if current is not None:
        condition |= Q(pk=current)
    units = list(Organization.objects.filter(condition).only("id", "name", "kind", "path"))
    rank = {kind: i for i, kind in enumerate(UNIT_KIND_ORDER)}
    units.sort(key=lambda u: (rank.get(u.kind, len(rank)), u.name))
    return units


def claiming_units(user, case):
    """The units the user may claim this case for (a handler of every unit names one of all)."""
    if scope_for(user, "cases.handle").is_global:
        return dispatch_units(user)
    ids = [unit.id for unit in claim_units(user, case)]
    return list(Organization.objects.filter(pk__in=ids).only("id", "name", "kind", "path").order_by("path"))


def progress_of(case):
    """[(label, state)] for the resident's stepper; state is done / current / todo."""
    current = STEP_OF.get(case.status, 0)
    steps = []
    for index, (status, label) in enumerate(PROGRESS_STEPS):
        if case.status == CaseStatus.REJECTED and index > 0:
            break
        state = "done" if index < current or case.status == CaseStatus.CLOSED else ("current" if index == current else "todo")
        steps.append((label, state))
    return steps


def _map_grids(user):
    """Grids to draw on the reporting map, from the areas the user lives or works in (a
    street's grids at most; a city-wide role draws none), and a centre when there are none."""
    features = []
    for assignment in user.role_assignments.select_related("area"):
        area = assignment.area
        if area is not None and AreaLevel.order(area.level) >= AreaLevel.order(AreaLevel.STREET):
            features.extend(grid_features(area)["features"])
        if len(features) > 500:
            break
    centre = None
    if not features:
        centre = Area.objects.filter(level=AreaLevel.GRID, centroid_lat__isnull=False).values_list(
            "centroid_lat", "centroid_lng").first()
    features = features[:500]
    # "areas" (a foreign member): community names to write over their grids on a map without tiles
    return {"type": "FeatureCollection", "features": features, "areas": community_labels(features)}, centre


# -- intake ----------------------------------------------------------------------


def _thanks(user, case):
    """The message after a report: a resident is thanked, staff are told what was recorded."""
    if case.channel == Channel.PATROL:
        if in_area_scope(scope_for(user, "cases.verify"), case.area_code):
            return _("Patrol report recorded as case %(number)s.") % {"number": case.number}
        return _("Patrol report recorded as case %(number)s. It is outside your grid: the command center "
                 "will pass it to the grid it belongs to.") % {"number": case.number}
    if case.channel == Channel.WALK_IN:
        return _("Recorded as case %(number)s.") % {"number": case.number}
    return _("Thank you! Your report was received as case %(number)s.") % {"number": case.number}


def _own_grids(user):
    """The outlines of the grids in the user's verify scope (their own grids), for the patrol
    page's out-of-grid warning; none for a city-wide scope."""
    scope = scope_for(user, "cases.verify")
    if scope.is_global or scope.is_empty:
        return []
    rows = areas_in(scope).filter(level=AreaLevel.GRID, boundary__isnull=False).values_list("boundary", flat=True)
    return list(rows[:300])


def _intake(request, form_class, template, extra_context=None, **form_kwargs):
    form = form_class(request.POST or None, request.FILES or None, **form_kwargs)
    photos_lost = False
    if request.method == "POST":
        # A browser never sends files back: if the page comes back, photos must be chosen again.
        photos_lost = bool(request.FILES)
        if form.is_valid():
            try:
                case = actions.check_report(request.user, **form.report_fields())
            except CaseError as error:
                field = error.field if error.field in form.fields and error.field not in ("lat", "lng") else None
                form.add_error(field, error.message)
            else:
                messages.success(request, _thanks(request.user, case))
                return redirect("cases:detail", case.number)
    grids, centre = _map_grids(request.user)
    context = {
        "form": form,
        "photos_lost": photos_lost,
        "grids": grids,
        "map_centre": centre,
        "max_photos": form.fields["photos"].max_count,
        "duplicates_url": reverse("cases:duplicates"),
        **(extra_context or {}),
    }
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@login_required
@rate_limit("intake-user", ident=user_ident)  # the same budget as POST /api/cases/
@idempotent_form
def report(request):
    """随手拍: anyone logged in may report; a resident needs no role."""
    return _intake(request, ReportForm, "cases/report.html", {"plain_words": True})


@login_required
@idempotent_form
def patrol(request):
    _require(scope_for(request.user, "cases.verify"))
    return _intake(request, PatrolForm, "cases/patrol.html", extra_context={"own_grids": _own_grids(request.user)})


@login_required
@idempotent_form
def walk_in(request):
    scope = _require(scope_for(request.user, "cases.dispatch"))
    areas = list(areas_in(scope).filter(level__in=WALK_IN_LEVELS).order_by("path")[:2000])
    return _intake(request, WalkInForm, "cases/walk_in.html", areas=areas)


@login_required
@require_GET
def duplicates(request):
    """htmx: open cases of the same category within 50 m in the last 30 days."""
    try:
        category = Category.objects.get(pk=int(request.GET["category"]))
        lat, lng = parse_point(request.GET["lat"], request.GET["lng"])
    except (KeyError, ValueError, TypeError, Category.DoesNotExist):
        return HttpResponse("")
    found = queries.suggest_duplicates(category, lat, lng)
    return render(request, "cases/_duplicates.html", {"duplicates": found[:5], "category": category})


@login_required
@require_POST
def follow(request, number):
    """Follow an open case instead of filing the same problem again."""
    case = get_object_or_404(queries.public_cases(), number=number)
    try:
        actions.check_follow(request.user, case)
    except CaseError as error:
        messages.error(request, error.message)
        return redirect("cases:report")
    messages.success(request, _("You now follow case %(number)s; you will see its progress.") % {"number": case.number})
    url = reverse("cases:detail", args=[case.number])
    if request.headers.get("HX-Request"):
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


# -- the case page -------------------------------------------------------------------


def _back_links(user, case):
    """Where the user came from, by role: the queue, the inbox, the round, or their reports."""
    links = []
    if not scope_for(user, "cases.dispatch").is_empty:
        links.append((desk_title(user), reverse("cases:queue")))
    elif not scope_for(user, "cases.handle").is_empty:
        links.append((_("Work orders"), reverse("cases:inbox")))
    elif not scope_for(user, "cases.verify").is_empty:
        links.append((_("Verify fixes"), reverse("cases:tasks")))
    else:
        links.append((_("My reports"), reverse("cases:mine")))
    return links


def _case_context(request, case, bound_forms=None, public=False):
    """Everything the case page shows; the number of queries does not grow with the timeline.
    `public`: the public view of a followed case: no notes, no event details, no one named."""
    user = request.user
    is_staff_view = not public and any(
        not scope_for(user, capability).is_empty for capability in ("cases.dispatch", "cases.verify", "cases.handle")
    )
    # The same rule as the API: dispatchers and the reporter always see who reported; the unit
    # and verifiers only if the reporter allowed it; other residents never (PIPL).
    reporter_shown = not public and reporter_visible(user, case)
    dispatches = not scope_for(user, "cases.dispatch").is_empty

    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("id"))
    photos = list(CasePhoto.objects.filter(case=case).order_by("id"))
    photos_by_event = {}
    for item in photos:
        photos_by_event.setdefault(item.event_id, []).append(item)
    report_event_ids = {e.id for e in events if e.action == Action.REPORT}
    report_photos = [p for p in photos if p.event_id is None or p.event_id in report_event_ids]
    # "after": the fix's evidence and the on-site check since the last rework or reopen
    after_photos = {Action.RESOLVE: [], Action.VERIFY: []}
    for event in events:
        if event.action in (Action.REWORK, Action.REOPEN):
            after_photos = {Action.RESOLVE: [], Action.VERIFY: []}
        elif event.action in after_photos:
            after_photos[event.action] += photos_by_event.get(event.id, [])
    timeline = []
    for event in events:
        if public:
            actor_label = ""
        elif event.actor_id is None:
            actor_label = _("System")
        elif event.actor_id == case.reporter_id and not reporter_shown:
            actor_label = _("Reporter")
        elif event.action == Action.FOLLOW and event.actor_id != user.id and not dispatches:
            actor_label = _("A neighbour")
        else:
            actor_label = str(event.actor)
        # The report's own photos are the gallery at the top; not repeated in the timeline.
        timeline.append((event, actor_label, [] if event.id in report_event_ids else photos_by_event.get(event.id, [])))

    allowed = [] if public else actions.allowed_actions(user, case)
    units = dispatch_units(user, case.unit_id) if {Action.DISPATCH, Action.ASSIST} & set(allowed) else []
    claimers = claiming_units(user, case) if Action.CLAIM in allowed else []
    bound_forms = bound_forms or {}
    action_forms = [
        {
            "action": action,
            "label": Action(action).label,
            "form": bound_forms.get(action) or ActionForm(
                action, units=claimers if action == Action.CLAIM else units, suggested=case.unit_id,
                initial={"unit": case.unit_id} if action == Action.DISPATCH else None,
            ),
            "primary": action in PRIMARY_ACTIONS,
            "danger": action in DANGER_ACTIONS,
        }
        for action in allowed
        if action in ACTION_FIELDS
    ]
    area = case.area
    geo = {"type": "FeatureCollection", "features": []}
    if area is not None and area.boundary:
        geo["features"].append({"type": "Feature", "geometry": area.boundary, "properties": {"name": area.name, "code": area.code}})
    point = {"lat": case.lat, "lng": case.lng} if case.lat is not None and case.lng is not None else None

    if not reporter_shown:
        reporter_label, reporter_phone = _("Not shown: the reporter keeps their name private"), ""
    elif case.reporter_name and case.reporter_id and case.reporter_name != case.reporter.name:
        # A patrol or walk-in report on a resident's behalf.
        reporter_label = _("%(name)s (through %(staff)s)") % {"name": case.reporter_name, "staff": case.reporter}
        reporter_phone = case.reporter_phone
    elif case.reporter_id:
        reporter_label, reporter_phone = str(case.reporter), case.reporter.phone
    else:
        reporter_label, reporter_phone = case.reporter_name or _("Not given"), case.reporter_phone
    place_grids = []
    if case.unlocated and case.status in PLACE_STATUSES and is_dispatcher(user, case):
        place_grids = list(areas_in(scope_for(user, "cases.dispatch")).filter(level=AreaLevel.GRID)
                           .order_by("path").values_list("code", "name")[:1000])
    return {
        "case": case,
        "place_grids": place_grids,
        "timeline": timeline,
        "report_photos": report_photos,
        "fix_photos": after_photos[Action.RESOLVE],
        "check_photos": after_photos[Action.VERIFY],
        "action_forms": action_forms,
        "open_form": next(iter(bound_forms), None),
        "map_data": {"grid": geo, "point": point},
        "has_map": bool(point or geo["features"]),
        "progress": progress_of(case),
        "is_reporter": case.reporter_id == user.id,
        "public_view": public,
        "is_staff_view": is_staff_view,
        "reporter_label": reporter_label if is_staff_view else "",
        "reporter_phone": reporter_phone if is_staff_view else "",
        "back_links": _back_links(user, case),
        "running_statuses": (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.RETURNED),
    }


@login_required
def detail(request, number):
    try:
        case = queries.get_case_for(request.user, number)
    except Http404:
        # A case the person follows: its public view (no notes, no one's names), as the API gives it.
        case = queries.followed_public(request.user, number)
        if case is None:
            raise
        return render(request, "cases/detail.html", _case_context(request, case, public=True))
    return render(request, "cases/detail.html", _case_context(request, case))


@login_required
@require_POST
def act(request, number, action):
    if action not in ACTION_FIELDS:
        raise Http404
    case = queries.get_case_for(request.user, number)
    units = dispatch_units(request.user, case.unit_id) if action in (Action.DISPATCH, Action.ASSIST) else []
    if action == Action.CLAIM:
        units = claiming_units(request.user, case)
    form = ActionForm(action, request.POST, request.FILES, units=units, suggested=case.unit_id)
    status = 400
    if form.is_valid():
        try:
            actions.perform(request.user, case, action, **form.params())
        except ActionNotAllowed:
            # Someone else moved the case on meanwhile: show it as it is now.
            messages.error(request, _("This action is no longer possible: the case has moved on. Here is its current state."))
            case = queries.get_case_for(request.user, number)
            return render(request, "cases/detail.html", _case_context(request, case), status=409)
        except CaseError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, ACTION_DONE.get(action, _("Done.")))
            return redirect(_safe_next(request, reverse("cases:detail", args=[case.number])))
    context = _case_context(request, case, bound_forms={action: form})
    context["photos_lost"] = bool(request.FILES)
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_POST
def reveal_phone(request, number):
    """The reporter's full phone number, for staff who may see who reported; the access is recorded.
    htmx swaps the masked number for the full one; without htmx the page shows it."""
    case = queries.get_case_for(request.user, number)
    try:
        phone = actions.check_reveal_reporter_phone(request.user, case, ip=client_ip(request))
    except CaseError as error:
        return HttpResponse(error.message, status=400)
    if request.headers.get("HX-Request"):
        return render(request, "cases/_revealed_phone.html", {"phone": phone})
    context = _case_context(request, case)
    context["revealed_phone"] = phone
    return render(request, "cases/detail.html", context)


@login_required
@require_POST
def place(request, number):
    """Put an unlocated case on a grid by hand (dispatchers of its street)."""
    case = queries.get_case_for(request.user, number)
    try:
        actions.check_place(request.user, case, request.POST.get("area", ""))
    except ActionNotAllowed:
        messages.error(request, _("This case is already on a grid."))
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Case placed on %(grid)s.") % {"grid": case.area.name})
    return redirect("cases:detail", case.number)


@login_required
@require_GET
def photo(request, pk, thumbnail=False):
    """A case photo, to those who may see the case (or a public one); never a public media URL."""
    item = get_object_or_404(CasePhoto, pk=pk)
    visible = queries.cases_for(request.user).filter(pk=item.case_id).exists() or (
        queries.public_cases().filter(pk=item.case_id).exists()
    )
    if not visible:
        raise Http404
    return media.photo_response(item, thumbnail)


# -- lists ---------------------------------------------------------------------------


def _page(queryset, request, size=PAGE_SIZE):
    return keyset_page(queryset, after=request.GET.get("after"), before=request.GET.get("before"), size=size)


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params


QUEUE_FLAGS = [
    ("overdue", gettext_lazy("Overdue")),
    ("due_soon", gettext_lazy("Due soon")),
    ("claimable", gettext_lazy("On the claim board")),
    ("unlocated", gettext_lazy("Needs a grid")),
    ("supervised", gettext_lazy("Supervised")),
]


def _queue_filters(request, scope):
    """The filter bar's options (one query each) and current values, named as CaseFilterSet's."""
    areas = list(
        areas_in(scope).filter(level__in=(AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID))
        .order_by("path").only("code", "name", "depth")[:1000]
    )
    depth0 = min((a.depth for a in areas), default=0)
    get = request.GET
    return {
        "q": get.get("q", ""),
        "category": get.get("category", ""),
        "category_choices": category_choices("code")[1:],
        "area": get.get("area", ""),
        "area_choices": [(a.code, "\u3000" * (a.depth - depth0) + a.name) for a in areas],
        "channel": get.get("channel", ""),
        "channel_choices": Channel.choices,
        "flags": [(name, label, get.get(name) in ("true", "1", "on")) for name, label in QUEUE_FLAGS],
        "active": any(get.get(name) for name in ("q", "category", "area", "channel", *dict(QUEUE_FLAGS))),
    }


@login_required
def queue(request):
    """The dispatch desk: filters, counts per status, keyset pages, bulk dispatch."""
    scope = _require(scope_for(request.user, "cases.dispatch"))
    base = queries.desk_for(request.user)
    filterset = CaseFilterSet(request.GET, queryset=base, request=request)
    cases = filterset.qs.select_related("category", "area", "unit")
    page = _page(cases, request)
    # Counts per status under the other filters, so each tab says what a click will show.
    others = CaseFilterSet(_query_without(request, "status", "after", "before"), queryset=base, request=request)
    counts = queries.queue_counts(others.qs)
    current = request.GET.getlist("status")
    current = current[0] if len(current) == 1 else ""
    status_tabs = [("", _("All"), sum(counts.values()), current == "")] + [
        (value, label, counts.get(value, 0), current == value)
        for value, label in CaseStatus.choices
        if counts.get(value) or current == value
    ]
    return render(request, "cases/queue.html", {
        "desk_title": desk_title(request.user),
        "filters": _queue_filters(request, scope),
        "filter_errors": filterset.errors,
        "page": page,
        "status_tabs": status_tabs,
        "status_query": _query_without(request, "status", "after", "before").urlencode(),
        "page_query": _query_without(request, "after", "before").urlencode(),
        "bulk_form": BulkDispatchForm(units=dispatch_units(request.user)),
        "now": timezone.now(),
    })


@login_required
@require_POST
def bulk_dispatch(request):
    _require(scope_for(request.user, "cases.dispatch"))
    form = BulkDispatchForm(request.POST, units=dispatch_units(request.user))
    ids = parse_ids(request.POST.getlist("case"), limit=PAGE_SIZE * 4)
    if not ids or not form.is_valid():
        messages.error(request, _("Select at least one case.") if not ids else _("Choose the unit to dispatch to."))
        return redirect(_safe_next(request, reverse("cases:queue")))
    unit, note = form.units[form.cleaned_data["unit"]], form.cleaned_data["note"]
    results = []
    # Each case on its own: one refused case must not undo the others.
    for case in queries.cases_for(request.user).filter(pk__in=ids).select_related(*queries.DETAIL_RELATED).order_by("-id"):
        try:
            actions.perform(request.user, case, Action.DISPATCH, unit=unit, note=note)
        except ActionNotAllowed:
            results.append((case, False, _("Not possible while the case is “%(status)s”.") % {
                "status": case.get_status_display()}))
        except CaseError as error:
            results.append((case, False, error.message))
        except Http404:
            results.append((case, False, _("You may not dispatch this case.")))
        else:
            results.append((case, True, ""))
    done = sum(1 for r in results if r[1])
    return render(request, "cases/bulk_result.html", {
        "results": results, "unit": unit, "done": done, "failed": len(results) - done,
        "back": _safe_next(request, reverse("cases:queue")),
    })


INBOX_TABS = [
    ("to_sign", gettext_lazy("To sign"), [CaseStatus.DISPATCHED]),
    ("in_progress", gettext_lazy("In progress"), [CaseStatus.IN_PROGRESS]),
    ("reported_back", gettext_lazy("Reported back"), [CaseStatus.RESOLVED, CaseStatus.VERIFIED]),
    ("closed", gettext_lazy("Closed"), [CaseStatus.CLOSED]),
    ("returned", gettext_lazy("Returned"), [CaseStatus.RETURNED]),
]


@login_required
def inbox(request):
    """A unit's work orders (工单): sign, return, resolve with evidence."""
    _require(scope_for(request.user, "cases.handle"))
    mine = queries.inbox_for(request.user)
    counts = queries.queue_counts(mine)
    tab_statuses = {key: statuses for key, _label, statuses in INBOX_TABS}
    sizes = {key: sum(counts.get(s, 0) for s in statuses) for key, statuses in tab_statuses.items()}
    # Without a choice, open the first list with work in it (new orders first).
    tab = request.GET.get("tab")
    if tab not in tab_statuses:
        tab = next((key for key in ("to_sign", "in_progress") if sizes[key]), "to_sign")
    tabs = [(key, label, sizes[key], key == tab) for key, label, _statuses in INBOX_TABS]
    page = _page(mine.filter(status__in=tab_statuses[tab]).select_related("category", "area"), request)
    board_count = queries.claimable_on_board(request.user).count()
    return render(request, "cases/inbox.html", {
        "tabs": tabs, "tab": tab, "page": page, "now": timezone.now(), "page_query": f"tab={tab}",
        "board_count": board_count,
    })


@login_required
def board(request):
    """The claim board (揭榜领办): published cases the user's units may claim, first come first
    served; dispatchers (who publish) watch their area's board without a claim button."""
    user = request.user
    handles, dispatches = (not scope_for(user, c).is_empty for c in ("cases.handle", "cases.dispatch"))
    if not (handles or dispatches):
        raise Http404
    page = _page(queries.board_for(user).select_related("category", "area", "board_area"), request)
    claimable = set()
    if handles and page.items:
        claimable = set(queries.claimable_on_board(user).filter(pk__in=[c.pk for c in page.items])
                        .values_list("pk", flat=True))
    # Each row with the units that may claim it (several: the person chooses which one claims).
    global_handler = scope_for(user, "cases.handle").is_global
    rows = [(case, [] if case.pk not in claimable or global_handler else claim_units(user, case))
            for case in page.items]
    return render(request, "cases/board.html", {
        "page": page, "rows": rows, "now": timezone.now(), "handles": handles, "dispatches": dispatches,
    })


def desk_title(user):
    """The desk's name as the menu gives it: a command center's 调度台, a community's 社区诉求."""
    from linli.accounts.choices import Role
    from linli.core.registry import roles_of

    roles = roles_of(user)
    if Role.COMMUNITY_STAFF in roles and not ({Role.COMMAND_CENTER, Role.SYSTEM_ADMIN} & roles or user.is_superuser):
        return _("Community cases")
    return _("Dispatch desk")


@login_required
def grid_lead(request):
    """网格长: the grid workers' open checks and late ones, this week's patrols per grid, and the
    fixes waiting for a check, each of which the leader may send to another worker."""
    _require(scope_for(request.user, "cases.lead_grid"))
    return render(request, "cases/grid_lead.html", {**queries.grid_overview(request.user), "now": timezone.now()})


@login_required
@require_POST
def assign_verifier(request, number):
    case = queries.get_case_for(request.user, number)
    try:
        actions.check_assign_verifier(request.user, case, request.POST.get("verifier"))
    except CaseError as error:
        messages.error(request, error.message)
    except ActionNotAllowed:
        messages.error(request, _("This fix has been checked meanwhile."))
    else:
        messages.success(request, _("Sent to %(name)s.") % {"name": case.verifier.name})
    return redirect("cases:grid_lead")


@login_required
def tasks(request):
    """A grid worker's round: fixes to verify on site in their grids, oldest first."""
    _require(scope_for(request.user, "cases.verify"))
    to_verify = list(
        queries.verify_tasks_for(request.user).select_related("category", "area", "unit").order_by("resolved_at", "id")[:100]
    )
    # The newest evidence photo of each, in one query.
    evidence = {}
    for item in CasePhoto.objects.filter(case__in=[c.id for c in to_verify], event__action=Action.RESOLVE).order_by("id"):
        evidence[item.case_id] = item
    recent = list(queries.reports_of(request.user).filter(reporter=request.user).select_related("category", "area")
                  .order_by("-id")[:10])
    return render(request, "cases/tasks.html", {
        "to_verify": [(case, evidence.get(case.id)) for case in to_verify], "recent": recent, "now": timezone.now(),
    })


@login_required
def mine(request):
    """A resident's reports and the cases they follow, each with its progress."""
    page = _page(queries.reports_of(request.user).select_related("category", "area"), request, size=20)
    rows = [(case, progress_of(case)) for case in page.items]
    return render(request, "cases/mine.html", {"page": page, "rows": rows})


# -- ledger ----------------------------------------------------------------------------

LEDGER_LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY)


def _ledger_form(request):
    scope = _require(scope_for(request.user, "cases.dispatch"))
    areas = list(areas_in(scope).filter(level__in=LEDGER_LEVELS).order_by("path")[:1000])
    if not areas:
        raise Http404
    today = timezone.localdate()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    data = {
        "area": request.GET.get("area") or areas[0].code,
        "date_from": request.GET.get("date_from") or quarter_start.isoformat(),
        "date_to": request.GET.get("date_to") or today.isoformat(),
    }
    return LedgerForm(data, areas=areas)


@login_required
def ledger(request):
    form = _ledger_form(request)
    result = None
    if form.is_valid():
        d = form.cleaned_data
        result = queries.ledger(d["area"], d["date_from"], d["date_to"])
    return render(request, "cases/ledger.html", {"form": form, "ledger": result}, status=200 if result is not None else 400)


def content_disposition(filename, fallback):
    """attachment with an ASCII name for old clients and the UTF-8 one (RFC 6266, RFC 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@login_required
def ledger_export(request):
    from .exports import ledger_filename, ledger_workbook

    form = _ledger_form(request)
    if not form.is_valid():
        return redirect(reverse("cases:ledger") + "?" + request.GET.urlencode())
    d = form.cleaned_data
    result = queries.ledger(d["area"], d["date_from"], d["date_to"])
    body = ledger_workbook(result, d["area"], d["date_from"], d["date_to"])
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    fallback = f"ledger_{d['area'].code}_{d['date_from'].isoformat()}_{d['date_to'].isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition(ledger_filename(d["area"], d["date_from"], d["date_to"]), fallback)
    return response


