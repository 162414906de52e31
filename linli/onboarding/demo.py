"""The demo's “6个1” round (厦门市妇联, this year): eight new 三新 federations, three guides, and
where each stands — 中山路商圈妇联 has all six with photos, the internet federation four, the rest
fewer — so the organizer's page has progress to show and a guide has steps left to tick."""

from django.utils import timezone

from linli.accounts.actions import do_assign_role, validate_role_assignment
from linli.accounts.choices import Role
from linli.core.moments import demo_photo, demo_upload
from linli.orgs.actions import do_add_membership
from linli.orgs.models import Membership
from linli.scoring import actions as scoring
from linli.scoring.models import ScoringRound

from . import actions
from .steps import OWNER

ORGANIZER = "13800000008"  # 张慧敏, admin of 厦门市妇联
JUDGE = "13800000010"  # 苏雅琴, the demo's judge, guides too
INSTRUCTORS = [("13800000023", "郑丽娟", "开元街道妇建工作指导员第一小队"),
               ("13800000024", "蔡雅琪", "江头街道妇建工作指导员第一小队")]
# (new organization, the guide who ticks, how many of the six are done; 6 = submitted)
PROGRESS = [
    ("中山路商圈妇联", JUDGE, 6),
    ("厦门市互联网行业妇联", JUDGE, 4),
    ("思明区社会组织妇联", "13800000023", 3),
    ("湖里区社会组织妇联", "13800000024", 2),
    ("集美区社会组织妇联", "13800000024", 1),
    ("四三九九网络股份有限公司妇联", "13800000023", 1),
    ("厦门海沧港务集团有限公司妇联", None, 0),
    ("厦门亿联网络技术股份有限公司妇联", None, 0),
]
COLOURS = [(180, 40, 45), (40, 120, 180), (60, 150, 90), (200, 150, 40), (120, 80, 160), (90, 90, 90)]


def load_onboarding(loader):
    from linli.accounts.models import User

    city = loader.orgs["厦门市妇联"]
    if ScoringRound.objects.filter(owner=f"{OWNER}:{city.pk}").exists():
        return
    people = {JUDGE: User.objects.get(phone=JUDGE)}
    for phone, name, organization in INSTRUCTORS:
        user = people[phone] = loader.user(phone, name, password=loader.password)
        if not Membership.objects.filter(user=user, organization=loader.orgs[organization], role="instructor").exists():
            do_add_membership(user, loader.orgs[organization], "instructor")
            # A guide's phone home shows "organizations I guide" (the judge's tile).
            validate_role_assignment(user, Role.JUDGE, organization=loader.orgs[organization])
            do_assign_role(user, Role.JUDGE, organization=loader.orgs[organization])
    organizer = User.objects.get(phone=ORGANIZER)
    title = f"{timezone.localdate().year}年“6个1工作法”推进"
    scoring_round = actions.check_start_round(organizer, city, title, [loader.orgs[name] for name, _g, _n in PROGRESS],
                                              list(people.values()))
    subjects = {s.title: s for s in scoring_round.subjects.all()}
    criteria = list(scoring_round.template.criteria.order_by("order"))
    for name, phone, done in PROGRESS:
        if not phone:
            continue
        guide, subject = people[phone], subjects[name]
        scoring.check_mark(guide, subject, {c.pk: n < done for n, c in enumerate(criteria)},
                           {c.pk: "已完成，材料已归档。" for c in criteria[:done]})
        for n, criterion in enumerate(criteria[:done]):
            scoring.check_add_evidence(guide, subject, criterion, demo_upload(demo_photo(f"six-ones-{n}.jpg",
                                                                                           COLOURS[n])))
        if done == len(criteria):
            scoring.check_submit(guide, subject)
    loader.result.created["six-ones rounds"] += 1
