"""Contracts test world: a FINAL award built directly as rows (the procurement flow
is tested in tests/procurement), the district's local rule parameters, and a
contract factory that goes through the real service."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.choices import Role
from catalogue.models import RuleParameter
from contracts import services
from contracts.choices import DeliveryStatus, StandardResult
from contracts.models import DeliveryRecord
from core.events import audit_events_for
from procurement.choices import AwardStatus, BidStatus, LotStatus, Method, ProjectStatus
from procurement.models import Award, Bid, Lot, LotItem, Notice, ProcurementProject
from tests.factories import user_with_role
from tests.procurement.conftest import RULES, _media_root, rules, world  # noqa: F401

WUHOU = "CN-51-01-07"


@pytest.fixture
def local_rules(orgs, rules):  # noqa: F811
    """The Wuhou district's own parameters (tranche plan, grade deduction, extension
    cap), given to the test districts D1 and D2 as the product would give them."""
    data = json.loads(RULES.read_text(encoding="utf-8"))
    rows = []
    for p in data["parameters"]:
        if p["jurisdiction"] != WUHOU:
            continue
        for district in (orgs.d1, orgs.d2):
            rows.append(
                RuleParameter(
                    key=p["key"],
                    jurisdiction=district,
                    valid_from=dt.date.fromisoformat(p["valid_from"]),
                    valid_to=dt.date.fromisoformat(p["valid_to"])
                    if p.get("valid_to")
                    else None,
                    value_type=p["value_type"],
                    value=p["value"],
                    rule_ids=p.get("rule_ids", []),
                )
            )
    RuleParameter.objects.bulk_create(rows)
    return rows


def make_final_award(
    *,
    buyer,
    vendor,
    items,
    communities,
    amount=Decimal("200000.00"),
    code="CG-2026-001",
    catalogue_version=None,
    notice_day=None,
    term_years=1,
    multi_year_stated=False,
):
    """A procurement project at 结果生效 with one lot, its items and communities, and
    the winner's final award — rows only."""
    now = timezone.now()
    project = ProcurementProject.objects.create(
        code=code,
        title="社区公共服务购买项目",
        buyer=buyer,
        district=buyer.parent,
        catalogue_version=catalogue_version or items[0].version,
        fiscal_year=now.year,
        method=Method.BIXUAN,
        status=ProjectStatus.FINAL,
        term_years=term_years,
        multi_year_stated=multi_year_stated,
        acceptance_plan="按季度验收，年度考核，居民满意度测评。",
    )
    lot = Lot.objects.create(
        project=project,
        number=1,
        name="社区公共服务",
        budget=amount + Decimal("10000"),
        status=LotStatus.FINAL,
    )
    lot.communities.set(communities)
    for it in items:
        LotItem.objects.create(lot=lot, item=it)
    bid = Bid.objects.create(
        project=project,
        vendor=vendor,
        status=BidStatus.QUALIFIED,
        submitted_at=now,
        sealed_content="",
    )
    notice = None
    if notice_day is not None:
        # The result notice (中标结果公告): the contract's signing deadline runs from it.
        notice = Notice.objects.create(
            project=project,
            kind="award",
            title="中标结果公告",
            body="中标结果",
            published_on=notice_day,
        )
    award = Award.objects.create(
        lot=lot,
        bid=bid,
        amount=amount,
        status=AwardStatus.FINAL,
        confirmed_at=now,
        final_at=now,
        notice=notice,
    )
    return award


# An explicit payment plan (independent of the rule parameters' key order): an advance
# without conditions, a midterm tranche after the midterm acceptance, and a final one
# after the yearly acceptance and a grade of at least 良 (10 % deducted below it).
STANDARD_PLAN = [
    {"kind": "advance", "share": "40"},
    {
        "kind": "midterm",
        "share": "30",
        "needs_acceptance": True,
        "period_label": "中期",
    },
    {
        "kind": "final",
        "share": "30",
        "needs_acceptance": True,
        "period_label": "年度",
        "min_grade": "good",
        "deduction_share": "10",
    },
]


def tranche(contract, kind):
    """The contract's (single) tranche of `kind`, fresh from the database."""
    return contract.tranches.get(kind=kind)


def events(obj, action):
    """The audit events of `obj` with `action` (e.g. "contracts.countersign")."""
    return list(audit_events_for(obj).filter(action=action))


def pass_acceptance(contract, label, actor, *, passed=True):
    """Open and record the acceptance of period `label` through the services."""
    today = timezone.localdate()
    acc = services.acceptance_create(
        contract=contract,
        actor=actor,
        period_label=label,
        period_start=contract.start_on,
        period_end=today,
    )
    return services.acceptance_record(
        acceptance=acc,
        actor=actor,
        standards=[
            {"item": s["item"], "result": StandardResult.MET} for s in acc.standards
        ],
        opinions=[{"source": "resident", "name": "居民张某", "opinion": "满意"}],
        conclusion="合格" if passed else "不合格",
        passed=passed,
        accepted_on=today,
    )


def delivery(contract_item, count, status=DeliveryStatus.CONFIRMED):
    """A delivery record written directly as a row (the delivery services are tested
    in test_delivery.py)."""
    today = timezone.localdate()
    return DeliveryRecord.objects.create(
        contract=contract_item.contract,
        contract_item=contract_item,
        period_start=today - dt.timedelta(days=10),
        period_end=today - dt.timedelta(days=1),
        count=count,
        status=status,
        reported_at=timezone.now(),
    )


@pytest.fixture
def second_officer(orgs):
    """Another street officer of S1 (the same side as `personas.officer`)."""
    return user_with_role(Role.STREET_OFFICER, orgs.s1, username="p_officer2")


@pytest.fixture
def cworld(orgs, personas, world, local_rules):  # noqa: F811
    """A final award of street S1 to `vendors.own` (personas.vendor's organisation)
    for the three world items in S1's two communities."""
    award = make_final_award(
        buyer=orgs.s1,
        vendor=world.bidders[0],
        items=world.items,
        communities=world.communities,
    )
    return SimpleNamespace(
        award=award,
        items=world.items,
        communities=world.communities,
        vendor=world.bidders[0],
        world=world,
    )


@pytest.fixture
def make_contract(personas, cworld):
    """`make_contract(status="active", award=None, signed_on=None, **kwargs)`: a
    contract from the fixture's award (or `award`) through the real services, brought
    to `status` (draft, vendor_signed, active); kwargs go to
    `contract_create_from_award` (e.g. `tranches=STANDARD_PLAN`)."""

    def make(status="active", award=None, signed_on=None, **kwargs):
        award = award or cworld.award
        today = timezone.localdate()
        kwargs.setdefault("start_on", today - dt.timedelta(days=30))
        kwargs.setdefault("end_on", today + dt.timedelta(days=300))
        contract = services.contract_create_from_award(
            award=award, actor=personas.officer, **kwargs
        )
        if status in ("vendor_signed", "active"):
            contract = services.contract_sign_vendor(
                contract=contract, actor=personas.vendor
            )
        if status == "active":
            contract = services.contract_countersign(
                contract=contract, actor=personas.officer, signed_on=signed_on
            )
        return contract

    return make
