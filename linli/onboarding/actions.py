"""Starting a “6个1” round: the organizer (an admin of the city federation) picks the new
organizations and the guides; ticking the steps is the scoring engine's (check_mark,
check_add_evidence, check_submit), which keeps a guide off an organization of their own."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.choices import Role
from linli.accounts.models import RoleAssignment, User
from linli.orgs.choices import MembershipRole, OrganizationKind
from linli.orgs.models import Membership, Organization
from linli.scoring import actions as scoring
from linli.scoring.choices import Method
from linli.scoring.models import ScoringTemplate, Sheet

from .steps import OWNER, SIX_ONES, TEMPLATE_NAME

NEW_SECTOR_HOSTS = (OrganizationKind.ENTERPRISE, OrganizationKind.SOCIAL_ORG, OrganizationKind.BUSINESS_DISTRICT,
                    OrganizationKind.INDUSTRIAL_PARK)


class OnboardingError(scoring.ScoringError):
    pass


def template():
    """The one “6个1” checklist: six ticks of equal weight, each with a photo."""
    found = ScoringTemplate.objects.filter(name=TEMPLATE_NAME).first()
    return found or scoring.check_create_template(TEMPLATE_NAME, [
        {"name": name, "description": str(description), "method": Method.CHECKBOX, "weight": 1,
         "evidence_required": True} for name, description in SIX_ONES])


def candidates(organization):
    """Women's federations in the 三新 under the organization: of an enterprise, a social organization,
    a business district or a park, or over such bodies (a social-organization federation)."""
    step = Organization.steplen
    # Fresh from the database: an organization's path moves when a sibling is inserted before it.
    organization = Organization.objects.get(pk=organization.pk)
    subtree = list(Organization.objects.filter(path__startswith=organization.path).only("id", "path", "kind", "name"))
    kind_of = {o.path: o.kind for o in subtree}
    hosts_below = {o.path[:-step] for o in subtree if o.kind in NEW_SECTOR_HOSTS}
    return [o for o in subtree if o.kind == OrganizationKind.WOMENS_FEDERATION and o.pk != organization.pk
            and (kind_of.get(o.path[:-step]) in NEW_SECTOR_HOSTS or o.path in hosts_below)]


def guide_candidates(organization):
    """People who guide for the organization: instructors (指导员) of it or under it, and judges on it or under it."""
    organization = Organization.objects.get(pk=organization.pk)
    subtree = Organization.objects.filter(path__startswith=organization.path).values("pk")
    instructors = Membership.objects.active().filter(organization__in=subtree, role=MembershipRole.INSTRUCTOR)
    judges = RoleAssignment.objects.filter(organization__in=subtree, role=Role.JUDGE)
    return list(User.objects.filter(pk__in=instructors.values("user")) | User.objects.filter(
        pk__in=judges.values("user")).order_by("name", "pk"))


def check_start_round(actor, organization, title, organizations, guides):
    """A round of the organization: `organizations` (of candidates()) with `guides` (of guide_candidates())."""
    organization = Organization.objects.get(pk=organization.pk)  # its path as it is now
    allowed = {o.pk for o in candidates(organization)}
    if not organizations:
        raise OnboardingError("no_subjects", _("Choose the new organizations to guide."), field="organizations")
    if any(o.pk not in allowed for o in organizations):
        raise OnboardingError("invalid", _("Choose among the organizations offered."), field="organizations")
    allowed_guides = {u.pk for u in guide_candidates(organization)}
    if not guides:
        raise OnboardingError("no_guides", _("Choose at least one guide."), field="guides")
    if any(u.pk not in allowed_guides for u in guides):
        raise OnboardingError("invalid", _("Choose among the guides offered."), field="guides")
    with transaction.atomic():
        scoring_round = scoring.check_create_round(actor, template(), organization, title,
                                                   f"{OWNER}:{organization.pk}")
        panel = scoring.check_add_panel(actor, scoring_round, _("Guides"), [(user, None) for user in guides])
        for order, subject in enumerate(organizations):
            scoring.check_add_subject(actor, scoring_round, f"org:{subject.pk}", subject.name, organization=subject,
                                      panel=panel, order=order)
        return scoring.check_open(actor, scoring_round)


def check_all_done(guide, subject):
    """“All six are done”: every step ticked (with its photo, which the engine checks), then the
    guide's sheet is submitted and locked. An unticked step is a step not done, not a zero."""
    sheet = Sheet.objects.filter(subject=subject, judge=guide).prefetch_related("marks").first()
    ticked = {m.criterion_id for m in sheet.marks.all() if m.checked} if sheet else set()
    missing = [c.name for c in subject.round.template.criteria.order_by("order") if c.pk not in ticked]
    if missing:
        raise OnboardingError("not_all_done", _("Not done yet: %(steps)s.") % {"steps": "、".join(missing)})
    return scoring.check_submit(guide, subject)
