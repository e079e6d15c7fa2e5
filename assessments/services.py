"""Every write of the assessments app: plans, rounds, scorecards (residents by
one-time tokens), and the scoring of a round, whose grades go down to the contracts'
payment tranches through the contracts service."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.services import notify
from contracts.choices import GRADE_RANK
from contracts.models import Contract
from contracts.services import payment_tranche_apply_assessment
from core.dates import as_date
from core.events import audit_record
from core.exceptions import Conflict, DomainError, NotPermitted, ValidationFailed
from core.jobs import job_progress
from core.models import Job
from procurement.methods import optional_rule
from vendors.services import vendor_staff_users

from .choices import (
    CardSource,
    CardStatus,
    ConsequenceKind,
    ConsequenceStatus,
    MissingGroupRule,
    PeriodKind,
    PlanStatus,
    RaterKind,
    RoundStatus,
    Scale,
)
from .models import (
    MANAGER_ROLES,
    AssessmentPlan,
    AssessmentRound,
    Consequence,
    Indicator,
    RaterGroup,
    ResidentToken,
    RoundResult,
    Scorecard,
)
from .scoring import (
    Band,
    Card,
    GroupSpec,
    IndicatorSpec,
    ScoringInputError,
    answer_errors,
    compute_vendor_score,
)

# Rule-parameter keys of the default rater weights → the rater kinds.
RATER_KEYS = {
    "street_departments": RaterKind.DEPARTMENT,
    "community": RaterKind.COMMUNITY,
    "residents": RaterKind.RESIDENT,
    "resident_units": RaterKind.RESIDENT_UNIT,
}
FIRST_LEVEL = {
    "decision": _("决策"),
    "process": _("过程"),
    "output": _("产出"),
    "benefit": _("效益"),
}
# A resident token carries 128 random bits (16 bytes), URL-safe.
TOKEN_BYTES = 16


def _manager(actor: User | None, buyer: Organisation) -> None:
    if actor is not None and not (
        actor.is_superuser or actor.has_role(*MANAGER_ROLES, at_path=buyer.path)
    ):
        raise NotPermitted(
            _("只有购买主体（本街道工作人员或区级管理员）可以办理考核。")
        )


def indicator_specs(indicators: list[Indicator]) -> list[IndicatorSpec]:
    by_pk = {i.pk: i for i in indicators}
    return [
        IndicatorSpec(
            code=i.code,
            parent=by_pk[i.parent_id].code if i.parent_id else None,
            weight=i.weight,
            scale=i.scale,
            max_points=i.max_points,
            levels={k: Decimal(str(v)) for k, v in (i.levels or {}).items()},
            name=i.name,
        )
        for i in indicators
    ]


def _even_weights(n: int) -> list[Decimal]:
    """n weights of two decimals summing to exactly 100 (the last takes the rest)."""
    share = (Decimal(100) / n).quantize(Decimal("0.01"))
    return [share] * (n - 1) + [Decimal(100) - share * (n - 1)]


def _template_rows(
    template: str, contracts: list[Contract], jurisdiction: Any, on: dt.date
) -> list[dict[str, Any]]:
    """The indicator rows of a template: the four first-level dimensions (决策 / 过程 /
    产出 / 效益, weights from the rule parameter), or one indicator per contracted item
    with its assessment standard."""
    if template == "items":
        items: dict[str, tuple[str, str]] = {}
        for c in contracts:
            for code, name, standard in c.items.values_list(
                "item__code", "item__name", "item__assessment_standard"
            ).distinct():
                items.setdefault(code, (name, standard))
        codes = sorted(items)
        if not codes:
            raise ValidationFailed(fields={"template": [_("所选合同没有服务事项。")]})
        return [
            {
                "code": code,
                "name": items[code][0],
                "weight": w,
                "standard": items[code][1],
                "item_code": code,
            }
            for code, w in zip(codes, _even_weights(len(codes)), strict=True)
        ]
    weights = optional_rule("assessment.indicator_weights.default", jurisdiction, on)
    if not weights:
        weights = {"decision": 25, "process": 25, "output": 25, "benefit": 25}
    return [
        {"code": str(n), "name": str(FIRST_LEVEL.get(k, k)), "weight": Decimal(str(v))}
        for n, (k, v) in enumerate(
            sorted(
                weights.items(),
                key=lambda kv: (
                    list(FIRST_LEVEL).index(kv[0]) if kv[0] in FIRST_LEVEL else 99
                ),
            ),
            start=1,
        )
    ]


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The indicator rows ordered so that a parent always comes before its children
    (in their given order otherwise); rows whose parent is missing keep their place
    at the end, for the scoring's checks to name them."""
    placed: list[dict[str, Any]] = []
    done: set[str] = set()
    pending = list(rows)
    while pending:
        rest = []
        for r in pending:
            parent = r.get("parent")
            if not parent or str(parent) in done:
                placed.append(r)
                done.add(str(r.get("code")))
            else:
                rest.append(r)
        if len(rest) == len(pending):
            placed.extend(rest)
            break
        pending = rest
    return placed


def plan_create(
    *,
    actor: User | None,
    buyer: Organisation,
    name: str,
    year: int,
    period_kind: str,
    contracts: list[Contract],
    template: str = "dimensions",
    indicators: list[dict[str, Any]] | None = None,
    groups: list[dict[str, Any]] | None = None,
    missing_rule: str = MissingGroupRule.REWEIGHT,
) -> AssessmentPlan:
    """A plan for the street's contracts: periods, indicator tree (given, or from a
    template), rater groups (given, or the district's default weights).

    Raises:
        NotPermitted: not the buyer's officer.
        ValidationFailed: a contract of another street, weights not summing to 100 at a
            level, an unknown scale, a bad group.
    """
    _manager(actor, buyer)
    errors: dict[str, list[Any]] = {}
    if not str(name or "").strip():
        errors.setdefault("name", []).append(_("请填写方案名称。"))
    if period_kind not in PeriodKind.values:
        errors.setdefault("period_kind", []).append(_("请选择考核周期。"))
    if missing_rule not in MissingGroupRule.values:
        errors.setdefault("missing_rule", []).append(
            _("请选择评价主体缺席时的处理方式。")
        )
    if not contracts:
        errors.setdefault("contracts", []).append(_("请至少选择一份合同。"))
    if any(c.buyer_id != buyer.pk for c in contracts):
        errors.setdefault("contracts", []).append(_("只能考核本街道的合同。"))
    if errors:
        raise ValidationFailed(fields=errors)
    district = buyer.parent
    assert district is not None  # a street office always sits in a district
    on = dt.date(year, 1, 1)
    rows = _parents_first(
        indicators
        if indicators is not None
        else _template_rows(template, contracts, district, on)
    )
    if groups is None:
        weights = optional_rule("assessment.rater_weights.default", district, on) or {}
        groups = [
            {"kind": RATER_KEYS[k], "weight": v}
            for k, v in weights.items()
            if k in RATER_KEYS
        ]
    specs = [
        IndicatorSpec(
            code=str(r["code"]),
            parent=r.get("parent"),
            weight=Decimal(str(r["weight"])),
            scale=r.get("scale", Scale.POINTS),
            max_points=Decimal(str(r.get("max_points", 100))),
            levels={k: Decimal(str(v)) for k, v in (r.get("levels") or {}).items()},
            name=str(r.get("name", "")),
        )
        for r in rows
    ]
    group_specs = [
        GroupSpec(
            kind=str(g["kind"]),
            weight=Decimal(str(g["weight"])),
            quorum=int(g.get("quorum", 1)),
            replaces=bool(g.get("replaces", False)),
        )
        for g in groups
    ]
    if any(g.kind not in RaterKind.values for g in group_specs):
        raise ValidationFailed(fields={"groups": [_("未知的评价主体。")]})
    try:
        # The scoring function's own checks, on no cards: the tree and the groups.
        compute_vendor_score(specs, group_specs, [], _bands(district, on))
    except ScoringInputError as exc:
        raise ValidationFailed(fields={exc.field: [str(exc)]}) from exc
    with transaction.atomic():
        plan = AssessmentPlan.objects.create(
            name=str(name).strip()[:200],
            buyer=buyer,
            district=district,
            year=year,
            period_kind=period_kind,
            missing_rule=missing_rule,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        plan.contracts.set(contracts)
        created: dict[str, Indicator] = {}
        for n, r in enumerate(rows):
            ind = Indicator.objects.create(
                plan=plan,
                parent=created.get(r["parent"]) if r.get("parent") else None,
                code=str(r["code"]),
                name=str(r.get("name", ""))[:200],
                weight=Decimal(str(r["weight"])),
                scale=r.get("scale", Scale.POINTS),
                max_points=Decimal(str(r.get("max_points", 100))),
                levels=r.get("levels") or {},
                standard=str(r.get("standard", "")),
                item_code=str(r.get("item_code", ""))[:20],
                position=n,
            )
            created[ind.code] = ind
        RaterGroup.objects.bulk_create(
            [
                RaterGroup(
                    plan=plan,
                    kind=g.kind,
                    weight=g.weight,
                    quorum=g.quorum,
                    replaces=g.replaces,
                )
                for g in group_specs
            ]
        )
        audit_record(
            actor=actor,
            action="assessments.plan_create",
            obj=plan,
            to_state=plan.status,
            payload={
                "contracts": [c.pk for c in contracts],
                "indicators": len(rows),
                "groups": {g.kind: str(g.weight) for g in group_specs},
            },
        )
    return plan


def _bands(jurisdiction: Any, on: dt.date) -> list[Band]:
    raw = optional_rule("grade.bands", jurisdiction, on) or [
        {"code": "excellent", "min": 90},
        {"code": "good", "min": 80},
        {"code": "fair", "min": 60},
        {"code": "poor", "min": 0},
    ]
    return [Band(code=b["code"], min=Decimal(str(b["min"]))) for b in raw]


def round_open(
    *,
    plan: AssessmentPlan,
    actor: User | None,
    label: str,
    period_start: Any,
    period_end: Any,
) -> AssessmentRound:
    """Open a period of the plan for scorecards.

    Raises:
        NotPermitted: not the buyer's officer. ValidationFailed: label or dates.
    """
    _manager(actor, plan.buyer)
    errors: dict[str, list[Any]] = {}
    label = str(label or "").strip()[:60]
    if not label:
        errors.setdefault("label", []).append(_("请填写考核期名称。"))
    start = as_date(period_start, "period_start", errors)
    end = as_date(period_end, "period_end", errors)
    if start and end and end < start:
        errors.setdefault("period_end", []).append(_("期间止不能早于期间起。"))
    if errors:
        raise ValidationFailed(fields=errors)
    assert start is not None
    assert end is not None
    try:
        with transaction.atomic():
            rnd = AssessmentRound.objects.create(
                plan=plan, label=label, period_start=start, period_end=end
            )
            # The first round puts the plan into force (its status was only a draft).
            started = AssessmentPlan.objects.filter(
                pk=plan.pk, status=PlanStatus.DRAFT
            ).update(status=PlanStatus.ACTIVE)
            if started:
                plan.status = PlanStatus.ACTIVE
            audit_record(
                actor=actor,
                action="assessments.round_open",
                obj=rnd,
                to_state=rnd.status,
                payload={"plan_started": bool(started)},
            )
    except IntegrityError as exc:
        raise ValidationFailed(fields={"label": [_("该考核期已存在。")]}) from exc
    return rnd


def rater_group(actor: User, contract: Contract, community: Organisation | None) -> str:
    """Which rater group the actor scores for on this contract (NotPermitted if none):
    department staff of the street → departments; community staff of a community the
    contract serves → their community; an assessor of a resident unit of the street →
    resident units; an expert → the expert panel."""
    for m in actor.active_memberships():
        org = m.organisation
        if m.role == Role.DEPARTMENT_STAFF and org.path.startswith(contract.buyer.path):
            return RaterKind.DEPARTMENT
        if (
            m.role == Role.COMMUNITY_STAFF
            and community is not None
            and org.pk == community.pk
        ):
            return RaterKind.COMMUNITY
        if (
            m.role == Role.ASSESSOR
            and org.kind == OrganisationKind.RESIDENT_UNIT
            and org.parent_id == contract.buyer_id
        ):
            return RaterKind.RESIDENT_UNIT
        if (
            m.role == Role.EXPERT
            and org.parent is not None
            and contract.district.path.startswith(org.parent.path)
        ):
            # An expert of the district's (or its city's) pool.
            return RaterKind.EXPERT_PANEL
    raise NotPermitted(_("您不是本合同的评价主体。"))


def _check_answers(round_: AssessmentRound, answers: Any) -> dict[str, Any]:
    """The answers, checked against the plan's indicators (scales and ranges); a
    refused answer is reported under `answers.<indicator code>`, with a message worded
    for a reader who sees it beside that indicator."""
    if not isinstance(answers, dict) or not answers:
        raise ValidationFailed(fields={"answers": [_("请填写评分。")]})
    specs = indicator_specs(list(round_.plan.indicators.all()))
    try:
        errors = answer_errors(specs, answers)
    except ScoringInputError as exc:  # the plan's own tree (checked when it was made)
        raise ValidationFailed(fields={"answers": [exc.message]}) from exc
    if errors:
        # Each refused answer beside its indicator: `answers.<code>`.
        raise ValidationFailed(
            fields={f"answers.{e.indicator}": [e.short_message] for e in errors}
        )
    return dict(answers)


def scorecard_submit(
    *,
    round: AssessmentRound,  # noqa: A002 - the domain's word
    actor: User,
    contract: Contract,
    answers: Any,
    community: Organisation | None = None,
    comment: str = "",
    paper: bool = False,
) -> Scorecard:
    """A rater's scorecard for a contract in a round (community staff may also type in
    a resident's paper questionnaire, recorded as such and by whom).

    Raises:
        NotPermitted: the actor rates for no group of this contract; an expert who
            is not a declared, unrecused member of the plan's panel.
        Conflict: the round is not open, or the contract is not in the plan; the
            expert panel's composition is not valid (`panel.panel_check`).
        ValidationFailed: an answer outside its scale.
    """
    if round.status != RoundStatus.OPEN:
        raise Conflict(_("本轮考核已停止评分。"), code="round_closed")
    if not round.plan.contracts.filter(pk=contract.pk).exists():
        raise Conflict(_("该合同不在本考核方案中。"), code="contract_not_in_plan")
    if (
        community is not None
        and not contract.items.filter(community=community).exists()
    ):
        raise ValidationFailed(
            fields={"community": [_("该社区不在本合同的服务范围内。")]}
        )
    group = rater_group(actor, contract, community)
    if paper:
        if group != RaterKind.COMMUNITY:
            raise NotPermitted(_("只有社区工作人员可以录入居民纸质问卷。"))
        group = RaterKind.RESIDENT
    if not round.plan.groups.filter(kind=group).exists():
        raise NotPermitted(
            _("本考核方案没有“%(group)s”这一评价主体。")
            % {"group": RaterKind(group).label}
        )
    if group == RaterKind.EXPERT_PANEL:
        # Only a declared, unrecused member of a lawfully composed panel scores.
        from .panel import panel_card_guard

        panel_card_guard(round.plan, actor)
    clean = _check_answers(round, answers)
    with transaction.atomic():
        card = Scorecard.objects.create(
            round=round,
            contract=contract,
            group=group,
            community=community,
            rater=None if paper else actor,
            source=CardSource.PAPER if paper else CardSource.ONLINE,
            entered_by=actor if paper else None,
            answers=clean,
            comment=str(comment or "")[:2000],
            status=CardStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="assessments.card_submit",
            obj=card,
            to_state=card.status,
            payload={"group": group, "contract": contract.pk, "paper": paper},
            scope=round.plan.buyer.path,
        )
    return card


def resident_tokens_issue(
    *,
    round: AssessmentRound,  # noqa: A002
    actor: User | None,
    contract: Contract,
    community: Organisation,
    count: int,
    batch: str,
) -> list[str]:
    """`count` one-time resident tokens for one community, returned once (only their
    hashes are kept) to be printed as QR codes.

    Raises:
        NotPermitted: not the buyer's officer. ValidationFailed: count or community.
    """
    _manager(actor, round.plan.buyer)
    if not isinstance(count, int) or not 1 <= count <= 1000:
        raise ValidationFailed(fields={"count": [_("每批1至1000个。")]})
    if not contract.items.filter(community=community).exists():
        raise ValidationFailed(
            fields={"community": [_("该社区不在本合同的服务范围内。")]}
        )
    raws = [secrets.token_urlsafe(TOKEN_BYTES) for _i in range(count)]
    with transaction.atomic():
        ResidentToken.objects.bulk_create(
            [
                ResidentToken(
                    round=round,
                    contract=contract,
                    community=community,
                    batch=str(batch or "")[:60],
                    token_hash=ResidentToken.hash_token(raw),
                    issued_by=actor if getattr(actor, "pk", None) else None,
                )
                for raw in raws
            ]
        )
        audit_record(
            actor=actor,
            action="assessments.tokens_issue",
            obj=round,
            payload={
                "contract": contract.pk,
                "community": community.pk,
                "count": count,
            },
        )
    return raws


def resident_answer(*, raw_token: str, answers: Any, comment: str = "") -> Scorecard:
    """A resident's answer by a token: once per token, anonymous (no account, no
    identity stored), for the token's community and contract.

    Raises:
        NotPermitted: unknown token. Conflict: the token was used, or the round closed.
        ValidationFailed: an answer outside its scale.
    """
    token = (
        ResidentToken.objects.select_related("round__plan", "contract", "community")
        .filter(token_hash=ResidentToken.hash_token(str(raw_token or "")))
        .first()
    )
    if token is None:
        raise NotPermitted(_("评价码无效。"), code="token_invalid")
    if token.round.status != RoundStatus.OPEN:
        raise Conflict(_("本轮考核已停止评分。"), code="round_closed")
    clean = _check_answers(token.round, answers)
    with transaction.atomic():
        # Compare-and-swap on used_at: two submissions of one token, one wins.
        won = ResidentToken.objects.filter(pk=token.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not won:
            raise Conflict(_("该评价码已使用。"), code="token_used")
        card = Scorecard.objects.create(
            round=token.round,
            contract=token.contract,
            group=RaterKind.RESIDENT,
            community=token.community,
            token=token,
            source=CardSource.RESIDENT_TOKEN,
            answers=clean,
            comment=str(comment or "")[:2000],
            status=CardStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        # Anonymous: no actor, and nothing that leads back to the token.
        audit_record(
            actor=None,
            action="assessments.resident_answer",
            obj=card,
            to_state=card.status,
            payload={"round": token.round_id, "community": token.community_id},
            scope=token.round.plan.buyer.path,
        )
    return card


def breakdown_json(breakdown: Any) -> Any:
    """The breakdown as JSON data (decimals as strings, exactly as shown). Its
    explanation lines stay structured (a message code and its parameters), worded when
    shown by `assessments.explain.render_lines` in the reader's language."""

    def plain(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        return v

    return plain(dataclasses.asdict(breakdown))


def _cards_by_contract(round_: AssessmentRound) -> dict[int, list[Card]]:
    """Every submitted card of the round, in one query, by contract."""
    out: dict[int, list[Card]] = {}
    for cid, pk, group, community_id, answers in (
        Scorecard.objects.filter(round=round_, status=CardStatus.SUBMITTED)
        .order_by("pk")
        .values_list("contract_id", "pk", "group", "community_id", "answers")
    ):
        out.setdefault(cid, []).append(
            Card(
                id=str(pk),
                group=group,
                community=str(community_id) if community_id else None,
                answers=answers,
            )
        )
    return out


def round_score(
    *,
    round: AssessmentRound,
    actor: User | None,
    job: Job | None = None,  # noqa: A002
) -> list[RoundResult]:
    """Score every contract of the round from its submitted cards (the pure
    `compute_vendor_score`), keep the breakdown and its inputs' digest, and hand each
    grade to the contract's tranches of this period. Idempotent: the same cards give
    the same results, and nothing is written twice.

    Raises:
        NotPermitted: not the buyer's officer (None is the system, e.g. the period-end job).
        Conflict: the round is closed.
    """
    plan = round.plan
    _manager(actor, plan.buyer)
    if round.status == RoundStatus.CLOSED:
        raise Conflict(_("本轮考核已结束。"), code="round_closed")
    specs = indicator_specs(list(plan.indicators.all()))
    groups = [
        GroupSpec(kind=g.kind, weight=g.weight, quorum=g.quorum, replaces=g.replaces)
        for g in plan.groups.all()
    ]
    bands = _bands(plan.district, round.period_end)
    contracts = list(plan.contracts.select_related("vendor", "buyer", "district"))
    results = []
    cards_by_contract = _cards_by_contract(round)
    for n, contract in enumerate(contracts, start=1):
        cards = cards_by_contract.get(contract.pk, [])
        breakdown = compute_vendor_score(specs, groups, cards, bands, plan.missing_rule)
        with transaction.atomic():
            result, _created = RoundResult.objects.update_or_create(
                round=round,
                contract=contract,
                defaults={
                    "vendor": contract.vendor,
                    "status": breakdown.status,
                    "total": breakdown.total,
                    "grade": breakdown.grade or "",
                    "breakdown": breakdown_json(breakdown),
                    "inputs_digest": breakdown.inputs_digest,
                    "computed_at": timezone.now(),
                },
            )
            apply_consequences(result, actor=actor)
            if breakdown.grade in GRADE_RANK:
                try:
                    payment_tranche_apply_assessment(
                        contract=contract,
                        period_label=round.label,
                        grade=breakdown.grade,
                        score=breakdown.total,
                        source=f"assessment-round:{round.pk}",
                        actor=None,
                    )
                except DomainError:
                    # No tranche waits for this period, or it is already approved:
                    # the result stands on its own.
                    pass
        results.append(result)
        if job is not None:
            job_progress(job, int(n * 100 / max(len(contracts), 1)), contract.code)
    with transaction.atomic():
        AssessmentRound.objects.filter(pk=round.pk).update(
            status=RoundStatus.SCORED, scored_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="assessments.round_score",
            obj=round,
            from_state=round.status,
            to_state=RoundStatus.SCORED,
            payload={"results": len(results)},
        )
    return results


def _previous_result(result: RoundResult) -> RoundResult | None:
    """The same contract's result in the plan's round just before this one."""
    return (
        RoundResult.objects.filter(
            contract_id=result.contract_id,
            round__plan_id=result.round.plan_id,
            round__period_start__lt=result.round.period_start,
        )
        .order_by("-round__period_start")
        .first()
    )


def apply_consequences(result: RoundResult, *, actor: User | None) -> list[Consequence]:
    """The consequences a grade leads to (PE-09), each a named transition with its
    event: 中 → a rectification notice with a deadline (rule parameter
    `assessment.rectification.days`); 差, or 中 in two rounds running → an elimination
    proposal for the admission list. Idempotent; a re-scored result withdraws the open
    consequences that no longer follow from it."""
    wanted: dict[str, str] = {}
    grade = result.grade
    if grade == "fair":
        wanted[ConsequenceKind.RECTIFICATION] = str(
            _("考核等级为“中”（%(total)s分），须限期整改。") % {"total": result.total}
        )
        previous = _previous_result(result)
        if previous is not None and previous.grade == "fair":
            wanted[ConsequenceKind.ELIMINATION_PROPOSAL] = str(
                _("连续两期考核等级为“中”（%(before)s：%(t1)s分；%(now)s：%(t2)s分）。")
                % {
                    "before": previous.round.label,
                    "t1": previous.total,
                    "now": result.round.label,
                    "t2": result.total,
                }
            )
    elif grade == "poor":
        wanted[ConsequenceKind.ELIMINATION_PROPOSAL] = str(
            _("考核等级为“差”（%(total)s分）。") % {"total": result.total}
        )
    out = []
    for c in result.consequences.filter(status=ConsequenceStatus.OPEN):
        if c.kind not in wanted:
            c.status = ConsequenceStatus.WITHDRAWN
            c.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="assessments.consequence_withdraw",
                obj=c,
                from_state=ConsequenceStatus.OPEN,
                to_state=c.status,
                comment=str(_("重新计分后不再适用。")),
            )
    for kind, reason in wanted.items():
        due = None
        if kind == ConsequenceKind.RECTIFICATION:
            days = optional_rule(
                "assessment.rectification.days",
                result.contract.district,
                result.round.period_end,
            )
            due = timezone.localdate() + dt.timedelta(days=int(days or 30))
        c, created = Consequence.objects.get_or_create(
            result=result, kind=kind, defaults={"reason": reason, "due_on": due}
        )
        if not created and c.status == ConsequenceStatus.WITHDRAWN:
            c.status, c.reason, c.due_on = ConsequenceStatus.OPEN, reason, due
            c.save(update_fields=["status", "reason", "due_on"])
            created = True
        if created:
            audit_record(
                actor=actor,
                action=f"assessments.{kind}",
                obj=c,
                to_state=c.status,
                comment=reason,
                payload={"result": result.pk, "due_on": due.isoformat() if due else ""},
            )
            if kind == ConsequenceKind.RECTIFICATION:
                notify(
                    users=vendor_staff_users(result.vendor),
                    verb="assessment_rectification",
                    title=str(
                        _("考核整改通知：%(label)s") % {"label": result.round.label}
                    ),
                    body=reason,
                )
        out.append(c)
    return out


def round_score_request(*, round: AssessmentRound, actor: User | None) -> Job:  # noqa: A002
    """Queue the scoring of a round as a job the page can poll; the task runs after
    the transaction commits (a Celery worker, or in-process without Redis).

    Raises:
        NotPermitted: not the buyer's officer. Conflict: the round is closed.
    """
    from core.jobs import job_create

    from .tasks import round_score_task

    _manager(actor, round.plan.buyer)
    if round.status == RoundStatus.CLOSED:
        raise Conflict(_("本轮考核已结束。"), code="round_closed")
    with transaction.atomic():
        job = job_create(kind="assessment-scoring", actor=actor, obj=round)
        AssessmentRound.objects.filter(pk=round.pk).update(job=job)
        transaction.on_commit(lambda: round_score_task.delay(job.pk))
    return job


def rounds_score_ended(*, on: dt.date | None = None) -> list[Job]:
    """At each period end: queue the scoring of every open round whose period ended
    before `on` and that was never scored nor queued (the system is the actor). The
    officer may still score again on demand; re-scoring gives the same results."""
    on = on or timezone.localdate()
    due = AssessmentRound.objects.filter(
        status=RoundStatus.OPEN, period_end__lt=on, scored_at__isnull=True, job=None
    ).select_related("plan__buyer")
    return [round_score_request(round=r, actor=None) for r in due]
