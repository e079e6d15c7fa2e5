"""Procurement benchmarks: the 139-item tender document and the evaluation arithmetic.

Never a timed test: every figure is a ratio to a baseline measured in the same run.

1. `render_tender_pdf(doc)` of a one-lot project with the 139 duties of the 2015
   catalogue (queries, template, WeasyPrint) against `core.pdf.html_to_pdf` on the
   same HTML rendered beforehand: the ratio is what building the document costs on
   top of WeasyPrint itself.
2. `scoring.evaluate_lot` for 10 bids × 7 members × 20 criteria against a naive sum
   of the same sheets (no price formula, rounding, objective checks or ranking).

Run with `make bench` (all suites) or `python bench/bench_procurement.py`.
`BENCH_PDF_REPEAT` sets the number of timed renderings of each (default 5).
"""

from __future__ import annotations

import os
import tempfile

# Job files of this run go to a throw-away folder, not the project's media.
MEDIA = tempfile.TemporaryDirectory(prefix="bench-media-")
os.environ.setdefault("SERVICEPACT_MEDIA_ROOT", MEDIA.name)

import datetime as dt  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

from benchlib import REPEAT, ROOT, connection  # noqa: E402, I001
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PDF_REPEAT = int(os.environ.get("BENCH_PDF_REPEAT", "5"))
# One evaluation takes about a millisecond: many more calls for a steady median.
SCORING_REPEAT = REPEAT * 20
ON = dt.date(2016, 3, 1)  # the project is made on the rules of this day


def timed(base, target, repeat: int, warm: int = 1) -> tuple[float, float]:
    """Median seconds of `repeat` calls of each, after `warm` untimed ones; the two
    are called in turn so that a busy machine slows both alike."""
    for _ in range(warm):
        base()
        target()
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((base, timings[0]), (target, timings[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(timings[0]), statistics.median(timings[1])


def build_project():
    """A published catalogue with the 139 duties of 2015 (all purchasable), and a
    one-lot project of all of them for 簇锦街道's communities, with its version 1."""
    from accounts.choices import OrganisationKind
    from accounts.models import Organisation, User
    from accounts.seeding import seed_demo_users, seed_organisations
    from catalogue.choices import OutsourceScope, VersionStatus
    from catalogue.models import CatalogueVersion, ServiceItem
    from catalogue.seeding import seed_reference_data
    from catalogue.validation import purchase_refusal
    from procurement import services
    from procurement.documents import ensure_rendered

    seed_organisations()
    seed_reference_data()
    seed_demo_users()
    officer = User.objects.get(username="officer")
    buyer = officer.active_memberships()[0].organisation
    v2015 = CatalogueVersion.objects.get(year=2015)
    bench = CatalogueVersion.objects.create(
        region=v2015.region,
        year=ON.year,
        title="139 项目录（基准测试）",
        status=VersionStatus.PUBLISHED,
    )
    copies = []
    for item in v2015.items.all():
        fields = {
            f.name: getattr(item, f.name)
            for f in ServiceItem._meta.concrete_fields
            if f.name not in ("id", "version", "created_at", "updated_at")
        }
        copy = ServiceItem(version=bench, **fields)
        if purchase_refusal(copy):  # the four prohibited duties and the like
            copy.outsource_scope, copy.allowed_steps = OutsourceScope.FULL, []
            copy.prohibited_reason = ""
        copies.append(copy)
    ServiceItem.objects.bulk_create(copies)
    communities = Organisation.objects.filter(
        parent=buyer, kind=OrganisationKind.COMMUNITY
    )
    criteria = [
        {"code": "plan", "name": "服务方案", "weight": "35", "kind": "subjective"},
        {"code": "team", "name": "团队与管理", "weight": "20", "kind": "subjective"},
        {"code": "record", "name": "同类项目经验", "weight": "15", "kind": "objective"},
    ]
    project = services.project_create(
        actor=officer,
        buyer=buyer,
        on=ON,
        data={
            "title": "簇锦街道社区公共服务重新采购（基准测试）",
            "fiscal_year": ON.year,
            "method": "tender",
            "scoring_method": "comprehensive",
            "price_weight": "30",
            "criteria": criteria,
            "qualification_conditions": ["在武侯区设有固定服务场所"],
            "term_years": 1,
            "payment_terms": [
                {"name": "首付", "share": "40", "condition": "合同签订后"},
                {"name": "尾款", "share": "60", "condition": "年度考核合格后"},
            ],
            "sme_exemption": True,
            "sme_exemption_reason": "面向社会组织采购（SME-04）",
            "bid_bond": "40000.00",
            "lots": [
                {
                    "name": "簇锦街道 139 项社区公共服务",
                    "budget": "2379000.00",
                    "budget_source": "fiscal",
                    "communities": [c.pk for c in communities],
                    "items": [c.pk for c in copies],
                }
            ],
        },
    )
    return ensure_rendered(
        services.tender_document_generate(actor=officer, project=project)
    )


def bench_pdf(doc) -> list[dict]:
    from core.pdf import html_to_pdf
    from procurement.documents import render_tender_html, render_tender_pdf

    html, _context = render_tender_html(doc)
    with CaptureQueriesContext(connection) as queries:
        pdf, info = render_tender_pdf(doc)
    base, full = timed(
        lambda: html_to_pdf(html), lambda: render_tender_pdf(doc), PDF_REPEAT
    )
    return [
        {
            "target": "baseline: html_to_pdf on the same pre-rendered HTML",
            "median_ms": base * 1000,
            "ratio": 1.0,
            "queries": 0,
            "pages": info["pages"],
            "bytes": len(pdf),
        },
        {
            "target": f"render_tender_pdf, {info['items']} items",
            "median_ms": full * 1000,
            "ratio": full / base,
            "queries": len(queries),
            "pages": info["pages"],
            "bytes": info["bytes"],
        },
    ]


def scoring_data(bids: int = 10, members: int = 7, n_criteria: int = 20):
    """Prices and sheets of one lot; a quarter of the criteria are objective (all
    members give the same points)."""
    from procurement.scoring import Criterion

    rng = random.Random(2015)
    weight = Decimal(70) / n_criteria
    criteria = [
        Criterion(f"c{k:02d}", f"评分因素{k}", weight, objective=k % 4 == 0)
        for k in range(n_criteria)
    ]
    prices = {}
    for b in range(bids):
        price = Decimal(rng.randint(1_800_000, 2_379_000))
        prices[b] = (price, price)
    sheets: dict[str, dict[int, dict[str, Decimal]]] = {
        f"m{m}": {b: {} for b in range(bids)} for m in range(members)
    }
    for b in range(bids):
        for c in criteria:
            agreed = Decimal(rng.randint(0, int(weight * 10))) / 10
            for m in range(members):
                points = (
                    agreed
                    if c.objective
                    else Decimal(rng.randint(0, int(weight * 10))) / 10
                )
                sheets[f"m{m}"][b][c.code] = points
    return prices, sheets, criteria


def bench_scoring() -> list[dict]:
    from procurement.scoring import evaluate_lot

    prices, sheets, criteria = scoring_data()

    def naive():
        totals = {}
        for b in prices:
            totals[b] = sum(
                (sheet[b][c.code] for sheet in sheets.values() for c in criteria),
                Decimal(0),
            ) / len(sheets)
        return totals

    def full():
        return evaluate_lot(
            prices=prices,
            sheets=sheets,
            criteria=criteria,
            price_weight=Decimal(30),
            lowest_price=False,
            tie_seed="bench",
        )

    result = full()
    assert [r.rank for r in result.rows] == list(range(1, len(prices) + 1))
    base, median = timed(naive, full, SCORING_REPEAT, warm=10)
    return [
        {
            "target": "baseline: naive sum of the same sheets",
            "median_ms": base * 1000,
            "ratio": 1.0,
        },
        {
            "target": "evaluate_lot, 10 bids × 7 members × 20 criteria",
            "median_ms": median * 1000,
            "ratio": median / base,
        },
    ]


def main() -> int:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("celery").setLevel(logging.WARNING)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        doc = build_project()
        pdf = bench_pdf(doc)
        scoring = bench_scoring()
        print(
            f"procurement — database: {connection.vendor}; PDF repeats: {PDF_REPEAT}; "
            f"scoring repeats: {SCORING_REPEAT}; ratio = median / baseline of the same kind, same run"
        )
        print(f"{'target':<60} {'ratio':>7} {'queries':>8} {'pages':>6} {'KiB':>7}")
        for r in pdf:
            print(
                f"{r['target']:<60} {r['ratio']:>7.2f} {r['queries']:>8} "
                f"{r['pages']:>6} {r['bytes'] / 1024:>7.1f}"
            )
        for r in scoring:
            print(f"{r['target']:<60} {r['ratio']:>7.2f}")
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "procurement.json").write_text(
            json.dumps(
                {"database": connection.vendor, "pdf": pdf, "scoring": scoring},
                ensure_ascii=False,
                indent=2,
            )
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        MEDIA.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
