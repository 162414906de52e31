"""Demo volunteering for `manage.py load_demo`: 坑内社区's 16 巾帼志愿服务队 and its 四色帮帮团,
thirteen registered volunteers, past activities with verified hours (so the 红色积分榜 and a
service certificate have something to show), one waiting for verification, and upcoming ones with
sign-ups and a waiting list — among them a 学雷锋 day with a main venue and branch venues (分会场).

From the field reports in ../shared/seeds/: 界镇社区's 16 women's volunteer teams (环境守护者,
至诚至洁家政, 妇女手工增能 …) and its points for free housekeeping; 南关社区's 四色帮帮团, “周五一起来”
volunteer days, 为老招手停 and 下午四点半课堂; 矿区's 学雷锋 day with a 主会场 and 分会场 at the
practice stations.

Every write goes through the actions (registration, joining, creating, signing up, marking
attendance, approving hours — which posts the points — and issuing the certificate), each step
run with `timezone.now` frozen at its moment in the past (linli.core.moments.at_moment), so every
timestamp and ledger entry is the actions' own. Days are relative to today, clock times fixed.

Idempotent: people by phone, teams by name and kind, a volunteer by person, an activity by its
title (each demo title is unique: the whole story of a missing activity is played, an existing
one is left alone), the certificate by volunteer and organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from linli.accounts.actions import check_assign_role
from linli.accounts.models import RoleAssignment, User
from linli.core.moments import at_moment
from linli.orgs.actions import check_create_organization
from linli.orgs.models import Membership, Organization

from . import actions, idnumbers
from .models import Activity, ServiceCertificate, Volunteer

KENGNEI, KAIYUAN = "350203001001", "350203001"
KENGNEI_FEDERATION = "坑内社区妇联"

# 界镇社区's “1+16+N”: sixteen 巾帼志愿服务队 under the community's women's federation.
ENVIRONMENT = "社区环境守护者巾帼志愿服务队"
HOUSEKEEPING = "至诚至洁家政巾帼志愿服务队"
CRAFTS = "妇女手工增能巾帼志愿服务队"
CLINIC = "健康义诊巾帼志愿服务队"
AFTER_SCHOOL = "下午四点半课堂巾帼志愿服务队"
FAMILY = "家风家教宣讲巾帼志愿服务队"
WOMENS_TEAMS = [
    ENVIRONMENT, HOUSEKEEPING, CRAFTS, "帮困助残巾帼志愿服务队", "儿童关爱巾帼志愿服务队", "爱老敬老巾帼志愿服务队",
    "女性发展巾帼志愿服务队", AFTER_SCHOOL, "青葵周末公益学堂巾帼志愿服务队", FAMILY, "妈妈岗就业帮扶巾帼志愿服务队",
    CLINIC, "法律咨询巾帼志愿服务队", "邻里调解巾帼志愿服务队", "文艺宣传巾帼志愿服务队", "平安巡防巾帼志愿服务队",
]
# 四色帮帮团 (created by linli.site.demo under 坑内社区新时代文明实践站).
RED, GREEN, ORANGE = "红色宣讲团", "绿色先锋团", "橙色暖心团"
INSTITUTE = "开元街道新时代文明实践所"

# The demo accounts this module uses.
ORG_ADMIN = "13800000008"  # 张慧敏, 厦门市妇联: runs the women's teams under it
RED_LEADER = "13800000009"  # 李红, 红色宣讲团
TEAM_LEADER = "13800000050"  # 陈美华: leads 至诚至洁家政 and 橙色暖心团 (为老招手停)
VOLUNTEER = "13800000051"  # 黄秀兰: the volunteer account
LEADER_TEAMS = [HOUSEKEEPING, ORANGE]


@dataclass(frozen=True)
class DemoVolunteer:
    phone: str
    name: str
    gender: str
    birth: str  # YYYYMMDD
    political_status: str
    skills: tuple
    service_areas: tuple
    teams: tuple


V = DemoVolunteer
VOLUNTEERS = [
    V(VOLUNTEER, "黄秀兰", "female", "19680412", "party_member", ("保洁", "收纳"), ("elderly", "environment"),
      (HOUSEKEEPING, ENVIRONMENT, ORANGE)),
    V("13800000052", "林美珍", "female", "19720903", "masses", ("保洁",), ("environment",), (HOUSEKEEPING, ENVIRONMENT)),
    V("13800000053", "王秀梅", "female", "19651120", "party_member", ("理发",), ("elderly",), (ORANGE, ENVIRONMENT)),
    V("13800000054", "郑丽娟", "female", "19800214", "masses", ("护理", "测血压"), ("health", "elderly"), (CLINIC, ORANGE)),
    V("13800000055", "蔡雅婷", "female", "19900630", "league_member", ("辅导作业",), ("children",), (AFTER_SCHOOL,)),
    V("13800000056", "吴春燕", "female", "19750308", "masses", ("手工",), ("culture", "environment"), (ENVIRONMENT, CRAFTS)),
    V("13800000057", "许淑华", "female", "19621201", "party_member", ("保洁", "陪聊"), ("elderly",), (ORANGE, HOUSEKEEPING)),
    V("13800000058", "杨桂芳", "female", "19700719", "masses", ("保洁",), ("environment",), (ENVIRONMENT, HOUSEKEEPING)),
    V("13800000059", "洪丽萍", "female", "19850525", "masses", ("心理咨询",), ("culture",), (FAMILY, ENVIRONMENT)),
    V("13800000060", "叶素云", "female", "19781010", "party_member", ("陪诊",), ("elderly", "health"), (ORANGE,)),
    V("13800000061", "陈文博", "male", "19950115", "league_member", ("辅导作业", "英语"), ("children", "culture"),
      (AFTER_SCHOOL, RED)),
    V("13800000062", "张志远", "male", "19580808", "party_member", ("政策宣讲",), ("governance",), (RED, ENVIRONMENT)),
    V("13800000063", "刘建平", "male", "19660404", "masses", ("家电维修",), ("environment", "other"), (GREEN, ENVIRONMENT)),
]
BY_NAME = {v.name: v.phone for v in VOLUNTEERS}


def resident_id(spec: DemoVolunteer, index: int) -> str:
    """A valid, invented 思明区 ID number; the sequence's parity follows the gender (GB 11643)."""
    sequence = 100 + 2 * index + (1 if spec.gender == "male" else 0)
    first17 = f"350203{spec.birth}{sequence:03d}"
    return first17 + idnumbers.check_char(first17)


@dataclass(frozen=True)
class DemoActivity:
    title: str  # also the natural key
    organization: str
    manager: str  # phone of who creates it, marks attendance and verifies hours
    service_area: str
    area: str  # area code
    place: str
    day: object  # a callable today -> date
    starts: str
    ends: str
    capacity: int
    description: str = ""
    volunteers: tuple = ()  # names, in sign-up order
    branches: tuple = ()  # (name, capacity, volunteer names)
    past: str = ""  # "approved": hours verified; "marked": attendance marked, waiting for verification
    early_leaver: str = ""  # a name who left half an hour early


def days(n):
    return lambda today: today + timedelta(days=n)


def friday(weeks):
    """weeks < 0: that many Fridays before today (strictly); weeks > 0: the coming Fridays."""
    def pick(today):
        if weeks < 0:
            back = (today.weekday() - 4) % 7 or 7
            return today - timedelta(days=back + 7 * (-weeks - 1))
        ahead = (4 - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead + 7 * (weeks - 1))
    return pick


def lei_feng_day(today):
    """The next 5 March (学雷锋纪念日) at least two days away."""
    day = date(today.year, 3, 5)
    return day if day > today + timedelta(days=1) else date(today.year + 1, 3, 5)


ALL_HANDS = ("黄秀兰", "林美珍", "王秀梅", "吴春燕", "杨桂芳", "洪丽萍", "张志远", "刘建平")
ACTIVITIES = [
    # -- past, hours verified ------------------------------------------------------------------
    DemoActivity(
        "周五一起来·东区小区环境卫生大整治", ENVIRONMENT, ORG_ADMIN, "environment", KENGNEI, "坑内社区东区小区",
        friday(-3), "09:00", "11:30", 12,
        "“周五一起来”志愿服务日：党员、驻地单位和志愿者一起清扫楼道、清运卫生死角，逐一排查薄弱环节。",
        volunteers=ALL_HANDS, past="approved", early_leaver="洪丽萍"),
    DemoActivity(
        "周五一起来·菜市场后巷卫生死角清理", ENVIRONMENT, ORG_ADMIN, "environment", KENGNEI, "坑内菜市场后巷",
        friday(-2), "08:30", "11:00", 10,
        "清理后巷积存垃圾，配合增设分类垃圾桶，向摊主宣传垃圾分类。",
        volunteers=("黄秀兰", "林美珍", "吴春燕", "杨桂芳", "刘建平", "张志远"), past="approved"),
    DemoActivity(
        "“云喇叭”政策宣讲进小区", RED, RED_LEADER, "governance", KENGNEI, "坑内社区党群服务中心",
        days(-12), "19:00", "20:30", 20,
        "红色宣讲团把政策解读、反诈和垃圾分类知识送到楼栋口，用“云喇叭”循环播放。",
        volunteers=("张志远", "陈文博"), past="approved"),
    DemoActivity(
        "为老招手停·独居老人上门探访", ORANGE, TEAM_LEADER, "elderly", KENGNEI, "坑内社区9号楼及周边",
        days(-10), "14:30", "17:00", 8,
        "您有呼，我应停；您招手，我即停。为独居老人代买菜、量血压、检查家中用电安全。",
        volunteers=("黄秀兰", "许淑华", "叶素云", "郑丽娟"), past="approved"),
    DemoActivity(
        "下午四点半课堂·期中复习辅导", AFTER_SCHOOL, ORG_ADMIN, "children", KENGNEI, "坑内社区学堂",
        days(-8), "16:30", "18:00", 6,
        "为双职工家庭的孩子辅导作业和课外阅读，破解放学后的“看护难题”。",
        volunteers=("蔡雅婷", "陈文博"), past="approved"),
    DemoActivity(
        "至诚至洁·困难家庭上门大扫除", HOUSEKEEPING, TEAM_LEADER, "elderly", KENGNEI, "坑内社区困难家庭（5户）",
        days(-6), "09:00", "12:00", 6,
        "为行动不便的困难家庭擦窗、清洁厨房卫生间，以“服务”带“服务”。",
        volunteers=("黄秀兰", "林美珍", "许淑华", "杨桂芳"), past="approved"),
    # -- past, waiting for the leader's verification ------------------------------------------------
    DemoActivity(
        "为老招手停·助老义务理发", ORANGE, TEAM_LEADER, "elderly", KENGNEI, "坑内社区长者食堂",
        days(-2), "09:30", "11:30", 5,
        "为行动不便的老人义务理发、修面。",
        volunteers=("王秀梅", "黄秀兰", "许淑华"), past="marked"),
    # -- upcoming -----------------------------------------------------------------------------------
    DemoActivity(
        "周五一起来·社区环境卫生大整治", ENVIRONMENT, ORG_ADMIN, "environment", KENGNEI, "坑内社区文化广场集合",
        friday(1), "09:00", "11:30", 6,
        "每周五常态化开展环境卫生大整治，名额有限，报满后进入候补。",
        volunteers=("黄秀兰", "林美珍", "王秀梅", "吴春燕", "杨桂芳", "刘建平", "洪丽萍", "张志远")),
    DemoActivity(
        "学雷锋纪念日·新时代文明实践志愿服务", INSTITUTE, "", "other", KAIYUAN, "坑内社区文化广场",
        lei_feng_day, "09:00", "11:30", 30,
        "主会场设在坑内社区文化广场，各新时代文明实践站设分会场，同步开展义务理发、测量血压血糖、"
        "家电维修、政策宣讲、法律咨询和“一老一小”志愿服务。",
        volunteers=("张志远", "陈文博", "刘建平", "郑丽娟"),
        branches=(("坑内社区长者食堂分会场", 3, ("黄秀兰", "王秀梅", "许淑华", "叶素云")),
                  ("溪岸社区新时代文明实践站分会场", 10, ("林美珍",)),
                  ("美仁社区新时代文明实践站分会场", 10, ()))),
]


def local(day, clock) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class VolunteeringLoader:
    def __init__(self, loader):
        self.loader = loader
        self.created = loader.result.created
        self.areas = loader.areas
        self.orgs = loader.orgs
        self.today = timezone.localdate()
        self.now = timezone.now()

    def person(self, phone):
        # Fresh each time: scopes are cached on the user object and roles change as we go.
        return User.objects.get(phone=phone)

    def org(self, name):
        if name not in self.orgs:
            self.orgs[name] = Organization.objects.get(name=name)
        return self.orgs[name]

    def role(self, user, role, area=None, organization=None):
        if not RoleAssignment.objects.filter(user=user, role=role, area=area, organization=organization).exists():
            check_assign_role(self.loader.actor, user, role, area=area, organization=organization)
            self.created["roles"] += 1

    # -- teams and people ---------------------------------------------------------------------
    def teams(self):
        federation, community = self.org(KENGNEI_FEDERATION), self.areas[KENGNEI]
        for name in WOMENS_TEAMS:
            team = Organization.objects.filter(name=name, kind="volunteer_team").first()
            if team is None:
                team = check_create_organization(self.loader.actor, parent=federation, name=name,
                                                 kind="volunteer_team", area=community,
                                                 new_sectors=["new_business_form"])
                self.created["organizations"] += 1
            self.orgs[name] = team

    def people(self):
        leader = self.loader.user(TEAM_LEADER, "陈美华", self.loader.password)
        for name in LEADER_TEAMS:
            self.role(leader, "volunteer_team_leader", organization=self.org(name))
            self.loader.result.accounts.append((TEAM_LEADER, self.loader.password, "volunteer_team_leader", name))
        community = self.areas[KENGNEI]
        registered_at = local(self.today - timedelta(days=90), "10:00")
        for index, spec in enumerate(VOLUNTEERS):
            user = self.loader.user(spec.phone, spec.name)  # residents: one-time code
            self.role(user, "resident", area=community)
            if not Volunteer.objects.filter(user=user).exists():
                with at_moment(registered_at + timedelta(minutes=7 * index)):
                    actions.check_register_volunteer(
                        user, area=community, name=spec.name, gender=spec.gender, id_number=resident_id(spec, index),
                        political_status=spec.political_status, skills=list(spec.skills),
                        service_areas=list(spec.service_areas), availability="工作日白天、周末",
                    )
                self.created["volunteers"] += 1
            for team_name in spec.teams:
                team = self.org(team_name)
                if not Membership.objects.members().filter(organization=team, user=user).exists():
                    with at_moment(registered_at + timedelta(days=1, minutes=7 * index)):
                        actions.check_join_team(user, team)
                    self.created["team memberships"] += 1
        self.loader.result.accounts.append(
            (VOLUNTEER, self.loader.one_time_code, "resident (volunteer)", community.full_name()))

    # -- activities ---------------------------------------------------------------------------
    def activity(self, spec):
        manager = self.person(spec.manager) if spec.manager else self.loader.actor
        day = spec.day(self.today)
        starts, ends = local(day, spec.starts), local(day, spec.ends)
        past = ends < self.now
        created_at = min(starts - timedelta(days=7), self.now - timedelta(days=3))
        branches = [{"name": name, "capacity": capacity} for name, capacity, _people in spec.branches]
        with at_moment(created_at):
            activity = actions.check_create_activity(
                manager, self.org(spec.organization), title=spec.title, service_area=spec.service_area,
                area=self.areas[spec.area], place=spec.place, starts_at=starts, ends_at=ends, capacity=spec.capacity,
                description=spec.description, venue_name=spec.place,  # the page marks the main venue
                branches=branches,
            )
        self.created["activities"] += 1
        venues = list(activity.venues.order_by("-is_main", "id"))
        queue = [(venues[0], name) for name in spec.volunteers]
        for venue, (_name, _capacity, people) in zip(venues[1:], spec.branches):
            queue += [(venue, name) for name in people]
        signed_up_at = created_at + timedelta(days=1)
        signups = []
        for n, (venue, name) in enumerate(queue):
            with at_moment(signed_up_at + timedelta(minutes=13 * n)):
                signups.append(actions.check_signup(self.person(BY_NAME[name]), activity, venue))
        self.created["sign-ups"] += len(signups)
        if not past or not spec.past:
            return
        for signup in signups:
            user_name = next(name for name, phone in BY_NAME.items() if phone == signup.user.phone)
            out = ends - timedelta(minutes=30) if user_name == spec.early_leaver else ends
            with at_moment(ends + timedelta(hours=1)):
                attendance = actions.check_mark_attendance(manager, signup, starts, out)
            if spec.past == "approved":
                with at_moment(ends + timedelta(hours=20)):
                    actions.check_approve_hours(self.person(spec.manager), attendance)
        self.created["attendances"] += len(signups)

    def activities(self):
        existing = set(Activity.objects.filter(title__in=[a.title for a in ACTIVITIES]).values_list("title", flat=True))
        for spec in ACTIVITIES:
            if spec.title not in existing:
                self.activity(spec)

    def certificate(self):
        """黄秀兰 prints her own 志愿服务记录证明 for the environment team's verified hours."""
        volunteer = Volunteer.objects.get(user__phone=VOLUNTEER)
        team = self.org(ENVIRONMENT)
        if ServiceCertificate.objects.filter(volunteer=volunteer, organization=team).exists():
            return
        with at_moment(local(self.today - timedelta(days=1), "10:00")):
            actions.check_issue_certificate(
                self.person(VOLUNTEER), volunteer, organization=team,
                date_from=self.today - timedelta(days=60), date_to=self.today - timedelta(days=1))
        self.created["certificates"] += 1

    def load(self):
        self.teams()
        self.people()
        self.activities()
        self.certificate()


def load_volunteering(loader):
    """Called by linli.site.demo.load_demo inside its transaction, after the cases."""
    VolunteeringLoader(loader).load()
