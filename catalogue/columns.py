"""The columns of a service item: one list used by import, export, the diff and the forms."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    AuthorityLevel,
    AuxStep,
    MatterType,
    OutsourceScope,
    PriceBasis,
    ServiceClass,
    Unit,
)


@dataclass(frozen=True)
class Column:
    field: str
    label: object
    choices: type[models.TextChoices] | None = None
    multi: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", _("事项编码")),
    Column("name", _("事项名称")),
    Column("domain", _("服务领域")),
    Column("service_class", _("一级分类"), ServiceClass),
    Column("matter_type", _("事项类型"), MatterType),
    Column("legal_basis", _("法律政策依据")),
    Column("decision_authority", _("决定机关")),
    Column("authority_level", _("决定层级"), AuthorityLevel),
    Column("outsource_scope", _("购买范围"), OutsourceScope),
    Column("allowed_steps", _("可购买的辅助环节"), AuxStep, multi=True),
    Column("deliverable", _("交付成果")),
    Column("prohibited_reason", _("不得购买的理由")),
    Column("unit", _("计量单位"), Unit),
    Column("service_standard", _("服务标准")),
    Column("assessment_standard", _("考核标准")),
    Column("assessment_method", _("考核方式")),
    Column("price_basis", _("计价方式"), PriceBasis),
    Column("reference_price", _("参考单价或限价（元）")),
    Column("annual_volume", _("每社区年度预计数量")),
    Column("change_note", _("变更说明")),
)

COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}

# Fields compared by the version diff (the change note explains a change; it is not one).
DIFF_FIELDS = tuple(c.field for c in COLUMNS if c.field not in ("code", "change_note"))

# Separators accepted between the steps of a multi-valued cell.
STEP_SEPARATORS = ("、", ";", "；", ",", "，", "|", "\n")
