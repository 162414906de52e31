"""The academy's rules on the engines: trainees enrolled by tier in the classes of their subjects,
late arrivals credited pro rata, a class held before someone's enrolment is not applicable, and the
completion rule per tier (every required subject attended, at least the tier's hours) with the gaps
per community and tier the organizer reads."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from linli.academy import actions, queries
from linli.academy.models import Trainee
from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.enrolment import actions as enrolment
from linli.enrolment.choices import Presence
from linli.enrolment.models import Enrolment
from linli.orgs.actions import do_create_organization


@pytest.fixture
def program(tree, clock, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    street = do_create_organization(parent=None, name="开元街道", kind="party", area=tree.street_a)
    organizer = make_person("13900001700", "学苑班主任", Role.ORG_ADMIN, organization=street)
    today = clock.now.date()
    program = actions.check_create_program(organizer, street, title="“元动力”社区学苑", area=tree.street_a,
                                           starts_on=today, ends_on=today + timedelta(days=120))
    crisis = actions.do_add_subject(program, "能力提升", "危机应对", 3, {"grid_worker": True, "head": True})
    writing = actions.do_add_subject(program, "能力提升", "公文写作", 3, {"grid_worker": False, "head": True})
    leading = actions.do_add_subject(program, "领导力", "领导力训练", 6, {"head": True})
    actions.do_set_rule(program, "grid_worker", 3)
    actions.do_set_rule(program, "head", 10)
    return {"program": program, "organizer": organizer, "crisis": crisis, "writing": writing, "leading": leading,
            "street": street}


def add_class(p, subject, clock, days, hours=3):
    start = clock.now + timedelta(days=days)
    return actions.check_add_class(p["organizer"], p["program"], subject, starts_at=start,
                                   ends_at=start + timedelta(hours=hours), venue="开元街道党群服务中心", capacity=300)


def trainee(p, tree, phone, name, tier, community=None):
    user = make_person(phone, name)
    actions.check_enrol_trainee(p["organizer"], p["program"], user, tier=tier, community=community or tree.community_a)
    return user


def test_trainees_are_enrolled_in_the_classes_of_their_tier(program, tree, clock):
    crisis = add_class(program, program["crisis"], clock, 2)
    leading = add_class(program, program["leading"], clock, 3, hours=6)
    grid = trainee(program, tree, "13900001701", "网格员甲", "grid_worker")
    head = trainee(program, tree, "13900001702", "书记乙", "head")
    enrolled = {(e.user.name, e.session_id) for e in Enrolment.objects.select_related("user")}
    assert enrolled == {("网格员甲", crisis.pk), ("书记乙", crisis.pk), ("书记乙", leading.pk)}
    writing = add_class(program, program["writing"], clock, 4)  # a class added later: both tiers have it
    assert set(Enrolment.objects.filter(session=writing).values_list("user", flat=True)) == {grid.pk, head.pk}
    with pytest.raises(Exception) as not_for_grid:
        enrolment.check_enrol(grid, leading)
    assert not_for_grid.value.code == "not_eligible"
    with pytest.raises(Http404):  # only the program's organizers add classes
        actions.check_add_class(grid, program["program"], program["crisis"], starts_at=clock.now,
                                ends_at=clock.now + timedelta(hours=1), venue="x", capacity=1)


def test_completion_per_tier_late_pro_rata_and_not_applicable_after_a_late_enrolment(program, tree, clock):
    organizer = program["organizer"]
    crisis = add_class(program, program["crisis"], clock, 1)
    writing = add_class(program, program["writing"], clock, 2)
    leading = add_class(program, program["leading"], clock, 3, hours=6)
    on_time = trainee(program, tree, "13900001711", "网格员甲", "grid_worker")
    late = trainee(program, tree, "13900001712", "网格员乙", "grid_worker")
    missed = trainee(program, tree, "13900001713", "网格员丙", "grid_worker")
    head = trainee(program, tree, "13900001714", "书记丁", "head")

    def row(user, session):
        return Enrolment.objects.get(user=user, session=session)

    enrolment.check_mark_attendance(organizer, row(on_time, crisis), crisis.starts_at, crisis.ends_at)
    late_mark = enrolment.check_mark_attendance(organizer, row(late, crisis), crisis.starts_at + timedelta(hours=1),
                                                crisis.ends_at)
    assert (late_mark.presence, late_mark.hours) == (Presence.LATE, Decimal("2.00"))  # 2 of the 3 hours
    enrolment.check_mark_presence(organizer, row(missed, crisis), Presence.ABSENT)
    enrolment.check_mark_attendance(organizer, row(late, writing), writing.starts_at, writing.ends_at)
    for session in (crisis, writing, leading):
        enrolment.check_mark_attendance(organizer, row(head, session), session.starts_at, session.ends_at)
    clock.advance(days=4)
    # Someone enrolled after the classes were held: not absent from them, but not complete either.
    newcomer = trainee(program, tree, "13900001715", "网格员戊", "grid_worker")
    newcomer_row = row(newcomer, crisis)
    assert enrolment.presence_of(newcomer_row, crisis) == Presence.NOT_APPLICABLE
    assert enrolment.check_mark_presence(organizer, newcomer_row, Presence.ABSENT).presence == Presence.NOT_APPLICABLE

    standing = {s.trainee.user.name: (s.hours, s.missing, s.completes) for s in queries.standings(program["program"])}
    assert standing == {
        "网格员甲": (Decimal("3.00"), [], True),
        "网格员乙": (Decimal("5.00"), [], True),  # 2 late hours of 危机应对 and the elective
        "网格员丙": (Decimal("0"), ["危机应对"], False),
        "书记丁": (Decimal("12.00"), [], True),
        "网格员戊": (Decimal("0"), ["危机应对"], False),
    }
    gaps = queries.gaps(program["program"])
    assert [(g.community.name, g.tier, g.trainees, g.not_completing, dict(g.missing)) for g in gaps] == [
        ("坑内社区", "grid_worker", 4, 2, {"危机应对": 2})]


def test_a_trainee_is_enrolled_once_and_only_by_an_organizer(program, tree, personas):
    user = trainee(program, tree, "13900001721", "网格员甲", "grid_worker")
    with pytest.raises(actions.AcademyError) as twice:
        actions.check_enrol_trainee(program["organizer"], program["program"], user, tier="head",
                                    community=tree.community_a)
    assert twice.value.code == "already_enrolled" and Trainee.objects.count() == 1
    with pytest.raises(actions.AcademyError) as elsewhere:
        actions.check_enrol_trainee(program["organizer"], program["program"], make_person("13900001722", "外街道"),
                                    tier="grid_worker", community=tree.community_b)
    assert elsewhere.value.field == "community"  # 中华街道's community: not the program's area
    for n, outsider in enumerate((personas.org_admin, personas.resident)):
        with pytest.raises(Http404):
            actions.check_enrol_trainee(outsider, program["program"], make_person(f"1390000173{n}", "某人"),
                                        tier="grid_worker", community=tree.community_a)
