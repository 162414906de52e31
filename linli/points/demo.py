"""Demo points shop for `manage.py load_demo`: 坑内社区's rewards (积分超市) and a few redemptions.

From 界镇社区 in ../shared/seeds/: volunteers' points “可兑换一定时长的免费家政服务”, given by
the community's housekeeping social enterprise (“暖馨”家政, grown out of the 至诚至洁 team:
以服务养服务). The points themselves were earned by the volunteering and service-order demos
(approved hours post them through `points.actions.do_post`); this module only spends them.

Every write goes through the actions: `check_save_reward` by the community staff, `check_redeem`
by the volunteers, `check_fulfil` at the counter, `check_cancel`, each with `timezone.now`
frozen at its moment (linli.core.moments.at_moment). Idempotent: the enterprise by name and kind, a
reward by community and name, a redemption by person and reward.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from linli.accounts.models import User
from linli.core.moments import at_moment
from linli.orgs.actions import check_create_organization
from linli.orgs.models import Organization

from . import actions
from .models import Redemption, Reward

KENGNEI = "350203001001"
COMMUNITY = "13800000005"  # 郑美玲, community staff (head): stocks the shop, hands rewards over
HOUSEKEEPING_ENTERPRISE = "暖馨家政服务社"

# Like every enterprise of the demo, the social enterprise has its own women's federation.
ORGANIZATIONS = [
    (HOUSEKEEPING_ENTERPRISE, "enterprise", None, ["new_business_form"]),
    (f"{HOUSEKEEPING_ENTERPRISE}妇联", "womens_federation", HOUSEKEEPING_ENTERPRISE, []),
]

FREE_HOUSEKEEPING = "1 小时免费家政服务"
HAIRCUT = "社区理发券"
# (name, provider or None, kind, cost, stock, per-person limit, description)
REWARDS = [
    (FREE_HOUSEKEEPING, HOUSEKEEPING_ENTERPRISE, "service", 50, 20, 2,
     "由社区家政社会企业“暖馨家政”上门服务 1 小时，凭兑换码电话预约。以“服务”带“服务”。"),
    ("3 小时深度保洁", HOUSEKEEPING_ENTERPRISE, "service", 140, 5, 1,
     "“暖馨家政”上门深度保洁 3 小时（厨房或卫生间），凭兑换码预约。"),
    (HAIRCUT, None, "service", 15, 30, 2, "党群服务中心理发室，凭兑换码使用。"),
    ("环保购物袋", None, "goods", 10, 100, None, "社区党群服务中心领取。"),
    ("洗衣液 2 kg", None, "goods", 40, 20, 1, "社区党群服务中心领取。"),
    ("“晒红星”志愿者纪念徽章", None, "goods", 30, 50, 1, "红色积分榜上榜志愿者纪念徽章。"),
]

# (phone, reward, days ago, clock time, what happens next: "" | "fulfil" | "cancel")
REDEMPTIONS = [
    ("13800000051", FREE_HOUSEKEEPING, 3, "10:20", "fulfil"),  # 黄秀兰, the volunteer account
    ("13800000051", HAIRCUT, 1, "09:05", ""),
    ("13800000052", "环保购物袋", 2, "15:40", ""),  # 林美珍
    ("13800000053", HAIRCUT, 2, "08:30", ""),  # 王秀梅
    ("13800000057", "洗衣液 2 kg", 3, "17:10", "cancel"),  # 许淑华: changed her mind
]


class PointsLoader:
    def __init__(self, loader):
        self.loader = loader
        self.created = loader.result.created
        self.areas = loader.areas
        self.orgs = loader.orgs
        self.rewards = {}
        self.today = timezone.localdate()

    def person(self, phone):
        return User.objects.get(phone=phone)  # fresh: scopes are cached on the user object

    def local(self, days_ago, clock):
        hour, minute = map(int, clock.split(":"))
        return timezone.make_aware(datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute)))

    def organizations(self):
        for name, kind, parent, sectors in ORGANIZATIONS:
            org = Organization.objects.filter(name=name, kind=kind).first()
            if org is None:
                org = check_create_organization(self.loader.actor, parent=self.orgs[parent] if parent else None,
                                                name=name, kind=kind, area=self.areas[KENGNEI], new_sectors=sectors)
                self.created["organizations"] += 1
            self.orgs[name] = org

    def shop(self):
        community = self.areas[KENGNEI]
        for name, provider, kind, cost, stock, limit, description in REWARDS:
            reward = Reward.objects.filter(community=community, name=name).first()
            if reward is None:
                with at_moment(timezone.now() - timedelta(days=40)):
                    reward = actions.check_save_reward(self.person(COMMUNITY), {
                        "community": community, "provider": self.orgs[provider] if provider else None,
                        "name": name, "description": description, "kind": kind, "cost": cost, "stock": stock,
                        "per_person_limit": limit, "available_from": None, "available_until": None, "active": True,
                    })
                self.created["rewards"] += 1
            self.rewards[name] = reward

    def redemptions(self):
        for phone, name, days_ago, clock, then in REDEMPTIONS:
            user, reward = self.person(phone), self.rewards[name]
            if Redemption.objects.filter(user=user, reward=reward).exists():
                continue
            moment = self.local(days_ago, clock)
            with at_moment(moment):
                redemption = actions.check_redeem(user, reward.pk)
            if then == "fulfil":
                with at_moment(moment + timedelta(days=1, hours=5)):
                    actions.check_fulfil(self.person(COMMUNITY), redemption.code)
            elif then == "cancel":
                with at_moment(moment + timedelta(hours=2)):
                    actions.check_cancel(user, redemption.pk)
            self.created["redemptions"] += 1

    def load(self):
        self.organizations()
        self.shop()
        self.redemptions()


def load_points(loader):
    """Called by linli.site.demo.load_demo inside its transaction, last: it spends points the
    volunteering and service-order demos posted."""
    PointsLoader(loader).load()
