"""The contract's own lifecycle: created from a final award, drafted, signed by both
sides, published (TL-14) and filed (TL-15), completed or terminated."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalogue.rules import RuleParameterMissing, deadline_for
from core.dates import as_date
from core.events import audit_record
from core.exceptions import Conflict, NotPermitted, ValidationFailed
from procurement.choices import AwardStatus
from procurement.methods import optional_rule
from procurement.models import Award

from ..choices import (
    OPEN_TRANCHE_STATUSES,
    ContractStatus,
    Grade,
    TerminationKind,
    TrancheKind,
    TrancheStatus,
)
from ..feed import contract_touch
from ..models import (
    MANAGER_ROLES,
    Contract,
    ContractItem,
    ContractVersion,
    PaymentTranche,
)
from ..selectors import contract_snapshot
from ._common import as_decimal, money, run

CENT = Decimal("0.01")

# The clauses every contract must carry (CT-03, GPS-23), in order.
REQUIRED_CLAUSES: dict[str, Any] = {
    "parties": _("合同双方"),
    "subject": _("服务内容"),
    "quantity": _("服务数量"),
    "quality": _("服务质量"),
    "price": _("合同价款"),
    "term": _("履行期限、地点和方式"),
    "settlement": _("资金结算方式"),
    "acceptance": _("验收要求"),
    "rights": _("双方权利义务"),
    "liability": _("违约责任"),
    "dispute": _("争议解决"),
}


def _shares_default(jurisdiction: Any, on: dt.date) -> list[dict[str, Any]]:
    """The tranche plan from the district's rule parameters (ACC-07: local practice)."""
    weights = optional_rule("payment.instalments.default", jurisdiction, on)
    min_grade = optional_rule("payment.assessment.min_grade", jurisdiction, on) or ""
    deduction = optional_rule("payment.assessment.deduction_share", jurisdiction, on)
    plan: list[dict[str, Any]] = []
    if not weights:
        # No local default: the officer sets the plan (clean_tranches asks for one).
        return plan
    # jsonb keeps keys shortest first, so the order comes from the kinds, not the data.
    order = list(TrancheKind.values)
    for kind, share in sorted(
        weights.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    ):
        row: dict[str, Any] = {"kind": kind, "share": share}
        if kind == TrancheKind.MIDTERM:
            row.update(needs_acceptance=True, period_label=str(_("中期")))
        elif kind == TrancheKind.FINAL:
            row.update(
                needs_acceptance=True,
                period_label=str(_("年度")),
                min_grade=min_grade,
                deduction_share=deduction or 0,
            )
        plan.append(row)
    return plan


def clean_tranches(raw: Any, value: Decimal) -> list[dict[str, Any]]:
    """Checked tranche rows with their amounts; the shares must sum to 100 %.

    Raises:
        ValidationFailed: a row is wrong (named `tranches.<n>.<field>`) or the shares
            do not sum to 100 (`tranches`).
    """
    errors: dict[str, list[Any]] = {}
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationFailed(
            _("请至少设置一期付款。"), fields={"tranches": [_("请至少设置一期付款。")]}
        )
    rows: list[dict[str, Any]] = []
    for n, r in enumerate(raw, start=1):
        if not isinstance(r, dict):
            errors.setdefault(f"tranches.{n}", []).append(_("格式不正确。"))
            continue
        key = f"tranches.{n}"
        kind = r.get("kind") or TrancheKind.OTHER
        if kind not in TrancheKind.values:
            errors.setdefault(f"{key}.kind", []).append(_("付款类型不正确。"))
        share = as_decimal(
            r.get("share"),
            f"{key}.share",
            errors,
            low=Decimal("0.01"),
            high=Decimal(100),
        )
        min_grade = r.get("min_grade") or ""
        if min_grade and min_grade not in Grade.values:
            errors.setdefault(f"{key}.min_grade", []).append(_("考核等级不正确。"))
        deduction = as_decimal(
            r.get("deduction_share") or 0,
            f"{key}.deduction_share",
            errors,
            low=Decimal(0),
            high=Decimal(100),
        )
        due_on = None
        if r.get("due_on"):
            due_on = as_date(r.get("due_on"), f"{key}.due_on", errors)
        needs_acceptance = bool(r.get("needs_acceptance"))
        period_label = str(r.get("period_label") or "").strip()[:60]
        if needs_acceptance and not period_label:
            errors.setdefault(f"{key}.period_label", []).append(
                _("与验收挂钩的分期须写明对应的履约期。")
            )
        rows.append(
            {
                "number": n,
                "kind": kind,
                "share": share,
                "due_on": due_on,
                "needs_acceptance": needs_acceptance,
                "period_label": period_label,
                "min_grade": min_grade,
                "deduction_share": deduction or Decimal(0),
            }
        )
    if errors:
        raise ValidationFailed(fields=errors)
    total = sum((r["share"] for r in rows), Decimal(0))
    if total != Decimal(100):
        msg = _("各期付款比例合计应为100%%，现为%(total)s%%。") % {"total": total}
        raise ValidationFailed(msg, fields={"tranches": [msg]})
    # Amounts in cents; the last tranche takes the rounding remainder so the sum is
    # exactly the contract value.
    paid = Decimal(0)
    for r in rows[:-1]:
        r["amount"] = (value * r["share"] / 100).quantize(CENT, ROUND_HALF_UP)
        paid += r["amount"]
    rows[-1]["amount"] = value - paid
    return rows


def _default_clauses(
    award: Award, value: Decimal, start: dt.date, end: dt.date
) -> dict[str, str]:
    project = award.lot.project
    vendor = award.bid.vendor
    return {
        "parties": str(
            _("甲方：%(buyer)s；乙方：%(vendor)s。")
            % {"buyer": project.buyer.name, "vendor": vendor.name}
        ),
        "subject": str(
            _("乙方承接%(lot)s所列服务事项，按采购文件和响应文件提供服务。")
            % {"lot": award.lot.name}
        ),
        "quantity": str(_("各事项在各社区的年度目标数量见合同事项清单。")),
        "quality": str(_("按购买服务目录所列服务标准和考核标准执行。")),
        "price": str(_("合同总价%(value)s元（含税）。") % {"value": value}),
        "term": str(
            _("%(start)s至%(end)s，在甲方辖区各服务社区现场提供服务。")
            % {"start": start.isoformat(), "end": end.isoformat()}
        ),
        "settlement": str(_("按合同约定的付款分期，以验收和考核结果为支付条件。")),
        "acceptance": project.acceptance_plan or "",
        "rights": str(
            _(
                "甲方负责履约监督和按约付款；乙方建立项目台账，配合检查和绩效评价，不得转包。"
            )
        ),
        "liability": str(_("任何一方违约，按《民法典》和本合同约定承担违约责任。")),
        "dispute": str(_("协商解决；协商不成的，向甲方所在地人民法院提起诉讼。")),
    }


def _check_clauses(clauses: dict[str, Any], errors: dict[str, list[Any]]) -> None:
    for code, label in REQUIRED_CLAUSES.items():
        if not str(clauses.get(code) or "").strip():
            errors.setdefault(f"clauses.{code}", []).append(
                _("缺少法定必备条款“%(clause)s”（CT-03）。") % {"clause": label}
            )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_term(
    start: dt.date,
    end: dt.date,
    multi_year_stated: bool,
    jurisdiction: Any,
    errors: dict[str, list[Any]],
) -> int:
    """The term in years, checked against GPS-24 / CT-04."""
    if end < start:
        errors.setdefault("end_on", []).append(_("履行期限止不能早于起。"))
        return 1
    years = 1
    while _add_years(start, years) - dt.timedelta(days=1) < end:
        years += 1
    # Before 102号令 (2020) no term rule is in force: nothing to check against.
    raw_max = optional_rule("contract.term.max_years", jurisdiction, start)
    raw_ext = optional_rule("contract.term.max_years_extended", jurisdiction, start)
    max_years = int(raw_max) if raw_max is not None else years
    max_ext = int(raw_ext) if raw_ext is not None else max(years, max_years)
    if years > max_years and not multi_year_stated:
        errors.setdefault("end_on", []).append(
            _(
                "合同期限一般不超过%(max)s年；超过须在采购文件中事先载明（GPS-24、CT-04）。"
            )
            % {"max": max_years}
        )
    elif years > max_ext:
        errors.setdefault("end_on", []).append(
            _("合同期限不得超过%(max)s年（GPS-24）。") % {"max": max_ext}
        )
    return years


def _check_bond(
    bond: Decimal | None,
    value: Decimal,
    district: Any,
    on: dt.date,
    errors: dict[str, list[Any]],
) -> None:
    """The performance bond stays within its cap of the contract value (BD-04)."""
    raw_cap = optional_rule("bond.performance.max_share", district, on)
    if bond is None or raw_cap is None:
        return
    cap = Decimal(str(raw_cap))
    if bond > (value * cap / 100).quantize(CENT, ROUND_HALF_UP):
        errors.setdefault("performance_bond", []).append(
            _("履约保证金不得超过合同金额的%(cap)s%%（BD-04）。") % {"cap": cap}
        )


def _optional_deadline(key: str, district: Any, start: dt.date) -> dt.date | None:
    try:
        return deadline_for(key, district, start)
    except RuleParameterMissing:
        return None


def _manager_of(actor: User | None, buyer: Any) -> None:
    if actor is not None and not (
        actor.is_superuser or actor.has_role(*MANAGER_ROLES, at_path=buyer.path)
    ):
        raise NotPermitted(
            _("只有购买主体（本街道工作人员或区级管理员）可以签订合同。")
        )


def contract_create_from_award(
    *,
    award: Award,
    actor: User | None,
    start_on: Any = None,
    end_on: Any = None,
    code: str | None = None,
    performance_bond: Any = None,
    bond_form: str = "",
    tranches: Any = None,
    clauses: dict[str, Any] | None = None,
) -> Contract:
    """Draft the contract of a final award: parties, value, term, the items per
    community with their targets, tranches, bond and the statutory clauses.

    Raises:
        NotPermitted: the actor is not the buyer's officer.
        Conflict: the award is not final, or already has a contract.
        ValidationFailed: term, tranches, bond or clauses break a rule (fields named).
    """
    with transaction.atomic():
        award = (
            Award.objects.select_for_update(of=("self",))
            .select_related(
                "lot__project__buyer",
                "lot__project__district",
                "bid__vendor__organisation",
                "notice",
            )
            .get(pk=award.pk)
        )
        project = award.lot.project
        _manager_of(actor, project.buyer)
        if award.status != AwardStatus.FINAL:
            raise Conflict(
                _("中标结果尚未生效，不能签订合同。"), code="award_not_final"
            )
        if Contract.objects.filter(award=award).exists():
            raise Conflict(_("该中标结果已签订合同。"), code="contract_exists")
        district = project.district
        notice_on = (
            award.notice.published_on
            if award.notice is not None
            else timezone.localtime(award.final_at or award.confirmed_at).date()
        )
        errors: dict[str, list[Any]] = {}
        start = (
            as_date(start_on, "start_on", errors)
            if start_on
            else max(timezone.localdate(), notice_on)
        )
        end = None
        if end_on:
            end = as_date(end_on, "end_on", errors)
        elif start is not None:
            end = _add_years(start, project.term_years) - dt.timedelta(days=1)
        years = 1
        if start is not None and end is not None:
            years = _check_term(start, end, project.multi_year_stated, district, errors)
        value = award.amount
        bond = None
        if performance_bond not in (None, ""):
            bond = money(performance_bond, "performance_bond", errors, positive=False)
            _check_bond(bond, value, district, notice_on, errors)
        merged = _default_clauses(award, value, start or notice_on, end or notice_on)
        for k, v in (clauses or {}).items():
            if k in REQUIRED_CLAUSES or k.startswith("extra_"):
                merged[k] = str(v or "").strip()
        _check_clauses(merged, errors)
        plan = (
            tranches if tranches is not None else _shares_default(district, notice_on)
        )
        rows: list[dict[str, Any]] = []
        try:
            rows = clean_tranches(plan, value)
        except ValidationFailed as exc:
            for k, msgs in exc.fields.items():
                errors.setdefault(k, []).extend(msgs)
        code = (code or "").strip() or f"HT-{project.code}-{award.lot.number}"
        if Contract.objects.filter(code=code).exists():
            errors.setdefault("code", []).append(_("合同编号已被使用。"))
        if errors:
            raise ValidationFailed(fields=errors)
        assert start is not None
        assert end is not None
        sign_due = deadline_for("deadline.contract.sign", district, notice_on)
        try:
            with transaction.atomic():
                contract = Contract.objects.create(
                    code=code[:40],
                    # One lot: the project's name; several: which lot.
                    title=(
                        project.title
                        if project.lots.count() == 1
                        else f"{project.title}（{award.lot.name}）"
                    )[:200],
                    award=award,
                    project=project,
                    buyer=project.buyer,
                    district=district,
                    vendor=award.bid.vendor,
                    original_value=value,
                    value=value,
                    start_on=start,
                    end_on=end,
                    term_years=years,
                    multi_year_stated=project.multi_year_stated,
                    clauses=merged,
                    acceptance_plan=project.acceptance_plan,
                    performance_bond=bond,
                    bond_form=bond_form[:60],
                    award_notice_on=notice_on,
                    sign_due=sign_due,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError as exc:
            raise Conflict(_("该中标结果已签订合同。"), code="contract_exists") from exc
        communities = list(award.lot.communities.order_by("code"))
        lot_items = list(award.lot.items.select_related("item").order_by("item__code"))
        ContractItem.objects.bulk_create(
            [
                ContractItem(
                    contract=contract,
                    item=li.item,
                    community=c,
                    unit=li.item.unit,
                    target=li.item.annual_volume * years,
                    quality=[
                        {"name": str(_("服务标准")), "text": li.item.service_standard},
                        {
                            "name": str(_("考核标准")),
                            "text": li.item.assessment_standard,
                        },
                    ],
                    steps=li.steps,
                )
                for li in lot_items
                for c in communities
            ]
        )
        _tranches_replace(contract, rows)
        audit_record(
            actor=actor,
            action="contracts.create",
            obj=contract,
            to_state=contract.status,
            payload={
                "award": award.pk,
                "value": str(value),
                "items": len(lot_items),
                "communities": len(communities),
                "sign_due": sign_due.isoformat(),
            },
        )
        contract_touch(contract, "create")
    return contract


def _tranches_replace(contract: Contract, rows: list[dict[str, Any]]) -> None:
    contract.tranches.all().delete()
    PaymentTranche.objects.bulk_create(
        [
            PaymentTranche(
                contract=contract,
                number=r["number"],
                kind=r["kind"],
                share=r["share"],
                amount=r["amount"],
                due_on=r["due_on"],
                needs_acceptance=r["needs_acceptance"],
                period_label=r["period_label"],
                min_grade=r["min_grade"],
                deduction_share=r["deduction_share"],
            )
            for r in rows
        ]
    )


def contract_tranches_set(
    *, contract: Contract, actor: User | None, tranches: Any
) -> Contract:
    """Replace the draft's payment plan.

    Raises:
        TransitionNotAllowed / NotPermitted: not a draft, or not the buyer.
        ValidationFailed: a row is wrong or the shares do not sum to 100 %.
    """

    def change(c: Contract) -> dict[str, Any]:
        rows = clean_tranches(tranches, c.value)
        _tranches_replace(c, rows)
        return {"tranches": [[r["kind"], str(r["share"])] for r in rows]}

    return run(actor, contract, "update", change)


DRAFT_FIELDS = (
    "title",
    "start_on",
    "end_on",
    "performance_bond",
    "bond_form",
    "clauses",
)


def contract_update_draft(
    *, contract: Contract, actor: User | None, **fields: Any
) -> Contract:
    """Edit a draft's title, term, bond and clauses (the rest comes from the award).

    Raises:
        TransitionNotAllowed / NotPermitted: not a draft, or not the buyer.
        ValidationFailed: a field breaks a rule.
    """
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationFailed(
            fields={k: [_("该字段不能修改。")] for k in sorted(unknown)}
        )

    def change(c: Contract) -> dict[str, Any]:
        errors: dict[str, list[Any]] = {}
        before = contract_snapshot(c, with_items=False)
        if "title" in fields:
            title = str(fields["title"] or "").strip()
            if not title:
                errors.setdefault("title", []).append(_("请填写合同名称。"))
            c.title = title[:200]
        if "start_on" in fields:
            c.start_on = as_date(fields["start_on"], "start_on", errors) or c.start_on
        if "end_on" in fields:
            c.end_on = as_date(fields["end_on"], "end_on", errors) or c.end_on
        c.term_years = _check_term(
            c.start_on, c.end_on, c.multi_year_stated, c.district, errors
        )
        if "performance_bond" in fields:
            raw = fields["performance_bond"]
            c.performance_bond = (
                None
                if raw in (None, "")
                else money(raw, "performance_bond", errors, positive=False)
            )
            _check_bond(
                c.performance_bond, c.value, c.district, c.award_notice_on, errors
            )
        if "bond_form" in fields:
            c.bond_form = str(fields["bond_form"] or "")[:60]
        if "clauses" in fields:
            merged = dict(c.clauses)
            for k, v in (fields["clauses"] or {}).items():
                if k in REQUIRED_CLAUSES or k.startswith("extra_"):
                    merged[k] = str(v or "").strip()
            _check_clauses(merged, errors)
            c.clauses = merged
        if errors:
            raise ValidationFailed(fields=errors)
        after = contract_snapshot(c, with_items=False)
        return {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}

    return run(actor, contract, "update", change)


def contract_sign_vendor(*, contract: Contract, actor: User | None) -> Contract:
    """The vendor signs the draft in its portal.

    Raises:
        TransitionNotAllowed / NotPermitted: not a draft, or not the vendor's staff.
    """

    def change(c: Contract) -> dict[str, Any]:
        c.vendor_signed_at = timezone.now()
        c.vendor_signed_by = actor if getattr(actor, "pk", None) else None
        return {}

    return run(actor, contract, "sign", change)


def contract_countersign(
    *, contract: Contract, actor: User | None, signed_on: Any = None
) -> Contract:
    """The street office countersigns: the contract is in force, version 1 is kept,
    and the publication (TL-14) and filing (TL-15) deadlines start.

    Raises:
        TransitionNotAllowed / NotPermitted: the vendor has not signed, or not the buyer.
        ValidationFailed: the signing date is before the vendor's signature or in the future.
    """

    def change(c: Contract) -> dict[str, Any]:
        errors: dict[str, list[Any]] = {}
        day = (
            as_date(signed_on, "signed_on", errors)
            if signed_on
            else timezone.localdate()
        )
        if day is not None:
            vendor_day = (
                timezone.localtime(c.vendor_signed_at).date()
                if c.vendor_signed_at
                else None
            )
            if day > timezone.localdate():
                errors.setdefault("signed_on", []).append(_("签订日期不能晚于今天。"))
            elif day < c.award_notice_on:
                errors.setdefault("signed_on", []).append(
                    _("签订日期不能早于中标通知。")
                )
            elif vendor_day is not None and day < vendor_day and signed_on is None:
                errors.setdefault("signed_on", []).append(
                    _("签订日期不能早于承接方签署。")
                )
        if errors:
            raise ValidationFailed(fields=errors)
        assert day is not None
        c.signed_on = day
        c.countersigned_by = actor if getattr(actor, "pk", None) else None
        c.publish_due = _optional_deadline("deadline.contract.publish", c.district, day)
        c.file_due = _optional_deadline("deadline.contract.file", c.district, day)
        late = day > c.sign_due
        c.status = ContractStatus.ACTIVE
        ContractVersion.objects.create(
            contract=c,
            number=c.version,
            snapshot=contract_snapshot(c),
            created_by=c.countersigned_by,
        )
        return {
            "signed_on": day.isoformat(),
            "sign_due": c.sign_due.isoformat(),
            "late": late,
            "publish_due": c.publish_due.isoformat() if c.publish_due else "",
            "file_due": c.file_due.isoformat() if c.file_due else "",
        }

    return run(actor, contract, "countersign", change)


def _done_on(raw: Any, field: str, c: Contract) -> dt.date:
    errors: dict[str, list[Any]] = {}
    day = as_date(raw, field, errors)
    if day is not None:
        if day > timezone.localdate():
            errors.setdefault(field, []).append(_("日期不能晚于今天。"))
        elif c.signed_on and day < c.signed_on:
            errors.setdefault(field, []).append(_("日期不能早于合同签订日期。"))
    if errors:
        raise ValidationFailed(fields=errors)
    assert day is not None
    return day


def contract_record_publication(
    *, contract: Contract, actor: User | None, published_on: Any, url: str = ""
) -> Contract:
    """Record that the contract was published (TL-14, DIS-11), late or not.

    Raises:
        TransitionNotAllowed / NotPermitted: not signed, already recorded, or not the buyer.
        ValidationFailed: the date is in the future or before signing.
    """

    def change(c: Contract) -> dict[str, Any]:
        c.published_on = _done_on(published_on, "published_on", c)
        c.publication_url = str(url or "")[:200]
        late = bool(c.publish_due and c.published_on > c.publish_due)
        return {"published_on": c.published_on.isoformat(), "late": late}

    return run(actor, contract, "publish", change)


def contract_record_filing(
    *, contract: Contract, actor: User | None, filed_on: Any, ref: str = ""
) -> Contract:
    """Record that a copy was filed with the finance department (TL-15).

    Raises:
        TransitionNotAllowed / NotPermitted: not signed, already recorded, or not the buyer.
        ValidationFailed: the date is in the future or before signing.
    """

    def change(c: Contract) -> dict[str, Any]:
        c.filed_on = _done_on(filed_on, "filed_on", c)
        c.filing_ref = str(ref or "")[:80]
        late = bool(c.file_due and c.filed_on > c.file_due)
        return {"filed_on": c.filed_on.isoformat(), "late": late}

    return run(actor, contract, "file", change)


def contract_terminate(
    *,
    contract: Contract,
    actor: User | None,
    kind: str,
    reason: str,
    terminated_on: Any,
) -> Contract:
    """End the contract early (breach, elimination from the admission list, or by
    agreement). Open tranches are cancelled; what was approved stays payable.

    Raises:
        TransitionNotAllowed / NotPermitted: already ended, or not the buyer.
        ValidationFailed: kind, reason or date is wrong.
    """

    def change(c: Contract) -> dict[str, Any]:
        errors: dict[str, list[Any]] = {}
        if kind not in TerminationKind.values:
            errors.setdefault("kind", []).append(_("请选择终止类型。"))
        if not str(reason or "").strip():
            errors.setdefault("reason", []).append(_("请说明终止理由。"))
        day = as_date(terminated_on, "terminated_on", errors)
        if day is not None and day < c.start_on and c.status == ContractStatus.ACTIVE:
            errors.setdefault("terminated_on", []).append(
                _("终止日期不能早于履行期限起。")
            )
        if errors:
            raise ValidationFailed(fields=errors)
        c.termination_kind = kind
        c.termination_reason = str(reason).strip()
        c.terminated_on = day
        # Approved tranches stay (the money was decided); the rest is cancelled.
        cancelled = list(
            c.tranches.filter(
                status__in=[TrancheStatus.PENDING, TrancheStatus.REQUESTED]
            ).values_list("number", flat=True)
        )
        c.tranches.filter(number__in=cancelled).update(status=TrancheStatus.CANCELLED)
        c.extensions.filter(status="pending").update(status="withdrawn")
        c.changes.filter(status="proposed").update(status="withdrawn")
        return {
            "kind": kind,
            "terminated_on": day.isoformat() if day else "",
            "cancelled_tranches": cancelled,
        }

    return run(actor, contract, "terminate", change, comment=str(reason or ""))


def contract_complete(
    *, contract: Contract, actor: User | None, completed_on: Any = None
) -> Contract:
    """The term is over and the contract is fulfilled.

    Raises:
        TransitionNotAllowed / NotPermitted: not active, term not over, or not the buyer.
    """

    def change(c: Contract) -> dict[str, Any]:
        errors: dict[str, list[Any]] = {}
        day = (
            as_date(completed_on, "completed_on", errors)
            if completed_on
            else timezone.localdate()
        )
        if errors:
            raise ValidationFailed(fields=errors)
        c.completed_on = day
        still_open = c.tranches.filter(status__in=OPEN_TRANCHE_STATUSES).count()
        return {
            "completed_on": day.isoformat() if day else "",
            "open_tranches": still_open,
        }

    return run(actor, contract, "complete", change)


def tranche_plan_default(
    contract_or_district: Any, on: dt.date
) -> list[dict[str, Any]]:
    """The default tranche rows for a district (for forms to prefill)."""
    return _shares_default(contract_or_district, on)


__all__ = [
    "REQUIRED_CLAUSES",
    "clean_tranches",
    "contract_complete",
    "contract_countersign",
    "contract_create_from_award",
    "contract_record_filing",
    "contract_record_publication",
    "contract_sign_vendor",
    "contract_terminate",
    "contract_tranches_set",
    "contract_update_draft",
    "tranche_plan_default",
]
