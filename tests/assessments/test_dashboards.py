"""The assessment dashboards (issue #7 §8): a district's and a street's grade
distribution, ranking, trend, residents' satisfaction per community and extra and
residual work, as tables (what is asserted here), charts and .xlsx downloads."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

import assessments.services as asvc
import contracts.services as csvc
from contracts.models import ExtraWork, ResidualWork
from tests.assessments.conftest import all_  # noqa: E402
from tests.contracts.conftest import *  # noqa: F403
from tests.contracts.conftest import make_final_award

pytestmark = pytest.mark.django_db

URL = "/assessments/dashboard/"


def dashboard_url(**params) -> str:
    url = reverse("assessments_dashboards:dashboard")
    assert url == URL
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def residents(rnd, officer, contract, community, *points):
    """One resident answer per value, by one-time tokens of `community`."""
    raws = asvc.resident_tokens_issue(
        round=rnd,
        actor=officer,
        contract=contract,
        community=community,
        count=len(points),
        batch=f"批次{community.pk}",
    )
    for raw, p in zip(raws, points, strict=True):
        asvc.resident_answer(raw_token=raw, answers=all_(p))


def contract_for(vendor, code, *, cworld, make_contract, personas, orgs):
    """An active S1 contract of `vendor` (signed by its own staff) for the world's
    items in S1's two communities."""
    award = make_final_award(
        buyer=orgs.s1,
        vendor=vendor,
        items=cworld.items,
        communities=cworld.communities,
        code=code,
    )
    contract = make_contract(award=award, status="draft")
    contract = csvc.contract_sign_vendor(
        contract=contract, actor=cworld.world.staff[vendor.pk]
    )
    return csvc.contract_countersign(contract=contract, actor=personas.officer)


def open_round(plan, officer, label, start, end):
    return asvc.round_open(
        plan=plan, actor=officer, label=label, period_start=start, period_end=end
    )


def table(body: str, table_id: str) -> list[list[str]]:
    """The rows of a table of the page as lists of cell texts (tags stripped)."""
    m = re.search(rf'<table class="table" id="{table_id}">(.*?)</table>', body, re.S)
    assert m, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)
    out = []
    for r in rows:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        out.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return out[1:]  # without the header


def sheet(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def district(make_contract, cworld, personas, orgs):
    """S1's 2026 plan on two contracts, scored twice:
    上半年: A (vendors.own) 80 → 良, B (another vendor) 50 → 差;
    年度:   A: departments 90, residents 铁佛 80/60 and 簇桥 100 → 87.50 良;
            B: departments 70 only → 70.00 中.
    Plus extra work and residual work recorded on A in 2026 (and some not counted)."""
    a = make_contract()
    b = contract_for(
        cworld.world.bidders[1],
        "CG-2026-002",
        cworld=cworld,
        make_contract=make_contract,
        personas=personas,
        orgs=orgs,
    )
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="2026年度考核",
        year=2026,
        period_kind="half",
        contracts=[a, b],
    )
    half = open_round(plan, personas.officer, "上半年", "2026-01-01", "2026-06-30")
    for contract, points in ((a, 80), (b, 50)):
        asvc.scorecard_submit(
            round=half, actor=personas.dept, contract=contract, answers=all_(points)
        )
    asvc.round_score(round=half, actor=personas.officer)
    year = open_round(plan, personas.officer, "年度", "2026-01-01", "2026-12-31")
    asvc.scorecard_submit(round=year, actor=personas.dept, contract=a, answers=all_(90))
    asvc.scorecard_submit(round=year, actor=personas.dept, contract=b, answers=all_(70))
    c1b = cworld.communities[1]
    residents(year, personas.officer, a, orgs.c1, 80, 60)
    residents(year, personas.officer, a, c1b, 100)
    asvc.round_score(round=year, actor=personas.officer)

    items = list(a.items.order_by("pk"))
    now = timezone.now()

    def extra(day, hours, status="recorded"):
        ExtraWork.objects.create(
            contract=a,
            community=orgs.c1,
            side="community",
            requested_by_name="铁佛社区",
            description="社区迎检准备",
            assigned_on=day,
            hours=Decimal(hours),
            status=status,
            recorded_at=now,
        )

    extra(dt.date(2026, 3, 1), "4")
    extra(dt.date(2026, 9, 1), "2", status="approved")
    extra(dt.date(2026, 10, 1), "8", status="refused")  # 不予认定: not counted
    extra(dt.date(2025, 12, 1), "5")  # another year

    def residual(item, day, hours):
        ResidualWork.objects.create(
            contract=a,
            contract_item=item,
            happened_on=day,
            description="社区自行入户探访",
            hours=Decimal(hours),
            reason="承接组织人手不足",
            recorded_at=now,
        )

    residual(items[0], dt.date(2026, 2, 1), "3")
    residual(items[0], dt.date(2026, 4, 1), "1.5")
    residual(items[1], dt.date(2026, 5, 1), "2")
    residual(items[2], dt.date(2025, 5, 1), "6")  # another year
    return SimpleNamespace(a=a, b=b, plan=plan, half=half, year=year, c1b=c1b)


# --- the tables ---------------------------------------------------------------------------


def test_the_district_sees_grades_ranking_and_trend(district, personas, web):
    # when: the district's administrator opens the dashboard (no year: the latest)
    response = web(personas.admin).get(dashboard_url())
    body = response.content.decode()
    # then: four results in 2026 — 良 twice, 中 once, 差 once
    assert response.status_code == 200
    assert "测试区一" in body
    assert table(body, "grades-table") == [
        ["优", "0", "0.0"],
        ["良", "2", "50.0"],
        ["中", "1", "25.0"],
        ["差", "1", "25.0"],
    ]
    # and: the ranking is the latest scored round (年度)
    a, b = district.a, district.b
    assert table(body, "ranking-table") == [
        ["1", "同行社会工作服务中心", "簇锦街道", a.code, "年度", "87.50", "良"],
        ["2", b.vendor.organisation.name, "簇锦街道", b.code, "年度", "70.00", "中"],
    ]
    # and: the trend per period: the mean total and the count
    assert table(body, "trend-table") == [
        ["2026 上半年", "2026-01-01 – 2026-06-30", "65.00", "2", "0"],
        ["2026 年度", "2026-01-01 – 2026-12-31", "78.75", "2", "0"],
    ]
    # and: the charts get the same numbers, with ECharts from the vendored copy
    assert 'id="dashboard-data"' in body
    assert "vendor/echarts-6.1.0/echarts.min.js" in body
    assert "js/dashboard.js" in body


def test_residents_satisfaction_per_community(district, personas, orgs, web):
    # when
    body = web(personas.officer).get(dashboard_url()).content.decode()
    # then: 簇桥 one resident at 100; 铁佛 two at 80 and 60 → 70
    assert table(body, "satisfaction-table") == [
        ["簇桥社区", "100.00", "1"],
        ["铁佛社区", "70.00", "1"],
    ]
    assert "居民评价表换算为 0–100 分" in body


def test_extra_and_residual_work_against_the_contracts_items(district, personas, web):
    # given: A has 6 items (3 items × 2 communities), B as many and no records
    assert district.a.items.filter(active=True).count() == 6
    # when
    body = web(personas.officer).get(dashboard_url(year=2026)).content.decode()
    rows = {r[0]: r for r in table(body, "work-table")}
    # then: A: 2 extra tasks of 2026 (the refused one and 2025's left out) of 6 items;
    # residual work on 2 of its 6 items in 2026
    assert rows[district.a.code][3:] == [
        "6",
        "2",
        "6.0",
        "33.3",
        "3",
        "6.5",
        "2",
        "33.3",
    ]
    assert rows[district.b.code][3:] == ["6", "0", "0", "0.0", "0", "0", "0", "0.0"]


def test_each_section_exports_the_same_numbers(district, personas, web):
    client = web(personas.admin)
    # when: the ranking is exported
    rows = sheet(client.get(dashboard_url(year=2026, export="ranking")))
    # then: the header and the page's rows, numbers as numbers
    assert rows[0] == ["名次", "承接组织", "街道", "合同编号", "考核期", "总分", "等级"]
    assert rows[1] == [
        1,
        "同行社会工作服务中心",
        "簇锦街道",
        district.a.code,
        "年度",
        87.5,
        "良",
    ]
    assert rows[2][0] == 2
    assert rows[2][5] == 70.0
    # and: the grades, the trend, the satisfaction and the work
    grades = sheet(client.get(dashboard_url(year=2026, export="grades")))
    assert grades[1:] == [
        ["优", 0, 0.0],
        ["良", 2, 50.0],
        ["中", 1, 25.0],
        ["差", 1, 25.0],
    ]
    trend = sheet(client.get(dashboard_url(year=2026, export="trend")))
    assert [r[2] for r in trend[1:]] == [65.0, 78.75]
    sat = sheet(client.get(dashboard_url(year=2026, export="satisfaction")))
    assert sat[1:] == [["簇桥社区", 100.0, 1], ["铁佛社区", 70.0, 1]]
    work = sheet(client.get(dashboard_url(year=2026, export="work")))
    a_row = next(r for r in work[1:] if r[0] == district.a.code)
    assert a_row[3:] == [6, 2, 6.0, 33.3, 3, 6.5, 2, 33.3]
    # and: "all" is one sheet per section; an unknown section is a 404
    everything = client.get(dashboard_url(year=2026, export="all"))
    assert len(load_workbook(io.BytesIO(everything.content)).worksheets) == 5
    assert client.get(dashboard_url(export="nonsense")).status_code == 404


def test_failed_and_unscored_rounds_show_in_the_grades(
    make_contract, personas, orgs, web
):
    # given: a plan that fails when a group is missing, scored with departments only,
    # and a second round not scored yet
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="缺席即不成立",
        year=2026,
        period_kind="half",
        contracts=[contract],
        missing_rule="fail",
    )
    half = open_round(plan, personas.officer, "上半年", "2026-01-01", "2026-06-30")
    asvc.scorecard_submit(
        round=half, actor=personas.dept, contract=contract, answers=all_(95)
    )
    asvc.round_score(round=half, actor=personas.officer)
    open_round(plan, personas.officer, "下半年", "2026-07-01", "2026-12-31")
    # when
    body = web(personas.officer).get(dashboard_url()).content.decode()
    # then: one result 不成立, one contract 未计分; the failed result is not ranked
    assert table(body, "grades-table")[-2:] == [
        ["不成立", "1", "50.0"],
        ["未计分", "1", "50.0"],
    ]
    assert table(body, "ranking-table") == [
        [
            "—",
            "同行社会工作服务中心",
            "簇锦街道",
            contract.code,
            "上半年",
            "—",
            "不成立",
        ]
    ]
    assert table(body, "trend-table") == [
        ["2026 上半年", "2026-01-01 – 2026-06-30", "—", "0", "1"]
    ]


def test_no_results_shows_no_data(personas, orgs, web):
    # when: a street without any plan
    response = web(personas.other_officer).get(dashboard_url())
    body = response.content.decode()
    # then: the page works, each chart says so, and the export is an empty table
    assert response.status_code == 200
    assert body.count("暂无数据") == 5
    assert "ranking-table" not in body
    rows = sheet(web(personas.other_officer).get(dashboard_url(export="ranking")))
    assert rows == [["名次", "承接组织", "街道", "合同编号", "考核期", "总分", "等级"]]


# --- who sees what ----------------------------------------------------------------------


def test_a_street_sees_its_own_street_only(district, personas, orgs, web):
    # when: S2's officer opens the dashboard
    response = web(personas.other_officer).get(dashboard_url())
    body = response.content.decode()
    # then: S2's (empty) figures, not S1's
    assert response.status_code == 200
    assert "玉林街道" in body
    assert district.a.code not in body
    # and: asking for S1 is a 404, as is S1's officer asking for S2 or the district
    assert (
        web(personas.other_officer).get(dashboard_url(street=orgs.s1.pk)).status_code
        == 404
    )
    assert (
        web(personas.officer).get(dashboard_url(street=orgs.s2.pk)).status_code == 404
    )
    assert (
        web(personas.officer).get(dashboard_url(district=orgs.d1.pk)).status_code == 404
    )


def test_the_district_picks_a_street(district, personas, orgs, web):
    client = web(personas.admin)
    # when: S2 is picked
    body = client.get(dashboard_url(street=orgs.s2.pk)).content.decode()
    # then: S2 has no results
    assert "ranking-table" not in body
    # when: S1 is picked (by the page's picker), its results are there
    body = client.get(dashboard_url(place=f"street:{orgs.s1.pk}")).content.decode()
    assert district.a.code in body
    # and: a street of another district, or garbage, is a 404
    assert client.get(dashboard_url(street=orgs.s3.pk)).status_code == 404
    assert client.get(dashboard_url(street="abc")).status_code == 404
    assert (
        web(personas.outsider).get(dashboard_url(street=orgs.s1.pk)).status_code == 404
    )


def test_another_district_sees_nothing_of_ours(district, personas, web):
    body = web(personas.outsider).get(dashboard_url()).content.decode()
    assert "测试区二" in body
    assert district.a.code not in body


@pytest.mark.parametrize("persona", ["vendor", "community", "assessor", "expert"])
def test_who_does_not_read_contracts_is_refused(persona, personas, web):
    response = web(getattr(personas, persona)).get(dashboard_url())
    assert response.status_code == 403


def test_anonymous_goes_to_login(web):
    response = web(None).get(dashboard_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_nav_links_the_dashboard_for_readers_only(personas, web):
    link = f'href="{dashboard_url()}"'
    assert link in web(personas.auditor).get("/assessments/").content.decode()
    assert link not in web(personas.community).get("/assessments/").content.decode()


# --- the vendored chart library ----------------------------------------------------------


def test_echarts_is_vendored_with_its_licence():
    base = Path(settings.BASE_DIR) / "static" / "vendor" / "echarts-6.1.0"
    js = (base / "echarts.min.js").read_text(encoding="utf-8")
    assert "Apache License, Version 2.0" in js[:2000]
    assert "Apache License" in (base / "LICENSE").read_text(encoding="utf-8")
    assert "Apache ECharts" in (base / "NOTICE").read_text(encoding="utf-8")
    readme = (Path(settings.BASE_DIR) / "static" / "vendor" / "README.md").read_text(
        encoding="utf-8"
    )
    assert "echarts@6.1.0" in readme
    assert (Path(settings.BASE_DIR) / "static" / "js" / "dashboard.js").exists()


# --- queries --------------------------------------------------------------------------------


def _more_contracts(n, *, cworld, make_contract, personas, orgs, start):
    """A scored 2026 plan of S1 on n more contracts, each with a department card,
    two residents' answers and extra and residual work."""
    contracts = [
        contract_for(
            cworld.world.bidders[i % 4],
            f"CG-Q-{start + i}",
            cworld=cworld,
            make_contract=make_contract,
            personas=personas,
            orgs=orgs,
        )
        for i in range(n)
    ]
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name=f"查询预算{start}",
        year=2026,
        period_kind="year",
        contracts=contracts,
    )
    rnd = open_round(plan, personas.officer, "年度", "2026-01-01", "2026-12-31")
    now = timezone.now()
    for c in contracts:
        asvc.scorecard_submit(
            round=rnd, actor=personas.dept, contract=c, answers=all_(85)
        )
        residents(rnd, personas.officer, c, orgs.c1, 75)
        ExtraWork.objects.create(
            contract=c,
            side="department",
            requested_by_name="社区发展科",
            description="迎检",
            assigned_on=dt.date(2026, 6, 1),
            hours=Decimal("3"),
            recorded_at=now,
        )
        ResidualWork.objects.create(
            contract=c,
            contract_item=c.items.first(),
            happened_on=dt.date(2026, 6, 2),
            description="自办",
            hours=Decimal("1"),
            reason="人手不足",
            recorded_at=now,
        )
    asvc.round_score(round=rnd, actor=personas.officer)
    return contracts


def test_queries_do_not_grow_with_the_results(
    cworld, make_contract, personas, orgs, web
):
    # given: 2 scored contracts
    kw = {"cworld": cworld, "make_contract": make_contract, "personas": personas}
    _more_contracts(2, orgs=orgs, start=100, **kw)
    client = web(personas.admin)
    client.get(dashboard_url())  # warm up: session, content types
    with CaptureQueriesContext(connection) as small:
        response = client.get(dashboard_url())
    assert response.status_code == 200
    assert len(table(response.content.decode(), "ranking-table")) == 2
    # when: 10 of them, in two plans
    _more_contracts(8, orgs=orgs, start=200, **kw)
    with CaptureQueriesContext(connection) as large:
        response = client.get(dashboard_url())
    assert len(table(response.content.decode(), "ranking-table")) == 10
    with CaptureQueriesContext(connection) as export:
        exported = client.get(dashboard_url(export="all"))
    assert exported.status_code == 200
    # then: the same number of queries, within a budget; the export needs no more
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    assert len(large) <= 16, [q["sql"][:120] for q in large.captured_queries]
    assert len(export) <= len(large)
