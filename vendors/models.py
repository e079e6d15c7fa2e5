"""Suppliers (social organisations and others), their eligibility evidence, credit
checks, annual reports and related persons."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.models import TimeStampedModel
from core.querysets import VisibleQuerySet

from .choices import (
    FINAL_STATUSES,
    SEAT_STATUSES,
    ApplicationStatus,
    ChangeRequestStatus,
    CreditList,
    CreditResult,
    DocumentKind,
    Grade,
    LogKind,
    OrgType,
    PersonRole,
    ReportResult,
    Standing,
    VendorStatus,
)

# Roles that keep the supplier register (read); the first two also change it.
REGISTER_READERS = (
    Role.DISTRICT_ADMIN,
    Role.STREET_OFFICER,
    Role.DEPARTMENT_STAFF,
    Role.COMMUNITY_STAFF,
    Role.AUDITOR,
)
REGISTER_EDITORS = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)


def register_scope_q(
    user, action: str, own_path_field: str, district_path_field: str
) -> models.Q | None:
    """Who sees what of the register: a vendor's staff their own organisation's rows
    (others answer 404); officers the rows of the districts where they hold a role."""
    if user.is_superuser:
        return None
    q = models.Q(pk__in=[])
    for m in user.active_memberships():
        if m.role == Role.VENDOR_STAFF:
            q |= models.Q(**{own_path_field: m.organisation.path})
    roles = REGISTER_READERS if action == "view" else REGISTER_EDITORS
    for path in user.district_paths_for(*roles):
        q |= models.Q(**{f"{district_path_field}__startswith": path})
    return q


class VendorQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        return register_scope_q(
            user, action, "organisation__path", "organisation__path"
        )

    def for_list(self) -> VendorQuerySet:
        return self.select_related("organisation").prefetch_related("streets")


class Vendor(TimeStampedModel):
    """A supplier in the district's register, tied to an Organisation of kind vendor
    (so its staff can hold memberships). One register serves every stage after it."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="vendor",
        verbose_name=_("组织"),
    )
    org_type = models.CharField(_("主体类型"), max_length=30, choices=OrgType.choices)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True
    )
    registration_authority = models.CharField(
        _("登记管理机关"), max_length=100, blank=True
    )
    registration_date = models.DateField(_("登记日期"), null=True, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    streets = models.ManyToManyField(
        "accounts.Organisation",
        related_name="serving_vendors",
        blank=True,
        verbose_name=_("服务街道"),
    )
    communities = models.ManyToManyField(
        "accounts.Organisation",
        related_name="+",
        blank=True,
        verbose_name=_("服务社区"),
    )
    fulltime_staff = models.PositiveIntegerField(_("专职人员"), default=0)
    parttime_staff = models.PositiveIntegerField(_("兼职人员"), default=0)
    volunteers = models.PositiveIntegerField(_("志愿者"), default=0)
    grade = models.CharField(
        _("社会组织评估等级"), max_length=2, choices=Grade.choices, blank=True
    )
    graded_on = models.DateField(_("评估日期"), null=True, blank=True)
    excluded_public_body = models.BooleanField(
        _("公益一类事业单位或财政拨款的群团组织"),
        default=False,
        help_text=_("政府购买服务管理办法第八条：此类单位不得作为承接主体。"),
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=VendorStatus.choices,
        default=VendorStatus.ACTIVE,
    )
    note = models.TextField(_("备注"), blank=True)

    objects = VendorQuerySet.as_manager()

    class Meta:
        verbose_name = _("承接组织")
        verbose_name_plural = _("承接组织")
        ordering = ["organisation__code"]

    def __str__(self) -> str:
        return self.organisation.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:vendor-detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def audit_scope(self) -> str:
        return self.organisation.path

    def grade_valid_on(self, on: dt.date, validity_years: int) -> bool:
        """Whether the rating is still valid (PE-07: valid for a number of years)."""
        if not self.grade or not self.graded_on:
            return False
        try:
            until = self.graded_on.replace(year=self.graded_on.year + validity_years)
        except ValueError:  # 29 February
            until = self.graded_on.replace(
                year=self.graded_on.year + validity_years, day=28
            )
        return on < until


class AnnualReport(models.Model):
    """The annual inspection / annual report result for one year."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(_("结论"), max_length=30, choices=ReportResult.choices)

    class Meta:
        verbose_name = _("年检/年报")
        verbose_name_plural = _("年检/年报")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "year"], name="uniq_vendor_report_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.year} {self.get_result_display()}"


class CreditCheck(models.Model):
    """One query of a credit list (CR-01, CR-08): channel, time, result and evidence."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="credit_checks"
    )
    list_kind = models.CharField(_("名单"), max_length=40, choices=CreditList.choices)
    channel = models.CharField(_("查询渠道"), max_length=120)
    checked_at = models.DateTimeField(_("查询时间"))
    result = models.CharField(
        _("查询结果"), max_length=10, choices=CreditResult.choices
    )
    note = models.TextField(_("说明"), blank=True)
    evidence = models.FileField(
        _("查询截图或记录"), upload_to="vendors/credit/%Y/", blank=True
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("信用查询")
        verbose_name_plural = _("信用查询")
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["vendor", "list_kind", "checked_at"])]

    def __str__(self) -> str:
        return (
            f"{self.vendor} {self.get_list_kind_display()} {self.get_result_display()}"
        )


class EligibilityDocument(TimeStampedModel):
    """An eligibility document with its validity dates. The daily job marks and
    notifies the expired ones."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("类型"), max_length=40, choices=DocumentKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="vendors/documents/%Y/", blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(
        _("有效期至"), null=True, blank=True, help_text=_("含当日；为空表示长期有效。")
    )
    expiry_notified_on = models.DateField(
        _("已发送到期通知"), null=True, blank=True, editable=False
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("资格证明材料")
        verbose_name_plural = _("资格证明材料")
        ordering = ["kind", "-valid_until"]
        indexes = [models.Index(fields=["valid_until"])]

    def __str__(self) -> str:
        return f"{self.vendor} {self.title}"

    @property
    def audit_scope(self) -> str:
        return self.vendor.organisation.path

    def is_expired(self, on: dt.date) -> bool:
        return self.valid_until is not None and self.valid_until < on


class RelatedPerson(TimeStampedModel):
    """A founder, legal representative, director or key staff member, kept for
    conflict-of-interest checks (COM-08, CR-07, INC-09). The resident ID number is
    encrypted at rest and shown masked to everyone but district administrators."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="related_persons"
    )
    name = models.CharField(_("姓名"), max_length=60)
    role = models.CharField(_("身份"), max_length=30, choices=PersonRole.choices)
    id_number_encrypted = models.TextField(
        _("身份证号码（加密）"), blank=True, editable=False
    )
    id_number_index = models.CharField(
        max_length=32, blank=True, db_index=True, editable=False
    )
    id_number_tail = models.CharField(max_length=4, blank=True, editable=False)
    former_posts = models.JSONField(_("曾任职务"), default=list, blank=True)

    class Meta:
        verbose_name = _("关联人员")
        verbose_name_plural = _("关联人员")
        ordering = ["vendor", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    @property
    def id_number_plain(self) -> str:
        from core.crypto import decrypt_text

        return decrypt_text(self.id_number_encrypted)

    @property
    def masked_id_number(self) -> str:
        return f"{'*' * 14}{self.id_number_tail}" if self.id_number_tail else ""


class VendorChangeRequest(TimeStampedModel):
    """A change to a vendor's legal fields (name, credit code, legal representative …)
    asked for by its own staff; it takes effect only when an officer approves it."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="change_requests"
    )
    changes = models.JSONField(_("变更内容"), help_text=_("字段 → [原值, 新值]"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("名录信息变更申请")
        verbose_name_plural = _("名录信息变更申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor"],
                condition=models.Q(status="pending"),
                name="one_pending_change_per_vendor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.get_status_display()}"

    @property
    def audit_scope(self) -> str:
        return self.vendor.organisation.path


class IncubationCentreQuerySet(VisibleQuerySet):
    def visibility_filter(self, user, action: str) -> models.Q | None:
        """Everybody of a district sees its centres (they are not confidential);
        who may change one is a permission, not a visibility."""
        if user.is_superuser:
            return None
        q = models.Q(pk__in=[])
        for path in user.district_paths():
            q |= models.Q(region__path__startswith=path)
        return q


class IncubationCentre(TimeStampedModel):
    """An incubation centre (孵化中心) run for a district or a street, with its operator
    (often itself a purchased service) and capacity. Its operator and staff must not
    judge the organisations it incubated (INC-09)."""

    region = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="incubation_centres",
        verbose_name=_("服务范围"),
    )
    name = models.CharField(_("名称"), max_length=120)
    operator = models.ForeignKey(
        Vendor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operated_centres",
        verbose_name=_("运营方"),
    )
    staff = models.JSONField(
        _("工作人员"), default=list, blank=True, help_text=_("[{name, role}]")
    )
    staff_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="incubation_centres_staffed",
        verbose_name=_("工作人员账号"),
        help_text=_("使用本系统的中心工作人员：他们不得评审其孵化的组织（INC-09）。"),
    )
    seats = models.PositiveIntegerField(_("工位"), default=0)
    rooms = models.PositiveIntegerField(_("活动室"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    objects = IncubationCentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("孵化中心")
        verbose_name_plural = _("孵化中心")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="unique_centre_name_per_region"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope(self) -> str:
        return self.region.path


class IntakeRound(models.Model):
    """One intake (招募批次) of a centre, with its application window."""

    centre = models.ForeignKey(
        IncubationCentre, on_delete=models.CASCADE, related_name="rounds"
    )
    name = models.CharField(_("批次"), max_length=60)
    opens_on = models.DateField(_("开始受理"))
    closes_on = models.DateField(_("截止受理"))
    description = models.TextField(
        _("招募说明"),
        blank=True,
        help_text=_("招募对象、入驻条件、需提交的材料和评审方式。"),
    )

    class Meta:
        verbose_name = _("入驻招募批次")
        verbose_name_plural = _("入驻招募批次")
        ordering = ["-opens_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "name"], name="unique_round_name_per_centre"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.name}"

    def is_open(self, on) -> bool:
        return self.opens_on <= on <= self.closes_on


class IncubationApplicationQuerySet(VisibleQuerySet):
    def open(self) -> IncubationApplicationQuerySet:
        """Not yet closed, rejected or exited: an organisation has one at a time."""
        return self.exclude(status__in=FINAL_STATUSES)

    def holding_seats(self) -> IncubationApplicationQuerySet:
        return self.filter(status__in=SEAT_STATUSES)

    def visibility_filter(self, user, action: str) -> models.Q | None:
        q = register_scope_q(
            user, action, "vendor__organisation__path", "round__centre__region__path"
        )
        if q is None or action != "view":
            return q
        # The district's experts see the applications awaiting the panel, and
        # those they have scored.
        for path in user.district_paths_for(Role.EXPERT):
            q |= models.Q(round__centre__region__path__startswith=path) & (
                models.Q(status=ApplicationStatus.APPLIED)
                | models.Q(
                    pk__in=IncubationReview.objects.filter(
                        reviewer_account=user
                    ).values("application_id")
                )
            )
        return q


class IncubationApplication(TimeStampedModel):
    """An organisation's (or a founding team's) way through the six steps.
    Status changes only through the named transitions in vendors.workflows."""

    round = models.ForeignKey(
        IntakeRound,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("批次"),
    )
    vendor = models.ForeignKey(
        Vendor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubations",
        verbose_name=_("承接组织"),
    )
    team_name = models.CharField(_("名称（未登记团队）"), max_length=120, blank=True)
    purpose = models.TextField(_("宗旨"))
    service_plan = models.TextField(_("服务计划"))
    core_members = models.JSONField(
        _("核心成员"), default=list, help_text=_("[{name, former_post}]")
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.APPLIED,
    )
    assessment = models.JSONField(_("评估记录"), default=dict, blank=True)
    seat = models.CharField(_("工位"), max_length=40, blank=True)
    agreement_no = models.CharField(_("入驻协议编号"), max_length=60, blank=True)
    start_date = models.DateField(_("入驻日期"), null=True, blank=True)
    planned_end = models.DateField(_("计划出壳日期"), null=True, blank=True)
    extended = models.BooleanField(_("已延期"), default=False)
    graduation = models.JSONField(_("出壳评估"), default=dict, blank=True)
    graduated_on = models.DateField(_("出壳日期"), null=True, blank=True)
    tracking_until = models.DateField(_("跟踪至"), null=True, blank=True)
    exit_reason = models.TextField(_("退出理由"), blank=True)
    decided_reason = models.TextField(_("评估意见"), blank=True)

    objects = IncubationApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("入驻孵化申请")
        verbose_name_plural = _("入驻孵化申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("vendors:incubation-detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.vendor.name if self.vendor is not None else self.team_name

    @property
    def audit_scope(self) -> str:
        return self.round.centre.region.path


class IncubationReview(models.Model):
    """One panel member's score sheet in the admission assessment (评估). The panel's
    mean weighted total decides whether the application may be admitted."""

    application = models.ForeignKey(
        IncubationApplication, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.CharField(_("评审人"), max_length=60)
    reviewer_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("评审人账号"),
    )
    scores = models.JSONField(_("各项得分"), default=dict)
    weights = models.JSONField(_("权重"), default=dict)
    total = models.DecimalField(_("加权总分"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("评审意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("入驻评审评分表")
        verbose_name_plural = _("入驻评审评分表")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_sheet_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.total}"


class IncubationLog(models.Model):
    """Mentoring, training, activities, milestones, registration help, the mid-term
    review and follow-up visits of an incubation."""

    application = models.ForeignKey(
        IncubationApplication, on_delete=models.CASCADE, related_name="logs"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=LogKind.choices)
    date = models.DateField(_("日期"))
    note = models.TextField(_("记录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("孵化记录")
        verbose_name_plural = _("孵化记录")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class VendorStanding(models.Model):
    """An organisation's standing on one district's published admission list (准入名单)
    for a year, written by the assessments app when the list is published or an
    appeal decided. A non-binding register (RULES §9.6): procurement reads it to bar
    an eliminated organisation from 比选 invitations until its cooling-off date, and
    only shows it in 公开招标 and 磋商 (PM-12)."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="standings"
    )
    district = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    standing = models.CharField(_("名单结论"), max_length=20, choices=Standing.choices)
    decided_on = models.DateField(_("决定日期"))
    cooling_off_until = models.DateField(_("不得受邀参加比选至"), null=True, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("准入名单结论")
        verbose_name_plural = _("准入名单结论")
        ordering = ["-year", "vendor"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "district", "year"], name="one_standing_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.year} {self.get_standing_display()}"
