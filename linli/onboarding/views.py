"""Pages of the “6个1” method: the organizer's progress of every new organization (and an Excel
file of it), starting a round, and the guide's phone pages where the six steps are ticked with photos."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ActionError
from linli.core.ids import parse_ids
from linli.core.scoping import scope_for
from linli.orgs.models import Organization
from linli.scoring import actions as scoring
from linli.scoring.models import Sheet

from . import actions, queries
from .steps import SIX_ONES


def _organizer_organization(user):
    """The top organization the person organizes for (an org admin's own), or None."""
    paths = scope_for(user, "scoring.organize").org_paths
    return Organization.objects.filter(path__in=paths).order_by("depth", "path").first() if paths else None


@login_required
def index(request):
    organization = _organizer_organization(request.user)
    rounds = list(queries.rounds_for(request.user)[:10])
    if not rounds and organization is None:
        raise Http404
    return render(request, "onboarding/index.html", {
        "rounds": [(r, queries.progress(r)) for r in rounds], "organization": organization,
        "steps": SIX_ONES,
    })


@login_required
def start(request):
    organization = _organizer_organization(request.user)
    if organization is None:
        raise Http404
    candidates, guides = actions.candidates(organization), actions.guide_candidates(organization)
    default_title = _("%(year)s “6 ones” method") % {"year": timezone.localdate().year}
    error = None
    if request.method == "POST":
        chosen = set(parse_ids(request.POST.getlist("organizations"), limit=500))
        chosen_guides = set(parse_ids(request.POST.getlist("guides"), limit=50))
        try:
            scoring_round = actions.check_start_round(
                request.user, organization, request.POST.get("title") or default_title,
                [o for o in candidates if o.pk in chosen], [u for u in guides if u.pk in chosen_guides])
        except ActionError as failure:
            error = failure
        else:
            messages.success(request, _("The round has started; the guides see their organizations on their phones."))
            return redirect(reverse("onboarding:index") + f"#round-{scoring_round.pk}")
    return render(request, "onboarding/start.html", {
        "organization": organization, "candidates": candidates, "guides": guides, "error": error,
        "default_title": default_title,
    }, status=400 if error else 200)


@login_required
def export(request, pk):
    from linli.core.spreadsheets import workbook_response

    scoring_round = get_object_or_404(queries.rounds_for(request.user), pk=pk)
    criteria = list(scoring_round.template.criteria.order_by("order"))
    rows = [(p.subject.title, f"{p.count}/{len(criteria)}", *("✓" if c.pk in p.done else "" for c in criteria),
             "、".join(g.name for g in p.guides), _("Done") if p.submitted else "")
            for p in queries.progress(scoring_round)]
    headers = [_("Organization"), _("Steps done"), *(c.name for c in criteria), _("Guides"), _("All six done")]
    return workbook_response(f"{scoring_round.title}.xlsx", _("Progress"), headers, rows,
                             (30, 10, *(14 for _c in criteria), 16, 10))


@login_required
def mine(request):
    subjects = list(queries.guided_subjects(request.user))
    sheets = {s.subject_id: s for s in Sheet.objects.filter(judge=request.user, subject__in=subjects)
              .prefetch_related("marks")}
    rows = [(s, sheets.get(s.pk), sum(1 for m in sheets[s.pk].marks.all() if m.checked) if s.pk in sheets else 0)
            for s in subjects]
    return render(request, "onboarding/mine.html", {"rows": rows, "total": len(SIX_ONES)})


@login_required
def sheet(request, pk):
    subject = queries.guided_subjects(request.user).filter(pk=pk).first()
    if subject is None:
        raise Http404
    criteria = list(subject.round.template.criteria.order_by("order"))
    error = None
    if request.method == "POST":
        try:
            with transaction.atomic():  # ticks, photos and the submission together, or nothing
                scoring.check_mark(request.user, subject,
                                   {c.pk: f"checked_{c.pk}" in request.POST for c in criteria},
                                   {c.pk: request.POST.get(f"note_{c.pk}", "") for c in criteria})
                for criterion in criteria:
                    for photo in request.FILES.getlist(f"photo_{criterion.pk}")[:3]:
                        scoring.check_add_evidence(request.user, subject, criterion, photo)
                if "submit" in request.POST:
                    actions.check_all_done(request.user, subject)
            if "submit" in request.POST:
                messages.success(request, _("All six steps are recorded for %(name)s.") % {"name": subject.title})
                return redirect("onboarding:mine")
        except ActionError as failure:
            error = failure
        else:
            messages.success(request, _("Saved."))
            return redirect("onboarding:sheet", pk=subject.pk)
    own = Sheet.objects.filter(subject=subject, judge=request.user).prefetch_related("marks__evidence").first()
    marks = {m.criterion_id: m for m in own.marks.all()} if own else {}
    items = [(c, marks.get(c.pk)) for c in criteria]
    return render(request, "onboarding/sheet.html", {
        "subject": subject, "items": items, "sheet": own, "error": error,
        "locked": bool(own and own.status == "submitted"),
    }, status=400 if error else 200)


@login_required
def photo(request, pk):
    """An evidence photo's thumbnail, for the guide who took it and the round's organizers."""
    from linli.core.media import photo_response
    from linli.scoring.models import Evidence

    evidence = get_object_or_404(Evidence.objects.select_related("mark__sheet__subject__round"), pk=pk)
    scoring_round = evidence.mark.sheet.subject.round
    if evidence.mark.sheet.judge_id != request.user.pk and not queries.rounds_for(request.user).filter(
            pk=scoring_round.pk).exists():
        raise Http404
    return photo_response(evidence, thumbnail=True)
