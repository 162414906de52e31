from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    READING = "reading", _("Reading the file")
    MAPPING = "mapping", _("Columns to map")
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


# Why a file could not be read, as stored in ImportJob.message (see ImportJob.problem).
UNREADABLE, NO_ROWS = "unreadable_file", "no_rows"


@dataclass(frozen=True)
class Field:
    key: str
    label: object
    guesses: tuple[str, ...]  # header texts hotline centers use for it, most common first
    required: bool = False


# What a column can be mapped to. Guessing compares headers without spaces, exactly first,
# then by containment of a guess in the header.
FIELDS = (
    Field("external_number", _("Work order number"), ("工单编号", "工单号", "受理编号", "编号", "单号"), True),
    Field("received_at", _("Received at"), ("来电时间", "受理时间", "登记时间", "来电日期", "派单时间")),
    Field("caller_name", _("Caller name"), ("诉求人", "来电人", "联系人", "姓名", "市民姓名")),
    Field("phone", _("Phone"), ("联系电话", "来电号码", "电话", "手机号码", "联系方式")),
    Field("description", _("Description"), ("诉求内容", "来电内容", "问题描述", "内容", "诉求描述"), True),
    Field("address", _("Address"), ("诉求地址", "事发地址", "地址", "事发地点", "发生地址"), True),
    Field("category", _("Type"), ("诉求类型", "问题类型", "诉求分类", "业务类型", "类型", "分类")),
    Field("due_at", _("Due date"), ("办理时限", "办结时限", "处理时限", "截止时间", "时限")),
    Field("lng", _("Longitude"), ("经度", "lng", "lon", "longitude")),
    Field("lat", _("Latitude"), ("纬度", "lat", "latitude")),
)
FIELD_KEYS = tuple(field.key for field in FIELDS)
REQUIRED_FIELDS = tuple(field.key for field in FIELDS if field.required)

# The result columns written back on export (headers in Chinese whatever the page language:
# the file goes back to the hotline center). Filled in place when the source file has
# them, appended after its columns when it has not.
RESULT_COLUMNS = ("办理结果", "办结时间", "回访满意度", "办理状态")

# Case rating (1..5 stars) → the hotline center's satisfaction wording.
SATISFACTION = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

COORD_SYSTEMS = (("wgs84", "WGS-84"), ("gcj02", _("GCJ-02 (Chinese map apps)")))
