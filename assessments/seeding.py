"""Idempotent demo assessments and admission lists: the story of seed 000 told by the
grades.

1. **2014.** 簇锦街道's organisation of the 2014 reform (武侯区簇锦社区公共服务中心,
   registered April 2014) holds the 2014 contract for the street's public services
   (the catalogue items the 2015 re-tender lists, in every community of the street,
   May 2014 – April 2015). The street's 2014 annual assessment by its departments,
   communities, residents and resident units grades it 差 (poor): an elimination
   proposal.
2. **March 2015** (`seed_admission_2014`, the admission services): the district's
   2014 admission list is publicised over the Spring Festival, published on 2 March
   and the organisation eliminated: its contract ends on 31 March, the street's own
   staff bridge April, and the re-tender is drafted — the project that procurement's
   seed then completes by open tender (won by 成都市同行社会工作服务中心).
3. **2015.** A 2015 contract for each of the other organisations of the register in
   its first street (its communities there, 2–6 items of one service domain), plus
   the 2015 簇锦 contract of the re-tender; one annual plan per street (13) with
   cards from every rater group — more than a thousand of them residents' answers by
   one-time QR codes — scored in January 2016: about 22 organisations 差, 10 中, the
   rest 优 or 良. 同行's 良 reaches its contract's 年度 tranche.
4. **January 2016** (`seed_admission_2015`): the 2015 list takes the 90-odd
   organisations to 70-odd; one eliminated organisation objects during publicity and
   is answered with reasons; the list is published.
5. **This year**: a quarterly plan of 晋阳街道 over its contract of this year (seed
   001's ¥200,000, three sub-projects, eight months) with the round open for scoring
   and a few residents' answers in.

Through the services where a user would act: plans, rounds, scoring (so grades,
consequences and tranches follow the real rules), the 2014 contract and its
residents' tokens, the cards of the demo raters of 簇锦, and every admission step.
Bulk rows where ninety-odd organisations × services would make the demo slow: the
2015 awards (`contracts.seeding.final_award`, as rows), and the 2015 scorecards and
residents' tokens of the raters who have no demo account (paper forms entered by the
street or district, tokens marked used). The 2015 contracts themselves go through
the contract services. Dates the services stamp with "now" (scoring time, card
submission, rectification deadlines) are set back to the story's dates afterwards.

Deterministic (seeded `random.Random`); a part already there is left alone, so a
second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership, Organisation, User
from accounts.seeding import seed_demo_users
from catalogue.models import ServiceItem
from catalogue.validation import purchase_refusal
from contracts import services as contract_services
from contracts.choices import ContractStatus, TrancheKind
from contracts.models import Contract
from contracts.seeding import final_award
from procurement.seeding import (
    CUJIN_CODE,
    CUOSHANG_BIDS,
    DISTRICT_CODE,
    RETENDER_BIDS,
    RETENDER_CREATED,
    RETENDER_TITLE,
    TONGXING_CODE,
)
from procurement.services import published_catalogue
from vendors.models import Vendor

from . import services
from .choices import CardSource, CardStatus, ConsequenceKind, PeriodKind, RaterKind
from .models import (
    AssessmentPlan,
    AssessmentRound,
    Consequence,
    ResidentToken,
    RoundResult,
    Scorecard,
)

# --- 1. 2014 ---------------------------------------------------------------------------

ELIMINATED_CODE = "CN-51-01-07-V0046"  # 武侯区簇锦社区公共服务中心
CUJIN_2014_TITLE = "簇锦街道社区公共服务（政务服务）购买项目（2014年度）"
CUJIN_2014_AMOUNT = Decimal("2160000.00")
CUJIN_2014_FINAL = dt.date(2014, 4, 24)  # registered 14 April 2014
CUJIN_2014_START = dt.date(2014, 5, 1)
CUJIN_2014_END = dt.date(2015, 4, 30)
CUJIN_2014_SIGNED = dt.date(2014, 4, 28)
CUJIN_2014_PUBLISHED = dt.date(2014, 4, 30)
CUJIN_2014_FILED = dt.date(2014, 5, 5)
CUJIN_2014_ADVANCE_PAID = dt.date(2014, 5, 20)
CUJIN_2014_TRANCHES = [
    {"kind": TrancheKind.ADVANCE, "share": "50", "due_on": "2014-05-31"},
    {
        "kind": TrancheKind.FINAL,
        "share": "50",
        "due_on": "2015-05-31",
        "needs_acceptance": True,
        "period_label": "年度",
        "min_grade": "good",
        "deduction_share": "10",
    },
]
PLAN_2014 = "簇锦街道2014年度社区公共服务考核方案"
ROUND_LABEL = "年度"  # = the contracts' 年度 tranche (payment_tranche_apply_assessment)
ROUND_2014 = (dt.date(2014, 5, 1), dt.date(2014, 12, 31))
CARDS_2014_IN = dt.date(2015, 2, 6)
SCORED_2014 = dt.date(2015, 2, 12)
TARGET_2014 = 52  # 差
COMMENTS_2014 = [
    "到服务站办事经常找不到人，要跑好几趟。",
    "工作人员对业务不熟悉，很多事情还是社区居委会在办。",
    "服务态度一般，问题反映了没有回音。",
    "",
    "",
]

# --- 2. the March 2015 elimination -----------------------------------------------------

LIST_2014_BUILT = dt.date(2015, 2, 13)
LIST_2014_PUBLICISED = dt.date(2015, 2, 13)  # 5 working days over the Spring Festival
LIST_2014_PUBLISHED = RETENDER_CREATED  # 2 March 2015
ELIMINATED_ON = RETENDER_CREATED
ELIMINATED_ENDS_ON = dt.date(2015, 3, 31)
INTERIM_ARRANGEMENT = (
    "2015年4月1日起至新承接组织进场前，过渡期间由街道社区服务中心工作人员及原社区工作人员"
    "承担各社区公共服务事项，确保服务不中断；原承接组织于3月31日前完成工作台账和档案移交。"
)

# --- 3. 2015 ---------------------------------------------------------------------------

YEAR = 2015
FINAL_2015 = dt.date(2014, 12, 19)
START_2015 = dt.date(2015, 1, 1)
END_2015 = dt.date(2015, 12, 31)
COMPLETED_2015 = dt.date(2016, 1, 6)
ROUND_2015 = (START_2015, END_2015)
CARDS_2015_IN = dt.date(2016, 1, 5)
SCORED_2015 = dt.date(2016, 1, 8)
GRADE_COUNTS = {"poor": 22, "fair": 10}  # the rest good or excellent
TARGETS = {"poor": (44, 56), "fair": (64, 76), "good": (82, 88), "excellent": (91, 96)}
# Organisations the other seeds show at work after 2015 (this year's contracts and
# 磋商 bids) and the re-tender's winner: never eliminated by the 2015 list.
KEPT = {
    TONGXING_CODE,
    "CN-51-01-07-V0006",
    "CN-51-01-07-V0009",
    "CN-51-01-07-V0032",
    "CN-51-01-07-V0056",
    "CN-51-01-07-V0077",
    *(b["vendor"] for b in CUOSHANG_BIDS),
    *(b["vendor"] for b in RETENDER_BIDS),
}
TONGXING_GRADE = "good"
TONGXING_TARGET = 86
# The district's default plan (rule `payment.instalments.default` with the
# assessment threshold and deduction), given outright to spare 93 rule look-ups.
TRANCHES_2015 = [
    {"kind": TrancheKind.ADVANCE, "share": "40", "due_on": "2015-01-31"},
    {
        "kind": TrancheKind.MIDTERM,
        "share": "30",
        "due_on": "2015-07-31",
        "needs_acceptance": True,
        "period_label": "中期",
    },
    {
        "kind": TrancheKind.FINAL,
        "share": "30",
        "due_on": "2016-01-31",
        "needs_acceptance": True,
        "period_label": ROUND_LABEL,
        "min_grade": "good",
        "deduction_share": "10",
    },
]
RESIDENTS_PER_COMMUNITY = (6, 10)
COMMENTS = {
    "poor": [
        "服务站经常没人，办事要跑好几趟。",
        "承诺的活动没有开展，居民意见很大。",
        "台账不全，很多工作仍由社区居委会代办。",
    ],
    "fair": ["基本能完成任务，但活动次数偏少。", "服务时间不固定，希望改进。"],
    "good": ["服务比较周到。", "驻点人员熟悉情况，办事方便。"],
    "excellent": ["服务热情细致，活动丰富。", "工作人员专业，居民很满意。"],
}

# --- 4. the 2015 list ------------------------------------------------------------------

LIST_2015_BUILT = dt.date(2016, 1, 11)
OBJECTION_FILED = dt.date(2016, 1, 13)
OBJECTION_DECIDED = dt.date(2016, 1, 15)
LIST_2015_PUBLISHED = dt.date(2016, 1, 25)
OBJECTION_TEXT = (
    "我中心2015年度考核等级为“差”，我们不认可。下半年社区迎检等合同外工作占用了驻点人员"
    "大量时间，部分居民问卷在社区换届期间发放，回收对象不具代表性，请求复核并改为警示。"
)
OBJECTION_DECISION = (
    "经复核：各评价主体的评分表均按考核方案收集，居民问卷由各社区按户随机发放并匿名填写；"
    "合同外工作已在延期和补偿程序中另行处理，不影响对合同约定服务的考核。"
    "计分明细可逐项复算，异议不成立，维持淘汰结论。"
)

# --- 5. this year ----------------------------------------------------------------------

CURRENT_STREET = "CN-51-01-07-09"  # 晋阳街道: seed 001's ¥200,000 over 8 months
CURRENT_RESIDENTS = 5


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def _communities(street: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            parent=street, kind=OrganisationKind.COMMUNITY
        ).order_by("code")
    )


def _street_name(street: Organisation) -> str:
    return street.short_name or street.name.removesuffix("办事处")


def _catalogue() -> Any:
    """The catalogue the demo years buy from: the 2015 version (there is no 2014
    one; the 2014 reform bought the same duties)."""
    district = Organisation.objects.get(code=DISTRICT_CODE)
    version = published_catalogue(district, YEAR)
    assert version is not None, "load the 2015 catalogue first"
    return version


def _answers(rng: random.Random, codes: list[str], target: float) -> dict[str, int]:
    """One card's points per indicator around `target` (0..100, whole points)."""
    return {c: max(0, min(100, round(rng.gauss(target, 4)))) for c in codes}


def _contract_communities(contract: Contract) -> list[Organisation]:
    ids = set(contract.items.values_list("community_id", flat=True))
    return list(Organisation.objects.filter(pk__in=ids).order_by("code"))


def _leaf_codes(plan: AssessmentPlan) -> list[str]:
    indicators = list(plan.indicators.all())
    parents = {i.parent_id for i in indicators if i.parent_id}
    return [i.code for i in indicators if i.pk not in parents]


def _backdate(round_: AssessmentRound, cards_in: dt.date, scored: dt.date) -> None:
    """The dates the services stamp with "now", set to the story's: the cards came in
    at the end of the period, the round was scored on `scored`, and a rectification
    is due 30 days after that (the district's rule)."""
    Scorecard.objects.filter(round=round_).update(submitted_at=_at(cards_in, 16))
    ResidentToken.objects.filter(round=round_).update(
        issued_at=_at(round_.period_end, 9), used_at=_at(cards_in, 11)
    )
    AssessmentRound.objects.filter(pk=round_.pk).update(scored_at=_at(scored, 15))
    RoundResult.objects.filter(round=round_).update(computed_at=_at(scored, 15))
    Consequence.objects.filter(result__round=round_).update(created_at=_at(scored, 15))
    Consequence.objects.filter(
        result__round=round_, kind=ConsequenceKind.RECTIFICATION
    ).update(due_on=scored + dt.timedelta(days=30))


def _sign(
    contract: Contract, actor: User, signed: dt.date, published: dt.date, filed: dt.date
) -> Contract:
    """Signed on paper by the organisation (recorded by the system), countersigned,
    published and filed."""
    contract = contract_services.contract_sign_vendor(contract=contract, actor=None)
    contract = contract_services.contract_countersign(
        contract=contract, actor=actor, signed_on=signed
    )
    contract_services.contract_record_publication(
        contract=contract,
        actor=actor,
        published_on=published,
        url="http://www.ccgp-sichuan.gov.cn/",
    )
    return contract_services.contract_record_filing(
        contract=contract,
        actor=actor,
        filed_on=filed,
        ref=f"武财采备〔{filed.year}〕{contract.pk:04d}号",
    )


# --- 1. 2014 ---------------------------------------------------------------------------


def _cujin_2014_contract() -> Contract:
    """The 2014 contract of 簇锦's organisation, in force (the existing one when it is
    already there)."""
    street = Organisation.objects.get(code=CUJIN_CODE)
    version = _catalogue()
    items = [i for i in version.items.order_by("code") if not purchase_refusal(i)]
    award = final_award(
        street=street,
        vendor=Vendor.objects.get(organisation__code=ELIMINATED_CODE),
        title=CUJIN_2014_TITLE,
        lot_name="簇锦街道社区公共服务（政务服务）",
        amount=CUJIN_2014_AMOUNT,
        items=items,
        communities=_communities(street),
        version=version,
        fiscal_year=2014,
        final_on=CUJIN_2014_FINAL,
    )
    contract = Contract.objects.filter(award=award).first()
    if contract is not None:
        return contract
    officer = _user("officer")
    contract = contract_services.contract_create_from_award(
        award=award,
        actor=officer,
        start_on=CUJIN_2014_START,
        end_on=CUJIN_2014_END,
        tranches=CUJIN_2014_TRANCHES,
    )
    contract = _sign(
        contract, officer, CUJIN_2014_SIGNED, CUJIN_2014_PUBLISHED, CUJIN_2014_FILED
    )
    advance = contract.tranches.get(number=1)
    contract_services.payment_tranche_request(tranche=advance, actor=None)
    contract_services.payment_tranche_approve(tranche=advance, actor=officer)
    contract_services.payment_tranche_pay(
        tranche=advance,
        actor=officer,
        paid_on=CUJIN_2014_ADVANCE_PAID,
        payment_ref="武侯国库支付2014-05-0131",
    )
    return contract


def seed_assessments_2014() -> AssessmentPlan | None:
    """The 2014 contract of 簇锦's organisation and its annual assessment, scored 差.
    None when the plan is already there."""
    street = Organisation.objects.get(code=CUJIN_CODE)
    if AssessmentPlan.objects.filter(buyer=street, year=2014, name=PLAN_2014).exists():
        return None
    seed_demo_users()  # the officer and 簇锦's raters act below
    officer, dept = _user("officer"), _user("dept")
    community_user, assessor = _user("community"), _user("assessor")
    rng = random.Random(2014)
    with transaction.atomic():
        contract = _cujin_2014_contract()
        plan = services.plan_create(
            actor=officer,
            buyer=street,
            name=PLAN_2014,
            year=2014,
            period_kind=PeriodKind.YEAR,
            contracts=[contract],
        )
        rnd = services.round_open(
            plan=plan,
            actor=officer,
            label=ROUND_LABEL,
            period_start=ROUND_2014[0],
            period_end=ROUND_2014[1],
        )
        codes = _leaf_codes(plan)
        # Every rater group through the services: the demo raters online, the other
        # department's and communities' paper forms typed in, residents by QR code.
        services.scorecard_submit(
            round=rnd,
            actor=dept,
            contract=contract,
            answers=_answers(rng, codes, TARGET_2014 - 2),
            comment="多项服务未按购买标准完成，台账缺失，整改不力。",
        )
        communities = _contract_communities(contract)
        own_community = community_user.active_memberships()[0].organisation_id
        for community in communities:
            if community.pk == own_community:
                services.scorecard_submit(
                    round=rnd,
                    actor=community_user,
                    contract=contract,
                    community=community,
                    answers=_answers(rng, codes, TARGET_2014 - 4),
                    comment="驻点人员经常不在岗，居民办事仍找社区居委会。",
                )
            tokens = services.resident_tokens_issue(
                round=rnd,
                actor=officer,
                contract=contract,
                community=community,
                count=rng.randint(*RESIDENTS_PER_COMMUNITY),
                batch="2014年度第一批",
            )
            for raw in tokens:
                services.resident_answer(
                    raw_token=raw,
                    answers=_answers(rng, codes, TARGET_2014 + 2),
                    comment=rng.choice(COMMENTS_2014),
                )
        services.scorecard_submit(
            round=rnd,
            actor=assessor,
            contract=contract,
            answers=_answers(rng, codes, TARGET_2014),
            comment="联合开展的活动次数少，组织不够规范。",
        )
        # The other communities' and department's paper forms, typed in.
        other_depts = Organisation.objects.filter(
            parent=street, kind=OrganisationKind.DEPARTMENT
        ).exclude(pk=dept.active_memberships()[0].organisation_id)
        cards = [
            Scorecard(
                round=rnd,
                contract=contract,
                group=RaterKind.COMMUNITY,
                community=c,
                source=CardSource.PAPER,
                entered_by=community_user,
                answers=_answers(rng, codes, TARGET_2014 - 3),
                status=CardStatus.SUBMITTED,
            )
            for c in communities
            if c.pk != own_community
        ] + [
            Scorecard(
                round=rnd,
                contract=contract,
                group=RaterKind.DEPARTMENT,
                source=CardSource.PAPER,
                entered_by=officer,
                answers=_answers(rng, codes, TARGET_2014),
                status=CardStatus.SUBMITTED,
            )
            for _d in other_depts[:1]
        ]
        Scorecard.objects.bulk_create(cards)
        services.round_score(round=rnd, actor=officer)
        _backdate(rnd, CARDS_2014_IN, SCORED_2014)
    return plan


# --- 2. and 4. the admission lists ------------------------------------------------------


def _list_in_publicity(year: int, built: dt.date, publicised: dt.date, title: str):
    """The district's list of `year`, built on `built` and publicised on
    `publicised` (each step only once); returns it and the number of steps taken."""
    from . import admission
    from .models import AdmissionList

    district = Organisation.objects.get(code=DISTRICT_CODE)
    admin = _user("admin")
    steps = 0
    lst = AdmissionList.objects.filter(district=district, year=year).first()
    if lst is None:
        lst = admission.admission_list_build(
            actor=admin, district=district, year=year, on=built, title=title
        )
        steps += 1
    if lst.status == "draft":
        lst = admission.admission_list_publicise(
            actor=admin, admission_list=lst, on=publicised
        )
        steps += 1
    return lst, steps


def _vendor_staff(vendor: Vendor) -> User:
    """A staff account of an organisation that has no demo account (the one that
    objects to the 2015 list): no password, it only carries the objection's author."""
    code = vendor.organisation.code
    user, created = User.objects.get_or_create(
        username=f"staff-{code.rsplit('-', 1)[1].lower()}",
        defaults={"display_name": f"{vendor.name} 工作人员"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(
        user=user, organisation=vendor.organisation, role=Role.VENDOR_STAFF
    )
    return user


def seed_admission_2014() -> int:
    """The district's 2014 list: built and publicised in February 2015, published on
    2 March, and 簇锦's organisation eliminated — its contract terminated at the end
    of March, the re-tender drafted (procurement's seed completes it). Returns how
    many steps were taken (0 when done before)."""
    from . import admission

    admin = _user("admin")
    with transaction.atomic():
        lst, steps = _list_in_publicity(
            2014,
            LIST_2014_BUILT,
            LIST_2014_PUBLICISED,
            "武侯区2014年度承接社区公共服务社会组织准入名单",
        )
        if lst.status == "publicity":
            lst = admission.admission_list_publish(
                actor=admin, admission_list=lst, on=LIST_2014_PUBLISHED
            )
            steps += 1
        entry = lst.entries.get(vendor__organisation__code=ELIMINATED_CODE)
        if not entry.ending:
            admission.admission_eliminate(
                actor=admin,
                entry=entry,
                ending="terminate",
                ends_on=ELIMINATED_ENDS_ON,
                interim_arrangement=INTERIM_ARRANGEMENT,
                on=ELIMINATED_ON,
                title=RETENDER_TITLE,
            )
            steps += 1
    return steps


def seed_admission_2015() -> int:
    """The district's 2015 list: built and publicised in January 2016, one eliminated
    organisation's objection answered with reasons (not upheld), published. Returns
    how many steps were taken (0 when done before, or without the admission
    services)."""
    from . import admission

    admin = _user("admin")
    with transaction.atomic():
        lst, steps = _list_in_publicity(
            YEAR,
            LIST_2015_BUILT,
            LIST_2015_BUILT,
            "武侯区2015年度承接社区公共服务社会组织准入名单",
        )
        if lst.status == "publicity":
            objector = objecting_vendor()
            entry = lst.entries.get(vendor=objector)
            objection = entry.objections.first()
            if objection is None:
                objection = admission.admission_entry_object(
                    actor=_vendor_staff(objector),
                    entry=entry,
                    text=OBJECTION_TEXT,
                    on=OBJECTION_FILED,
                )
                steps += 1
            if objection.status == "open":
                admission.admission_objection_decide(
                    actor=admin,
                    objection=objection,
                    upheld=False,
                    decision=OBJECTION_DECISION,
                    on=OBJECTION_DECIDED,
                )
                steps += 1
            lst = admission.admission_list_publish(
                actor=admin, admission_list=lst, on=LIST_2015_PUBLISHED
            )
            steps += 1
    return steps


def seed_admission_lists() -> int:
    """Both lists (the demo calls them apart: 2014 before procurement, 2015 after
    the 2015 assessments)."""
    return seed_admission_2014() + seed_admission_2015()


# --- 3. 2015 ---------------------------------------------------------------------------


def _vendors_2015() -> list[Vendor]:
    """The register's organisations that held a 2015 contract of their own seeded
    here: all but 簇锦's eliminated one and 同行 (whose 2015 contract is the
    re-tender's)."""
    return list(
        Vendor.objects.select_related("organisation")
        .prefetch_related("streets", "communities")
        .exclude(organisation__code__in=[ELIMINATED_CODE, TONGXING_CODE])
        .order_by("organisation__code")
    )


def planned_grades() -> dict[str, str]:
    """The grade each 2015 organisation is scored towards (by organisation code):
    22 差, 10 中, the rest 良 or 优; never 差 or 中 for `KEPT`."""
    codes = sorted(
        Vendor.objects.exclude(organisation__code=ELIMINATED_CODE).values_list(
            "organisation__code", flat=True
        )
    )
    rng = random.Random(YEAR)
    open_ = [c for c in codes if c not in KEPT]
    rng.shuffle(open_)
    grades: dict[str, str] = {}
    poor, fair = GRADE_COUNTS["poor"], GRADE_COUNTS["fair"]
    for n, code in enumerate(open_):
        if n < poor:
            grades[code] = "poor"
        elif n < poor + fair:
            grades[code] = "fair"
    for code in codes:
        if code not in grades:
            grades[code] = "excellent" if rng.random() < 0.35 else "good"
    grades[TONGXING_CODE] = TONGXING_GRADE
    return grades


def objecting_vendor() -> Vendor:
    """The eliminated organisation that objects to the 2015 list: the first 差 by code."""
    grades = planned_grades()
    code = min(c for c, g in grades.items() if g == "poor")
    return Vendor.objects.select_related("organisation").get(organisation__code=code)


def _title_2015(street: Organisation, domain: Any, vendor: Vendor) -> str:
    short = vendor.organisation.short_name or vendor.name
    return f"{_street_name(street)}{domain.name}服务购买项目（{YEAR}年度·{short}）"[
        :200
    ]


def _contract_2015(
    vendor: Vendor,
    version: Any,
    by_domain: dict[int, list[ServiceItem]],
    domains: list[Any],
    admin: User,
    rng: random.Random,
) -> Contract | None:
    """One organisation's 2015 contract in its first street, completed at the end of
    the year (None when it is already there)."""
    streets = sorted(vendor.streets.all(), key=lambda s: s.code)
    if not streets:
        return None
    street = streets[0]
    communities = (
        sorted(
            (c for c in vendor.communities.all() if c.parent_id == street.pk),
            key=lambda c: c.code,
        )
        or _communities(street)[:2]
    )
    domain = domains[rng.randrange(len(domains))]
    pool = by_domain[domain.pk]
    items = sorted(
        rng.sample(pool, min(len(pool), rng.randint(2, 6))), key=lambda i: i.code
    )
    amount = Decimal(rng.randint(8, 30) * 10000 * len(communities)) / 2
    registered = vendor.registration_date or START_2015
    start = START_2015
    if registered >= START_2015 - dt.timedelta(days=14):
        # Registered in 2015: from the first of the month after registration.
        start = (registered.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    final_on = min(FINAL_2015, start - dt.timedelta(days=12))
    award = final_award(
        street=street,
        vendor=vendor,
        title=_title_2015(street, domain, vendor),
        lot_name=f"{_street_name(street)}{domain.name}服务",
        amount=amount.quantize(Decimal("0.01")),
        items=items,
        communities=communities,
        version=version,
        fiscal_year=YEAR,
        final_on=final_on,
        actor=admin,
    )
    if Contract.objects.filter(award=award).exists():
        return None
    contract = contract_services.contract_create_from_award(
        award=award,
        actor=admin,
        start_on=start,
        end_on=END_2015,
        tranches=TRANCHES_2015,
    )
    signed = final_on + dt.timedelta(days=5)
    contract = _sign(
        contract,
        admin,
        signed,
        signed + dt.timedelta(days=1),
        signed + dt.timedelta(days=4),
    )
    return contract_services.contract_complete(
        contract=contract, actor=admin, completed_on=COMPLETED_2015
    )


def seed_contracts_2015() -> int:
    """The 2015 contracts of the register's organisations; returns how many were
    created."""
    seed_demo_users()
    admin = _user("admin")
    version = _catalogue()
    by_domain: dict[int, list[ServiceItem]] = {}
    for item in version.items.select_related("domain").order_by("code"):
        if not purchase_refusal(item):
            by_domain.setdefault(item.domain_id, []).append(item)
    domains = sorted(
        {i.domain for items in by_domain.values() for i in items if len(items) >= 2},
        key=lambda d: d.code,
    )
    created = 0
    for vendor in _vendors_2015():
        # One generator per organisation: its contract does not depend on the others.
        rng = random.Random(f"{YEAR}-{vendor.organisation.code}")
        with transaction.atomic():
            created += (
                _contract_2015(vendor, version, by_domain, domains, admin, rng)
                is not None
            )
    return created


def _contracts_2015(street: Organisation) -> list[Contract]:
    """The street's contracts of 2015: the 2015 contracts seeded here and the 簇锦
    re-tender's."""
    return list(
        Contract.objects.filter(
            buyer=street,
            project__fiscal_year=YEAR,
            status__in=[ContractStatus.ACTIVE, ContractStatus.COMPLETED],
        )
        .select_related("vendor__organisation")
        .order_by("code")
    )


def _street_cards(
    rnd: AssessmentRound,
    contracts: list[Contract],
    codes: list[str],
    grades: dict[str, str],
    raters: dict[str, User],
    entered_by: User,
    rng: random.Random,
) -> None:
    """Every rater group's cards for the street's contracts: the demo raters' through
    the service, the rest as rows (paper forms typed in; residents' QR answers with
    their tokens marked used)."""
    street = rnd.plan.buyer
    depts = list(
        Organisation.objects.filter(
            parent=street, kind=OrganisationKind.DEPARTMENT
        ).order_by("code")
    )[:2]
    units = list(
        Organisation.objects.filter(
            parent=street, kind=OrganisationKind.RESIDENT_UNIT
        ).order_by("code")
    )[:1]
    rater_orgs = {u.active_memberships()[0].organisation_id: u for u in raters.values()}
    cards: list[Scorecard] = []
    tokens: list[ResidentToken] = []
    resident_answers: list[tuple[int, dict[str, int], str]] = []
    for contract in contracts:
        grade = grades.get(contract.vendor.organisation.code, "good")
        target = rng.uniform(*TARGETS[grade])
        if contract.vendor.organisation.code == TONGXING_CODE:
            target = TONGXING_TARGET  # clear of the 良 threshold of its tranche
        bias = {g: rng.uniform(-2.5, 2.5) for g in RaterKind.values}

        def card(
            group: str,
            community: Organisation | None,
            org_pk: int | None,
            comment: str = "",
            contract: Contract = contract,
            target: float = target,
            bias: dict[str, float] = bias,
        ) -> None:
            answers = _answers(rng, codes, target + bias[group])
            user = rater_orgs.get(org_pk) if org_pk else None
            if user is not None:
                services.scorecard_submit(
                    round=rnd,
                    actor=user,
                    contract=contract,
                    community=community,
                    answers=answers,
                    comment=comment,
                )
                return
            cards.append(
                Scorecard(
                    round=rnd,
                    contract=contract,
                    group=group,
                    community=community,
                    source=CardSource.PAPER,
                    entered_by=entered_by,
                    answers=answers,
                    comment=comment,
                    status=CardStatus.SUBMITTED,
                )
            )

        for d in depts:
            card(RaterKind.DEPARTMENT, None, d.pk)
        for u in units:
            card(RaterKind.RESIDENT_UNIT, None, u.pk)
        for community in _contract_communities(contract):
            card(
                RaterKind.COMMUNITY,
                community,
                community.pk,
                rng.choice(COMMENTS[grade]) if rng.random() < 0.5 else "",
            )
            for _n in range(rng.randint(*RESIDENTS_PER_COMMUNITY)):
                raw = f"{rng.getrandbits(128):032x}"
                tokens.append(
                    ResidentToken(
                        round=rnd,
                        contract=contract,
                        community=community,
                        batch=f"{YEAR}年度",
                        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
                        used_at=_at(CARDS_2015_IN, 11),
                    )
                )
                resident_answers.append(
                    (
                        len(tokens) - 1,
                        _answers(rng, codes, target + bias[RaterKind.RESIDENT]),
                        rng.choice(COMMENTS[grade]) if rng.random() < 0.15 else "",
                    )
                )
    ResidentToken.objects.bulk_create(tokens)
    # Anonymous: the card keeps its token (one answer per token), no person.
    cards += [
        Scorecard(
            round=rnd,
            contract=tokens[i].contract,
            group=RaterKind.RESIDENT,
            community=tokens[i].community,
            token=tokens[i],
            source=CardSource.RESIDENT_TOKEN,
            answers=answers,
            comment=comment,
            status=CardStatus.SUBMITTED,
        )
        for i, answers, comment in resident_answers
    ]
    Scorecard.objects.bulk_create(cards)


def seed_assessments_2015() -> int:
    """One 2015 annual plan per street over its 2015 contracts, every rater group's
    cards, scored in January 2016. Returns how many plans were created."""
    seed_demo_users()
    admin, officer = _user("admin"), _user("officer")
    # 簇锦's demo raters score its contracts themselves.
    cujin_raters = {u: _user(u) for u in ("dept", "community", "assessor")}
    grades = planned_grades()
    district = Organisation.objects.get(code=DISTRICT_CODE)
    created = 0
    for street in Organisation.objects.filter(
        parent=district, kind=OrganisationKind.STREET
    ).order_by("code"):
        name = f"{_street_name(street)}{YEAR}年度社区公共服务考核方案"
        if AssessmentPlan.objects.filter(buyer=street, year=YEAR, name=name).exists():
            continue
        contracts = _contracts_2015(street)
        if not contracts:
            continue
        cujin = street.code == CUJIN_CODE
        actor = officer if cujin else admin
        rng = random.Random(f"{YEAR}-{street.code}")
        with transaction.atomic():
            plan = services.plan_create(
                actor=actor,
                buyer=street,
                name=name,
                year=YEAR,
                period_kind=PeriodKind.YEAR,
                contracts=contracts,
            )
            rnd = services.round_open(
                plan=plan,
                actor=actor,
                label=ROUND_LABEL,
                period_start=ROUND_2015[0],
                period_end=ROUND_2015[1],
            )
            _street_cards(
                rnd,
                contracts,
                _leaf_codes(plan),
                grades,
                cujin_raters if cujin else {},
                officer if cujin else admin,
                rng,
            )
            services.round_score(round=rnd, actor=actor)
            _backdate(rnd, CARDS_2015_IN, SCORED_2015)
        created += 1
    return created


# --- 5. this year ----------------------------------------------------------------------


def seed_current_round() -> AssessmentRound | None:
    """晋阳街道's quarterly plan over its contract of this year, the current quarter
    open for scoring with a few residents' answers in. None when it is there (or the
    street has no contract in force this year)."""
    today = timezone.localdate()
    street = Organisation.objects.get(code=CURRENT_STREET)
    contracts = list(
        Contract.objects.filter(
            buyer=street,
            status=ContractStatus.ACTIVE,
            project__fiscal_year=today.year,
        ).order_by("code")
    )
    name = f"{_street_name(street)}{today.year}年度社区服务项目季度考核方案"
    if (
        not contracts
        or AssessmentPlan.objects.filter(
            buyer=street, year=today.year, name=name
        ).exists()
    ):
        return None
    admin = _user("admin")
    quarter = (today.month - 1) // 3
    start = dt.date(today.year, quarter * 3 + 1, 1)
    end = (
        dt.date(today.year + 1, 1, 1)
        if quarter == 3
        else dt.date(today.year, quarter * 3 + 4, 1)
    ) - dt.timedelta(days=1)
    rng = random.Random(f"{today.year}-{street.code}")
    with transaction.atomic():
        plan = services.plan_create(
            actor=admin,
            buyer=street,
            name=name,
            year=today.year,
            period_kind=PeriodKind.QUARTER,
            contracts=contracts,
            template="items",
        )
        rnd = services.round_open(
            plan=plan,
            actor=admin,
            label=f"{today.year}年第{'一二三四'[quarter]}季度",
            period_start=start,
            period_end=end,
        )
        codes = _leaf_codes(plan)
        contract = contracts[0]
        community = _contract_communities(contract)[0]
        tokens = services.resident_tokens_issue(
            round=rnd,
            actor=admin,
            contract=contract,
            community=community,
            count=CURRENT_RESIDENTS,
            batch=f"{today.year}年第{'一二三四'[quarter]}季度第一批",
        )
        for raw in tokens:
            services.resident_answer(
                raw_token=raw, answers=_answers(rng, codes, rng.uniform(78, 92))
            )
    return rnd


def seed_assessments() -> dict[str, int]:
    """The parts after procurement and contracts (the 2014 part and its list run
    before procurement: see the `demo` command)."""
    out = {
        "contracts_2015": seed_contracts_2015(),
        "assessment_plans_2015": seed_assessments_2015(),
    }
    out["admission_2015_steps"] = seed_admission_2015()
    out["current_rounds"] = int(seed_current_round() is not None)
    return out
