"""The evaluation committee: the random draw with its seed, conflict checks (COM-07, COM-08, INC-09), declarations and replacement."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind, Role
from accounts.models import User
from core.events import audit_record
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from vendors.selectors import incubation_conflict_reasons, incubation_ties

from ..choices import (
    MemberRole,
    MemberStatus,
    SheetStatus,
)
from ..methods import committee_rules, profile
from ..models import (
    Bid,
    CommitteeMember,
    ProcurementProject,
)
from ..permissions import is_buyer_staff
from ._common import _bidders, _run


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
        # The ties are the vendor's, whoever asks: read once per vendor object, so a
        # draw that checks the whole pool against the bidders does not repeat them.
        if not hasattr(v, "_incubation_ties"):
            v._incubation_ties = incubation_ties(v)  # type: ignore[attr-defined]
        reasons.extend(incubation_conflict_reasons(user, v, v._incubation_ties))  # type: ignore[attr-defined]
    if role == MemberRole.EXPERT and is_buyer_staff(user, project):
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
            if not is_buyer_staff(rep, p):
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
            if not is_buyer_staff(replacement, p):
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
