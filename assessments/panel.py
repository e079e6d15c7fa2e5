"""The expert panel of an assessment plan (issue #7 §3, seed 001): experts and peer
reviewers who score the final report — targets, indicators, funds used, completion —
each with a conflict-of-interest declaration, as in procurement committees (COM-08,
INC-09).

Who may sit: an expert of the plan's district's (or its city's) expert pool, the
same rule as the scorecard's expert branch (`services.rater_group`). A peer reviewer
(同行评议人, a member of another social organisation) is admitted the same way: they
sit in the pool as a peer, so the panel's every member can score online and no other
organisation's account gains a way into the plan. Nobody sits who works for a vendor
of the plan's contracts, or for the centre (or its operator) that incubated one.

The panel's composition: the members who have not recused must be an odd number
when `committee.odd_size_required` says so, with at least the plan's target number
of experts (`assessment.panel.expert_count`) and of peers
(`assessment.panel.peer_count`). Until it is, no expert card is accepted; a member
scores only after declaring no conflict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.events import audit_record
from core.exceptions import Conflict, NotFound, NotPermitted, ValidationFailed
from core.ids import as_id
from core.visibility import ancestor_paths
from procurement.methods import optional_rule
from vendors.models import Vendor
from vendors.selectors import incubation_conflict_reasons

from .choices import PanelRole, PlanStatus, RaterKind
from .models import AssessmentPlan, PanelMember, Scorecard

# What the expert panel scores (issue #7 §3): the final report's four aspects.
ASPECTS = (
    ("targets", _("目标完成"), _("合同约定的服务目标是否完成。")),
    ("indicators", _("指标达成"), _("各项考核指标的达成程度。")),
    ("funds", _("资金使用"), _("资金是否按预算和合同约定使用，支出是否有据。")),
    ("completion", _("完成情况"), _("服务是否按期、按量、按质完成。")),
)


# --- reads ------------------------------------------------------------------------------


def has_expert_panel(plan: AssessmentPlan) -> bool:
    """Whether the plan counts an expert panel among its rater groups."""
    return plan.groups.filter(kind=RaterKind.EXPERT_PANEL).exists()


def panel_pool(plan: AssessmentPlan) -> QuerySet[User]:
    """Who may sit on the plan's panel: the active experts of the pools of the plan's
    district and the city above it (an expert pool's parent is the district or city
    it serves; as in `services.rater_group`)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.EXPERT,
            memberships__organisation__is_active=True,
            memberships__organisation__parent__path__in=ancestor_paths(
                plan.district.path
            ),
        )
        .distinct()
        .order_by("display_name", "username", "pk")
    )


def panel_members(plan: AssessmentPlan) -> list[PanelMember]:
    """The plan's panel, experts first (one query)."""
    return list(
        PanelMember.objects.filter(plan=plan)
        .select_related("user", "added_by")
        .order_by("role", "pk")
    )


@dataclass(frozen=True)
class PanelTargets:
    """The plan's target composition (rule parameters; None where none applies)."""

    experts: int | None
    peers: int | None
    odd: bool


def panel_targets(plan: AssessmentPlan, on: dt.date | None = None) -> PanelTargets:
    on = on or timezone.localdate()
    experts = optional_rule("assessment.panel.expert_count", plan.district, on)
    peers = optional_rule("assessment.panel.peer_count", plan.district, on)
    odd = optional_rule("committee.odd_size_required", plan.district, on)
    return PanelTargets(
        experts=int(experts) if experts is not None else None,
        peers=int(peers) if peers is not None else None,
        odd=bool(odd),
    )


def panel_check(
    plan: AssessmentPlan,
    members: list[PanelMember] | None = None,
    on: dt.date | None = None,
    targets: PanelTargets | None = None,
) -> list[str]:
    """What the panel's composition breaks, in words; empty when it may score.
    Recused members do not count."""
    members = members if members is not None else panel_members(plan)
    seated = [m for m in members if not m.recused]
    experts = sum(1 for m in seated if m.role == PanelRole.EXPERT)
    peers = sum(1 for m in seated if m.role == PanelRole.PEER)
    targets = targets or panel_targets(plan, on)
    out: list[Any] = []
    if not seated:
        out.append(_("评审组尚无成员。"))
    elif targets.odd and len(seated) % 2 == 0:
        out.append(
            _("评审组成员（不含回避者）应为单数，现有 %(s)s 人。") % {"s": len(seated)}
        )
    if targets.experts is not None and experts < targets.experts:
        out.append(
            _("本方案的目标组成为评审专家 %(n)s 名，现有 %(k)s 名。")
            % {"n": targets.experts, "k": experts}
        )
    if targets.peers is not None and peers < targets.peers:
        out.append(
            _("本方案的目标组成为同行评议人 %(n)s 名，现有 %(k)s 名。")
            % {"n": targets.peers, "k": peers}
        )
    return [str(x) for x in out]


def _plan_vendors(plan: AssessmentPlan) -> list[Vendor]:
    seen: dict[int, Vendor] = {}
    for c in plan.contracts.select_related("vendor__organisation").order_by("pk"):
        seen.setdefault(c.vendor_id, c.vendor)
    return list(seen.values())


def panel_conflicts(
    user: User, plan: AssessmentPlan, vendors: list[Vendor] | None = None
) -> list[str]:
    """Why `user` may not judge the plan's vendors: staff of one of them (COM-08), or
    a tie with the centre that incubated one (INC-09)."""
    reasons: list[str] = []
    vendors = vendors if vendors is not None else _plan_vendors(plan)
    own = {
        m.organisation_id
        for m in user.active_memberships()
        if m.role == Role.VENDOR_STAFF
    }
    for v in vendors:
        if v.organisation_id in own:
            reasons.append(
                str(
                    _("%(u)s 是被考核组织%(v)s的工作人员（COM-08）。")
                    % {"u": user, "v": v.organisation.name}
                )
            )
        reasons.extend(
            str(r)
            for r in incubation_conflict_reasons(user, v)
            if str(r) not in reasons
        )
    return reasons


def member_get_for_user(pk: Any, user: Any) -> PanelMember:
    """One panel seat, for the member themself or the plan's readers.

    Raises:
        NotFound: no such seat, or the user is neither.
    """
    member_id = as_id(pk)
    if member_id is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    member = (
        PanelMember.objects.filter(
            Q(user=user) | Q(plan__in=AssessmentPlan.objects.visible_to(user)),
            pk=member_id,
        )
        .select_related("plan__buyer", "plan__district", "user")
        .first()
    )
    if member is None:
        raise NotFound()
    return member


def seats_for_user(user: Any) -> list[PanelMember]:
    """The user's own panel seats, those waiting for a declaration first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        PanelMember.objects.filter(user=user)
        .select_related("plan__buyer")
        .order_by("declared_at", "-plan__year", "-pk")
    )


# --- writes -----------------------------------------------------------------------------


def _manager(actor: User | None, plan: AssessmentPlan) -> None:
    from .services import _manager as buyer_manager

    buyer_manager(actor, plan.buyer)


def panel_member_add(
    *, actor: User | None, plan: AssessmentPlan, user: User | None, role: str
) -> PanelMember:
    """Seat an expert or a peer reviewer on the plan's panel.

    Raises:
        NotPermitted: not the buyer's officer.
        Conflict: the plan has no expert panel, or it is closed.
        ValidationFailed: a bad role; a user outside the pool, already seated, or
            tied to a vendor of the plan (with the reasons).
    """
    _manager(actor, plan)
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_("考核方案已结束。"), code="plan_closed")
    if not has_expert_panel(plan):
        raise Conflict(
            _("本考核方案没有“专家评审组”这一评价主体。"), code="no_expert_panel"
        )
    errors: dict[str, list[Any]] = {}
    if role not in PanelRole.values:
        errors["role"] = [_("请选择评审专家或同行评议人。")]
    if user is None or not panel_pool(plan).filter(pk=user.pk).exists():
        errors["user"] = [_("只能选择本区（或本市）专家库中的人员。")]
    elif PanelMember.objects.filter(plan=plan, user=user).exists():
        errors["user"] = [_("%(u)s 已在评审组中。") % {"u": user}]
    else:
        reasons = panel_conflicts(user, plan)
        if reasons:
            errors["user"] = reasons
    if errors:
        raise ValidationFailed(fields=errors)
    assert user is not None
    try:
        with transaction.atomic():
            member = PanelMember.objects.create(
                plan=plan,
                user=user,
                role=role,
                added_by=actor if getattr(actor, "pk", None) else None,
            )
            audit_record(
                actor=actor,
                action="assessments.panel_member_add",
                obj=member,
                payload={"plan": plan.pk, "user": user.pk, "role": role},
                scope=plan.buyer.path,
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            fields={"user": [_("%(u)s 已在评审组中。") % {"u": user}]}
        ) from exc
    return member


def panel_member_remove(*, actor: User | None, member: PanelMember) -> None:
    """Take a member off the panel while no card of theirs exists.

    Raises:
        NotPermitted: not the buyer's officer.
        Conflict: the member has submitted a card for the plan.
    """
    plan = member.plan
    _manager(actor, plan)
    with transaction.atomic():
        locked = PanelMember.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            raise NotFound()
        if Scorecard.objects.filter(
            round__plan=plan, rater_id=locked.user_id, group=RaterKind.EXPERT_PANEL
        ).exists():
            raise Conflict(
                _("该成员已提交评分表，不能移出评审组。"), code="member_has_cards"
            )
        payload = {
            "member": locked.pk,
            "user": locked.user_id,
            "role": locked.role,
            "declared": locked.declared_at is not None,
            "recused": locked.recused,
        }
        locked.delete()
        audit_record(
            actor=actor,
            action="assessments.panel_member_remove",
            obj=plan,
            payload=payload,
            scope=plan.buyer.path,
        )


def panel_declare(
    *,
    actor: User,
    member: PanelMember,
    no_conflict: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> PanelMember:
    """The member's own declaration (COM-08): no conflict of interest with the
    organisations assessed, or a conflict, described — and then they recuse. Once.

    Raises:
        NotPermitted: not the member themself.
        Conflict: already declared.
        ValidationFailed: a conflict without a description; no conflict declared
            while a tie is on record (with the reasons).
    """
    if getattr(actor, "pk", None) != member.user_id:
        raise NotPermitted(_("利害关系声明只能由成员本人作出。"))
    note = str(note or "").strip()[:2000]
    if not no_conflict and not note:
        raise ValidationFailed(fields={"note": [_("请说明存在的利害关系。")]})
    with transaction.atomic():
        m = (
            PanelMember.objects.select_for_update()
            .select_related("plan__buyer", "plan__district", "user")
            .get(pk=member.pk)
        )
        if m.declared_at is not None:
            raise Conflict(_("您已作出声明，不能重复声明。"), code="already_declared")
        if no_conflict:
            reasons = panel_conflicts(m.user, m.plan)
            if reasons:
                raise ValidationFailed(fields={"no_conflict": reasons})
        m.declared_at = now or timezone.now()
        m.no_conflict = bool(no_conflict)
        m.conflict_note = note
        m.recused = not no_conflict
        m.save(update_fields=["declared_at", "no_conflict", "conflict_note", "recused"])
        audit_record(
            actor=actor,
            action="assessments.panel_declare",
            obj=m,
            to_state="no_conflict" if no_conflict else "recused",
            comment=note,
            payload={"plan": m.plan_id, "no_conflict": bool(no_conflict)},
            scope=m.plan.buyer.path,
        )
    member.declared_at, member.no_conflict = m.declared_at, m.no_conflict
    member.conflict_note, member.recused = m.conflict_note, m.recused
    return member


def panel_card_guard(plan: AssessmentPlan, actor: User) -> None:
    """May `actor` submit an expert-panel card for the plan? Called by
    `services.scorecard_submit` for the expert branch.

    Raises:
        NotPermitted: not on the panel, not declared, or recused.
        Conflict: the panel's composition is not yet valid (the problems).
    """
    members = panel_members(plan)
    mine = next((m for m in members if m.user_id == actor.pk), None)
    if mine is None:
        raise NotPermitted(_("您不是本考核方案专家评审组的成员。"), code="not_on_panel")
    if mine.recused:
        raise NotPermitted(_("您已声明回避，不能评分。"), code="panel_recused")
    if mine.declared_at is None or not mine.no_conflict:
        raise NotPermitted(
            _("评分前请先作出无利害关系声明。"), code="panel_not_declared"
        )
    problems = panel_check(plan, members)
    if problems:
        raise Conflict(
            str(_("专家评审组尚不能评分：")) + "".join(problems),
            code="panel_incomplete",
        )
