"""Who reads what of an assessment through the API.

Two kinds of reader meet at a round:

- **The plan's readers** are the buyer's side (`AssessmentPlan.objects.visible_to`:
  district and street staff, department staff, auditors of the street or district)
  and a street's read-only API token for its own street (as with contracts). They see
  the plans, the rounds with their card counts, the scoring job and the results.
- **Raters** who are not the plan's readers (community staff, resident-unit
  assessors, experts) must find the round they post their scorecards to. A round is
  visible to a rater when the scorecard service would accept their card for some
  contract of it *and* the plan has their rater group:
  - community staff: the plan has a contract serving their community (they score as
    the community, or type in residents' paper questionnaires);
  - an assessor of a resident unit: the plan is the unit's street's;
  - an expert: the plan has an expert panel and lies in the expert's district.
  They see the round, its indicator tree and the contracts they rate, never the card
  counts, the job or the results (403 with the reason).

Vendors are neither: plans, rounds, cards and results are all invisible to them (404),
so nothing of a scorecard reaches a vendor. No resident identity is stored; a card's
token is never serialised.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

import assessments.services as asvc
from accounts.choices import OrganisationKind, Role
from contracts.models import READER_ROLES, Contract
from core.decisions import ALLOW, Decision, deny
from core.exceptions import NotPermitted
from core.visibility import ancestor_paths

from ..choices import RaterKind
from ..models import AssessmentPlan, AssessmentRound, RaterGroup, RoundResult


def _authenticated(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def _plan_reader_q(user: Any, prefix: str = "") -> Q | None:
    """The plans the user reads as the buyer's side (None: all of them)."""
    if user.is_superuser:
        return None
    token_street = getattr(user, "token_street_path", None)
    if token_street is not None:
        return Q(**{f"{prefix}buyer__path__startswith": token_street})
    q = AssessmentPlan.objects.none().visibility_filter(user, "view")
    if q is None:
        return None
    return Q(**{f"{prefix}pk__in": AssessmentPlan.objects.filter(q).values("pk")})


def plans_for_user(user: Any) -> QuerySet[AssessmentPlan]:
    """The plans the user may read (the buyer's side and a street's API token)."""
    if not _authenticated(user):
        return AssessmentPlan.objects.none()
    q = _plan_reader_q(user)
    return (
        AssessmentPlan.objects.all() if q is None else AssessmentPlan.objects.filter(q)
    )


def _rater_plan_q(user: Any) -> Q:
    """The plans the user rates for some contract of (see the module docstring)."""
    through = AssessmentPlan.contracts.through
    q = Q(pk__in=[])
    if getattr(user, "token_street_path", None) is not None:
        return q
    for m in user.active_memberships():
        org = m.organisation
        if m.role == Role.COMMUNITY_STAFF:
            q |= Q(
                pk__in=through.objects.filter(
                    contract__items__community_id=org.pk
                ).values("assessmentplan_id")
            )
        elif m.role == Role.ASSESSOR and org.kind == OrganisationKind.RESIDENT_UNIT:
            q |= Q(buyer_id=org.parent_id)
        elif m.role == Role.EXPERT:
            q |= Q(
                district__path__in=ancestor_paths(org.path),
                pk__in=RaterGroup.objects.filter(kind=RaterKind.EXPERT_PANEL).values(
                    "plan_id"
                ),
            )
    return q


def rounds_for_user(user: Any) -> QuerySet[AssessmentRound]:
    """The rounds the user may see: those of the plans they read, and those they
    rate for (see the module docstring)."""
    if not _authenticated(user):
        return AssessmentRound.objects.none()
    reader = _plan_reader_q(user)
    if reader is None:
        return AssessmentRound.objects.all()
    plans = AssessmentPlan.objects.filter(reader | _rater_plan_q(user))
    return AssessmentRound.objects.filter(plan__in=plans.values("pk"))


def results_for_user(user: Any) -> QuerySet[RoundResult]:
    """Results are read by the plan's readers only (never by a rater or a vendor)."""
    return RoundResult.objects.filter(round__plan__in=plans_for_user(user).values("pk"))


def can_list_plans(user: Any) -> Decision:
    """The plan list is the buyer's side's (and a street token's); raters reach their
    rounds directly, vendors never."""
    if (
        user.is_superuser
        or getattr(user, "token_street_path", None) is not None
        or user.has_role(*READER_ROLES)
    ):
        return ALLOW
    return deny(_("只有购买主体（街道、区级工作人员）可以查看考核方案。"))


def is_plan_reader(user: Any, plan: AssessmentPlan) -> bool:
    return plans_for_user(user).filter(pk=plan.pk).exists()


def can_read_round_results(user: Any, plan: AssessmentPlan) -> Decision:
    """Card counts, the scoring job and the results: the buyer's side only."""
    if is_plan_reader(user, plan):
        return ALLOW
    return deny(_("只有购买主体（街道、区级工作人员）可以查看评分情况和考核结果。"))


def rated_contracts(user: Any, rnd: AssessmentRound) -> list[Contract]:
    """The round's contracts the user could submit a card for (any community)."""
    out = []
    kinds = set(rnd.plan.groups.values_list("kind", flat=True))
    mine = {
        m.organisation_id: m.organisation
        for m in user.active_memberships()
        if m.role == Role.COMMUNITY_STAFF
    }
    for contract in rnd.plan.contracts.select_related("buyer").order_by("code", "pk"):
        served = set(contract.items.values_list("community_id", flat=True))
        candidates = [None, *(mine[c] for c in sorted(mine.keys() & served))]
        groups = {_group_for(user, contract, community) for community in candidates}
        if RaterKind.COMMUNITY in groups:
            # Community staff also type in residents' paper questionnaires.
            groups.add(RaterKind.RESIDENT)
        if groups & kinds:
            out.append(contract)
    return out


def _group_for(user: Any, contract: Contract, community: Any) -> str | None:
    # The service's own rule, so the API never promises what the service refuses.
    try:
        return str(asvc.rater_group(user, contract, community))
    except NotPermitted:
        return None


def can_rate_round(user: Any, rnd: AssessmentRound) -> Decision:
    """Whether the user rates for some group of the round's plan at all."""
    if getattr(user, "token_street_path", None) is None and rated_contracts(user, rnd):
        return ALLOW
    return deny(_("您不是本轮考核的评价主体。"))


def can_submit_card(
    user: Any,
    rnd: AssessmentRound,
    contract: Contract,
    community: Any,
    paper: bool,
) -> Decision:
    """The card's group (the service's rule) must be one of the plan's groups: a card
    of a group the plan does not have could never be scored."""
    group = _group_for(user, contract, community)
    if group is None:
        return deny(_("您不是本合同的评价主体。"))
    if paper:
        if group != RaterKind.COMMUNITY:
            return deny(_("只有社区工作人员可以录入居民纸质问卷。"))
        group = RaterKind.RESIDENT
    if not rnd.plan.groups.filter(kind=group).exists():
        return deny(_("本考核方案没有该评价主体。"))
    return ALLOW
