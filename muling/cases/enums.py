"""Statuses, actions, levels and channels of the closed loop (闭环)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    DISPATCHED = "dispatched", _("已派遣")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已结案")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.SUBMITTED, Status.DISPATCHED, Status.IN_PROGRESS)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)


class Action(models.TextChoices):
    DISPATCH = "dispatch", _("派遣")
    ACCEPT = "accept", _("受理")
    NOTE = "note", _("备注")
    RESOLVE = "resolve", _("办结")
    CONFIRM = "confirm", _("确认评价")
    REOPEN = "reopen", _("返工")
    CLOSE_UNRATED = "close_unrated", _("超期未评价结案")
    REJECT = "reject", _("不予受理")
    MERGE = "merge", _("合并")
    ESCALATE = "escalate", _("升级")
    REASSIGN = "reassign", _("改派")
    TAKE_OVER = "take_over", _("书记领办")
    URGE = "urge", _("催办")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    DECIDE_EXTENSION = "decide_extension", _("审批延期")
    SUMMON = "summon", _("吹哨")
    ANSWER_SUMMONS = "answer_summons", _("报到答复")
    CALLBACK = "callback", _("回访")
    ME_TOO = "me_too", _("附议")


class EventKind(models.TextChoices):
    CREATED = "created", _("提交")
    DISPATCHED = "dispatched", _("派遣")
    ACCEPTED = "accepted", _("受理")
    NOTE = "note", _("备注")
    RESOLVED = "resolved", _("办结")
    RATED = "rated", _("评价")
    REOPENED = "reopened", _("返工")
    CLOSED = "closed", _("结案")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("合并")
    ESCALATED = "escalated", _("升级")
    REASSIGNED = "reassigned", _("改派")
    TAKEN_OVER = "taken_over", _("书记领办")
    URGED = "urged", _("催办")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REFUSED = "extension_refused", _("驳回延期")
    SUMMONED = "summoned", _("吹哨")
    SUMMONS_ANSWERED = "summons_answered", _("报到答复")
    CALLBACK = "callback", _("回访")
    ME_TOO = "me_too", _("附议")


class Level(models.IntegerChoices):
    """The secretary ladder (书记直通车): where a case is being handled."""

    GRID = 1, _("网格（小区党支部）")
    COMMUNITY = 2, _("社区党委")
    STREET = 3, _("街道党工委")
    COUNTY = 4, _("县级党委")


class Channel(models.TextChoices):
    WEB = "web", _("网上提交")
    SERVICE_CARD = "service_card", _("服务卡扫码")
    PATROL = "patrol", _("网格巡查")
    VISIT = "visit", _("入户走访")
    MEETING = "meeting", _("议事会")
    HOTLINE = "hotline", _("12345热线")
    WALK_IN = "walk_in", _("来访")
    OPEN311 = "open311", _("Open311")
    API = "api", _("接口")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class HandlerKind(models.TextChoices):
    GRID = "grid", _("网格")
    FUNCTIONAL = "functional", _("职能部门")
    UTILITY = "utility", _("公用事业单位")
    PROPERTY = "property", _("物业企业")
