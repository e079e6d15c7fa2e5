"""The evaluation arithmetic, as pure functions (no database): price points by the
low-price-priority formula, members' sheets combined, totals, ranking with the tie
rules and the abnormally-low-price triggers.

- SC-06: base = the lowest valid (policy-adjusted) price; price points = base /
  price × price weight. SC-07: no price is dropped and the base is never an average.
- SC-01: under the lowest-price method the ranking is by adjusted price alone.
- SC-10: equal total → the lower price ranks higher; equal total and price → a draw
  with a recorded seed.
- SC-13: triggers against the average, the second-lowest and the maximum price, with
  shares that are rule parameters.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price_points(prices: Mapping[Any, Decimal], weight: Decimal) -> dict[Any, Decimal]:
    """Each bid's price points: lowest price / its price × weight (SC-06, SC-07)."""
    if not prices:
        return {}
    base = min(prices.values())
    return {k: q2(base / p * weight) for k, p in prices.items()}


def adjusted_price(price: Decimal, deduction_percent: Decimal) -> Decimal:
    """The price used for evaluation after a policy deduction (SC-08)."""
    return q2(price * (Decimal(100) - deduction_percent) / Decimal(100))


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: Decimal  # the most points it can give
    objective: bool


@dataclass
class Row:
    bid: Any
    price: Decimal
    adjusted: Decimal
    price_points: Decimal = Decimal(0)
    criteria: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal(0)
    rank: int = 0
    tie: bool = False
    per_member: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bid": self.bid,
            "price": str(self.price),
            "adjusted_price": str(self.adjusted),
            "price_points": str(self.price_points),
            "criteria": {k: str(v) for k, v in self.criteria.items()},
            "per_member": {k: str(v) for k, v in self.per_member.items()},
            "total": str(self.total),
            "rank": self.rank,
            "tie": self.tie,
        }


@dataclass
class LotResult:
    rows: list[Row]
    disagreements: list[dict[str, Any]]
    tie_seed: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [r.as_dict() for r in self.rows],
            "disagreements": self.disagreements,
            "tie_seed": self.tie_seed,
        }


def rank_rows(rows: list[Row], *, by_price_only: bool, seed: str) -> list[Row]:
    """Order and number the rows (SC-10); exact ties are drawn with `seed`."""

    def key(r: Row) -> tuple[Decimal, ...]:
        return (r.adjusted,) if by_price_only else (-r.total, r.adjusted)

    ordered = sorted(rows, key=lambda r: (key(r), str(r.bid)))
    draw = random.Random(seed)
    out: list[Row] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and key(ordered[j + 1]) == key(ordered[i]):
            j += 1
        group = ordered[i : j + 1]
        if len(group) > 1:
            draw.shuffle(group)
            for r in group:
                r.tie = True
        out.extend(group)
        i = j + 1
    for n, r in enumerate(out, start=1):
        r.rank = n
    return out


def evaluate_lot(
    *,
    prices: Mapping[Any, tuple[Decimal, Decimal]],
    sheets: Mapping[str, Mapping[Any, Mapping[str, Decimal]]],
    criteria: Sequence[Criterion],
    price_weight: Decimal,
    lowest_price: bool,
    tie_seed: str,
) -> LotResult:
    """Combine the members' sheets with the price points.

    Args:
        prices: bid → (price, adjusted price), valid bids only.
        sheets: member → bid → criterion code → points.
        criteria: the documents' non-price criteria.
        price_weight: the price's share of 100 points.
        lowest_price: SC-01's lowest-price method (no sheets needed).
        tie_seed: seed of the draw between exact ties.
    """
    rows = {b: Row(b, p, a) for b, (p, a) in prices.items()}
    disagreements: list[dict[str, Any]] = []
    if lowest_price:
        return LotResult(
            rank_rows(list(rows.values()), by_price_only=True, seed=tie_seed),
            disagreements,
            tie_seed,
        )
    points = price_points({b: a for b, (_p, a) in prices.items()}, price_weight)
    members = sorted(sheets)
    for b, row in rows.items():
        row.price_points = points[b]
        member_totals = dict.fromkeys(members, row.price_points)
        for c in criteria:
            given = [Decimal(str(sheets[m][b][c.code])) for m in members]
            if c.objective and len(set(given)) > 1:
                disagreements.append(
                    {
                        "bid": b,
                        "criterion": c.code,
                        "name": c.name,
                        "values": {
                            m: str(v) for m, v in zip(members, given, strict=False)
                        },
                    }
                )
            mean = q2(sum(given, Decimal(0)) / len(given)) if given else Decimal(0)
            row.criteria[c.code] = mean
            for m, v in zip(members, given, strict=False):
                member_totals[m] += v
        row.per_member = {m: q2(v) for m, v in member_totals.items()}
        row.total = q2(row.price_points + sum(row.criteria.values(), Decimal(0)))
    return LotResult(
        rank_rows(list(rows.values()), by_price_only=False, seed=tie_seed),
        disagreements,
        tie_seed,
    )


def abnormal_price_reasons(
    prices: Mapping[Any, Decimal],
    *,
    share_of_average: Decimal | None,
    share_of_second_lowest: Decimal | None,
    share_of_max: Decimal | None,
    max_price: Decimal,
) -> dict[Any, list[dict[str, Any]]]:
    """Which bids trip the SC-13 triggers (shares in percent; None: trigger not in force)."""
    out: dict[Any, list[dict[str, Any]]] = {}
    if not prices:
        return out
    values = sorted(prices.values())
    average = sum(values, Decimal(0)) / len(values)
    for b, p in prices.items():
        found = []
        if share_of_average is not None and len(values) > 1:
            limit = q2(average * share_of_average / 100)
            if p < limit:
                found.append(
                    {
                        "trigger": "average",
                        "limit": str(limit),
                        "share": str(share_of_average),
                    }
                )
        if share_of_second_lowest is not None and len(values) > 1 and p == values[0]:
            limit = q2(values[1] * share_of_second_lowest / 100)
            if p < limit:
                found.append(
                    {
                        "trigger": "second_lowest",
                        "limit": str(limit),
                        "share": str(share_of_second_lowest),
                    }
                )
        if share_of_max is not None:
            limit = q2(max_price * share_of_max / 100)
            if p < limit:
                found.append(
                    {
                        "trigger": "max_price",
                        "limit": str(limit),
                        "share": str(share_of_max),
                    }
                )
        if found:
            out[b] = found
    return out


def criteria_from(raw: Iterable[Mapping[str, Any]]) -> list[Criterion]:
    return [
        Criterion(
            code=str(c["code"]),
            name=str(c.get("name", c["code"])),
            weight=Decimal(str(c["weight"])),
            objective=c.get("kind") == "objective",
        )
        for c in raw
    ]
