"""What each method needs, as data: which rule parameters give its deadlines,
committee, supplier minimums and price-weight bounds. The numbers themselves are
rule parameters of the buyer's jurisdiction on the day (RULES §3); this table only
names them, so no method's rule is a branch scattered through the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from catalogue.rules import RuleParameterMissing, rule_value

from .choices import Method, NoticeKind


@dataclass(frozen=True)
class DeadlineRule:
    """`field` is due `key` (a 日 or 工作日 rule) after the event `start`."""

    field: str
    key: str
    start: str
    label: Any
    rule_id: str


@dataclass(frozen=True)
class MethodProfile:
    method: str
    label: Any
    document_name: Any
    committee_name: Any
    notice_kind: str
    inside_government_procurement: bool
    # Rule keys (None: the method has no such rule).
    committee_min_key: str
    committee_min_large_key: str | None
    committee_large_budget_key: str | None
    expert_share_key: str | None
    min_qualified_key: str
    # Fewer than the minimum but at least this many may go on; with the finance
    # department's approval where `continue_needs_approval` (SUP-04, SUP-06).
    continue_with_key: str | None
    continue_needs_approval: bool
    price_weight_min_key: str | None
    price_weight_max_key: str | None
    price_weight_range_key: str | None
    clarification_key: str | None
    deadlines: tuple[DeadlineRule, ...] = field(default_factory=tuple)
    rule_ids: tuple[str, ...] = ()


PROFILES: dict[str, MethodProfile] = {
    Method.TENDER: MethodProfile(
        method=Method.TENDER,
        label=_("公开招标"),
        document_name=_("招标文件"),
        committee_name=_("评标委员会"),
        notice_kind=NoticeKind.TENDER,
        inside_government_procurement=True,
        committee_min_key="committee.tender.min_size",
        committee_min_large_key="committee.tender.min_size_large",
        committee_large_budget_key="committee.tender.large_budget_threshold",
        expert_share_key="committee.tender.expert_share_min",
        min_qualified_key="tender.min_qualified_bidders",
        continue_with_key="tender.continue_with_approval",
        continue_needs_approval=True,
        price_weight_min_key="price_weight.tender.service.min",
        price_weight_max_key="price_weight.tender.service.max",
        price_weight_range_key=None,
        clarification_key="deadline.tender.clarification_notice",
        deadlines=(
            DeadlineRule(
                "documents_until",
                "deadline.tender.documents_availability",
                "documents_from",
                _("招标文件提供期满"),
                "TL-03",
            ),
            DeadlineRule(
                "bid_deadline",
                "deadline.tender.bid_preparation",
                "documents_from",
                _("投标截止（自文件发出之日起）"),
                "TL-04",
            ),
        ),
        rule_ids=(
            "PM-01",
            "PM-02",
            "COM-01",
            "COM-02",
            "SUP-01",
            "SC-03",
            "TL-03",
            "TL-04",
        ),
    ),
    Method.CUOSHANG: MethodProfile(
        method=Method.CUOSHANG,
        label=_("竞争性磋商"),
        document_name=_("磋商文件"),
        committee_name=_("磋商小组"),
        notice_kind=NoticeKind.CUOSHANG,
        inside_government_procurement=True,
        committee_min_key="committee.cuoshang.min_size",
        committee_min_large_key=None,
        committee_large_budget_key=None,
        expert_share_key="committee.cuoshang.expert_share_min",
        min_qualified_key="negotiation.min_suppliers",
        continue_with_key="cuoshang.service.min_suppliers_continue",
        continue_needs_approval=False,
        price_weight_min_key=None,
        price_weight_max_key=None,
        price_weight_range_key="price_weight.cuoshang.service.range",
        clarification_key="deadline.cuoshang.clarification_notice",
        deadlines=(
            DeadlineRule(
                "documents_until",
                "deadline.cuoshang.documents_availability",
                "documents_from",
                _("磋商文件提供期满"),
                "TL-07",
            ),
            DeadlineRule(
                "bid_deadline",
                "deadline.cuoshang.response_period",
                "documents_from",
                _("首次响应截止（自文件发出之日起）"),
                "TL-07",
            ),
        ),
        rule_ids=("PM-06", "COM-04", "SUP-06", "SC-04", "TL-07"),
    ),
    Method.BIXUAN: MethodProfile(
        method=Method.BIXUAN,
        label=_("比选"),
        document_name=_("比选文件"),
        committee_name=_("比选小组"),
        notice_kind=NoticeKind.BIXUAN,
        inside_government_procurement=False,
        committee_min_key="bixuan.panel.min_size",
        committee_min_large_key=None,
        committee_large_budget_key=None,
        expert_share_key=None,
        min_qualified_key="bixuan.min_suppliers",
        continue_with_key=None,
        continue_needs_approval=False,
        price_weight_min_key=None,
        price_weight_max_key=None,
        price_weight_range_key=None,
        clarification_key=None,
        deadlines=(
            DeadlineRule(
                "documents_until",
                "deadline.bixuan.documents_sale",
                "documents_from",
                _("比选文件发售期满"),
                "PM-11",
            ),
            DeadlineRule(
                "bid_deadline",
                "deadline.bixuan.response_period",
                "documents_from",
                _("响应截止（自发售之日起）"),
                "PM-11",
            ),
        ),
        rule_ids=("PM-11",),
    ),
}


def profile(method: str) -> MethodProfile:
    return PROFILES[method]


def optional_rule(key: str | None, jurisdiction: Any, on: dt.date) -> Any:
    """The rule's value, or None when the key is None or no layer defines it then
    (a rule that was not yet in force on the day simply does not apply)."""
    if key is None:
        return None
    try:
        return rule_value(key, jurisdiction, on)
    except RuleParameterMissing:
        return None


def price_weight_bounds(
    method: str, jurisdiction: Any, on: dt.date
) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest price weight (percent) the method allows (SC-03, SC-04)."""
    p = profile(method)
    lo = optional_rule(p.price_weight_min_key, jurisdiction, on)
    hi = optional_rule(p.price_weight_max_key, jurisdiction, on)
    rng = optional_rule(p.price_weight_range_key, jurisdiction, on)
    if rng:
        lo, hi = rng.get("min"), rng.get("max")
    return (
        Decimal(str(lo)) if lo is not None else None,
        Decimal(str(hi)) if hi is not None else None,
    )


def committee_rules(
    method: str, jurisdiction: Any, on: dt.date, budget: Decimal
) -> dict[str, Any]:
    """Minimum size, parity and expert share for a committee (COM-01..04, PM-11)."""
    p = profile(method)
    min_size = int(rule_value(p.committee_min_key, jurisdiction, on))
    large = optional_rule(p.committee_large_budget_key, jurisdiction, on)
    if large is not None and budget >= Decimal(str(large)):
        min_size = int(rule_value(str(p.committee_min_large_key), jurisdiction, on))
    share = optional_rule(p.expert_share_key, jurisdiction, on)
    odd = optional_rule("committee.odd_size_required", jurisdiction, on)
    return {
        "min_size": min_size,
        "odd": bool(odd) if odd is not None else True,
        "expert_share_min": Decimal(str(share)) if share is not None else None,
    }
