"""The contract's and the payment tranche's transitions: declarative tables (pure, no
writes). Pages render buttons from them and the API returns `allowed_actions`.

Contract: 草稿 → 承接方已签 → 履行中 → 履行完毕, with 已终止 as the way out.
Tranche: 未满足条件 → 已申请 → 已审批 → 已支付, 已取消 when the contract ends early.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.decisions import ALLOW, Decision, deny

from .choices import (
    OPEN_STATUSES,
    SIGNED_STATUSES,
    AcceptanceStatus,
    ContractStatus,
    DeliveryStatus,
    ExtraWorkStatus,
    TrancheStatus,
)
from .models import Contract, DeliveryRecord, ExtraWork, PaymentTranche
from .permissions import (
    can_act_for_community,
    can_act_for_vendor,
    can_change_contract,
    can_manage_contract,
    can_record_extra_work,
    community_ids_of,
    contract_community_ids,
    is_contract_manager,
    is_contract_vendor,
)

S = ContractStatus
T = TrancheStatus


def _can_act_for_any_community(user: Any, contract: Contract) -> Decision:
    if community_ids_of(user) & contract_community_ids(contract):
        return ALLOW
    return deny(_("只有本合同服务社区的工作人员可以办理。"))


def _not_yet_published(contract: Contract) -> Decision:
    if contract.published_on is None:
        return ALLOW
    return deny(_("合同已公开。"))


def _not_yet_filed(contract: Contract) -> Decision:
    if contract.filed_on is None:
        return ALLOW
    return deny(_("合同已备案。"))


def _term_over(contract: Contract) -> Decision:
    if contract.end_on <= timezone.localdate():
        return ALLOW
    return deny(_("履行期限尚未届满。"))


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str | None
    permission: Callable[[Any, Any], Decision] = can_manage_contract
    guards: tuple[Callable[[Any], Decision], ...] = field(default=())


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("update", _("修改草稿"), frozenset({S.DRAFT}), None),
        Transition(
            "sign",
            _("承接方签署"),
            frozenset({S.DRAFT}),
            S.VENDOR_SIGNED,
            can_act_for_vendor,
        ),
        Transition(
            "countersign", _("购买主体签署"), frozenset({S.VENDOR_SIGNED}), S.ACTIVE
        ),
        Transition(
            "publish",
            _("登记合同公开"),
            frozenset(SIGNED_STATUSES),
            None,
            guards=(_not_yet_published,),
        ),
        Transition(
            "file",
            _("登记合同备案"),
            frozenset(SIGNED_STATUSES),
            None,
            guards=(_not_yet_filed,),
        ),
        Transition(
            "propose_change",
            _("提出变更"),
            frozenset({S.ACTIVE}),
            None,
            can_change_contract,
        ),
        Transition(
            "request_extension",
            _("申请延期"),
            frozenset({S.ACTIVE}),
            None,
            can_act_for_vendor,
        ),
        Transition(
            "report_delivery",
            _("填报服务记录"),
            frozenset({S.ACTIVE}),
            None,
            can_act_for_vendor,
        ),
        Transition(
            "record_residual",
            _("登记社区自办"),
            frozenset({S.ACTIVE}),
            None,
            _can_act_for_any_community,
        ),
        Transition(
            "record_extra_work",
            _("登记合同外工作"),
            frozenset({S.ACTIVE}),
            None,
            can_record_extra_work,
        ),
        Transition(
            "create_acceptance",
            _("组织验收"),
            frozenset({S.ACTIVE, S.COMPLETED}),
            None,
        ),
        Transition(
            "complete",
            _("履行完毕"),
            frozenset({S.ACTIVE}),
            S.COMPLETED,
            guards=(_term_over,),
        ),
        Transition("terminate", _("终止合同"), frozenset(OPEN_STATUSES), S.TERMINATED),
    )
}

# What a user may see in the list of actions, in this order.
ACTION_ORDER = list(TRANSITIONS)


def transition_decision(user: Any, contract: Contract, name: str) -> Decision:
    """May `user` run transition `name` on `contract` now? With the reason if not."""
    t = TRANSITIONS[name]
    if contract.status not in t.sources:
        return deny(
            _("合同当前状态（%(status)s）不允许此操作。")
            % {"status": contract.get_status_display()},
            code="transition_not_allowed",
        )
    decision = t.permission(user, contract)
    if not decision.allowed:
        return decision
    for guard in t.guards:
        d = guard(contract)
        if not d.allowed:
            return deny(d.reason, code="transition_not_allowed")
    return ALLOW


def allowed_actions(user: Any, contract: Contract) -> list[str]:
    """The names of the transitions `user` may run on `contract` now."""
    return [n for n in ACTION_ORDER if transition_decision(user, contract, n).allowed]


# --- payment tranches --------------------------------------------------------


def tranche_release_reasons(tranche: PaymentTranche) -> list[str]:
    """Why a tranche may not be asked for yet (empty: its conditions are met)."""
    reasons: list[str] = []
    contract = tranche.contract
    if contract.status not in (S.ACTIVE, S.COMPLETED):
        reasons.append(str(_("合同未生效或已终止。")))
    if tranche.needs_acceptance:
        acc = tranche.acceptance
        if acc is None or acc.status != AcceptanceStatus.PASSED:
            reasons.append(
                str(
                    _("须“%(period)s”验收合格。")
                    % {"period": tranche.period_label or _("本期")}
                )
            )
    if tranche.min_grade and not tranche.grade:
        reasons.append(str(_("须待本期考核结果。")))
    return reasons


def _can_request_tranche(user: Any, tranche: PaymentTranche) -> Decision:
    if is_contract_vendor(user, tranche.contract) or is_contract_manager(
        user, tranche.contract
    ):
        return ALLOW
    return deny(_("只有承接组织或购买主体可以申请付款。"))


def _released(tranche: PaymentTranche) -> Decision:
    reasons = tranche_release_reasons(tranche)
    if reasons:
        return deny(" ".join(reasons))
    return ALLOW


def _can_approve_tranche(user: Any, tranche: PaymentTranche) -> Decision:
    d = can_manage_contract(user, tranche.contract)
    if not d.allowed:
        return d
    # Separation of duties: whoever asked for the money does not approve it.
    if tranche.requested_by_id is not None and tranche.requested_by_id == user.pk:
        return deny(_("付款申请人不能审批自己的申请。"))
    return ALLOW


def _can_pay_tranche(user: Any, tranche: PaymentTranche) -> Decision:
    return can_manage_contract(user, tranche.contract)


@dataclass(frozen=True)
class ChildTransition:
    """A transition of something on a contract (a tranche, a delivery record, an
    extra-work record): its own statuses, and the contract statuses it needs."""

    name: str
    label: Any
    sources: frozenset[str]
    target: str | None
    permission: Callable[[Any, Any], Decision]
    guards: tuple[Callable[[Any], Decision], ...] = field(default=())
    contract_statuses: frozenset[str] | None = None  # None: the guards decide


def child_decision(
    table: dict[str, ChildTransition], user: Any, obj: Any, name: str
) -> Decision:
    """May `user` run `name` on `obj` now? With the reason if not. The system
    (`user` None) needs only the statuses to fit."""
    t = table[name]
    contract = obj.contract
    if t.contract_statuses is not None and contract.status not in t.contract_statuses:
        return deny(
            _("合同当前状态（%(status)s）不允许此操作。")
            % {"status": contract.get_status_display()},
            code="transition_not_allowed",
        )
    if obj.status not in t.sources:
        return deny(
            _("当前状态（%(status)s）不允许此操作。")
            % {"status": obj.get_status_display()},
            code="transition_not_allowed",
        )
    if user is None:
        return ALLOW
    decision = t.permission(user, obj)
    if not decision.allowed:
        return decision
    for guard in t.guards:
        d = guard(obj)
        if not d.allowed:
            return deny(d.reason, code="transition_not_allowed")
    return ALLOW


TRANCHE_TRANSITIONS: dict[str, ChildTransition] = {
    t.name: t
    for t in (
        ChildTransition(
            "request",
            _("申请付款"),
            frozenset({T.PENDING}),
            T.REQUESTED,
            _can_request_tranche,
            (_released,),
        ),
        ChildTransition(
            "approve",
            _("审批付款"),
            frozenset({T.REQUESTED}),
            T.APPROVED,
            _can_approve_tranche,
            (_released,),
        ),
        ChildTransition(
            "pay", _("登记支付"), frozenset({T.APPROVED}), T.PAID, _can_pay_tranche
        ),
    )
}


def tranche_decision(user: Any, tranche: PaymentTranche, name: str) -> Decision:
    return child_decision(TRANCHE_TRANSITIONS, user, tranche, name)


def tranche_allowed_actions(user: Any, tranche: PaymentTranche) -> list[str]:
    return [
        n for n in TRANCHE_TRANSITIONS if tranche_decision(user, tranche, n).allowed
    ]


# --- delivery and extra-work records ------------------------------------------


def _vendor_of(user: Any, obj: Any) -> Decision:
    return can_act_for_vendor(user, obj.contract)


def _community_of(user: Any, delivery: DeliveryRecord) -> Decision:
    return can_act_for_community(
        user, delivery.contract, delivery.contract_item.community_id
    )


def _officer_of(user: Any, extra: ExtraWork) -> Decision:
    return can_manage_contract(user, extra.contract)


D = DeliveryStatus
X = ExtraWorkStatus
IN_FORCE = frozenset({S.ACTIVE})
# Community staff may still review what was delivered after the term has ended.
REVIEW_CONTRACT_STATUSES = frozenset({S.ACTIVE, S.COMPLETED, S.TERMINATED})

DELIVERY_TRANSITIONS: dict[str, ChildTransition] = {
    t.name: t
    for t in (
        ChildTransition(
            "confirm",
            _("社区签收"),
            frozenset({D.REPORTED}),
            D.CONFIRMED,
            _community_of,
            contract_statuses=REVIEW_CONTRACT_STATUSES,
        ),
        ChildTransition(
            "dispute",
            _("提出异议"),
            frozenset({D.REPORTED}),
            D.DISPUTED,
            _community_of,
            contract_statuses=REVIEW_CONTRACT_STATUSES,
        ),
        ChildTransition(
            "correct",
            _("更正"),
            frozenset({D.DISPUTED}),
            D.REPORTED,
            _vendor_of,
            contract_statuses=IN_FORCE,
        ),
        ChildTransition(
            "withdraw",
            _("撤回"),
            frozenset({D.REPORTED, D.DISPUTED}),
            D.WITHDRAWN,
            _vendor_of,
            contract_statuses=IN_FORCE,
        ),
        ChildTransition(
            "add_evidence",
            _("补充佐证"),
            frozenset({D.REPORTED, D.DISPUTED}),
            None,
            _vendor_of,
            contract_statuses=IN_FORCE,
        ),
    )
}

EXTRA_WORK_TRANSITIONS: dict[str, ChildTransition] = {
    t.name: t
    for t in (
        ChildTransition(
            "approve",
            _("确认"),
            frozenset({X.RECORDED, X.DISPUTED}),
            X.APPROVED,
            _officer_of,
            contract_statuses=REVIEW_CONTRACT_STATUSES,
        ),
        ChildTransition(
            "refuse",
            _("不予认定"),
            frozenset({X.RECORDED, X.DISPUTED}),
            X.REFUSED,
            _officer_of,
            contract_statuses=REVIEW_CONTRACT_STATUSES,
        ),
        ChildTransition(
            "dispute",
            _("提出异议"),
            frozenset({X.RECORDED, X.APPROVED}),
            X.DISPUTED,
            _vendor_of,
            contract_statuses=REVIEW_CONTRACT_STATUSES,
        ),
        ChildTransition(
            "compensate",
            _("登记补偿"),
            frozenset({X.APPROVED}),
            None,
            _officer_of,
            contract_statuses=REVIEW_CONTRACT_STATUSES,
        ),
    )
}


def delivery_decision(user: Any, delivery: DeliveryRecord, name: str) -> Decision:
    """May `user` run `name` (confirm, dispute, correct, withdraw, add_evidence) on
    the delivery record now? With the reason if not."""
    return child_decision(DELIVERY_TRANSITIONS, user, delivery, name)


def extra_work_decision(user: Any, extra: ExtraWork, name: str) -> Decision:
    """May `user` run `name` (approve, refuse, dispute, compensate) on the extra-work
    record now? With the reason if not."""
    return child_decision(EXTRA_WORK_TRANSITIONS, user, extra, name)
