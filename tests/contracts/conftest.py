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

from catalogue.models import RuleParameter
from procurement.choices import AwardStatus, BidStatus, LotStatus, Method, ProjectStatus
from procurement.models import Award, Bid, Lot, LotItem, ProcurementProject
from tests.procurement.conftest import RULES, _media_root, rules, world  # noqa: F401

from contracts import services

WUHOU = "CN-51-01-07"


@pytest.fixture
def local_rules(orgs, rules):
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
    award = Award.objects.create(
        lot=lot,
        bid=bid,
        amount=amount,
        status=AwardStatus.FINAL,
        confirmed_at=now,
        final_at=now,
    )
    return award


@pytest.fixture
def cworld(orgs, personas, world, local_rules):
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
    """`make_contract(status="active", **kwargs)`: a contract from the fixture's award
    through the real services, brought to `status` (draft, vendor_signed, active)."""

    def make(status="active", award=None, **kwargs):
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
                contract=contract, actor=personas.officer
            )
        return contract

    return make
