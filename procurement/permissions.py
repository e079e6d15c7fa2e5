"""Who may do what in procurement. Each predicate returns a Decision with its reason;
pages, the API and the services all ask the same ones."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind, Role
from core.decisions import ALLOW, Decision, deny
from vendors.permissions import is_vendor_staff

from .choices import MemberStatus, Method, ProjectStatus
from .models import BUYER_ROLES, READER_ROLES, CommitteeMember, ProcurementProject


def can_view_procurement(user: Any) -> Decision:
    """The list of projects: buyers' staff, committee members and vendor staff."""
    if user.is_superuser or user.has_role(
        *READER_ROLES, Role.EXPERT, Role.VENDOR_STAFF
    ):
        return ALLOW
    return deny(_("只有工作人员、评审专家和承接组织人员可以查看采购项目。"))


def can_create_project(user: Any, buyer: Any = None) -> Decision:
    """A street officer for their street, a district admin for the district's streets."""
    if buyer is None:
        ok = user.is_superuser or user.has_role(*BUYER_ROLES)
    else:
        ok = buyer.kind == OrganisationKind.STREET and (
            user.is_superuser or user.has_role(*BUYER_ROLES, at_path=buyer.path)
        )
    if ok:
        return ALLOW
    return deny(_("只有街道工作人员和区级管理员可以为本街道立项采购。"))


def can_manage_project(user: Any, project: ProcurementProject) -> Decision:
    """The buyer's officers run the procedure."""
    if user.is_superuser or user.has_role(*BUYER_ROLES, at_path=project.buyer.path):
        return ALLOW
    return deny(_("只有采购人（本街道工作人员或区级管理员）可以办理此采购。"))


def invitation_state(project: ProcurementProject, now: Any = None) -> Decision:
    """Whether the project takes invitations now: a 比选 (PM-11) still a draft or
    announced, before its deadline. 公开招标 and 磋商 never do: a list that limits who
    may take part is unlawful inside 政府采购 (PM-12)."""
    if project.method != Method.BIXUAN:
        return deny(
            _(
                "只有比选项目可以邀请组织参加；政府采购活动中不得以名单限制供应商参加（PM-12）。"
            ),
            code="not_bixuan",
        )
    if project.status not in (ProjectStatus.DRAFT, ProjectStatus.ANNOUNCED):
        return deny(
            _("“%(status)s”阶段不能邀请或撤销邀请。")
            % {"status": project.get_status_display()},
            code="transition_not_allowed",
        )
    now = now or timezone.now()
    if project.bid_deadline is not None and now >= project.bid_deadline:
        return deny(
            _("响应截止时间已过，不能再邀请或撤销邀请。"), code="deadline_passed"
        )
    return ALLOW


def can_invite(user: Any, project: ProcurementProject, now: Any = None) -> Decision:
    """邀请比选: the buyer's officers, while the project takes invitations."""
    decision = can_manage_project(user, project)
    if not decision:
        return decision
    return invitation_state(project, now)


def is_buyer_staff(user: Any, project: ProcurementProject) -> bool:
    """Staff of the buying street (its officers, departments, or the district's
    admins): they may sit only as buyer representatives, never as experts (COM-07)."""
    return user.has_role(
        Role.STREET_OFFICER,
        Role.DISTRICT_ADMIN,
        Role.DEPARTMENT_STAFF,
        at_path=project.buyer.path,
    )


def committee_seat(user: Any, project: ProcurementProject) -> CommitteeMember | None:
    """The user's active seat on the project's committee, if any."""
    for m in project.committee.all():
        if m.user_id == user.pk and m.status == MemberStatus.ACTIVE:
            return m
    return None


def can_score(user: Any, project: ProcurementProject) -> Decision:
    if committee_seat(user, project) is not None:
        return ALLOW
    return deny(_("只有评审小组的在任成员可以评分。"))


def bidding_vendor(user: Any, vendor: Any) -> Decision:
    """Only a vendor's own staff bid, withdraw or challenge for it."""
    if is_vendor_staff(user, vendor):
        return ALLOW
    return deny(_("只有本组织的人员可以递交、撤回投标或提出质疑。"))
