"""Contracts: from a final award to delivery, payment, changes and acceptance.

A contract is created from an award (never typed in), signed by both sides, published
and filed; its items are counted per community; what the vendor delivers is confirmed
by the community; what the community still does itself, and what was asked outside the
contract, is recorded beside it so the assessment can see the truth of delivery.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.models import TimeStampedModel, user_reference
from core.querysets import VisibleQuerySet

from .choices import (
    AcceptanceStatus,
    ChangeKind,
    ChangeReason,
    ChangeStatus,
    ContractStatus,
    DeliveryStatus,
    EvidenceKind,
    ExtensionStatus,
    ExtraWorkSide,
    ExtraWorkStatus,
    Grade,
    TerminationKind,
    TrancheKind,
    TrancheStatus,
)

# The buyer's side: who manages contracts, and who reads them.
MANAGER_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)
READER_ROLES = (
    Role.DISTRICT_ADMIN,
    Role.STREET_OFFICER,
    Role.DEPARTMENT_STAFF,
    Role.AUDITOR,
)
# Community-side roles: they see the contracts that serve their community.
COMMUNITY_ROLES = (Role.COMMUNITY_STAFF, Role.ASSESSOR)

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


def _path_q(field: str, paths: list[str]) -> models.Q:
    q = models.Q(pk__in=[])
    for p in paths:
        q |= models.Q(**{f"{field}__startswith": p})
    return q


class ContractQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        """Buyer staff see their street's contracts (a district's staff the district's);
        community staff the contracts with items in their community; vendor staff their
        organisation's contracts; an API token's user the token's street."""
        if user.is_superuser:
            return None
        token_street = getattr(user, "token_street_path", None)
        if token_street is not None:
            return models.Q(buyer__path__startswith=token_street)
        q = models.Q(pk__in=[])
        reader_paths: list[str] = []
        community_paths: list[str] = []
        vendor_orgs: list[int] = []
        for m in user.active_memberships():
            if m.role in READER_ROLES:
                reader_paths.append(m.scope_path)
            if m.role in COMMUNITY_ROLES:
                community_paths.append(m.organisation.path)
            if m.role == Role.VENDOR_STAFF:
                vendor_orgs.append(m.organisation_id)
        if reader_paths:
            q |= _path_q("buyer__path", reader_paths)
        if community_paths:
            q |= models.Q(
                pk__in=ContractItem.objects.filter(
                    _path_q("community__path", community_paths)
                ).values("contract_id")
            )
        if vendor_orgs:
            q |= models.Q(vendor__organisation_id__in=vendor_orgs)
        return q

    def for_list(self) -> ContractQuerySet:
        return self.select_related("buyer", "vendor__organisation", "district")


class Contract(TimeStampedModel):
    """A purchase contract (政府购买服务合同) between a street office and a vendor,
    created from a final award."""

    code = models.CharField(_("合同编号"), max_length=40, unique=True)
    title = models.CharField(_("合同名称"), max_length=200)
    award = models.OneToOneField(
        "procurement.Award",
        verbose_name=_("中标结果"),
        on_delete=models.PROTECT,
        related_name="contract",
    )
    project = models.ForeignKey(
        "procurement.ProcurementProject",
        verbose_name=_("采购项目"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    buyer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("购买主体（街道办事处）"),
        on_delete=models.PROTECT,
        related_name="contracts_bought",
    )
    district = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        verbose_name=_("承接组织"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    original_value = models.DecimalField(_("原合同金额（元）"), **MONEY)
    value = models.DecimalField(_("合同金额（元）"), **MONEY)
    start_on = models.DateField(_("履行期限起"))
    end_on = models.DateField(_("履行期限止"))
    term_years = models.PositiveSmallIntegerField(_("合同期限（年）"), default=1)
    multi_year_stated = models.BooleanField(
        _("采购文件已载明多年期"),
        default=False,
        help_text=_("合同期限超过1年须在采购文件中事先载明（GPS-24、CT-04）。"),
    )
    clauses = models.JSONField(
        _("合同条款"),
        default=dict,
        blank=True,
        help_text=_("法定必备条款（CT-03）：条款代码 → 内容。"),
    )
    acceptance_plan = models.TextField(_("验收方案"), blank=True)
    performance_bond = models.DecimalField(
        _("履约保证金（元）"), null=True, blank=True, **MONEY
    )
    bond_form = models.CharField(_("保证金形式"), max_length=60, blank=True)
    award_notice_on = models.DateField(_("中标通知日期"))
    sign_due = models.DateField(_("签订期限"))
    vendor_signed_at = models.DateTimeField(_("承接方签署时间"), null=True, blank=True)
    vendor_signed_by = user_reference()
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    countersigned_by = user_reference()
    publish_due = models.DateField(_("公开期限"), null=True, blank=True)
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    publication_url = models.URLField(_("公开网址"), blank=True)
    file_due = models.DateField(_("备案期限"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_ref = models.CharField(_("备案编号"), max_length=80, blank=True)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    termination_kind = models.CharField(
        _("终止类型"), max_length=20, choices=TerminationKind.choices, blank=True
    )
    termination_reason = models.TextField(_("终止理由"), blank=True)
    completed_on = models.DateField(_("履行完毕日期"), null=True, blank=True)
    # The id of the newest change-feed row about this contract: the ETag.
    feed_seq = models.BigIntegerField(default=0, editable=False)
    created_by = user_reference()

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")),
                name="contracts_term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="contracts_value_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract-detail", args=[self.pk])

    @property
    def audit_scope(self) -> str:
        return self.buyer.path


class ContractItem(models.Model):
    """One catalogue item delivered in one community, with its yearly target."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("服务事项"),
        on_delete=models.PROTECT,
        related_name="contract_items",
    )
    community = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="contract_items",
    )
    unit = models.CharField(_("计量单位"), max_length=20)
    target = models.PositiveIntegerField(_("目标数量"))
    quality = models.JSONField(_("质量指标"), default=list, blank=True)
    steps = models.JSONField(_("购买的辅助环节"), default=list, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("合同事项")
        verbose_name_plural = _("合同事项")
        ordering = ["contract", "item__code", "community__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "item", "community"],
                name="contracts_item_per_community_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.community}"


class PaymentTranche(models.Model):
    """An instalment (首付 / 中期 / 尾款) with its release conditions (ACC-04, ACC-07)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="tranches"
    )
    number = models.PositiveSmallIntegerField(_("期次"))
    kind = models.CharField(_("类型"), max_length=20, choices=TrancheKind.choices)
    share = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    due_on = models.DateField(_("计划支付日期"), null=True, blank=True)
    needs_acceptance = models.BooleanField(_("须验收合格"), default=False)
    period_label = models.CharField(_("对应履约期"), max_length=60, blank=True)
    min_grade = models.CharField(
        _("考核等级门槛"), max_length=20, choices=Grade.choices, blank=True
    )
    deduction_share = models.DecimalField(
        _("低于门槛扣减（%）"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=TrancheStatus.choices,
        default=TrancheStatus.PENDING,
    )
    acceptance = models.ForeignKey(
        "contracts.Acceptance",
        verbose_name=_("验收"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tranches",
    )
    grade = models.CharField(
        _("考核等级"), max_length=20, choices=Grade.choices, blank=True
    )
    score = models.DecimalField(
        _("考核得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    assessment_ref = models.CharField(_("考核来源"), max_length=120, blank=True)
    deduction = models.DecimalField(_("扣减金额（元）"), default=0, **MONEY)
    deduction_reason = models.TextField(_("扣减理由"), blank=True)
    requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    requested_by = user_reference()
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_by = user_reference()
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("实付金额（元）"), null=True, blank=True, **MONEY
    )
    payment_ref = models.CharField(_("支付凭证号"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("付款分期")
        verbose_name_plural = _("付款分期")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="contracts_tranche_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(share__gt=0) & models.Q(share__lte=100),
                name="contracts_tranche_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.get_kind_display()} {self.share}%"

    @property
    def audit_scope(self) -> str:
        return self.contract.buyer.path

    @property
    def payable(self) -> Decimal:
        return self.amount - self.deduction


class ContractVersion(models.Model):
    """A full snapshot of the contract at each version: the original and every
    effective change; two versions' snapshots give the diff."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    snapshot = models.JSONField(_("内容快照"))
    change = models.OneToOneField(
        "contracts.ContractChange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="version",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    created_by = user_reference()

    class Meta:
        verbose_name = _("合同版本")
        verbose_name_plural = _("合同版本")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="contracts_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} v{self.number}"


class ContractChange(models.Model):
    """A change (变更) or supplementary agreement (补充协议): proposed by one side,
    effective only when the other agrees (CT-01: neither may change on its own)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="changes"
    )
    number = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=20, choices=ChangeKind.choices)
    reason_code = models.CharField(
        _("变更事由"), max_length=30, choices=ChangeReason.choices
    )
    rationale = models.TextField(_("变更理由"))
    value_delta = models.DecimalField(_("金额变化（元）"), default=0, **MONEY)
    new_end_on = models.DateField(_("新的履行期限止"), null=True, blank=True)
    item_changes = models.JSONField(
        _("事项变化"),
        default=list,
        blank=True,
        help_text=_(
            "[{item, community, target}]：新增或调整的事项目标；目标为0即取消。"
        ),
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ChangeStatus.choices,
        default=ChangeStatus.PROPOSED,
    )
    proposed_by_vendor = models.BooleanField(_("承接方提出"), default=False)
    proposed_by = user_reference()
    proposed_at = models.DateTimeField(_("提出时间"))
    decided_by = user_reference()
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decision_note = models.TextField(_("确认意见"), blank=True)

    class Meta:
        verbose_name = _("合同变更")
        verbose_name_plural = _("合同变更")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="contracts_change_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} 变更{self.number}"

    @property
    def audit_scope(self) -> str:
        return self.contract.buyer.path


class ExtensionRequest(models.Model):
    """A request to extend the contract or one deliverable (延期申请), with the
    completion against plan at the moment of asking."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="extensions"
    )
    contract_item = models.ForeignKey(
        ContractItem,
        verbose_name=_("延期的事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extensions",
        help_text=_("空为整个合同延期。"),
    )
    reason = models.TextField(_("延期理由"))
    current_end_on = models.DateField(_("原期限"))
    requested_end_on = models.DateField(_("申请延至"))
    snapshot = models.JSONField(_("申请时完成情况"), default=dict)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    requested_by = user_reference()
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = user_reference()
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["contract", "-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_end_on__gt=models.F("current_end_on")),
                name="contracts_extension_moves_later",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} 延期至{self.requested_end_on}"

    @property
    def audit_scope(self) -> str:
        return self.contract.buyer.path


class DeliveryRecord(models.Model):
    """What the vendor reports it delivered of one item in one community over a
    period, confirmed or disputed by the community (社区签收)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="deliveries"
    )
    contract_item = models.ForeignKey(
        ContractItem, on_delete=models.PROTECT, related_name="deliveries"
    )
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    count = models.PositiveIntegerField(_("数量"))
    notes = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.REPORTED,
        db_index=True,
    )
    reported_by = user_reference()
    reported_at = models.DateTimeField(_("填报时间"))
    reviewed_by = user_reference()
    reviewed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    dispute_reason = models.TextField(_("异议理由"), blank=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="contracts_delivery_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_item} {self.count}"

    @property
    def audit_scope(self) -> str:
        return self.contract_item.community.path


class Evidence(models.Model):
    """A file backing a delivery record: sign-in sheet, photo or other file. Photos
    keep their capture time and place; a reused photo is flagged."""

    delivery = models.ForeignKey(
        DeliveryRecord, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="contracts/evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    phash = models.CharField(max_length=16, db_index=True, blank=True)
    captured_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复使用"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duplicate_distance = models.PositiveSmallIntegerField(null=True, blank=True)
    uploaded_by = user_reference()
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务佐证")
        verbose_name_plural = _("服务佐证")
        ordering = ["delivery", "id"]

    def __str__(self) -> str:
        return self.name


class ResidualWork(models.Model):
    """A contracted item that community staff still do themselves (社区自办)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="residual_work"
    )
    contract_item = models.ForeignKey(
        ContractItem, on_delete=models.PROTECT, related_name="residual_work"
    )
    happened_on = models.DateField(_("日期"))
    description = models.TextField(_("所做工作"))
    hours = models.DecimalField(_("工时（小时）"), max_digits=7, decimal_places=1)
    reason = models.TextField(_("原因"))
    recorded_by = user_reference()
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("社区自办记录")
        verbose_name_plural = _("社区自办记录")
        ordering = ["-happened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0),
                name="contracts_residual_hours_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_item} {self.hours}h"

    @property
    def audit_scope(self) -> str:
        return self.contract_item.community.path


class ExtraWork(models.Model):
    """A task given to the vendor outside the contract (合同外工作), e.g. preparing the
    community for an inspection (社区迎检)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="extra_work"
    )
    community = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    side = models.CharField(_("记录方"), max_length=20, choices=ExtraWorkSide.choices)
    requested_by_name = models.CharField(_("交办人（单位/姓名）"), max_length=120)
    description = models.TextField(_("工作内容"))
    assigned_on = models.DateField(_("交办日期"))
    hours = models.DecimalField(_("工时（小时）"), max_digits=7, decimal_places=1)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ExtraWorkStatus.choices,
        default=ExtraWorkStatus.RECORDED,
    )
    compensated = models.BooleanField(_("已补偿"), default=False)
    compensation = models.DecimalField(
        _("补偿金额（元）"), null=True, blank=True, **MONEY
    )
    vendor_response = models.TextField(_("承接组织意见"), blank=True)
    decision_note = models.TextField(_("认定意见"), blank=True)
    recorded_by = user_reference()
    recorded_at = models.DateTimeField(_("记录时间"))
    decided_by = user_reference()
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合同外工作")
        verbose_name_plural = _("合同外工作")
        ordering = ["-assigned_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0), name="contracts_extra_hours_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.description[:30]}"

    @property
    def audit_scope(self) -> str:
        return self.contract.buyer.path


class Acceptance(models.Model):
    """The acceptance (验收) of one period: a certificate with a line per standard
    (ACC-01), the service recipients' opinions (ACC-02), the published result
    (DIS-12); tranches name the acceptance they wait for (ACC-04)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="acceptances"
    )
    period_label = models.CharField(_("履约期"), max_length=60)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AcceptanceStatus.choices,
        default=AcceptanceStatus.DRAFT,
    )
    standards = models.JSONField(
        _("逐项验收"),
        default=list,
        help_text=_("[{item, standard, result, note}]"),
    )
    opinions = models.JSONField(
        _("服务对象意见"), default=list, help_text=_("[{source, name, opinion}]")
    )
    conclusion = models.TextField(_("验收结论"), blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = user_reference()
    published_on = models.DateField(_("结果公开日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")
        ordering = ["contract", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_label"],
                name="contracts_acceptance_period_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.period_label}"

    @property
    def audit_scope(self) -> str:
        return self.contract.buyer.path


class ContractFeedEntry(models.Model):
    """One row per change to a contract or anything on it, in commit order: the
    change feed REST clients poll with a cursor (the id)."""

    id = models.BigAutoField(primary_key=True)
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="feed"
    )
    action = models.SlugField(max_length=80)
    status = models.CharField(max_length=20)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("合同变动记录")
        verbose_name_plural = _("合同变动记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.contract_id} {self.action}"
