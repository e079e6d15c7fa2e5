"""Scoring: members' sheets, the evaluation when the last sheet arrives, abnormally low prices, statutory re-evaluation and the signed report."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import (
    Conflict,
    NotPermitted,
    ValidationFailed,
)

from .. import scoring
from ..choices import (
    BidStatus,
    LotStatus,
    MemberStatus,
    ScoringMethod,
    SheetStatus,
)
from ..models import (
    BidLot,
    CommitteeMember,
    Lot,
    ProcurementProject,
    ScoreSheet,
)
from ..permissions import committee_seat
from ._common import S, _run


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
