from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    TENDER = "tender", _("公开招标")
    CUOSHANG = "cuoshang", _("竞争性磋商")
    BIXUAN = "bixuan", _("比选")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ANNOUNCED = "announced", _("公告中")
    OPENED = "opened", _("已开标")
    EVALUATING = "evaluating", _("评审中")
    EVALUATED = "evaluated", _("评审完成")
    AWARDED = "awarded", _("已定标")
    FINAL = "final", _("结果生效")
    FAILED = "failed", _("废标")
    TERMINATED = "terminated", _("终止")


FINISHED_STATUSES = (
    ProjectStatus.FINAL,
    ProjectStatus.FAILED,
    ProjectStatus.TERMINATED,
)
# Until the opening service has run, no bid content exists in plain text anywhere.
SEALED_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.ANNOUNCED)


class LotStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    FAILED = "failed", _("废标")
    AWARDED = "awarded", _("已定标")
    FINAL = "final", _("结果生效")


class ScoringMethod(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合评分法")
    LOWEST_PRICE = "lowest_price", _("最低评标价法")


class CriterionKind(models.TextChoices):
    SUBJECTIVE = "subjective", _("主观分")
    OBJECTIVE = "objective", _("客观分")


class NoticeKind(models.TextChoices):
    INTENTION = "intention", _("采购意向")
    TENDER = "tender", _("招标公告")
    CUOSHANG = "cuoshang", _("磋商公告")
    BIXUAN = "bixuan", _("比选公告")
    CORRECTION = "correction", _("更正公告")
    AWARD = "award", _("中标（成交）结果公告")
    FAILURE = "failure", _("废标公告")
    TERMINATION = "termination", _("终止公告")


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已递交")
    WITHDRAWN = "withdrawn", _("已撤回")
    REPLACED = "replaced", _("已被替换")
    OPENED = "opened", _("已开启")
    QUALIFIED = "qualified", _("资格审查通过")
    DISQUALIFIED = "disqualified", _("资格审查未通过")


LIVE_BID_STATUSES = (
    BidStatus.SUBMITTED,
    BidStatus.OPENED,
    BidStatus.QUALIFIED,
    BidStatus.DISQUALIFIED,
)


class BondForm(models.TextChoices):
    NONE = "none", _("未提交")
    GUARANTEE = "guarantee", _("银行保函")
    CHEQUE = "cheque", _("支票")
    DRAFT = "draft", _("汇票")
    PROMISSORY = "promissory", _("本票")
    INSURANCE = "insurance", _("保证保险")


class MemberRole(models.TextChoices):
    EXPERT = "expert", _("评审专家")
    BUYER = "buyer", _("采购人代表")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在任")
    REPLACED = "replaced", _("已回避并替换")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class AwardStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已确定中标人")
    FINAL = "final", _("结果生效")
    CANCELLED = "cancelled", _("已撤销")


class ChallengeStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class BudgetSource(models.TextChoices):
    FISCAL = "fiscal", _("财政预算资金")
    PUBLIC_FUND = "public_fund", _("社区公共服务资金")
    LOTTERY = "lottery", _("彩票公益金")
    OTHER = "other", _("其他资金")
