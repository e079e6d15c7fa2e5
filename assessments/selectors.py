"""Reads of the assessments app for the browser: the plans a user may see, the
rounds and results under them, and for raters (department and community staff,
resident-unit assessors, experts) the open rounds whose contracts they rate.

Visibility: the buyer's staff see plans through `AssessmentPlan.objects.visible_to`;
a rater sees a round (only to fill in a scorecard) when it is open and its plan
includes a contract the rater scores for, with the rater's group in the plan.
Anything else is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from contracts.choices import DeliveryStatus, ExtensionStatus, ExtraWorkStatus
from contracts.models import (
    Contract,
    ContractItem,
    DeliveryRecord,
    ExtensionRequest,
    ExtraWork,
    ResidualWork,
)
from core.exceptions import NotFound
from core.ids import as_id

from .choices import CardStatus, RaterKind, RoundStatus
from .models import (
    AssessmentPlan,
    AssessmentRound,
    Indicator,
    PanelMember,
    RoundResult,
    Scorecard,
)

# Roles that rate in the browser, and the group each rates for.
RATER_ROLES = (
    Role.DEPARTMENT_STAFF,
    Role.COMMUNITY_STAFF,
    Role.ASSESSOR,
    Role.EXPERT,
)


def plan_list_for_user(user: Any) -> QuerySet[AssessmentPlan]:
    """The plans the user may see, newest year first, with their counts."""
    return (
        AssessmentPlan.objects.visible_to(user)
        .select_related("buyer")
        .annotate(
            contract_count=Count("contracts", distinct=True),
            round_count=Count("rounds", distinct=True),
        )
        .order_by("-year", "-id")
    )


def plan_get_for_user(pk: Any, user: Any) -> AssessmentPlan:
    """One visible plan.

    Raises:
        NotFound: no such plan, or it is not visible to the user.
    """
    plan_id = as_id(pk)
    plan = (
        AssessmentPlan.objects.visible_to(user)
        .select_related("buyer", "district", "created_by")
        .filter(pk=plan_id)
        .first()
        if plan_id is not None
        else None
    )
    if plan is None:
        raise NotFound()
    return plan


def round_get_for_user(pk: Any, user: Any) -> AssessmentRound:
    """One round of a visible plan.

    Raises:
        NotFound: no such round, or its plan is not visible to the user.
    """
    round_id = as_id(pk)
    rnd = (
        AssessmentRound.objects.filter(
            pk=round_id, plan__in=AssessmentPlan.objects.visible_to(user)
        )
        .select_related("plan__buyer", "plan__district", "job")
        .first()
        if round_id is not None
        else None
    )
    if rnd is None:
        raise NotFound()
    return rnd


def result_get_for_user(pk: Any, user: Any) -> RoundResult:
    """One scored result of a round of a visible plan.

    Raises:
        NotFound: no such result, or its plan is not visible to the user.
    """
    result_id = as_id(pk)
    result = (
        RoundResult.objects.filter(
            pk=result_id, round__plan__in=AssessmentPlan.objects.visible_to(user)
        )
        .select_related(
            "round__plan__buyer", "contract", "vendor__organisation", "contract__buyer"
        )
        .first()
        if result_id is not None
        else None
    )
    if result is None:
        raise NotFound()
    return result


def indicator_tree(plan: AssessmentPlan) -> list[dict[str, Any]]:
    """The plan's indicators depth first, each with its depth and whether it is a
    leaf (one query)."""
    rows = list(plan.indicators.all())
    children: dict[int | None, list[Indicator]] = {}
    for ind in rows:
        children.setdefault(ind.parent_id, []).append(ind)
    out: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for ind in children.get(parent, []):
            out.append(
                {
                    "indicator": ind,
                    "depth": depth,
                    "leaf": ind.pk not in children,
                    "indent": depth * 1.5,
                }
            )
            walk(ind.pk, depth + 1)

    walk(None, 0)
    return out


# --- raters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """One scorecard a rater may fill in: a contract of an open round, for a group
    (and a community, for community staff)."""

    round: AssessmentRound
    contract: Contract
    group: str
    community: Organisation | None
    submitted: int  # the rater's own cards already submitted for it


def _contract_filters(user: Any) -> list[tuple[str, Q, Organisation | None]]:
    """Per rater membership: the group, the contracts it rates (as a Q on Contract)
    and the community it rates for — the same rules as the service's rater check."""
    out: list[tuple[str, Q, Organisation | None]] = []
    for m in user.active_memberships():
        org = m.organisation
        if m.role == Role.DEPARTMENT_STAFF:
            # Department staff rate the contracts of their street (an ancestor).
            out.append(
                (RaterKind.DEPARTMENT, Q(buyer__path__in=_prefixes(org.path)), None)
            )
        elif m.role == Role.COMMUNITY_STAFF:
            out.append(
                (
                    RaterKind.COMMUNITY,
                    Q(items__community=org),
                    org,
                )
            )
        elif m.role == Role.ASSESSOR and org.kind == OrganisationKind.RESIDENT_UNIT:
            out.append((RaterKind.RESIDENT_UNIT, Q(buyer_id=org.parent_id), None))
        elif m.role == Role.EXPERT:
            # An expert of a district's pool rates the district's panels.
            out.append(
                (
                    RaterKind.EXPERT_PANEL,
                    Q(district__path__in=_prefixes(org.path)),
                    None,
                )
            )
    return out


def _prefixes(path: str) -> list[str]:
    """Every ancestor path of `path` (itself included): "A/B/C/" → A/, A/B/, A/B/C/."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def is_rater(user: Any) -> bool:
    return bool(user.is_authenticated) and any(
        m.role in RATER_ROLES for m in user.active_memberships()
    )


def rounds_to_rate_for_user(user: Any, round_id: int | None = None) -> list[RateRow]:
    """The scorecards the user may fill in (待评分): per open round whose plan includes
    a contract the user rates, with the user's group among the plan's rater groups;
    one row per contract (per community for community staff). A fixed number of
    queries whatever the number of rounds and contracts."""
    if not getattr(user, "is_authenticated", False):
        return []
    filters = _contract_filters(user)
    if not filters:
        return []
    rows: list[RateRow] = []
    kinds = {g for g, _q, _c in filters}
    rounds_qs = AssessmentRound.objects.filter(plan__groups__kind__in=kinds)
    # The list is the open rounds; one named round (the card page) in any state, so
    # its page can say that scoring has stopped.
    if round_id is not None:
        rounds_qs = rounds_qs.filter(pk=round_id)
    else:
        rounds_qs = rounds_qs.filter(status=RoundStatus.OPEN)
    rounds = list(
        rounds_qs.distinct()
        .select_related("plan__buyer")
        .prefetch_related(
            "plan__groups",
            Prefetch(
                "plan__contracts",
                queryset=Contract.objects.select_related(
                    "vendor__organisation", "buyer"
                )
                .prefetch_related("items")
                .order_by("code"),
            ),
        )
        .order_by("-period_end", "-id")
    )
    if not rounds:
        return []
    rateable: dict[str, set[int]] = {}
    for group, q, community in filters:
        ids = set(
            Contract.objects.filter(
                q, assessment_plans__rounds__in=[r.pk for r in rounds]
            ).values_list("pk", flat=True)
        )
        key = f"{group}:{community.pk if community else ''}"
        rateable.setdefault(key, set()).update(ids)
    counts: dict[tuple[int, int, int | None], int] = {}
    for r_id, c_id, com_id, n in (
        Scorecard.objects.filter(
            Q(rater=user) | Q(entered_by=user),
            round__in=[r.pk for r in rounds],
            status=CardStatus.SUBMITTED,
        )
        .values_list("round_id", "contract_id", "community_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(r_id, c_id, com_id)] = n
    # An expert rates only the plans whose panel seats them, declared free of
    # conflicts (assessments.panel); the service refuses the others anyway.
    seated: set[int] = set()
    if RaterKind.EXPERT_PANEL in kinds:
        seated = set(
            PanelMember.objects.filter(
                user=user, recused=False, no_conflict=True
            ).values_list("plan_id", flat=True)
        )
    for rnd in rounds:
        plan_kinds = {g.kind for g in rnd.plan.groups.all()}
        for contract in rnd.plan.contracts.all():
            seen: set[tuple[str, int | None]] = set()
            for group, _q, community in filters:
                if group not in plan_kinds:
                    continue
                if group == RaterKind.EXPERT_PANEL and rnd.plan_id not in seated:
                    continue
                key = f"{group}:{community.pk if community else ''}"
                if contract.pk not in rateable.get(key, set()):
                    continue
                marker = (group, community.pk if community else None)
                if marker in seen:
                    continue
                seen.add(marker)
                rows.append(
                    RateRow(
                        round=rnd,
                        contract=contract,
                        group=group,
                        community=community,
                        submitted=counts.get(
                            (rnd.pk, contract.pk, community.pk if community else None),
                            0,
                        ),
                    )
                )
    return rows


def rate_row_for(
    user: Any, round_id: Any, contract_id: Any, community_id: Any
) -> tuple[AssessmentRound | None, RateRow | None]:
    """The round (if the user may see it at all, as a rater or as the buyer's staff)
    and the user's scorecard row for that contract and community (None: the user
    does not rate it).

    Raises:
        NotFound: the round is invisible to the user, or the contract is not in it.
    """
    rid = as_id(round_id)
    if rid is None:
        raise NotFound()
    rows = rounds_to_rate_for_user(user, round_id=rid)
    rnd: AssessmentRound | None = rows[0].round if rows else None
    if rnd is None:
        rnd = (
            AssessmentRound.objects.filter(
                pk=rid, plan__in=AssessmentPlan.objects.visible_to(user)
            )
            .select_related("plan__buyer", "plan__district")
            .first()
        )
    if rnd is None:
        raise NotFound()
    cid = as_id(contract_id)
    if cid is None or not rnd.plan.contracts.filter(pk=cid).exists():
        raise NotFound()
    mine = [r for r in rows if r.contract.pk == cid]
    com = as_id(community_id)
    if com is not None:
        mine = [r for r in mine if r.community is None or r.community.pk == com]
    elif any(r.community is not None for r in mine):
        # Community staff of several communities must say which one.
        with_community = [r for r in mine if r.community is not None]
        if len(with_community) == 1:
            mine = with_community
        else:
            mine = [r for r in mine if r.community is None] or with_community[:1]
    return rnd, (mine[0] if mine else None)


# --- what the contract stage knows, beside each indicator ------------------------------


def contract_context(
    contract: Contract, community: Organisation | None = None
) -> dict[str, Any]:
    """What the contract stage knows for the raters (read-only): extension requests,
    residual work (社区自办), extra work (合同外工作) and disputed deliveries, in four
    queries, grouped by service-item code ("" for the whole contract)."""
    deliveries = DeliveryRecord.objects.filter(
        contract=contract, status=DeliveryStatus.DISPUTED
    ).select_related("contract_item__item", "contract_item__community")
    residual = ResidualWork.objects.filter(contract=contract).select_related(
        "contract_item__item", "contract_item__community"
    )
    extra = ExtraWork.objects.filter(contract=contract).select_related("community")
    extensions = (
        ExtensionRequest.objects.filter(contract=contract)
        .exclude(status=ExtensionStatus.WITHDRAWN)
        .select_related("contract_item__item", "contract_item__community")
    )
    if community is not None:
        deliveries = deliveries.filter(contract_item__community=community)
        residual = residual.filter(contract_item__community=community)
        extra = extra.filter(Q(community=community) | Q(community__isnull=True))
    by_item: dict[str, dict[str, list[Any]]] = {}

    def add(code: str, kind: str, row: Any) -> None:
        by_item.setdefault(code, {}).setdefault(kind, []).append(row)

    rows: dict[str, list[Any]] = {
        "extensions": list(extensions[:100]),
        "residual": list(residual[:100]),
        "extra": list(extra[:100]),
        "disputed": list(deliveries[:100]),
    }
    for kind in ("extensions", "residual", "disputed"):
        for row in rows[kind]:
            ci = row.contract_item
            add(ci.item.code if ci else "", kind, row)
    return {
        "all": rows,
        "by_item": by_item,
        "counted_extra": sum(
            1
            for e in rows["extra"]
            if e.status in (ExtraWorkStatus.APPROVED, ExtraWorkStatus.DISPUTED)
        ),
    }


def contract_communities(contract: Contract) -> list[Organisation]:
    """The communities a contract serves (one query)."""
    ids = ContractItem.objects.filter(contract=contract).values("community_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("code"))


def round_card_counts(rnd: AssessmentRound) -> dict[int, dict[str, Any]]:
    """Per contract: the submitted cards per group, and per group per community
    (one query)."""
    out: dict[int, dict[str, Any]] = {}
    for contract_id, group, community, n in (
        Scorecard.objects.filter(round=rnd, status=CardStatus.SUBMITTED)
        .values_list("contract_id", "group", "community__name")
        .annotate(n=Count("id"))
        .order_by("contract_id", "group", "community__name")
    ):
        row = out.setdefault(contract_id, {})
        g = row.setdefault(group, {"total": 0, "communities": []})
        g["total"] += n
        g["communities"].append((community or "—", n))
    return out
