"""Procurement: projects and lots bought from the published catalogue, notices,
tender documents, sealed bids, the evaluation committee, score sheets, awards and
challenges. State changes go through `procurement.services`; nothing here writes
across rows."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.models import TimeStampedModel
from core.querysets import VisibleQuerySet

from .choices import (
    AwardStatus,
    BidStatus,
    BondForm,
    BudgetSource,
    ChallengeStatus,
    LotStatus,
    MemberRole,
    MemberStatus,
    Method,
    NoticeKind,
    ProjectStatus,
    ScoringMethod,
    SheetStatus,
)

# Who buys, and who reads the buyer's procurement files.
BUYER_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)
READER_ROLES = (
    Role.DISTRICT_ADMIN,
    Role.STREET_OFFICER,
    Role.DEPARTMENT_STAFF,
    Role.AUDITOR,
)


def _path_q(prefix: str, paths: list[str]) -> models.Q:
    q = models.Q(pk__in=[])
    for p in paths:
        q |= models.Q(**{f"{prefix}path__startswith": p})
    return q


class ProjectQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        """Staff see the projects of the streets they serve (a district's staff see
        the district's); committee members see the projects they sit on; vendor
        staff see every project once its notice is out (the notice is public)."""
        if user.is_superuser:
            return None
        paths = [
            m.scope_path for m in user.active_memberships() if m.role in READER_ROLES
        ]
        q = _path_q("buyer__", paths)
        q |= models.Q(committee__user=user)
        if user.has_role(Role.VENDOR_STAFF) and action == "view":
            q |= ~models.Q(status=ProjectStatus.DRAFT)
        return q

    def for_list(self) -> ProjectQuerySet:
        return self.select_related("buyer", "district").annotate(
            lot_count=models.Count("lots", distinct=True),
            budget_total=models.Sum("lots__budget"),
        )


class ProcurementProject(TimeStampedModel):
    """A purchase of catalogue items by a street office, in one or more lots."""

    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    title = models.CharField(_("项目名称"), max_length=200)
    buyer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("采购人"),
        on_delete=models.PROTECT,
        related_name="procurements",
    )
    district = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("适用辖区"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("规则参数和工作日历按此辖区取值。"),
    )
    catalogue_version = models.ForeignKey(
        "catalogue.CatalogueVersion",
        verbose_name=_("购买目录"),
        on_delete=models.PROTECT,
        related_name="procurements",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("预算年度"))
    method = models.CharField(_("采购方式"), max_length=20, choices=Method.choices)
    method_reasons = models.JSONField(_("方式理由"), default=list, blank=True)
    method_warnings = models.JSONField(_("方式提示"), default=list, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.DRAFT,
        db_index=True,
    )
    description = models.TextField(_("采购需求概述"), blank=True)
    scoring_method = models.CharField(
        _("评审方法"),
        max_length=20,
        choices=ScoringMethod.choices,
        default=ScoringMethod.COMPREHENSIVE,
    )
    price_weight = models.DecimalField(
        _("价格分值"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        help_text=_("价格分占总分100分的分值（百分比）。"),
    )
    criteria = models.JSONField(
        _("评分因素"),
        default=list,
        blank=True,
        help_text=_("除价格外的评分因素：编码、名称、分值、主观或客观。"),
    )
    qualification_conditions = models.JSONField(
        _("特定资格条件"), default=list, blank=True
    )
    term_years = models.PositiveSmallIntegerField(_("服务期限（年）"), default=1)
    multi_year_stated = models.BooleanField(
        _("采购文件已载明多年期合同"), default=False
    )
    payment_terms = models.JSONField(
        _("付款安排"),
        default=list,
        blank=True,
        help_text=_("各期付款：名称、比例、支付条件。"),
    )
    acceptance_plan = models.TextField(_("验收方案"), blank=True)
    sme_exemption = models.BooleanField(
        _("不预留中小企业份额"),
        default=False,
        help_text=_("面向社会组织等非企业主体采购的，可不专门面向中小企业（SME-04）。"),
    )
    sme_exemption_reason = models.TextField(_("不预留理由"), blank=True)
    sme_price_deduction = models.DecimalField(
        _("小微企业价格扣除（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
    )
    bid_bond = models.DecimalField(
        _("投标保证金"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    drafted_by = models.ManyToManyField(
        "vendors.Vendor",
        verbose_name=_("参与需求编制的组织"),
        blank=True,
        related_name="drafted_procurements",
        help_text=_(
            "为本项目提供设计、编制需求或项目管理服务的组织不得参加投标（CR-07）。"
        ),
    )
    intention_published_on = models.DateField(
        _("采购意向公开日期"), null=True, blank=True
    )
    notice_published_on = models.DateField(_("公告发布日期"), null=True, blank=True)
    documents_from = models.DateField(_("文件发售起"), null=True, blank=True)
    documents_until = models.DateField(_("文件发售止"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("投标截止时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开标时间"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("评审完成时间"), null=True, blank=True)
    committee_seed = models.CharField(_("抽取随机种子"), max_length=64, blank=True)
    committee_drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    outcome_reason = models.TextField(_("废标或终止理由"), blank=True)
    restarted_from = models.ForeignKey(
        "self",
        verbose_name=_("重新采购自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restarts",
    )
    replaces_contract_of = models.ForeignKey(
        "vendors.Vendor",
        verbose_name=_("替换的承接组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("因淘汰而重新采购时，原承接组织。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("采购项目")
        verbose_name_plural = _("采购项目")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_years__gte=1) & models.Q(term_years__lte=3),
                name="procurement_term_1_to_3_years",
            ),
            models.CheckConstraint(
                condition=models.Q(price_weight__gte=0)
                & models.Q(price_weight__lte=100),
                name="procurement_price_weight_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:project-detail", args=[self.pk])

    @property
    def audit_scope(self) -> str:
        return self.buyer.path

    @property
    def is_sealed(self) -> bool:
        """True until the opening service has run: bid content stays encrypted."""
        return self.opened_at is None


class LotQuerySet(models.QuerySet):
    def for_project(self) -> LotQuerySet:
        return self.prefetch_related("communities").annotate(
            item_count=models.Count("items", distinct=True)
        )


class Lot(models.Model):
    """A package (包) of catalogue items for some communities, with its own budget."""

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.CASCADE, related_name="lots"
    )
    number = models.PositiveSmallIntegerField(_("包号"))
    name = models.CharField(_("包名称"), max_length=200)
    budget = models.DecimalField(
        _("预算金额"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    ceiling = models.DecimalField(
        _("最高限价"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("为空时以预算金额为最高限价。"),
    )
    budget_source = models.CharField(
        _("资金来源"), max_length=20, choices=BudgetSource.choices
    )
    budget_note = models.CharField(_("预算科目"), max_length=200, blank=True)
    communities = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("服务社区"),
        related_name="procurement_lots",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=LotStatus.choices, default=LotStatus.OPEN
    )
    failed_reason = models.TextField(_("废标理由"), blank=True)
    evaluation = models.JSONField(_("评审结果"), default=dict, blank=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        verbose_name = _("采购包")
        verbose_name_plural = _("采购包")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="procurement_lot_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gt=0), name="procurement_lot_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} 第{self.number}包 {self.name}"

    @property
    def max_price(self) -> Decimal:
        return self.ceiling if self.ceiling is not None else self.budget


class LotItem(models.Model):
    """A catalogue item bought in a lot (for AUX_ONLY items, the steps bought)."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("服务事项"),
        on_delete=models.PROTECT,
        related_name="lot_items",
    )
    steps = models.JSONField(_("购买的辅助环节"), default=list, blank=True)

    class Meta:
        verbose_name = _("采购事项")
        verbose_name_plural = _("采购事项")
        ordering = ["lot", "item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "item"], name="procurement_lot_item_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.item)


class NoticeQuerySet(models.QuerySet):
    def published(self, on=None) -> NoticeQuerySet:
        from django.utils import timezone

        return self.filter(published_on__lte=on or timezone.localdate())


class Notice(models.Model):
    """A public notice (采购意向, 公告, 更正, 结果, 废标, 终止). Published when written."""

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("公告类型"), max_length=20, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=255)
    body = models.TextField(_("正文"))
    data = models.JSONField(_("公告要素"), default=dict, blank=True)
    published_on = models.DateField(_("发布日期"), db_index=True)
    period_ends = models.DateField(_("公告期满"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notices:detail", args=[self.pk])

    @property
    def audit_scope(self) -> str:
        return self.project.buyer.path


class TenderDocument(models.Model):
    """One version of the project's 招标 / 磋商 / 比选 document, rendered by a job.
    A change makes the next version; a version is never overwritten."""

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.CASCADE, related_name="documents"
    )
    version = models.PositiveIntegerField(_("版本"))
    job = models.OneToOneField(
        "core.Job", on_delete=models.PROTECT, related_name="tender_document"
    )
    note = models.CharField(_("变更说明"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("采购文件")
        verbose_name_plural = _("采购文件")
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="procurement_document_version_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} v{self.version}"

    @property
    def audit_scope(self) -> str:
        return self.project.buyer.path


class Bid(models.Model):
    """A bid (投标 / 响应文件). Until the project is opened everything it says lives
    only in `sealed_content` (and sealed files), encrypted; the plain columns are
    filled by the opening service."""

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.PROTECT, related_name="bids"
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        verbose_name=_("投标人"),
        on_delete=models.PROTECT,
        related_name="bids",
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=BidStatus.choices,
        default=BidStatus.SUBMITTED,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("递交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    sealed_content = models.TextField(editable=False)
    # Filled at opening, never before.
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    technical_response = models.TextField(_("技术响应"), blank=True)
    declaration = models.JSONField(_("声明"), default=dict, blank=True)
    bond_form = models.CharField(
        _("保证金形式"), max_length=20, choices=BondForm.choices, blank=True
    )
    bond_amount = models.DecimalField(
        _("保证金金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    qualification = models.JSONField(_("资格审查"), default=dict, blank=True)
    qualified = models.BooleanField(_("资格审查通过"), null=True, blank=True)

    class Meta:
        verbose_name = _("投标")
        verbose_name_plural = _("投标")
        ordering = ["project", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "vendor"],
                condition=~models.Q(
                    status__in=[BidStatus.WITHDRAWN, BidStatus.REPLACED]
                ),
                name="procurement_one_live_bid_per_vendor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.vendor}"

    @property
    def audit_scope(self) -> str:
        return self.project.buyer.path


class BidLot(models.Model):
    """A bid's price for one lot, written by the opening service."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="lots")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bid_lots")
    price = models.DecimalField(_("报价"), max_digits=14, decimal_places=2)
    adjusted_price = models.DecimalField(_("评审价"), max_digits=14, decimal_places=2)
    valid = models.BooleanField(_("有效报价"), default=True)
    invalid_reason = models.TextField(_("无效理由"), blank=True)
    abnormal_reasons = models.JSONField(_("异常低价触发"), default=list, blank=True)
    explanation = models.TextField(_("异常低价说明"), blank=True)
    explanation_accepted = models.BooleanField(_("说明被接受"), null=True, blank=True)

    class Meta:
        verbose_name = _("分包报价")
        verbose_name_plural = _("分包报价")
        ordering = ["lot", "price"]
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "lot"], name="procurement_bid_lot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bid} · {self.lot_id}"


class BidFile(models.Model):
    """A document of a bid, stored encrypted (name and content)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="files")
    sealed_name = models.TextField(editable=False)
    blob = models.FileField(upload_to="procurement/bids/%Y/", editable=False)
    size = models.PositiveIntegerField(default=0)
    # Written by the opening service, never before.
    name = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to="procurement/opened/%Y/", blank=True)

    class Meta:
        verbose_name = _("投标文件附件")
        verbose_name_plural = _("投标文件附件")

    def __str__(self) -> str:
        return f"{self.bid} · {self.pk}"


class CommitteeMember(models.Model):
    """A member of the 评标委员会 / 磋商小组 / 比选小组."""

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.CASCADE, related_name="committee"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("成员"),
        on_delete=models.PROTECT,
        related_name="committee_seats",
    )
    role = models.CharField(_("身份"), max_length=20, choices=MemberRole.choices)
    is_chair = models.BooleanField(_("组长"), default=False)
    drawn = models.BooleanField(_("随机抽取"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=MemberStatus.choices,
        default=MemberStatus.ACTIVE,
    )
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    declared_conflict = models.BooleanField(
        _("申报存在利害关系"), null=True, blank=True
    )
    declaration = models.TextField(_("回避声明"), blank=True)
    conflict_reasons = models.JSONField(_("回避理由"), default=list, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    signed_at = models.DateTimeField(_("签署评审报告时间"), null=True, blank=True)
    agrees = models.BooleanField(_("同意评审结论"), null=True, blank=True)
    dissent = models.TextField(_("不同意见及理由"), blank=True)

    class Meta:
        verbose_name = _("评审小组成员")
        verbose_name_plural = _("评审小组成员")
        ordering = ["project", "-is_chair", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="procurement_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}（{self.get_role_display()}）"

    @property
    def audit_scope(self) -> str:
        return self.project.buyer.path


class ScoreSheet(models.Model):
    """One member's scores of every qualified bid of a lot, on every criterion:
    `scores` = {bid id: {criterion code: points}}. Others' sheets stay hidden
    from a member until they have submitted their own."""

    member = models.ForeignKey(
        CommitteeMember, on_delete=models.CASCADE, related_name="sheets"
    )
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="sheets")
    status = models.CharField(
        _("状态"), max_length=20, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    scores = models.JSONField(_("评分"), default=dict)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "lot"], name="procurement_sheet_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.lot_id}"

    @property
    def audit_scope(self) -> str:
        return self.lot.project.buyer.path


class Award(models.Model):
    """The buyer's confirmation of a lot's winner, then its finality."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(_("中标金额"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AwardStatus.choices,
        default=AwardStatus.CONFIRMED,
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确定时间"))
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    challenge_until = models.DateField(_("质疑期限"), null=True, blank=True)
    final_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("中标结果")
        verbose_name_plural = _("中标结果")
        ordering = ["lot", "-confirmed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=~models.Q(status=AwardStatus.CANCELLED),
                name="procurement_one_award_per_lot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lot} → {self.bid.vendor}"

    @property
    def audit_scope(self) -> str:
        return self.lot.project.buyer.path


class Challenge(models.Model):
    """A supplier's written challenge (质疑) and the buyer's answer."""

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.CASCADE, related_name="challenges"
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.PROTECT, related_name="challenges"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("提出时间"))
    grounds = models.TextField(_("质疑事项和理由"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ChallengeStatus.choices,
        default=ChallengeStatus.OPEN,
    )
    reply = models.TextField(_("答复"), blank=True)
    upheld = models.BooleanField(_("质疑成立"), null=True, blank=True)
    reply_due = models.DateField(_("答复期限"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("质疑")
        verbose_name_plural = _("质疑")
        ordering = ["project", "filed_at"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.vendor}"

    @property
    def audit_scope(self) -> str:
        return self.project.buyer.path


class Invitation(models.Model):
    """An organisation invited to a 比选 (邀请比选): only invited organisations bid when
    the project has invitations. The district's admission list bars an eliminated
    organisation until its cooling-off date; 公开招标 and 磋商 take no invitations and
    no list gates them (PM-12)."""

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.CASCADE, related_name="invitations"
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        verbose_name=_("受邀组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("比选邀请")
        verbose_name_plural = _("比选邀请")
        ordering = ["project", "invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "vendor"], name="procurement_invitation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.vendor}"

    @property
    def audit_scope(self) -> str:
        return self.project.buyer.path
