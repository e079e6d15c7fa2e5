"""The assessment arithmetic (`assessments.scoring`, pure, no database): worked
examples computed by hand, property tests with hypothesis, and the refused inputs."""

from __future__ import annotations

import copy
import dataclasses
from collections import defaultdict
from decimal import Decimal as D
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.explain import render_lines
from assessments.scoring import (
    Band,
    Card,
    GroupSpec,
    IndicatorSpec,
    ScoreBreakdown,
    ScoringInputError,
    compute_vendor_score,
)


def lines(r: ScoreBreakdown) -> list[str]:
    """The explanation as read in the default language (Chinese)."""
    return render_lines(r.explanation)


BANDS = [
    Band("excellent", D(90)),
    Band("good", D(80)),
    Band("fair", D(60)),
    Band("poor", D(0)),
]

# ---------------------------------------------------------------------------
# The worked examples' inputs.
#
# The tree (weights share 100 among siblings):
#   1   过程 40 ── 1.1 points, max 10   60
#               └─ 1.2 levels A 100 / B 80 / C 60 / D 0   40
#   2   效果 60 ── 2.1 yes/no   50
#               └─ 2.2 points, max 100   50
TREE = [
    IndicatorSpec("1", None, D(40), "points", name="过程"),
    IndicatorSpec("1.1", "1", D(60), "points", max_points=D(10)),
    IndicatorSpec(
        "1.2",
        "1",
        D(40),
        "levels",
        levels={"A": D(100), "B": D(80), "C": D(60), "D": D(0)},
    ),
    IndicatorSpec("2", None, D(60), "points", name="效果"),
    IndicatorSpec("2.1", "2", D(50), "yes_no"),
    IndicatorSpec("2.2", "2", D(50), "points"),
]
GROUPS = [
    GroupSpec("department", D(30)),
    GroupSpec("community", D(30)),
    GroupSpec("resident", D(30)),
    GroupSpec("resident_unit", D(10)),
]


def full(p11: object, l12: object, yn21: object, p22: object) -> dict[str, object]:
    return {"1.1": p11, "1.2": l12, "2.1": yn21, "2.2": p22}


# Card by card (a card's score = 0.4 × "1" + 0.6 × "2"):
#   d1 dept  —    1.1 8→80, 1.2 A→100: "1" = .6·80+.4·100 = 88; 2.1 yes→100, 2.2 70:
#                 "2" = .5·100+.5·70 = 85;  card = .4·88 + .6·85 = 35.2 + 51 = 86.2
#   d2 dept  —    1.1 6→60, 1.2 B→80: "1" = 36+32 = 68; 2.1 no→0, 2.2 90: "2" = 45;
#                 card = 27.2 + 27 = 54.2
#   c1 comm  北城 1.1 9→90, A: "1" = 54+40 = 94; yes, 80: "2" = 90; card = 37.6+54 = 91.6
#   c2 comm  南苑 1.1 7→70, C→60: "1" = 42+24 = 66; yes, 60: "2" = 80; card = 26.4+48 = 74.4
#   r1..r4 residents answer only the "2" leaves, so "1" is n/a and card = "2":
#   r1 北城 yes, 90 → 95;  r2 北城 yes, 70 → 85;  r3 北城 no, 80 → 40;  r4 南苑 yes, 100 → 100
#   u1 unit  南苑 1.1 10→100, B→80: "1" = 60+32 = 92; yes, 50: "2" = 75; card = 36.8+45 = 81.8
CARDS = [
    Card("d1", "department", None, full(8, "A", True, 70)),
    Card("d2", "department", None, full(6, "B", False, 90)),
    Card("c1", "community", "北城", full(9, "A", True, 80)),
    Card("c2", "community", "南苑", full(7, "C", True, 60)),
    Card("r1", "resident", "北城", {"2.1": True, "2.2": 90}),
    Card("r2", "resident", "北城", {"2.1": True, "2.2": 70}),
    Card("r3", "resident", "北城", {"2.1": False, "2.2": 80}),
    Card("r4", "resident", "南苑", {"2.1": True, "2.2": D(100)}),
    Card("u1", "resident_unit", "南苑", full(D("10.0"), "B", True, 50)),
]
# The expert panel scores the final report:
#   e1 9→90, A→100: "1" = 94; yes, 80: "2" = 90; card = 37.6 + 54 = 91.6
#   e2 8→80, B→80: "1" = 80; yes, 70: "2" = 85; card = 32 + 51 = 83
#   e3 7→70, B→80: "1" = 42+32 = 74; yes, 60: "2" = 80; card = 29.6 + 48 = 77.6
#   panel (no community, one bucket) = (91.6 + 83 + 77.6) / 3 = 252.2 / 3 = 84.0666… → 84.07
EXPERT_CARDS = [
    Card("e1", "expert_panel", None, full(9, "A", True, 80)),
    Card("e2", "expert_panel", None, full(8, "B", True, 70)),
    Card("e3", "expert_panel", None, full(7, "B", True, 60)),
]


def score(
    groups: list[GroupSpec] = GROUPS,
    cards: list[Card] = CARDS,
    *,
    indicators: list[IndicatorSpec] = TREE,
    bands: list[Band] = BANDS,
    rule: str = "reweight",
) -> ScoreBreakdown:
    return compute_vendor_score(indicators, groups, cards, bands, rule)


def row(result: ScoreBreakdown, kind: str) -> Any:
    return next(r for r in result.groups if r.kind == kind)


# ---------------------------------------------------------------------------
# (a) four groups 30/30/30/10, cards in two communities


def test_a_four_groups_in_two_communities():
    r = score()
    # Per card, as computed above the cards.
    assert r.card_scores == {
        "c1": D("91.60"),
        "c2": D("74.40"),
        "d1": D("86.20"),
        "d2": D("54.20"),
        "r1": D("95.00"),
        "r2": D("85.00"),
        "r3": D("40.00"),
        "r4": D("100.00"),
        "u1": D("81.80"),
    }
    # Departments: one bucket "—" (no community): (86.2 + 54.2) / 2 = 70.2
    # Communities: 北城 91.6, 南苑 74.4 → (91.6 + 74.4) / 2 = 83
    # Residents: 北城 (95 + 85 + 40) / 3 = 73.333…, 南苑 100 → (73.333… + 100) / 2
    #            = 86.666… → 86.67 (the plain mean of the four cards would be 80: the
    #            community with three answers weighs the same as the one with one)
    # Resident units: 南苑 81.8
    assert [(g.kind, g.score) for g in r.groups] == [
        ("department", D("70.20")),
        ("community", D("83.00")),
        ("resident", D("86.67")),
        ("resident_unit", D("81.80")),
    ]
    assert row(r, "resident").by_community == {"北城": D("73.33"), "南苑": D("100.00")}
    assert row(r, "department").by_community == {"—": D("70.20")}
    # Total = .3·70.2 + .3·83 + .3·86.666… + .1·81.8 = 21.06 + 24.9 + 26 + 8.18 = 80.14
    assert [g.contribution for g in r.groups] == [
        D("21.06"),
        D("24.90"),
        D("26.00"),
        D("8.18"),
    ]
    assert [g.effective_weight for g in r.groups] == [D("30.00")] * 3 + [D("10.00")]
    assert (r.status, r.total, r.grade, r.missing) == ("ok", D("80.14"), "good", [])
    # Per indicator in a group: the plain mean over the cards that scored it.
    #   departments 1.1: (80 + 60) / 2 = 70; "1": (88 + 68) / 2 = 78
    assert row(r, "department").by_indicator["1.1"] == D("70.00")
    assert row(r, "department").by_indicator["1"] == D("78.00")
    # residents scored no "1" leaf: "1" and "1.x" are absent from their means.
    assert set(row(r, "resident").by_indicator) == {"2", "2.1", "2.2"}
    # Overall per indicator, weighted by the groups' effective weights:
    #   2.2: dept (70+90)/2 = 80, comm (80+60)/2 = 70, residents (90+70+80+100)/4 = 85,
    #        unit 50 → .3·80 + .3·70 + .3·85 + .1·50 = 24 + 21 + 25.5 + 5 = 75.5
    #   1.1: residents did not score it; dept 70, comm 80, unit 100 weigh 30/30/10:
    #        (2100 + 2400 + 1000) / 70 = 78.571… → 78.57
    assert r.by_indicator["2.2"] == D("75.50")
    assert r.by_indicator["1.1"] == D("78.57")
    # Overall per community, weighted by the group weights:
    #   北城: community 91.6, residents 73.333… (30/30) → 82.466… → 82.47
    #   南苑: community 74.4, residents 100, units 81.8 (30/30/10)
    #         → (2232 + 3000 + 818) / 70 = 86.428… → 86.43
    #   —:    departments 70.2
    assert r.by_community == {"北城": D("82.47"), "南苑": D("86.43"), "—": D("70.20")}
    # The explanation recomputes the total line by line.
    assert "居民：2个社区平均 86.67 分 × 权重 30/100 = 26.00 分" in lines(r)
    assert "街道科室：2份评分表平均 70.20 分 × 权重 30/100 = 21.06 分" in lines(r)
    assert "  居民·社区 北城：3 份平均 73.33 分" in lines(r)
    assert "总分 = 21.06 + 24.90 + 26.00 + 8.18 = 80.14 分" in lines(r)
    assert lines(r)[-1] == "等级：良（总分 80.14 ≥ 80 分）"
    assert len(r.inputs_digest) == 64


# ---------------------------------------------------------------------------
# (b) a missing group re-weighted, (c) the same with "fail"

# The resident units need 2 cards but have only u1: they are missing.
UNITS_QUORUM_2 = [*GROUPS[:3], GroupSpec("resident_unit", D(10), quorum=2)]


def test_b_missing_group_is_reweighted():
    r = score(UNITS_QUORUM_2)
    # Σw = 30 + 30 + 30 = 90; total = (30·70.2 + 30·83 + 30·86.666…) / 90
    #   = (70.2 + 83 + 86.666…) / 3 = 239.866… / 3 = 79.955… → 79.96: 中, not 良.
    assert (r.status, r.total, r.grade) == ("ok", D("79.96"), "fair")
    assert r.missing == ["resident_unit"]
    units = row(r, "resident_unit")
    # Reported (its one card scored 81.8) but not counted.
    assert (units.present, units.score, units.cards_counted) == (False, D("81.80"), 1)
    assert (units.effective_weight, units.contribution) == (D("0.00"), D("0.00"))
    # Contributions: 70.2/3 = 23.40, 83/3 = 27.666… → 27.67, 86.666…/3 = 28.888… → 28.89
    assert [g.contribution for g in r.groups[:3]] == [
        D("23.40"),
        D("27.67"),
        D("28.89"),
    ]
    assert [g.effective_weight for g in r.groups[:3]] == [D("33.33")] * 3
    assert "居民：2个社区平均 86.67 分 × 权重 30/90 = 28.89 分" in lines(r)
    assert "总分 = 23.40 + 27.67 + 28.89 = 79.96 分" in lines(r)
    assert any("少于 2 份，视为缺席" in line for line in lines(r))
    # Per community only present groups speak: 南苑 = (74.4 + 100) / 2 = 87.2 (the
    # absent units' 81.8 left out).
    assert r.by_community["南苑"] == D("87.20")


def test_c_missing_group_fails_the_round():
    r = score(UNITS_QUORUM_2, rule="fail")
    assert (r.status, r.total, r.grade) == ("failed", None, None)
    assert r.missing == ["resident_unit"]
    assert all(g.contribution is None for g in r.groups)
    assert all(g.effective_weight == 0 for g in r.groups)
    # The groups' own scores are still reported.
    assert row(r, "resident").score == D("86.67")
    assert lines(r)[-1].startswith("计分失败：缺少评价主体 驻区单位")


def test_no_group_present_fails_whatever_the_rule():
    for rule in ("reweight", "fail"):
        r = score(cards=[], rule=rule)
        assert (r.status, r.total, r.grade) == ("failed", None, None)
        assert r.missing == ["department", "community", "resident", "resident_unit"]


# ---------------------------------------------------------------------------
# (d) an expert panel that replaces the others, and one that combines with them


def test_d_expert_panel_replaces():
    panel = GroupSpec("expert_panel", D(100), quorum=3, replaces=True)
    r = score([*GROUPS, panel], CARDS + EXPERT_CARDS)
    # The panel is present (3 cards ≥ quorum 3): its score is the total, 84.07 良.
    assert (r.status, r.total, r.grade) == ("ok", D("84.07"), "good")
    experts = row(r, "expert_panel")
    assert (experts.effective_weight, experts.contribution) == (D("100.00"), D("84.07"))
    # The others are reported with their scores but add nothing.
    assert row(r, "resident").score == D("86.67")
    assert all((g.effective_weight, g.contribution) == (0, 0) for g in r.groups[:4])
    assert "总分 = 专家评审组得分 = 84.07 分" in lines(r)
    # The overall indicator means are the panel's: 2.2 = (80 + 70 + 60) / 3 = 70.
    assert r.by_indicator["2.2"] == D("70.00")


def test_d_absent_replacing_panel_leaves_the_others():
    # Two expert cards < quorum 3: the panel is absent and the four groups combine
    # as in (a); an absent replacing group never fails the round, even under "fail".
    panel = GroupSpec("expert_panel", D(100), quorum=3, replaces=True)
    r = score([*GROUPS, panel], CARDS + EXPERT_CARDS[:2], rule="fail")
    assert (r.status, r.total, r.grade) == ("ok", D("80.14"), "good")
    assert r.missing == ["expert_panel"]
    assert row(r, "expert_panel").contribution == 0


def test_d_expert_panel_combining():
    # Weights 30/30/30/10 + 50 (Σ = 150):
    #   (30·70.2 + 30·83 + 30·86.666… + 10·81.8 + 50·84.0666…) / 150
    #   = (2106 + 2490 + 2600 + 818 + 4203.333…) / 150 = 12217.333… / 150 = 81.448… → 81.45
    panel = GroupSpec("expert_panel", D(50), quorum=3)
    r = score([*GROUPS, panel], CARDS + EXPERT_CARDS)
    assert (r.total, r.grade) == (D("81.45"), "good")
    # 50/150 = 33.33 %, 30/150 = 20 %, 10/150 = 6.67 %
    assert [g.effective_weight for g in r.groups] == [
        D("20.00"),
        D("20.00"),
        D("20.00"),
        D("6.67"),
        D("33.33"),
    ]


# ---------------------------------------------------------------------------
# (e) n/a answers renormalise the weights


def test_e_not_applicable_answers_renormalise():
    cards = [
        # 1.1 n/a → "1" = 1.2 alone = 100; 2.1 n/a → "2" = 2.2 alone = 50;
        # card = .4·100 + .6·50 = 70
        Card(
            "n1", "department", None, {"1.1": None, "1.2": "A", "2.1": None, "2.2": 50}
        ),
        # Only 1.1 = 5/10 → 50: "1" = 50, "2" n/a → card = "1" alone = 50
        Card("n2", "department", None, {"1.1": 5}),
        # All n/a: an empty card, not counted, listed.
        Card("n3", "department", None, {"1.1": None, "2.2": None}),
        Card("n4", "department", None, {}),
    ]
    r = score([GroupSpec("department", D(100), quorum=2)], cards)
    assert r.card_scores == {"n1": D("70.00"), "n2": D("50.00"), "n3": None, "n4": None}
    # Group = (70 + 50) / 2 = 60 → 中; two counted cards meet the quorum of 2.
    dept = row(r, "department")
    assert (dept.cards_counted, dept.cards_empty, dept.present) == (2, 2, True)
    assert (r.total, r.grade) == (D("60.00"), "fair")
    # "2.1" was scored by no card: absent from the per-indicator means.
    assert "2.1" not in r.by_indicator
    assert r.by_indicator["1"] == D("75.00")  # (100 + 50) / 2
    assert "  街道科室空白评分表（全部不适用，不计入）：n3、n4" in lines(r)


def test_e_empty_cards_do_not_meet_the_quorum():
    cards = [
        Card("n1", "department", None, {"1.1": 5}),
        Card("n2", "department", None, {"1.1": None}),
    ]
    r = score([GroupSpec("department", D(100), quorum=2)], cards)
    assert (r.status, r.missing) == ("failed", ["department"])


def test_e_rounded_contributions_are_explained():
    # Three groups of weight 1, each scoring 1: contributions 0.33 + 0.33 + 0.33 = 0.99,
    # while the exact total is 1.00; the explanation says why.
    one = [IndicatorSpec("1", None, D(100), "points")]
    groups = [GroupSpec(k, D(1)) for k in ("department", "community", "resident")]
    cards = [
        Card(k, k, None, {"1": 1}) for k in ("department", "community", "resident")
    ]
    r = score(groups, cards, indicators=one)
    assert r.total == D("1.00")
    assert "总分 = 0.33 + 0.33 + 0.33 = 1.00 分" in lines(r)
    assert any("可能相差 0.01" in line for line in lines(r))


# ---------------------------------------------------------------------------
# (f) grade boundaries: the grade is read from the rounded total.

ONE_LEAF = [IndicatorSpec("1", None, D(100), "points", max_points=D(1000))]


@pytest.mark.parametrize(
    ("answer", "total", "grade"),
    [
        # 899.95 / 1000 × 100 = 89.995 → rounds half up to 90.00 → 优
        (D("899.95"), D("90.00"), "excellent"),
        (D("899.94"), D("89.99"), "good"),  # 89.994 → 89.99 → 良
        (D("800"), D("80.00"), "good"),
        (D("799.949"), D("79.99"), "fair"),  # 79.9949 → 79.99
        (D("600"), D("60.00"), "fair"),
        (D("599.9"), D("59.99"), "poor"),  # 59.99 → 差
        (0, D("0.00"), "poor"),
        (1000, D("100.00"), "excellent"),
    ],
)
def test_f_grade_boundaries(answer, total, grade):
    r = score(
        [GroupSpec("resident", D(30))],
        [Card("x", "resident", None, {"1": answer})],
        indicators=ONE_LEAF,
    )
    assert (r.total, r.grade) == (total, grade)


def test_f_exact_half_up_rounding():
    # (0.125 + 0.125) / 2 = 0.125 exactly → half up → 0.13 (no binary float drift).
    r = score(
        [GroupSpec("resident", D(1))],
        [
            Card("a", "resident", None, {"1": D("1.25")}),
            Card("b", "resident", None, {"1": D("1.25")}),
        ],
        indicators=ONE_LEAF,
    )
    assert r.total == D("0.13")
    f = score(
        [GroupSpec("resident", D(1))],
        # A float is read by its repr: 0.15 / 1000 × 100 = 0.015 → 0.02 (the binary
        # 0.1499999… would round down to 0.01).
        [Card("a", "resident", None, {"1": 0.15})],
        indicators=ONE_LEAF,
    )
    assert f.total == D("0.02")


# ---------------------------------------------------------------------------
# The digest


def test_digest_ignores_order_and_the_spelling_of_numbers():
    base = score()
    shuffled = compute_vendor_score(
        list(reversed(TREE)),
        list(reversed(GROUPS)),
        list(reversed(CARDS)),
        BANDS,
        "reweight",
    )
    assert shuffled == base
    respelled = [
        dataclasses.replace(g, weight=D(str(g.weight) + ".00")) for g in GROUPS
    ]
    assert score(respelled).inputs_digest == base.inputs_digest
    changed = [*CARDS[:-1], Card("u1", "resident_unit", "南苑", full(9, "B", True, 50))]
    assert score(cards=changed).inputs_digest != base.inputs_digest
    assert score(rule="fail").inputs_digest != base.inputs_digest


def test_choice_enums_and_plain_strings_are_the_same_input():
    # The service passes Django TextChoices (str subclasses) as kinds.
    from enum import StrEnum

    class Kind(StrEnum):
        RESIDENT = "resident"

    a = score(
        [GroupSpec("resident", D(1))], [Card("r", "resident", "北城", {"2.1": True})]
    )
    b = score(
        [GroupSpec(Kind.RESIDENT, D(1))],
        [Card("r", Kind.RESIDENT, "北城", {"2.1": True})],
    )
    assert (a.total, a.inputs_digest) == (b.total, b.inputs_digest)


# ---------------------------------------------------------------------------
# Refused inputs: each rule raises ScoringInputError naming the field.


def _replace_indicator(code: str, **changes: Any) -> list[IndicatorSpec]:
    return [dataclasses.replace(i, **changes) if i.code == code else i for i in TREE]


def _answer(card_id: str, code: str, value: object) -> list[Card]:
    return [
        dataclasses.replace(c, answers={**c.answers, code: value})
        if c.id == card_id
        else c
        for c in CARDS
    ]


class Bad(NamedTuple):
    changes: dict[str, Any]
    field: str


BAD_INPUTS: dict[str, Bad] = {
    "first-level weights sum to 110": Bad(
        {"indicators": _replace_indicator("1", weight=D(50))}, "indicators.weight"
    ),
    "weights under 1 sum to 110": Bad(
        {"indicators": _replace_indicator("1.1", weight=D(70))},
        "indicators[1].children.weight",
    ),
    "a negative indicator weight": Bad(
        {
            "indicators": [
                *_replace_indicator("2.1", weight=D(-50))[:5],
                dataclasses.replace(TREE[5], weight=D(150)),
            ]
        },
        "indicators[2.1].weight",
    ),
    "an unknown parent": Bad(
        {"indicators": [*TREE, IndicatorSpec("3.1", "3", D(100), "yes_no")]},
        "indicators[3.1].parent",
    ),
    "a cycle": Bad(
        {
            "indicators": [
                *TREE,
                IndicatorSpec("x", "y", D(100), "yes_no"),
                IndicatorSpec("y", "x", D(100), "yes_no"),
            ]
        },
        "indicators[x].parent",
    ),
    "a duplicate indicator code": Bad(
        {"indicators": [*TREE, TREE[1]]}, "indicators[1.1].code"
    ),
    "no indicators": Bad({"indicators": []}, "indicators"),
    "an unknown scale": Bad(
        {"indicators": _replace_indicator("2.1", scale="stars")},
        "indicators[2.1].scale",
    ),
    "max points 0": Bad(
        {"indicators": _replace_indicator("1.1", max_points=D(0))},
        "indicators[1.1].max_points",
    ),
    "a level above 100 %": Bad(
        {"indicators": _replace_indicator("1.2", levels={"A": D(120)})},
        "indicators[1.2].levels",
    ),
    "answering a non-leaf": Bad(
        {"cards": _answer("d1", "1", 80)}, "cards[d1].answers[1]"
    ),
    "answering an unknown indicator": Bad(
        {"cards": _answer("d1", "9", 80)}, "cards[d1].answers[9]"
    ),
    "a card of an unknown group": Bad(
        {"cards": [*CARDS, Card("x1", "volunteers", None, {})]}, "cards[x1].group"
    ),
    "a duplicate card id": Bad({"cards": [*CARDS, CARDS[0]]}, "cards[d1].id"),
    "points above max_points": Bad(
        {"cards": _answer("d1", "1.1", 11)}, "cards[d1].answers[1.1]"
    ),
    "negative points": Bad(
        {"cards": _answer("d1", "1.1", -1)}, "cards[d1].answers[1.1]"
    ),
    "points as a string": Bad(
        {"cards": _answer("d1", "1.1", "8")}, "cards[d1].answers[1.1]"
    ),
    "points as a bool": Bad(
        {"cards": _answer("d1", "2.2", True)}, "cards[d1].answers[2.2]"
    ),
    "points NaN": Bad(
        {"cards": _answer("d1", "2.2", D("NaN"))}, "cards[d1].answers[2.2]"
    ),
    "points infinite": Bad(
        {"cards": _answer("d1", "2.2", float("inf"))}, "cards[d1].answers[2.2]"
    ),
    "an unknown level code": Bad(
        {"cards": _answer("d1", "1.2", "E")}, "cards[d1].answers[1.2]"
    ),
    "a level as a number": Bad(
        {"cards": _answer("d1", "1.2", 100)}, "cards[d1].answers[1.2]"
    ),
    "yes/no as 1": Bad({"cards": _answer("d1", "2.1", 1)}, "cards[d1].answers[2.1]"),
    "yes/no as a string": Bad(
        {"cards": _answer("d1", "2.1", "是")}, "cards[d1].answers[2.1]"
    ),
    "bands with a repeated min": Bad(
        {"bands": [*BANDS[:2], Band("fair", D(80)), BANDS[3]]}, "bands[fair].min"
    ),
    "bands increasing": Bad(
        {"bands": [BANDS[1], BANDS[0], *BANDS[2:]]}, "bands[excellent].min"
    ),
    "no band at 0": Bad({"bands": BANDS[:3]}, "bands"),
    "no bands": Bad({"bands": []}, "bands"),
    "a negative band min": Bad(
        {"bands": [*BANDS[:3], Band("poor", D(-1))]}, "bands[poor].min"
    ),
    "a negative group weight": Bad(
        {"groups": [*GROUPS[:2], GroupSpec("resident", D(-30)), GROUPS[3]]},
        "groups[resident].weight",
    ),
    "a duplicate group": Bad(
        {"groups": [*GROUPS, GROUPS[0]]}, "groups[department].kind"
    ),
    "a quorum of 0": Bad(
        {"groups": [*GROUPS[:3], GroupSpec("resident_unit", D(10), quorum=0)]},
        "groups[resident_unit].quorum",
    ),
    "two replacing groups": Bad(
        {
            "groups": [
                GroupSpec("department", D(30), replaces=True),
                GroupSpec("expert_panel", D(30), replaces=True),
            ],
            "cards": [],
        },
        "groups.replaces",
    ),
    "an unknown missing rule": Bad({"rule": "average"}, "missing_rule"),
}


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_refused_inputs_name_the_field(case: Bad):
    kwargs: dict[str, Any] = {
        "groups": GROUPS,
        "cards": CARDS,
        "indicators": TREE,
        "bands": BANDS,
        "rule": "reweight",
        **case.changes,
    }
    with pytest.raises(ScoringInputError) as caught:
        score(**kwargs)
    assert caught.value.field == case.field
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)  # a reason a person can read


def test_the_tree_and_groups_can_be_checked_without_cards():
    # The service validates a plan by scoring no cards: a failed round, no error.
    r = score(cards=[])
    assert r.status == "failed"


# ---------------------------------------------------------------------------
# Property tests

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KINDS = ["department", "community", "resident", "resident_unit", "expert_panel"]
COMMUNITIES = [None, "北城", "南苑", "西岭"]


class Scenario(NamedTuple):
    indicators: list[IndicatorSpec]
    groups: list[GroupSpec]
    cards: list[Card]
    rule: str

    def run(self, **changes: Any) -> ScoreBreakdown:
        s = self._replace(**changes)
        return compute_vendor_score(s.indicators, s.groups, s.cards, BANDS, s.rule)


@st.composite
def shares_of_100(draw: st.DrawFn, n: int) -> list[D]:
    """n weights of two decimals (zeros allowed) summing to exactly 100."""
    cuts = sorted(
        draw(st.lists(st.integers(0, 10_000), min_size=n - 1, max_size=n - 1))
    )
    bounds = [0, *cuts, 10_000]
    return [D(b - a).scaleb(-2) for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def leaf(draw: st.DrawFn, code: str, parent: str | None, weight: D) -> IndicatorSpec:
    scale = draw(st.sampled_from(["points", "levels", "yes_no"]))
    if scale == "points":
        top = draw(st.sampled_from([D(1), D(5), D(10), D("12.5"), D(100)]))
        return IndicatorSpec(code, parent, weight, scale, max_points=top)
    if scale == "levels":
        middle = draw(st.decimals(0, 100, places=2))
        levels = {"A": D(100), "B": middle, "C": D(0)}
        return IndicatorSpec(code, parent, weight, scale, levels=levels)
    return IndicatorSpec(code, parent, weight, scale)


@st.composite
def trees(draw: st.DrawFn) -> list[IndicatorSpec]:
    """One or two levels: 1–3 first-level indicators, each a leaf or 1–3 leaves."""
    specs: list[IndicatorSpec] = []
    roots = draw(st.integers(1, 3))
    for i, w in enumerate(draw(shares_of_100(roots)), start=1):
        kids = draw(st.integers(0, 3))
        if kids == 0:
            specs.append(draw(leaf(str(i), None, w)))
            continue
        specs.append(IndicatorSpec(str(i), None, w, "points"))
        for j, kw in enumerate(draw(shares_of_100(kids)), start=1):
            specs.append(draw(leaf(f"{i}.{j}", str(i), kw)))
    return specs


def leaves_of(indicators: list[IndicatorSpec]) -> list[IndicatorSpec]:
    parents = {i.parent for i in indicators}
    return [i for i in indicators if i.code not in parents]


def answers_for(spec: IndicatorSpec) -> st.SearchStrategy[object]:
    if spec.scale == "points":
        return st.one_of(
            st.decimals(0, spec.max_points, places=2),
            st.integers(0, int(spec.max_points)),
        )
    if spec.scale == "levels":
        return st.sampled_from(sorted(spec.levels))
    return st.booleans()


@st.composite
def scenarios(draw: st.DrawFn, rule: str | None = None) -> Scenario:
    indicators = draw(trees())
    leaves = leaves_of(indicators)
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5, unique=True))
    groups = [
        GroupSpec(
            kind,
            D(draw(st.integers(0, 50))),
            quorum=draw(st.integers(1, 2)),
            replaces=kind == "expert_panel" and draw(st.booleans()),
        )
        for kind in kinds
    ]
    cards = []
    for n in range(draw(st.integers(0, 16))):
        answers: dict[str, object] = {}
        for spec in leaves:
            how = draw(st.sampled_from(["answer", "answer", "answer", "n/a", "absent"]))
            if how == "answer":
                answers[spec.code] = draw(answers_for(spec))
            elif how == "n/a":
                answers[spec.code] = None
        cards.append(
            Card(
                f"c{n:02d}",
                draw(st.sampled_from(kinds)),
                draw(st.sampled_from(COMMUNITIES)),
                answers,
            )
        )
    return Scenario(
        indicators,
        groups,
        cards,
        rule or draw(st.sampled_from(["reweight", "reweight", "fail"])),
    )


def numbers(r: ScoreBreakdown) -> tuple[Any, ...]:
    """Every number of a breakdown (not the explanation's text nor the digest)."""
    return (
        r.status,
        r.total,
        r.grade,
        r.missing,
        [
            (
                g.kind,
                g.effective_weight,
                g.present,
                g.score,
                g.contribution,
                g.by_community,
                g.by_indicator,
            )
            for g in r.groups
        ],
        r.by_indicator,
        r.by_community,
        r.card_scores,
    )


@PROPERTY
@given(scenarios())
def test_property_bounds(s: Scenario):
    r = s.run()
    if r.status == "ok":
        assert r.total is not None
        assert D(0) <= r.total <= D(100)
        assert r.grade is not None
        # The total lies between the scores of the groups that make it.
        made_of = [
            g.score for g in r.groups if g.effective_weight > 0 and g.score is not None
        ]
        assert made_of
        assert min(made_of) <= r.total <= max(made_of)
        # Shares add up to 100 % and contributions to the total, up to rounding.
        n = len(r.groups)
        assert abs(sum(g.effective_weight for g in r.groups) - 100) <= D("0.01") * n
        contributions = sum(g.contribution or 0 for g in r.groups)
        assert abs(contributions - r.total) <= D("0.01") * n
    else:
        assert (r.total, r.grade) == (None, None)
    by_group: dict[str, list[D]] = defaultdict(list)
    for card in s.cards:
        card_score = r.card_scores[card.id]
        if card_score is not None:
            assert D(0) <= card_score <= D(100)
            by_group[card.group].append(card_score)
    for g in r.groups:
        scores = by_group[g.kind]
        assert g.cards_counted == len(scores)
        if g.score is None:
            assert not scores
        else:
            assert min(scores) <= g.score <= max(scores)
        for value in [*g.by_community.values(), *g.by_indicator.values()]:
            assert D(0) <= value <= D(100)
    for value in [*r.by_indicator.values(), *r.by_community.values()]:
        assert D(0) <= value <= D(100)


@PROPERTY
@given(scenarios(), st.decimals("0.01", 1000, places=2))
def test_property_group_weights_are_normalised(s: Scenario, k: D):
    # Multiplying every group weight by k > 0 changes no number.
    scaled = [dataclasses.replace(g, weight=g.weight * k) for g in s.groups]
    assert numbers(s.run(groups=scaled)) == numbers(s.run())


@st.composite
def equal_answers(draw: st.DrawFn) -> tuple[Scenario, D]:
    """Every card answers every leaf with the same share v of its scale."""
    v = D(draw(st.integers(0, 200))) / 2  # 0, 0.5, … 100
    indicators = []
    for spec in draw(trees()):
        if spec.scale == "yes_no":  # 100 or 0 only: make it a points leaf
            spec = dataclasses.replace(spec, scale="points", max_points=D(100))
        elif spec.scale == "levels":
            spec = dataclasses.replace(spec, levels={**spec.levels, "V": v})
        indicators.append(spec)
    answers: dict[str, object] = {
        spec.code: v * spec.max_points / 100 if spec.scale == "points" else "V"
        for spec in leaves_of(indicators)
    }
    kinds = draw(
        st.lists(st.sampled_from(KINDS[:4]), min_size=1, max_size=4, unique=True)
    )
    groups = [GroupSpec(kind, D(draw(st.integers(1, 50)))) for kind in kinds]
    cards = [
        Card(f"c{n}", kind, draw(st.sampled_from(COMMUNITIES)), answers)
        for n, kind in enumerate(
            kinds + draw(st.lists(st.sampled_from(kinds), max_size=6))
        )
    ]
    return Scenario(indicators, groups, cards, "reweight"), v


@PROPERTY
@given(equal_answers())
def test_property_equal_answers_give_that_answer_whatever_the_weights(
    case: tuple[Scenario, D],
):
    s, v = case
    r = s.run()
    assert r.status == "ok"
    assert r.total == v.quantize(D("0.01"))
    assert all(g.score == r.total for g in r.groups)
    assert set(r.by_indicator.values()) == {r.total}


@PROPERTY
@given(st.data(), scenarios(rule="reweight"))
def test_property_a_group_without_cards_is_as_if_it_were_not_planned(
    data: st.DataObject, s: Scenario
):
    kind = data.draw(st.sampled_from([g.kind for g in s.groups]))
    cards = [c for c in s.cards if c.group != kind]
    others = [g for g in s.groups if g.kind != kind]
    without_cards = s.run(cards=cards)
    without_group = s.run(cards=cards, groups=others)
    assert (without_cards.status, without_cards.total, without_cards.grade) == (
        without_group.status,
        without_group.total,
        without_group.grade,
    )
    assert [g for g in without_cards.groups if g.kind != kind] == without_group.groups
    assert without_cards.by_indicator == without_group.by_indicator
    assert without_cards.by_community == without_group.by_community
    assert [m for m in without_cards.missing if m != kind] == without_group.missing


@PROPERTY
@given(st.data(), scenarios())
def test_property_order_of_cards_and_groups_does_not_matter(
    data: st.DataObject, s: Scenario
):
    shuffled = s._replace(
        cards=data.draw(st.permutations(s.cards)),
        groups=data.draw(st.permutations(s.groups)),
        indicators=data.draw(st.permutations(s.indicators)),
    )
    assert shuffled.run() == s.run()  # every field, the explanation and digest included


@PROPERTY
@given(scenarios())
def test_property_idempotent(s: Scenario):
    first = s.run()
    again = Scenario(*copy.deepcopy(tuple(s))).run()
    assert again == first
    assert s.run() == first
