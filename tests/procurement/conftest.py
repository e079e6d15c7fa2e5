"""A small procurement world on the real rule parameters: D1's published catalogue,
three eligible suppliers with distinct responsible persons, an expert pool of nine,
and helpers that take a project through its steps with explicit dates."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile

from accounts.choices import OrganisationKind, Role
from catalogue.models import RuleParameter
from core.models import Job, JobStatus
from procurement import services
from procurement.models import TenderDocument
from tests.factories import (
    OrganisationFactory,
    ServiceItemFactory,
    make_vendor,
    user_with_role,
)
from tests.vendors.test_eligibility import make_eligible

BEIJING = ZoneInfo("Asia/Shanghai")
RULES = (
    Path(__file__).resolve().parents[2] / "catalogue" / "seed" / "rule_parameters.json"
)
# The day the test project is created; every later step is dated from it.
DAY0 = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int = 9, minute: int = 30) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rules(orgs):
    """The seeded rule parameters of the nation, Sichuan and Chengdu (the test
    districts D1 and D2 lie in Chengdu), as the product ships them."""
    data = json.loads(RULES.read_text(encoding="utf-8"))
    by_code = {o.code: o for o in (orgs.nation, orgs.province, orgs.city)}
    rows = [
        RuleParameter(
            key=p["key"],
            jurisdiction=by_code[p["jurisdiction"]],
            valid_from=dt.date.fromisoformat(p["valid_from"]),
            valid_to=dt.date.fromisoformat(p["valid_to"])
            if p.get("valid_to")
            else None,
            value_type=p["value_type"],
            value=p["value"],
            rule_ids=p.get("rule_ids", []),
        )
        for p in data["parameters"]
        if p["jurisdiction"] in by_code
    ]
    RuleParameter.objects.bulk_create(rows)
    return rows


@pytest.fixture
def world(orgs, personas, catalogue, vendors, rules):
    """Items, communities, three eligible bidders and nine experts."""
    published = catalogue.published
    full = published.items.get(code="A03-05")
    aux = published.items.get(code="A03-01")
    extra = ServiceItemFactory(
        version=published, domain=full.domain, code="A03-06", name="高龄老人居家探访"
    )
    c1b = OrganisationFactory(
        code="D1-S1-C2",
        name="簇桥社区",
        kind=OrganisationKind.COMMUNITY,
        parent=orgs.s1,
    )
    v4_org = OrganisationFactory(
        code="D1-V4",
        name="爱有戏社区文化发展中心",
        kind=OrganisationKind.VENDOR,
        parent=orgs.d1,
    )
    v5_org = OrganisationFactory(
        code="D1-V5",
        name="益多公益服务中心",
        kind=OrganisationKind.VENDOR,
        parent=orgs.d1,
    )
    bidders = [
        vendors.own,
        vendors.other,
        make_vendor(v4_org, legal_representative="王建"),
        make_vendor(v5_org, legal_representative="赵敏"),
    ]
    bidders[1].legal_representative = "陈芳"
    bidders[1].save(update_fields=["legal_representative"])
    for v in bidders:
        make_eligible(v, on=DAY0 + dt.timedelta(days=60))
    staff = {
        v.pk: (
            personas.vendor
            if v == vendors.own
            else user_with_role(
                Role.VENDOR_STAFF,
                v.organisation,
                username=f"staff_{v.organisation.code}",
            )
        )
        for v in bidders
    }
    experts = [personas.expert] + [
        user_with_role(Role.EXPERT, orgs.pool, username=f"expert{i}")
        for i in range(2, 10)
    ]
    return SimpleNamespace(
        items=[full, aux, extra],
        communities=[orgs.c1, c1b],
        bidders=bidders,
        staff=staff,
        experts=experts,
    )


def project_data(world, **overrides):
    data = {
        "title": "簇锦街道社区公共服务购买项目",
        "fiscal_year": 2026,
        "description": "困难群众巡访和最低生活保障受理辅助",
        "method": "cuoshang",
        "scoring_method": "comprehensive",
        "price_weight": "30",
        "criteria": [
            {"code": "plan", "name": "服务方案", "weight": "40", "kind": "subjective"},
            {
                "code": "team",
                "name": "团队与管理",
                "weight": "20",
                "kind": "subjective",
            },
            {
                "code": "record",
                "name": "同类项目经验",
                "weight": "10",
                "kind": "objective",
            },
        ],
        "qualification_conditions": ["在武侯区设有固定服务场所"],
        "term_years": 1,
        "payment_terms": [
            {"name": "首付", "share": "40", "condition": "合同签订后"},
            {"name": "尾款", "share": "60", "condition": "年度考核合格后"},
        ],
        "sme_exemption": True,
        "sme_exemption_reason": "面向社会组织采购（SME-04）",
        "lots": [
            {
                "name": "困难群众服务",
                "budget": "800000.00",
                "budget_source": "fiscal",
                "communities": [c.pk for c in world.communities],
                "items": [i.pk for i in world.items],
            }
        ],
    }
    data.update(overrides)
    return data


def finished_document(project, actor=None) -> TenderDocument:
    """A finished document version without rendering (the PDF tests render for real)."""
    job = Job.objects.create(
        kind="tender-document",
        status=JobStatus.DONE,
        progress=100,
        params={"project": project.pk},
    )
    job.file.save("doc.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    version = project.documents.count() + 1
    return TenderDocument.objects.create(project=project, version=version, job=job)


class Flow:
    """Drive a project through its steps with explicit dates (DAY0 onwards)."""

    def __init__(self, world, personas):
        self.world, self.p = world, personas
        self.project = None

    def create(self, **overrides):
        self.project = services.project_create(
            actor=self.p.officer,
            buyer=self.p.officer.active_memberships()[0].organisation,
            data=project_data(self.world, **overrides),
            on=DAY0,
        )
        return self.project

    def announce(self, deadline_day: dt.date | None = None):
        p = self.project
        services.project_publish_intention(actor=self.p.officer, project=p, on=DAY0)
        finished_document(p)
        start = DAY0 + dt.timedelta(days=31)
        self.announced_on = start
        self.deadline = at(deadline_day or start + dt.timedelta(days=20))
        self.project = services.project_announce(
            actor=self.p.officer, project=p, bid_deadline=self.deadline, on=start
        )
        return self.project

    def bid(self, vendor, price, *, now=None, **extra):
        lot = self.project.lots.get()
        data = {
            "prices": {str(lot.pk): str(price)},
            "technical_response": f"{vendor.organisation.name}的服务方案",
            "declare_no_conflict": True,
            "declare_credit": True,
            **extra,
        }
        return services.bid_submit(
            actor=self.world.staff[vendor.pk],
            project=self.project,
            vendor=vendor,
            data=data,
            now=now or self.deadline - dt.timedelta(days=1),
        )

    def open(self):
        self.project = services.project_open(
            actor=self.p.officer,
            project=self.project,
            now=self.deadline + dt.timedelta(minutes=1),
        )
        return self.project

    def qualify_all(self, failing=()):
        on = self.deadline.date()
        for bid in self.project.bids.filter(status="opened"):
            met = bid.vendor not in failing
            services.bid_qualify(
                actor=self.p.officer,
                bid=bid,
                on=on,
                conditions={"1": {"met": met, "note": "" if met else "无固定场所"}},
            )
        self.project = services.project_close_qualification(
            actor=self.p.officer, project=self.project, on=on
        )
        return self.project

    def committee(self, experts=2):
        members = services.committee_draw(
            actor=self.p.officer,
            project=self.project,
            experts=experts,
            buyer_representatives=[self.p.officer],
            seed="fixed-seed",
            now=self.deadline,
        )
        for m in members:
            services.member_declare(
                actor=m.user, member=m, conflict=False, now=self.deadline
            )
        return members

    def score_all(self, points=None):
        """Every active member scores every bid; `points(member_index, bid)` gives a dict."""
        from procurement.choices import MemberStatus

        lot = self.project.lots.get()
        bids = services.scorable_bids(lot)
        members = list(
            self.project.committee.filter(status=MemberStatus.ACTIVE).order_by("pk")
        )
        for i, m in enumerate(members):
            scores = {
                str(bl.bid_id): (
                    points(i, bl.bid)
                    if points
                    else {"plan": "30", "team": "15", "record": "10"}
                )
                for bl in bids
            }
            services.sheet_save(
                actor=m.user,
                lot=lot,
                scores=scores,
                submit=True,
                now=self.deadline + dt.timedelta(hours=3),
            )
        self.project.refresh_from_db()
        return self.project

    def sign_all(self):
        from procurement.choices import MemberStatus

        for m in self.project.committee.filter(status=MemberStatus.ACTIVE):
            services.report_sign(actor=m.user, project=self.project, agrees=True)
        return self.project

    def award(self):
        self.project = services.project_award(
            actor=self.p.officer,
            project=self.project,
            on=self.deadline.date() + dt.timedelta(days=1),
        )
        return self.project


@pytest.fixture
def flow(world, personas):
    return Flow(world, personas)


PRICES = [Decimal("700000.00"), Decimal("650000.00"), Decimal("780000.00")]
