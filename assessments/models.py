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
from core.visibility import ancestor_paths
from vendors.choices import Standing

from .choices import (
    CardSource,
    CardStatus,
    ConsequenceKind,
    ConsequenceStatus,
    Ending,
    EntryStatus,
    ListStatus,
    MissingGroupRule,
    ObjectionKind,
    ObjectionStatus,
    PanelRole,
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


class PanelMember(models.Model):
    """A member of a plan's expert panel (experts and peer reviewers, seed 001) with
    a conflict-of-interest declaration, as in procurement committees (COM-08, INC-09).
    Only a member who declared no conflict may score; the panel's size is odd."""

    plan = models.ForeignKey(
        AssessmentPlan, on_delete=models.CASCADE, related_name="panel"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=20, choices=PanelRole.choices)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    no_conflict = models.BooleanField(_("声明无利害关系"), default=False)
    conflict_note = models.TextField(_("利害关系说明"), blank=True)
    recused = models.BooleanField(_("回避"), default=False)
    added_by = user_reference()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家评审组成员")
        verbose_name_plural = _("专家评审组成员")
        ordering = ["plan", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user"], name="assessments_panel_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"


PUBLIC_LIST_STATUSES = (ListStatus.PUBLICITY, ListStatus.PUBLISHED)


class AdmissionListQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        """The district's and its streets' staff see every list of their district;
        everyone else (the public too) the lists in publicity (公示) or published."""
        if user.is_superuser:
            return None
        q = models.Q(status__in=PUBLIC_LIST_STATUSES)
        for m in user.active_memberships():
            if m.role in READER_ROLES:
                q |= models.Q(district__path__startswith=m.scope_path) | models.Q(
                    district__path__in=ancestor_paths(m.scope_path)
                )
        return q


class AdmissionList(TimeStampedModel):
    """A district's admission list (准入名单) for a year: each organisation's standing
    (keep / warn / eliminate) from its grades, publicised (公示) before it is
    decided. It gates only 比选 invitations; in 公开招标 and 磋商 it is shown and never
    enforced (PM-12)."""

    district = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        related_name="admission_lists",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示结束"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    appeal_until = models.DateField(_("申诉截止"), null=True, blank=True)
    created_by = user_reference()

    objects = AdmissionListQuerySet.as_manager()

    class Meta:
        verbose_name = _("准入名单")
        verbose_name_plural = _("准入名单")
        ordering = ["-year", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"], name="assessments_list_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_scope(self) -> str:
        return self.district.path


class AdmissionEntry(models.Model):
    """One organisation on the list: its grades in the year, the standing proposed
    from them and the decided one, the cooling-off date of an elimination and, for
    an elimination, the re-tender drafted and the interim arrangement."""

    admission_list = models.ForeignKey(
        AdmissionList, on_delete=models.CASCADE, related_name="entries"
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        verbose_name=_("承接组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_standing = models.CharField(
        _("上年结论"), max_length=20, choices=Standing.choices, blank=True
    )
    proposed = models.CharField(_("拟定结论"), max_length=20, choices=Standing.choices)
    standing = models.CharField(
        _("决定结论"), max_length=20, choices=Standing.choices, blank=True
    )
    grades: Any = models.JSONField(_("考核等级"), default=list)
    basis = models.TextField(_("依据"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=EntryStatus.choices,
        default=EntryStatus.PROPOSED,
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    cooling_off_until = models.DateField(_("不得受邀参加比选至"), null=True, blank=True)
    ending = models.CharField(
        _("合同处理"), max_length=20, choices=Ending.choices, blank=True
    )
    ends_on = models.DateField(_("服务结束日期"), null=True, blank=True)
    interim_arrangement = models.TextField(_("过渡期安排"), blank=True)
    retenders = models.ManyToManyField(
        "procurement.ProcurementProject",
        verbose_name=_("重新采购项目"),
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("准入名单条目")
        verbose_name_plural = _("准入名单条目")
        ordering = ["admission_list", "vendor__organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["admission_list", "vendor"], name="assessments_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.get_proposed_display()}"

    @property
    def audit_scope(self) -> str:
        return self.admission_list.district.path


class AdmissionObjection(models.Model):
    """An organisation's objection during publicity (异议) or appeal after the
    decision (申诉), each closed by a decision."""

    entry = models.ForeignKey(
        AdmissionEntry, on_delete=models.CASCADE, related_name="objections"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ObjectionKind.choices)
    text = models.TextField(_("理由"))
    filed_by = user_reference()
    filed_on = models.DateField(_("提出日期"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.OPEN,
    )
    decision = models.TextField(_("处理意见"), blank=True)
    decided_by = user_reference()
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("异议与申诉")
        verbose_name_plural = _("异议与申诉")
        ordering = ["entry", "filed_on", "id"]

    def __str__(self) -> str:
        return f"{self.entry} {self.get_kind_display()}"

    @property
    def audit_scope(self) -> str:
        return self.entry.admission_list.district.path
