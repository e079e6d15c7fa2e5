"""Shared helpers of the contract services: the contract lock, the transition runner
(audit event and change-feed row in the same transaction), snapshots and input checks."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.events import audit_record
from core.exceptions import NotFound
from core.money import parse_yuan
from core.transitions import check_transition

from ..feed import contract_touch
from ..models import Contract
from ..workflows import TRANSITIONS, transition_decision


def lock_contract(contract: Contract | int) -> Contract:
    """The contract row, locked for the rest of the transaction."""
    pk = contract if isinstance(contract, int) else contract.pk
    try:
        return (
            Contract.objects.select_for_update(of=("self",))
            .select_related("buyer", "district", "vendor__organisation")
            .get(pk=pk)
        )
    except Contract.DoesNotExist as exc:
        raise NotFound() from exc


def check(actor: User | None, contract: Contract, name: str) -> None:
    """Raise unless `actor` may run transition `name` on the (locked) contract."""
    check_transition(actor, contract, name, TRANSITIONS, transition_decision)


def run(
    actor: User | None,
    contract: Contract,
    name: str,
    change: Callable[[Contract], dict[str, Any]],
    comment: str = "",
) -> Contract:
    """Run a contract transition: lock, check, change, status, save, audit, feed."""
    t = TRANSITIONS[name]
    with transaction.atomic():
        locked = lock_contract(contract)
        check(actor, locked, name)
        before = locked.status
        payload = change(locked)
        if t.target is not None and locked.status == before:
            locked.status = t.target
        locked.save()
        audit_record(
            actor=actor,
            action=f"contracts.{name}",
            obj=locked,
            from_state=before,
            to_state=locked.status,
            comment=comment,
            payload=payload,
        )
        contract_touch(locked, name)
    return locked


def money(
    raw: Any, field: str, errors: dict[str, list[Any]], *, positive: bool = True
) -> Decimal | None:
    """A yuan amount, or None with the reason in `errors`."""
    if isinstance(raw, Decimal):
        raw = str(raw)
    try:
        return parse_yuan(raw, positive=positive)
    except ValueError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def as_decimal(
    raw: Any,
    field: str,
    errors: dict[str, list[Any]],
    *,
    low: Decimal | None = None,
    high: Decimal | None = None,
    places: int = 2,
) -> Decimal | None:
    """A bounded decimal (shares, percentages, hours), or None with the reason."""
    try:
        value = Decimal(str(raw).strip())
        if not value.is_finite():
            raise ValueError
    except (ValueError, ArithmeticError):
        errors.setdefault(field, []).append(str(_("请输入数字。")))
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        errors.setdefault(field, []).append(
            str(_("最多保留%(n)s位小数。") % {"n": places})
        )
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        errors.setdefault(field, []).append(
            str(
                _("应在%(low)s至%(high)s之间。")
                % {
                    "low": "" if low is None else low,
                    "high": "" if high is None else high,
                }
            )
        )
        return None
    return value


def record(
    actor: User | None,
    obj: Any,
    action: str,
    *,
    contract: Contract,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    payload: dict[str, Any] | None = None,
) -> None:
    """The audit event of a change on something of `contract`, then its feed row.
    Call it last in the service's transaction."""
    audit_record(
        actor=actor,
        action=f"contracts.{action}",
        obj=obj,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        # Every event of something on a contract names it: the contract's timeline.
        payload={"contract": contract.pk, **(payload or {})},
        scope=contract.buyer.path,
    )
    contract_touch(contract, action)


def non_negative_int(raw: Any) -> int | None:
    """A whole number ≥ 0 (counts, targets), or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw >= 0 else None
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    return int(text)


def run_child(
    *,
    actor: User | None,
    obj: Any,
    name: str,
    action: str,
    lock: Callable[[Any], Any],
    decide: Callable[[Any, Any, str], Any],
    target: str | None,
    change: Callable[[Any], dict[str, Any]],
    comment: str = "",
    after: Callable[[Any], None] | None = None,
) -> Any:
    """Run a named transition of something on a contract (a tranche, a delivery, an
    extra-work record): lock the contract, then the row (always in that order, so no
    two services can deadlock), ask `decide` under the lock, apply `change`, set the
    target status, save, then the audit event and the feed row."""
    with transaction.atomic():
        lock_contract(obj.contract_id)
        locked = lock(obj)
        decide(actor, locked, name).raise_if_denied()
        before = locked.status
        payload = change(locked) or {}
        if target is not None:
            locked.status = target
        locked.save()
        if after is not None:
            after(locked)
        record(
            actor,
            locked,
            action,
            contract=locked.contract,
            from_state=before,
            to_state=locked.status,
            comment=comment,
            payload=payload,
        )
    return locked
