"""Assessment benchmark: scoring a district-year of answers.

Never a timed test: the figure is a ratio to a floor measured in the same run.

A plan over 90 contracts of one street (the four dimensions 决策/过程/产出/效益 and the
four rater groups 30/30/30/10), one round, and 25,000 scorecards of 4 answers each —
100,000 answers, most of them residents' — inserted in bulk. The target is the whole
scoring service, `assessments.services.round_score` (reading the cards, the pure
`compute_vendor_score` with exact fractions and its explanation, writing the results
and handing the grades to the contracts). The floor is ONE SQL query computing the
same weighted sums (card → community mean → group mean → weighted total) in the
database; the bench first checks that both give the same totals.

Run with `make bench` (all suites) or `python bench/bench_assessments.py`.
`BENCH_SCORE_REPEAT` sets the number of timed runs of each (default 3).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from decimal import Decimal

from bench_contracts import CUJIN, World, build  # noqa: E402
from benchlib import ROOT, connection  # noqa: I001
from django.test.utils import setup_test_environment  # noqa: E402

SCORE_REPEAT = int(os.environ.get("BENCH_SCORE_REPEAT", "3"))
CONTRACTS = 90
CARDS = 25_000
LEAVES = ("1", "2", "3", "4")


def build_round():
    """The plan, its round and the cards; returns (round, plan)."""
    from accounts.models import User
    from assessments import services
    from assessments.models import Scorecard

    world = World()
    cujin = next(i for i, s in enumerate(world.streets) if s.code == CUJIN)
    contracts = build(world, [(cujin, 15)] * CONTRACTS, deliveries_every=10**9)
    officer = User.objects.get(username="officer")
    street = world.streets[cujin]
    plan = services.plan_create(
        actor=officer,
        buyer=street,
        name="基准测试年度考核",
        year=2026,
        period_kind="year",
        contracts=contracts,
    )
    rnd = services.round_open(
        plan=plan,
        actor=officer,
        label="年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    communities = world.communities[street.pk]
    rng = random.Random(2015)
    from django.utils import timezone

    now = timezone.now()
    rows = []
    # Per contract: 3 department cards, 1 per community, 2 resident-unit cards, and
    # the rest residents spread over the communities.
    per_contract = CARDS // CONTRACTS
    for c in contracts:
        kinds = (
            ["department"] * 3
            + ["community"] * len(communities)
            + ["resident_unit"] * 2
        )
        kinds += ["resident"] * (per_contract - len(kinds))
        for n, kind in enumerate(kinds):
            community = (
                communities[n % len(communities)]
                if kind in ("community", "resident")
                else None
            )
            rows.append(
                Scorecard(
                    round=rnd,
                    contract=c,
                    group=kind,
                    community=community,
                    source="online",
                    answers={k: rng.randint(40, 100) for k in LEAVES},
                    status="submitted",
                    submitted_at=now,
                )
            )
    Scorecard.objects.bulk_create(rows, batch_size=2000)
    return rnd, plan


def floor_query(rnd, plan) -> dict[int, Decimal]:
    """The same weighted sums in one SQL query (no explanation, no exact fractions,
    no writes): the floor."""
    weights = {i.code: i.weight for i in plan.indicators.all()}
    total_w = sum(weights.values())
    card_score = " + ".join(
        f"CAST(c.answers->>'{code}' AS REAL) * {float(w)}"
        for code, w in weights.items()
    )
    sql = f"""
        WITH card AS (
            SELECT c.contract_id, c."group" AS g, COALESCE(c.community_id, 0) AS cm,
                   ({card_score}) / {float(total_w)} AS s
            FROM assessments_scorecard c
            WHERE c.round_id = %s AND c.status = 'submitted'
        ), comm AS (
            SELECT contract_id, g, cm, AVG(s) AS s FROM card GROUP BY contract_id, g, cm
        ), grp AS (
            SELECT contract_id, g, AVG(s) AS s FROM comm GROUP BY contract_id, g
        )
        SELECT grp.contract_id, SUM(grp.s * w.weight) / SUM(w.weight)
        FROM grp JOIN assessments_ratergroup w ON w.plan_id = %s AND w.kind = grp.g
        GROUP BY grp.contract_id
    """
    with connection.cursor() as cur:
        cur.execute(sql, [rnd.pk, plan.pk])
        return {
            cid: Decimal(str(total)).quantize(Decimal("0.01"))
            for cid, total in cur.fetchall()
        }


def main() -> int:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.seeding import seed_demo_users, seed_organisations
        from assessments.models import RoundResult, Scorecard
        from assessments.services import round_score
        from catalogue.seeding import seed_reference_data

        seed_organisations()
        seed_reference_data()
        seed_demo_users()
        rnd, plan = build_round()
        answers = Scorecard.objects.filter(round=rnd).count() * len(LEAVES)
        # The two must agree before either is timed (float vs exact: within a cent).
        round_score(round=rnd, actor=None)
        floor = floor_query(rnd, plan)
        exact = dict(
            RoundResult.objects.filter(round=rnd).values_list("contract_id", "total")
        )
        assert floor.keys() == exact.keys()
        assert all(abs(floor[k] - exact[k]) <= Decimal("0.01") for k in floor), [
            (k, floor[k], exact[k])
            for k in floor
            if abs(floor[k] - exact[k]) > Decimal("0.01")
        ]
        t_floor: list[float] = []
        t_full: list[float] = []
        for _ in range(SCORE_REPEAT):
            start = time.perf_counter()
            floor_query(rnd, plan)
            t_floor.append(time.perf_counter() - start)
            start = time.perf_counter()
            round_score(round=rnd, actor=None)
            t_full.append(time.perf_counter() - start)
        base, full = statistics.median(t_floor), statistics.median(t_full)
        rows = [
            {
                "target": "floor: one SQL query of the weighted sums",
                "median_ms": base * 1000,
                "ratio": 1.0,
            },
            {
                "target": f"round_score, {CONTRACTS} contracts, {answers:,} answers",
                "median_ms": full * 1000,
                "ratio": full / base,
            },
        ]
        print(
            f"assessments — database: {connection.vendor}; repeats: {SCORE_REPEAT}; "
            "ratio = median / the floor of the same run"
        )
        print(f"{'target':<60} {'ratio':>8}")
        for r in rows:
            print(f"{r['target']:<60} {r['ratio']:>8.1f}")
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "assessments.json").write_text(
            json.dumps(
                {"database": connection.vendor, "rows": rows},
                ensure_ascii=False,
                indent=2,
            )
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
