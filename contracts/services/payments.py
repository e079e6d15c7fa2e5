"""Payment tranches: request → approval → paid, gated by acceptance and assessment
(ACC-04, ACC-05), with deductions by rule. The assessment stage hands its grades in
through `payment_tranche_apply_assessment`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.dates import as_date
from core.exceptions import Conflict, NotFound, NotPermitted, ValidationFailed

from ..choices import GRADE_RANK, Grade, TrancheStatus
from ..models import Contract, PaymentTranche
from ..permissions import is_contract_manager
from ..workflows import TRANCHE_TRANSITIONS, tranche_decision
from ._common import as_decimal, lock_contract, money, record, run_child

CENT = Decimal("0.01")


def _lock_tranche(tranche: PaymentTranche) -> PaymentTranche:
    try:
        return (
            PaymentTranche.objects.select_for_update(of=("self",))
            .select_related(
                "contract__buyer", "contract__vendor__organisation", "acceptance"
            )
            .get(pk=tranche.pk)
        )
    except PaymentTranche.DoesNotExist as exc:
        raise NotFound() from exc


def _run(
    actor: User | None, tranche: PaymentTranche, name: str, change: Any
) -> PaymentTranche:
    def with_number(t: PaymentTranche) -> dict[str, Any]:
        return {"number": t.number, **(change(t) or {})}

    result: PaymentTranche = run_child(
        actor=actor,
        obj=tranche,
        name=name,
        action=f"tranche_{name}",
        lock=_lock_tranche,
        decide=tranche_decision,
        target=TRANCHE_TRANSITIONS[name].target,
        change=with_number,
    )
    return result


def payment_tranche_request(
    *, tranche: PaymentTranche, actor: User | None
) -> PaymentTranche:
    """Ask for a tranche whose release conditions are met.

    Raises:
        TransitionNotAllowed: not pending, or its acceptance/assessment is missing.
        NotPermitted: neither the vendor nor the buyer.
    """

    def change(t: PaymentTranche) -> dict[str, Any]:
        t.requested_at = timezone.now()
        t.requested_by = actor if getattr(actor, "pk", None) else None
        return {"payable": str(t.payable)}

    return _run(actor, tranche, "request", change)


def payment_tranche_approve(
    *, tranche: PaymentTranche, actor: User | None
) -> PaymentTranche:
    """Approve a requested tranche (not by whoever requested it).

    Raises:
        TransitionNotAllowed: not requested (e.g. approved a moment ago by someone else).
        NotPermitted: not the buyer's officer, or the requester.
    """

    def change(t: PaymentTranche) -> dict[str, Any]:
        t.approved_at = timezone.now()
        t.approved_by = actor if getattr(actor, "pk", None) else None
        return {"payable": str(t.payable), "deduction": str(t.deduction)}

    return _run(actor, tranche, "approve", change)


def payment_tranche_pay(
    *,
    tranche: PaymentTranche,
    actor: User | None,
    paid_on: Any,
    payment_ref: str = "",
    amount: Any = None,
) -> PaymentTranche:
    """Record the payment of an approved tranche.

    Raises:
        TransitionNotAllowed: not approved.
        NotPermitted: not the buyer's officer.
        ValidationFailed: date in the future or before approval; amount above the payable.
    """

    def change(t: PaymentTranche) -> dict[str, Any]:
        errors: dict[str, list[Any]] = {}
        day = as_date(paid_on, "paid_on", errors)
        if day is not None and day > timezone.localdate():
            errors.setdefault("paid_on", []).append(_("支付日期不能晚于今天。"))
        paid = t.payable
        if amount not in (None, ""):
            parsed = money(amount, "amount", errors)
            if parsed is not None and parsed > t.payable:
                errors.setdefault("amount", []).append(
                    _("实付金额不能超过应付金额%(payable)s元。")
                    % {"payable": t.payable}
                )
            elif parsed is not None:
                paid = parsed
        if errors:
            raise ValidationFailed(fields=errors)
        t.paid_on = day
        t.paid_amount = paid
        t.payment_ref = str(payment_ref or "")[:80]
        return {"paid": str(paid), "paid_on": day.isoformat() if day else ""}

    return _run(actor, tranche, "pay", change)


def tranche_deduction(
    tranche: PaymentTranche, grade: str, score: Decimal | None
) -> tuple[Decimal, str]:
    """The deduction a grade gives on a tranche, and its reason ('' when none)."""
    if not tranche.min_grade or not grade:
        return Decimal(0), ""
    if GRADE_RANK[grade] >= GRADE_RANK[tranche.min_grade]:  # type: ignore[index]
        return Decimal(0), ""
    deduction = (tranche.amount * tranche.deduction_share / 100).quantize(
        CENT, ROUND_HALF_UP
    )
    reason = str(
        _(
            "考核等级“%(grade)s”（%(score)s分）低于门槛“%(threshold)s”，"
            "按合同扣减本期款项的%(share)s%%，计%(amount)s元。"
        )
        % {
            "grade": Grade(grade).label,
            "score": score,
            "threshold": Grade(tranche.min_grade).label,
            "share": tranche.deduction_share,
            "amount": deduction,
        }
    )
    return deduction, reason


def payment_tranche_apply_assessment(
    *,
    contract: Contract,
    period_label: str,
    grade: str,
    score: Any,
    source: str,
    actor: User | None = None,
) -> list[PaymentTranche]:
    """Hand an assessment result to the tranches of `period_label` that wait for one:
    each records the grade and score, and a grade below its threshold deducts its
    configured share, with the reason. Running it again with the same result changes
    nothing; a new result replaces the old one until the tranche is approved.

    Raises:
        ValidationFailed: unknown grade or score out of 0–100.
        NotPermitted: an actor who is not the buyer's officer (None is the system).
        Conflict: no tranche of the period waits for a grade, or it is already approved.
    """
    errors: dict[str, list[Any]] = {}
    if grade not in Grade.values:
        errors.setdefault("grade", []).append(_("考核等级不正确。"))
    value = as_decimal(score, "score", errors, low=Decimal(0), high=Decimal(100))
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        c = lock_contract(contract)
        if actor is not None and not is_contract_manager(actor, c):
            raise NotPermitted(_("只有购买主体可以登记考核结果。"))
        tranches = list(
            c.tranches.select_for_update()
            .filter(period_label=period_label)
            .exclude(min_grade="")
            .order_by("number")
        )
        if not tranches:
            raise Conflict(
                _("本合同没有与“%(period)s”考核挂钩的付款分期。")
                % {"period": period_label},
                code="no_tranche_for_period",
            )
        changed = []
        for t in tranches:
            if t.status not in (TrancheStatus.PENDING, TrancheStatus.REQUESTED):
                if t.grade == grade and t.score == value:
                    continue
                raise Conflict(
                    _("第%(n)s期款项已审批或已支付，不能再改考核结果。")
                    % {"n": t.number},
                    code="tranche_closed",
                )
            deduction, reason = tranche_deduction(t, grade, value)
            if (t.grade, t.score, t.deduction, t.assessment_ref) == (
                grade,
                value,
                deduction,
                source[:120],
            ):
                continue
            t.grade, t.score, t.deduction = grade, value, deduction
            t.deduction_reason = reason
            t.assessment_ref = source[:120]
            t.save(
                update_fields=[
                    "grade",
                    "score",
                    "deduction",
                    "deduction_reason",
                    "assessment_ref",
                ]
            )
            changed.append(t)
        if changed:
            record(
                actor,
                c,
                "tranche_assessment",
                contract=c,
                payload={
                    "period": period_label,
                    "grade": grade,
                    "score": str(value),
                    "source": source,
                    "tranches": [
                        {"number": t.number, "deduction": str(t.deduction)}
                        for t in changed
                    ],
                },
            )
    return tranches


__all__ = [
    "tranche_deduction",
    "payment_tranche_apply_assessment",
    "payment_tranche_approve",
    "payment_tranche_pay",
    "payment_tranche_request",
]
