"""Method choice with its reasons, the splitting check and the timeline: read-only
computations from rule parameters and the working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.rules import add_calendar_days, add_working_days, deadline_for

from .choices import Method, ProjectStatus
from .methods import optional_rule, profile


def _yuan(v: Any) -> str:
    return f"¥{Decimal(str(v)):,.2f}"


@dataclass
class MethodChoice:
    recommended: str
    allowed: list[str]
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def refusal(self, method: str) -> str | None:
        if method in self.allowed:
            return None
        return _("%(method)s不适用：%(why)s") % {
            "method": Method(method).label,
            "why": "；".join(self.reasons),
        }


def method_choice(jurisdiction: Any, on: dt.date, amount: Decimal) -> MethodChoice:
    """Which methods the amount allows in the jurisdiction on the day, and why
    (PM-02, PM-06, PM-11, TH-01..03)."""
    open_tender = optional_rule("threshold.open_tender.services", jurisdiction, on)
    limit = optional_rule("threshold.decentralised.services", jurisdiction, on)
    if open_tender is not None and amount >= Decimal(str(open_tender)):
        return MethodChoice(
            Method.TENDER,
            [Method.TENDER],
            [
                _(
                    "预算 %(amount)s 达到公开招标数额标准 %(limit)s，应当公开招标（PM-02）。"
                )
                % {"amount": _yuan(amount), "limit": _yuan(open_tender)}
            ],
        )
    if limit is None or amount >= Decimal(str(limit)):
        reasons = [
            _(
                "预算 %(amount)s 属于政府采购，未达公开招标数额标准%(limit)s；政府购买服务项目可以采用竞争性磋商（PM-06）。"
            )
            % {
                "amount": _yuan(amount),
                "limit": f"（{_yuan(open_tender)}）" if open_tender is not None else "",
            }
        ]
        choice = MethodChoice(
            Method.CUOSHANG, [Method.CUOSHANG, Method.TENDER, Method.BIXUAN], reasons
        )
        choice.warnings.append(
            _(
                "比选不是政府采购方式；预算 %(amount)s 已达到分散采购限额标准 %(limit)s，按比选办理须说明依据（PM-11）。"
            )
            % {
                "amount": _yuan(amount),
                "limit": _yuan(limit) if limit is not None else "—",
            }
        )
        return choice
    choice = MethodChoice(
        Method.BIXUAN,
        [Method.BIXUAN, Method.CUOSHANG, Method.TENDER],
        [
            _(
                "预算 %(amount)s 低于分散采购限额标准 %(limit)s，不属于政府采购，可按单位内部规定比选（PM-11）。"
            )
            % {"amount": _yuan(amount), "limit": _yuan(limit)}
        ],
    )
    agency = optional_rule("bixuan.amount.agency_mandatory_min", jurisdiction, on)
    if agency is not None and amount >= Decimal(str(agency)):
        choice.warnings.append(
            _("比选金额达到 %(limit)s，应委托采购代理机构公开比选（PM-11）。")
            % {"limit": _yuan(agency)}
        )
    return choice


def splitting_check(
    *,
    buyer: Any,
    fiscal_year: int,
    item_ids: set[int],
    amount: Decimal,
    method: str,
    jurisdiction: Any,
    on: dt.date,
    exclude_pk: int | None = None,
) -> str | None:
    """PM-03: buying the same items outside open tender within one fiscal year with a
    cumulative amount above the open-tender threshold is splitting. The reason, or None."""
    from .models import ProcurementProject

    if method == Method.TENDER or not item_ids:
        return None
    threshold = optional_rule("threshold.open_tender.services", jurisdiction, on)
    if threshold is None:
        return None
    others = (
        ProcurementProject.objects.filter(
            buyer=buyer,
            fiscal_year=fiscal_year,
            lots__items__item__in=item_ids,
        )
        .exclude(method=Method.TENDER)
        .exclude(status__in=[ProjectStatus.FAILED, ProjectStatus.TERMINATED])
        .exclude(pk=exclude_pk)
        .distinct()
    )
    rows = list(others.values("pk", "code"))
    if not rows:
        return None
    spent = ProcurementProject.objects.filter(pk__in=[r["pk"] for r in rows]).aggregate(
        s=Sum("lots__budget")
    )["s"] or Decimal(0)
    if spent + amount > Decimal(str(threshold)):
        return _(
            "同一预算年度内以非招标方式采购相同事项累计 %(total)s（含 %(codes)s），超过公开招标数额标准 %(limit)s，属于化整为零（PM-03）。"
        ) % {
            "total": _yuan(spent + amount),
            "codes": "、".join(r["code"] for r in rows),
            "limit": _yuan(threshold),
        }
    return None


def minimum_dates(
    method: str, jurisdiction: Any, documents_from: dt.date
) -> dict[str, dt.date]:
    """The earliest `documents_until` and `bid_deadline` the method's rules allow."""
    out = {}
    for rule in profile(method).deadlines:
        out[rule.field] = deadline_for(
            rule.key, jurisdiction, documents_from, on=documents_from
        )
    return out


@dataclass
class Step:
    key: str
    label: str
    due: dt.date | None
    done: dt.date | None
    rule_id: str = ""
    note: str = ""

    @property
    def state(self) -> str:
        if self.done is not None:
            return "done"
        if self.due is None:
            return "pending"
        return "overdue" if self.due < timezone.localdate() else "due"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "due": self.due.isoformat() if self.due else None,
            "done": self.done.isoformat() if self.done else None,
            "state": self.state,
            "rule_id": self.rule_id,
            "note": self.note,
        }


def _local(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value else None


def timeline(project: Any, awards: list[Any] | None = None) -> list[Step]:
    """The steps of the procedure with their due dates from the rules, what is done
    and what is next (TL-01..TL-17)."""
    j, method = project.district, project.method
    on = project.notice_published_on or timezone.localdate()
    steps: list[Step] = []
    ahead = optional_rule("deadline.intention.publish_ahead", j, on)
    if method != Method.BIXUAN:
        earliest = (
            add_calendar_days(project.intention_published_on, int(ahead))
            if ahead is not None and project.intention_published_on
            else None
        )
        steps.append(
            Step(
                "intention",
                _("公开采购意向"),
                None,
                project.intention_published_on,
                "TL-01",
                _("至少提前 %(days)s 日；最早可于 %(date)s 发布公告。")
                % {"days": ahead, "date": earliest.isoformat()}
                if earliest
                else (_("至少提前 %(days)s 日。") % {"days": ahead} if ahead else ""),
            )
        )
    steps.append(
        Step("announce", _("发布采购公告"), None, project.notice_published_on, "DIS-05")
    )
    p = profile(method)
    for rule in p.deadlines:
        value = getattr(project, rule.field)
        due = (
            value
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime)
            else _local(value)
        )
        done = (
            due
            if due
            and due <= timezone.localdate()
            and project.status != ProjectStatus.DRAFT
            else None
        )
        steps.append(Step(rule.field, str(rule.label), due, done, rule.rule_id))
    steps.append(
        Step("open", _("开标"), _local(project.bid_deadline), _local(project.opened_at))
    )
    evaluated = _local(project.evaluated_at)
    steps.append(Step("evaluate", _("完成评审"), None, evaluated, "SC-11"))
    confirm_due = (
        add_working_days(evaluated, int(v))
        if evaluated
        and (v := optional_rule("deadline.award.confirm_winner", j, evaluated))
        is not None
        else None
    )
    award = next(iter(awards or []), None)
    confirmed = _local(award.confirmed_at) if award else None
    steps.append(Step("award", _("确定中标人"), confirm_due, confirmed, "TL-10"))
    steps.append(
        Step(
            "challenge",
            _("质疑期满"),
            award.challenge_until if award else None,
            _local(award.final_at) if award and award.final_at else None,
            "TL-17",
        )
    )
    if confirmed:
        sign = optional_rule("deadline.contract.sign", j, confirmed)
        steps.append(
            Step(
                "contract",
                _("签订合同"),
                add_calendar_days(confirmed, int(sign)) if sign is not None else None,
                None,
                "TL-13",
            )
        )
    return steps


def next_step(steps: list[Step]) -> Step | None:
    return next((s for s in steps if s.done is None), None)
