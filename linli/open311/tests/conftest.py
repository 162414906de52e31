"""Fixtures of the Open311 tests, on top of `tree`, `personas`, `categories` (root conftest)."""

import pytest

from linli.open311 import actions
from linli.open311.models import ServiceAttribute


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    # The rate counters live in the cache, which outlives a test's database transaction.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(personas):
    """A key of 市政园林局 (personas.department): (ApiKey, raw key)."""
    return actions.do_create_api_key(personas.department, "巡检平台", rate_per_minute=100)


@pytest.fixture
def held_key(personas):
    """A key whose requests wait for screening."""
    return actions.do_create_api_key(personas.federation, "妇联小程序", rate_per_minute=100, hold_for_screening=True)


def attribute(category, code, datatype, description, order, required=False, values=(), **fields):
    return actions.check_save_service_attribute(ServiceAttribute(
        category=category, code=code, datatype=datatype, description=description, order=order, required=required,
        values=[{"key": key, "name": name} for key, name in values], **fields,
    ))


@pytest.fixture
def questions(categories):
    """The manhole (井盖) service asks six questions, two of them required."""
    manhole = categories.manhole
    return [
        attribute(manhole, "cover_state", "singlevaluelist", "井盖状态", 1, required=True,
                  values=[("missing", "缺失"), ("loose", "松动"), ("broken", "破损")]),
        attribute(manhole, "hazards", "multivaluelist", "周边隐患", 2,
                  values=[("traffic", "车流大"), ("school", "学校附近"), ("night", "夜间无照明")]),
        attribute(manhole, "depth_cm", "number", "井深（厘米）", 3, required=True,
                  datatype_description="整数或小数"),
        attribute(manhole, "seen_at", "datetime", "发现时间", 4),
        attribute(manhole, "plate", "string", "井盖编号", 5),
        attribute(manhole, "details", "text", "补充说明", 6),
        attribute(manhole, "notice", "string", "紧急情况请拨打 12345", 7, variable=False),
    ]


@pytest.fixture
def form(api_key, questions):
    """A valid form for the manhole service at A1 (first_name/last_name/phone/email etc. included)."""
    def make(**overrides):
        data = {
            "api_key": api_key[1],
            "service_code": "manhole",
            "lat": "24.471",
            "long": "118.101",
            "attribute[cover_state]": "loose",
            "attribute[hazards][]": ["traffic", "night"],
            "attribute[depth_cm]": "80",
            "description": "仙岳路12号门口井盖松动，车一压就响",
            "first_name": "小明",
            "last_name": "王",
            "phone": "13912345678",
            "email": "wang@example.org",
            "device_id": "device-42",
            "account_id": "acct-7",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return make
