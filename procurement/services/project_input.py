"""Checking a project's input: fields, lots, items from the published catalogue, the method from the rules, scoring, term, SME and bond, splitting (PM-03). Every fault is reported with its field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from catalogue.choices import VersionStatus
from catalogue.models import CatalogueVersion, ServiceItem
from catalogue.validation import purchase_refusal
from core.exceptions import (
    ValidationFailed,
)
from core.ids import as_id
from vendors.models import Vendor

from .. import scoring
from ..choices import (
    BudgetSource,
    CriterionKind,
    Method,
    ScoringMethod,
)
from ..methods import optional_rule, price_weight_bounds
from ..planning import method_choice, splitting_check
from ._common import _money, _yuan


def published_catalogue(district: Organisation, year: int) -> CatalogueVersion | None:
    """The catalogue a district buys from in a year: its published version of that
    year, else the latest published or archived version up to that year."""
    qs = CatalogueVersion.objects.filter(region=district, year__lte=year).exclude(
        status=VersionStatus.DRAFT
    )
    return (
        qs.filter(year=year, status=VersionStatus.PUBLISHED).first()
        or qs.order_by("-year", "-published_at").first()
    )


def clean_project(
    data: dict[str, Any],
    *,
    buyer: Organisation,
    on: dt.date,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    """Check a project's fields and lots; every fault is reported with its field."""
    errors: dict[str, list[str]] = {}
    district = buyer.parent
    out: dict[str, Any] = {"buyer": buyer, "district": district}
    out["title"] = str(data.get("title") or "").strip()
    if not out["title"]:
        errors["title"] = [_("请填写项目名称。")]
    try:
        year = int(data.get("fiscal_year") or on.year)
    except (TypeError, ValueError):
        errors["fiscal_year"] = [_("请填写预算年度。")]
        year = on.year
    out["fiscal_year"] = year
    assert district is not None  # a street always lies in a district
    version = published_catalogue(district, year)
    if version is None:
        errors["fiscal_year"] = [
            _("%(year)s 年度没有已发布的购买目录。") % {"year": year}
        ]
    out["catalogue_version"] = version
    out["description"] = str(data.get("description") or "")
    out["acceptance_plan"] = str(data.get("acceptance_plan") or "")

    # Lots
    lots_out = []
    raw_lots = data.get("lots") or []
    if not raw_lots:
        errors["lots"] = [_("至少需要一个采购包。")]
    communities = {
        o.pk: o
        for o in Organisation.objects.filter(
            parent=buyer, kind=OrganisationKind.COMMUNITY
        )
    }
    all_item_ids: set[int] = set()
    total = Decimal(0)
    for i, raw in enumerate(raw_lots, start=1):
        p = f"lots.{i}."
        lot: dict[str, Any] = {"number": i}
        lot["name"] = str(raw.get("name") or "").strip() or _("第%(n)s包") % {"n": i}
        if str(raw.get("budget") or "").strip() == "":
            budget = None
            errors[p + "budget"] = [_("请填写预算金额（GPS-17：没有预算不得购买）。")]
        else:
            budget = _money(raw.get("budget"), p + "budget", errors)
        lot["budget"] = budget
        if budget is not None:
            total += budget
        ceiling = raw.get("ceiling")
        lot["ceiling"] = None
        if ceiling not in (None, ""):
            c = _money(ceiling, p + "ceiling", errors)
            if c is not None and budget is not None and c > budget:
                errors.setdefault(p + "ceiling", []).append(
                    _("最高限价不能高于预算金额。")
                )
            lot["ceiling"] = c
        source = raw.get("budget_source") or ""
        if source not in BudgetSource.values:
            errors[p + "budget_source"] = [_("请选择资金来源（GPS-17）。")]
        lot["budget_source"] = source
        lot["budget_note"] = str(raw.get("budget_note") or "")[:200]
        # An id that is not a number counts as a community outside the street.
        ids = [as_id(c) or 0 for c in raw.get("communities") or []]
        bad = [c for c in ids if c not in communities]
        if not ids:
            errors[p + "communities"] = [_("请选择服务社区。")]
        elif bad:
            errors[p + "communities"] = [_("只能选择本街道的社区。")]
        lot["communities"] = [communities[c] for c in ids if c in communities]
        items = items_for_lot(raw.get("items") or [], version, p + "items", errors)
        lot["items"] = items
        all_item_ids.update(it.pk for it in items)
        lots_out.append(lot)
    out["lots"] = lots_out

    # Method, with reasons and warnings from the rules
    choice = method_choice(district, on, total) if total > 0 else None
    method = data.get("method") or (choice.recommended if choice else "")
    if method not in Method.values:
        errors["method"] = [_("请选择采购方式。")]
    elif choice is not None and (why := choice.refusal(method)):
        errors["method"] = [why]
    out["method"] = method
    out["method_reasons"] = choice.reasons if choice else []
    # The warnings of the method choice concern 比选 only (PM-11).
    warnings = list(choice.warnings) if choice and method == Method.BIXUAN else []

    # Scoring (SC-01..04)
    scoring_method = data.get("scoring_method") or ScoringMethod.COMPREHENSIVE
    if scoring_method not in ScoringMethod.values:
        errors["scoring_method"] = [_("请选择评审方法。")]
    out["scoring_method"] = scoring_method
    criteria = data.get("criteria") or []
    out["criteria"], out["price_weight"] = [], Decimal(100)
    if scoring_method == ScoringMethod.COMPREHENSIVE:
        try:
            weight = Decimal(str(data.get("price_weight", "")).strip())
            if not weight.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors["price_weight"] = [_("请填写价格分值。")]
            weight = Decimal(0)
        if method in Method.values and not errors.get("price_weight"):
            lo, hi = price_weight_bounds(method, district, on)
            if (lo is not None and weight < lo) or (hi is not None and weight > hi):
                errors["price_weight"] = [
                    _(
                        "%(method)s的服务项目价格分值应在 %(lo)s–%(hi)s 之间（SC-03、SC-04）。"
                    )
                    % {
                        "method": Method(method).label,
                        "lo": lo if lo is not None else 0,
                        "hi": hi if hi is not None else 100,
                    }
                ]
        out["price_weight"] = weight
        seen: set[str] = set()
        cleaned = []
        sum_w = weight
        for k, c in enumerate(criteria, start=1):
            f = f"criteria.{k}"
            code = str(c.get("code") or "").strip()
            name = str(c.get("name") or "").strip()
            kind = c.get("kind") or CriterionKind.SUBJECTIVE
            try:
                w = Decimal(str(c.get("weight")))
                if not w.is_finite() or w <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                errors[f] = [_("分值必须是正数。")]
                continue
            if not code or not name:
                errors[f] = [_("请填写评分因素的编码和名称。")]
                continue
            if code in seen:
                errors[f] = [_("评分因素编码“%(c)s”重复。") % {"c": code}]
                continue
            if kind not in CriterionKind.values:
                errors[f] = [_("请选择主观分或客观分。")]
                continue
            seen.add(code)
            sum_w += w
            cleaned.append(
                {
                    "code": code,
                    "name": name,
                    "weight": str(w),
                    "kind": kind,
                    "guide": str(c.get("guide") or ""),
                }
            )
        if not cleaned and not any(k.startswith("criteria.") for k in errors):
            errors["criteria"] = [_("综合评分法需要列出价格以外的评分因素（SC-02）。")]
        elif not any(k.startswith("criteria") for k in errors) and sum_w != 100:
            errors["criteria"] = [
                _("价格分值与各评分因素分值之和应为100，现为 %(s)s。") % {"s": sum_w}
            ]
        out["criteria"] = cleaned

    # Qualification conditions (SC-09: not scoring factors too)
    conds = [
        str(c).strip()
        for c in data.get("qualification_conditions") or []
        if str(c).strip()
    ]
    names = {c["name"] for c in out["criteria"]}
    clash = [c for c in conds if c in names]
    if clash:
        errors["qualification_conditions"] = [
            _("资格条件不得同时作为评分因素（SC-09）：%(c)s") % {"c": "、".join(clash)}
        ]
    out["qualification_conditions"] = conds

    # Term (GPS-24, CT-04)
    try:
        term = int(data.get("term_years") or 1)
    except (TypeError, ValueError):
        term, errors["term_years"] = 1, [_("请填写服务期限。")]
    stated = bool(data.get("multi_year_stated"))
    # GPS-24 / CT-04 are in force from 2020; a project dated earlier (the 2015
    # re-tender) has no term rule beyond the register's own 1–3 years.
    plain_rule = optional_rule("contract.term.max_years", district, on)
    ext_rule = optional_rule("contract.term.max_years_extended", district, on)
    max_plain = int(plain_rule) if plain_rule is not None else None
    max_ext = int(ext_rule) if ext_rule is not None else None
    if term < 1 or (max_ext is not None and term > max_ext):
        errors["term_years"] = [_("服务期限应为 1–%(n)s 年。") % {"n": max_ext}]
    elif max_plain is not None and term > max_plain and not stated:
        errors["term_years"] = [
            _("超过 %(n)s 年的服务期限须选择并在采购文件中载明（GPS-24、CT-04）。")
            % {"n": max_plain}
        ]
    out["term_years"] = term
    out["multi_year_stated"] = stated and term > (max_plain or 1)

    # Payment tranches: shares sum to 100
    terms = data.get("payment_terms") or []
    cleaned_terms = []
    share_sum = Decimal(0)
    for k, t in enumerate(terms, start=1):
        try:
            share = Decimal(str(t.get("share")))
            if not share.is_finite() or share <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors[f"payment_terms.{k}"] = [_("付款比例必须是正数。")]
            continue
        share_sum += share
        cleaned_terms.append(
            {
                "name": str(t.get("name") or ""),
                "share": str(share),
                "condition": str(t.get("condition") or ""),
            }
        )
    if (
        cleaned_terms
        and share_sum != 100
        and not any(k.startswith("payment_terms") for k in errors)
    ):
        errors["payment_terms"] = [
            _("各期付款比例之和应为100%%，现为 %(s)s%%。") % {"s": share_sum}
        ]
    out["payment_terms"] = cleaned_terms

    # SME (SME-01, SME-04) and policy deduction (SC-08)
    out["sme_exemption"] = bool(data.get("sme_exemption"))
    out["sme_exemption_reason"] = str(data.get("sme_exemption_reason") or "").strip()
    if out["sme_exemption"] and not out["sme_exemption_reason"]:
        errors["sme_exemption_reason"] = [
            _("请写明不专门面向中小企业的理由（SME-04）。")
        ]
    full = optional_rule("sme.reserve.full_threshold.goods_services", district, on)
    if (
        not out["sme_exemption"]
        and full is not None
        and total
        and total <= Decimal(str(full))
    ):
        warnings.append(
            _(
                "预算不超过 %(limit)s 的服务项目原则上专门面向中小企业；社会组织不是企业，面向社会组织采购时应记录不预留的理由（SME-01、SME-04）。"
            )
            % {"limit": _yuan(Decimal(str(full)))}
        )
    deduction_raw = data.get("sme_price_deduction") or "0"
    try:
        deduction = Decimal(str(deduction_raw))
        if not deduction.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        deduction = Decimal(0)
        errors["sme_price_deduction"] = [_("请填写百分比。")]
    if deduction:
        rng = optional_rule("sme.price_deduction.range", district, on)
        if rng and not (
            Decimal(str(rng["min"])) <= deduction <= Decimal(str(rng["max"]))
        ):
            errors["sme_price_deduction"] = [
                _("小微企业价格扣除应在 %(lo)s%%–%(hi)s%% 之间（SC-08）。")
                % {"lo": rng["min"], "hi": rng["max"]}
            ]
    out["sme_price_deduction"] = deduction

    # Bid bond (BD-01)
    bond_raw = data.get("bid_bond")
    bond = Decimal(0)
    if bond_raw not in (None, "", 0, "0"):
        b = _money(bond_raw, "bid_bond", errors, positive=False)
        bond = b if b is not None else Decimal(0)
        cap = optional_rule("bond.bid.max_share", district, on)
        if cap is not None and total and bond > total * Decimal(str(cap)) / 100:
            errors["bid_bond"] = [
                _("投标保证金不得超过预算的 %(cap)s%%（%(max)s，BD-01）。")
                % {
                    "cap": cap,
                    "max": _yuan(scoring.q2(total * Decimal(str(cap)) / 100)),
                }
            ]
    out["bid_bond"] = bond

    drafted = list(data.get("drafted_by") or [])
    out["drafted_by"] = [
        v if isinstance(v, Vendor) else Vendor.objects.filter(pk=v).first()
        for v in drafted
    ]
    if any(v is None for v in out["drafted_by"]):
        errors["drafted_by"] = [_("所选组织不存在。")]

    if not errors and method in Method.values:
        split = splitting_check(
            buyer=buyer,
            fiscal_year=year,
            item_ids=all_item_ids,
            amount=total,
            method=method,
            jurisdiction=district,
            on=on,
            exclude_pk=exclude_pk,
        )
        if split:
            errors["method"] = [split]
    if errors:
        raise ValidationFailed(fields=errors)
    out["method_warnings"] = [str(w) for w in warnings]
    out["method_reasons"] = [str(r) for r in out["method_reasons"]]
    return out


def items_for_lot(
    raw: list[Any],
    version: CatalogueVersion | None,
    field: str,
    errors: dict[str, list[str]],
) -> list[ServiceItem]:
    """Catalogue items by id or code; PROHIBITED items and AUX_ONLY items whose
    deliverable is the decision are refused (GPS-09, §7)."""
    if not raw:
        errors[field] = [_("请从购买目录中选择事项。")]
        return []
    if version is None:
        return []
    # Each entry is an item id or an item code.
    keys = [as_id(r) or str(getattr(r, "pk", r))[:40] for r in raw]
    ids = [k for k in keys if isinstance(k, int)]
    codes = [k for k in keys if isinstance(k, str)]
    found = list(
        ServiceItem.objects.filter(version=version).filter(_items_q(ids, codes))
    )
    known = {i.pk for i in found} | {i.code for i in found}
    missing = [str(k) for k in keys if k not in known]
    if missing:
        errors[field] = [
            _("以下事项不在 %(v)s 中：%(m)s")
            % {"v": version.title, "m": "、".join(missing[:10])}
        ]
        return []
    refusals = [r for i in found if (r := purchase_refusal(i))]
    if refusals:
        errors[field] = refusals
        return []
    return sorted(found, key=lambda i: i.code)


def _items_q(ids: list[int], codes: list[str]) -> Any:
    from django.db.models import Q

    return Q(pk__in=ids) | Q(code__in=codes)
