"""Changes and supplementary agreements (变更 / 补充协议): one side proposes, the other
agrees (CT-01: neither party changes the contract on its own), every effective change
is a new version, and additions of the same subject matter stay within the cap."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation, User
from catalogue.rules import rule_value
from core.dates import as_date
from core.exceptions import Conflict, NotFound, NotPermitted, ValidationFailed

from ..choices import ChangeKind, ChangeReason, ChangeStatus, TrancheStatus
from ..models import (
    Contract,
    ContractChange,
    ContractItem,
    ContractVersion,
    PaymentTranche,
)
from ..permissions import is_contract_manager, is_contract_vendor
from ..selectors import contract_snapshot
from ._common import check, lock_contract, money, non_negative_int, record
from .payments import tranche_deduction

CENT = Decimal("0.01")


def additions_share(contract: Contract) -> Decimal:
    """The cap on additions as a share of the original value (CT-01), in %."""
    return Decimal(
        str(
            rule_value(
                "contract.additions.max_share",
                contract.district,
                contract.award_notice_on,
            )
        )
    )


def additions_cap(contract: Contract) -> Decimal:
    """The most all additions together may add (CT-01), in yuan."""
    return (contract.original_value * additions_share(contract) / 100).quantize(
        Decimal("0.01")
    )


def additions_used(contract: Contract, *, exclude_pk: int | None = None) -> Decimal:
    """Additions effective or proposed (a proposal reserves its share of the cap)."""
    qs = contract.changes.filter(
        kind=ChangeKind.ADDITION,
        status__in=[ChangeStatus.EFFECTIVE, ChangeStatus.PROPOSED],
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(s=Sum("value_delta"))["s"] or Decimal(0)


def _signed_money(raw: Any, field: str, errors: dict[str, list[Any]]) -> Decimal | None:
    text = str(raw if raw is not None else "0").strip() or "0"
    negative = text.startswith("-")
    value = money(text.lstrip("-"), field, errors, positive=False)
    if value is None:
        return None
    return -value if negative else value


def _clean_item_changes(
    contract: Contract, raw: Any, errors: dict[str, list[Any]]
) -> list[dict[str, Any]]:
    if not raw:
        return []
    if not isinstance(raw, list):
        errors.setdefault("item_changes", []).append(_("格式不正确。"))
        return []
    item_ids = dict(contract.items.values_list("item__code", "item_id").distinct())
    item_ids.update({str(v): v for v in item_ids.values()})
    communities = {
        str(c.pk): c
        for c in Organisation.objects.filter(
            parent=contract.buyer, kind=OrganisationKind.COMMUNITY
        )
    }
    communities.update({c.code: c for c in list(communities.values())})
    out: list[dict[str, Any]] = []
    seen = set()
    for n, row in enumerate(raw, start=1):
        key = f"item_changes.{n}"
        if not isinstance(row, dict):
            errors.setdefault(key, []).append(_("格式不正确。"))
            continue
        item_id = item_ids.get(str(row.get("item", "")).strip())
        if item_id is None:
            errors.setdefault(f"{key}.item", []).append(_("该事项不在本合同中。"))
        community = communities.get(str(row.get("community", "")).strip())
        if community is None:
            errors.setdefault(f"{key}.community", []).append(
                _("该社区不属于本合同的购买街道。")
            )
        target = non_negative_int(row.get("target"))
        if target is None:
            errors.setdefault(f"{key}.target", []).append(
                _("目标数量应为不小于0的整数。")
            )
        if item_id is not None and community is not None:
            if (item_id, community.pk) in seen:
                errors.setdefault(key, []).append(_("同一事项和社区只能出现一次。"))
            seen.add((item_id, community.pk))
            out.append(
                {
                    "item_id": item_id,
                    "community_id": community.pk,
                    "community": community.code,
                    "target": target,
                }
            )
    return out


def contract_change_propose(
    *,
    contract: Contract,
    actor: User | None,
    kind: str,
    reason_code: str,
    rationale: str,
    value_delta: Any = 0,
    new_end_on: Any = None,
    item_changes: Any = None,
) -> ContractChange:
    """Propose a change for the other party to accept.

    Raises:
        TransitionNotAllowed / NotPermitted: the contract is not in force, or the actor
            is not a party.
        ValidationFailed: a field is wrong, or the additions would pass the cap (CT-01).
    """
    with transaction.atomic():
        c = lock_contract(contract)
        check(actor, c, "propose_change")
        errors: dict[str, list[Any]] = {}
        if kind not in ChangeKind.values:
            errors.setdefault("kind", []).append(_("请选择变更类型。"))
        if reason_code not in ChangeReason.values:
            errors.setdefault("reason_code", []).append(_("请选择变更事由。"))
        if not str(rationale or "").strip():
            errors.setdefault("rationale", []).append(_("请说明变更理由。"))
        delta = _signed_money(value_delta, "value_delta", errors)
        if delta is not None and kind == ChangeKind.ADDITION and delta <= 0:
            errors.setdefault("value_delta", []).append(_("追加的金额应大于零。"))
        if delta is not None and kind == ChangeKind.REDUCTION and delta >= 0:
            errors.setdefault("value_delta", []).append(_("核减的金额应小于零。"))
        if delta is not None and c.value + delta < 0:
            errors.setdefault("value_delta", []).append(_("变更后合同金额不能为负数。"))
        if delta is not None and kind == ChangeKind.ADDITION and delta > 0:
            cap = additions_cap(c)
            used = additions_used(c)
            if used + delta > cap:
                errors.setdefault("value_delta", []).append(
                    _(
                        "补充协议的采购金额累计不得超过原合同金额的%(share)s%%（CT-01）："
                        "上限%(cap)s元，已用%(used)s元，本次%(delta)s元。"
                    )
                    % {
                        "share": additions_share(c),
                        "cap": cap,
                        "used": used.quantize(Decimal("0.01")),
                        "delta": delta,
                    }
                )
        end = None
        if new_end_on not in (None, ""):
            end = as_date(new_end_on, "new_end_on", errors)
            if end is not None and end < c.start_on:
                errors.setdefault("new_end_on", []).append(_("不能早于履行期限起。"))
        rows = _clean_item_changes(c, item_changes, errors)
        if not errors and delta == 0 and end is None and not rows:
            errors.setdefault("kind", []).append(_("变更没有任何内容。"))
        if errors:
            raise ValidationFailed(fields=errors)
        number = (c.changes.aggregate(m=Max("number"))["m"] or 0) + 1
        change = ContractChange.objects.create(
            contract=c,
            number=number,
            kind=kind,
            reason_code=reason_code,
            rationale=str(rationale).strip(),
            value_delta=delta or Decimal(0),
            new_end_on=end,
            item_changes=rows,
            proposed_by_vendor=bool(actor and is_contract_vendor(actor, c)),
            proposed_by=actor if getattr(actor, "pk", None) else None,
            proposed_at=timezone.now(),
        )
        record(
            actor,
            change,
            "change_propose",
            contract=c,
            to_state=change.status,
            payload={
                "number": number,
                "kind": kind,
                "value_delta": str(change.value_delta),
            },
        )
    return change


def _rebalance_tranches(c: Contract, delta: Decimal) -> None:
    """Spread a change of value over the tranches not yet approved, in proportion to
    their amounts, and restate every share against the new value (so the plan still
    sums to 100 % and to the value).

    Raises:
        ValidationFailed: a reduction larger than what is still open to pay.
    """
    if not delta:
        return
    tranches = list(c.tranches.select_for_update().order_by("number"))
    open_ = [t for t in tranches if t.status == TrancheStatus.PENDING]
    open_total = sum((t.amount for t in open_), Decimal(0))
    if not open_ or open_total + delta < 0:
        raise ValidationFailed(
            fields={
                "value_delta": [
                    _("尚未申请的付款分期合计%(open)s元，不足以承担本次金额变化。")
                    % {"open": open_total}
                ]
            }
        )
    spread = Decimal(0)
    for t in open_[:-1]:
        share_of_delta = (
            (delta * t.amount / open_total).quantize(CENT, ROUND_HALF_UP)
            if open_total
            else Decimal(0)
        )
        t.amount += share_of_delta
        spread += share_of_delta
    open_[-1].amount += delta - spread
    for t in open_:
        # A graded tranche's deduction follows its new amount.
        t.deduction, t.deduction_reason = tranche_deduction(t, t.grade, t.score)
    new_value = c.value + delta
    shares = Decimal(0)
    for t in tranches[:-1]:
        t.share = (t.amount * 100 / new_value).quantize(CENT, ROUND_HALF_UP)
        shares += t.share
    tranches[-1].share = Decimal(100) - shares
    PaymentTranche.objects.bulk_update(
        tranches, ["amount", "share", "deduction", "deduction_reason"]
    )


def _lock_change(change: ContractChange) -> tuple[Contract, ContractChange]:
    c = lock_contract(change.contract_id)
    try:
        locked = ContractChange.objects.select_for_update().get(pk=change.pk)
    except ContractChange.DoesNotExist as exc:
        raise NotFound() from exc
    return c, locked


def _other_party(actor: User | None, c: Contract, ch: ContractChange) -> None:
    if actor is None:
        return
    if ch.proposed_by_vendor:
        ok = is_contract_manager(actor, c)
    else:
        ok = is_contract_vendor(actor, c)
    if not ok:
        raise NotPermitted(_("变更须由对方确认（CT-01：任何一方不得擅自变更合同）。"))


def _proposed(ch: ContractChange) -> None:
    if ch.status != ChangeStatus.PROPOSED:
        raise Conflict(
            _("该变更已处理（%(status)s）。") % {"status": ch.get_status_display()},
            code="transition_not_allowed",
        )


def contract_change_accept(
    *, change: ContractChange, actor: User | None, note: str = ""
) -> ContractChange:
    """The other party agrees: the change takes effect as a new version.

    Raises:
        NotPermitted: the actor is not the other party.
        Conflict: the change was already decided, or the contract is no longer in force.
        ValidationFailed: additions would now pass the cap.
    """
    with transaction.atomic():
        c, ch = _lock_change(change)
        _other_party(actor, c, ch)
        _proposed(ch)
        check(None, c, "propose_change")  # still in force
        if ch.kind == ChangeKind.ADDITION and (
            additions_used(c, exclude_pk=ch.pk) + ch.value_delta > additions_cap(c)
        ):
            raise ValidationFailed(
                fields={
                    "value_delta": [
                        _("补充协议金额累计将超过原合同金额的%(share)s%%（CT-01）。")
                        % {"share": additions_share(c)}
                    ]
                }
            )
        _rebalance_tranches(c, ch.value_delta)
        c.value += ch.value_delta
        if ch.new_end_on:
            c.end_on = ch.new_end_on
        existing = {
            (ci.item_id, ci.community_id): ci
            for ci in c.items.select_related("item").filter(
                item_id__in=[r["item_id"] for r in ch.item_changes]
            )
        }
        new_rows = []
        for r in ch.item_changes:
            ci = existing.get((r["item_id"], r["community_id"]))
            if ci is not None:
                ci.target = r["target"]
                ci.active = r["target"] > 0
                ci.save(update_fields=["target", "active"])
            elif r["target"] > 0:
                template = (
                    next(
                        (x for x in existing.values() if x.item_id == r["item_id"]),
                        None,
                    )
                    or c.items.select_related("item")
                    .filter(item_id=r["item_id"])
                    .first()
                )
                assert template is not None
                new_rows.append(
                    ContractItem(
                        contract=c,
                        item_id=r["item_id"],
                        community_id=r["community_id"],
                        unit=template.unit,
                        target=r["target"],
                        quality=template.quality,
                        steps=template.steps,
                    )
                )
        ContractItem.objects.bulk_create(new_rows)
        c.version += 1
        c.save()
        ch.status = ChangeStatus.EFFECTIVE
        ch.decided_by = actor if getattr(actor, "pk", None) else None
        ch.decided_at = timezone.now()
        ch.decision_note = str(note or "")
        ch.save()
        after = contract_snapshot(c)
        ContractVersion.objects.create(
            contract=c,
            number=c.version,
            snapshot=after,
            change=ch,
            created_by=ch.decided_by,
        )
        record(
            actor,
            ch,
            "change_accept",
            contract=c,
            from_state=ChangeStatus.PROPOSED,
            to_state=ch.status,
            payload={"number": ch.number, "version": c.version, "value": str(c.value)},
        )
    return ch


def contract_change_reject(
    *, change: ContractChange, actor: User | None, note: str
) -> ContractChange:
    """The other party does not agree, with its reason.

    Raises:
        NotPermitted: not the other party. Conflict: already decided.
        ValidationFailed: no reason given.
    """
    if not str(note or "").strip():
        raise ValidationFailed(fields={"note": [_("请说明不同意的理由。")]})
    with transaction.atomic():
        c, ch = _lock_change(change)
        _other_party(actor, c, ch)
        _proposed(ch)
        ch.status = ChangeStatus.REJECTED
        ch.decided_by = actor if getattr(actor, "pk", None) else None
        ch.decided_at = timezone.now()
        ch.decision_note = str(note).strip()
        ch.save()
        record(
            actor,
            ch,
            "change_reject",
            contract=c,
            from_state=ChangeStatus.PROPOSED,
            to_state=ch.status,
            comment=ch.decision_note,
        )
    return ch


def contract_change_withdraw(
    *, change: ContractChange, actor: User | None
) -> ContractChange:
    """The proposing side takes its proposal back.

    Raises:
        NotPermitted: not the proposing side. Conflict: already decided.
    """
    with transaction.atomic():
        c, ch = _lock_change(change)
        if actor is not None:
            mine = (
                is_contract_vendor(actor, c)
                if ch.proposed_by_vendor
                else is_contract_manager(actor, c)
            )
            if not mine:
                raise NotPermitted(_("只有提出方可以撤回变更。"))
        _proposed(ch)
        ch.status = ChangeStatus.WITHDRAWN
        ch.decided_at = timezone.now()
        ch.save()
        record(
            actor,
            ch,
            "change_withdraw",
            contract=c,
            from_state=ChangeStatus.PROPOSED,
            to_state=ch.status,
        )
    return ch


def change_decision_side(user: Any, change: ContractChange) -> str:
    """'decide' when `user` is the party that must answer, 'withdraw' when they proposed
    it, '' otherwise (for pages and the API to show the right buttons)."""
    if change.status != ChangeStatus.PROPOSED:
        return ""
    c = change.contract
    vendor = is_contract_vendor(user, c)
    manager = is_contract_manager(user, c)
    if (change.proposed_by_vendor and manager) or (
        not change.proposed_by_vendor and vendor
    ):
        return "decide"
    if (change.proposed_by_vendor and vendor) or (
        not change.proposed_by_vendor and manager
    ):
        return "withdraw"
    return ""


__all__ = [
    "additions_cap",
    "additions_share",
    "additions_used",
    "change_decision_side",
    "contract_change_accept",
    "contract_change_propose",
    "contract_change_reject",
    "contract_change_withdraw",
]
