"""Query budgets: every list page and list endpoint stays under a fixed number of
queries, and that number does not grow with the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership
from catalogue.models import CalendarDay, RuleParameter
from core.models import Job

from .factories import (
    CatalogueVersionFactory,
    OrganisationFactory,
    ServiceItemFactory,
    UserFactory,
)


def _grow(kind: str, n: int, ctx) -> None:
    """Add n rows of the kind the list shows."""
    if kind == "items":
        for _ in range(n):
            ServiceItemFactory(
                version=ctx["catalogue"].published, domain=ctx["domains"]["A03"]
            )
    elif kind == "versions":
        for _ in range(n):
            v = CatalogueVersionFactory(region=ctx["orgs"].d1, published=True)
            ServiceItemFactory(version=v, domain=ctx["domains"]["A03"])
    elif kind == "organisations":
        for _ in range(n):
            OrganisationFactory(kind=OrganisationKind.COMMUNITY, parent=ctx["orgs"].s1)
    elif kind == "memberships":
        for _ in range(n):
            Membership.objects.create(
                user=UserFactory(),
                organisation=ctx["orgs"].c1,
                role=Role.COMMUNITY_STAFF,
            )
    elif kind == "rules":
        start = RuleParameter.objects.count()
        for i in range(n):
            RuleParameter.objects.create(
                key=f"bench.key{start + i}",
                jurisdiction=ctx["orgs"].nation,
                valid_from=dt.date(2015, 1, 1),
                value_type="integer",
                value=i,
            )
    elif kind == "jobs":
        for _ in range(n):
            Job.objects.create(kind="catalogue-pdf", created_by=ctx["user"])
    elif kind == "vendors":
        from accounts.models import Notification

        from .factories import make_vendor

        for _ in range(n):
            org = OrganisationFactory(
                kind=OrganisationKind.VENDOR, parent=ctx["orgs"].d1
            )
            v = make_vendor(org)
            v.streets.set([ctx["orgs"].s1, ctx["orgs"].s2])
            v.documents.create(
                kind="tax_clearance", title="完税证明", valid_until=dt.date(2020, 1, 1)
            )
            Notification.objects.create(user=ctx["user"], verb="t", title="x")
    elif kind in ("applications", "centres"):
        from vendors.models import (
            IncubationApplication,
            IncubationCentre,
            IncubationReview,
            IntakeRound,
        )

        from .factories import make_vendor

        centre, _ = IncubationCentre.objects.get_or_create(
            region=ctx["orgs"].d1, name="预算孵化中心", defaults={"seats": 100}
        )
        for i in range(n):
            if kind == "centres":
                other = IncubationCentre.objects.create(
                    region=ctx["orgs"].s1,
                    name=f"街道孵化园{IncubationCentre.objects.count()}",
                    staff=[{"name": "罗建", "role": "督导"}],
                )
                other.staff_accounts.set([ctx["user"]])
            intake = IntakeRound.objects.create(
                centre=centre,
                name=f"批次{IntakeRound.objects.count()}",
                opens_on=dt.date(2026, 1, 1),
                closes_on=dt.date(2026, 12, 31),
            )
            vendor = (
                make_vendor(
                    OrganisationFactory(
                        kind=OrganisationKind.VENDOR, parent=ctx["orgs"].d1
                    )
                )
                if i % 2
                else None
            )
            app = IncubationApplication.objects.create(
                round=intake,
                vendor=vendor,
                team_name="" if vendor else f"团队{i}",
                purpose="x",
                service_plan="y",
                core_members=[{"name": "张华"}],
                status=["applied", "moved_in", "incubating", "exited"][i % 4],
            )
            IncubationReview.objects.create(
                application=app, reviewer="何志明", scores={}, total=80
            )
    elif kind in ("procurements", "procurement-notices", "bids", "opened-bids"):
        _grow_procurement(kind, n, ctx)
    elif kind == "own-bids":
        _grow_own_bids(n, ctx)
    elif kind == "html-contracts":
        _grow_html_contracts(n, ctx)
    elif kind in ("contract-feed", "deliveries", "api-tokens"):
        _grow_api_contracts(kind, n, ctx)
    elif kind in ("assessment-plans", "assessment-results"):
        _grow_assessments(kind, n, ctx)
    elif kind == "assessment-to-rate":
        _grow_assessments_to_rate(n, ctx)
    elif kind in ("panel-members", "panel-seats"):
        _grow_panel(kind, n, ctx)
    elif kind == "invitations":
        _grow_invitations(n, ctx)
    elif kind in ("admission-lists", "admission-entries"):
        _grow_admission(kind, n, ctx)
    elif kind == "days":
        base = dt.date(2025, 1, 1) + dt.timedelta(days=CalendarDay.objects.count())
        for i in range(n):
            CalendarDay.objects.create(
                date=base + dt.timedelta(days=i), kind="holiday", name="测试"
            )


def _grow_html_contracts(n: int, ctx) -> None:
    """n contracts of S1 with the `vendor` persona's organisation, each with an item
    in C1 and a paid tranche (rows only: no rule parameters in this world)."""
    from decimal import Decimal

    from contracts.models import Contract, ContractItem, PaymentTranche
    from vendors.models import Vendor

    from .contracts.conftest import make_final_award
    from .factories import make_vendor

    orgs = ctx["orgs"]
    vendor = Vendor.objects.filter(organisation=orgs.vendor).first() or make_vendor(
        orgs.vendor
    )
    item = ctx["catalogue"].published.items.order_by("code").first()
    today = dt.date.today()
    for _ in range(n):
        i = Contract.objects.count() + 1
        award = make_final_award(
            buyer=orgs.s1,
            vendor=vendor,
            items=[item],
            communities=[orgs.c1],
            code=f"QB-HT-{i}",
        )
        contract = Contract.objects.create(
            code=f"HT-QB-{i}",
            title=f"预算测试合同{i}",
            award=award,
            project=award.lot.project,
            buyer=orgs.s1,
            district=orgs.d1,
            vendor=vendor,
            status="active",
            original_value=Decimal("100000"),
            value=Decimal("100000"),
            start_on=today - dt.timedelta(days=30),
            end_on=today + dt.timedelta(days=300),
            award_notice_on=today - dt.timedelta(days=40),
            sign_due=today - dt.timedelta(days=10),
            signed_on=today - dt.timedelta(days=31),
            publish_due=today - dt.timedelta(days=29),
        )
        ContractItem.objects.create(
            contract=contract, item=item, community=orgs.c1, unit="件", target=10
        )
        PaymentTranche.objects.create(
            contract=contract,
            number=1,
            kind="advance",
            share=100,
            amount=Decimal("100000"),
            status="paid",
            paid_amount=Decimal("100000"),
            paid_on=today,
        )


def _budget_contract(ctx):
    """The first budget contract of S1 (made by the html-contracts grower)."""
    from contracts.models import Contract

    contract = Contract.objects.filter(code__startswith="HT-QB-").order_by("pk").first()
    if contract is None:
        _grow_html_contracts(1, ctx)
        contract = Contract.objects.filter(code__startswith="HT-QB-").first()
    return contract


def _grow_api_contracts(kind: str, n: int, ctx) -> None:
    """Feed rows on a contract, delivery records with a photo each, or API tokens."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.services import api_token_create
    from contracts.feed import contract_touch
    from contracts.models import DeliveryRecord, Evidence

    if kind == "api-tokens":
        for i in range(n):
            api_token_create(actor=None, street=ctx["orgs"].s1, name=f"系统{i}")
        return
    contract = _budget_contract(ctx)
    for _ in range(n):
        if kind == "contract-feed":
            with transaction.atomic():
                contract_touch(contract, "budget")
            continue
        delivery = DeliveryRecord.objects.create(
            contract=contract,
            contract_item=contract.items.first(),
            period_start=contract.start_on,
            period_end=contract.start_on,
            count=3,
            reported_at=timezone.now(),
        )
        Evidence.objects.create(
            delivery=delivery, kind="photo", file="contracts/evidence/x.jpg", name="x"
        )


def _budget_project(ctx, opened: bool = False):
    """One project of S1 for the bid and notice lists (created directly: no rules)."""
    from django.utils import timezone

    from procurement.models import Lot, ProcurementProject

    code = "BUDGET-OPENED" if opened else "BUDGET-1"
    project = ProcurementProject.objects.filter(code=code).first()
    if project is None:
        project = ProcurementProject.objects.create(
            code=code,
            title="预算测试项目",
            buyer=ctx["orgs"].s1,
            district=ctx["orgs"].d1,
            catalogue_version=ctx["catalogue"].published,
            fiscal_year=2026,
            method="cuoshang",
            status="opened" if opened else "announced",
            bid_deadline=timezone.now(),
            opened_at=timezone.now() if opened else None,
        )
        Lot.objects.create(
            project=project, number=1, name="包一", budget=1000, budget_source="fiscal"
        )
    return project


def _grow_procurement(kind: str, n: int, ctx) -> None:
    from django.utils import timezone

    from procurement.models import (
        Bid,
        BidLot,
        CommitteeMember,
        Lot,
        Notice,
        ProcurementProject,
    )
    from procurement.sealing import seal_json

    from .factories import make_vendor

    if kind == "procurements":
        for _ in range(n):
            i = ProcurementProject.objects.count()
            project = ProcurementProject.objects.create(
                code=f"D1-S1-2026-{i:03d}",
                title=f"采购项目{i}",
                buyer=ctx["orgs"].s1,
                district=ctx["orgs"].d1,
                catalogue_version=ctx["catalogue"].published,
                fiscal_year=2026,
                method="cuoshang",
            )
            Lot.objects.create(
                project=project,
                number=1,
                name="包一",
                budget=1000,
                budget_source="fiscal",
            )
            CommitteeMember.objects.create(
                project=project, user=UserFactory(), role="expert"
            )
        return
    project = _budget_project(ctx, opened=kind == "opened-bids")
    for _ in range(n):
        if kind == "procurement-notices":
            Notice.objects.create(
                project=project,
                kind="tender",
                title="公告",
                body="正文",
                published_on=dt.date(2026, 1, 1),
            )
            continue
        org = OrganisationFactory(kind=OrganisationKind.VENDOR, parent=ctx["orgs"].d1)
        bid = Bid.objects.create(
            project=project,
            vendor=make_vendor(org),
            submitted_at=timezone.now(),
            sealed_content=seal_json({}),
            status="opened" if project.opened_at else "submitted",
        )
        if project.opened_at:
            BidLot.objects.create(
                bid=bid, lot=project.lots.get(), price=900, adjusted_price=900
            )


def _grow_own_bids(n: int, ctx) -> None:
    """Bids of the `vendor` persona's organisation, one per project, with a file."""
    from django.utils import timezone

    from procurement.models import Bid, BidFile, ProcurementProject
    from procurement.sealing import seal_json
    from vendors.models import Vendor

    from .factories import make_vendor

    org = ctx["orgs"].vendor
    vendor = Vendor.objects.filter(organisation=org).first() or make_vendor(org)
    for _ in range(n):
        i = ProcurementProject.objects.count()
        project = ProcurementProject.objects.create(
            code=f"D1-S1-2026-B{i:03d}",
            title=f"投标项目{i}",
            buyer=ctx["orgs"].s1,
            district=ctx["orgs"].d1,
            catalogue_version=ctx["catalogue"].published,
            fiscal_year=2026,
            method="cuoshang",
            status="announced",
            bid_deadline=timezone.now(),
        )
        bid = Bid.objects.create(
            project=project,
            vendor=vendor,
            submitted_at=timezone.now(),
            submitted_by=ctx["user"],
            sealed_content=seal_json({}),
        )
        BidFile.objects.create(bid=bid, sealed_name=seal_json({}), size=1)


def _first_centre() -> int:
    from vendors.models import IncubationCentre

    return IncubationCentre.objects.order_by("pk").values_list("pk", flat=True)[0]


def _budget_round(ctx):
    """The first budget assessment round of S1 (a plan on the budget contract)."""
    from assessments.models import AssessmentPlan, AssessmentRound

    rnd = AssessmentRound.objects.filter(plan__name="预算考核方案").first()
    if rnd is None:
        plan = AssessmentPlan.objects.create(
            name="预算考核方案",
            buyer=ctx["orgs"].s1,
            district=ctx["orgs"].d1,
            year=2026,
            period_kind="year",
        )
        plan.contracts.set([_budget_contract(ctx)])
        rnd = AssessmentRound.objects.create(
            plan=plan,
            label="年度",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
    return rnd


def _grow_assessments(kind: str, n: int, ctx) -> None:
    """Assessment plans of S1 on a contract each, or results of the budget round."""
    from django.utils import timezone

    from assessments.models import AssessmentPlan, RoundResult
    from contracts.models import Contract

    rnd = _budget_round(ctx)
    for _ in range(n):
        _grow_html_contracts(1, ctx)
        contract = Contract.objects.order_by("-pk").first()
        if kind == "assessment-plans":
            plan = AssessmentPlan.objects.create(
                name=f"考核{contract.pk}",
                buyer=ctx["orgs"].s1,
                district=ctx["orgs"].d1,
                year=2026,
                period_kind="year",
            )
            plan.contracts.set([contract])
        else:
            rnd.plan.contracts.add(contract)
            RoundResult.objects.create(
                round=rnd,
                contract=contract,
                vendor=contract.vendor,
                status="ok",
                total=80,
                grade="good",
                breakdown={"explanation": ["总分 80"]},
                inputs_digest="0" * 64,
                computed_at=timezone.now(),
            )


def _grow_assessments_to_rate(n: int, ctx) -> None:
    """Plans of S1 on a contract each (serving C1), with a community rater group and
    an open round: the community persona's 待评分 list grows by one row each."""
    from assessments.models import AssessmentPlan, AssessmentRound, RaterGroup
    from contracts.models import Contract

    for _ in range(n):
        _grow_html_contracts(1, ctx)
        contract = Contract.objects.order_by("-pk").first()
        plan = AssessmentPlan.objects.create(
            name=f"待评{contract.pk}",
            buyer=ctx["orgs"].s1,
            district=ctx["orgs"].d1,
            year=2026,
            period_kind="year",
        )
        plan.contracts.set([contract])
        RaterGroup.objects.create(plan=plan, kind="community", weight=100)
        AssessmentRound.objects.create(
            plan=plan,
            label="年度",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )


def _panel_plan(ctx):
    """S1's budget plan scored by an expert panel (rows only)."""
    from assessments.models import AssessmentPlan, RaterGroup

    plan = AssessmentPlan.objects.filter(name="预算评审组方案").first()
    if plan is None:
        plan = AssessmentPlan.objects.create(
            name="预算评审组方案",
            buyer=ctx["orgs"].s1,
            district=ctx["orgs"].d1,
            year=2026,
            period_kind="year",
        )
        plan.contracts.set([_budget_contract(ctx)])
        RaterGroup.objects.create(plan=plan, kind="expert_panel", weight=100)
    return plan


def _grow_panel(kind: str, n: int, ctx) -> None:
    """Declared pool experts on the budget plan's panel, or the persona's seats on
    plans of their own."""
    from django.utils import timezone

    from assessments.models import AssessmentPlan, PanelMember

    for _ in range(n):
        if kind == "panel-members":
            user = UserFactory()
            Membership.objects.create(
                user=user, organisation=ctx["orgs"].pool, role=Role.EXPERT
            )
            PanelMember.objects.create(
                plan=_panel_plan(ctx),
                user=user,
                role="expert",
                declared_at=timezone.now(),
                no_conflict=True,
            )
        else:
            plan = AssessmentPlan.objects.create(
                name=f"评审{AssessmentPlan.objects.count()}",
                buyer=ctx["orgs"].s1,
                district=ctx["orgs"].d1,
                year=2026,
                period_kind="year",
            )
            PanelMember.objects.create(plan=plan, user=ctx["user"], role="peer")


def _budget_bixuan(ctx):
    """A draft 比选 of S1 (rows only) for the invitations on its project page."""
    from procurement.models import Lot, ProcurementProject

    project = ProcurementProject.objects.filter(code="BUDGET-BX").first()
    if project is None:
        project = ProcurementProject.objects.create(
            code="BUDGET-BX",
            title="预算比选项目",
            buyer=ctx["orgs"].s1,
            district=ctx["orgs"].d1,
            catalogue_version=ctx["catalogue"].published,
            fiscal_year=2026,
            method="bixuan",
        )
        Lot.objects.create(
            project=project, number=1, name="包一", budget=1000, budget_source="fiscal"
        )
    return project


def _grow_invitations(n: int, ctx) -> None:
    """Invited organisations of D1 with a standing on its admission list, and as many
    organisations not invited (the invite form's choices), also listed."""
    from procurement.models import Invitation
    from vendors.models import VendorStanding

    from .factories import make_vendor

    project = _budget_bixuan(ctx)
    for i in range(2 * n):
        vendor = make_vendor(
            OrganisationFactory(kind=OrganisationKind.VENDOR, parent=ctx["orgs"].d1)
        )
        VendorStanding.objects.create(
            vendor=vendor,
            district=ctx["orgs"].d1,
            year=2025,
            standing="eliminate" if i % 2 else "keep",
            decided_on=dt.date(2026, 1, 10),
            cooling_off_until=dt.date(2027, 1, 10) if i % 2 else None,
        )
        if i % 2 == 0:
            Invitation.objects.create(project=project, vendor=vendor)


def _admission_list(ctx, year=2026):
    """D1's published list of `year` (rows only)."""
    from assessments.models import AdmissionList

    alist, _created = AdmissionList.objects.get_or_create(
        district=ctx["orgs"].d1,
        year=year,
        defaults={
            "title": f"{year}年度准入名单",
            "status": "published",
            "published_on": dt.date(year + 1, 1, 20),
            "appeal_until": dt.date(year + 1, 2, 4),
        },
    )
    return alist


def _grow_admission(kind: str, n: int, ctx) -> None:
    """Published lists of D1 for earlier years, or entries (a new vendor each, with
    an objection and its grades) on the 2026 list."""
    from assessments.models import AdmissionEntry, AdmissionList

    from .factories import make_vendor

    if kind == "admission-lists":
        start = 2025 - AdmissionList.objects.count()
        for i in range(n):
            _admission_list(ctx, start - i)
        return
    alist = _admission_list(ctx)
    for _ in range(n):
        org = OrganisationFactory(kind=OrganisationKind.VENDOR, parent=ctx["orgs"].d1)
        e = AdmissionEntry.objects.create(
            admission_list=alist,
            vendor=make_vendor(org),
            proposed="eliminate",
            standing="eliminate",
            status="decided",
            grades=[{"round": "年度", "total": "50.00", "grade": "poor"}],
            basis="考核等级为“差”",
        )
        e.objections.create(kind="objection", text="异议", filed_on=dt.date(2027, 1, 5))


LISTS = [
    # (name, persona, url builder, kind of rows, budget)
    (
        "html admission lists",
        "vendor",
        lambda c: reverse("admission:index"),
        "admission-lists",
        8,
    ),
    (
        "html admission list entries",
        "admin",
        lambda c: reverse("admission:detail", args=[_admission_list(c).pk]),
        "admission-entries",
        10,
    ),
    (
        "api admission lists",
        "vendor",
        lambda c: reverse("api:admission-list-list"),
        "admission-lists",
        6,
    ),
    (
        "api admission list entries",
        "admin",
        lambda c: reverse("api:admission-list-detail", args=[_admission_list(c).pk]),
        "admission-entries",
        8,
    ),
    (
        "html version list",
        "officer",
        lambda c: reverse("catalogue:version-list"),
        "versions",
        8,
    ),
    (
        "html item list",
        "officer",
        lambda c: reverse(
            "catalogue:version-detail", args=[c["catalogue"].published.pk]
        ),
        "items",
        14,
    ),
    (
        "html organisation list",
        "admin",
        lambda c: reverse("accounts:organisation-list"),
        "organisations",
        8,
    ),
    ("html rule list", "officer", lambda c: reverse("catalogue:rule-list"), "rules", 8),
    (
        "html calendar",
        "officer",
        lambda c: reverse("catalogue:calendar", args=[2025]),
        "days",
        6,
    ),
    (
        "api version list",
        "officer",
        lambda c: reverse("api:catalogue-version-list"),
        "versions",
        6,
    ),
    (
        "api item list",
        "officer",
        lambda c: (
            reverse("api:catalogue-item-list")
            + f"?version={c['catalogue'].published.pk}"
        ),
        "items",
        7,
    ),
    (
        "api organisation list",
        "admin",
        lambda c: reverse("api:organisation-list"),
        "organisations",
        6,
    ),
    (
        "api membership list",
        "admin",
        lambda c: reverse("api:membership-list"),
        "memberships",
        6,
    ),
    (
        "api rule parameter list",
        "officer",
        lambda c: reverse("api:rule-parameter-list"),
        "rules",
        5,
    ),
    ("api job list", "officer", lambda c: reverse("api:job-list"), "jobs", 5),
    (
        "api category list",
        "officer",
        lambda c: reverse("api:catalogue-category-list"),
        "items",
        4,
    ),
    (
        "html vendor list",
        "officer",
        lambda c: reverse("vendors:vendor-list"),
        "vendors",
        9,
    ),
    (
        "html vendor list filtered",
        "officer",
        lambda c: reverse("vendors:vendor-list") + "?problems=true&street=D1-S1",
        "vendors",
        10,
    ),
    ("api vendor list", "officer", lambda c: reverse("api:vendor-list"), "vendors", 6),
    (
        "html incubation board",
        "officer",
        lambda c: reverse("vendors:incubation-board"),
        "applications",
        8,
    ),
    (
        "html incubation board filtered",
        "officer",
        lambda c: reverse("vendors:incubation-board") + "?status=applied&q=团队",
        "applications",
        8,
    ),
    (
        "html incubation centre",
        "officer",
        lambda c: reverse("vendors:incubation-centre", args=[_first_centre()]),
        "applications",
        11,
    ),
    (
        "api incubation application list",
        "officer",
        lambda c: reverse("api:incubation-application-list"),
        "applications",
        5,
    ),
    (
        "api incubation centre list",
        "officer",
        lambda c: reverse("api:incubation-centre-list"),
        "centres",
        7,
    ),
    (
        "html notification list",
        "officer",
        lambda c: reverse("accounts:notification-list"),
        "vendors",
        6,
    ),
    (
        "api notification list",
        "officer",
        lambda c: reverse("api:notification-list"),
        "vendors",
        5,
    ),
    (
        "api procurement list",
        "officer",
        lambda c: reverse("api:procurement-list"),
        "procurements",
        6,
    ),
    (
        "api procurement list filtered",
        "officer",
        lambda c: reverse("api:procurement-list") + "?status=draft&q=采购",
        "procurements",
        6,
    ),
    (
        "api procurement notice list",
        "officer",
        lambda c: reverse("api:procurement-notice-list"),
        "procurement-notices",
        4,
    ),
    (
        "api procurement bid list sealed",
        "officer",
        lambda c: reverse("api:procurement-bids", args=[_budget_project(c).pk]),
        "bids",
        8,
    ),
    (
        "api procurement bid list opened",
        "officer",
        lambda c: reverse(
            "api:procurement-bids", args=[_budget_project(c, opened=True).pk]
        ),
        "opened-bids",
        9,
    ),
    (
        "html procurement list",
        "officer",
        lambda c: reverse("procurement:project-list"),
        "procurements",
        8,
    ),
    (
        "html procurement list filtered",
        "officer",
        lambda c: (
            reverse("procurement:project-list") + "?status=draft&method=cuoshang&q=采购"
        ),
        "procurements",
        9,
    ),
    (
        "html procurement list vendor",
        "vendor",
        lambda c: reverse("procurement:project-list"),
        "own-bids",
        8,
    ),
    (
        "html procurement bixuan page with invitations",
        "officer",
        lambda c: reverse("procurement:project-detail", args=[_budget_bixuan(c).pk]),
        "invitations",
        22,
    ),
    (
        "html notice list",
        "anonymous",
        lambda c: reverse("notices:list"),
        "procurement-notices",
        3,
    ),
    (
        "html my bids",
        "vendor",
        lambda c: reverse("procurement:my-bids"),
        "own-bids",
        7,
    ),
    (
        "html contract list",
        "officer",
        lambda c: reverse("contracts:contract-list"),
        "html-contracts",
        12,
    ),
    (
        "html contract list filtered",
        "officer",
        lambda c: (
            reverse("contracts:contract-list")
            + f"?status=active&q=合同&street={c['orgs'].s1.pk}"
            + f"&community={c['orgs'].c1.pk}"
        ),
        "html-contracts",
        14,
    ),
    (
        "html contract list vendor",
        "vendor",
        lambda c: reverse("contracts:contract-list"),
        "html-contracts",
        12,
    ),
    (
        "html contract list community",
        "community",
        lambda c: reverse("contracts:contract-list"),
        "html-contracts",
        12,
    ),
    (
        "api contract list",
        "officer",
        lambda c: reverse("api:contract-list"),
        "html-contracts",
        6,
    ),
    (
        "api contract list filtered",
        "officer",
        lambda c: (
            reverse("api:contract-list")
            + f"?status=active&q=合同&street={c['orgs'].s1.pk}"
            + f"&community={c['orgs'].c1.pk}&updated_since=2020-01-01T00:00:00Z"
        ),
        "html-contracts",
        8,
    ),
    (
        "api contract list vendor",
        "vendor",
        lambda c: reverse("api:contract-list"),
        "html-contracts",
        6,
    ),
    (
        "api contract feed",
        "officer",
        lambda c: reverse("api:contract-changes") + "?cursor=0&limit=500",
        "contract-feed",
        4,
    ),
    (
        "api contract deliveries",
        "vendor",
        lambda c: reverse("api:contract-deliveries", args=[_budget_contract(c).pk]),
        "deliveries",
        8,
    ),
    (
        "api token list",
        "admin",
        lambda c: reverse("api:api-token-list"),
        "api-tokens",
        5,
    ),
    (
        "html api token list",
        "admin",
        lambda c: reverse("accounts:api-token-list"),
        "api-tokens",
        8,
    ),
    (
        "html contract deliveries",
        "vendor",
        lambda c: reverse("contracts:delivery-list", args=[_budget_contract(c).pk]),
        "deliveries",
        11,
    ),
    (
        "html contract page as deliveries grow",
        "officer",
        lambda c: reverse("contracts:contract-detail", args=[_budget_contract(c).pk]),
        "deliveries",
        26,
    ),
    (
        "api assessment plan list",
        "officer",
        lambda c: reverse("api:assessment-plan-list") + "?year=2026",
        "assessment-plans",
        6,
    ),
    (
        "api assessment round results",
        "officer",
        lambda c: reverse("api:assessment-round-results", args=[_budget_round(c).pk]),
        "assessment-results",
        8,
    ),
    (
        "html assessment plan list",
        "officer",
        lambda c: reverse("assessments:plan-list"),
        "assessment-plans",
        8,
    ),
    (
        "html assessment round page as results grow",
        "officer",
        lambda c: reverse("assessments:round-detail", args=[_budget_round(c).pk]),
        "assessment-results",
        11,
    ),
    (
        "html assessment to-rate list",
        "community",
        lambda c: reverse("assessments:plan-list"),
        "assessment-to-rate",
        11,
    ),
    (
        "html assessment panel page",
        "officer",
        lambda c: reverse("assessments_panel:panel", args=[_panel_plan(c).pk]),
        "panel-members",
        16,
    ),
    (
        "html assessment panel seats",
        "expert",
        lambda c: reverse("assessments_panel:my-seats"),
        "panel-seats",
        8,
    ),
    (
        "api assessment panel list",
        "officer",
        lambda c: reverse("api:assessment-panel-list") + f"?plan={_panel_plan(c).pk}",
        "panel-members",
        8,
    ),
    (
        "html assessment dashboard as results grow",
        "admin",
        lambda c: reverse("assessments_dashboards:dashboard"),
        "assessment-results",
        16,
    ),
]


@pytest.mark.parametrize(
    ("name", "persona", "url", "kind", "budget"), LISTS, ids=[row[0] for row in LISTS]
)
def test_list_queries_are_bounded_and_flat(
    name, persona, url, kind, budget, personas, catalogue, orgs, domains, web, api
):
    # given: a list with a few rows
    user = getattr(personas, persona)
    ctx = {"catalogue": catalogue, "orgs": orgs, "domains": domains, "user": user}
    client = api(user) if name.startswith("api") else web(user)
    _grow(kind, 3, ctx)
    client.get(url(ctx))  # warm up: session, content types
    with CaptureQueriesContext(connection) as small:
        response = client.get(url(ctx))
    assert response.status_code == 200
    # when: the list has four times as many rows
    _grow(kind, 9, ctx)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url(ctx))
    assert response.status_code == 200
    # then: the same number of queries, within the budget
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    assert len(large) <= budget, (
        f"{name}: {len(large)} queries > budget {budget}: "
        + "\n".join(q["sql"][:160] for q in large.captured_queries)
    )
