"""Idempotent demo contracts, driven through the contract services with explicit dates.

1. The 2015 簇锦 contract from the final award of the re-tender (procurement's seed):
   the purchased duties in each of the street's communities, tranches 40/30/30,
   signed by both sides, published and filed; a supplementary agreement within the
   10 % cap; delivery records with photo evidence (one photo reused in two reports,
   flagged); an extension request whose snapshot says 80 %; 43 contracted items that
   a community's staff still did themselves (seed 000); a 社区迎检 task outside the
   contract, disputed by the vendor (seed 000); the mid-term acceptance; the first
   tranche paid.
2. Contracts of this year in a handful of other streets, at different stages (a
   draft, one signed by the vendor, three in force), from small 比选 awards.

A contract already seeded is left alone: running the seed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation, User
from accounts.seeding import seed_demo_users
from catalogue.validation import purchase_refusal
from procurement.choices import (
    AwardStatus,
    BidStatus,
    LotStatus,
    Method,
    ProjectStatus,
)
from procurement.models import Award, Bid, BidLot, Lot, LotItem, ProcurementProject
from procurement.seeding import CUJIN_CODE, RETENDER_TITLE, RETENDER_YEAR
from procurement.services import published_catalogue
from vendors.models import Vendor

from . import services
from .choices import (
    ChangeKind,
    ChangeReason,
    EvidenceKind,
    ExtraWorkSide,
    OpinionSource,
    StandardResult,
    TrancheKind,
)
from .models import Contract, ContractItem
from .services import delivery as deliveries

# --- 1. the 2015 簇锦 contract ---------------------------------------------------------

CUJIN_START = dt.date(2015, 5, 1)
CUJIN_END = dt.date(2016, 4, 30)
CUJIN_SIGNED = dt.date(2015, 4, 27)  # within 30 days of the award notice (TL-13)
CUJIN_PUBLISHED = dt.date(2015, 4, 29)  # within 2 working days (TL-14)
CUJIN_FILED = dt.date(2015, 5, 6)  # within 7 days (TL-15)
CUJIN_ADVANCE_PAID = dt.date(2015, 5, 20)
CUJIN_TRANCHES = [
    {"kind": TrancheKind.ADVANCE, "share": "40", "due_on": "2015-05-31"},
    {
        "kind": TrancheKind.MIDTERM,
        "share": "30",
        "due_on": "2015-11-30",
        "needs_acceptance": True,
        "period_label": "中期",
    },
    {
        "kind": TrancheKind.FINAL,
        "share": "30",
        "due_on": "2016-05-31",
        "needs_acceptance": True,
        "period_label": "年度",
        "min_grade": "good",
        "deduction_share": "10",
    },
]
CUJIN_BOND = "47580.00"  # 2 % of the contract value (BD-04 allows up to 10 %)

# The deliverable that fell behind (seed 001: 20 of 25 targets reached, 80 %, and an
# extension asked for). The supplementary agreement raises its target in one
# community from 4 to 5 sessions, so the six communities' targets total 25; 20
# sessions are confirmed when the vendor asks for more time.
LAGGING_ITEM = "A11-05"  # “青年之家”与社区志愿服务项目组织, 4 场次 a year
LAGGING_RAISED_IN = 2  # the third community (by code) gets the 5th session
LAGGING_DELIVERED = [4, 4, 3, 3, 3, 3]  # confirmed sessions per community: 20
SUPPLEMENT_VALUE = Decimal("19800.00")  # 0.8 % of the original value (CT-01: ≤ 10 %)

# seed 000: community committee staff still did up to 43 of the contracted items.
RESIDUAL_ITEMS = 43
RESIDUAL_COMMUNITY = "CN-51-01-07-07-001"  # 铁佛社区, the `community` demo account's
RESIDUAL_REASONS = [
    "居民习惯到社区居委会办理，承接组织驻点人员不在岗",
    "承接组织人员尚未熟悉该项业务，社区工作人员代为办理",
    "上级部门直接将任务交办给社区居委会",
    "时间紧急，社区工作人员先行办理",
]

# Other deliveries reported in the first months: (item code, community index,
# sessions, confirmed?).
OTHER_DELIVERIES = [
    ("A01-14", 0, 1, True),
    ("A04-09", 0, 1, True),
    ("A04-09", 1, 1, True),
    ("A04-12", 3, 1, False),
    ("A11-04", 4, 1, False),
]


# --- 2. other streets' contracts -------------------------------------------------------

# (street, vendor, title, amount, item codes, stage, term in months). The vendors
# work in the street (the register's `streets`); the 晋阳 one tells seed 001's
# shape: ¥200,000 bundling 3 sub-projects over 8 months.
OTHER_CONTRACTS: list[dict[str, Any]] = [
    {
        "street": "CN-51-01-07-01",
        "vendor": "CN-51-01-07-V0006",
        "title": "浆洗街街道社区养老服务购买项目",
        "lot": "社区养老服务",
        "amount": "318000.00",
        "items": ["A04-09", "A04-12", "A12-03"],
        "stage": "active",
        "months": 12,
    },
    {
        "street": "CN-51-01-07-02",
        "vendor": "CN-51-01-07-V0009",
        "title": "望江路街道社区就业服务购买项目",
        "lot": "社区就业服务",
        "amount": "256000.00",
        "items": ["A01-07", "A01-10", "A01-14"],
        "stage": "active",
        "months": 12,
    },
    {
        "street": "CN-51-01-07-05",
        "vendor": "CN-51-01-07-V0032",
        "title": "火车南站街道社区便民服务购买项目",
        "lot": "社区便民服务",
        "amount": "388000.00",
        "items": ["A12-03", "A12-07", "A07-01", "A07-07"],
        "stage": "vendor_signed",
        "months": 12,
    },
    {
        "street": "CN-51-01-07-09",
        "vendor": "CN-51-01-07-V0056",
        "title": "晋阳街道社区社会组织孵化与志愿服务项目",
        "lot": "社区社会组织孵化与志愿服务",
        "amount": "200000.00",
        "items": ["A11-04", "A11-05", "A11-07"],
        "stage": "active",
        "months": 8,
    },
    {
        "street": "CN-51-01-07-12",
        "vendor": "CN-51-01-07-V0077",
        "title": "金花桥街道社区优抚与救助服务购买项目",
        "lot": "社区优抚与救助服务",
        "amount": "226000.00",
        "items": ["A03-13", "A07-03", "A07-05"],
        "stage": "draft",
        "months": 12,
    },
]
# Days before today: the award became final, the vendor signed, both signed.
OTHER_DAYS = {"final": 24, "start": 14, "signed": 16, "published": 15, "filed": 12}


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _communities(street: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            parent=street, kind=OrganisationKind.COMMUNITY
        ).order_by("code")
    )


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


# --- photos ---------------------------------------------------------------------------


def demo_photo(seed: int, taken: dt.datetime, place: tuple[float, float]) -> bytes:
    """A small JPEG drawn from `seed` (shapes different enough that no two seeds'
    perceptual hashes come near each other), with its capture time and GPS position
    in EXIF, as a phone would write them."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x0, y0 = rng.randrange(300), rng.randrange(220)
        box = (x0, y0, x0 + rng.randrange(20, 200), y0 + rng.randrange(20, 160))
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle(box, fill=colour)
        else:
            draw.ellipse(box, fill=colour)
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # Make
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    exif_ifd[36881] = "+08:00"  # OffsetTimeOriginal

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
        return (float(degrees), float(minutes), seconds)

    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", dms(place[0])
    gps[3], gps[4] = "E", dms(place[1])
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


# Around 簇锦 (Wuhou district, Chengdu).
CUJIN_PLACE = (30.6180, 104.0150)


# --- 1. the 簇锦 contract -------------------------------------------------------------


def _cujin_award() -> Award | None:
    buyer = Organisation.objects.get(code=CUJIN_CODE)
    project = ProcurementProject.objects.filter(
        buyer=buyer, fiscal_year=RETENDER_YEAR, title=RETENDER_TITLE
    ).first()
    if project is None:
        return None
    return (
        Award.objects.filter(lot__project=project, status=AwardStatus.FINAL)
        .select_related("lot")
        .first()
    )


def _deliver(
    contract: Contract,
    ci: ContractItem,
    *,
    vendor: User,
    reviewer: User | None,
    count: int,
    start: dt.date,
    notes: str,
    photos: list[tuple[str, bytes]],
    confirm: bool,
) -> Any:
    """One delivery report with its photos, confirmed by the community (or left
    awaiting it)."""
    record = deliveries.delivery_report(
        contract=contract,
        actor=vendor,
        contract_item=ci,
        period_start=start,
        period_end=start + dt.timedelta(days=27),
        count=count,
        notes=notes,
        files=[(EvidenceKind.PHOTO, _upload(n, c)) for n, c in photos],
    )
    if confirm:
        record = deliveries.delivery_confirm(delivery=record, actor=reviewer)
    return record


def _cujin_deliveries(
    contract: Contract, items: dict[tuple[str, str], ContractItem], communities: list
) -> None:
    vendor, community_user = _user("vendor"), _user("community")

    def reviewer(c: Organisation) -> User | None:
        # The `community` demo account works for 铁佛社区; the other communities'
        # staff have no demo accounts, so their sign-offs are recorded by the system.
        return community_user if c.code == RESIDUAL_COMMUNITY else None

    seed = 1000
    reused = None
    for idx, (community, sessions) in enumerate(
        zip(communities, LAGGING_DELIVERED, strict=True)
    ):
        ci = items[(LAGGING_ITEM, community.code)]
        for s in range(sessions):
            month = 5 + (s * 2 + idx) % 10  # May 2015 .. February 2016
            day = dt.date(2015 + (month - 1) // 12, (month - 1) % 12 + 1, 6)
            seed += 1
            photo = demo_photo(
                seed,
                _at(day + dt.timedelta(days=3), 15, 20),
                (CUJIN_PLACE[0] + idx * 0.004, CUJIN_PLACE[1] + s * 0.003),
            )
            name = f"{community.short_name or community.name}-青年之家-{s + 1}.jpg"
            photos = [(name, photo)]
            if idx == 1 and s == 2 and reused is not None:
                # The reused photo (flagged): 铁佛社区's first session photo sent
                # again with this report under another name.
                photos.append(
                    (f"{community.short_name or community.name}-活动现场.jpg", reused)
                )
            _deliver(
                contract,
                ci,
                vendor=vendor,
                reviewer=reviewer(community),
                count=1,
                start=day,
                notes=f"“青年之家”志愿服务项目第{s + 1}场",
                photos=photos,
                confirm=True,
            )
            if idx == 0 and s == 0:
                reused = photo
    for code, c_idx, count, confirm in OTHER_DELIVERIES:
        community = communities[c_idx]
        seed += 1
        day = dt.date(2015, 6, 8)
        _deliver(
            contract,
            items[(code, community.code)],
            vendor=vendor,
            reviewer=reviewer(community),
            count=count,
            start=day,
            notes="按计划开展",
            photos=[
                (
                    f"{community.short_name or community.name}-{code}.jpg",
                    demo_photo(seed, _at(day + dt.timedelta(days=4), 10), CUJIN_PLACE),
                )
            ],
            confirm=confirm,
        )


def _cujin_residual(contract: Contract, items: list[ContractItem]) -> None:
    """seed 000: the community's own staff still did 43 contracted items."""
    staff = _user("community")
    for n, ci in enumerate(items[:RESIDUAL_ITEMS]):
        deliveries.residual_work_record(
            contract=contract,
            actor=staff,
            contract_item=ci,
            happened_on=dt.date(2015, 5, 11) + dt.timedelta(days=4 * n),
            description=f"社区工作人员办理“{ci.item.name}”",
            hours=Decimal(1 + n % 4),
            reason=RESIDUAL_REASONS[n % len(RESIDUAL_REASONS)],
        )


def _cujin_extra_work(contract: Contract, community: Organisation) -> None:
    """seed 000: preparing the community for an inspection (社区迎检), asked of the
    vendor outside the contract; the vendor disputes it."""
    work = deliveries.extra_work_record(
        contract=contract,
        actor=_user("community"),
        side=ExtraWorkSide.COMMUNITY,
        community=community,
        requested_by_name="铁佛社区居委会 社区主任",
        description="社区迎检：迎接全国文明城市测评检查，安排承接组织驻点人员打扫院落、"
        "整理各类工作台账、布置宣传展板并陪同检查。",
        assigned_on=dt.date(2015, 9, 14),
        hours=Decimal("24"),
    )
    deliveries.extra_work_dispute(
        extra=work,
        actor=_user("vendor"),
        response="迎检准备不属于合同约定的139项服务事项，占用了驻点人员三天工作时间，"
        "影响了合同内服务的进度，且未给予任何补偿。",
    )


def _cujin_acceptance(contract: Contract) -> None:
    officer = _user("officer")
    acc = services.acceptance_create(
        contract=contract,
        actor=officer,
        period_label="中期",
        period_start=CUJIN_START,
        period_end=dt.date(2015, 10, 31),
    )
    standards = [
        {
            "item": line["item"],
            "result": (
                StandardResult.PARTLY
                if line["item"] == LAGGING_ITEM
                else StandardResult.MET
            ),
            "note": "进度滞后，已督促整改" if line["item"] == LAGGING_ITEM else "",
        }
        for line in acc.standards
    ]
    acc = services.acceptance_record(
        acceptance=acc,
        actor=officer,
        standards=standards,
        opinions=[
            {
                "source": OpinionSource.RESIDENT,
                "name": "铁佛社区居民代表",
                "opinion": "驻点服务时间固定，办事比以前方便。",
            },
            {
                "source": OpinionSource.RESIDENT_UNIT,
                "name": "驻区单位代表",
                "opinion": "活动组织较好，希望增加青年志愿服务场次。",
            },
        ],
        conclusion="中期验收合格；“青年之家”志愿服务项目进度滞后，须在年度内补足。",
        passed=True,
        accepted_on=dt.date(2015, 11, 10),
    )
    services.acceptance_publish(
        acceptance=acc, actor=officer, published_on=dt.date(2015, 11, 12)
    )


def seed_cujin_contract() -> Contract | None:
    """The 2015 簇锦 contract and its year. None when it is already there (or the
    re-tender's award is missing)."""
    award = _cujin_award()
    if award is None or Contract.objects.filter(award=award).exists():
        return None
    officer, vendor = _user("officer"), _user("vendor")
    with transaction.atomic():
        contract = services.contract_create_from_award(
            award=award,
            actor=officer,
            start_on=CUJIN_START,
            end_on=CUJIN_END,
            performance_bond=CUJIN_BOND,
            bond_form="银行保函",
            tranches=CUJIN_TRANCHES,
        )
        contract = services.contract_sign_vendor(contract=contract, actor=vendor)
        contract = services.contract_countersign(
            contract=contract, actor=officer, signed_on=CUJIN_SIGNED
        )
        services.contract_record_publication(
            contract=contract,
            actor=officer,
            published_on=CUJIN_PUBLISHED,
            url="http://www.ccgp-sichuan.gov.cn/",
        )
        services.contract_record_filing(
            contract=contract,
            actor=officer,
            filed_on=CUJIN_FILED,
            ref="武财采备〔2015〕0427号",
        )
        advance = contract.tranches.get(number=1)
        services.payment_tranche_request(tranche=advance, actor=vendor)
        services.payment_tranche_approve(tranche=advance, actor=officer)
        services.payment_tranche_pay(
            tranche=advance,
            actor=officer,
            paid_on=CUJIN_ADVANCE_PAID,
            payment_ref="武侯国库支付2015-05-0218",
        )

        communities = _communities(contract.buyer)
        # The supplementary agreement: one more 青年之家 session in one community.
        change = services.contract_change_propose(
            contract=contract,
            actor=officer,
            kind=ChangeKind.ADDITION,
            reason_code=ChangeReason.DEMAND_GROWTH,
            rationale="团区委在簇锦街道增设“青年之家”示范点，需在该社区增加1场次青年志愿服务项目组织，"
            "按原合同单价追加。",
            value_delta=SUPPLEMENT_VALUE,
            item_changes=[
                {
                    "item": LAGGING_ITEM,
                    "community": communities[LAGGING_RAISED_IN].code,
                    "target": 5,
                }
            ],
        )
        services.contract_change_accept(
            change=change, actor=vendor, note="同意按原单价追加。"
        )

        items = {
            (ci.item.code, ci.community.code): ci
            for ci in contract.items.select_related("item", "community")
        }
        _cujin_deliveries(contract, items, communities)
        residual = sorted(
            (ci for ci in items.values() if ci.community.code == RESIDUAL_COMMUNITY),
            key=lambda ci: ci.item.code,
        )
        _cujin_residual(contract, residual)
        _cujin_extra_work(contract, residual[0].community)
        _cujin_acceptance(contract)
        lagging = items[(LAGGING_ITEM, communities[0].code)]
        services.extension_request_create(
            contract=contract,
            actor=vendor,
            contract_item=lagging.pk,
            reason="“青年之家”志愿服务项目：补充协议后目标为25场次，已完成20场次（80%）。"
            "受社区迎检等合同外工作占用人员影响，申请延期两个月完成余下5场次。",
            requested_end_on=dt.date(2016, 6, 30),
        )
    return contract


# --- 2. other streets -----------------------------------------------------------------


def final_award(
    *,
    street: Organisation,
    vendor: Vendor,
    title: str,
    lot_name: str,
    amount: Decimal,
    items: list[Any],
    communities: list[Organisation],
    version: Any,
    fiscal_year: int,
    final_on: dt.date,
    actor: User | None = None,
) -> Award:
    """A small 比选 at 结果生效, as rows; the award already there (same street, title
    and fiscal year) is returned as it is.

    Why rows and not `procurement.services`: a 比选 needs a 7-member panel
    (`bixuan.panel.min_size`) with the street's own buyer representatives, which
    these streets have no demo accounts for, a rendered 比选文件 (WeasyPrint) and
    seven score sheets; driving them through the services would multiply the demo's
    run time for procurement data that procurement's own seed already shows end to
    end (the 2015 re-tender). The rows carry what a contract reads: the project, the
    lot with its items and communities, the winning bid and the final award. The
    assessments seed uses it too, for the 2014 簇锦 contract and the 2015 contracts
    of the 90-odd organisations.
    """
    existing = (
        Award.objects.filter(
            lot__project__buyer=street,
            lot__project__title=title,
            lot__project__fiscal_year=fiscal_year,
        )
        .select_related("lot__project")
        .first()
    )
    if existing is not None:
        return existing
    actor = actor or _user("admin")
    n = ProcurementProject.objects.filter(buyer=street, fiscal_year=fiscal_year).count()
    project = ProcurementProject.objects.create(
        code=f"{street.code}-{fiscal_year}-{n + 101:03d}",
        title=title,
        buyer=street,
        district=street.parent,
        catalogue_version=version,
        fiscal_year=fiscal_year,
        method=Method.BIXUAN,
        status=ProjectStatus.FINAL,
        description=f"{street.name}各社区{len(items)}项社区公共服务。",
        acceptance_plan="按季度抽查服务记录，年度由街道、社区和居民代表综合考核。",
        payment_terms=[
            {"name": "首期", "share": "40", "condition": "合同签订后"},
            {"name": "中期", "share": "30", "condition": "中期考核合格后"},
            {"name": "尾款", "share": "30", "condition": "年度考核合格后"},
        ],
        created_by=actor,
    )
    lot = Lot.objects.create(
        project=project,
        number=1,
        name=lot_name,
        budget=(amount * Decimal("1.05")).quantize(Decimal("1")),
        budget_source="fiscal",
        status=LotStatus.FINAL,
    )
    lot.communities.set(communities)
    LotItem.objects.bulk_create([LotItem(lot=lot, item=i) for i in items])
    submitted = _at(final_on - dt.timedelta(days=12), 10)
    bid = Bid.objects.create(
        project=project,
        vendor=vendor,
        status=BidStatus.QUALIFIED,
        submitted_at=submitted,
        sealed_content="",
        opened_at=submitted + dt.timedelta(days=2),
        technical_response=f"{vendor.name}在{street.name}开展{lot.name}的服务方案。",
        qualified=True,
    )
    BidLot.objects.create(bid=bid, lot=lot, price=amount, adjusted_price=amount)
    return Award.objects.create(
        lot=lot,
        bid=bid,
        amount=amount,
        status=AwardStatus.FINAL,
        confirmed_by=actor,
        confirmed_at=_at(final_on - dt.timedelta(days=8), 16),
        challenge_until=final_on - dt.timedelta(days=1),
        final_at=_at(final_on, 9),
    )


def _final_award(spec: dict[str, Any], today: dt.date) -> Award:
    """This year's small 比选 of one of `OTHER_CONTRACTS` (see `final_award`)."""
    street = Organisation.objects.get(code=spec["street"])
    existing = (
        Award.objects.filter(
            lot__project__buyer=street,
            lot__project__title=spec["title"],
            lot__project__fiscal_year=today.year,
        )
        .select_related("lot__project")
        .first()
    )
    if existing is not None:
        return existing
    version = published_catalogue(street.parent, today.year)
    assert version is not None, "load the catalogue first"
    items = [
        i
        for i in version.items.filter(code__in=spec["items"]).order_by("code")
        if not purchase_refusal(i)
    ]
    return final_award(
        street=street,
        vendor=Vendor.objects.get(organisation__code=spec["vendor"]),
        title=spec["title"],
        lot_name=spec["lot"],
        amount=Decimal(spec["amount"]),
        items=items,
        communities=_communities(street),
        version=version,
        fiscal_year=today.year,
        final_on=today - dt.timedelta(days=OTHER_DAYS["final"]),
    )


def _months_later(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + y, month=m + 1, day=1) - dt.timedelta(days=1)


def seed_other_contracts() -> int:
    """This year's contracts of other streets; returns how many were created."""
    today = timezone.localdate()
    admin = _user("admin")
    created = 0
    for spec in OTHER_CONTRACTS:
        with transaction.atomic():
            award = _final_award(spec, today)
            if Contract.objects.filter(award=award).exists():
                continue
            start = today - dt.timedelta(days=OTHER_DAYS["start"])
            contract = services.contract_create_from_award(
                award=award,
                actor=admin,
                start_on=start,
                end_on=_months_later(start.replace(day=1), spec["months"]),
            )
            if spec["stage"] in ("vendor_signed", "active"):
                # Signed on paper by the organisation (no demo account of its own),
                # recorded by the system.
                contract = services.contract_sign_vendor(contract=contract, actor=None)
            if spec["stage"] == "active":
                contract = services.contract_countersign(
                    contract=contract,
                    actor=admin,
                    signed_on=today - dt.timedelta(days=OTHER_DAYS["signed"]),
                )
                services.contract_record_publication(
                    contract=contract,
                    actor=admin,
                    published_on=today - dt.timedelta(days=OTHER_DAYS["published"]),
                )
                if spec["street"] != "CN-51-01-07-09":  # 晋阳's filing is overdue
                    services.contract_record_filing(
                        contract=contract,
                        actor=admin,
                        filed_on=today - dt.timedelta(days=OTHER_DAYS["filed"]),
                        ref=f"武财采备〔{today.year}〕{created + 1:04d}号",
                    )
            created += 1
    return created


def seed_contracts() -> int:
    """Both parts; returns how many contracts were created (0 on a second run)."""
    seed_demo_users()  # the officer, vendor, community and admin accounts act below
    created = int(seed_cujin_contract() is not None)
    return created + seed_other_contracts()
