"""Phone-first pages: residents order from their community's menu and follow their orders;
dispatchers dispatch or publish them; team leaders grab, accept, assign, finish and record hours,
and keep their teams' menu items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import media
from linli.core.errors import ActionError
from linli.core.idempotency import idempotent_form
from linli.core.ratelimit import client_ip
from linli.orgs.models import Membership, Organization

from . import actions, queries
from .choices import MAX_ORDER_PHOTOS, TRANSITIONS, OrderAction
from .errors import ActionNotAllowed
from .forms import OfferingForm, OrderForm, is_area_code
from .models import ServiceOrderPhoto

PAGE_SIZE = 20


def _nav(user):
    return {
        "can_dispatch": queries.can_dispatch(user),
        "leads_team": bool(queries.led_team_ids(user)),
    }


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@idempotent_form
def menu(request):
    """The menu of the resident's community and the order form."""
    community = queries.resident_community(request.user)
    code = request.GET.get("area") or request.POST.get("area") or (community.code if community else "")
    code = code[:15] if is_area_code(code) else ""
    offerings = list(queries.menu_for(code)) if code else []
    chosen = request.GET.get("offering", "")
    # Only a service of this menu counts as chosen (it hides the kind box), never any text of the link.
    initial = {"area": code or None, "offering": chosen if chosen in {str(o.pk) for o in offerings} else None}
    form = OrderForm(request.POST or None, menu=offerings, initial=initial)
    photos_lost = False
    if request.method == "POST" and form.is_valid():
        try:
            order = actions.check_order(request.user, photos=request.FILES.getlist("photos"), **form.cleaned_data)
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your order is in. The community will arrange a team."))
            return redirect("service_orders:detail", order.pk)
    if request.method == "POST":
        # A browser never refills a file input: say so when photos were sent with a form shown again.
        photos_lost = bool(request.FILES.getlist("photos"))
    return render(request, "service_orders/menu.html", {
        "form": form, "offerings": offerings, "nav": "menu", "photos_lost": photos_lost,
        "max_photos": MAX_ORDER_PHOTOS, **_nav(request.user)})


@login_required
def my_orders(request):
    return render(request, "service_orders/list.html", {
        "page": _page(request, queries.my_orders(request.user)), "nav": "mine", "title": _("My orders"),
        "empty": _("You have not ordered any service yet."), **_nav(request.user)})


@login_required
def dispatch_queue(request):
    if not queries.can_dispatch(request.user):
        raise Http404
    everything = request.GET.get("all") == "1"
    queryset = queries.dispatch_queue(request.user) if everything else queries.awaiting_dispatch(request.user)
    tabs = [(_("Waiting for a team"), "", not everything), (_("All orders in my area"), "?all=1", everything)]
    return render(request, "service_orders/list.html", {
        "page": _page(request, queryset), "nav": "dispatch", "tabs": tabs,
        "title": _("All orders in my area") if everything else _("Orders to dispatch"),
        "empty": _("No orders in your area.") if everything else _("No order is waiting for a team."),
        "page_query": "all=1&" if everything else "", **_nav(request.user)})


@login_required
def team_orders(request):
    if not queries.led_team_ids(request.user):
        raise Http404
    return render(request, "service_orders/team.html", {
        "board": queries.grab_board(request.user)[:50],
        "page": _page(request, queries.team_orders(request.user)), "nav": "team", **_nav(request.user)})


@login_required
def detail(request, pk):
    order = queries.order_detail(queries.orders_for(request.user)).filter(pk=pk).first()
    if order is None:
        raise Http404
    return render(request, "service_orders/detail.html", _detail_context(request, order))


def _detail_context(request, order):
    allowed = actions.allowed_actions(request.user, order)
    context = {"order": order, "allowed": allowed, "nav": "", **_nav(request.user),
               "phone_shown": order.resident_id == request.user.pk,
               "may_reveal_phone": queries.may_see_resident_phone(request.user, order)}
    if OrderAction.DISPATCH in allowed:
        context["teams"], context["other_teams"] = queries.dispatch_choices(order)
    if OrderAction.GRAB in allowed:
        # A leader of several teams serving the area says which one takes it (else the action picks one).
        context["grab_teams"] = list(
            Organization.objects.filter(pk__in=queries.grab_teams(request.user, order)).order_by("name"))
    if OrderAction.ASSIGN in allowed:
        context["members"] = list(
            Membership.objects.members().active().filter(organization_id=order.team_id)
            .select_related("user").order_by("id")
        )
        context["assigned_ids"] = {a.user_id for a in order.assignments.all()}
    if OrderAction.RECORD_HOURS in allowed:
        context["to_record"] = [a for a in order.assignments.all() if a.recorded_at is None]
    if OrderAction.CORRECT_HOURS in allowed:
        context["recorded"] = [a for a in order.assignments.all() if a.recorded_at is not None]
    return context


@login_required
@require_POST
def reveal_phone(request, pk):
    """The resident's full number for the team once it accepted (and for dispatchers); each view
    is recorded. htmx swaps the masked number for the full one; without htmx the page shows it."""
    order = queries.order_detail(queries.orders_for(request.user)).filter(pk=pk).first()
    if order is None:
        raise Http404
    phone = actions.check_reveal_resident_phone(request.user, order, ip=client_ip(request))
    if request.headers.get("HX-Request"):
        return render(request, "service_orders/_revealed_phone.html", {"phone": phone})
    return render(request, "service_orders/detail.html", {**_detail_context(request, order), "revealed_phone": phone})


@login_required
def photo(request, pk, thumbnail=False):
    """A photo of an order, to those who may open the order; media files have no public URL."""
    item = ServiceOrderPhoto.objects.filter(pk=pk).first()
    if item is None or not queries.orders_for(request.user).filter(pk=item.order_id).exists():
        raise Http404
    return media.photo_response(item, thumbnail)


def _params(request, action):
    """The form fields of one action, as perform() takes them."""
    post, params = request.POST, {}
    for name in ("team", "note", "reason", "rating", "comment"):
        if name in post:
            params[name] = post[name]
    if action == OrderAction.ASSIGN:
        params["volunteers"] = post.getlist("volunteers")
    if action == OrderAction.COMPLETE:
        params["photos"] = request.FILES.getlist("photos")
    if action in (OrderAction.RECORD_HOURS, OrderAction.CORRECT_HOURS):
        params["hours"] = {key[len("hours_"):]: value for key, value in post.items() if key.startswith("hours_")}
    return params


@login_required
@require_POST
def act(request, pk):
    order = queries.orders_for(request.user).filter(pk=pk).first()
    name = request.POST.get("action", "")
    if order is None and name == OrderAction.GRAB:
        try:
            actions.refuse_grab(request.user, pk)
        except (ActionNotAllowed, ActionError) as error:  # another team was quicker, or another service
            messages.error(request, error.as_body()["message"])
            return redirect("service_orders:team")
    if order is None or name not in TRANSITIONS:
        raise Http404
    try:
        actions.perform(request.user, order, name, **_params(request, name))
    except ActionError as error:
        messages.error(request, error.message)
    except ActionNotAllowed as error:
        messages.error(request, error.as_body()["message"])
    else:
        # One message for one action: a grab says what to do next instead of a plain "done".
        if name == OrderAction.GRAB:
            messages.success(request, _("The order is yours. Assign the volunteers."))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": OrderAction(name).label})
    if queries.orders_for(request.user).filter(pk=pk).exists():
        return redirect("service_orders:detail", pk)
    return redirect("service_orders:mine")


# -- the teams' menu items (服务菜单管理) ------------------------------------------------------------------


def _led_teams(user):
    teams = queries.led_team_ids(user)
    if not teams:
        raise Http404
    return list(Organization.objects.filter(pk__in=teams).select_related("area").order_by("name"))


@login_required
def offerings(request):
    """The leader's teams' menu items, active or not."""
    _led_teams(request.user)
    return render(request, "service_orders/offerings.html", {
        "offerings": queries.offerings_managed_by(request.user), "nav": "offerings", **_nav(request.user)})


@login_required
def area_menu(request):
    """Community staff and centers: what the teams offer in their area, to dispatch with and
    to follow up with the teams (the teams keep their own menus)."""
    if not queries.can_dispatch(request.user):
        raise Http404
    return render(request, "service_orders/offerings.html", {
        "offerings": queries.menu_in_dispatch_area(request.user), "overseen": True, "nav": "area_menu",
        **_nav(request.user)})


@login_required
def offering_form(request, pk=None):
    teams = _led_teams(request.user)
    offering = None
    if pk is not None:
        offering = queries.offerings_managed_by(request.user).filter(pk=pk).first()
        if offering is None:
            raise Http404
    initial = {"team": teams[0].pk, "active": True}
    if offering is not None:
        initial = {
            "team": offering.team_id, "name": offering.name, "kind": offering.kind,
            "description": offering.description, "available": offering.available, "active": offering.active,
            "areas": [area.pk for area in offering.areas.all()],
        }
    form = OfferingForm(request.POST or None, teams=teams, initial=initial,
                        fixed_team=offering.team if offering else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.check_save_offering(
                request.user, data["team"], name=data["name"], kind=data["kind"], description=data["description"],
                available=data["available"], areas=list(data["areas"]), active=data["active"], offering=offering,
            )
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The menu item is saved."))
            return redirect("service_orders:offerings")
    return render(request, "service_orders/offering_form.html", {
        "form": form, "offering": offering, "nav": "offerings", **_nav(request.user)})
