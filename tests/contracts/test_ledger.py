"""The vendor's project ledger (台账, GPS-27): a workbook read back with openpyxl holds
the records behind the results — deliveries with their evidence, the community's own
work, extra work, payments with deductions, changes and extensions — and costs the
same number of queries however many rows the contract has."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from contracts import services
from contracts.exports import ledger_xlsx
from contracts.seeding import demo_photo
from contracts.services import delivery as deliveries

SHEETS = [
    "合同概况",
    "事项进度",
    "服务记录",
    "服务佐证",
    "社区自办",
    "合同外工作",
    "付款",
    "合同变更",
    "延期申请",
    "验收",
]
PLACE = (30.618, 104.015)


def photo(seed: int, name: str, taken: dt.datetime) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_photo(seed, taken, PLACE), "image/jpeg")


def read(content: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def rows_of(sheet: list[tuple]) -> list[dict]:
    header = sheet[0]
    return [dict(zip(header, r, strict=True)) for r in sheet[1:]]


def item_of(contract, code: str, community):
    return contract.items.get(item__code=code, community=community)


TRANCHES = [
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


@pytest.fixture
def contract(make_contract):
    return make_contract(tranches=TRANCHES)


@pytest.fixture
def filled(contract, personas, cworld):
    """A contract with a year's worth of records of every kind."""
    c1 = cworld.communities[0]  # personas.community works there
    ci = item_of(contract, "A03-05", c1)
    day = contract.start_on + dt.timedelta(days=2)
    taken = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 20)))
    first = photo(1, "巡访-1.jpg", taken)
    confirmed = deliveries.delivery_report(
        contract=contract,
        actor=personas.vendor,
        contract_item=ci,
        period_start=day,
        period_end=day + dt.timedelta(days=3),
        count=3,
        notes="困难群众巡访",
        files=[("photo", first)],
    )
    deliveries.delivery_confirm(delivery=confirmed, actor=personas.community)
    first.seek(0)
    # the same photo again with a second report, which stays awaiting confirmation
    deliveries.delivery_report(
        contract=contract,
        actor=personas.vendor,
        contract_item=ci,
        period_start=day + dt.timedelta(days=4),
        period_end=day + dt.timedelta(days=5),
        count=2,
        files=[
            ("photo", SimpleUploadedFile("巡访-2.jpg", first.read(), "image/jpeg")),
            ("photo", photo(2, "巡访-3.jpg", taken + dt.timedelta(days=4))),
        ],
    )
    deliveries.residual_work_record(
        contract=contract,
        actor=personas.community,
        contract_item=ci,
        happened_on=day,
        description="社区工作人员代为巡访",
        hours="2.5",
        reason="承接组织人员未到岗",
    )
    extra = deliveries.extra_work_record(
        contract=contract,
        actor=personas.community,
        side="community",
        community=c1,
        requested_by_name="社区居委会 主任",
        # a typed text that looks like a formula must stay text in Excel
        description='=HYPERLINK("http://x") 社区迎检准备',
        assigned_on=day,
        hours="16",
    )
    deliveries.extra_work_dispute(
        extra=extra, actor=personas.vendor, response="不属于合同内容"
    )
    advance = contract.tranches.get(number=1)
    services.payment_tranche_request(tranche=advance, actor=personas.vendor)
    services.payment_tranche_approve(tranche=advance, actor=personas.officer)
    services.payment_tranche_pay(
        tranche=advance,
        actor=personas.officer,
        paid_on=timezone.localdate(),
        payment_ref="ZF-001",
    )
    services.payment_tranche_apply_assessment(
        contract=contract,
        period_label="年度",
        grade="fair",
        score="72",
        source="年度考核",
        actor=personas.officer,
    )
    change = services.contract_change_propose(
        contract=contract,
        actor=personas.officer,
        kind="addition",
        reason_code="demand_growth",
        rationale="增加巡访户数",
        value_delta="5000",
    )
    services.contract_change_accept(change=change, actor=personas.vendor)
    services.extension_request_create(
        contract=contract,
        actor=personas.vendor,
        contract_item=ci.pk,
        reason="人员不足",
        requested_end_on=contract.end_on + dt.timedelta(days=60),
    )
    return contract


def test_the_ledger_has_a_sheet_for_each_kind_of_record(filled):
    # when
    book = read(ledger_xlsx(filled))
    # then
    assert list(book) == SHEETS
    summary = dict(book["合同概况"][1:])
    assert summary["合同编号"] == filled.code
    assert summary["承接组织"] == filled.vendor.organisation.name
    assert summary["合同金额（元）"] == 205000.0  # 200,000 + the agreement
    assert summary["原合同金额（元）"] == 200000.0
    assert summary["已支付（元）"] == 80000.0
    assert summary["扣减合计（元）"] == 6250.0  # 10 % of the final 62,500


def test_progress_per_item_and_community(filled, cworld):
    book = read(ledger_xlsx(filled))
    rows = rows_of(book["事项进度"])
    # every contract item is a row
    assert len(rows) == len(cworld.items) * len(cworld.communities)
    row = next(
        r
        for r in rows
        if r["事项编号"] == "A03-05" and r["社区"] == cworld.communities[0].name
    )
    ci = item_of(filled, "A03-05", cworld.communities[0])
    assert row["目标数量"] == ci.target
    assert row["已签收数量"] == 3
    assert row["待签收数量"] == 2
    assert row["完成率（%）"] == pytest.approx(float(Decimal(300) / ci.target), 0.01)
    assert row["社区自办次数"] == 1
    assert row["社区自办工时（小时）"] == 2.5


def test_deliveries_carry_evidence_names_capture_times_and_the_reused_photo(filled):
    book = read(ledger_xlsx(filled))
    records = rows_of(book["服务记录"])
    assert [(r["数量"], r["状态"]) for r in records] == [
        (3, "社区已签收"),
        (2, "待社区签收"),
    ]
    assert records[0]["佐证文件"] == "巡访-1.jpg"
    assert records[1]["佐证文件"] == "巡访-2.jpg；巡访-3.jpg"
    assert records[1]["疑似重复使用"] == "巡访-2.jpg"
    assert records[0]["疑似重复使用"] is None  # an empty cell
    day = filled.start_on + dt.timedelta(days=2)
    assert records[0]["拍摄时间"] == f"{day.isoformat()} 15:20:00"
    evidence = rows_of(book["服务佐证"])
    assert [e["文件名"] for e in evidence] == ["巡访-1.jpg", "巡访-2.jpg", "巡访-3.jpg"]
    flagged = [e for e in evidence if e["疑似重复使用"]]
    assert len(flagged) == 1
    assert "巡访-1.jpg" in flagged[0]["疑似重复使用"]
    assert flagged[0]["差异度"] == 0
    assert evidence[0]["纬度"] == pytest.approx(PLACE[0], abs=1e-4)


def test_residual_and_extra_work(filled):
    book = read(ledger_xlsx(filled))
    (residual,) = rows_of(book["社区自办"])
    assert residual["所做工作"] == "社区工作人员代为巡访"
    assert residual["工时（小时）"] == 2.5
    assert residual["原因"] == "承接组织人员未到岗"
    (extra,) = rows_of(book["合同外工作"])
    assert extra["状态"] == "承接组织有异议"
    assert extra["承接组织意见"] == "不属于合同内容"
    assert extra["工时（小时）"] == 16.0
    # the formula-looking text came back as text, not as a formula
    assert extra["工作内容"].startswith("=HYPERLINK")
    wb = load_workbook(io.BytesIO(ledger_xlsx(filled)))
    cell = wb["合同外工作"]["E2"]
    assert cell.data_type == "s"


def test_payments_show_the_deduction_and_its_reason(filled):
    book = read(ledger_xlsx(filled))
    payments = rows_of(book["付款"])
    # the ¥5,000 addition went to the two open tranches (60,000 → 62,500 each) and
    # every share was restated against ¥205,000: 80,000 / 205,000 = 39.02 %
    assert [p["比例（%）"] for p in payments] == [39.02, 30.49, 30.49]
    first, _mid, final = payments
    assert first["状态"] == "已支付"
    assert first["实付金额（元）"] == 80000.0
    assert first["支付凭证号"] == "ZF-001"
    assert final["考核等级"] == "中"
    # 10 % of 62,500
    assert final["扣减金额（元）"] == 6250.0
    assert final["扣减理由"]
    assert final["应付金额（元）"] == 56250.0


def test_changes_and_extensions(filled):
    book = read(ledger_xlsx(filled))
    (change,) = rows_of(book["合同变更"])
    assert change["金额变化（元）"] == 5000.0
    assert change["状态"] == "已生效"
    assert change["提出方"] == "购买主体"
    (ext,) = rows_of(book["延期申请"])
    assert ext["状态"] == "待审批"
    assert ext["延期理由"] == "人员不足"
    assert "A03-05" in ext["延期对象"]
    assert "数量3/" in ext["申请时完成情况"]
    assert ext["数量完成率（%）"] is not None


def test_an_empty_contract_gives_headers_only(contract):
    book = read(ledger_xlsx(contract))
    assert list(book) == SHEETS
    assert len(book["服务记录"]) == 1
    assert len(book["付款"]) == 4  # the default three tranches


def test_the_number_of_queries_does_not_grow_with_rows(filled, personas, cworld):
    # given: the ledger's queries with the fixture's records
    with CaptureQueriesContext(connection) as small:
        ledger_xlsx(filled)
    # when: many more deliveries (with evidence), residual and extra work
    c2 = cworld.communities[1]
    day = filled.start_on + dt.timedelta(days=1)
    for n in range(6):
        for code in ("A03-05", "A03-06"):
            ci = item_of(filled, code, c2)
            deliveries.delivery_report(
                contract=filled,
                actor=personas.vendor,
                contract_item=ci,
                period_start=day,
                period_end=day,
                count=1,
                files=[
                    (
                        "photo",
                        photo(
                            100 + n * 2 + (code == "A03-06"),
                            f"p{n}.jpg",
                            timezone.now(),
                        ),
                    )
                ],
            )
            deliveries.residual_work_record(
                contract=filled,
                actor=personas.community,
                contract_item=item_of(filled, code, cworld.communities[0]),
                happened_on=day,
                description="代办",
                hours="1",
                reason="人手",
            )
    with CaptureQueriesContext(connection) as large:
        content = ledger_xlsx(filled)
    # then: the same number of queries, and the new rows are in the file
    assert len(large) == len(small)
    assert len(large) <= 15
    book = read(content)
    assert len(book["服务记录"]) == 1 + 2 + 12
    assert len(book["社区自办"]) == 1 + 1 + 12
