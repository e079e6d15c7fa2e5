"""Who may do what in the supplier register."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.decisions import ALLOW, Decision, deny

from .models import REGISTER_EDITORS, REGISTER_READERS, Vendor


def can_list_vendors(user: Any) -> Decision:
    if user.is_superuser or user.has_role(*REGISTER_READERS):
        return ALLOW
    return deny(_("只有区、街道、科室、社区工作人员和审计人员可以查看承接组织名录。"))


def _edits_register_at(user: Any, path: str) -> bool:
    """A district admin or street officer of the district that `path` lies in."""
    return user.is_superuser or any(
        path.startswith(d) for d in user.district_paths_for(*REGISTER_EDITORS)
    )


def _register_editor(user: Any, vendor: Vendor | None = None) -> bool:
    if vendor is None:
        return user.is_superuser or user.has_role(*REGISTER_EDITORS)
    return _edits_register_at(user, vendor.organisation.path)


def can_create_vendor(user: Any) -> Decision:
    if _register_editor(user):
        return ALLOW
    return deny(_("只有区级管理员和街道工作人员可以登记承接组织。"))


def can_edit_vendor(user: Any, vendor: Vendor) -> Decision:
    """Register fields, including the legal ones (name, credit code, legal representative)."""
    if _register_editor(user, vendor):
        return ALLOW
    return deny(_("只有区级管理员和街道工作人员可以修改名录信息。"))


def can_add_evidence(user: Any, vendor: Vendor) -> Decision:
    """Officers, and the vendor's own staff, upload evidence and record details."""
    if _register_editor(user, vendor) or is_vendor_staff(user, vendor):
        return ALLOW
    return deny(_("只有工作人员或该组织自己的人员可以上传材料。"))


def can_record_credit_check(user: Any, vendor: Vendor) -> Decision:
    """Credit checks are the buyer's duty (CR-01); a vendor cannot clear itself."""
    if _register_editor(user, vendor):
        return ALLOW
    return deny(_("信用查询须由采购人（区、街道工作人员）记录。"))


def can_see_full_id_numbers(user: Any, vendor: Vendor) -> bool:
    """Only the administrators of the vendor's own district see full ID numbers."""
    if user.is_superuser:
        return True
    return any(
        vendor.organisation.path.startswith(d)
        for d in user.district_paths_for(Role.DISTRICT_ADMIN)
    )


def is_vendor_staff(user: Any, vendor: Vendor) -> bool:
    return any(
        m.role == Role.VENDOR_STAFF and m.organisation_id == vendor.organisation_id
        for m in user.active_memberships()
    )


def can_submit_profile(user: Any, vendor: Vendor) -> Decision:
    """A vendor's own staff edit its profile; legal fields go to an officer for approval."""
    if is_vendor_staff(user, vendor):
        return ALLOW
    return deny(_("只有本组织的人员可以提交资料修改。"))


def can_decide_change(user: Any, vendor: Vendor) -> Decision:
    if _register_editor(user, vendor):
        return ALLOW
    return deny(_("只有区级管理员和街道工作人员可以审核变更申请。"))


# --- incubation -----------------------------------------------------------------------


def can_view_incubation(user: Any) -> Decision:
    """The board and the centres: the register's readers, and the experts who sit on
    admission panels."""
    if can_list_vendors(user) or user.has_role(Role.EXPERT):
        return ALLOW
    return deny(_("只有工作人员和评审专家可以查看孵化看板和孵化中心。"))


def can_set_up_centre(user: Any) -> Decision:
    if _register_editor(user):
        return ALLOW
    return deny(_("只有区级管理员和街道工作人员可以设立孵化中心。"))


def can_manage_centre(user: Any, region: Any) -> Decision:
    """The officers of the region's district change a centre and open its intakes."""
    if _edits_register_at(user, region.path):
        return ALLOW
    return deny(_("只有本区的区级管理员和街道工作人员可以管理孵化中心。"))
