"""Template helpers of the case pages: `{% load cases %}`."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.choices import OPEN_STATUSES

register = template.Library()


@register.filter
def is_open(case):
    return case.status in OPEN_STATUSES


@register.filter
def stars(value):
    """★★★★☆ for a 1–5 rating."""
    try:
        n = max(0, min(5, int(value)))
    except (TypeError, ValueError):
        return ""
    return "★" * n + "☆" * (5 - n)


@register.filter
def due_label(due, now=None):
    """“due in 3 h” / “2 d overdue”, short enough for a phone row."""
    if not due:
        return ""
    now = now or timezone.now()
    seconds = (due - now).total_seconds()
    hours = abs(seconds) / 3600
    amount = _("%(n)d d") % {"n": round(hours / 24)} if hours >= 48 else _("%(n)d h") % {"n": max(1, round(hours))}
    if seconds >= 0:
        return _("due in %(time)s") % {"time": amount}
    return _("%(time)s overdue") % {"time": amount}


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (empty value = removed)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in ("", None):
            params[key] = value
    return params.urlencode()


@register.filter
def percent(value):
    """0.8567 → 85.7%; None → —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def hours(value):
    if value is None:
        return "—"
    # one decimal at most, none when whole: "24 h", "10.5 h" (never "24.0" or "10.50")
    return _("%(n)s h") % {"n": f"{value:.1f}".removesuffix(".0")}
