"""Contract benchmarks at district scale: the list filtered by street and a contract's
detail, as a page and as an endpoint, as ratios to a trivial authenticated view in the
same run, with query counts, at two sizes.

1. Small: one contract per street (13), 20 items in each of the street's communities
   (≈3,100 contract items), a delivery for a quarter of them; the detail measured
   is 簇锦's (240 rows), the list 簇锦's one contract.
2. District scale: 13 streets, ≈150 communities, 100 contracts, ≈20,000 contract
   items, ≈7,900 deliveries; the detail measured is a 139-item contract of 簇锦 in
   its 12 communities (1,668 rows, two deliveries each), the list 簇锦's 8 contracts.

The query counts of each target must be the same at both sizes (they do not grow with
rows); the timings are ratios, never asserted. Run with `make bench` (all suites) or
`python bench/bench_contracts.py`.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from benchlib import ROOT, connection, measure, report  # noqa: I001
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

CUJIN = "CN-51-01-07-07"
EXTRA_COMMUNITIES = 6  # per street, on top of the seeded 77: ≈150 in all
ITEMS_PER_CONTRACT = 15
BIG_ITEMS = 139


class World:
    """What every batch needs: the district, its streets and communities, the
    catalogue items, the vendors and a counter for unique codes."""

    def __init__(self) -> None:
        from accounts.choices import OrganisationKind
        from accounts.models import Organisation, User
        from catalogue.models import CatalogueVersion
        from vendors.models import Vendor

        self.district = Organisation.objects.get(code="CN-51-01-07")
        self.streets = list(
            Organisation.objects.filter(
                kind=OrganisationKind.STREET, parent=self.district
            ).order_by("code")
        )
        self._add_communities()
        self.communities = {
            s.pk: list(
                Organisation.objects.filter(
                    kind=OrganisationKind.COMMUNITY, parent=s
                ).order_by("code")
            )
            for s in self.streets
        }
        self.version = CatalogueVersion.objects.filter(status="published").latest(
            "year"
        )
        self.items = list(self.version.items.order_by("code"))
        self.vendors = self._vendors(100)
        self.actor = User.objects.get(username="admin")
        self.n = 0
        assert Vendor.objects.count() >= 100

    def _add_communities(self) -> None:
        from accounts.choices import OrganisationKind
        from accounts.models import Organisation

        rows = []
        for s in self.streets:
            for i in range(EXTRA_COMMUNITIES):
                code = f"{s.code}-B{i:02d}"
                rows.append(
                    Organisation(
                        code=code,
                        name=f"{s.short_name or s.name}基准社区{i + 1}",
                        kind=OrganisationKind.COMMUNITY,
                        parent=s,
                        path=f"{s.path}{code}/",
                    )
                )
        Organisation.objects.bulk_create(rows)

    def _vendors(self, n: int) -> list:
        from accounts.choices import OrganisationKind
        from accounts.models import Organisation
        from vendors.models import Vendor

        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    code=f"BENCH-CV{i:04d}",
                    name=f"基准测试社会工作服务中心{i}",
                    kind=OrganisationKind.VENDOR,
                    parent=self.district,
                    path=f"{self.district.path}BENCH-CV{i:04d}/",
                )
                for i in range(n)
            ]
        )
        return Vendor.objects.bulk_create(
            [
                Vendor(
                    organisation=o,
                    org_type="social_service_agency",
                    registration_date=dt.date(2014, 5, 1),
                )
                for o in orgs
            ]
        )


def build(world: World, plan: list[tuple[int, int]], deliveries_every: int) -> list:
    """Contracts from final awards, all by bulk insert: `plan` holds (street index,
    number of items) per contract; every `deliveries_every`-th contract item gets a
    confirmed delivery (1 = every item, plus a second one awaiting confirmation)."""
    from django.utils import timezone

    from contracts.choices import (
        ContractStatus,
        DeliveryStatus,
        TrancheKind,
        TrancheStatus,
    )
    from contracts.models import (
        Contract,
        ContractItem,
        DeliveryRecord,
        PaymentTranche,
    )
    from procurement.choices import (
        AwardStatus,
        BidStatus,
        LotStatus,
        Method,
        ProjectStatus,
    )
    from procurement.models import Award, Bid, Lot, ProcurementProject

    today = timezone.localdate()
    start = today - dt.timedelta(days=120)
    now = timezone.now()
    numbers = list(range(world.n, world.n + len(plan)))
    world.n += len(plan)
    streets = [world.streets[s] for s, _items in plan]
    projects = ProcurementProject.objects.bulk_create(
        [
            ProcurementProject(
                code=f"BENCH-{n:05d}",
                title=f"{s.short_name or s.name}社区公共服务购买项目（基准{n}）",
                buyer=s,
                district=world.district,
                catalogue_version=world.version,
                fiscal_year=today.year,
                method=Method.BIXUAN,
                status=ProjectStatus.FINAL,
            )
            for n, s in zip(numbers, streets, strict=True)
        ]
    )
    lots = Lot.objects.bulk_create(
        [
            Lot(
                project=p,
                number=1,
                name=p.title,
                budget=Decimal("300000.00"),
                budget_source="fiscal",
                status=LotStatus.FINAL,
            )
            for p in projects
        ]
    )
    bids = Bid.objects.bulk_create(
        [
            Bid(
                project=p,
                vendor=world.vendors[n % len(world.vendors)],
                status=BidStatus.QUALIFIED,
                submitted_at=now - dt.timedelta(days=150),
                sealed_content="",
                qualified=True,
            )
            for n, p in zip(numbers, projects, strict=True)
        ]
    )
    awards = Award.objects.bulk_create(
        [
            Award(
                lot=lot,
                bid=bid,
                amount=Decimal("280000.00"),
                status=AwardStatus.FINAL,
                confirmed_at=now - dt.timedelta(days=140),
                final_at=now - dt.timedelta(days=130),
            )
            for lot, bid in zip(lots, bids, strict=True)
        ]
    )
    contracts = Contract.objects.bulk_create(
        [
            Contract(
                code=f"HT-BENCH-{n:05d}",
                title=p.title,
                award=a,
                project=p,
                buyer=p.buyer,
                district=world.district,
                vendor=b.vendor,
                status=ContractStatus.ACTIVE,
                original_value=a.amount,
                value=a.amount,
                start_on=start,
                end_on=start + dt.timedelta(days=364),
                award_notice_on=start - dt.timedelta(days=10),
                sign_due=start + dt.timedelta(days=20),
                signed_on=start - dt.timedelta(days=2),
                publish_due=start,
                published_on=start - dt.timedelta(days=1),
                file_due=start + dt.timedelta(days=5),
                filed_on=start + dt.timedelta(days=3),
            )
            for n, p, a, b in zip(numbers, projects, awards, bids, strict=True)
        ]
    )
    PaymentTranche.objects.bulk_create(
        [
            PaymentTranche(
                contract=c,
                number=i,
                kind=kind,
                share=Decimal(share),
                amount=c.value * Decimal(share) / 100,
                due_on=start + dt.timedelta(days=days),
                needs_acceptance=i > 1,
                period_label="" if i == 1 else f"第{i - 1}期",
                status=TrancheStatus.PAID if i == 1 else TrancheStatus.PENDING,
                paid_on=start + dt.timedelta(days=days) if i == 1 else None,
                paid_amount=c.value * Decimal(share) / 100 if i == 1 else None,
            )
            for c in contracts
            for i, (kind, share, days) in enumerate(
                (
                    (TrancheKind.ADVANCE, "40", 10),
                    (TrancheKind.MIDTERM, "30", 180),
                    (TrancheKind.FINAL, "30", 370),
                ),
                start=1,
            )
        ]
    )
    rows = []
    for (s, n_items), c in zip(plan, contracts, strict=True):
        for item in world.items[:n_items]:
            for community in world.communities[world.streets[s].pk]:
                rows.append(
                    ContractItem(
                        contract=c,
                        item=item,
                        community=community,
                        unit=item.unit,
                        target=item.annual_volume or 10,
                    )
                )
    items = ContractItem.objects.bulk_create(rows, batch_size=2000)
    deliveries = []
    for k, ci in enumerate(items):
        if k % deliveries_every:
            continue
        for status, days in (
            (DeliveryStatus.CONFIRMED, 30),
            *([(DeliveryStatus.REPORTED, 60)] if deliveries_every == 1 else []),
        ):
            deliveries.append(
                DeliveryRecord(
                    contract_id=ci.contract_id,
                    contract_item=ci,
                    period_start=start + dt.timedelta(days=days - 30),
                    period_end=start + dt.timedelta(days=days),
                    count=max(1, ci.target // 4),
                    status=status,
                    reported_at=now - dt.timedelta(days=100 - days),
                    reviewed_at=now if status == DeliveryStatus.CONFIRMED else None,
                )
            )
    DeliveryRecord.objects.bulk_create(deliveries, batch_size=2000)
    return contracts


def main() -> int:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from rest_framework.authtoken.models import Token

        from accounts.models import User
        from accounts.seeding import seed_demo_users, seed_organisations
        from catalogue.seeding import seed_reference_data
        from contracts.models import ContractItem, DeliveryRecord

        seed_organisations()
        seed_reference_data()
        seed_demo_users()
        world = World()
        cujin = next(i for i, s in enumerate(world.streets) if s.code == CUJIN)
        street_id = world.streets[cujin].pk
        officer = User.objects.get(username="officer")  # 簇锦's street officer
        client = Client()
        client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
        api = Client(
            HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}"
        )
        results = []

        def run(label: str, c: Client, url: str) -> None:
            median, queries, size = measure(c, url)
            results.append(
                {
                    "target": label,
                    "url": url,
                    "median_ms": median * 1000,
                    "queries": queries,
                    "bytes": size,
                }
            )

        def sizes() -> str:
            contracts = ContractItem.objects.values("contract_id").distinct().count()
            return f"{contracts} contracts/{ContractItem.objects.count():,} items"

        # 1. Small: one contract per street, 20 items each.
        small = build(world, [(s, 20) for s in range(len(world.streets))], 4)
        detail = small[cujin].pk
        small_items = ContractItem.objects.filter(contract_id=detail).count()
        label = sizes()
        run("baseline: trivial authenticated page", client, "/accounts/password/done/")
        run("baseline: trivial authenticated API (/me/)", api, "/api/v1/me/")
        run(
            f"contract list page ?street=, {label}",
            client,
            f"/contracts/?street={street_id}",
        )
        run(
            f"contract detail page, {small_items} items",
            client,
            f"/contracts/{detail}/",
        )
        run(
            f"contract list endpoint ?street=, {label}",
            api,
            f"/api/v1/contracts/?street={street_id}",
        )
        run(
            f"contract detail endpoint, {small_items} items",
            api,
            f"/api/v1/contracts/{detail}/",
        )

        # 2. District scale: 100 contracts, ≈20,000 items; 簇锦 gets a 139-item
        # contract with two deliveries on every item.
        big = build(world, [(cujin, BIG_ITEMS)], 1)[0]
        rest = 100 - 1 - len(small)
        build(
            world,
            [(k % len(world.streets), ITEMS_PER_CONTRACT) for k in range(rest)],
            4,
        )
        label = sizes()
        deliveries = DeliveryRecord.objects.count()
        big_items = ContractItem.objects.filter(contract=big).count()
        run(
            "baseline: trivial authenticated page (again, at scale)",
            client,
            "/accounts/password/done/",
        )
        run(
            "baseline: trivial authenticated API (/me/) (again)",
            api,
            "/api/v1/me/",
        )
        run(
            f"contract list page ?street=, {label}",
            client,
            f"/contracts/?street={street_id}",
        )
        run(
            f"contract detail page, {big_items:,} items, {deliveries:,} deliveries",
            client,
            f"/contracts/{big.pk}/",
        )
        run(
            f"contract list endpoint ?street=, {label}",
            api,
            f"/api/v1/contracts/?street={street_id}",
        )
        run(
            f"contract detail endpoint, {big_items:,} items",
            api,
            f"/api/v1/contracts/{big.pk}/",
        )
        report(results, "contracts")
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "contracts.json").write_text(
            json.dumps(
                {"database": connection.vendor, "results": results},
                ensure_ascii=False,
                indent=2,
            )
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
