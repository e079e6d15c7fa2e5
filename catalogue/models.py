"""The purchase catalogue, its service items, rule parameters and the working-day calendar."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.querysets import VisibleQuerySet
from core.visibility import ancestor_paths

from .choices import (
    AuthorityLevel,
    Confidence,
    DayKind,
    MatterType,
    OutsourceScope,
    PriceBasis,
    ServiceClass,
    Unit,
    ValueType,
    Verification,
    VersionStatus,
)


class Category(models.Model):
    """A catalogue category by code: level 1 A 公共服务 / B 政府履职辅助性服务,
    level 2 the thirteen service domains (A01…A13)."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("层级"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("目录分类")
        verbose_name_plural = _("目录分类")
        ordering = ["level", "position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def display_name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        lang = language or get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name


def _editor_roles():
    from accounts.choices import Role

    return (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)


class CatalogueVersionQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        from accounts.choices import Role

        if user.is_superuser:
            return None
        applicable = user.applicable_paths()
        in_region = models.Q(region__path__in=applicable)
        if action == "view":
            # A published or archived catalogue applies to everyone in its region;
            # drafts only to the people who may edit or audit them.
            readers = [
                m.scope_path
                for m in user.active_memberships()
                if m.role in (*_editor_roles(), Role.AUDITOR)
            ]
            draft_q = models.Q(pk__in=[])
            for p in readers:
                draft_q |= models.Q(region__path__in=ancestor_paths(p))
            return in_region & (~models.Q(status=VersionStatus.DRAFT) | draft_q)
        editors = [
            m.scope_path for m in user.active_memberships() if m.role in _editor_roles()
        ]
        q = models.Q(pk__in=[])
        for p in editors:
            q |= models.Q(region__path__in=ancestor_paths(p))
        return q


class CatalogueVersion(TimeStampedModel):
    """One year's purchase catalogue of a region: draft → published → archived.
    Only a draft's items may change."""

    region = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("适用地区"),
        on_delete=models.PROTECT,
        related_name="catalogue_versions",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("起草自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drafts",
    )
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    objects = CatalogueVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("购买目录版本")
        verbose_name_plural = _("购买目录版本")
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"], name="uniq_catalogue_region_year"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalogue:version-detail", args=[self.pk])

    @property
    def audit_scope(self) -> str:
        return self.region.path

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class ServiceItemQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        versions = CatalogueVersion.objects.visible_to(user, action)
        return models.Q(version__in=versions.values("pk"))

    def for_list(self) -> ServiceItemQuerySet:
        return self.select_related("domain", "version").order_by("code")


class ServiceItem(TimeStampedModel):
    """A community service item in one catalogue version, with what may be bought
    of it (outsourcing scope and allowed auxiliary steps), its unit, standards and price.
    The `code` stays the same across versions, so versions can be compared."""

    version = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("目录版本"),
    )
    code = models.CharField(_("事项编码"), max_length=20)
    name = models.CharField(_("事项名称"), max_length=120)
    domain = models.ForeignKey(
        Category,
        verbose_name=_("服务领域"),
        on_delete=models.PROTECT,
        related_name="items",
        limit_choices_to={"level": 2},
    )
    service_class = models.CharField(
        _("一级分类"),
        max_length=1,
        choices=ServiceClass.choices,
        default=ServiceClass.PUBLIC,
    )
    matter_type = models.CharField(
        _("事项类型"),
        max_length=20,
        choices=MatterType.choices,
        default=MatterType.PUBLIC_SERVICE,
    )
    legal_basis = models.TextField(_("法律政策依据"))
    decision_authority = models.CharField(_("决定机关"), max_length=200)
    authority_level = models.CharField(
        _("决定层级"), max_length=20, choices=AuthorityLevel.choices
    )
    outsource_scope = models.CharField(
        _("购买范围"), max_length=20, choices=OutsourceScope.choices
    )
    allowed_steps = models.JSONField(_("可购买的辅助环节"), default=list, blank=True)
    deliverable = models.TextField(_("交付成果"), blank=True)
    prohibited_reason = models.TextField(_("不得购买的理由"), blank=True)
    unit = models.CharField(_("计量单位"), max_length=20, choices=Unit.choices)
    service_standard = models.TextField(_("服务标准"))
    assessment_standard = models.TextField(_("考核标准"))
    assessment_method = models.TextField(_("考核方式"))
    price_basis = models.CharField(
        _("计价方式"),
        max_length=10,
        choices=PriceBasis.choices,
        default=PriceBasis.UNIT,
    )
    reference_price = models.DecimalField(
        _("参考单价或限价（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    annual_volume = models.PositiveIntegerField(_("每社区年度预计数量"), default=0)
    change_note = models.TextField(_("变更说明"), blank=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="uniq_item_code_per_version"
            )
        ]
        indexes = [
            models.Index(fields=["version", "domain"]),
            models.Index(fields=["version", "outsource_scope"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:item-detail", args=[self.pk])

    @property
    def audit_scope(self) -> str:
        return self.version.region.path

    def allowed_step_labels(self) -> list[str]:
        from .choices import AuxStep

        labels = dict(AuxStep.choices)
        return [str(labels.get(s, s)) for s in self.allowed_steps or []]

    @property
    def annual_amount(self) -> Decimal:
        if self.price_basis == PriceBasis.CEILING:
            return self.reference_price
        return self.reference_price * self.annual_volume


class RuleParameterQuerySet(models.QuerySet):
    def in_force(self, on) -> RuleParameterQuerySet:
        return self.filter(valid_from__lte=on).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=on)
        )


class RuleParameter(TimeStampedModel):
    """An effective-dated number of the rules (RULES.md): key, jurisdiction, period,
    value, source and how sure we are of it. No rule number is a constant in code."""

    key = models.CharField(_("参数键"), max_length=120, db_index=True)
    jurisdiction = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("适用辖区"),
        on_delete=models.PROTECT,
        related_name="rule_parameters",
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(
        _("失效日期"),
        null=True,
        blank=True,
        help_text=_("不含当日；为空表示持续有效。"),
    )
    value_type = models.CharField(
        _("取值类型"), max_length=20, choices=ValueType.choices
    )
    value = models.JSONField(_("取值"))
    rule_ids = models.JSONField(_("规则编号"), default=list, blank=True)
    source = models.TextField(_("来源"), blank=True)
    verification = models.CharField(
        _("核实程度"),
        max_length=2,
        choices=Verification.choices,
        default=Verification.BK,
    )
    confidence = models.CharField(
        _("可信度"), max_length=1, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    description_zh = models.TextField(_("中文说明"), blank=True)
    description_en = models.TextField(_("英文说明"), blank=True)

    objects = RuleParameterQuerySet.as_manager()

    class Meta:
        verbose_name = _("规则参数")
        verbose_name_plural = _("规则参数")
        ordering = ["key", "jurisdiction__path", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "jurisdiction", "valid_from"],
                name="uniq_rule_param_period",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="rule_param_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.jurisdiction.code} {self.valid_from}"

    @property
    def audit_scope(self) -> str:
        return self.jurisdiction.path

    def display_value(self) -> str:
        """The value as a person reads it: 7 个工作日, 10%, ¥2,000,000.00, 10–30 …"""
        from django.utils.translation import gettext as _

        v = self.value
        t = self.value_type
        if t == ValueType.WORKING_DAYS:
            return _("%(n)s 个工作日") % {"n": v}
        if t == ValueType.CALENDAR_DAYS:
            return _("%(n)s 日") % {"n": v}
        if t == ValueType.MONTHS:
            return _("%(n)s 个月") % {"n": v}
        if t == ValueType.YEARS:
            return _("%(n)s 年") % {"n": v}
        if t == ValueType.PERCENT:
            return f"{v}%"
        if t == ValueType.MONEY:
            return f"¥{Decimal(str(v)):,.2f}"
        if t == ValueType.RANGE and isinstance(v, dict):
            return f"{v.get('min')}–{v.get('max')}"
        if t == ValueType.WEIGHTS and isinstance(v, dict):
            return " / ".join(f"{k} {w}" for k, w in v.items())
        if t == ValueType.BANDS and isinstance(v, list):
            return "，".join(
                f"{b.get('label_zh') or b.get('code')} ≥{b.get('min')}" for b in v
            )
        if t == ValueType.BOOLEAN:
            return str(_("是") if v else _("否"))
        return str(v)

    def description(self) -> str:
        from django.utils.translation import get_language

        lang = get_language() or "zh-hans"
        return (
            self.description_en
            if lang.startswith("en") and self.description_en
            else self.description_zh
        )


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a statutory holiday on a weekday,
    or a make-up working day (调休) on a weekend. Seeded from chinese-calendar,
    editable when the State Council's annual notice says otherwise."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


__all__ = [
    "AuthorityLevel",
    "Category",
    "CatalogueVersion",
    "CalendarDay",
    "MatterType",
    "OutsourceScope",
    "PriceBasis",
    "RuleParameter",
    "ServiceClass",
    "ServiceItem",
    "Unit",
]
