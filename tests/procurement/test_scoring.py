"""The evaluation arithmetic on worked examples (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from procurement.scoring import (
    Criterion,
    abnormal_price_reasons,
    adjusted_price,
    evaluate_lot,
    price_points,
)


@pytest.mark.parametrize(
    ("prices", "weight", "expected"),
    [
        # SC-06: the lowest valid price is the base and gets the full weight.
        (
            {"a": D("100"), "b": D("125"), "c": D("200")},
            D("30"),
            {"a": D("30.00"), "b": D("24.00"), "c": D("15.00")},
        ),
        # 87号令 form with weight 100: base / price × 100.
        (
            {"a": D("2379000"), "b": D("2400000")},
            D("100"),
            {"a": D("100.00"), "b": D("99.13")},
        ),
        # SC-07: an outlier neither dropped nor averaged; it sets the base.
        (
            {"a": D("10"), "b": D("100"), "c": D("101")},
            D("10"),
            {"a": D("10.00"), "b": D("1.00"), "c": D("0.99")},
        ),
        # A single bid gets the full weight.
        ({"a": D("500")}, D("20"), {"a": D("20.00")}),
        # Equal prices share the full weight.
        ({"a": D("80"), "b": D("80")}, D("30"), {"a": D("30.00"), "b": D("30.00")}),
    ],
)
def test_price_points_low_price_priority(prices, weight, expected):
    assert price_points(prices, weight) == expected


def test_policy_deduction_applies_before_the_base():
    # SC-08: a 10 % deduction makes 110 evaluate as 99 — now the base.
    adjusted = {"sme": adjusted_price(D("110"), D("10")), "other": D("100")}
    assert adjusted["sme"] == D("99.00")
    assert price_points(adjusted, D("30")) == {"sme": D("30.00"), "other": D("29.70")}


CRITERIA = [
    Criterion("plan", "服务方案", D("40"), objective=False),
    Criterion("record", "业绩", D("30"), objective=True),
]


def _sheet(rows):
    return {b: {"plan": D(p), "record": D(r)} for b, (p, r) in rows.items()}


def test_totals_are_price_points_plus_member_means_and_ranked():
    result = evaluate_lot(
        prices={1: (D("100"), D("100")), 2: (D("80"), D("80"))},
        sheets={
            "m1": _sheet({1: ("40", "30"), 2: ("20", "30")}),
            "m2": _sheet({1: ("36", "30"), 2: ("25", "30")}),
            "m3": _sheet({1: ("38", "30"), 2: ("21", "30")}),
        },
        criteria=CRITERIA,
        price_weight=D("30"),
        lowest_price=False,
        tie_seed="s",
    )
    rows = {r.bid: r for r in result.rows}
    # bid 1: price 80/100×30 = 24, plan mean 38, record 30 → 92
    assert rows[1].price_points == D("24.00")
    assert rows[1].criteria == {"plan": D("38.00"), "record": D("30.00")}
    assert rows[1].total == D("92.00")
    # bid 2: price 30, plan mean 22, record 30 → 82
    assert rows[2].total == D("82.00")
    assert [r.bid for r in result.rows] == [1, 2]
    assert [r.rank for r in result.rows] == [1, 2]
    assert result.disagreements == []
    # per member totals are kept so the report can show every member's sheet
    assert rows[1].per_member == {"m1": D("94.00"), "m2": D("90.00"), "m3": D("92.00")}


def test_objective_criteria_that_members_score_differently_are_reported():
    result = evaluate_lot(
        prices={1: (D("100"), D("100"))},
        sheets={"m1": _sheet({1: ("30", "30")}), "m2": _sheet({1: ("30", "20")})},
        criteria=CRITERIA,
        price_weight=D("30"),
        lowest_price=False,
        tie_seed="s",
    )
    assert result.disagreements == [
        {
            "bid": 1,
            "criterion": "record",
            "name": "业绩",
            "values": {"m1": "30", "m2": "20"},
        }
    ]


def test_equal_total_ranks_the_lower_price_first():
    # SC-10: both total 70; bid 2 is cheaper (after adjustment) and ranks first.
    result = evaluate_lot(
        prices={1: (D("100"), D("100")), 2: (D("100"), D("90"))},
        sheets={"m1": {1: {"plan": D("40")}, 2: {"plan": D("37")}}},
        criteria=[Criterion("plan", "方案", D("70"), objective=False)],
        price_weight=D("30"),
        lowest_price=False,
        tie_seed="s",
    )
    totals = {r.bid: r.total for r in result.rows}
    assert totals == {1: D("67.00"), 2: D("67.00")}
    assert [r.bid for r in result.rows] == [2, 1]
    assert not any(r.tie for r in result.rows)


def test_equal_total_and_price_is_a_recorded_draw():
    args = {
        "prices": {
            1: (D("100"), D("100")),
            2: (D("100"), D("100")),
            3: (D("100"), D("100")),
        },
        "sheets": {"m1": {b: {"plan": D("50")} for b in (1, 2, 3)}},
        "criteria": [Criterion("plan", "方案", D("70"), objective=False)],
        "price_weight": D("30"),
        "lowest_price": False,
    }
    first = evaluate_lot(**args, tie_seed="seed-a")
    again = evaluate_lot(**args, tie_seed="seed-a")
    assert all(r.tie for r in first.rows)
    # the same seed gives the same order (the draw can be re-done before witnesses)
    assert [r.bid for r in first.rows] == [r.bid for r in again.rows]
    orders = {
        tuple(r.bid for r in evaluate_lot(**args, tie_seed=f"s{i}").rows)
        for i in range(20)
    }
    assert len(orders) > 1  # and the order really depends on the draw


def test_lowest_price_method_ranks_by_adjusted_price_only():
    result = evaluate_lot(
        prices={
            1: (D("300"), D("300")),
            2: (D("310"), D("279")),
            3: (D("305"), D("305")),
        },
        sheets={},
        criteria=[],
        price_weight=D("100"),
        lowest_price=True,
        tie_seed="s",
    )
    assert [r.bid for r in result.rows] == [2, 1, 3]


@pytest.mark.parametrize(
    ("prices", "max_price", "flagged"),
    [
        # Average 100/3 → 50 % is 16.67; 10 is below; also < 50 % of 2nd lowest (45).
        (
            {1: D("10"), 2: D("90"), 3: D("100")},
            D("200"),
            {1: {"average", "second_lowest", "max_price"}},
        ),
        # No trigger: all close together, far above 45 % of the maximum.
        ({1: D("95"), 2: D("100"), 3: D("98")}, D("120"), {}),
        # Only the maximum-price trigger: 40 < 45 % of 100.
        ({1: D("40"), 2: D("42")}, D("100"), {1: {"max_price"}, 2: {"max_price"}}),
    ],
)
def test_abnormally_low_price_triggers(prices, max_price, flagged):
    found = abnormal_price_reasons(
        prices,
        share_of_average=D("50"),
        share_of_second_lowest=D("50"),
        share_of_max=D("45"),
        max_price=max_price,
    )
    assert {
        b: {r["trigger"] for r in reasons} for b, reasons in found.items()
    } == flagged


def test_triggers_not_in_force_do_not_flag():
    found = abnormal_price_reasons(
        {1: D("10"), 2: D("100")},
        share_of_average=None,
        share_of_second_lowest=None,
        share_of_max=None,
        max_price=D("100"),
    )
    assert found == {}
