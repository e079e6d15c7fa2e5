from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已归档")


class ServiceClass(models.TextChoices):
    PUBLIC = "A", _("公共服务")
    AUXILIARY = "B", _("政府履职辅助性服务")


class MatterType(models.TextChoices):
    PUBLIC_SERVICE = "public_service", _("公共服务")
    LICENSING = "licensing", _("行政许可")
    BENEFIT = "benefit", _("行政给付")
    CONFIRMATION = "confirmation", _("行政确认")
    INSPECTION = "inspection", _("行政检查")
    PENALTY = "penalty", _("行政处罚")
    OTHER = "other", _("其他")


class AuthorityLevel(models.TextChoices):
    DISTRICT = "district", _("区级部门")
    STREET = "street", _("街道办事处")
    COMMUNITY = "community", _("社区协助")


class OutsourceScope(models.TextChoices):
    FULL = "full", _("可整体购买")
    AUX_ONLY = "aux_only", _("仅可购买辅助环节")
    PROHIBITED = "prohibited", _("不得购买")


class AuxStep(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理")
    PRELIMINARY_REVIEW = "preliminary_review", _("材料初审/预审")
    REGISTRATION = "registration", _("登记")
    INSPECTION = "inspection", _("查验")
    HOME_SURVEY_ASSIST = "home_survey_assist", _("入户调查协助")
    PUBLICITY = "publicity", _("宣传告知")
    FOLLOW_UP_VISIT = "follow_up_visit", _("回访")


class Unit(models.TextChoices):
    PIECE = "piece", _("件")
    HOUSEHOLD_VISIT = "household_visit", _("户次")
    PERSON_TIME = "person_time", _("人次")
    SESSION = "session", _("场次")
    TIMES = "times", _("次")
    MONTH = "month", _("月")
    SITE = "site", _("处")
    PERSON_MONTH = "person_month", _("人·月")


# Units that price a person's time rather than a service output (GPS-19: a purchase
# must not disguise employment); items priced this way are warned about.
PER_HEAD_UNITS = {Unit.PERSON_MONTH}


class PriceBasis(models.TextChoices):
    UNIT = "unit", _("按单价")
    CEILING = "ceiling", _("按年度限价")


class ValueType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    PERCENT = "percent", _("百分比")
    MONEY = "money", _("金额（元）")
    CALENDAR_DAYS = "calendar_days", _("日（自然日）")
    WORKING_DAYS = "working_days", _("工作日")
    MONTHS = "months", _("月")
    YEARS = "years", _("年")
    RANGE = "range", _("区间")
    BANDS = "bands", _("等级分档")
    WEIGHTS = "weights", _("权重")
    BOOLEAN = "boolean", _("是/否")
    TEXT = "text", _("文本")


class Verification(models.TextChoices):
    V1 = "V1", _("V1 已核对法规原文")
    V2 = "V2", _("V2 已核对二手来源")
    BK = "BK", _("BK 背景知识，未核实")


class Confidence(models.TextChoices):
    HIGH = "H", _("高")
    MEDIUM = "M", _("中")
    LOW = "L", _("低")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")
