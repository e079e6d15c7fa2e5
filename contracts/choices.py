from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    VENDOR_SIGNED = "vendor_signed", _("承接方已签")
    ACTIVE = "active", _("履行中")
    COMPLETED = "completed", _("履行完毕")
    TERMINATED = "terminated", _("已终止")


OPEN_STATUSES = (
    ContractStatus.DRAFT,
    ContractStatus.VENDOR_SIGNED,
    ContractStatus.ACTIVE,
)
SIGNED_STATUSES = (
    ContractStatus.ACTIVE,
    ContractStatus.COMPLETED,
    ContractStatus.TERMINATED,
)


class TerminationKind(models.TextChoices):
    BREACH = "breach", _("违约解除")
    ELIMINATION = "elimination", _("准入名单淘汰")
    MUTUAL = "mutual", _("协商一致解除")


class TrancheKind(models.TextChoices):
    ADVANCE = "advance", _("首付款")
    MIDTERM = "midterm", _("中期款")
    FINAL = "final", _("尾款")
    OTHER = "other", _("其他")


class TrancheStatus(models.TextChoices):
    PENDING = "pending", _("未满足条件")
    REQUESTED = "requested", _("已申请")
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已支付")
    CANCELLED = "cancelled", _("已取消")


OPEN_TRANCHE_STATUSES = (
    TrancheStatus.PENDING,
    TrancheStatus.REQUESTED,
    TrancheStatus.APPROVED,
)


class Grade(models.TextChoices):
    """Performance grades (PE-03). The order matters: higher rank is better."""

    EXCELLENT = "excellent", _("优")
    GOOD = "good", _("良")
    FAIR = "fair", _("中")
    POOR = "poor", _("差")


GRADE_RANK = {Grade.POOR: 0, Grade.FAIR: 1, Grade.GOOD: 2, Grade.EXCELLENT: 3}


class ChangeKind(models.TextChoices):
    ADDITION = "addition", _("追加同一标的（补充协议）")
    VARIATION = "variation", _("内容变更")
    REDUCTION = "reduction", _("核减")


class ChangeReason(models.TextChoices):
    """Rationale codes of a change (变更事由)."""

    DEMAND_GROWTH = "demand_growth", _("服务需求增加")
    SCOPE_ADJUST = "scope_adjust", _("服务范围调整")
    POLICY = "policy", _("政策调整")
    COMMUNITY_CHANGE = "community_change", _("社区区划调整")
    PRICE = "price", _("价格调整")
    OTHER = "other", _("其他")


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("待对方确认")
    EFFECTIVE = "effective", _("已生效")
    REJECTED = "rejected", _("对方不同意")
    WITHDRAWN = "withdrawn", _("已撤回")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")
    WITHDRAWN = "withdrawn", _("已撤回")


class DeliveryStatus(models.TextChoices):
    REPORTED = "reported", _("待社区签收")
    CONFIRMED = "confirmed", _("社区已签收")
    DISPUTED = "disputed", _("社区有异议")
    WITHDRAWN = "withdrawn", _("已撤回")


class EvidenceKind(models.TextChoices):
    SIGN_IN = "sign_in", _("签到表")
    PHOTO = "photo", _("照片")
    FILE = "file", _("其他文件")


class ExtraWorkSide(models.TextChoices):
    DEPARTMENT = "department", _("街道科室")
    COMMUNITY = "community", _("社区")
    VENDOR = "vendor", _("承接组织")


class ExtraWorkStatus(models.TextChoices):
    RECORDED = "recorded", _("待确认")
    APPROVED = "approved", _("已确认")
    DISPUTED = "disputed", _("承接组织有异议")
    REFUSED = "refused", _("不予认定")


class AcceptanceStatus(models.TextChoices):
    DRAFT = "draft", _("验收中")
    PASSED = "passed", _("验收合格")
    FAILED = "failed", _("验收不合格")


class StandardResult(models.TextChoices):
    MET = "met", _("达到")
    PARTLY = "partly", _("部分达到")
    NOT_MET = "not_met", _("未达到")


class OpinionSource(models.TextChoices):
    RESIDENT = "resident", _("服务对象（居民）")
    RESIDENT_UNIT = "resident_unit", _("驻区单位")
    THIRD_PARTY = "third_party", _("第三方机构")
    OTHER_BIDDER = "other_bidder", _("其他投标人")
