"""Demo cases for `manage.py load_demo`: categories, routing rules and ~40 cases
in 坑内社区's 15 grids, in every state of the workflow.

Every case goes through the actions: `check_report` files it and `perform`
moves it along, with the demo accounts (plus the handlers and residents created
here). To make the timeline look lived-in, each step runs with
`django.utils.timezone.now` frozen at a moment in the past (`at_moment`), so
`created_at`, the events' times and the due times are all computed by the
actions themselves, consistently, as if the step had happened then; nothing is
rewritten afterwards. Only this module does that, and only while loading the
demo. Cases are filed oldest first, so their numbers follow the calendar; at the
end the SLA sweep marks what is overdue or due soon now (escalation by policy is
left to the running system's sweep). Categories and routing rules are
configuration (edited in the admin) and are written directly.

Idempotent: categories are found by code, routing rules by (area, category),
organizations by name and kind, people by phone, and a case by its description
(each demo text is unique).

The texts come from the field reports in ../shared/seeds/ (常熟's 随手拍 and
流动网格员, 海棠有约 and 揭榜领办, 12345 work orders, 南关社区's 民情台账: a
broken entrance door, a burst water pipe, a neighbour dispute …).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.accounts.actions import check_assign_role
from linli.accounts.models import RoleAssignment, User
from linli.core.moments import at_moment, demo_photo, demo_upload
from linli.orgs.actions import check_create_organization
from linli.orgs.models import Organization

from .actions import do_set_routing_rule
from .choices import CaseStatus, Priority
from .models import Case, Category, RoutingRule

P1, P2, P3, P4 = Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT


def cat(code, name, accept_hours=None, resolve_days=None, priority=None, children=()):
    """One category node; empty limits are inherited from the nearest ancestor."""
    return {"code": code, "name": name, "accept_hours": accept_hours, "resolve_days": resolve_days,
            "priority": priority, "children": list(children)}


# The digital-urban-management classes (部件 / 事件, after GB/T 30428) with a few real
# subclasses each, and the community classes under 事件.
CATEGORY_TREE = [
    cat("component", "部件", 4, 5, P2, [
        cat("public-facilities", "公用设施", children=[
            cat("manhole-cover", "井盖", 2, 1, P3),
            cat("street-light", "路灯", 4, 3),
            cat("fire-hydrant", "消防栓", 2, 2, P3),
            cat("gas-facility", "燃气设施", 1, 1, P4),
            cat("water-facility", "供水设施", 2, 2, P3),
            cat("sewer", "排水设施", 4, 3),
            cat("power-facility", "电力设施", 2, 2, P3),
        ]),
        cat("road-traffic", "道路交通", children=[
            cat("road-damage", "道路破损", 4, 5),
            cat("traffic-sign", "交通标志", 4, 5),
            cat("guardrail", "道路护栏", 4, 5),
            cat("bus-shelter", "公交站亭", 8, 10, P1),
        ]),
        cat("appearance-facilities", "市容环境", children=[
            cat("litter-bin", "垃圾箱", 4, 3),
            cat("public-toilet", "公共厕所", 4, 5),
        ]),
        cat("landscaping", "园林绿化", 8, 10, children=[
            cat("street-tree", "行道树", 4, 3),
            cat("green-space", "绿地", 8, 10, P1),
        ]),
        cat("housing-land", "房屋土地", children=[
            cat("dangerous-building", "危旧房屋", 2, 3, P3),
            cat("vacant-land", "闲置地块", 8, 15, P1),
        ]),
        cat("other-facilities", "其他设施", children=[
            cat("accessibility", "无障碍设施", 8, 10),
            cat("ev-charging", "电动自行车充电设施", 8, 15, P1),
        ]),
    ]),
    cat("event", "事件", 4, 3, P2, [
        cat("street-appearance", "市容环境", children=[
            cat("exposed-garbage", "暴露垃圾", 2, 1),
            cat("piled-materials", "乱堆物料", 4, 2),
            cat("accumulated-waste", "积存垃圾渣土", 4, 2),
            cat("dirty-road", "道路不洁", 4, 1),
        ]),
        cat("advertising", "宣传广告", children=[
            cat("illegal-flyers", "非法小广告", 4, 2, P1),
            cat("illegal-billboard", "违规户外广告", 4, 5),
        ]),
        cat("construction", "施工管理", children=[
            cat("construction-noise", "施工扰民", 2, 2),
            cat("construction-occupation", "施工占道", 4, 3),
        ]),
        cat("emergency", "突发事件", 1, 1, P4, [
            cat("gas-leak", "燃气泄漏", 1, 1, P4),
            cat("water-main-burst", "自来水管破裂", 1, 1, P4),
            cat("road-collapse", "路面塌陷", 1, 1, P4),
            cat("blocked-fire-lane", "消防通道堵塞", 2, 1, P3),
        ]),
        cat("street-order", "街面秩序", children=[
            cat("street-vending", "占道经营", 2, 1),
            cat("outside-shop", "店外经营", 2, 2),
            cat("illegal-parking", "乱停放", 2, 1),
        ]),
        cat("other-events", "其他事件", children=[
            cat("noise", "噪声扰民", 2, 2),
            cat("other", "其他"),
        ]),
        cat("neighbour-dispute", "邻里纠纷", 8, 10, P2, [
            cat("neighbour-noise", "噪音纠纷"),
            cat("leaking-ceiling", "楼上漏水"),
            cat("pets", "宠物扰民"),
        ]),
        cat("elderly-care", "为老服务", 4, 3, P2, [
            cat("elders-living-alone", "独居老人关怀", 2, 2, P3),
            cat("meal-help", "助餐助浴"),
        ]),
        cat("property-management", "物业管理", 8, 5, P2, [
            cat("building-door", "单元门禁", 8, 5),
            cat("lift-fault", "电梯故障", 2, 1, P3),
            cat("stairwell-clutter", "楼道堆物", 4, 2),
            cat("flying-lead-charging", "飞线充电", 2, 1, P3),
        ]),
    ]),
]

CITY, SIMING, KAIYUAN, KENGNEI = "3502", "350203", "350203001", "350203001001"

MUNICIPAL = "厦门市市政园林局"
ENFORCEMENT = "厦门市城市管理行政执法局"
WATER = "厦门水务集团有限公司"
POWER = "国网厦门供电公司"
GAS = "厦门华润燃气有限公司"
POLICE = "开元派出所"
MEDIATION = "坑内社区人民调解委员会"
PROPERTY = "东区小区物业服务中心"
ELDERLY_TEAM = "橙色暖心团"  # 为老招手停

# Organizations the cases need that the core demo does not hold, parents first:
# (name, kind, area code, parent name or None, new sectors). Like every enterprise of
# the demo, the property company has its own women's federation (the 123456 network).
ORGANIZATIONS = [
    (MEDIATION, "social_org", KENGNEI, "坑内社区党委", []),
    (PROPERTY, "enterprise", KENGNEI + "001", None, ["new_economic_org"]),
    (f"{PROPERTY}妇联", "womens_federation", KENGNEI + "001", PROPERTY, []),
]

# (area code, category code or None, unit). The deepest area wins, then the
# deepest category; nothing matches → the street command center's queue.
ROUTING_RULES = [
    (CITY, "gas-facility", GAS),
    (CITY, "gas-leak", GAS),
    (CITY, "water-facility", WATER),
    (CITY, "water-main-burst", WATER),
    (CITY, "sewer", WATER),
    (CITY, "fire-hydrant", WATER),
    (CITY, "power-facility", POWER),
    (CITY, "street-order", ENFORCEMENT),
    (CITY, "advertising", ENFORCEMENT),
    (CITY, "street-appearance", ENFORCEMENT),
    (CITY, "construction", ENFORCEMENT),
    (SIMING, "manhole-cover", MUNICIPAL),
    (SIMING, "street-light", MUNICIPAL),
    (SIMING, "road-traffic", MUNICIPAL),
    (SIMING, "landscaping", MUNICIPAL),
    (KAIYUAN, "blocked-fire-lane", POLICE),
    (KAIYUAN, "noise", POLICE),
    (KENGNEI, "neighbour-dispute", MEDIATION),
    (KENGNEI, "elderly-care", ELDERLY_TEAM),
    (KENGNEI, "property-management", PROPERTY),
]

# The demo accounts (linli.site.demo.data.ACCOUNTS) by what they do here.
RESIDENT = "13800000001"  # 林小梅
GRID_WORKER = "13800000002"  # 陈志强, 第一网格
RIDER = "13800000003"  # 黄建华, mobile grid worker (a delivery rider) over 开元街道
COMMUNITY = "13800000005"  # 郑美玲, community staff (head), 坑内社区: dispatches community matters
CENTER = "13800000006"  # 王海峰, 开元街道 command center
MUNICIPAL_HANDLER = "13800000007"  # 刘建国, 市政园林局

# Handlers and residents the cases need: phone, name, role, node kind, node.
# Handlers log in with the demo password; residents with a one-time code.
PEOPLE = [
    ("13800000012", "许文杰", "grid_worker", "area", KENGNEI + "002"),  # 第二网格: the grid leader's second worker
    ("13800000031", "赵国栋", "department_handler", "org", ENFORCEMENT),
    ("13800000032", "蔡文斌", "department_handler", "org", WATER),
    ("13800000033", "许志明", "department_handler", "org", GAS),
    ("13800000034", "林志伟", "department_handler", "org", POLICE),
    ("13800000035", "黄淑珍", "department_handler", "org", MEDIATION),
    ("13800000036", "苏建明", "department_handler", "org", PROPERTY),
    ("13800000037", "何丽娟", "department_handler", "org", ELDERLY_TEAM),
    ("13800000038", "陈国平", "department_handler", "org", POWER),
    ("13800000041", "王建国", "resident", "area", KENGNEI),
    ("13800000042", "刘德福", "resident", "area", KENGNEI),
    ("13800000043", "张桂兰", "resident", "area", KENGNEI),
    ("13800000044", "李秀英", "resident", "area", KENGNEI),
]
ENFORCER, WATERWORKS, GASWORKS, OFFICER, MEDIATOR, CARETAKER, VOLUNTEER, ELECTRICIAN = (
    "13800000031", "13800000032", "13800000033", "13800000034",
    "13800000035", "13800000036", "13800000037", "13800000038",
)
OLD_WANG, OLD_LIU, MRS_ZHANG, MRS_LI = "13800000041", "13800000042", "13800000043", "13800000044"
HANDLERS = {
    MUNICIPAL: MUNICIPAL_HANDLER, ENFORCEMENT: ENFORCER, WATER: WATERWORKS, GAS: GASWORKS,
    POLICE: OFFICER, MEDIATION: MEDIATOR, PROPERTY: CARETAKER, ELDERLY_TEAM: VOLUNTEER, POWER: ELECTRICIAN,
}

# A point in 开元街道 but outside every grid (湖滨四社区 has no grids): lands unlocated.
OUTSIDE_GRIDS = (24.4765, 118.1145)


@dataclass(frozen=True)
class Step:
    hours: float  # after the report
    actor: str  # phone
    action: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCase:
    text: str  # the description; also the case's natural key
    category: str
    grid: int | None  # 1–15 in 坑内社区; None: a point outside every grid
    reporter: str  # phone of who files it
    channel: str
    days_ago: float  # reported this many days before today …
    at: str  # … at this clock time
    steps: tuple = ()
    address: str = ""
    photo: bool = False
    reporter_name: str = ""  # hotline and walk-in reports on a resident's behalf
    reporter_phone: str = ""


def s(hours, actor, action, **params):
    return Step(hours, actor, action, params)


def handled(unit, *, accept=0.5, dispatch=1.0, sign=2.0, resolve=None, verify=None, close=None, rate=None,
            dispatcher=CENTER, verifier=None, reporter=None, evidence=""):
    """The usual path as far as it goes: accept → dispatch → sign → resolve → verify → close → rate."""
    handler = HANDLERS[unit]
    steps = [s(accept, dispatcher, "accept"), s(dispatch, dispatcher, "dispatch", unit=unit)]
    if sign is not None:
        steps.append(s(sign, handler, "sign"))
    if resolve is not None:
        steps.append(s(resolve, handler, "resolve", note=evidence, photos="after"))
    if verify is not None:
        steps.append(s(verify, verifier or dispatcher, "verify", note="现场核查，问题已解决。", photos="site"))
    if close is not None:
        steps.append(s(close, dispatcher, "close"))
    if rate is not None:
        rating, comment = rate
        steps.append(s(close + 6, reporter, "rate", rating=rating, comment=comment))
    return tuple(steps)


CASES = [
    # -- closed and rated ---------------------------------------------------------
    DemoCase(
        "坑内社区菜市场旁的公厕没有无障碍设施，坐轮椅的老人进不去，希望加装坡道和扶手。",
        "accessibility", 3, OLD_LIU, "snapshot", 34, "09:12", photo=True, address="坑内路菜市场公厕",
        steps=handled(MUNICIPAL, dispatcher=COMMUNITY, resolve=120, verify=124, close=126, reporter=OLD_LIU,
                      evidence="公厕改造完工：入口加装坡道和扶手，增设无障碍厕位；党员群众代表全程监督施工。",
                      rate=(5, "改造后轮椅能进去了，施工还请了我们居民代表监督，满意！")),
    ),
    DemoCase(
        "东区小区3号楼2单元防盗门坏了一个多月，门禁刷不开，陌生人随便进出，不安全。",
        "building-door", 1, RESIDENT, "snapshot", 27, "19:40", photo=True, address="东区小区3号楼2单元",
        steps=handled(PROPERTY, dispatcher=COMMUNITY, accept=14, dispatch=15, sign=16, resolve=70, verify=74,
                      close=75, verifier=GRID_WORKER, reporter=RESIDENT,
                      evidence="已更换2单元防盗门和门禁读卡器，给住户重新登记门禁卡。",
                      rate=(5, "换了新门，门禁也好用了，谢谢社区和物业。")),
    ),
    DemoCase(
        "东区小区5号楼前自来水管破裂，路面一直冒水，楼里已经停水。",
        "water-main-burst", 1, GRID_WORKER, "patrol", 22, "07:40", address="东区小区5号楼前",
        steps=handled(WATER, accept=0.2, dispatch=0.3, sign=0.8, resolve=6, verify=8, close=9,
                      verifier=GRID_WORKER, evidence="更换破裂管段约3米，恢复供水，路面已回填。"),
    ),
    DemoCase(
        "坑内路32号附近连着三盏路灯不亮，晚上下班回家路上很黑。",
        "street-light", 5, MRS_ZHANG, "snapshot", 19, "21:05", photo=True, address="坑内路32号附近",
        steps=handled(MUNICIPAL, accept=12, dispatch=12.5, sign=14, resolve=40, verify=44, close=45,
                      verifier=COMMUNITY, reporter=MRS_ZHANG, evidence="更换3盏LED灯头，线路检修完毕。",
                      rate=(5, "灯亮了，走夜路放心多了。")),
    ),
    DemoCase(
        "菜市场后巷有个卫生死角，垃圾堆了好几天，天热气味很大。",
        "exposed-garbage", 7, OLD_WANG, "snapshot", 17, "08:30", photo=True, address="坑内菜市场后巷",
        steps=handled(ENFORCEMENT, resolve=20, verify=24, close=25, verifier=COMMUNITY, reporter=OLD_WANG,
                      evidence="联合“周五一起来”志愿服务日清理后巷积存垃圾，增设分类垃圾桶。",
                      rate=(4, "清理干净了，希望以后常态化保洁。")),
    ),
    DemoCase(
        "送外卖路过开元路与坑内路路口，井盖松动，车一压就哐哐响，电动车容易摔。",
        "manhole-cover", 2, RIDER, "snapshot", 15, "12:20", photo=True, address="开元路与坑内路交叉口",
        steps=handled(MUNICIPAL, accept=0.5, dispatch=0.6, sign=1, resolve=5, verify=7, close=8,
                      reporter=RIDER, evidence="井座加固、更换防沉降井盖。",
                      rate=(5, "当天就修好了，点赞。")),
    ),
    DemoCase(
        "共享电动车乱停在盲道上，把小区北门出入口都堵住了。",
        "illegal-parking", 4, MRS_LI, "snapshot", 13, "08:05", photo=True, address="坑内社区北门",
        steps=handled(ENFORCEMENT, resolve=6, verify=8, close=9, verifier=COMMUNITY, reporter=MRS_LI,
                      evidence="清理违停共享电动车23辆，通知运营企业调度，施划停放区。",
                      rate=(3, "当时清走了，过两天又堆满了，希望设个固定停放点。")),
    ),
    DemoCase(
        "楼上住户装修后卫生间漏水到我家天花板，找他协商了几次都没结果。",
        "leaking-ceiling", 1, RESIDENT, "snapshot", 31, "10:15", photo=True, address="东区小区7号楼",
        steps=handled(MEDIATION, dispatcher=COMMUNITY, accept=3, dispatch=4, sign=6, resolve=96, verify=100,
                      close=101, verifier=GRID_WORKER, reporter=RESIDENT,
                      evidence="调解员上门，双方签订调解协议：楼上重做防水层并承担天花板修复费用。",
                      rate=(5, "调解员很耐心，邻居之间没伤和气。")),
    ),
    DemoCase(
        "独居的王大爷腿脚不便，想请人每周帮忙买两次菜、量量血压。",
        "elders-living-alone", 9, MRS_ZHANG, "snapshot", 24, "15:30", address="坑内社区9号楼",
        steps=handled(ELDERLY_TEAM, dispatcher=COMMUNITY, accept=1, dispatch=2, sign=3, resolve=30, verify=34,
                      close=35, verifier=COMMUNITY, reporter=MRS_ZHANG,
                      evidence="“为老招手停”：橙色暖心团志愿者结对，每周二、五上门代买菜、量血压。",
                      rate=(5, "您有呼，我应停，真的做到了。")),
    ),
    DemoCase(
        "【12345转办】市民反映坑内路夜市烧烤店外摆摊经营，油烟和噪音扰民到深夜。",
        "outside-shop", 11, CENTER, "hotline", 20, "10:00", address="坑内路夜市",
        reporter_name="陈先生", reporter_phone="13712340001",
        steps=handled(ENFORCEMENT, resolve=30, verify=34, close=36,
                      evidence="约谈店主，撤除店外摊位，督促安装油烟净化设备；已电话回复市民。"),
    ),
    DemoCase(
        "人行道地砖松动破损了一大片，老人走路容易绊倒。",
        "road-damage", 6, MRS_LI, "snapshot", 40, "09:50", photo=True, address="坑内路人行道",
        steps=handled(MUNICIPAL, resolve=72, verify=76, close=78, verifier=COMMUNITY, reporter=MRS_LI,
                      evidence="更换破损地砖约40平方米。", rate=(4, "修好了，就是施工围挡放了好几天。")),
    ),
    DemoCase(
        "流动网格员线索：5号楼楼道里飞线充电，电动车停在一楼楼梯间，有火灾隐患。",
        "flying-lead-charging", 1, RIDER, "snapshot", 9, "14:10", photo=True, address="东区小区5号楼",
        steps=handled(PROPERTY, dispatcher=COMMUNITY, accept=0.5, dispatch=1, sign=1.5, resolve=8, verify=10,
                      close=11, verifier=GRID_WORKER, reporter=RIDER,
                      evidence="拆除飞线，楼梯间电动车全部清出，引导住户到小区集中充电棚充电。",
                      rate=(5, "处理很快。")),
    ),
    DemoCase(
        "单元楼道墙面和电表箱上贴满了开锁、贷款小广告。",
        "illegal-flyers", 12, OLD_LIU, "snapshot", 21, "16:45", photo=True, address="坑内社区12号楼",
        steps=handled(ENFORCEMENT, resolve=28, verify=30, close=31, verifier=COMMUNITY, reporter=OLD_LIU,
                      evidence="清除小广告，对张贴号码进行停机处理。", rate=(5, "楼道干净了。")),
    ),
    DemoCase(
        "东区小区门口的垃圾桶满了没人清运，周边都是垃圾袋。",
        "exposed-garbage", 5, RESIDENT, "snapshot", 48, "07:55", photo=True, address="东区小区门口",
        steps=handled(ENFORCEMENT, resolve=5, verify=6, close=7, verifier=COMMUNITY, reporter=RESIDENT,
                      evidence="已清运，增加早晚各一次清运频次。", rate=(5, "")),
    ),
    DemoCase(
        "坑内小学门口路灯灯杆锈蚀倾斜，担心台风天倒下来。",
        "street-light", 12, OLD_WANG, "snapshot", 62, "17:20", photo=True, address="坑内小学门口",
        steps=handled(MUNICIPAL, resolve=50, verify=52, close=54, verifier=COMMUNITY, reporter=OLD_WANG,
                      evidence="更换灯杆并做防腐处理。", rate=(4, "换好了，速度还可以。")),
    ),
    # -- closed, rated low, reopened and back with the unit -----------------------------
    DemoCase(
        "装修垃圾堆在8号楼下绿化带里，碎砖和水泥袋一大堆。",
        "piled-materials", 8, MRS_ZHANG, "snapshot", 12, "11:00", photo=True, address="坑内社区8号楼下",
        steps=handled(ENFORCEMENT, resolve=26, verify=28, close=29, verifier=COMMUNITY, reporter=MRS_ZHANG,
                      evidence="已责令装修户清运。", rate=(2, "只清走了一半，绿化带里还有碎砖。"))
        + (s(36, MRS_ZHANG, "reopen", reason="绿化带里还有碎砖和水泥袋，没有清干净。"),
           s(37, CENTER, "dispatch", unit=ENFORCEMENT),
           s(39, ENFORCER, "sign")),
    ),
    # -- verified, waiting to be closed -------------------------------------------------
    DemoCase(
        "小区消防栓一直在漏水，地面长青苔，冬天怕结冰。",
        "fire-hydrant", 10, RESIDENT, "snapshot", 5, "09:30", photo=True, address="坑内社区10号楼旁",
        steps=handled(WATER, resolve=30, verify=50, verifier=COMMUNITY, evidence="更换消防栓阀门密封件。"),
    ),
    DemoCase(
        "坑内路中间的道路护栏被车撞歪了，尖角朝外很危险。",
        "guardrail", 13, RIDER, "snapshot", 4, "22:15", photo=True, address="坑内路中段",
        steps=handled(MUNICIPAL, accept=10, dispatch=10.5, sign=11, resolve=30, verify=34,
                      evidence="更换撞损护栏6米。"),
    ),
    # -- resolved, waiting for the grid worker ---------------------------------------------
    DemoCase(
        "东区小区8号楼电梯这周停了三次，楼上老人上下楼很困难。",
        "lift-fault", 1, RESIDENT, "snapshot", 3, "08:40", photo=True, address="东区小区8号楼",
        steps=handled(PROPERTY, dispatcher=COMMUNITY, accept=0.5, dispatch=1, sign=1.5, resolve=20,
                      evidence="维保单位更换电梯主控板，已试运行。"),
    ),
    DemoCase(
        "台风过后行道树歪了，树枝压在电线上。",
        "street-tree", 14, OLD_WANG, "snapshot", 2, "10:20", photo=True, address="坑内路口",
        steps=handled(MUNICIPAL, resolve=8, evidence="修剪压线树枝，扶正树木并加固支撑。"),
    ),
    DemoCase(
        "巡查发现东区小区南门两盏庭院灯不亮。",
        "street-light", 1, GRID_WORKER, "patrol", 2, "19:30", address="东区小区南门",
        steps=handled(MUNICIPAL, accept=13, dispatch=13.5, sign=15, resolve=22, evidence="更换庭院灯光源。"),
    ),
    # -- sent back for rework ---------------------------------------------------------------
    DemoCase(
        "东区小区后巷又有人乱倒垃圾，堆了一小堆。",
        "exposed-garbage", 1, GRID_WORKER, "patrol", 3, "16:00", address="东区小区后巷",
        steps=handled(ENFORCEMENT, resolve=18, evidence="已清理。")
        + (s(22, GRID_WORKER, "rework", reason="现场复核：垃圾未清运干净，墙角仍有堆积，请返工。"),),
    ),
    # -- in progress -------------------------------------------------------------------------
    DemoCase(
        "【12345转办】市民反映坑内路工地夜间施工，晚上十点以后还在打桩。",
        "construction-noise", 6, CENTER, "hotline", 8, "09:00", address="坑内路在建工地",
        reporter_name="李女士", reporter_phone="13712340002",
        steps=handled(ENFORCEMENT)
        + (s(80, CENTER, "remind", note="已超期，请尽快处置并回复市民。"),
           s(100, CENTER, "supervise", note="市民再次来电，列入督办。")),
    ),
    DemoCase(
        "公交站亭顶棚破了，下雨天等车没地方躲。",
        "bus-shelter", 15, MRS_LI, "snapshot", 2, "07:30", photo=True, address="坑内站公交站亭",
        steps=handled(MUNICIPAL, accept=2, dispatch=2.5, sign=6),
    ),
    DemoCase(
        "楼下邻居养的狗天天半夜叫，还不牵绳，小孩被吓到好几次。",
        "pets", 3, MRS_ZHANG, "snapshot", 4, "20:30", address="坑内社区3号楼",
        steps=handled(MEDIATION, dispatcher=COMMUNITY, accept=14, dispatch=15, sign=17),
    ),
    # 揭榜领办: published to the board, claimed by the paired water company, signed.
    DemoCase(
        "老旧小区二次供水水箱多年没清洗，水里有黄锈，居民不敢直接喝。",
        "water-facility", 2, OLD_LIU, "snapshot", 6, "10:00", photo=True, address="坑内社区2号楼",
        steps=(s(1, COMMUNITY, "accept"), s(2, COMMUNITY, "publish", board_area=KENGNEI),
               s(20, WATERWORKS, "claim"), s(22, WATERWORKS, "sign")),
    ),
    # -- dispatched, waiting for the unit to sign ------------------------------------------------
    DemoCase(
        "巡查发现东区小区消防通道被私家车长期占用，消防车进不来。",
        "blocked-fire-lane", 1, GRID_WORKER, "patrol", 1, "10:00", address="东区小区消防通道",
        steps=handled(POLICE, sign=None),
    ),
    DemoCase(
        "早市摊贩在人行道上占道经营，行人只能走机动车道。",
        "street-vending", 11, OLD_LIU, "snapshot", 1, "07:10", photo=True, address="坑内路早市",
        steps=handled(ENFORCEMENT, accept=1, dispatch=1.5, sign=None),
    ),
    DemoCase(
        "【12345转办】市民反映广场舞音响音量太大，晚上九点半后还在放。",
        "noise", 13, CENTER, "hotline", 1, "09:30", address="坑内社区文化广场",
        reporter_name="黄先生", reporter_phone="13712340003",
        steps=handled(POLICE, sign=None),
    ),
    DemoCase(
        "希望社区长者食堂能给行动不便的老人送餐上门。",
        "meal-help", 5, OLD_WANG, "snapshot", 2, "11:30", address="坑内社区长者食堂",
        steps=handled(ELDERLY_TEAM, dispatcher=COMMUNITY, sign=None),
    ),
    # -- returned by the unit: wrongly dispatched ----------------------------------------------
    DemoCase(
        "小区变压器箱门敞开着，里面的线都露出来了，小孩经常在旁边玩。",
        "power-facility", 9, MRS_LI, "snapshot", 2, "15:00", photo=True, address="坑内社区9号楼旁",
        steps=(s(0.5, CENTER, "accept"), s(1, CENTER, "dispatch", unit=MUNICIPAL),
               s(3, MUNICIPAL_HANDLER, "return", reason="变压器属供电公司资产，不属本局职责，请改派国网厦门供电公司。")),
    ),
    # -- escalated: the street cannot handle it alone, the city coordinates (三级联动) ----------------
    DemoCase(
        "坑内路上出现一个塌陷坑，越来越大，下面好像是空的。",
        "road-collapse", 7, RIDER, "snapshot", 1, "13:00", photo=True, address="坑内路与湖滨南路交叉口",
        steps=(s(0.3, CENTER, "accept"),
               s(1, CENTER, "escalate", reason="塌陷范围扩大，涉及燃气、供水管网，街道无力单独处置，提请市指挥中心协调多部门会商。")),
    ),
    # -- accepted, waiting for dispatch -------------------------------------------------------
    DemoCase(
        "小区围墙边积存了大量建筑渣土，下雨就流到路上。",
        "accumulated-waste", 10, MRS_LI, "snapshot", 0.3, "08:00", photo=True, address="坑内社区围墙边",
        steps=(s(1, CENTER, "accept"),),
    ),
    # 揭榜领办: two “关键小事” waiting on the claim board.
    DemoCase(
        "城中村片区还没通天然气，老人用液化气罐做饭不安全，希望敷设燃气管网。",
        "gas-facility", 15, OLD_WANG, "snapshot", 10, "09:00", address="坑内社区城中村片区",
        steps=(s(2, COMMUNITY, "accept"), s(3, COMMUNITY, "publish", board_area=KENGNEI)),
    ),
    DemoCase(
        "小区缺少电动自行车集中充电桩，居民只能从楼上拉线充电。",
        "ev-charging", 4, RESIDENT, "snapshot", 7, "20:00", photo=True, address="坑内社区4号楼",
        steps=(s(13, COMMUNITY, "accept"), s(14, COMMUNITY, "publish", board_area=KENGNEI)),
    ),
    # -- rejected ---------------------------------------------------------------------------
    DemoCase(
        "对面商铺转租，房东一直不退押金，请社区帮忙要回来。",
        "other", 12, OLD_LIU, "snapshot", 6, "18:00", address="坑内路商铺",
        steps=(s(15, CENTER, "reject",
                 reason="属于民商事合同纠纷，不属于受理范围；已告知可到社区法律服务室申请法律援助。"),),
    ),
    # -- just reported ---------------------------------------------------------------------------
    DemoCase(
        "绿化带被抄近路的人踩出一条土路，黄土裸露，一刮风就起灰。",
        "green-space", 2, RESIDENT, "snapshot", 0.1, "07:45", photo=True, address="坑内社区2号楼旁绿地",
    ),
    DemoCase(
        "【12345转办】市民反映坑内路32号附近下水道返臭，夏天尤其严重。",
        "sewer", 5, CENTER, "hotline", 0.05, "09:10", address="坑内路32号",
        reporter_name="吴女士", reporter_phone="13712340004",
    ),
    DemoCase(
        "巡查发现东区小区6号楼楼道堆放纸箱杂物，堵住了半个楼梯。",
        "stairwell-clutter", 1, GRID_WORKER, "patrol", 0.02, "08:30", address="东区小区6号楼",
    ),
    # Outside every grid: stays reported, flagged unlocated, for the street to place by hand.
    DemoCase(
        "送餐路过湖滨四社区公园东门，人行道上井盖缺失，用一个锥桶挡着。",
        "manhole-cover", None, RIDER, "snapshot", 0.04, "12:30", photo=True, address="湖滨四社区公园东门",
    ),
]


# -- helpers ---------------------------------------------------------------------------------


def _jitter(text):
    """A small stable offset (±~20 m) so cases of one grid do not stack on its centroid."""
    digest = hashlib.sha256(text.encode()).digest()
    return (digest[0] - 128) / 128 * 0.0002, (digest[1] - 128) / 128 * 0.0002


class CaseLoader:
    def __init__(self, loader):
        self.loader = loader
        self.created = loader.result.created
        self.areas = loader.areas
        self.orgs = loader.orgs
        self.categories = {}
        self.people = {}
        self.photos = {"report": demo_photo("report.jpg", (150, 90, 60)),
                       "after": demo_photo("after.jpg", (90, 150, 90)),
                       "site": demo_photo("site.jpg", (90, 130, 170))}

    # -- configuration -----------------------------------------------------------------------
    def category(self, spec, parent, kind):
        node = Category.objects.filter(code=spec["code"]).first()
        if node is None:
            fields = dict(
                code=spec["code"], name=spec["name"], kind=kind,
                accept_hours=spec["accept_hours"], resolve_days=spec["resolve_days"],
                default_priority=spec["priority"],
            )
            # Categories are configuration (the admin edits them); there is no workflow action.
            if parent is None:
                node = Category.objects.add_root(create_kwargs=fields)
            else:
                node = Category.objects.add_child(parent, create_kwargs=fields)
            self.created["case categories"] += 1
        self.categories[spec["code"]] = node
        for child in spec["children"]:
            self.category(child, node, kind)

    def category_tree(self):
        for root in CATEGORY_TREE:
            self.category(root, None, kind=root["code"])  # "component" | "event", down the whole tree
        return self.categories

    def organizations(self):
        for name, kind, area, parent, sectors in ORGANIZATIONS:
            org = Organization.objects.filter(name=name, kind=kind).first()
            if org is None:
                parent = self.org(parent) if parent else None
                org = check_create_organization(self.loader.actor, parent=parent, name=name, kind=kind,
                                                area=self.areas[area], new_sectors=sectors)
                self.created["organizations"] += 1
            self.orgs[name] = org

    def org(self, name):
        if name not in self.orgs:
            self.orgs[name] = Organization.objects.get(name=name)
        return self.orgs[name]

    def routing(self):
        for area_code, category_code, unit in ROUTING_RULES:
            area, category = self.areas[area_code], self.categories[category_code]
            if not RoutingRule.objects.filter(area=area, category=category).exists():
                do_set_routing_rule(area=area, category=category, unit=self.org(unit))
                self.created["routing rules"] += 1

    def accounts(self):
        for phone, name, role, node_kind, node in PEOPLE:
            resident = role == "resident"
            user = self.loader.user(phone, name, None if resident else self.loader.password)
            area = self.areas[node] if node_kind == "area" else None
            organization = self.org(node) if node_kind == "org" else None
            if not RoleAssignment.objects.filter(user=user, role=role, area=area, organization=organization).exists():
                check_assign_role(self.loader.actor, user, role, area=area, organization=organization)
                self.created["roles"] += 1
            target = area.full_name() if area else organization.name
            self.loader.result.accounts.append(
                (phone, "(one-time code)" if resident else self.loader.password, role, target)
            )

    def person(self, phone):
        if phone not in self.people:
            self.people[phone] = User.objects.get(phone=phone)
        return self.people[phone]

    # -- cases -------------------------------------------------------------------------------
    def point(self, spec):
        if spec.grid is None:
            return OUTSIDE_GRIDS
        grid = self.areas[f"{KENGNEI}{spec.grid:03d}"]
        dlat, dlng = _jitter(spec.text)
        lat, lng = grid.centroid_lat + dlat, grid.centroid_lng + dlng
        from linli.places.locate import locate_id

        if locate_id(lat, lng) != grid.pk:  # the offset left the grid: use its centroid
            lat, lng = grid.centroid_lat, grid.centroid_lng
        return lat, lng

    def reported_at(self, spec, today):
        hour, minute = map(int, spec.at.split(":"))
        day = today - timedelta(days=int(spec.days_ago))
        moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        now = timezone.now()
        if spec.days_ago < 1:  # reported today, so many hours ago
            moment = now - timedelta(days=spec.days_ago)
        last = moment + timedelta(hours=max((step.hours for step in spec.steps), default=0))
        if last >= now:  # never in the future: slide the whole story back
            moment -= last - now + timedelta(minutes=5)
        return moment

    def params(self, step):
        params = dict(step.params)
        if "unit" in params:
            params["unit"] = self.org(params["unit"])
        if params.get("photos") in ("after", "site"):  # the fix's evidence, the on-site check's photo
            params["photos"] = [demo_upload(self.photos[params["photos"]])]
        return params

    def case(self, spec, moment):
        from . import actions

        lat, lng = self.point(spec)
        with at_moment(moment):
            case = actions.check_report(
                self.person(spec.reporter),
                category=self.categories[spec.category],
                description=spec.text,
                channel=spec.channel,
                lat=lat,
                lng=lng,
                address=spec.address,
                photos=[demo_upload(self.photos["report"])] if spec.photo else (),
                reporter_name=spec.reporter_name,
                reporter_phone=spec.reporter_phone,
            )
        for step in spec.steps:
            with at_moment(moment + timedelta(hours=step.hours)):
                case = actions.perform(self.person(step.actor), Case.objects.get(pk=case.pk), step.action,
                                       **self.params(step))
        self.created["cases"] += 1

    def cases(self):
        """File the missing cases oldest first (so their numbers follow the calendar), then
        let the SLA sweep mark what is overdue or due soon now, as the running system would;
        escalation by policy is left to the system's own sweep."""
        from django.test.utils import override_settings

        from . import sla

        today = timezone.localdate()
        existing = set(Case.objects.filter(description__in=[spec.text for spec in CASES]).values_list(
            "description", flat=True))
        missing = sorted((self.reported_at(spec, today), n, spec) for n, spec in enumerate(CASES)
                         if spec.text not in existing)
        for moment, _n, spec in missing:
            with transaction.atomic():
                self.case(spec, moment)
        if missing:
            with override_settings(CASES_AUTO_ESCALATE_DAYS=-1):
                sla.sweep()
            _quiet_sms_until_commit(self.loader)

    def load(self):
        self.category_tree()
        self.organizations()
        self.routing()
        self.accounts()
        self.cases()


def _quiet_sms_until_commit(loader):
    """The relay runs after load_demo commits and would text every handler about work
    orders dated weeks ago (the development SMS backend writes each to the log): keep the
    "linli.sms" log quiet until load_demo's transaction has ended, committed (after the relay)
    or rolled back (a test's demo: the level must not stay changed for the next tests)."""
    import logging

    sms_log = logging.getLogger("linli.sms")
    level = sms_log.level
    sms_log.setLevel(logging.WARNING)
    loader.when_done.append(lambda: sms_log.setLevel(level))


def load_cases(loader):
    """Called by linli.site.demo.load_demo inside its transaction, after the people."""
    CaseLoader(loader).load()


def demo_statuses():
    """Status → how many demo cases end there (for tests and docs)."""
    return {status: sum(1 for spec in CASES if final_status(spec) == status) for status in CaseStatus.values}


def final_status(spec):
    """Where a demo case's script ends, following the transition table."""
    from .choices import TRANSITIONS

    status = CaseStatus.REPORTED
    for step in spec.steps:
        target = TRANSITIONS[step.action].target
        if target is not None:
            status = target
    return status
