"""Award, challenges and finality."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.services import notify
from catalogue.rules import add_working_days, rule_value
from core.events import audit_record
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from vendors.models import Vendor
from vendors.services import vendor_staff_users

from ..choices import (
    LIVE_BID_STATUSES,
    AwardStatus,
    ChallengeStatus,
    LotStatus,
    MemberRole,
    MemberStatus,
    NoticeKind,
)
from ..methods import optional_rule
from ..models import (
    Award,
    Bid,
    Challenge,
    ProcurementProject,
)
from ..permissions import bidding_vendor
from ..selectors import challenge_window_end
from ..workflows import finality_decision
from ._common import S, _bidders, _lock, _notice, _run, _yuan


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
        lots = list(
            p.lots.filter(status=LotStatus.OPEN).annotate(item_count=Count("items"))
        )
        missing = [lot.number for lot in lots if not lot.evaluation.get("rows")]
        if missing:
            raise Conflict(
                _("第%(n)s包没有评审结果。") % {"n": "、".join(map(str, missing))}
            )
        first_bids = Bid.objects.select_related("vendor__organisation").in_bulk(
            [lot.evaluation["rows"][0]["bid"] for lot in lots]
        )
        for lot in lots:
            rows = lot.evaluation["rows"]
            first = rows[0]
            bid = first_bids[first["bid"]]
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
                    "items": lot.item_count,
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
        until = challenge_window_end(p)
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
        finality_decision(p, on).raise_if_denied()
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
