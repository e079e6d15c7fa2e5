"""Who may do what with a contract. Each predicate returns a Decision with its reason;
pages, the API and the services all ask the same ones. Visibility (who may see a
contract at all) is `Contract.objects.visible_to(user)`; these predicates decide
actions on a visible contract."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.decisions import ALLOW, Decision, deny
from vendors.permissions import is_vendor_staff

from .models import MANAGER_ROLES, READER_ROLES, Contract


def is_contract_manager(user: Any, contract: Contract) -> bool:
    """The buyer's officers (the street's officers, the district's admins)."""
    return bool(
        user.is_superuser or user.has_role(*MANAGER_ROLES, at_path=contract.buyer.path)
    )


def is_buyer_reader(user: Any, contract: Contract) -> bool:
    return bool(
        user.is_superuser or user.has_role(*READER_ROLES, at_path=contract.buyer.path)
    )


def is_contract_vendor(user: Any, contract: Contract) -> bool:
    return is_vendor_staff(user, contract.vendor)


def community_ids_of(user: Any) -> set[int]:
    """The communities a user works for as community staff."""
    return {
        m.organisation_id
        for m in user.active_memberships()
        if m.role == Role.COMMUNITY_STAFF
    }


def contract_community_ids(contract: Contract) -> set[int]:
    """The communities the contract serves (cached on the instance)."""
    cached = getattr(contract, "_community_ids", None)
    if cached is None:
        cached = set(contract.items.values_list("community_id", flat=True).distinct())
        contract._community_ids = cached  # type: ignore[attr-defined]
    return cached


def is_department_staff(user: Any, contract: Contract) -> bool:
    return bool(user.has_role(Role.DEPARTMENT_STAFF, at_path=contract.buyer.path))


def can_view_contracts(user: Any) -> Decision:
    """The contract list: buyer staff, community staff, vendor staff, and a street's
    read-only API token."""
    if getattr(user, "token_street_path", None) is not None:
        return ALLOW
    if user.is_superuser or user.has_role(
        *READER_ROLES, Role.COMMUNITY_STAFF, Role.ASSESSOR, Role.VENDOR_STAFF
    ):
        return ALLOW
    return deny(_("只有工作人员、社区工作人员和承接组织人员可以查看合同。"))


def can_manage_contract(user: Any, contract: Contract) -> Decision:
    """Drafting, countersigning, publication, filing, changes, payments, acceptance
    and termination are the buyer's officers' work."""
    if is_contract_manager(user, contract):
        return ALLOW
    return deny(_("只有购买主体（本街道工作人员或区级管理员）可以办理此合同。"))


def can_act_for_vendor(user: Any, contract: Contract) -> Decision:
    """Signing, delivery reports, extension requests and replies to extra work are
    the vendor's own staff's."""
    if is_contract_vendor(user, contract):
        return ALLOW
    return deny(_("只有承接组织本单位人员可以办理。"))


def can_act_for_community(
    user: Any, contract: Contract, community_id: int | None = None
) -> Decision:
    """Community staff confirm deliveries and record residual work for their own
    community."""
    mine = community_ids_of(user)
    if mine and (community_id is None or community_id in mine):
        return ALLOW
    return deny(_("只有该社区的工作人员可以办理。"))


def can_record_extra_work(user: Any, contract: Contract) -> Decision:
    """A department, a community of the contract, or the vendor itself records work
    given outside the contract."""
    if (
        is_contract_manager(user, contract)
        or is_department_staff(user, contract)
        or community_ids_of(user) & contract_community_ids(contract)
        or is_contract_vendor(user, contract)
    ):
        return ALLOW
    return deny(_("只有街道科室、社区或承接组织可以登记合同外工作。"))


def can_change_contract(user: Any, contract: Contract) -> Decision:
    """Either party may propose a change; the other must agree (CT-01)."""
    if is_contract_manager(user, contract) or is_contract_vendor(user, contract):
        return ALLOW
    return deny(_("只有合同双方可以提出或确认变更。"))
