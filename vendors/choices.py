from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("社会团体")
    SOCIAL_SERVICE_AGENCY = "social_service_agency", _("社会服务机构（民办非企业单位）")
    FOUNDATION = "foundation", _("基金会")
    COMMUNITY_FILED = "community_filed", _("备案类社区社会组织")
    ENTERPRISE = "enterprise", _("企业")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    INDIVIDUAL = "individual", _("自然人")


# Types registered with civil affairs; their registries (CR-08) are checked too.
SOCIAL_ORG_TYPES = {
    OrgType.SOCIAL_GROUP,
    OrgType.SOCIAL_SERVICE_AGENCY,
    OrgType.FOUNDATION,
}
# Types that need a unified social credit code.
REGISTERED_TYPES = SOCIAL_ORG_TYPES | {OrgType.ENTERPRISE, OrgType.PUBLIC_INSTITUTION}


class Grade(models.TextChoices):
    A5 = "5A", "5A"
    A4 = "4A", "4A"
    A3 = "3A", "3A"
    A2 = "2A", "2A"
    A1 = "1A", "1A"


class VendorStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    SUSPENDED = "suspended", _("暂停")
    WITHDRAWN = "withdrawn", _("已退出")


class ReportResult(models.TextChoices):
    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")
    NOT_SUBMITTED = "not_submitted", _("未参检")


class CreditList(models.TextChoices):
    DISHONEST_EXECUTED = "dishonest_executed", _("失信被执行人")
    TAX_VIOLATION = "tax_violation", _("重大税收违法失信主体")
    PROCUREMENT_BLACKLIST = (
        "procurement_blacklist",
        _("政府采购严重违法失信行为记录名单"),
    )
    SOCIAL_ORG_ABNORMAL = "social_org_abnormal", _("社会组织活动异常名录")
    SOCIAL_ORG_SERIOUS = "social_org_serious", _("社会组织严重违法失信名单")


# CR-01 applies to every supplier; CR-08 to social organisations.
CR01_LISTS = (
    CreditList.DISHONEST_EXECUTED,
    CreditList.TAX_VIOLATION,
    CreditList.PROCUREMENT_BLACKLIST,
)
CR08_LISTS = (CreditList.SOCIAL_ORG_ABNORMAL, CreditList.SOCIAL_ORG_SERIOUS)


class CreditResult(models.TextChoices):
    CLEAR = "clear", _("未列入")
    LISTED = "listed", _("已列入")


class DocumentKind(models.TextChoices):
    REGISTRATION_CERTIFICATE = "registration_certificate", _("登记证书")
    CHARTER = "charter", _("章程")
    FINANCIAL_AUDIT = "financial_audit", _("年度财务审计报告")
    TAX_CLEARANCE = "tax_clearance", _("完税证明")
    SOCIAL_INSURANCE = "social_insurance", _("社保缴纳证明")
    NO_VIOLATION_STATEMENT = "no_violation_statement", _("近三年无重大违法记录声明")
    RATING_CERTIFICATE = "rating_certificate", _("评估等级证书")
    OTHER = "other", _("其他")


class PersonRole(models.TextChoices):
    FOUNDER = "founder", _("发起人")
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    DIRECTOR = "director", _("理事")
    SUPERVISOR = "supervisor", _("监事")
    KEY_STAFF = "key_staff", _("主要工作人员")


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class ApplicationStatus(models.TextChoices):
    """The six steps 申请 → 评估 → 入驻 → 孵化 → 出壳 → 跟踪, and how an application ends."""

    APPLIED = "applied", _("申请")
    ADMITTED = "admitted", _("评估通过")
    MOVED_IN = "moved_in", _("入驻")
    INCUBATING = "incubating", _("孵化")
    GRADUATED = "graduated", _("出壳")
    TRACKING = "tracking", _("跟踪")
    CLOSED = "closed", _("跟踪结束")
    REJECTED = "rejected", _("评估未通过")
    EXITED = "exited", _("强制退出")


# The board's columns, in order.
PIPELINE_STEPS = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.ADMITTED,
    ApplicationStatus.MOVED_IN,
    ApplicationStatus.INCUBATING,
    ApplicationStatus.GRADUATED,
    ApplicationStatus.TRACKING,
)
FINAL_STATUSES = (
    ApplicationStatus.CLOSED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.EXITED,
)
# Each of these holds one of the centre's seats.
SEAT_STATUSES = (ApplicationStatus.MOVED_IN, ApplicationStatus.INCUBATING)
# Steps that keep incubation logs (mentoring, training, visits …).
LOG_STATUSES = (*SEAT_STATUSES, ApplicationStatus.GRADUATED, ApplicationStatus.TRACKING)
# Reached the centre's care: the centre (its operator and staff) incubated the
# organisation, so they may not judge it later (INC-09).
INCUBATED_STATUSES = (*LOG_STATUSES, ApplicationStatus.CLOSED, ApplicationStatus.EXITED)


class LogKind(models.TextChoices):
    MENTORING = "mentoring", _("导师辅导")
    TRAINING = "training", _("培训")
    ACTIVITY = "activity", _("服务活动")
    MILESTONE = "milestone", _("里程碑")
    REGISTRATION_HELP = "registration_help", _("登记协助（备案→登记）")
    MIDTERM_REVIEW = "midterm_review", _("中期评估")
    VISIT = "visit", _("跟踪回访")


class Standing(models.TextChoices):
    """An organisation's standing on a district's admission list (准入名单)."""

    KEEP = "keep", _("保留")
    WARN = "warn", _("警示")
    ELIMINATE = "eliminate", _("淘汰")
