"""Whether a supplier may take part in a purchase on a date, and every reason it may not.

`vendor_check_eligibility` is the service later stages call (procurement before
bidding, contracts before signing). Each failed condition carries its rule ID from
RULES.md and a reason in the user's language. Numbers come from rule parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import (
    CR01_LISTS,
    CR08_LISTS,
    REGISTERED_TYPES,
    SOCIAL_ORG_TYPES,
    CreditList,
    CreditResult,
    DocumentKind,
    OrgType,
    ReportResult,
    VendorStatus,
)
from .models import Vendor

# Evidence GPS-06 asks for (法 第二十二条): tax and social insurance paid, no major
# illegal record in the look-back period.
REQUIRED_DOCUMENTS = (
    DocumentKind.TAX_CLEARANCE,
    DocumentKind.SOCIAL_INSURANCE,
    DocumentKind.NO_VIOLATION_STATEMENT,
)
NON_DISQUALIFYING_KINDS = (DocumentKind.RATING_CERTIFICATE, DocumentKind.OTHER)


@dataclass(frozen=True)
class Failure:
    rule_id: str
    code: str
    reason: str


@dataclass
class EligibilityResult:
    vendor_id: int
    on: dt.date
    failures: list[Failure] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor_id,
            "on": self.on.isoformat(),
            "eligible": self.eligible,
            "failures": [f.__dict__ for f in self.failures],
        }


def vendor_check_eligibility(
    vendor: Vendor, on: dt.date, for_: str | None = None
) -> EligibilityResult:
    """Every failed condition of GPS-05..07, CR-01, CR-08 and the evidence on date `on`.

    `for_` names the purpose ("bid", "contract", "bixuan"); it is recorded in the
    result for the stage that asks, and conditions may differ by purpose later.
    """
    from catalogue.rules import RuleParameterMissing, rule_value

    result = EligibilityResult(vendor.pk, on)
    fail = result.failures.append
    region = vendor.organisation.parent or vendor.organisation

    if vendor.status != VendorStatus.ACTIVE:
        fail(
            Failure(
                "GPS-05",
                "not_active",
                _("该组织在名录中的状态为“%(s)s”。")
                % {"s": vendor.get_status_display()},
            )
        )
    if vendor.excluded_public_body:
        fail(
            Failure(
                "GPS-07",
                "excluded_public_body",
                _("公益一类事业单位及财政拨款的群团组织不得作为承接主体。"),
            )
        )
    if vendor.org_type == OrgType.COMMUNITY_FILED:
        fail(
            Failure(
                "GPS-06",
                "not_registered",
                _("备案类社区社会组织未依法登记，不具备独立承担民事责任的能力。"),
            )
        )
    elif vendor.org_type in REGISTERED_TYPES:
        if not vendor.uscc:
            fail(Failure("GPS-06", "no_credit_code", _("缺少统一社会信用代码。")))
        if vendor.registration_date is None or vendor.registration_date > on:
            fail(Failure("GPS-06", "not_registered_yet", _("在该日期尚未完成登记。")))

    # Evidence: required documents valid on the date, and no expired document at all.
    docs = list(vendor.documents.all())
    for kind in REQUIRED_DOCUMENTS:
        valid = [
            d
            for d in docs
            if d.kind == kind
            and (d.valid_from is None or d.valid_from <= on)
            and not d.is_expired(on)
        ]
        if not valid:
            fail(
                Failure(
                    "GPS-06",
                    f"missing_{kind}",
                    _("缺少在 %(date)s 有效的“%(kind)s”。")
                    % {"date": on.isoformat(), "kind": DocumentKind(kind).label},
                )
            )
    # An expired document fails the check unless a valid one of the same kind
    # replaces it; an expired rating certificate only means the rating no longer counts.
    valid_kinds = {
        d.kind
        for d in docs
        if not d.is_expired(on) and (d.valid_from is None or d.valid_from <= on)
    }
    for d in docs:
        if (
            d.kind in NON_DISQUALIFYING_KINDS
            or d.kind in valid_kinds
            or not d.is_expired(on)
        ):
            continue
        fail(
            Failure(
                "GPS-06",
                "expired_document",
                _("“%(title)s”已于 %(date)s 过期，且没有新的有效材料。")
                % {"title": d.title, "date": str(d.valid_until)},
            )
        )

    # Annual inspection / report of the previous year (CR-08, PE-07).
    if vendor.org_type in SOCIAL_ORG_TYPES:
        report = next(
            (r for r in vendor.annual_reports.all() if r.year == on.year - 1), None
        )
        if report is None:
            fail(
                Failure(
                    "CR-08",
                    "no_annual_report",
                    _("没有 %(year)s 年度的年检（年报）记录。") % {"year": on.year - 1},
                )
            )
        elif report.result in (ReportResult.UNQUALIFIED, ReportResult.NOT_SUBMITTED):
            fail(
                Failure(
                    "CR-08",
                    "annual_report_failed",
                    _("%(year)s 年度年检（年报）结论为“%(result)s”。")
                    % {"year": report.year, "result": report.get_result_display()},
                )
            )

    # Credit lists: the latest check of each list, no older than the allowed age.
    try:
        max_age = int(rule_value("credit_check.max_age_days", region, on))
    except RuleParameterMissing:
        max_age = None
    lists = list(CR01_LISTS) + (
        list(CR08_LISTS) if vendor.org_type in SOCIAL_ORG_TYPES else []
    )
    checks = sorted(
        vendor.credit_checks.all(), key=lambda c: c.checked_at, reverse=True
    )
    for list_kind in lists:
        rule = "CR-01" if list_kind in CR01_LISTS else "CR-08"
        latest = next(
            (
                c
                for c in checks
                if c.list_kind == list_kind
                and timezone.localtime(c.checked_at).date() <= on
            ),
            None,
        )
        label = CreditList(list_kind).label
        if latest is None:
            fail(
                Failure(
                    rule,
                    f"unchecked_{list_kind}",
                    _("尚未查询“%(list)s”。") % {"list": label},
                )
            )
        elif latest.result == CreditResult.LISTED:
            fail(
                Failure(
                    rule,
                    f"listed_{list_kind}",
                    _("已被列入“%(list)s”（%(date)s 查询）。")
                    % {
                        "list": label,
                        "date": timezone.localtime(latest.checked_at)
                        .date()
                        .isoformat(),
                    },
                )
            )
        elif (
            max_age is not None
            and (on - timezone.localtime(latest.checked_at).date()).days > max_age
        ):
            fail(
                Failure(
                    rule,
                    f"stale_{list_kind}",
                    _("“%(list)s”的查询已超过 %(days)s 日，请重新查询。")
                    % {"list": label, "days": max_age},
                )
            )
    return result
