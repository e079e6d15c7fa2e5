from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年度")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("执行中")
    CLOSED = "closed", _("已结束")


class Scale(models.TextChoices):
    POINTS = "points", _("分值")
    LEVELS = "levels", _("等级")
    YES_NO = "yes_no", _("是/否")


class RaterKind(models.TextChoices):
    DEPARTMENT = "department", _("街道科室")
    COMMUNITY = "community", _("社区")
    RESIDENT = "resident", _("居民")
    RESIDENT_UNIT = "resident_unit", _("驻区单位")
    EXPERT_PANEL = "expert_panel", _("专家评审组")


class MissingGroupRule(models.TextChoices):
    REWEIGHT = "reweight", _("按其余评价主体重新计算权重")
    FAIL = "fail", _("本轮考核不成立")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("评分中")
    SCORED = "scored", _("已计分")
    CLOSED = "closed", _("已结束")


class CardSource(models.TextChoices):
    ONLINE = "online", _("网上填写")
    PAPER = "paper", _("纸质问卷录入")
    RESIDENT_TOKEN = "resident_token", _("居民扫码")


class CardStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class ConsequenceKind(models.TextChoices):
    RECTIFICATION = "rectification", _("整改通知")
    ELIMINATION_PROPOSAL = "elimination_proposal", _("淘汰建议")


class ConsequenceStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤销")


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLICITY = "publicity", _("公示中")
    PUBLISHED = "published", _("已发布")


class EntryStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟定")
    OBJECTED = "objected", _("有异议")
    DECIDED = "decided", _("已决定")
    APPEALED = "appealed", _("申诉中")


class ObjectionKind(models.TextChoices):
    OBJECTION = "objection", _("公示期异议")
    APPEAL = "appeal", _("决定后申诉")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("成立")
    REJECTED = "rejected", _("不成立")


class Ending(models.TextChoices):
    TERMINATE = "terminate", _("提前终止合同")
    EXPIRE = "expire", _("合同到期后不再续签")


class PanelRole(models.TextChoices):
    EXPERT = "expert", _("评审专家")
    PEER = "peer", _("同行评议人")
