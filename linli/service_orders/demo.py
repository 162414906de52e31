"""Demo service orders for `manage.py load_demo`: 坑内社区's service menu (服务菜单) and orders in
every state of 点单 → 派单 → 接单 → 评单.

From the field reports in ../shared/seeds/: the 新时代文明实践 order model (stations take orders,
“接单后现场授课辅导”; 海棠有约 “直接派单”), 界镇社区's 至诚至洁 housekeeping team, 南关社区's 为老招手停
(“您有呼，我应停；您招手，我即停”) and 下午四点半课堂, and the 义诊 / 陪诊 / 义务理发 services of the
学雷锋 day.

Every write goes through the actions: `check_save_offering` for the menu (by the teams' leaders),
`check_order` and `perform` for the orders, each step with `timezone.now` frozen at its moment
(linli.core.moments.at_moment), so the timeline, the recorded hours and their points entries are the
actions' own. Idempotent: an offering by team and name, an order by its notes (each demo text is
unique; a missing order's whole story is played).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from linli.accounts.models import User
from linli.core.moments import at_moment, demo_photo, demo_upload
from linli.orgs.models import Organization

from . import actions
from .models import ServiceOffering, ServiceOrder

KENGNEI = "350203001001"
COMMUNITY = "13800000005"  # 郑美玲, community staff: the dispatcher
ORG_ADMIN = "13800000008"  # 张慧敏, runs the women's teams
TEAM_LEADER = "13800000050"  # 陈美华, 至诚至洁家政 and 橙色暖心团
RESIDENT = "13800000001"  # 林小梅
OLD_WANG, OLD_LIU, MRS_ZHANG, MRS_LI = "13800000041", "13800000042", "13800000043", "13800000044"
VOLUNTEERS = {"黄秀兰": "13800000051", "林美珍": "13800000052", "许淑华": "13800000057", "郑丽娟": "13800000054",
              "叶素云": "13800000060"}

HOUSEKEEPING, ORANGE = "至诚至洁家政巾帼志愿服务队", "橙色暖心团"
CLINIC, AFTER_SCHOOL = "健康义诊巾帼志愿服务队", "下午四点半课堂巾帼志愿服务队"

# (key, team, leader phone, name, kind, description)
OFFERINGS = [
    ("clean", HOUSEKEEPING, TEAM_LEADER, "居家保洁（2小时）", "housekeeping",
     "擦窗、拖地、厨房卫生间清洁；独居老人、困难家庭优先。", "工作日 9:00–17:00，提前一天预约"),
    ("haircut", ORANGE, TEAM_LEADER, "上门义务理发", "haircut",
     "行动不便的老人在家就能理发、修面。", "每周六上午 9:00–11:30"),
    ("clinic", CLINIC, ORG_ADMIN, "健康义诊·测血压血糖", "free_clinic",
     "退休医护志愿者上门测血压、血糖，讲解用药注意事项。", "每月第一个周三上午"),
    ("escort", ORANGE, TEAM_LEADER, "就医陪诊", "hospital_escort",
     "陪老人到医院挂号、检查、取药，子女不在身边时帮一把。", "工作日上午，提前两天预约"),
    ("stop", ORANGE, TEAM_LEADER, "为老招手停·上门服务", "elderly_home_visit",
     "您有呼，我应停；您招手，我即停。代买菜、量血压、陪聊天、小修小补。", "每天 8:00–18:00"),
    ("tutoring", AFTER_SCHOOL, ORG_ADMIN, "下午四点半课堂·课外辅导", "tutoring",
     "双职工家庭的孩子放学后到社区学堂写作业，志愿者辅导阅读和写作。", "工作日 16:30–18:30"),
]


@dataclass(frozen=True)
class Step:
    hours: float  # after the order
    actor: str  # phone
    action: str
    params: dict = field(default_factory=dict)


def s(after, actor, action, **params):
    return Step(after, actor, action, params)


@dataclass(frozen=True)
class DemoOrder:
    notes: str  # also the natural key
    resident: str
    offering: str | None  # an OFFERINGS key, or None: ordered by kind
    kind: str
    address: str
    ordered_days_ago: float
    at: str  # clock time of the order (ignored under a day ago: so many hours ago)
    starts_in_hours: float  # the service window, after the order
    window_hours: float = 2
    steps: tuple = ()


def served(team, leader, volunteers, hours, *, rating=None, comment="", note="", dispatch=1.0, accept=2.0,
           start=0.0, length=2.0):
    """Dispatched, accepted, volunteers sent, done with a photo, hours recorded (and rated)."""
    steps = [s(dispatch, COMMUNITY, "dispatch", team=team), s(accept, leader, "accept"),
             s(accept + 0.5, leader, "assign", volunteers=volunteers),
             s(start + length, leader, "complete", note=note, photos="done"),
             s(start + length + 1, leader, "record_hours", hours=dict.fromkeys(volunteers, hours))]
    if rating:
        steps.append(s(start + length + 20, None, "rate", rating=rating, comment=comment))
    return tuple(steps)


ORDERS = [
    # -- done, hours recorded, rated ------------------------------------------------------------------
    DemoOrder(
        "厨房油烟机和卫生间好久没彻底打扫了，腰不好自己弄不动，想请人帮忙收拾一下。",
        RESIDENT, "clean", "housekeeping", "东区小区3号楼2单元502", 12, "20:10", 37,
        steps=served(HOUSEKEEPING, TEAM_LEADER, ["黄秀兰", "林美珍"], 2, start=37, rating=5,
                     comment="两位阿姨干活细致，厨房擦得锃亮，谢谢！",
                     note="清洗油烟机滤网、擦洗厨房台面和卫生间，垃圾已带走。")),
    DemoOrder(
        "老伴住院了，我一个人在家，想请志愿者帮忙买点菜、量量血压。",
        OLD_LIU, "stop", "elderly_home_visit", "坑内社区9号楼101", 9, "08:40", 6, window_hours=1.5,
        steps=served(ORANGE, TEAM_LEADER, ["许淑华"], 1.5, start=6, length=1.5, rating=5,
                     comment="您有呼，我应停，说到做到。",
                     note="代买一周的菜，血压138/85，已提醒按时服药。")),
    # -- published for teams to grab, grabbed, done, not rated yet ------------------------------------
    DemoOrder(
        "最近头晕，想请医生上门量个血压血糖。",
        MRS_ZHANG, "clinic", "free_clinic", "坑内社区5号楼203", 5, "09:15", 26, window_hours=1,
        steps=(s(1, COMMUNITY, "publish", note="义诊队伍请抢单。"), s(3, ORG_ADMIN, "grab", team=CLINIC),
               s(3.5, ORG_ADMIN, "assign", volunteers=["郑丽娟"]),
               s(27, ORG_ADMIN, "complete", note="血压150/92偏高，血糖正常；建议到社区卫生服务站复查。", photos="done"),
               s(28, ORG_ADMIN, "record_hours", hours={"郑丽娟": 1}))),
    # -- accepted, a volunteer on the way ----------------------------------------------------------------
    DemoOrder(
        "下周要去中山医院复查，孩子在外地，想请人陪我去挂号、取药。",
        MRS_LI, "escort", "hospital_escort", "坑内社区4号楼602", 1, "10:30", 48, window_hours=4,
        steps=(s(1, COMMUNITY, "dispatch", team=ORANGE), s(3, TEAM_LEADER, "accept", note="叶素云陪同，提前电话联系。"),
               s(3.2, TEAM_LEADER, "assign", volunteers=["叶素云"]))),
    # -- dispatched, waiting for the team to accept ------------------------------------------------------
    DemoOrder(
        "腿脚不方便下楼，想请人上门理个发。",
        OLD_WANG, "haircut", "haircut", "坑内社区2号楼301", 0.3, "", 50, window_hours=1,
        steps=(s(1, COMMUNITY, "dispatch", team=ORANGE),)),
    # -- declined by the team: back with the dispatcher --------------------------------------------------
    DemoOrder(
        "孩子上三年级，我们夫妻下班晚，想让孩子放学后到社区学堂写作业。",
        RESIDENT, "tutoring", "tutoring", "东区小区3号楼2单元502", 2, "12:20", 50, window_hours=1.5,
        steps=(s(1, COMMUNITY, "dispatch", team=AFTER_SCHOOL),
               s(4, ORG_ADMIN, "decline", reason="本周辅导老师已排满，请社区改派或下周再约。"))),
    # -- published, on the grab board ------------------------------------------------------------------
    DemoOrder(
        "家里窗户和纱窗很久没擦了，想请人帮忙擦一擦。",
        OLD_WANG, "clean", "housekeeping", "坑内社区2号楼301", 1, "16:00", 70,
        steps=(s(2, COMMUNITY, "publish", note="请服务本社区的队伍抢单。"),)),
    # -- cancelled by the resident -----------------------------------------------------------------------
    DemoOrder(
        "想请人上门理发，这周哪天都行。",
        OLD_LIU, "haircut", "haircut", "坑内社区9号楼101", 5, "11:00", 30, window_hours=1,
        steps=(s(20, OLD_LIU, "cancel", reason="女儿周末回来带我去理发店了。"),)),
    # -- just ordered, by kind (no team offers it yet) ---------------------------------------------------
    DemoOrder(
        "厨房水龙头一直滴水，想请懂维修的志愿者来看看。",
        MRS_ZHANG, None, "repair", "坑内社区5号楼203", 0.1, "", 26, window_hours=1),
]


class ServiceOrderLoader:
    def __init__(self, loader):
        self.loader = loader
        self.created = loader.result.created
        self.areas = loader.areas
        self.orgs = loader.orgs
        self.offerings = {}
        self.photo = demo_photo("done.jpg", (90, 150, 90))

    def person(self, phone):
        return User.objects.get(phone=phone)  # fresh: scopes are cached on the user object

    def org(self, name):
        if name not in self.orgs:
            self.orgs[name] = Organization.objects.get(name=name)
        return self.orgs[name]

    def menu(self):
        community = self.areas[KENGNEI]
        for key, team_name, leader, name, kind, description, available in OFFERINGS:
            team = self.org(team_name)
            offering = ServiceOffering.objects.filter(team=team, name=name).first()
            if offering is None:
                with at_moment(timezone.now() - timedelta(days=30)):
                    offering = actions.check_save_offering(self.person(leader), team, name=name, kind=kind,
                                                           description=description, available=available,
                                                           areas=[community])
                self.created["service offerings"] += 1
            self.offerings[key] = offering

    def ordered_at(self, spec, today, now):
        if spec.ordered_days_ago < 1:
            return now - timedelta(days=spec.ordered_days_ago)
        hour, minute = map(int, spec.at.split(":"))
        moment = timezone.make_aware(datetime.combine(today - timedelta(days=int(spec.ordered_days_ago)),
                                                      time(hour, minute)))
        last = moment + timedelta(hours=max((step.hours for step in spec.steps), default=0))
        if last >= now:  # never in the future: slide the whole story back
            moment -= last - now + timedelta(minutes=5)
        return moment

    def params(self, spec, step):
        params = dict(step.params)
        if "team" in params:
            params["team"] = self.org(params["team"])
        if "volunteers" in params:
            params["volunteers"] = [self.person(VOLUNTEERS[name]).pk for name in params["volunteers"]]
        if "hours" in params:
            params["hours"] = {self.person(VOLUNTEERS[name]).pk: hours for name, hours in params["hours"].items()}
        if params.get("photos") == "done":
            params["photos"] = [demo_upload(self.photo)]
        return params

    def order(self, spec, moment):
        starts = moment + timedelta(hours=spec.starts_in_hours)
        with at_moment(moment):
            order = actions.check_order(
                self.person(spec.resident), area=self.areas[KENGNEI], address=spec.address, notes=spec.notes,
                starts_at=starts, ends_at=starts + timedelta(hours=spec.window_hours), kind=spec.kind,
                offering=self.offerings[spec.offering] if spec.offering else None,
            )
        for step in spec.steps:
            actor = self.person(step.actor or spec.resident)
            with at_moment(moment + timedelta(hours=step.hours)):
                order = actions.perform(actor, ServiceOrder.objects.get(pk=order.pk), step.action,
                                        **self.params(spec, step))
        self.created["service orders"] += 1

    def orders(self):
        today, now = timezone.localdate(), timezone.now()
        existing = set(ServiceOrder.objects.filter(notes__in=[o.notes for o in ORDERS]).values_list("notes", flat=True))
        missing = sorted((self.ordered_at(spec, today, now), n, spec) for n, spec in enumerate(ORDERS)
                         if spec.notes not in existing)
        for moment, _n, spec in missing:
            self.order(spec, moment)

    def load(self):
        self.menu()
        self.orders()


def load_service_orders(loader):
    """Called by linli.site.demo.load_demo inside its transaction, after volunteering."""
    ServiceOrderLoader(loader).load()
