"""Idempotent demo procurement, driven through the services with explicit dates.

1. The March 2015 簇锦 re-tender, end to end as seed 000 tells it: the street office
   re-tendered the work of its eliminated organisation by open tender; 5
   organisations bid, 3 met the qualification requirements, and 成都市同行社会工作服务中心
   won at ¥2,379,000; the tender document listed the 139 duties.
2. A current-year 竞争性磋商 of 玉林街道, announced, with three sealed bids and the
   deadline still ahead.

Every step goes through `procurement.services` (and the vendors and accounts services
for the 2015 evidence and the accounts), so the data passes the checks a user meets.
A project already seeded is left alone: running the seed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation, User
from accounts.seeding import seed_demo_users
from catalogue.models import ServiceItem
from catalogue.validation import purchase_refusal
from vendors import services as vendor_services
from vendors.models import Vendor

from . import services
from .choices import MemberStatus, ProjectStatus
from .documents import ensure_rendered
from .models import Bid, ProcurementProject
from .planning import minimum_dates

DISTRICT_CODE = "CN-51-01-07"
CUJIN_CODE = "CN-51-01-07-07"  # 簇锦街道办事处
YULIN_CODE = "CN-51-01-07-03"  # 玉林街道办事处
TONGXING_CODE = "CN-51-01-07-V0001"

# --- 1. the 2015 re-tender -------------------------------------------------------------

RETENDER_TITLE = "簇锦街道社区公共服务（政务服务）购买项目"
RETENDER_YEAR = 2015
RETENDER_BUDGET = Decimal("2400000.00")
RETENDER_CREATED = dt.date(2015, 3, 2)
RETENDER_ANNOUNCED = dt.date(2015, 3, 16)
RETENDER_DEADLINE = (dt.date(2015, 4, 8), dt.time(9, 30))  # opening at the deadline
RETENDER_AWARDED = dt.date(2015, 4, 10)  # within 5 working days of the evaluation
COMMITTEE_SEED = "cujin-2015-retender"
RETENDER_EXPERTS = 4

RETENDER_CRITERIA = [
    {
        "code": "plan",
        "name": "服务方案",
        "weight": "30",
        "kind": "subjective",
        "guide": "对购买目录各项职责的承接方案、人员配置、服务流程和进度安排",
    },
    {
        "code": "quality",
        "name": "考核与质量保障措施",
        "weight": "15",
        "kind": "subjective",
        "guide": "对照各项考核标准和考核办法的自查、督导和整改机制",
    },
    {
        "code": "team",
        "name": "团队与专业能力",
        "weight": "15",
        "kind": "subjective",
        "guide": "专职人员数量、社会工作专业资质和管理能力",
    },
    {
        "code": "handover",
        "name": "交接与应急方案",
        "weight": "5",
        "kind": "subjective",
        "guide": "与原承接组织和各社区的工作交接、服务不中断的措施",
    },
    {
        "code": "record",
        "name": "同类项目业绩",
        "weight": "5",
        "kind": "objective",
        "guide": "近三年承接社区公共服务或社会工作服务项目，每项1分，最高5分",
    },
]
RETENDER_CONDITIONS = [
    "专职工作人员中持有社会工作者职业水平证书的不少于3名",
    "在武侯区设有固定办公场所",
]

# (vendor, price, what the officer found on each condition, bid submitted on, points
# around which the members' sheets vary). The first three meet everything; 嘉和
# fails a condition of the project; 锦宜's social-insurance proof had expired, which
# the vendors eligibility service finds by itself.
RETENDER_BIDS: list[dict[str, Any]] = [
    {
        "vendor": "CN-51-01-07-V0089",  # 成都市蓉益社会工作服务中心
        "price": "2348000.00",
        "submitted": (dt.date(2015, 4, 2), dt.time(15, 10)),
        "points": {
            "plan": "22",
            "quality": "11",
            "team": "11",
            "handover": "3.5",
            "record": "3",
        },
    },
    {
        "vendor": TONGXING_CODE,
        "price": "2379000.00",
        "submitted": (dt.date(2015, 4, 3), dt.time(10, 20)),
        "points": {
            "plan": "26",
            "quality": "13",
            "team": "13",
            "handover": "4",
            "record": "5",
        },
    },
    {
        "vendor": "CN-51-01-07-V0042",  # 武侯区簇桥嘉和助残服务中心
        "price": "2280000.00",
        "submitted": (dt.date(2015, 4, 3), dt.time(16, 45)),
        "conditions": {
            "1": {
                "met": False,
                "note": "投标文件仅附1名持证社会工作者的证书，不足3名。",
            }
        },
    },
    {
        "vendor": "CN-51-01-07-V0088",  # 成都市仁行社会工作服务中心
        "price": "2395000.00",
        "submitted": (dt.date(2015, 4, 7), dt.time(11, 5)),
        "points": {
            "plan": "24",
            "quality": "12",
            "team": "12.5",
            "handover": "4",
            "record": "4",
        },
    },
    {
        "vendor": "CN-51-01-07-V0090",  # 成都锦宜物业管理有限公司
        "price": "2395000.00",
        "submitted": (dt.date(2015, 4, 7), dt.time(16, 30)),
        "lapsed_social_insurance": True,
    },
]

# Evidence in force in spring 2015 (GPS-06): the seeded register holds today's.
EVIDENCE_2015 = [
    {
        "kind": "tax_clearance",
        "title": "税收完税证明（2014年10–12月）",
        "valid_from": "2015-01-15",
        "valid_until": "2015-04-30",
    },
    {
        "kind": "social_insurance",
        "title": "社会保险缴费证明（2014年10–12月）",
        "valid_from": "2015-01-15",
        "valid_until": "2015-04-30",
    },
    {
        "kind": "no_violation_statement",
        "title": "参加政府采购活动前三年内无重大违法记录声明（2015年）",
        "valid_from": "2015-03-20",
        "valid_until": "2015-12-31",
    },
]
LAPSED_SOCIAL_INSURANCE = {
    "kind": "social_insurance",
    "title": "社会保险缴费证明（2014年7–9月）",
    "valid_from": "2014-10-15",
    "valid_until": "2015-01-31",
}

# --- 2. the current-year 竞争性磋商 ------------------------------------------------------

CUOSHANG_TITLE = "玉林街道社区居家养老服务购买项目"
CUOSHANG_BUDGET = Decimal("860000.00")
CUOSHANG_DOMAIN = "A04"  # 养老服务与老龄
# Days relative to today: created, intention (≥30 days before the notice, TL-01,
# with room for a holiday at the end of the period), notice, and the deadline still
# ahead (later if the method's minimum periods end later).
CUOSHANG_DAYS = {"created": -55, "intention": -50, "announced": -10, "deadline": 7}
CUOSHANG_BIDS: list[dict[str, Any]] = [
    {"vendor": "CN-51-01-07-V0029", "price": "835500.00", "day": -6},
    {"vendor": TONGXING_CODE, "price": "812000.00", "day": -4},
    {"vendor": "CN-51-01-07-V0015", "price": "798000.00", "day": -2},
]


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _vendor(code: str) -> Vendor:
    return Vendor.objects.select_related("organisation").get(organisation__code=code)


def _communities(street: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            parent=street, kind=OrganisationKind.COMMUNITY
        ).order_by("code")
    )


def _evidence(vendor: Vendor, docs: list[dict[str, Any]]) -> None:
    for d in docs:
        if not vendor.documents.filter(kind=d["kind"], title=d["title"]).exists():
            vendor_services.document_add(actor=None, vendor=vendor, data=d)


def _bid(
    project: ProcurementProject,
    vendor: Vendor,
    price: str,
    now: dt.datetime,
    actor: User | None,
    text: str,
) -> Bid:
    lot = project.lots.get()
    return services.bid_submit(
        actor=actor,
        project=project,
        vendor=vendor,
        data={
            "prices": {str(lot.pk): price},
            "technical_response": text,
            "declare_no_conflict": True,
            "declare_credit": True,
        },
        now=now,
    )


def _bidder_actor(vendor: Vendor, vendor_user: User) -> User | None:
    """The demo `vendor` account bids for 同行; the others bid without an account."""
    return vendor_user if vendor.organisation.code == TONGXING_CODE else None


def _check_expert_pool(project: ProcurementProject, needed: int) -> None:
    """The draw needs enough experts in the district's pool: the demo accounts
    expert1.. that `seed_demo_users` creates when they are missing."""
    if len(services.expert_pool(project)) < needed:
        raise RuntimeError(f"the expert pool holds fewer than {needed} experts")


def _retender_description(
    items: list[ServiceItem], communities: list[Organisation]
) -> str:
    refused = [i for i in items if purchase_refusal(i)]
    return (
        f"2015年3月，簇锦街道原承接社区公共服务的社会组织因绩效不佳、考核不合格被淘汰，"
        f"街道办事处委托区政府采购中心向全社会公开招标，重新选择承接组织。"
        f"招标文件详尽列明购买目录全部{len(items)}项公共服务职责及其考核标准和考核办法；"
        f"其中{len(refused)}项（{'、'.join(i.name for i in refused)}）属政府保留的执法、"
        f"审批职能，不予购买，本项目购买其余{len(items) - len(refused)}项。"
        f"服务范围：簇锦街道{len(communities)}个社区"
        f"（{'、'.join(str(c) for c in communities)}）。"
    )


@transaction.atomic
def seed_cujin_retender() -> ProcurementProject | None:
    """The 2015 簇锦 re-tender, from the project to the final award. None when it
    is already there.

    The admission list's elimination of 簇锦's organisation (the assessments seed,
    March 2015) drafts the re-tender; when that draft is there, the officer completes
    it with the project's full data instead of creating another."""
    buyer = Organisation.objects.get(code=CUJIN_CODE)
    drafted = ProcurementProject.objects.filter(
        buyer=buyer, fiscal_year=RETENDER_YEAR, title=RETENDER_TITLE
    ).first()
    if drafted is not None and drafted.status != ProjectStatus.DRAFT:
        return None
    seed_demo_users()  # the officer, the vendor account and the experts act below
    officer, vendor_user = _user("officer"), _user("vendor")
    version = services.published_catalogue(buyer.parent, RETENDER_YEAR)
    assert version is not None, "load the 2015 catalogue first"
    listed = list(version.items.order_by("code"))
    items = [i for i in listed if not purchase_refusal(i)]
    communities = _communities(buyer)

    # 1. The project, early March 2015: the budget reaches the open-tender threshold.
    data: dict[str, Any] = {
        "title": RETENDER_TITLE,
        "fiscal_year": RETENDER_YEAR,
        "method": "tender",
        "description": _retender_description(listed, communities),
        "acceptance_plan": "按购买标准逐项考核：由街道相关业务科室、各社区、社区居民以及"
        "驻辖区单位参与考核，中期和年度各一次，考核结果与付款挂钩。",
        "scoring_method": "comprehensive",
        "price_weight": "30",
        "criteria": RETENDER_CRITERIA,
        "qualification_conditions": RETENDER_CONDITIONS,
        "term_years": 1,
        "payment_terms": [
            {"name": "首期", "share": "40", "condition": "合同签订后"},
            {"name": "中期", "share": "30", "condition": "中期考核合格后"},
            {"name": "尾款", "share": "30", "condition": "年度考核合格后"},
        ],
        "lots": [
            {
                "name": "簇锦街道社区公共服务（政务服务）",
                "budget": str(RETENDER_BUDGET),
                "budget_source": "fiscal",
                "budget_note": "2015年簇锦街道社区公共服务经费",
                "communities": [c.pk for c in communities],
                "items": [i.pk for i in items],
            }
        ],
    }
    if drafted is not None:
        project = services.project_update(
            actor=officer, project=drafted, data=data, on=RETENDER_CREATED
        )
    else:
        project = services.project_create(
            actor=officer, buyer=buyer, on=RETENDER_CREATED, data=data
        )

    # 2. The tender document, then the notice in mid-March: documents on offer for
    # 5 working days (TL-03), at least 20 days to the bid deadline (TL-04). No
    # procurement intention: TL-01 applies from 2022.
    ensure_rendered(
        services.tender_document_generate(
            actor=officer, project=project, note="首次发布"
        )
    )
    deadline = _at(*RETENDER_DEADLINE)
    project = services.project_announce(
        actor=officer, project=project, bid_deadline=deadline, on=RETENDER_ANNOUNCED
    )

    # 3. Five bids. The three qualified bidders and 嘉和 hold the 2015 evidence;
    # 锦宜's social-insurance proof had lapsed.
    for spec in RETENDER_BIDS:
        vendor = _vendor(spec["vendor"])
        if spec.get("lapsed_social_insurance"):
            _evidence(
                vendor,
                [d for d in EVIDENCE_2015 if d["kind"] != "social_insurance"]
                + [LAPSED_SOCIAL_INSURANCE],
            )
        else:
            _evidence(vendor, EVIDENCE_2015)
        _bid(
            project,
            vendor,
            spec["price"],
            _at(*spec["submitted"]),
            _bidder_actor(vendor, vendor_user),
            f"{vendor.name}承接簇锦街道{len(items)}项社区公共服务的服务方案、人员配置和考核保障措施。",
        )

    # 4. The committee: 4 experts drawn with a recorded seed + the buyer's
    # representative (COM-01, COM-02), drawn the afternoon before the opening.
    _check_expert_pool(project, RETENDER_EXPERTS)
    services.committee_draw(
        actor=officer,
        project=project,
        experts=RETENDER_EXPERTS,
        buyer_representatives=[officer],
        seed=COMMITTEE_SEED,
        now=deadline - dt.timedelta(hours=17),
    )

    # 5. Opening at the deadline, qualification the same morning.
    project = services.project_open(actor=officer, project=project, now=deadline)
    on = deadline.date()
    by_vendor = {
        b.vendor.organisation.code: b
        for b in project.bids.select_related("vendor__organisation")
    }
    for spec in RETENDER_BIDS:
        conditions = {
            str(i): {"met": True, "note": ""}
            for i in range(1, len(RETENDER_CONDITIONS) + 1)
        }
        conditions.update(spec.get("conditions", {}))
        services.bid_qualify(
            actor=officer,
            bid=by_vendor[spec["vendor"]],
            conditions=conditions,
            on=on,
        )
    project = services.project_close_qualification(
        actor=officer, project=project, on=on
    )

    # 6. Declarations and scoring the same day: each member scores alone; the
    # objective criterion is the same on every sheet.
    lot = project.lots.get()
    points = {
        by_vendor[s["vendor"]].pk: s["points"] for s in RETENDER_BIDS if "points" in s
    }
    seated = project.committee.filter(status=MemberStatus.ACTIVE).select_related(
        "user", "project"
    )
    for i, m in enumerate(seated.order_by("-role", "pk")):
        services.member_declare(
            actor=m.user, member=m, conflict=False, now=deadline + dt.timedelta(hours=1)
        )
        sheet = {}
        for bid_pk, base in points.items():
            swing = Decimal(i % 3 - 1) / 2  # -0.5, 0 or +0.5 on the plan
            sheet[str(bid_pk)] = {
                **base,
                "plan": str(Decimal(base["plan"]) + swing),
            }
        services.sheet_save(
            actor=m.user,
            lot=lot,
            scores=sheet,
            submit=True,
            now=deadline + dt.timedelta(hours=4, minutes=10 * i),
        )
    project.refresh_from_db()
    for m in project.committee.filter(status=MemberStatus.ACTIVE).select_related(
        "user"
    ):
        services.report_sign(
            actor=m.user,
            project=project,
            agrees=True,
            now=deadline + dt.timedelta(hours=6),
        )

    # 7. The award within 5 working days (TL-10), its notice with the experts'
    # names; after the challenge window (TL-17), with no challenge, it is final.
    project = services.project_award(
        actor=officer,
        project=project,
        on=RETENDER_AWARDED,
        now=_at(RETENDER_AWARDED, dt.time(10)),
    )
    award = lot.awards.get()
    assert award.challenge_until is not None
    services.award_finalise(
        actor=officer,
        project=project,
        on=award.challenge_until + dt.timedelta(days=1),
    )
    project.refresh_from_db()
    return project


@transaction.atomic
def seed_current_cuoshang() -> ProcurementProject | None:
    """This year's 竞争性磋商 of 玉林街道: intention, document, notice and three sealed
    bids, the deadline still ahead. None when it is already there."""
    buyer = Organisation.objects.get(code=YULIN_CODE)
    today = timezone.localdate()
    if ProcurementProject.objects.filter(
        buyer=buyer, fiscal_year=today.year, title=CUOSHANG_TITLE
    ).exists():
        return None
    seed_demo_users()
    admin, vendor_user = _user("admin"), _user("vendor")
    day = {k: today + dt.timedelta(days=v) for k, v in CUOSHANG_DAYS.items()}
    version = services.published_catalogue(buyer.parent, today.year)
    assert version is not None, "load the catalogue first"
    items = [
        i
        for i in version.items.filter(code__startswith=CUOSHANG_DOMAIN).order_by("code")
        if not purchase_refusal(i)
    ]
    communities = _communities(buyer)
    project = services.project_create(
        actor=admin,
        buyer=buyer,
        on=day["created"],
        data={
            "title": CUOSHANG_TITLE,
            "fiscal_year": today.year,
            "method": "cuoshang",
            "description": f"玉林街道{len(communities)}个社区的高龄、独居老年人居家养老上门服务、"
            f"日间照料和探访关爱等{len(items)}项养老服务。",
            "acceptance_plan": "季度抽查服务记录和回访老年人，年度由街道、社区、老年人代表和"
            "第三方评估机构综合考核。",
            "scoring_method": "comprehensive",
            "price_weight": "30",
            "criteria": [
                {
                    "code": "plan",
                    "name": "服务方案",
                    "weight": "35",
                    "kind": "subjective",
                },
                {
                    "code": "team",
                    "name": "团队与专业能力",
                    "weight": "20",
                    "kind": "subjective",
                },
                {
                    "code": "safety",
                    "name": "安全与应急保障",
                    "weight": "10",
                    "kind": "subjective",
                },
                {
                    "code": "record",
                    "name": "同类项目业绩",
                    "weight": "5",
                    "kind": "objective",
                },
            ],
            "qualification_conditions": ["具有开展居家养老服务的专业人员和服务场地"],
            "term_years": 1,
            "payment_terms": [
                {"name": "首期", "share": "40", "condition": "合同签订后"},
                {"name": "尾款", "share": "60", "condition": "年度考核合格后"},
            ],
            "sme_exemption": True,
            "sme_exemption_reason": "面向社会组织采购，社会组织不属于中小企业（SME-04）。",
            "lots": [
                {
                    "name": "玉林街道社区居家养老服务",
                    "budget": str(CUOSHANG_BUDGET),
                    "budget_source": "fiscal",
                    "budget_note": f"{today.year}年玉林街道养老服务经费",
                    "communities": [c.pk for c in communities],
                    "items": [i.pk for i in items],
                }
            ],
        },
    )
    project = services.project_publish_intention(
        actor=admin, project=project, on=day["intention"]
    )
    ensure_rendered(
        services.tender_document_generate(actor=admin, project=project, note="首次发布")
    )
    earliest = minimum_dates(project.method, project.district, day["announced"])
    project = services.project_announce(
        actor=admin,
        project=project,
        bid_deadline=_at(max(day["deadline"], *earliest.values()), dt.time(9, 30)),
        on=day["announced"],
    )
    for spec in CUOSHANG_BIDS:
        vendor = _vendor(spec["vendor"])
        _bid(
            project,
            vendor,
            spec["price"],
            _at(today + dt.timedelta(days=spec["day"]), dt.time(10, 15)),
            _bidder_actor(vendor, vendor_user),
            f"{vendor.name}在玉林街道开展居家养老上门服务、日间照料和探访关爱的服务方案。",
        )
    project.refresh_from_db()
    return project


def seed_procurement() -> int:
    """Both demo projects; returns how many were created (0 on a second run)."""
    created = [seed_cujin_retender(), seed_current_cuoshang()]
    return sum(p is not None for p in created)
