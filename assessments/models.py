"""Assessments: plans with an indicator tree and rater groups, rounds per period,
scorecards from every rater group (residents by one-time tokens), and each contract's
scored result with every input it used.

This is the app that judges the others: it reads contracts and vendors, and hands its
conclusions down through their services (the grade to the contract's tranches through
`contracts.services.payment_tranche_apply_assessment`).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# The buyer's side runs assessments and reads them, as it does its contracts.
from contracts.models import MANAGER_ROLES, READER_ROLES  # noqa: F401 (services use it)
from core.models import TimeStampedModel, user_reference
from core.querysets import VisibleQuerySet

from .choices import (
    CardSource,
    CardStatus,
    ConsequenceKind,
    ConsequenceStatus,
    MissingGroupRule,
    PeriodKind,
    PlanStatus,
    RaterKind,
    RoundStatus,
    Scale,
)


class PlanQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        """The buyer's staff see the plans of their street (a district's staff the
        district's)."""
        if user.is_superuser:
            return None
        q = models.Q(pk__in=[])
        for m in user.active_memberships():
            if m.role in READER_ROLES:
                q |= models.Q(buyer__path__startswith=m.scope_path)
        return q


class AssessmentPlan(TimeStampedModel):
    """How a street assesses one or more contracts over a year: the periods, the
    indicator tree, the rater groups and what happens when a group is missing."""

    name = models.CharField(_("方案名称"), max_length=200)
    buyer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("购买主体（街道办事处）"),
        on_delete=models.PROTECT,
        related_name="assessment_plans",
    )
    district = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    period_kind = models.CharField(
        _("考核周期"), max_length=20, choices=PeriodKind.choices
    )
    contracts = models.ManyToManyField(
        "contracts.Contract",
        verbose_name=_("考核的合同"),
        related_name="assessment_plans",
    )
    missing_rule = models.CharField(
        _("评价主体缺席时"),
        max_length=20,
        choices=MissingGroupRule.choices,
        default=MissingGroupRule.REWEIGHT,
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = user_reference()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope(self) -> str:
        return self.buyer.path


class Indicator(models.Model):
    """A node of the plan's indicator tree; the weights of siblings sum to 100."""

    plan = models.ForeignKey(
        AssessmentPlan, on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("编号"), max_length=30)
    name = models.CharField(_("指标名称"), max_length=200)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    scale = models.CharField(
        _("计分方式"), max_length=20, choices=Scale.choices, default=Scale.POINTS
    )
    max_points = models.DecimalField(
        _("满分"), max_digits=7, decimal_places=2, default=Decimal(100)
    )
    levels = models.JSONField(_("等级及得分率"), default=dict, blank=True)
    standard = models.TextField(_("评价标准"), blank=True)
    item_code = models.CharField(_("对应服务事项"), max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"], name="assessments_indicator_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0) & models.Q(weight__lte=100),
                name="assessments_indicator_weight_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RaterGroup(models.Model):
    """A rater group of the plan with its weight, quorum and whether it replaces the
    others (an expert panel giving the annual grade alone)."""

    plan = models.ForeignKey(
        AssessmentPlan, on_delete=models.CASCADE, related_name="groups"
    )
    kind = models.CharField(_("评价主体"), max_length=20, choices=RaterKind.choices)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    quorum = models.PositiveIntegerField(_("最少有效评分表"), default=1)
    replaces = models.BooleanField(_("单独作为考核结果"), default=False)

    class Meta:
        verbose_name = _("评价主体")
        verbose_name_plural = _("评价主体")
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind"], name="assessments_group_kind_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="assessments_group_weight_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight}"


class AssessmentRound(models.Model):
    """One period of a plan (e.g. 2015年度): scorecards are collected, then scored."""

    plan = models.ForeignKey(
        AssessmentPlan, on_delete=models.CASCADE, related_name="rounds"
    )
    label = models.CharField(_("考核期"), max_length=60)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(_("计分时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考核轮次")
        verbose_name_plural = _("考核轮次")
        ordering = ["plan", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "label"], name="assessments_round_label_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="assessments_round_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.label}"

    @property
    def audit_scope(self) -> str:
        return self.plan.buyer.path


class ResidentToken(models.Model):
    """A one-time token printed as a QR code for one resident of one community to
    answer without an account. Only its hash is stored; the answer is anonymous."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="tokens"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="+"
    )
    community = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    batch = models.CharField(_("批次"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = user_reference()
    issued_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民评价码")
        verbose_name_plural = _("居民评价码")
        ordering = ["round", "community", "id"]

    def __str__(self) -> str:
        return f"{self.round} {self.community} {self.batch}"

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class Scorecard(models.Model):
    """One rater's answers for one contract in a round, per community it covers."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="cards"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="+"
    )
    group = models.CharField(_("评价主体"), max_length=20, choices=RaterKind.choices)
    community = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rater = user_reference()
    token = models.OneToOneField(
        ResidentToken,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="card",
    )
    source = models.CharField(_("来源"), max_length=20, choices=CardSource.choices)
    entered_by = user_reference()
    answers = models.JSONField(_("评分"), default=dict)
    comment = models.TextField(_("意见"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CardStatus.choices, default=CardStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["round", "contract", "group", "id"]
        indexes = [models.Index(fields=["round", "contract", "status"])]

    def __str__(self) -> str:
        return f"{self.round} {self.get_group_display()} {self.pk}"


class RoundResult(models.Model):
    """A contract's scored result for a round, with every input the scoring used so
    the page can explain the score line by line."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="results"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="+"
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("结果"), max_length=20)
    total = models.DecimalField(
        _("总分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(_("等级"), max_length=20, blank=True)
    breakdown: Any = models.JSONField(_("计分明细"), default=dict)
    inputs_digest = models.CharField(max_length=64)
    computed_at = models.DateTimeField(_("计分时间"))

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["round", "-total", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "contract"], name="assessments_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.vendor} {self.total}"


class Consequence(models.Model):
    """What a grade leads to (PE-09): a rectification notice with a deadline for 中,
    an elimination proposal for 差 or for 中 twice running. The proposal is decided on
    the admission list; a re-scored round withdraws what no longer follows."""

    result = models.ForeignKey(
        RoundResult, on_delete=models.CASCADE, related_name="consequences"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=ConsequenceKind.choices)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ConsequenceStatus.choices,
        default=ConsequenceStatus.OPEN,
    )
    reason = models.TextField(_("理由"))
    due_on = models.DateField(_("整改期限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考核结果运用")
        verbose_name_plural = _("考核结果运用")
        ordering = ["result", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "kind"], name="assessments_consequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.result} {self.get_kind_display()}"

    @property
    def audit_scope(self) -> str:
        return self.result.round.plan.buyer.path
