"""Services of procurement: every write, for the pages, the API, the tasks and the seed.

Each named transition locks the project row, asks the transition table under the
lock, changes what it changes and writes one audit event. Every number (thresholds,
periods, committee sizes, price weights, supplier minimums) is a rule parameter of
the buyer's district on the day; `procurement.methods` names which.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.services import notify
from catalogue.choices import OutsourceScope, VersionStatus
from catalogue.models import CatalogueVersion, ServiceItem
from catalogue.rules import add_calendar_days, add_working_days, rule_value
from catalogue.validation import purchase_refusal
from core.events import audit_record
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.jobs import job_create
from core.uploads import validate_upload
from vendors.choices import OrgType, PersonRole
from vendors.eligibility import vendor_check_eligibility
from vendors.models import RelatedPerson, Vendor
from vendors.selectors import incubation_conflict_reasons
from vendors.services import vendor_staff_users

from . import scoring
from .choices import (
    LIVE_BID_STATUSES,
    AwardStatus,
    BidStatus,
    BondForm,
    BudgetSource,
    ChallengeStatus,
    CriterionKind,
    LotStatus,
    MemberRole,
    MemberStatus,
    Method,
    NoticeKind,
    ProjectStatus,
    ScoringMethod,
    SheetStatus,
)
from .methods import committee_rules, optional_rule, price_weight_bounds, profile
from .models import (
    Award,
    Bid,
    BidFile,
    BidLot,
    Challenge,
    CommitteeMember,
    Lot,
    LotItem,
    Notice,
    ProcurementProject,
    ScoreSheet,
    TenderDocument,
)
from .permissions import bidding_vendor, can_create_project, committee_seat
from .planning import method_choice, minimum_dates, splitting_check
from .sealing import seal_bytes, seal_json, unseal_json
from .workflows import TRANSITIONS, transition_decision

S = ProjectStatus
MAX_BID_FILE_BYTES = 20 * 1024 * 1024
BID_FILE_TYPES = ("pdf", "jpeg", "png")


# --- helpers ---------------------------------------------------------------------------


def _lock(project: ProcurementProject) -> ProcurementProject:
    return (
        ProcurementProject.objects.select_for_update(of=("self",))
        .select_related("buyer", "district", "catalogue_version")
        .get(pk=project.pk)
    )


def _check(actor: User | None, project: ProcurementProject, name: str) -> None:
    if actor is not None:
        transition_decision(actor, project, name).raise_if_denied()
    elif project.status not in TRANSITIONS[name].sources:
        raise TransitionNotAllowed()


def _run(
    actor: User | None,
    project: ProcurementProject,
    name: str,
    change: Callable[[ProcurementProject], dict[str, Any]],
    comment: str = "",
) -> ProcurementProject:
    """Lock, check the transition, apply `change` (returns the event payload), save, audit.
    `change` may set the status itself when the outcome decides it."""
    t = TRANSITIONS[name]
    with transaction.atomic():
        locked = _lock(project)
        _check(actor, locked, name)
        before = locked.status
        payload = change(locked)
        if t.target is not None and locked.status == before:
            locked.status = t.target
        locked.save()
        audit_record(
            actor=actor,
            action=f"procurement.{name}",
            obj=locked,
            from_state=before,
            to_state=locked.status,
            comment=comment,
            payload=payload,
        )
    return locked


def _money(
    raw: Any, field: str, errors: dict[str, list[str]], *, positive: bool = True
) -> Decimal | None:
    """A yuan amount with at most 2 decimals, or None with the reason in `errors`."""
    if raw is None or str(raw).strip() == "":
        errors.setdefault(field, []).append(_("请填写金额。"))
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors.setdefault(field, []).append(_("“%(v)s”不是有效的金额。") % {"v": raw})
        return None
    if not value.is_finite():
        errors.setdefault(field, []).append(_("“%(v)s”不是有效的金额。") % {"v": raw})
        return None
    if abs(value) >= Decimal("1e12"):  # before quantize, which fails on huge values
        errors.setdefault(field, []).append(_("金额过大。"))
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append(_("金额最多保留两位小数。"))
        return None
    if positive and value <= 0:
        errors.setdefault(field, []).append(_("金额必须大于零。"))
        return None
    if value < 0:
        errors.setdefault(field, []).append(_("金额不能为负数。"))
        return None
    if value >= Decimal("1e12"):
        errors.setdefault(field, []).append(_("金额过大。"))
        return None
    return value


def _yuan(v: Decimal) -> str:
    return f"¥{v:,.2f}"


def _notice(
    project: ProcurementProject,
    kind: str,
    title: str,
    body: str,
    *,
    actor: User | None,
    on: dt.date,
    period_ends: dt.date | None = None,
    data: dict[str, Any] | None = None,
) -> Notice:
    notice = Notice.objects.create(
        project=project,
        kind=kind,
        title=title,
        body=body,
        published_on=on,
        period_ends=period_ends,
        published_by=actor if getattr(actor, "pk", None) else None,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action="procurement.notice_publish",
        obj=notice,
        payload={"kind": kind},
    )
    return notice


def _bidders(project: ProcurementProject) -> list[Bid]:
    return list(
        project.bids.filter(status__in=LIVE_BID_STATUSES).select_related(
            "vendor__organisation"
        )
    )


def _tell_bidders(
    project: ProcurementProject, verb: str, title: str, body: str
) -> None:
    users: list[User] = []
    for bid in _bidders(project):
        users.extend(vendor_staff_users(bid.vendor))
    if users:
        notify(
            users=users,
            verb=verb,
            title=title,
            body=body,
            link=project.get_absolute_url(),
        )


# --- the project -----------------------------------------------------------------------


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


def _clean_project(
    actor: User | None,
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
        ids = [
            int(c.pk if hasattr(c, "pk") else c)
            for c in raw.get("communities") or []
            if str(getattr(c, "pk", c)).isdigit()
        ]
        bad = [c for c in ids if c not in communities]
        if not ids:
            errors[p + "communities"] = [_("请选择服务社区。")]
        elif bad:
            errors[p + "communities"] = [_("只能选择本街道的社区。")]
        lot["communities"] = [communities[c] for c in ids if c in communities]
        items = _items(raw.get("items") or [], version, p + "items", errors)
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
    warnings = list(choice.warnings) if choice and method == Method.BIXUAN else []
    if choice and method != Method.BIXUAN:
        warnings = []

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


def _items(
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
    keys = [getattr(r, "pk", r) for r in raw]
    ids = [int(k) for k in keys if str(k).isdigit()]
    codes = [str(k) for k in keys if not str(k).isdigit()]
    found = list(
        ServiceItem.objects.filter(version=version).filter(models_q(ids, codes))
    )
    known = {i.pk for i in found} | {i.code for i in found}
    missing = [
        str(k) for k in keys if (int(k) if str(k).isdigit() else str(k)) not in known
    ]
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


def models_q(ids: list[int], codes: list[str]) -> Any:
    from django.db.models import Q

    return Q(pk__in=ids) | Q(code__in=codes)


def _next_code(buyer: Organisation, year: int) -> str:
    Organisation.objects.select_for_update().filter(pk=buyer.pk).first()
    prefix = f"{buyer.code}-{year}-"
    last = (
        ProcurementProject.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:03d}"


def _write_project(project: ProcurementProject, v: dict[str, Any]) -> None:
    for name in (
        "title",
        "fiscal_year",
        "catalogue_version",
        "description",
        "acceptance_plan",
        "method",
        "method_reasons",
        "method_warnings",
        "scoring_method",
        "criteria",
        "price_weight",
        "qualification_conditions",
        "term_years",
        "multi_year_stated",
        "payment_terms",
        "sme_exemption",
        "sme_exemption_reason",
        "sme_price_deduction",
        "bid_bond",
    ):
        setattr(project, name, v[name])
    project.save()
    project.drafted_by.set(v["drafted_by"])
    project.lots.all().delete()
    for lot in v["lots"]:
        row = Lot.objects.create(
            project=project,
            number=lot["number"],
            name=lot["name"],
            budget=lot["budget"],
            ceiling=lot["ceiling"],
            budget_source=lot["budget_source"],
            budget_note=lot["budget_note"],
        )
        row.communities.set(lot["communities"])
        LotItem.objects.bulk_create(
            [
                LotItem(
                    lot=row,
                    item=i,
                    steps=list(i.allowed_steps)
                    if i.outsource_scope == OutsourceScope.AUX_ONLY
                    else [],
                )
                for i in lot["items"]
            ]
        )


def project_create(
    *,
    actor: User | None,
    buyer: Organisation,
    data: dict[str, Any],
    on: dt.date | None = None,
) -> ProcurementProject:
    """采购项目: a street office's purchase of catalogue items in lots, with the method
    chosen from the rules and the reasons recorded.

    Raises:
        NotPermitted: the actor does not buy for this street.
        ValidationFailed: any field or lot at fault (names the field).
    """
    on = on or timezone.localdate()
    if actor is not None:
        can_create_project(actor, buyer).raise_if_denied()
    if buyer.kind != OrganisationKind.STREET:
        raise ValidationFailed(fields={"buyer": [_("采购人必须是街道办事处。")]})
    v = _clean_project(actor, data, buyer=buyer, on=on)
    with transaction.atomic():
        project = ProcurementProject(
            code=_next_code(buyer, v["fiscal_year"]),
            buyer=buyer,
            district=v["district"],
            created_by=actor if getattr(actor, "pk", None) else None,
            restarted_from=data.get("restarted_from"),
            replaces_contract_of=data.get("replaces_contract_of"),
        )
        _write_project(project, v)
        audit_record(
            actor=actor,
            action="procurement.create",
            obj=project,
            to_state=project.status,
            payload={
                "method": project.method,
                "reasons": project.method_reasons,
                "warnings": project.method_warnings,
                "lots": [
                    {
                        "number": lot["number"],
                        "budget": str(lot["budget"]),
                        "items": len(lot["items"]),
                    }
                    for lot in v["lots"]
                ],
            },
        )
    return project


def project_update(
    *,
    actor: User | None,
    project: ProcurementProject,
    data: dict[str, Any],
    on: dt.date | None = None,
) -> ProcurementProject:
    """Change a draft project (the whole of it, lots included)."""
    on = on or timezone.localdate()
    v = _clean_project(actor, data, buyer=project.buyer, on=on, exclude_pk=project.pk)

    def change(p: ProcurementProject) -> dict[str, Any]:
        _write_project(p, v)
        return {"method": p.method, "lots": len(v["lots"])}

    return _run(actor, project, "update", change)


def project_restart(
    *, actor: User | None, project: ProcurementProject, on: dt.date | None = None
) -> ProcurementProject:
    """A failed or terminated procurement starts again as a new draft with the same
    lots, items and communities (SUP-02)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(project)
        _check(actor, locked, "restart")
        data = project_data(locked)
        data["restarted_from"] = locked
        data["replaces_contract_of"] = locked.replaces_contract_of
        data["fiscal_year"] = locked.fiscal_year
        new = project_create(actor=actor, buyer=locked.buyer, data=data, on=on)
        audit_record(
            actor=actor,
            action="procurement.restart",
            obj=locked,
            payload={"new": new.code},
        )
    return new


def project_data(project: ProcurementProject) -> dict[str, Any]:
    """The project as the input `project_create` takes (for a restart or an edit form)."""
    return {
        "title": project.title,
        "fiscal_year": project.fiscal_year,
        "method": project.method,
        "description": project.description,
        "acceptance_plan": project.acceptance_plan,
        "scoring_method": project.scoring_method,
        "price_weight": str(project.price_weight),
        "criteria": project.criteria,
        "qualification_conditions": project.qualification_conditions,
        "term_years": project.term_years,
        "multi_year_stated": project.multi_year_stated,
        "payment_terms": project.payment_terms,
        "sme_exemption": project.sme_exemption,
        "sme_exemption_reason": project.sme_exemption_reason,
        "sme_price_deduction": str(project.sme_price_deduction),
        "bid_bond": str(project.bid_bond),
        "drafted_by": list(project.drafted_by.all()),
        "lots": [
            {
                "name": lot.name,
                "budget": str(lot.budget),
                "ceiling": str(lot.ceiling) if lot.ceiling is not None else "",
                "budget_source": lot.budget_source,
                "budget_note": lot.budget_note,
                "communities": [c.pk for c in lot.communities.all()],
                "items": [li.item_id for li in lot.items.all()],
            }
            for lot in project.lots.all()
        ],
    }


# --- notices ---------------------------------------------------------------------------


def project_publish_intention(
    *, actor: User | None, project: ProcurementProject, on: dt.date | None = None
) -> ProcurementProject:
    """采购意向 (DIS-02, TL-01): name, needs, budget and expected timing, per project."""
    on = on or timezone.localdate()

    def change(p: ProcurementProject) -> dict[str, Any]:
        if p.intention_published_on:
            raise Conflict(_("采购意向已经公开。"))
        p.intention_published_on = on
        budget = sum((lot.budget for lot in p.lots.all()), Decimal(0))
        ahead = optional_rule("deadline.intention.publish_ahead", p.district, on)
        earliest = add_calendar_days(on, int(ahead)) if ahead is not None else on
        _notice(
            p,
            NoticeKind.INTENTION,
            _("%(buyer)s%(title)s采购意向") % {"buyer": p.buyer.name, "title": p.title},
            _(
                "采购项目：%(title)s\n采购需求概况：%(desc)s\n预算金额：%(budget)s\n预计采购时间：%(when)s 以后"
            )
            % {
                "title": p.title,
                "desc": p.description or p.title,
                "budget": _yuan(budget),
                "when": earliest.isoformat(),
            },
            actor=actor,
            on=on,
            data={"budget": str(budget), "earliest_start": earliest.isoformat()},
        )
        return {"earliest_start": earliest.isoformat()}

    return _run(actor, project, "publish_intention", change)


def project_announce(
    *,
    actor: User | None,
    project: ProcurementProject,
    bid_deadline: dt.datetime,
    documents_from: dt.date | None = None,
    documents_until: dt.date | None = None,
    urgent_reason: str = "",
    on: dt.date | None = None,
) -> ProcurementProject:
    """招标 / 磋商 / 比选公告: documents on offer, the bid deadline, checked against the
    method's periods (TL-01, TL-03, TL-04, TL-07, PM-11).

    Raises:
        ValidationFailed: a period is shorter than the rules allow (names the field).
        Conflict: no finished tender document to issue.
    """
    on = on or timezone.localdate()
    documents_from = documents_from or on

    def change(p: ProcurementProject) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        doc = (
            p.documents.select_related("job")
            .filter(job__status="done")
            .order_by("-version")
            .first()
        )
        if doc is None:
            raise Conflict(
                _("请先生成%(doc)s，公告发布时须同时提供文件。")
                % {"doc": profile(p.method).document_name},
                code="no_document",
            )
        ahead = optional_rule("deadline.intention.publish_ahead", p.district, on)
        if p.method != Method.BIXUAN and ahead is not None and not urgent_reason:
            if p.intention_published_on is None:
                errors["intention"] = [
                    _(
                        "须先公开采购意向，且至少提前 %(d)s 日（TL-01）；因不可预见的紧急情况除外，请写明理由。"
                    )
                    % {"d": ahead}
                ]
            elif add_calendar_days(p.intention_published_on, int(ahead)) > on:
                errors["intention"] = [
                    _(
                        "采购意向公开不足 %(d)s 日，最早可于 %(date)s 发布公告（TL-01）。"
                    )
                    % {
                        "d": ahead,
                        "date": add_calendar_days(
                            p.intention_published_on, int(ahead)
                        ).isoformat(),
                    }
                ]
        if documents_from < on:
            errors["documents_from"] = [_("文件发售不能早于公告发布日。")]
        minimum = minimum_dates(p.method, p.district, documents_from)
        until = documents_until or minimum["documents_until"]
        if until < minimum["documents_until"]:
            errors["documents_until"] = [
                _("文件提供期限不得早于 %(d)s（%(rule)s）。")
                % {
                    "d": minimum["documents_until"].isoformat(),
                    "rule": profile(p.method).deadlines[0].rule_id,
                }
            ]
        deadline_day = (
            timezone.localdate(bid_deadline)
            if timezone.is_aware(bid_deadline)
            else bid_deadline.date()
        )
        if deadline_day < minimum["bid_deadline"] or deadline_day < until:
            errors["bid_deadline"] = [
                _("投标截止时间不得早于 %(d)s（%(rule)s）。")
                % {
                    "d": max(minimum["bid_deadline"], until).isoformat(),
                    "rule": profile(p.method).deadlines[1].rule_id,
                }
            ]
        if errors:
            raise ValidationFailed(fields=errors)
        p.notice_published_on = on
        p.documents_from, p.documents_until, p.bid_deadline = (
            documents_from,
            until,
            bid_deadline,
        )
        prof = profile(p.method)
        lots = list(p.lots.all())
        body = "\n".join(
            [
                _("采购人：%(b)s") % {"b": p.buyer.name},
                _("项目编号：%(c)s") % {"c": p.code},
                _("采购方式：%(m)s") % {"m": p.get_method_display()},
                *[
                    _("第%(n)s包 %(name)s，预算 %(b)s，最高限价 %(c)s")
                    % {
                        "n": lot.number,
                        "name": lot.name,
                        "b": _yuan(lot.budget),
                        "c": _yuan(lot.max_price),
                    }
                    for lot in lots
                ],
                _("%(doc)s获取时间：%(f)s 至 %(u)s")
                % {
                    "doc": prof.document_name,
                    "f": documents_from.isoformat(),
                    "u": until.isoformat(),
                },
                _("投标（响应）截止时间：%(d)s")
                % {
                    "d": timezone.localtime(bid_deadline).strftime("%Y-%m-%d %H:%M")
                    if timezone.is_aware(bid_deadline)
                    else bid_deadline
                },
                *[_("资格条件：%(c)s") % {"c": c} for c in p.qualification_conditions],
            ]
        )
        period = (
            optional_rule("deadline.tender.notice_period", p.district, on)
            if p.method == Method.TENDER
            else None
        )
        _notice(
            p,
            prof.notice_kind,
            _("%(title)s%(kind)s")
            % {"title": p.title, "kind": NoticeKind(prof.notice_kind).label},
            body,
            actor=actor,
            on=on,
            period_ends=add_working_days(on, int(period))
            if period is not None
            else until,
            data={
                "document_version": doc.version,
                "bid_deadline": bid_deadline.isoformat(),
            },
        )
        return {
            "bid_deadline": bid_deadline.isoformat(),
            "documents_until": until.isoformat(),
            "urgent_reason": urgent_reason,
            "document_version": doc.version,
        }

    return _run(actor, project, "announce", change)


def project_correct(
    *,
    actor: User | None,
    project: ProcurementProject,
    body: str,
    affects_bids: bool,
    on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ProcurementProject:
    """更正公告 (DIS-08). A change that affects bids must reach bidders the method's
    period before the deadline, or the deadline moves (TL-05, TL-07)."""
    on = on or timezone.localdate()
    now = now or timezone.now()
    if not body.strip():
        raise ValidationFailed(fields={"body": [_("请填写更正内容。")]})

    def change(p: ProcurementProject) -> dict[str, Any]:
        assert p.bid_deadline is not None
        if now >= p.bid_deadline:
            raise Conflict(_("投标截止时间已过，不能再发布更正公告。"))
        moved = None
        key = profile(p.method).clarification_key
        days = optional_rule(key, p.district, on) if affects_bids else None
        if days is not None:
            earliest = add_calendar_days(on, int(days))
            if timezone.localdate(p.bid_deadline) < earliest:
                local = timezone.localtime(p.bid_deadline)
                new = local.replace(
                    year=earliest.year, month=earliest.month, day=earliest.day
                )
                moved = (p.bid_deadline.isoformat(), new.isoformat())
                p.bid_deadline = new
        text = body
        if moved:
            text += "\n" + _("本次更正影响投标文件编制，投标截止时间顺延至 %(d)s。") % {
                "d": timezone.localtime(p.bid_deadline).strftime("%Y-%m-%d %H:%M")
            }
        _notice(
            p,
            NoticeKind.CORRECTION,
            _("%(title)s更正公告") % {"title": p.title},
            text,
            actor=actor,
            on=on,
            data={"affects_bids": affects_bids, "deadline_moved": moved},
        )
        _tell_bidders(
            p,
            "procurement.correction",
            _("%(title)s发布更正公告") % {"title": p.title},
            text,
        )
        return {"affects_bids": affects_bids, "deadline_moved": moved}

    return _run(actor, project, "correct", change)


# --- tender documents ------------------------------------------------------------------


def tender_document_generate(
    *, actor: User | None, project: ProcurementProject, note: str = ""
) -> TenderDocument:
    """Queue version n+1 of the project's document; the page polls its job. Earlier
    versions are kept."""
    from .tasks import tender_document_render_task

    with transaction.atomic():
        locked = _lock(project)
        _check(actor, locked, "generate_document")
        version = (locked.documents.aggregate(m=Max("version"))["m"] or 0) + 1
        job = job_create(
            kind="tender-document",
            actor=actor,
            obj=locked,
            params={"project": locked.pk, "version": version},
        )
        doc = TenderDocument.objects.create(
            project=locked,
            version=version,
            job=job,
            note=note[:255],
            created_by=job.created_by,
        )
        audit_record(
            actor=actor,
            action="procurement.generate_document",
            obj=locked,
            payload={"version": version, "job": job.pk},
        )
        transaction.on_commit(lambda: tender_document_render_task.delay(job.pk))
    return doc


# --- bids ------------------------------------------------------------------------------


def _clean_bid(
    project: ProcurementProject, vendor: Vendor, data: dict[str, Any], files: list[Any]
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    lots = {lot.pk: lot for lot in project.lots.all()}
    by_number = {lot.number: lot for lot in lots.values()}
    prices_in = data.get("prices") or {}
    prices: dict[str, str] = {}
    for key, raw in prices_in.items():
        if raw in (None, ""):
            continue
        lot = lots.get(int(key)) if str(key).isdigit() else None
        if lot is None:
            errors.setdefault("prices", []).append(
                _("第“%(k)s”包不属于本项目。") % {"k": key}
            )
            continue
        field = f"prices.{lot.pk}"
        value = _money(raw, field, errors)
        if value is None:
            continue
        if value > lot.max_price:
            errors[field] = [
                _("报价 %(p)s 超过第%(n)s包最高限价 %(c)s。")
                % {"p": _yuan(value), "n": lot.number, "c": _yuan(lot.max_price)}
            ]
            continue
        prices[str(lot.pk)] = str(value)
    if (
        not prices
        and "prices" not in errors
        and not any(k.startswith("prices.") for k in errors)
    ):
        errors["prices"] = [_("请至少对一个采购包报价。")]
    technical = str(data.get("technical_response") or "").strip()
    if not technical:
        errors["technical_response"] = [_("请填写技术（服务）响应。")]
    if not data.get("declare_no_conflict"):
        errors["declare_no_conflict"] = [
            _("请确认与采购人、评审专家及其他投标人不存在利害关系（CR-07）。")
        ]
    if not data.get("declare_credit"):
        errors["declare_credit"] = [
            _(
                "请确认未被列入失信被执行人、重大税收违法失信主体或政府采购严重违法失信行为记录名单（CR-01）。"
            )
        ]
    bond_form = data.get("bond_form") or BondForm.NONE
    if bond_form not in BondForm.values:
        errors["bond_form"] = [_("请选择保证金形式。")]
    bond_amount = Decimal(0)
    if project.bid_bond > 0:
        if bond_form == BondForm.NONE:
            errors["bond_form"] = [_("本项目要求提交投标保证金（非现金形式，BD-01）。")]
        else:
            b = _money(data.get("bond_amount"), "bond_amount", errors)
            if b is not None and b < project.bid_bond:
                errors["bond_amount"] = [
                    _("保证金不得少于 %(b)s。") % {"b": _yuan(project.bid_bond)}
                ]
            bond_amount = b or Decimal(0)
    for f in files:
        try:
            validate_upload(
                f, field="files", allowed=BID_FILE_TYPES, max_bytes=MAX_BID_FILE_BYTES
            )
        except ValidationFailed as exc:
            for k, v in exc.fields.items():
                errors.setdefault(k, []).extend(str(m) for m in v)
    if errors:
        raise ValidationFailed(fields=errors)
    del by_number
    return {
        "prices": prices,
        "technical_response": technical,
        "declaration": {
            "no_conflict": True,
            "credit": True,
            "conflict_note": str(data.get("conflict_note") or ""),
            "sme": bool(data.get("sme")),
        },
        "bond": {"form": bond_form, "amount": str(bond_amount)},
    }


def bid_submit(
    *,
    actor: User | None,
    project: ProcurementProject,
    vendor: Vendor,
    data: dict[str, Any],
    files: list[Any] | None = None,
    now: dt.datetime | None = None,
) -> Bid:
    """投标: sealed at once. Submitting again before the deadline replaces the live bid.

    Raises:
        NotPermitted: the actor is not the vendor's staff.
        Conflict: the project takes no bids now (not announced, or past the deadline).
        ValidationFailed: a price (zero, negative, above the ceiling, more than 2
            decimals), the response, the declaration, the bond or a file is at fault.
    """
    now = now or timezone.now()
    files = files or []
    if actor is not None:
        bidding_vendor(actor, vendor).raise_if_denied()
    with transaction.atomic():
        locked = _lock(project)
        if locked.status != S.ANNOUNCED or locked.bid_deadline is None:
            raise Conflict(_("本项目现在不接受投标。"), code="not_accepting_bids")
        if now >= locked.bid_deadline:
            raise Conflict(
                _("投标截止时间 %(d)s 已过，不再接受投标。")
                % {
                    "d": timezone.localtime(locked.bid_deadline).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                },
                code="deadline_passed",
            )
        if locked.drafted_by.filter(pk=vendor.pk).exists():
            raise ValidationFailed(
                _("参与本项目需求编制的组织不得投标（CR-07）。"),
                fields={"vendor": [_("参与本项目需求编制的组织不得投标（CR-07）。")]},
            )
        content = _clean_bid(locked, vendor, data, files)
        old = (
            Bid.objects.select_for_update()
            .filter(project=locked, vendor=vendor, status=BidStatus.SUBMITTED)
            .first()
        )
        if old is not None:
            old.status = BidStatus.REPLACED
            old.save(update_fields=["status"])
        bid = Bid.objects.create(
            project=locked,
            vendor=vendor,
            submitted_at=now,
            submitted_by=actor if getattr(actor, "pk", None) else None,
            sealed_content=seal_json(content),
        )
        for f in files:
            f.seek(0)
            raw = f.read()
            name = hashlib.sha256(raw).hexdigest()[:16] + ".sealed"
            bf = BidFile(
                bid=bid,
                sealed_name=seal_json({"name": getattr(f, "name", "file")}),
                size=len(raw),
            )
            bf.blob.save(name, ContentFile(seal_bytes(raw)), save=False)
            bf.save()
        audit_record(
            actor=actor,
            action="procurement.bid_replace" if old else "procurement.bid_submit",
            obj=bid,
            to_state=bid.status,
            payload={"files": len(files)},  # who and when only: nothing of the content
        )
    return bid


def bid_withdraw(
    *, actor: User | None, bid: Bid, now: dt.datetime | None = None
) -> Bid:
    """Withdraw a bid before the deadline; after it nothing changes."""
    now = now or timezone.now()
    if actor is not None:
        bidding_vendor(actor, bid.vendor).raise_if_denied()
    with transaction.atomic():
        locked_project = _lock(bid.project)
        b = Bid.objects.select_for_update().get(pk=bid.pk)
        if b.status != BidStatus.SUBMITTED:
            raise TransitionNotAllowed(_("只有已递交的投标可以撤回。"))
        if locked_project.bid_deadline is None or now >= locked_project.bid_deadline:
            raise Conflict(_("投标截止时间已过，不能撤回。"), code="deadline_passed")
        b.status, b.withdrawn_at = BidStatus.WITHDRAWN, now
        b.save(update_fields=["status", "withdrawn_at"])
        audit_record(
            actor=actor,
            action="procurement.bid_withdraw",
            obj=b,
            from_state=BidStatus.SUBMITTED,
            to_state=b.status,
        )
    return b


# --- opening and qualification ---------------------------------------------------------


def project_open(
    *, actor: User | None, project: ProcurementProject, now: dt.datetime | None = None
) -> ProcurementProject:
    """开标: after the deadline, the only place bids are decrypted. Writes the opening
    record (bidders, prices, bond status) and the price of every lot bid."""
    now = now or timezone.now()

    def change(p: ProcurementProject) -> dict[str, Any]:
        if p.bid_deadline is None or now < p.bid_deadline:
            raise Conflict(_("投标截止时间未到，不能开标。"), code="before_deadline")
        lots = {str(lot.pk): lot for lot in p.lots.all()}
        record = []
        for bid in (
            p.bids.filter(status=BidStatus.SUBMITTED)
            .select_related("vendor__organisation")
            .order_by("submitted_at")
        ):
            content = unseal_json(bid.sealed_content)
            bid.technical_response = content["technical_response"]
            bid.declaration = content["declaration"]
            bid.bond_form = content["bond"]["form"]
            bid.bond_amount = Decimal(content["bond"]["amount"])
            bid.opened_at = now
            bid.status = BidStatus.OPENED
            bid.save()
            deduction = (
                p.sme_price_deduction
                if (
                    content["declaration"].get("sme")
                    and bid.vendor.org_type == OrgType.ENTERPRISE
                )
                else Decimal(0)
            )
            prices = []
            for lot_pk, price in content["prices"].items():
                lot = lots[lot_pk]
                value = Decimal(price)
                BidLot.objects.create(
                    bid=bid,
                    lot=lot,
                    price=value,
                    adjusted_price=scoring.adjusted_price(value, deduction),
                )
                prices.append({"lot": lot.number, "price": price})
            bond_ok = p.bid_bond <= 0 or (
                bid.bond_form != BondForm.NONE and (bid.bond_amount or 0) >= p.bid_bond
            )
            record.append(
                {
                    "bid": bid.pk,
                    "vendor": bid.vendor.organisation.name,
                    "submitted_at": bid.submitted_at.isoformat(),
                    "prices": prices,
                    "bond": {
                        "form": bid.bond_form,
                        "amount": str(bid.bond_amount),
                        "ok": bond_ok,
                    },
                }
            )
        p.opened_at = now
        return {"record": record}

    return _run(actor, project, "open", change)


def independence_conflicts(bids: list[Bid], drafted: set[int]) -> dict[int, list[str]]:
    """CR-07 among the bidders: the same responsible person, one's people in control
    of another, or having drafted the requirements."""
    out: dict[int, list[str]] = {b.pk: [] for b in bids}
    people = list(
        RelatedPerson.objects.filter(
            vendor__in=[b.vendor_id for b in bids]
        ).select_related("vendor__organisation")
    )
    by_vendor: dict[int, list[RelatedPerson]] = {}
    for person in people:
        by_vendor.setdefault(person.vendor_id, []).append(person)
    for b in bids:
        if b.vendor_id in drafted:
            out[b.pk].append(_("参与了本项目的需求编制（CR-07）。"))
    controlling = {
        PersonRole.LEGAL_REPRESENTATIVE,
        PersonRole.FOUNDER,
        PersonRole.DIRECTOR,
    }
    for a in bids:
        for b in bids:
            if a.pk >= b.pk:
                continue
            same_rep = (
                a.vendor.legal_representative
                and a.vendor.legal_representative == b.vendor.legal_representative
            )
            shared = [
                pa.name
                for pa in by_vendor.get(a.vendor_id, [])
                for pb in by_vendor.get(b.vendor_id, [])
                if pa.role in controlling
                and pb.role in controlling
                and (
                    (pa.id_number_index and pa.id_number_index == pb.id_number_index)
                    or (not pa.id_number_index and pa.name == pb.name)
                )
            ]
            if same_rep or shared:
                who = (
                    a.vendor.legal_representative
                    if same_rep
                    else "、".join(sorted(set(shared)))
                )
                for x, y in ((a, b), (b, a)):
                    out[x.pk].append(
                        _(
                            "与%(other)s的负责人或控制人相同（%(who)s），不得参加同一合同项下的投标（CR-07）。"
                        )
                        % {"other": y.vendor.organisation.name, "who": who}
                    )
    return out


def bid_qualify(
    *,
    actor: User | None,
    bid: Bid,
    conditions: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> Bid:
    """资格审查 of one bidder: the vendors eligibility service, the bond, the
    declaration, supplier independence (CR-07), and the project's own conditions as
    judged by the officer (`conditions` = {index: {"met": bool, "note": str}})."""
    on = on or timezone.localdate()
    conditions = conditions or {}

    def change(p: ProcurementProject) -> dict[str, Any]:
        b = (
            Bid.objects.select_for_update(of=("self",))
            .select_related("vendor__organisation__parent")
            .get(pk=bid.pk, project=p)
        )
        if b.status not in (
            BidStatus.OPENED,
            BidStatus.QUALIFIED,
            BidStatus.DISQUALIFIED,
        ):
            raise TransitionNotAllowed(_("只有已开启的投标可以进行资格审查。"))
        reasons: list[dict[str, str]] = []
        eligibility = vendor_check_eligibility(b.vendor, on, for_="bid")
        reasons += [
            {"rule": f.rule_id, "reason": f.reason} for f in eligibility.failures
        ]
        if p.bid_bond > 0 and (
            b.bond_form in ("", BondForm.NONE) or (b.bond_amount or 0) < p.bid_bond
        ):
            reasons.append({"rule": "BD-01", "reason": _("未按要求提交投标保证金。")})
        if not (b.declaration.get("no_conflict") and b.declaration.get("credit")):
            reasons.append({"rule": "CR-01", "reason": _("未作出利害关系和信用声明。")})
        live = list(
            p.bids.filter(
                status__in=[
                    BidStatus.OPENED,
                    BidStatus.QUALIFIED,
                    BidStatus.DISQUALIFIED,
                ]
            ).select_related("vendor__organisation")
        )
        independence = independence_conflicts(
            live, set(p.drafted_by.values_list("pk", flat=True))
        )
        reasons += [{"rule": "CR-07", "reason": r} for r in independence.get(b.pk, [])]
        checked = []
        errors = {}
        for i, text in enumerate(p.qualification_conditions, start=1):
            given = conditions.get(str(i)) or conditions.get(i)  # type: ignore[call-overload]
            if given is None or "met" not in given:
                errors[f"conditions.{i}"] = [_("请判定资格条件：%(c)s") % {"c": text}]
                continue
            met = bool(given["met"])
            note = str(given.get("note") or "")
            if not met and not note.strip():
                errors[f"conditions.{i}"] = [_("不符合时请写明理由。")]
                continue
            checked.append({"condition": text, "met": met, "note": note})
            if not met:
                reasons.append(
                    {
                        "rule": "",
                        "reason": _("不符合资格条件“%(c)s”：%(n)s")
                        % {"c": text, "n": note},
                    }
                )
        if errors:
            raise ValidationFailed(fields=errors)
        b.qualification = {
            "on": on.isoformat(),
            "eligibility": eligibility.as_dict(),
            "conditions": checked,
            "reasons": reasons,
        }
        b.qualified = not reasons
        b.status = BidStatus.QUALIFIED if b.qualified else BidStatus.DISQUALIFIED
        b.save(update_fields=["qualification", "qualified", "status"])
        return {
            "bid": b.pk,
            "vendor": b.vendor.organisation.name,
            "qualified": b.qualified,
            "reasons": [r["reason"] for r in reasons],
        }

    _run(actor, bid.project, "qualify", change)
    bid.refresh_from_db()
    return bid


def project_close_qualification(
    *,
    actor: User | None,
    project: ProcurementProject,
    continue_with_fewer: bool = False,
    on: dt.date | None = None,
) -> ProcurementProject:
    """The supplier-count outcome of each lot as the method's rules say (SUP-01..06):
    enough qualified bids → evaluation; fewer in a tender or 比选 → 废标 with reasons
    to every bidder; in 磋商 for services two may go on when the buyer chooses so, one
    → termination. Abnormally low prices (SC-13) are flagged for the committee."""
    on = on or timezone.localdate()

    def change(p: ProcurementProject) -> dict[str, Any]:
        bids = list(
            p.bids.filter(
                status__in=[
                    BidStatus.OPENED,
                    BidStatus.QUALIFIED,
                    BidStatus.DISQUALIFIED,
                ]
            )
        )
        pending = [b for b in bids if b.status == BidStatus.OPENED]
        if pending:
            raise Conflict(
                _("还有 %(n)s 家投标人未完成资格审查。") % {"n": len(pending)},
                code="qualification_pending",
            )
        prof = profile(p.method)
        minimum = int(rule_value(prof.min_qualified_key, p.district, on))
        may_continue = optional_rule(prof.continue_with_key, p.district, on)
        outcome = []
        terminated = False
        for lot in p.lots.all():
            bls = list(
                BidLot.objects.filter(
                    lot=lot, bid__status=BidStatus.QUALIFIED, valid=True
                ).select_related("bid")
            )
            n = len(bls)
            if n >= minimum or (
                may_continue is not None
                and continue_with_fewer
                and n >= int(may_continue)
            ):
                _flag_abnormal(p, lot, bls, on)
                outcome.append(
                    {"lot": lot.number, "qualified": n, "result": "evaluate"}
                )
                continue
            if may_continue is not None and n < int(may_continue):
                terminated = True
            reason = _(
                "第%(lot)s包合格供应商 %(n)s 家，不足 %(min)s 家（%(rule)s）。"
            ) % {
                "lot": lot.number,
                "n": n,
                "min": minimum,
                "rule": "SUP-06" if may_continue is not None else "SUP-01",
            }
            lot.status, lot.failed_reason = LotStatus.FAILED, reason
            lot.save(update_fields=["status", "failed_reason"])
            outcome.append(
                {
                    "lot": lot.number,
                    "qualified": n,
                    "result": "failed",
                    "reason": reason,
                }
            )
        if all(o["result"] == "failed" for o in outcome):
            p.status = (
                S.TERMINATED if terminated or p.method == Method.CUOSHANG else S.FAILED
            )
            p.outcome_reason = "\n".join(o["reason"] for o in outcome)
            _publish_failure(actor, p, on)
        else:
            p.status = S.EVALUATING
            for lot in p.lots.filter(status=LotStatus.FAILED):
                _tell_bidders(
                    p,
                    "procurement.lot_failed",
                    _("%(title)s第%(n)s包废标") % {"title": p.title, "n": lot.number},
                    lot.failed_reason,
                )
        return {
            "minimum": minimum,
            "continue_with_fewer": continue_with_fewer,
            "lots": outcome,
        }

    return _run(actor, project, "close_qualification", change)


def _flag_abnormal(
    p: ProcurementProject, lot: Lot, bls: list[BidLot], on: dt.date
) -> None:
    j = p.district

    def share(key):
        return Decimal(str(v)) if (v := optional_rule(key, j, on)) is not None else None  # noqa: E731

    flags = scoring.abnormal_price_reasons(
        {bl.pk: bl.adjusted_price for bl in bls},
        share_of_average=share("abnormal_price.share_of_average"),
        share_of_second_lowest=share("abnormal_price.share_of_second_lowest"),
        share_of_max=share("abnormal_price.share_of_max_price"),
        max_price=lot.max_price,
    )
    for bl in bls:
        if bl.pk in flags:
            bl.abnormal_reasons = flags[bl.pk]
            bl.save(update_fields=["abnormal_reasons"])


def _publish_failure(actor: User | None, p: ProcurementProject, on: dt.date) -> None:
    kind = NoticeKind.TERMINATION if p.status == S.TERMINATED else NoticeKind.FAILURE
    reasons: list[str] = [p.outcome_reason]
    for b in p.bids.filter(status=BidStatus.DISQUALIFIED).select_related(
        "vendor__organisation"
    ):
        reasons.append(
            _("%(v)s：%(r)s")
            % {
                "v": b.vendor.organisation.name,
                "r": "；".join(r["reason"] for r in b.qualification.get("reasons", [])),
            }
        )
    body = "\n".join(reasons)
    _notice(
        p,
        kind,
        _("%(title)s%(kind)s") % {"title": p.title, "kind": NoticeKind(kind).label},
        body,
        actor=actor,
        on=on,
        data={"reasons": reasons},
    )
    _tell_bidders(
        p,
        f"procurement.{kind}",
        _("%(title)s%(kind)s") % {"title": p.title, "kind": NoticeKind(kind).label},
        body,
    )


def project_terminate(
    *,
    actor: User | None,
    project: ProcurementProject,
    reason: str,
    on: dt.date | None = None,
) -> ProcurementProject:
    """终止: stop the procurement with a reason; the notice is published (DIS-10)
    and the bidders are told. Sealed bids stay sealed."""
    on = on or timezone.localdate()
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("请写明终止理由。")]})

    def change(p: ProcurementProject) -> dict[str, Any]:
        p.status = S.TERMINATED
        p.outcome_reason = reason
        for award in Award.objects.filter(lot__project=p).exclude(
            status=AwardStatus.CANCELLED
        ):
            award.status = AwardStatus.CANCELLED
            award.save(update_fields=["status"])
        if p.notice_published_on:
            _publish_failure(actor, p, on)
        return {"reason": reason}

    return _run(actor, project, "terminate", change, comment=reason)


# --- committee -------------------------------------------------------------------------


def expert_pool(project: ProcurementProject) -> list[User]:
    """Experts of the pools of the project's district and the city above it (COM-06)."""
    paths = [project.district.path]
    if project.district.parent is not None:
        paths.append(project.district.parent.path)
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.EXPERT,
            memberships__organisation__kind=OrganisationKind.EXPERT_POOL,
            memberships__organisation__parent__path__in=paths,
            memberships__organisation__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def member_conflicts(
    user: User, project: ProcurementProject, role: str, bids: list[Bid] | None = None
) -> list[str]:
    """Why `user` may not sit on the committee: a tie with a bidder (COM-08: staff or
    related person of it, the incubation links of INC-09), or buyer staff sitting as an
    expert (COM-07)."""
    reasons: list[str] = []
    bids = bids if bids is not None else _bidders(project)
    name = str(user)
    for bid in bids:
        v = bid.vendor
        if any(
            m.role == Role.VENDOR_STAFF and m.organisation_id == v.organisation_id
            for m in user.active_memberships()
        ):
            reasons.append(
                _("%(u)s 是投标人%(v)s的工作人员（COM-08）。")
                % {"u": name, "v": v.organisation.name}
            )
        people = [p for p in v.related_persons.all() if p.name == name]
        if people or (v.legal_representative and v.legal_representative == name):
            roles = "、".join(
                sorted({p.get_role_display() for p in people}) or {str(_("法定代表人"))}
            )
            reasons.append(
                _("%(u)s 与投标人%(v)s的%(r)s同名，须回避或说明（COM-08）。")
                % {"u": name, "v": v.organisation.name, "r": roles}
            )
        reasons.extend(incubation_conflict_reasons(user, v))
    if role == MemberRole.EXPERT and user.has_role(
        Role.STREET_OFFICER,
        Role.DISTRICT_ADMIN,
        Role.DEPARTMENT_STAFF,
        at_path=project.buyer.path,
    ):
        reasons.append(
            _("%(u)s 是采购人的工作人员，只能作为采购人代表（COM-07）。") % {"u": name}
        )
    return reasons


def committee_problems(
    project: ProcurementProject,
    members: list[CommitteeMember] | None = None,
    on: dt.date | None = None,
) -> list[str]:
    """What the committee breaks (COM-01..05, PM-11), in words; empty when it is lawful."""
    on = on or timezone.localdate()
    members = (
        members
        if members is not None
        else list(project.committee.filter(status=MemberStatus.ACTIVE))
    )
    budget = sum((lot.budget for lot in project.lots.all()), Decimal(0))
    rules = committee_rules(project.method, project.district, on, budget)
    size = len(members)
    experts = sum(1 for m in members if m.role == MemberRole.EXPERT)
    out = []
    if size < rules["min_size"]:
        out.append(
            _("%(name)s至少 %(n)s 人，现有 %(s)s 人。")
            % {
                "name": profile(project.method).committee_name,
                "n": rules["min_size"],
                "s": size,
            }
        )
    if rules["odd"] and size % 2 == 0:
        out.append(_("成员人数应为单数，现有 %(s)s 人。") % {"s": size})
    if (
        rules["expert_share_min"] is not None
        and size
        and Decimal(experts) / Decimal(size)
        < rules["expert_share_min"] - Decimal("0.000001")
    ):
        out.append(
            _("评审专家不得少于成员总数的三分之二，现有专家 %(e)s 人、共 %(s)s 人。")
            % {"e": experts, "s": size}
        )
    return [str(x) for x in out]


def committee_draw(
    *,
    actor: User | None,
    project: ProcurementProject,
    experts: int,
    buyer_representatives: list[User],
    seed: str | None = None,
    now: dt.datetime | None = None,
) -> list[CommitteeMember]:
    """Draw the experts at random from the pool with a recorded seed, add the buyer's
    representatives, and check the composition (COM-01..08). Experts with a tie to a
    bidder are passed over and the reason kept."""
    now = now or timezone.now()
    seed = seed or secrets.token_hex(8)
    result: list[CommitteeMember] = []

    def change(p: ProcurementProject) -> dict[str, Any]:
        if p.committee.exists():
            raise Conflict(
                _("评审小组已经组建；成员回避时请替换。"), code="committee_exists"
            )
        if experts < 1:
            raise ValidationFailed(fields={"experts": [_("至少抽取一名评审专家。")]})
        bids = _bidders(p)
        for rep in buyer_representatives:
            if not rep.has_role(
                Role.STREET_OFFICER,
                Role.DISTRICT_ADMIN,
                Role.DEPARTMENT_STAFF,
                at_path=p.buyer.path,
            ):
                raise ValidationFailed(
                    fields={
                        "buyer_representatives": [
                            _("%(u)s 不是采购人的工作人员。") % {"u": rep}
                        ]
                    }
                )
            if why := member_conflicts(rep, p, MemberRole.BUYER, bids):
                raise ValidationFailed(fields={"buyer_representatives": why})
        pool = [u for u in expert_pool(p) if u not in buyer_representatives]
        rng = random.Random(seed)
        order = pool[:]
        rng.shuffle(order)
        chosen: list[User] = []
        passed: list[dict[str, Any]] = []
        for u in order:
            if len(chosen) == experts:
                break
            why = member_conflicts(u, p, MemberRole.EXPERT, bids)
            if why:
                passed.append({"user": u.pk, "reasons": why})
                continue
            chosen.append(u)
        if len(chosen) < experts:
            raise ValidationFailed(
                fields={
                    "experts": [
                        _("专家库中无利害关系的专家只有 %(n)s 名，不足 %(k)s 名。")
                        % {"n": len(chosen), "k": experts}
                    ]
                }
            )
        members = [
            CommitteeMember(
                project=p, user=u, role=MemberRole.EXPERT, drawn=True, is_chair=(i == 0)
            )
            for i, u in enumerate(chosen)
        ]
        members += [
            CommitteeMember(project=p, user=u, role=MemberRole.BUYER)
            for u in buyer_representatives
        ]
        problems = committee_problems(p, members, timezone.localdate(now))
        if problems:
            raise ValidationFailed(fields={"experts": problems})
        result.extend(CommitteeMember.objects.bulk_create(members))
        p.committee_seed, p.committee_drawn_at = seed, now
        # The names stay confidential until the result is published (COM-10): the
        # event holds account ids, the pages show names only to the buyer.
        return {
            "seed": seed,
            "pool": len(pool),
            "experts": [u.pk for u in chosen],
            "buyer": [u.pk for u in buyer_representatives],
            "passed_over": passed,
        }

    _run(actor, project, "draw_committee", change)
    return result


def member_declare(
    *,
    actor: User,
    member: CommitteeMember,
    conflict: bool,
    text: str = "",
    now: dt.datetime | None = None,
) -> CommitteeMember:
    """A member's own declaration on conflicts of interest (COM-08), before scoring."""
    now = now or timezone.now()
    if actor.pk != member.user_id:
        raise NotPermitted(_("回避声明只能由成员本人作出。"))
    if conflict and not text.strip():
        raise ValidationFailed(fields={"declaration": [_("请说明存在的利害关系。")]})
    with transaction.atomic():
        m = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if m.status != MemberStatus.ACTIVE:
            raise TransitionNotAllowed(_("已被替换的成员不能再声明。"))
        m.declared_at, m.declared_conflict, m.declaration = now, conflict, text
        auto = member_conflicts(m.user, m.project, m.role)
        m.conflict_reasons = auto + ([text] if conflict else [])
        m.save()
        audit_record(
            actor=actor,
            action="procurement.member_declare",
            obj=m,
            payload={"conflict": conflict, "auto": auto},
        )
    return m


def member_replace(
    *,
    actor: User | None,
    member: CommitteeMember,
    replacement: User | None = None,
    seed: str | None = None,
) -> CommitteeMember:
    """Replace a member who must recuse: an expert by a new draw from the pool, a
    buyer representative by another officer."""
    seed = seed or secrets.token_hex(8)
    out: list[CommitteeMember] = []

    def change(p: ProcurementProject) -> dict[str, Any]:
        m = CommitteeMember.objects.select_for_update().get(pk=member.pk, project=p)
        if m.status != MemberStatus.ACTIVE:
            raise TransitionNotAllowed(_("该成员已被替换。"))
        if m.sheets.filter(status=SheetStatus.SUBMITTED).exists():
            raise Conflict(_("该成员已提交评分，不能替换；请按法定情形退回评分。"))
        seated = set(p.committee.values_list("user_id", flat=True))
        bids = _bidders(p)
        if m.role == MemberRole.EXPERT:
            pool = [u for u in expert_pool(p) if u.pk not in seated]
            random.Random(seed).shuffle(pool)
            new_user = next(
                (
                    u
                    for u in pool
                    if not member_conflicts(u, p, MemberRole.EXPERT, bids)
                ),
                None,
            )
            if new_user is None:
                raise ValidationFailed(
                    fields={"replacement": [_("专家库中已没有可替换的专家。")]}
                )
        else:
            if replacement is None or replacement.pk in seated:
                raise ValidationFailed(
                    fields={"replacement": [_("请选择另一名采购人代表。")]}
                )
            if not replacement.has_role(
                Role.STREET_OFFICER,
                Role.DISTRICT_ADMIN,
                Role.DEPARTMENT_STAFF,
                at_path=p.buyer.path,
            ):
                raise ValidationFailed(
                    fields={
                        "replacement": [
                            _("%(u)s 不是采购人的工作人员。") % {"u": replacement}
                        ]
                    }
                )
            new_user = replacement
        new = CommitteeMember.objects.create(
            project=p,
            user=new_user,
            role=m.role,
            drawn=m.role == MemberRole.EXPERT,
            is_chair=m.is_chair,
        )
        m.status, m.replaced_by, m.is_chair = MemberStatus.REPLACED, new, False
        m.save(update_fields=["status", "replaced_by", "is_chair"])
        out.append(new)
        return {
            "replaced": m.user_id,
            "by": new_user.pk,
            "seed": seed,
            "reasons": m.conflict_reasons,
        }

    _run(actor, member.project, "replace_member", change)
    return out[0]


# --- scoring ---------------------------------------------------------------------------


def scorable_bids(lot: Lot) -> list[BidLot]:
    """The bids a lot's committee scores: qualified, valid, not voided as abnormally low."""
    return list(
        BidLot.objects.filter(lot=lot, bid__status=BidStatus.QUALIFIED, valid=True)
        .select_related("bid__vendor__organisation")
        .order_by("bid__submitted_at", "pk")
    )


def sheet_save(
    *,
    actor: User,
    lot: Lot,
    scores: dict[str, dict[str, Any]],
    submit: bool = False,
    now: dt.datetime | None = None,
) -> ScoreSheet:
    """A member's scores of every scorable bid on every criterion; submitting locks
    the sheet. When the last sheet comes in, the evaluation is computed (under the
    project lock, so two members submitting at once finish it exactly once)."""
    now = now or timezone.now()
    out: list[ScoreSheet] = []

    def change(p: ProcurementProject) -> dict[str, Any]:
        member = committee_seat(actor, p)
        if member is None:
            raise NotPermitted(_("只有评审小组的在任成员可以评分。"))
        if member.declared_at is None:
            raise Conflict(_("评分前请先作出回避声明（COM-08）。"), code="undeclared")
        if member.declared_conflict or member.conflict_reasons:
            raise Conflict(
                _("您已申报或被查出与投标人存在利害关系，须回避。"), code="conflicted"
            )
        if lot.project_id != p.pk or lot.status != LotStatus.OPEN:
            raise Conflict(_("该采购包不在评审中。"))
        if p.scoring_method == ScoringMethod.LOWEST_PRICE:
            raise Conflict(_("最低评标价法不需要评分。"))
        if (
            BidLot.objects.filter(lot=lot, valid=True, bid__status=BidStatus.QUALIFIED)
            .exclude(abnormal_reasons=[])
            .filter(explanation_accepted__isnull=True)
            .exists()
        ):
            raise Conflict(
                _("请先对异常低价作出认定（SC-13）。"), code="abnormal_pending"
            )
        sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
            member=member, lot=lot
        )
        if sheet.status == SheetStatus.SUBMITTED:
            raise Conflict(_("评分表已提交，不能修改。"), code="sheet_submitted")
        errors: dict[str, list[str]] = {}
        cleaned: dict[str, dict[str, str]] = {}
        criteria = scoring.criteria_from(p.criteria)
        for bl in scorable_bids(lot):
            given = scores.get(str(bl.bid_id)) or scores.get(bl.bid_id) or {}  # type: ignore[call-overload]
            row = {}
            for c in criteria:
                field = f"scores.{bl.bid_id}.{c.code}"
                raw = given.get(c.code)
                if raw in (None, ""):
                    if submit:
                        errors[field] = [
                            _("请为%(v)s的“%(c)s”评分。")
                            % {"v": bl.bid.vendor.organisation.name, "c": c.name}
                        ]
                    continue
                try:
                    v = Decimal(str(raw))
                    if not v.is_finite():
                        raise InvalidOperation
                except InvalidOperation:
                    errors[field] = [_("“%(v)s”不是数字。") % {"v": raw}]
                    continue
                if v < 0 or v > c.weight:
                    errors[field] = [
                        _("“%(c)s”的得分应在 0–%(w)s 之间（SC-11）。")
                        % {"c": c.name, "w": c.weight}
                    ]
                    continue
                if v != v.quantize(Decimal("0.01")):
                    errors[field] = [_("得分最多保留两位小数。")]
                    continue
                row[c.code] = str(v)
            cleaned[str(bl.bid_id)] = row
        if errors:
            raise ValidationFailed(fields=errors)
        sheet.scores = cleaned
        if submit:
            sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now
        sheet.save()
        out.append(sheet)
        payload: dict[str, Any] = {
            "member": member.pk,
            "lot": lot.number,
            "submitted": submit,
        }
        if submit:
            payload["evaluation"] = _maybe_finish(p, now)
        return payload

    _run(actor, lot.project, "score", change)
    return out[0]


def _maybe_finish(p: ProcurementProject, now: dt.datetime) -> str:
    """Compute every open lot's result once all active members have submitted; the
    project is evaluated when no lot is left open for scoring."""
    members = list(
        p.committee.filter(status=MemberStatus.ACTIVE).select_related("user")
    )
    lots = list(p.lots.filter(status=LotStatus.OPEN))
    finished = 0
    for lot in lots:
        sheets = {
            s.member_id: s
            for s in ScoreSheet.objects.filter(lot=lot, status=SheetStatus.SUBMITTED)
        }
        if p.scoring_method != ScoringMethod.LOWEST_PRICE and any(
            m.pk not in sheets for m in members
        ):
            continue
        result = evaluate(p, lot, members, sheets)
        lot.evaluation = result
        lot.save(update_fields=["evaluation"])
        if not result["disagreements"]:
            finished += 1
    if lots and finished == len(lots):
        p.status = S.EVALUATED
        p.evaluated_at = now
        return "evaluated"
    return "waiting"


def evaluate(
    p: ProcurementProject,
    lot: Lot,
    members: list[CommitteeMember],
    sheets: dict[int, ScoreSheet],
) -> dict[str, Any]:
    bls = scorable_bids(lot)
    seed = hashlib.sha256(
        f"{p.code}:{lot.number}:{p.committee_seed}".encode()
    ).hexdigest()[:16]
    result = scoring.evaluate_lot(
        prices={bl.bid_id: (bl.price, bl.adjusted_price) for bl in bls},
        sheets={
            str(m.pk): {
                int(b): {k: Decimal(v) for k, v in row.items()}
                for b, row in sheets[m.pk].scores.items()
            }
            for m in members
            if m.pk in sheets
        },
        criteria=scoring.criteria_from(p.criteria),
        price_weight=p.price_weight,
        lowest_price=p.scoring_method == ScoringMethod.LOWEST_PRICE,
        tie_seed=seed,
    )
    data = result.as_dict()
    names = {bl.bid_id: bl.bid.vendor.organisation.name for bl in bls}
    for row in data["rows"]:
        row["vendor"] = names[row["bid"]]
    return data


def abnormal_price_decide(
    *, actor: User, bid_lot: BidLot, explanation: str, accepted: bool
) -> BidLot:
    """The committee (its chair records it) hears the bidder's written explanation of an
    abnormally low price and decides; an unjustified price voids the bid for the lot
    (SC-12, SC-13)."""
    if not explanation.strip():
        raise ValidationFailed(fields={"explanation": [_("请记录投标人的书面说明。")]})
    out: list[BidLot] = []

    def change(p: ProcurementProject) -> dict[str, Any]:
        seat = committee_seat(actor, p)
        if seat is None or not seat.is_chair:
            raise NotPermitted(_("异常低价由评审小组认定，由组长记录。"))
        bl = BidLot.objects.select_for_update().get(pk=bid_lot.pk, lot__project=p)
        if not bl.abnormal_reasons:
            raise Conflict(_("该报价未触发异常低价情形。"))
        if bl.explanation_accepted is not None:
            raise Conflict(_("已经作出认定。"))
        bl.explanation, bl.explanation_accepted = explanation, accepted
        if not accepted:
            bl.valid, bl.invalid_reason = (
                False,
                _("异常低价且不能证明其合理性，投标无效（SC-12）。"),
            )
        bl.save()
        out.append(bl)
        return {"bid_lot": bl.pk, "accepted": accepted}

    _run(actor, bid_lot.lot.project, "decide_abnormal", change)
    return out[0]


SC11_CASES = {
    "totalling": "分值汇总计算错误",
    "out_of_range": "分项评分超出评分标准规定的评分范围",
    "objective_inconsistent": "客观评审因素评分不一致",
    "qualification_error": "经评审委员会认定评分畸高、畸低或资格性检查认定错误",
}


def sheets_return(
    *,
    actor: User | None,
    project: ProcurementProject,
    members: list[CommitteeMember],
    case: str,
    note: str = "",
) -> ProcurementProject:
    """Return members' submitted sheets for correction, only in a statutory case (SC-11)."""
    if case not in SC11_CASES:
        raise ValidationFailed(
            fields={"case": [_("只有法定情形可以重新评审（SC-11）。")]}
        )
    if not members:
        raise ValidationFailed(fields={"members": [_("请选择退回评分的成员。")]})

    def change(p: ProcurementProject) -> dict[str, Any]:
        n = ScoreSheet.objects.filter(member__in=members, member__project=p).update(
            status=SheetStatus.DRAFT, submitted_at=None
        )
        CommitteeMember.objects.filter(project=p).update(
            signed_at=None, agrees=None, dissent=""
        )
        p.evaluated_at = None
        return {
            "case": case,
            "members": [m.pk for m in members],
            "sheets": n,
            "note": note,
        }

    return _run(actor, project, "return_sheets", change, comment=note)


def report_sign(
    *,
    actor: User,
    project: ProcurementProject,
    agrees: bool,
    dissent: str = "",
    now: dt.datetime | None = None,
) -> CommitteeMember:
    """Sign the evaluation report; a dissenter gives reasons (COM-09)."""
    now = now or timezone.now()
    if not agrees and not dissent.strip():
        raise ValidationFailed(
            fields={
                "dissent": [_("不同意评审结论的，须写明不同意见和理由（COM-09）。")]
            }
        )
    out: list[CommitteeMember] = []

    def change(p: ProcurementProject) -> dict[str, Any]:
        seat = committee_seat(actor, p)
        assert seat is not None
        if seat.signed_at is not None:
            raise Conflict(_("您已签署评审报告。"))
        seat.signed_at, seat.agrees, seat.dissent = now, agrees, dissent
        seat.save(update_fields=["signed_at", "agrees", "dissent"])
        out.append(seat)
        return {"member": seat.pk, "agrees": agrees}

    _run(actor, project, "sign_report", change)
    return out[0]


# --- award and challenges --------------------------------------------------------------


def project_award(
    *,
    actor: User | None,
    project: ProcurementProject,
    on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ProcurementProject:
    """The buyer confirms the first-ranked candidate of each lot (TL-10), publishes the
    award notice with the experts' names (COM-10, TL-11, DIS-09), tells each losing
    bidder its own score and rank (TL-12) and opens the challenge window (TL-17)."""
    on = on or timezone.localdate()
    now = now or timezone.now()

    def change(p: ProcurementProject) -> dict[str, Any]:
        members = list(
            p.committee.filter(status=MemberStatus.ACTIVE).select_related("user")
        )
        unsigned = [str(m.user) for m in members if m.signed_at is None]
        if unsigned:
            raise Conflict(
                _("评审报告尚未由全体成员签署：%(n)s。") % {"n": "、".join(unsigned)},
                code="report_unsigned",
            )
        j = p.district
        confirm = optional_rule("deadline.award.confirm_winner", j, on)
        late = bool(
            confirm is not None
            and p.evaluated_at
            and add_working_days(timezone.localdate(p.evaluated_at), int(confirm)) < on
        )
        period = optional_rule("deadline.award.notice_period", j, on)
        period_end = add_working_days(on, int(period)) if period is not None else on
        window = int(rule_value("deadline.award.challenge_window", j, on))
        challenge_until = add_working_days(period_end, window)
        experts = [str(m.user) for m in members if m.role == MemberRole.EXPERT]
        winners = []
        ranks: dict[int, list[dict[str, Any]]] = {}
        for lot in p.lots.filter(status=LotStatus.OPEN):
            rows = lot.evaluation.get("rows") or []
            if not rows:
                raise Conflict(_("第%(n)s包没有评审结果。") % {"n": lot.number})
            first = rows[0]
            bid = Bid.objects.select_related("vendor__organisation").get(
                pk=first["bid"]
            )
            amount = Decimal(first["price"])
            Award.objects.create(
                lot=lot,
                bid=bid,
                amount=amount,
                confirmed_by=actor if getattr(actor, "pk", None) else None,
                confirmed_at=now,
                challenge_until=challenge_until,
            )
            lot.status = LotStatus.AWARDED
            lot.save(update_fields=["status"])
            winners.append(
                {
                    "lot": lot.number,
                    "lot_name": lot.name,
                    "vendor": bid.vendor.organisation.name,
                    "address": bid.vendor.address,
                    "amount": str(amount),
                    "items": lot.items.count(),
                }
            )
            for row in rows:
                ranks.setdefault(row["bid"], []).append(
                    {
                        "lot": lot.number,
                        "rank": row["rank"],
                        "total": row["total"],
                        "of": len(rows),
                    }
                )
        body = "\n".join(
            [
                _("采购人：%(b)s") % {"b": p.buyer.name},
                _("项目编号：%(c)s") % {"c": p.code},
                *[
                    _(
                        "第%(lot)s包 %(name)s：中标（成交）供应商 %(v)s，地址 %(a)s，中标金额 %(m)s，服务事项 %(i)s 项"
                    )
                    % {
                        "lot": w["lot"],
                        "name": w["lot_name"],
                        "v": w["vendor"],
                        "a": w["address"] or "—",
                        "m": _yuan(Decimal(w["amount"])),
                        "i": w["items"],
                    }
                    for w in winners
                ],
                _("评审专家：%(e)s") % {"e": "、".join(experts)},
                _("公告期限：%(f)s 至 %(u)s")
                % {"f": on.isoformat(), "u": period_end.isoformat()},
                _(
                    "供应商认为中标结果使自己的权益受到损害的，可在 %(d)s 前以书面形式提出质疑。"
                )
                % {"d": challenge_until.isoformat()},
            ]
        )
        notice = _notice(
            p,
            NoticeKind.AWARD,
            _("%(title)s中标（成交）结果公告") % {"title": p.title},
            body,
            actor=actor,
            on=on,
            period_ends=period_end,
            data={
                "winners": winners,
                "experts": experts,
                "challenge_until": challenge_until.isoformat(),
            },
        )
        Award.objects.filter(
            lot__project=p, status=AwardStatus.CONFIRMED, notice__isnull=True
        ).update(notice=notice)
        for bid in _bidders(p):
            mine = ranks.get(bid.pk, [])
            text = "；".join(
                _("第%(lot)s包得分 %(total)s，排名第 %(rank)s / %(of)s") % r
                for r in mine
            ) or _("未进入评审。")
            users = vendor_staff_users(bid.vendor)
            if users:
                notify(
                    users=users,
                    verb="procurement.award",
                    title=_("%(title)s评审结果") % {"title": p.title},
                    body=text,
                    link=p.get_absolute_url(),
                )
        return {
            "winners": winners,
            "late": late,
            "challenge_until": challenge_until.isoformat(),
        }

    return _run(actor, project, "award", change)


def challenge_file(
    *,
    actor: User | None,
    project: ProcurementProject,
    vendor: Vendor,
    grounds: str,
    now: dt.datetime | None = None,
) -> Challenge:
    """质疑: a bidder challenges the result in writing within the window (TL-17); the
    award cannot become final while it is open (TL-20)."""
    now = now or timezone.now()
    if actor is not None:
        bidding_vendor(actor, vendor).raise_if_denied()
    if not grounds.strip():
        raise ValidationFailed(
            fields={"grounds": [_("请写明质疑事项和理由（一次性提出，TL-21）。")]}
        )
    with transaction.atomic():
        p = _lock(project)
        if p.status != S.AWARDED:
            raise TransitionNotAllowed(_("只有已公告中标结果的项目可以质疑。"))
        if not p.bids.filter(vendor=vendor, status__in=LIVE_BID_STATUSES).exists():
            raise NotPermitted(_("只有参加本项目的供应商可以质疑。"))
        until = max(
            a.challenge_until
            for a in Award.objects.filter(lot__project=p, status=AwardStatus.CONFIRMED)
            if a.challenge_until
        )
        today = timezone.localdate(now)
        if today > until:
            raise Conflict(
                _("质疑期已于 %(d)s 届满（TL-17）。") % {"d": until.isoformat()},
                code="challenge_window_closed",
            )
        reply = int(rule_value("deadline.challenge.reply", p.district, today))
        c = Challenge.objects.create(
            project=p,
            vendor=vendor,
            filed_by=actor if getattr(actor, "pk", None) else None,
            filed_at=now,
            grounds=grounds,
            reply_due=add_working_days(today, reply),
        )
        audit_record(
            actor=actor,
            action="procurement.challenge_file",
            obj=p,
            payload={"challenge": c.pk, "vendor": vendor.organisation.name},
        )
        officers = list(
            User.objects.filter(
                memberships__organisation=p.buyer, memberships__role=Role.STREET_OFFICER
            ).distinct()
        )
        if officers:
            notify(
                users=officers,
                verb="procurement.challenge",
                title=_("%(title)s收到质疑") % {"title": p.title},
                body=grounds[:500],
                link=p.get_absolute_url(),
            )
    return c


def challenge_answer(
    *,
    actor: User | None,
    challenge: Challenge,
    reply: str,
    upheld: bool,
    now: dt.datetime | None = None,
) -> Challenge:
    """The buyer's written answer (TL-18). An upheld challenge keeps the award from
    becoming final; the buyer then terminates and restarts, or re-evaluates."""
    now = now or timezone.now()
    if not reply.strip():
        raise ValidationFailed(fields={"reply": [_("请填写答复内容。")]})
    out: list[Challenge] = []

    def change(p: ProcurementProject) -> dict[str, Any]:
        c = Challenge.objects.select_for_update().get(pk=challenge.pk, project=p)
        if c.status != ChallengeStatus.OPEN:
            raise Conflict(_("该质疑已经答复。"))
        c.status, c.reply, c.upheld, c.replied_by, c.replied_at = (
            ChallengeStatus.ANSWERED,
            reply,
            upheld,
            actor if getattr(actor, "pk", None) else None,
            now,
        )
        c.save()
        users = vendor_staff_users(c.vendor)
        if users:
            notify(
                users=users,
                verb="procurement.challenge_answer",
                title=_("%(title)s质疑答复") % {"title": p.title},
                body=reply[:500],
                link=p.get_absolute_url(),
            )
        out.append(c)
        return {"challenge": c.pk, "upheld": upheld}

    _run(actor, challenge.project, "answer_challenge", change)
    return out[0]


def award_finalise(
    *, actor: User | None, project: ProcurementProject, on: dt.date | None = None
) -> ProcurementProject:
    """After the challenge window, with no challenge open or upheld, the award is final
    and the contract stage may start from it."""
    on = on or timezone.localdate()

    def change(p: ProcurementProject) -> dict[str, Any]:
        awards = list(
            Award.objects.filter(
                lot__project=p, status=AwardStatus.CONFIRMED
            ).select_related("lot")
        )
        until = max(
            (a.challenge_until for a in awards if a.challenge_until), default=on
        )
        if on <= until:
            raise Conflict(
                _("质疑期至 %(d)s 届满，届满后结果才能生效（TL-17）。")
                % {"d": until.isoformat()},
                code="challenge_window_open",
            )
        if p.challenges.filter(status=ChallengeStatus.OPEN).exists():
            raise Conflict(
                _("有待答复的质疑，结果暂停生效（TL-20）。"), code="challenge_open"
            )
        if p.challenges.filter(upheld=True).exists():
            raise Conflict(
                _("有成立的质疑，请重新评审或终止后重新采购。"), code="challenge_upheld"
            )
        final_at = timezone.now()
        if on < timezone.localdate(final_at):
            # Recorded for an earlier day (the seeded history): final on that day.
            final_at = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        for a in awards:
            a.status, a.final_at = AwardStatus.FINAL, final_at
            a.save(update_fields=["status", "final_at"])
            a.lot.status = LotStatus.FINAL
            a.lot.save(update_fields=["status"])
        return {"awards": [a.pk for a in awards]}

    return _run(actor, project, "finalise", change)


def final_awards_due(on: dt.date) -> list[ProcurementProject]:
    """Projects whose challenge window has closed with nothing open (for the daily task)."""
    return list(
        ProcurementProject.objects.filter(
            status=S.AWARDED,
            lots__awards__status=AwardStatus.CONFIRMED,
            lots__awards__challenge_until__lt=on,
        )
        .exclude(challenges__status=ChallengeStatus.OPEN)
        .exclude(challenges__upheld=True)
        .distinct()
    )
