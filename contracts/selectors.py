"""Read functions of the contracts app, shared by pages, the API and tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.choices import Unit
from core.exceptions import NotFound
from core.ids import as_id
from core.models import AuditEvent

from .choices import (
    ChangeStatus,
    ContractStatus,
    DeliveryStatus,
    ExtensionStatus,
    TrancheStatus,
)
from .models import Contract, ContractItem, PaymentTranche, ResidualWork


def contract_list_for_user(user: Any, action: str = "view") -> Any:
    """The contracts `user` may see, ready for a list."""
    return Contract.objects.visible_to(user, action).for_list()  # type: ignore[attr-defined]


def contract_get_for_user(pk: Any, user: Any, action: str = "view") -> Contract:
    """One visible contract.

    Raises:
        NotFound: no such contract, or not visible to `user`.
    """
    cid = as_id(pk)
    if cid is None:
        raise NotFound()
    try:
        return (
            Contract.objects.visible_to(user, action)
            .select_related(
                "buyer", "district", "vendor__organisation", "project", "award"
            )
            .get(pk=cid)
        )
    except Contract.DoesNotExist as exc:
        raise NotFound() from exc


def contract_snapshot(contract: Contract, *, with_items: bool = True) -> dict[str, Any]:
    """The contract's terms as plain data: what a version keeps and a diff compares."""
    snap: dict[str, Any] = {
        "title": contract.title,
        "value": str(contract.value),
        "original_value": str(contract.original_value),
        "start_on": contract.start_on.isoformat(),
        "end_on": contract.end_on.isoformat(),
        "term_years": contract.term_years,
        "performance_bond": (
            None
            if contract.performance_bond is None
            else str(contract.performance_bond)
        ),
        "bond_form": contract.bond_form,
        "clauses": dict(contract.clauses),
    }
    if with_items:
        snap["tranches"] = [
            {
                "number": t.number,
                "kind": t.kind,
                "share": str(t.share),
                "amount": str(t.amount),
                "min_grade": t.min_grade,
                "deduction_share": str(t.deduction_share),
            }
            for t in contract.tranches.order_by("number")
        ]
        snap["items"] = {
            f"{code}@{community}": target
            for code, community, target in contract.items.filter(active=True)
            .order_by("item__code", "community__code")
            .values_list("item__code", "community__code", "target")
        }
    return snap


SNAPSHOT_LABELS: dict[str, Any] = {
    "title": _("合同名称"),
    "value": _("合同金额（元）"),
    "original_value": _("原合同金额（元）"),
    "start_on": _("履行期限起"),
    "end_on": _("履行期限止"),
    "term_years": _("合同期限（年）"),
    "performance_bond": _("履约保证金（元）"),
    "bond_form": _("保证金形式"),
}


def version_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two snapshots: fields, clauses, tranches and item targets."""
    fields = [
        {"field": k, "label": label, "before": before.get(k), "after": after.get(k)}
        for k, label in SNAPSHOT_LABELS.items()
        if before.get(k) != after.get(k)
    ]
    cb, ca = before.get("clauses", {}), after.get("clauses", {})
    clauses = [
        {"clause": k, "before": cb.get(k, ""), "after": ca.get(k, "")}
        for k in sorted(set(cb) | set(ca))
        if cb.get(k) != ca.get(k)
    ]
    ib, ia = before.get("items", {}), after.get("items", {})
    items = []
    for key in sorted(set(ib) | set(ia)):
        if ib.get(key) != ia.get(key):
            code, _sep, community = key.partition("@")
            items.append(
                {
                    "item": code,
                    "community": community,
                    "before": ib.get(key),
                    "after": ia.get(key),
                }
            )
    tranches = (
        []
        if before.get("tranches") == after.get("tranches")
        else [{"before": before.get("tranches"), "after": after.get("tranches")}]
    )
    return {"fields": fields, "clauses": clauses, "items": items, "tranches": tranches}


def contract_progress(
    contract: Contract, *, community_id: int | None = None
) -> list[dict[str, Any]]:
    """Per item and community: contracted target, delivered by the vendor (confirmed),
    awaiting the community's confirmation, still done by community staff, and %.
    Two queries whatever the number of rows."""
    items = ContractItem.objects.filter(contract=contract, active=True)
    if community_id is not None:
        items = items.filter(community_id=community_id)
    # Plain values, not model instances: a district contract has ~1,500 rows and
    # the catalogue item's long texts are not needed here.
    rows = (
        items.annotate(
            delivered=Sum(
                "deliveries__count",
                filter=Q(deliveries__status=DeliveryStatus.CONFIRMED),
            ),
            awaiting=Sum(
                "deliveries__count",
                filter=Q(deliveries__status=DeliveryStatus.REPORTED),
            ),
            disputed=Sum(
                "deliveries__count",
                filter=Q(deliveries__status=DeliveryStatus.DISPUTED),
            ),
        )
        .order_by("item__code", "community__code")
        .values(
            "pk",
            "item_id",
            "item__code",
            "item__name",
            "community_id",
            "community__name",
            "unit",
            "target",
            "delivered",
            "awaiting",
            "disputed",
        )
    )
    residual = {
        r["contract_item_id"]: r
        for r in ResidualWork.objects.filter(contract=contract)
        .values("contract_item_id")
        .annotate(records=Count("id"), hours=Sum("hours"))
    }
    units = dict(Unit.choices)
    out = []
    for ci in rows:
        delivered = ci["delivered"] or 0
        res = residual.get(ci["pk"], {})
        out.append(
            {
                "id": ci["pk"],
                "item_id": ci["item_id"],
                "item_code": ci["item__code"],
                "item_name": ci["item__name"],
                "community_id": ci["community_id"],
                "community": ci["community__name"],
                "unit": ci["unit"],
                "unit_label": units.get(ci["unit"], ci["unit"]),
                "target": ci["target"],
                "delivered": delivered,
                "awaiting": ci["awaiting"] or 0,
                "disputed": ci["disputed"] or 0,
                "pct": _pct(delivered, ci["target"]),
                "residual_records": res.get("records", 0),
                "residual_hours": res.get("hours") or Decimal(0),
            }
        )
    return out


def _pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def completion_snapshot(
    contract: Contract, contract_item: ContractItem | None = None
) -> dict[str, Any]:
    """Completion against plan now: communities reached (at least one confirmed
    delivery) of those targeted, volume delivered of target, and time elapsed. For one
    deliverable, the same over that item's communities."""
    items = ContractItem.objects.filter(contract=contract, active=True)
    if contract_item is not None:
        items = items.filter(item_id=contract_item.item_id)
    per_community: dict[int, int] = defaultdict(int)
    target_total = 0
    delivered_total = 0
    for cid, target, delivered in items.annotate(
        d=Sum(
            "deliveries__count", filter=Q(deliveries__status=DeliveryStatus.CONFIRMED)
        )
    ).values_list("community_id", "target", "d"):
        per_community[cid] += delivered or 0
        target_total += target
        delivered_total += delivered or 0
    total = len(per_community)
    reached = sum(1 for v in per_community.values() if v > 0)
    today = timezone.localdate()
    days = (contract.end_on - contract.start_on).days + 1
    elapsed = min(max((today - contract.start_on).days + 1, 0), days)
    snap: dict[str, Any] = {
        "as_of": today.isoformat(),
        "communities_total": total,
        "communities_reached": reached,
        "communities_pct": str(_pct(reached, total) or 0),
        "target_total": target_total,
        "delivered_total": delivered_total,
        "volume_pct": str(_pct(delivered_total, target_total) or 0),
        "time_elapsed_pct": str(_pct(elapsed, days) or 0),
    }
    if contract_item is not None:
        snap["item"] = contract_item.item.code
        snap["item_name"] = contract_item.item.name
    return snap


def contract_amounts(contract: Contract) -> dict[str, Decimal]:
    """Money on the contract: paid, approved but unpaid, deductions, still to pay, and
    overdue (planned date passed, not paid). One query."""
    today = timezone.localdate()
    paid = approved = deductions = outstanding = overdue = Decimal(0)
    for t in _tranches(contract):
        if t.status == TrancheStatus.CANCELLED:
            continue
        deductions += t.deduction
        if t.status == TrancheStatus.PAID:
            paid += t.paid_amount if t.paid_amount is not None else t.payable
            continue
        if t.status == TrancheStatus.APPROVED:
            approved += t.payable
        outstanding += t.payable
        if t.due_on and t.due_on < today:
            overdue += t.payable
    return {
        "value": contract.value,
        "paid": paid,
        "approved": approved,
        "deductions": deductions,
        "outstanding": outstanding,
        "overdue": overdue,
    }


def _tranches(contract: Contract) -> list[PaymentTranche]:
    cache = getattr(contract, "_prefetched_objects_cache", {})
    if "tranches" in cache:
        return list(cache["tranches"])
    return list(contract.tranches.all())


def deadline_flags(contract: Contract, today: dt.date | None = None) -> dict[str, bool]:
    """Overdue flags of the signing (TL-13), publication (TL-14) and filing (TL-15)
    deadlines: True when the deadline passed and the act is not recorded, or was late."""
    today = today or timezone.localdate()
    signed = contract.signed_on
    return {
        "sign_overdue": (
            signed is None
            and contract.status != ContractStatus.TERMINATED
            and today > contract.sign_due
        )
        or (signed is not None and signed > contract.sign_due),
        "publish_overdue": contract.publish_due is not None
        and (
            (contract.published_on is None and today > contract.publish_due)
            or (
                contract.published_on is not None
                and contract.published_on > contract.publish_due
            )
        ),
        "file_overdue": contract.file_due is not None
        and (
            (contract.filed_on is None and today > contract.file_due)
            or (contract.filed_on is not None and contract.filed_on > contract.file_due)
        ),
    }


def next_obligations(contract: Contract, limit: int = 5) -> list[dict[str, Any]]:
    """What is due next on the contract, soonest first, with an overdue flag."""
    today = timezone.localdate()
    out: list[dict[str, Any]] = []

    def add(kind: str, label: Any, due: dt.date | None) -> None:
        if due is not None:
            out.append(
                {
                    "kind": kind,
                    "label": str(label),
                    "due_on": due,
                    "overdue": due < today,
                }
            )

    if contract.status in (ContractStatus.DRAFT, ContractStatus.VENDOR_SIGNED):
        add("sign", _("签订合同"), contract.sign_due)
    if contract.signed_on and contract.published_on is None:
        add("publish", _("公开合同"), contract.publish_due)
    if contract.signed_on and contract.filed_on is None:
        add("file", _("合同备案"), contract.file_due)
    if contract.status == ContractStatus.ACTIVE:
        for t in _tranches(contract):
            if (
                t.status
                in (
                    TrancheStatus.PENDING,
                    TrancheStatus.REQUESTED,
                    TrancheStatus.APPROVED,
                )
                and t.due_on
            ):
                add(
                    f"tranche:{t.number}",
                    _("第%(n)s期付款（%(kind)s）")
                    % {"n": t.number, "kind": t.get_kind_display()},
                    t.due_on,
                )
        add("end", _("履行期限届满"), contract.end_on)
    out.sort(key=lambda o: o["due_on"])
    return out[:limit]


def open_extensions(contract: Contract) -> Any:
    return contract.extensions.filter(status=ExtensionStatus.PENDING).select_related(
        "contract_item__item", "contract_item__community"
    )


def open_changes(contract: Contract) -> Any:
    return contract.changes.filter(status=ChangeStatus.PROPOSED)


def extension_count(contract: Contract) -> int:
    """Extension requests that count against the cap (all but withdrawn ones)."""
    return contract.extensions.exclude(status=ExtensionStatus.WITHDRAWN).count()


def contract_events(contract: Contract, limit: int = 200) -> Any:
    """The contract's timeline, newest first: its own events and those of everything
    on it (tranches, changes, extensions, deliveries, residual and extra work,
    acceptances), which name the contract in their payload."""
    from django.contrib.contenttypes.models import ContentType

    own = Q(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id=str(contract.pk),
    )
    children = Q(action__startswith="contracts.", payload__contract=contract.pk)
    return (
        AuditEvent.objects.filter(own | children)
        .select_related("actor", "content_type")
        .order_by("-created_at", "-id")[:limit]
    )
