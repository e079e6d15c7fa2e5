"""The assessment arithmetic as one pure function (no database, no Django): a vendor's
score for a period from the scorecards of its rater groups, with the grade and an
explanation a reader can recompute by hand (issue #7; PE-03, PE-11).

Inputs are plain frozen dataclasses: the indicator tree (`IndicatorSpec`), the rater
groups (`GroupSpec`), the scorecards (`Card`) and the grade bands (`Band`).
`compute_vendor_score` returns a `ScoreBreakdown`. The rules:

1. **Validation.** Bad input raises `ScoringInputError(code, field, indicator=, **params)`
   (a ValueError) before anything is computed; its words are in
   `assessments.explain.ERRORS` (translatable, rendered when shown), and
   `answer_errors` lists every refused answer of one card. It is raised for:
   - a duplicate indicator code, an unknown parent or a cycle;
   - sibling weights that do not sum to exactly 100 at some level (the first level
     included), or a negative weight;
   - an unknown scale, a `max_points` that is not positive, or a level outside 0..100;
   - a card that answers an unknown indicator or one that is not a leaf;
   - a card of an unknown group, or two cards with the same id;
   - a points answer that is not a number (bools are not numbers) or is outside
     0..max_points; an unknown level code; a yes/no answer that is not a bool;
   - bands that are not strictly decreasing by `min` in the order given, a negative
     `min`, or no band at `min` 0;
   - a duplicate group kind, a negative group weight, a quorum below 1, more than one
     replacing group;
   - a `missing_rule` other than "reweight" and "fail".
   The `field` names the culprit as a path: `indicators[1.2].weight`,
   `indicators.weight` (the first-level weights), `indicators[1].children.weight` (the
   weights under indicator 1), `cards[c7].answers[1.2]`, `groups[resident].weight`,
   `bands[good].min`, `missing_rule` …
2. **Answers to 0..100.** points → value ÷ max_points × 100; levels → the level's
   percent; yes/no → 100 or 0; None → not applicable (n/a). A leaf the card does not
   mention is n/a too.
3. **A card's score.** Bottom-up weighted mean over the tree: at each parent the
   children that have a score count, their weights renormalised among themselves
   (n/a children drop out). A parent with no scored child is n/a (so is one whose
   scored children all weigh 0). A card whose first level is all n/a has no score,
   does not count, and is listed as empty (空白) in the explanation.
4. **A group's score.** The group's card scores are averaged per community first
   (cards without a community form one bucket, "—"); the group score is the mean of
   those community means, so a community with 300 resident answers weighs the same as
   one with 30. Per indicator, a group's mean is the plain mean over its cards that
   scored that indicator. Per community across groups: the mean of the groups'
   community means, weighted by the group weights (present groups only).
5. **The total.** A group with fewer counted (non-empty) cards than its quorum is
   missing. If the replacing group (`replaces=True`, at most one) is present, the
   total is its score alone; the other groups are reported but contribute 0.
   Otherwise the total is Σ wᵢ·gᵢ / Σ wᵢ over the present combining groups. Missing
   groups: "reweight" leaves them out of both sums; "fail" fails the round (status
   "failed", no total, no grade). An absent replacing group never fails a round, and
   a present one makes absent combining groups irrelevant. No group present at all,
   or present combining groups whose weights sum to 0 → "failed" whatever the rule.
   `missing` lists every group below its quorum.
6. **Exact arithmetic.** Everything is computed with `fractions.Fraction`, so the
   result does not depend on the order of the cards or the groups; only the outputs
   are rounded, to 2 decimals, half up, as `Decimal`. Float answers are read by their
   shortest repr (one tenth is exactly one tenth).
7. **Grade.** The band with the highest `min` ≤ the *rounded* total (89.995 rounds to
   90.00, which earns 优).
8. **Output.** `ScoreBreakdown`: status, total, grade, one `GroupResult` per group (in
   the canonical order department, community, resident, resident_unit, expert_panel,
   then other kinds by code), the overall per-indicator means (weighted by the
   groups' effective weights), the overall per-community means, every card's score
   (None = empty), the missing groups, the explanation (lines that recompute the
   total, each a message code with its parameters, worded in the reader's language
   by `assessments.explain.render_line`) and `inputs_digest`, the sha256 of a canonical JSON of every input
   (sorted, numbers by exact value), the same whatever the order of the inputs.
   `effective_weight` is a group's share of the total in percent (2 decimals).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

NO_COMMUNITY = "—"
SCALES = ("points", "levels", "yes_no")
MISSING_RULES = ("reweight", "fail")
HUNDRED = Fraction(100)

# The rater groups in the order the breakdown lists them (labels: explain.kind_label).
GROUP_ORDER = ("department", "community", "resident", "resident_unit", "expert_panel")


class ScoringInputError(ValueError):
    """An input the scoring cannot use: `field` names it (see the module docstring),
    `code` and `params` say why (the words are in `assessments.explain.ERRORS`), and
    `indicator` is the indicator code at fault, if one is.

    `message` is the translatable text (lazy, rendered in the reader's language);
    `short_message` is the same for a message shown beside the indicator itself."""

    def __init__(
        self,
        code: str,
        field: str,
        *,
        indicator: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code, field)
        self.code = code
        self.field = field
        self.indicator = indicator
        self.params: dict[str, Any] = params
        if indicator is not None:
            self.params.setdefault("indicator", indicator)

    @property
    def message(self) -> Any:
        from .explain import error_message  # the words need Django; the sums do not

        return error_message(self)

    @property
    def short_message(self) -> Any:
        from .explain import error_message

        return error_message(self, short=True)

    def __str__(self) -> str:
        return str(self.message)


# ---------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class IndicatorSpec:
    code: str  # unique in the tree, e.g. "1", "1.2", "A03-05"
    parent: str | None  # None for a first-level indicator
    weight: Decimal  # share among its siblings; siblings sum to 100
    scale: str  # "points" | "levels" | "yes_no"
    max_points: Decimal = Decimal(100)  # for "points": answers are 0..max_points
    levels: Mapping[str, Decimal] = field(default_factory=dict)  # code -> percent
    name: str = ""


@dataclass(frozen=True)
class GroupSpec:
    kind: str  # "department" | "community" | "resident" | "resident_unit" | ...
    weight: Decimal  # combining weights need not sum to 100: they are normalised
    quorum: int = 1  # fewer counted cards than this = the group is missing
    replaces: bool = False  # when present, its score IS the total


@dataclass(frozen=True)
class Card:
    id: str  # stable id (for the explanation)
    group: str  # GroupSpec.kind
    community: str | None  # the community it speaks for (None: not specific)
    answers: Mapping[str, object]  # leaf code -> number | level code | bool | None


@dataclass(frozen=True)
class Band:
    code: str  # "excellent" | "good" | "fair" | "poor" | ...
    min: Decimal  # lowest total that earns it


# ---------------------------------------------------------------------------
# Outputs

# An explanation line: {"code": ..., "params": {...}} (+ "level": 1 for a detail line).
Line = dict[str, Any]


@dataclass(frozen=True)
class GroupResult:
    kind: str
    weight: Decimal
    effective_weight: Decimal  # share of the total in percent; 0 if it adds nothing
    cards_counted: int
    cards_empty: int
    quorum: int
    present: bool
    replaces: bool
    score: Decimal | None  # None: no counted card
    contribution: Decimal | None  # points it adds to the total; None if failed
    by_community: dict[str, Decimal]
    by_indicator: dict[str, Decimal]


@dataclass(frozen=True)
class ScoreBreakdown:
    status: str  # "ok" | "failed"
    total: Decimal | None
    grade: str | None
    groups: list[GroupResult]
    by_indicator: dict[str, Decimal]
    by_community: dict[str, Decimal]
    card_scores: dict[str, Decimal | None]  # None: an empty card (all n/a)
    missing: list[str]
    missing_rule: str
    explanation: list[Line]  # message code + params; words in assessments.explain
    inputs_digest: str


# ---------------------------------------------------------------------------
# Small helpers


def _q2(value: Fraction) -> Decimal:
    """Round an exact value to 2 decimals, half up (away from zero), exactly."""
    sign = "-" if value < 0 else ""
    cents = math.floor(abs(value) * 100 + Fraction(1, 2))
    return Decimal(f"{sign}{cents // 100}.{cents % 100:02d}")


def _q2_or_none(value: Fraction | None) -> Decimal | None:
    return None if value is None else _q2(value)


def _fraction(value: object) -> Fraction | None:
    """The exact value of a number; None if it is not a finite number (or a bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else None
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    return None


def _plain(value: Fraction) -> str:
    """A number for people: a terminating decimal without trailing zeros, else p/q."""
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _canon(value: Fraction) -> str:
    return str(value)  # "3" or "161/2": one spelling per value


_DIGITS = re.compile(r"([0-9]+)")


def code_key(code: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Natural order of indicator codes: 1.2 before 1.10."""
    parts = tuple(
        (0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p)
        for p in _DIGITS.split(code)
        if p
    )
    return parts, code


def _parent_key(parent: str | None) -> tuple[int, tuple[Any, str]]:
    return (0, ((), "")) if parent is None else (1, code_key(parent))


def group_key(kind: str) -> tuple[int, str]:
    return (GROUP_ORDER.index(kind) if kind in GROUP_ORDER else len(GROUP_ORDER), kind)


def _community_key(community: str) -> tuple[int, str]:
    return (1 if community == NO_COMMUNITY else 0, community)


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


# ---------------------------------------------------------------------------
# The indicator tree


@dataclass(frozen=True)
class _Tree:
    specs: dict[str, IndicatorSpec]
    weights: dict[str, Fraction]
    children: dict[str | None, list[str]]  # None: the first level
    parents_bottom_up: list[str]  # every non-leaf, deepest first
    leaves: frozenset[str]
    max_points: dict[str, Fraction]
    levels: dict[str, dict[str, Fraction]]


def _tree(indicators: Sequence[IndicatorSpec]) -> _Tree:
    if not indicators:
        raise ScoringInputError("indicators_empty", "indicators")
    specs: dict[str, IndicatorSpec] = {}
    weights: dict[str, Fraction] = {}
    max_points: dict[str, Fraction] = {}
    levels: dict[str, dict[str, Fraction]] = {}
    for spec in indicators:
        code = spec.code
        if not isinstance(code, str) or not code:
            raise ScoringInputError("indicator_code_blank", "indicators.code")
        if code in specs:
            raise ScoringInputError(
                "indicator_duplicate", f"indicators[{code}].code", indicator=code
            )
        specs[code] = spec
        w = _fraction(spec.weight)
        if w is None or w < 0:
            raise ScoringInputError(
                "indicator_weight", f"indicators[{code}].weight", indicator=code
            )
        weights[code] = w
        if spec.scale not in SCALES:
            raise ScoringInputError(
                "indicator_scale",
                f"indicators[{code}].scale",
                indicator=code,
                scale=str(spec.scale),
            )
        if spec.scale == "points":
            m = _fraction(spec.max_points)
            if m is None or m <= 0:
                raise ScoringInputError(
                    "indicator_max_points",
                    f"indicators[{code}].max_points",
                    indicator=code,
                )
            max_points[code] = m
        if spec.scale == "levels":
            table: dict[str, Fraction] = {}
            for level, pct in spec.levels.items():
                p = _fraction(pct)
                if not isinstance(level, str) or p is None or not 0 <= p <= HUNDRED:
                    raise ScoringInputError(
                        "indicator_level",
                        f"indicators[{code}].levels",
                        indicator=code,
                        level=str(level),
                    )
                table[level] = p
            if not table:
                raise ScoringInputError(
                    "indicator_no_levels", f"indicators[{code}].levels", indicator=code
                )
            levels[code] = table

    children: dict[str | None, list[str]] = {None: []}
    for code, spec in specs.items():
        if spec.parent is not None and spec.parent not in specs:
            raise ScoringInputError(
                "indicator_parent",
                f"indicators[{code}].parent",
                indicator=code,
                parent=str(spec.parent),
            )
        children.setdefault(spec.parent, []).append(code)

    # Depth by walking up; a walk longer than the tree is a cycle.
    depth: dict[str, int] = {}
    for code in sorted(specs, key=code_key):
        seen: list[str] = []
        node: str | None = code
        while node is not None and node not in depth:
            if node in seen:
                raise ScoringInputError(
                    "indicator_cycle", f"indicators[{node}].parent", indicator=node
                )
            seen.append(node)
            node = specs[node].parent
        base = -1 if node is None else depth[node]
        for n, c in enumerate(reversed(seen), start=1):
            depth[c] = base + n

    for parent in sorted(children, key=_parent_key):
        kids = children[parent]
        kids.sort(key=code_key)
        total = sum((weights[k] for k in kids), Fraction(0))
        if total != HUNDRED:
            if parent is None:
                raise ScoringInputError(
                    "weights_first_level", "indicators.weight", total=_plain(total)
                )
            raise ScoringInputError(
                "weights_children",
                f"indicators[{parent}].children.weight",
                parent=parent,
                total=_plain(total),
            )
    if not children[None]:
        raise ScoringInputError("no_first_level", "indicators.parent")

    non_leaves = [c for c in children if c is not None]
    parents_bottom_up = sorted(non_leaves, key=lambda c: (-depth[c], code_key(c)))
    leaves = frozenset(c for c in specs if c not in children)
    return _Tree(
        specs=specs,
        weights=weights,
        children=children,
        parents_bottom_up=parents_bottom_up,
        leaves=leaves,
        max_points=max_points,
        levels=levels,
    )


def _normalise(tree: _Tree, card: Card, code: str, raw: object) -> Fraction | None:
    """A leaf answer on 0..100, or None for n/a (rule 2)."""
    where = f"cards[{card.id}].answers[{code}]"
    card_id = str(card.id)
    if code not in tree.specs:
        raise ScoringInputError(
            "answer_unknown_indicator", where, indicator=code, card=card_id
        )
    if code not in tree.leaves:
        raise ScoringInputError("answer_not_leaf", where, indicator=code, card=card_id)
    if raw is None:
        return None
    scale = tree.specs[code].scale
    if scale == "points":
        value = _fraction(raw)
        top = tree.max_points[code]
        if value is None:
            raise ScoringInputError(
                "answer_not_number", where, indicator=code, card=card_id
            )
        if not 0 <= value <= top:
            raise ScoringInputError(
                "answer_out_of_range",
                where,
                indicator=code,
                card=card_id,
                value=_plain(value),
                max=_plain(top),
            )
        return value / top * HUNDRED
    if scale == "levels":
        table = tree.levels[code]
        if not isinstance(raw, str) or raw not in table:
            raise ScoringInputError(
                "answer_unknown_level",
                where,
                indicator=code,
                card=card_id,
                level=str(raw),
                levels=sorted(table),
            )
        return table[raw]
    if not isinstance(raw, bool):
        raise ScoringInputError(
            "answer_not_yes_no", where, indicator=code, card=card_id
        )
    return HUNDRED if raw else Fraction(0)


def answer_errors(
    indicators: Iterable[IndicatorSpec], answers: Mapping[str, object]
) -> list[ScoringInputError]:
    """Every answer of one card the scoring would refuse, one error per indicator (in
    code order; `indicator` names it), e.g. to report them all beside a form's inputs.

    Raises:
        ScoringInputError: the indicator tree itself is refused.
    """
    tree = _tree(list(indicators))
    card = Card(id="answers", group="", community=None, answers=answers)
    errors = []
    for code, raw in sorted(
        ((str(c), v) for c, v in answers.items()), key=lambda kv: code_key(kv[0])
    ):
        try:
            _normalise(tree, card, code, raw)
        except ScoringInputError as exc:
            errors.append(exc)
    return errors


_Memo = dict[tuple[str | None, tuple[Fraction | None, ...]], Fraction | None]


def _weighted(
    tree: _Tree, parent: str | None, scores: Mapping[str, Fraction], memo: _Memo
) -> Fraction | None:
    """The weighted mean of a parent's scored children (None: none scored). Many
    cards give the same answers, so the result is kept per tuple of child scores."""
    kids = tree.children[parent]
    key = (parent, tuple(scores.get(k) for k in kids))
    if key in memo:
        return memo[key]
    num = Fraction(0)
    den = Fraction(0)
    for k, s in zip(kids, key[1], strict=True):
        if s is not None:
            w = tree.weights[k]
            num += w * s
            den += w
    result = num / den if den else None
    memo[key] = result
    return result


def _card_nodes(
    tree: _Tree, answers: Mapping[str, Fraction | None], memo: _Memo
) -> tuple[Fraction | None, dict[str, Fraction]]:
    """A card's score and the score of every indicator it scored (rule 3)."""
    scores: dict[str, Fraction] = {c: v for c, v in answers.items() if v is not None}
    for parent in tree.parents_bottom_up:
        s = _weighted(tree, parent, scores, memo)
        if s is not None:
            scores[parent] = s
    return _weighted(tree, None, scores, memo), scores


# ---------------------------------------------------------------------------
# The other inputs


def _check_groups(groups: Sequence[GroupSpec]) -> dict[str, GroupSpec]:
    by_kind: dict[str, GroupSpec] = {}
    for g in groups:
        kind = str(g.kind)
        if not kind:
            raise ScoringInputError("group_kind_blank", "groups.kind")
        if kind in by_kind:
            raise ScoringInputError(
                "group_duplicate", f"groups[{kind}].kind", group=kind
            )
        w = _fraction(g.weight)
        if w is None or w < 0:
            raise ScoringInputError(
                "group_weight", f"groups[{kind}].weight", group=kind
            )
        if isinstance(g.quorum, bool) or not isinstance(g.quorum, int) or g.quorum < 1:
            raise ScoringInputError(
                "group_quorum", f"groups[{kind}].quorum", group=kind
            )
        by_kind[kind] = g
    if sum(1 for g in by_kind.values() if g.replaces) > 1:
        raise ScoringInputError("groups_replaces", "groups.replaces")
    return by_kind


def _check_bands(bands: Sequence[Band]) -> list[tuple[str, Fraction, Decimal]]:
    out: list[tuple[str, Fraction, Decimal]] = []
    codes: set[str] = set()
    for b in bands:
        m = _fraction(b.min)
        if m is None or m < 0:
            raise ScoringInputError(
                "band_min", f"bands[{b.code}].min", band=str(b.code)
            )
        if b.code in codes:
            raise ScoringInputError(
                "band_duplicate", f"bands[{b.code}].code", band=str(b.code)
            )
        if out and m >= out[-1][1]:
            raise ScoringInputError("bands_order", f"bands[{b.code}].min")
        codes.add(b.code)
        out.append((b.code, m, Decimal(b.min)))
    if not out or out[-1][1] != 0:
        raise ScoringInputError("bands_no_zero", "bands")
    return out


def _digest(
    indicators: Sequence[IndicatorSpec],
    groups: Sequence[GroupSpec],
    cards: Sequence[Card],
    bands: Sequence[tuple[str, Fraction, Decimal]],
    missing_rule: str,
) -> str:
    def answer(v: object) -> object:
        if v is None or isinstance(v, bool | str):
            return v
        f = _fraction(v)
        return {"number": _canon(f)} if f is not None else repr(v)

    def num(v: object) -> str:
        f = _fraction(v)
        return _canon(f) if f is not None else repr(v)

    doc = {
        "indicators": [
            {
                "code": i.code,
                "parent": i.parent,
                "weight": num(i.weight),
                "scale": str(i.scale),
                "max_points": num(i.max_points),
                "levels": {str(k): num(v) for k, v in i.levels.items()},
                "name": i.name,
            }
            for i in sorted(indicators, key=lambda i: code_key(i.code))
        ],
        "groups": [
            {
                "kind": str(g.kind),
                "weight": num(g.weight),
                "quorum": g.quorum,
                "replaces": bool(g.replaces),
            }
            for g in sorted(groups, key=lambda g: str(g.kind))
        ],
        "cards": [
            {
                "id": str(c.id),
                "group": str(c.group),
                "community": c.community,
                "answers": {str(k): answer(v) for k, v in c.answers.items()},
            }
            for c in sorted(cards, key=lambda c: str(c.id))
        ],
        "bands": [{"code": code, "min": _canon(m)} for code, m, _ in bands],
        "missing_rule": missing_rule,
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# The function


@dataclass
class _Group:
    kind: str
    spec: GroupSpec
    weight: Fraction
    counted: list[tuple[Card, Fraction, dict[str, Fraction]]] = field(
        default_factory=list
    )
    empty: list[str] = field(default_factory=list)
    community_means: dict[str, Fraction] = field(default_factory=dict)
    community_sizes: dict[str, int] = field(default_factory=dict)
    indicator_means: dict[str, Fraction] = field(default_factory=dict)
    score: Fraction | None = None

    @property
    def present(self) -> bool:
        return len(self.counted) >= self.spec.quorum


def compute_vendor_score(
    indicators: Iterable[IndicatorSpec],
    groups: Iterable[GroupSpec],
    cards: Iterable[Card],
    bands: Iterable[Band],
    missing_rule: str = "reweight",
) -> ScoreBreakdown:
    """A vendor's score for a period from its scorecards (rules in the module
    docstring).

    Raises:
        ScoringInputError: an input the rules refuse; `field` names it.
    """
    indicators = list(indicators)
    group_list = list(groups)
    card_list = list(cards)
    band_list = list(bands)
    if missing_rule not in MISSING_RULES:
        raise ScoringInputError("missing_rule", "missing_rule", value=str(missing_rule))
    tree = _tree(indicators)
    specs = _check_groups(group_list)
    checked_bands = _check_bands(band_list)

    # Cards: validate, normalise and score each.
    state = {
        kind: _Group(kind=kind, spec=g, weight=_fraction(g.weight) or Fraction(0))
        for kind, g in specs.items()
    }
    seen_ids: set[str] = set()
    memo: _Memo = {}
    card_scores: dict[str, Fraction | None] = {}
    for card in card_list:
        cid = str(card.id)
        if cid in seen_ids:
            raise ScoringInputError("card_duplicate", f"cards[{cid}].id", card=cid)
        seen_ids.add(cid)
        if str(card.group) not in state:
            raise ScoringInputError(
                "card_group", f"cards[{cid}].group", card=cid, group=str(card.group)
            )
        if card.community == NO_COMMUNITY:
            raise ScoringInputError(
                "card_community",
                f"cards[{cid}].community",
                card=cid,
                community=NO_COMMUNITY,
            )
        answers = {
            str(code): _normalise(tree, card, str(code), raw)
            for code, raw in card.answers.items()
        }
        score, nodes = _card_nodes(tree, answers, memo)
        card_scores[cid] = score
        g = state[str(card.group)]
        if score is None:
            g.empty.append(cid)
        else:
            g.counted.append((card, score, nodes))

    inputs_digest = _digest(
        indicators, group_list, card_list, checked_bands, missing_rule
    )

    # Per group: community means first, then their mean (rule 4).
    for g in state.values():
        buckets: dict[str, list[Fraction]] = {}
        per_indicator: dict[str, list[Fraction]] = {}
        for card, score, nodes in g.counted:
            buckets.setdefault(card.community or NO_COMMUNITY, []).append(score)
            for code, s in nodes.items():
                per_indicator.setdefault(code, []).append(s)
        g.community_means = {
            c: _mean(buckets[c]) for c in sorted(buckets, key=_community_key)
        }
        g.community_sizes = {c: len(v) for c, v in buckets.items()}
        g.indicator_means = {
            c: _mean(per_indicator[c]) for c in sorted(per_indicator, key=code_key)
        }
        if g.community_means:
            g.score = _mean(list(g.community_means.values()))
        g.empty.sort()

    ordered = [state[k] for k in sorted(state, key=group_key)]
    missing = [g.kind for g in ordered if not g.present]
    replacing = next((g for g in ordered if g.spec.replaces and g.present), None)
    combining = [g for g in ordered if not g.spec.replaces]
    present_combining = [g for g in combining if g.present]
    missing_combining = [g for g in combining if not g.present]
    weight_sum = sum((g.weight for g in present_combining), Fraction(0))

    # The total (rule 5): shares are exact fractions of 1.
    shares: dict[str, Fraction] = {}
    failure: Line | None = None
    if replacing is not None:
        shares[replacing.kind] = Fraction(1)
    elif not present_combining:
        failure = _line("fail_no_group")
    elif missing_combining and missing_rule == "fail":
        failure = _line("fail_missing", groups=[g.kind for g in missing_combining])
    elif weight_sum == 0:
        failure = _line("fail_zero_weight")
    else:
        for g in present_combining:
            shares[g.kind] = g.weight / weight_sum

    total: Fraction | None = None
    total_q: Decimal | None = None
    grade: str | None = None
    if failure is None:
        total = sum(
            (shares[k] * (state[k].score or Fraction(0)) for k in shares), Fraction(0)
        )
        total_q = _q2(total)
        grade = next(code for code, _, m in checked_bands if m <= total_q)

    # Overall per indicator (effective weights) and per community (group weights).
    by_indicator: dict[str, Fraction] = {}
    codes = {c for g in ordered for c in g.indicator_means}
    for code in sorted(codes, key=code_key):
        pairs = [
            (shares[g.kind], g.indicator_means[code])
            for g in ordered
            if shares.get(g.kind) and code in g.indicator_means
        ]
        den = sum((w for w, _ in pairs), Fraction(0))
        if den:
            by_indicator[code] = sum((w * s for w, s in pairs), Fraction(0)) / den
    by_community: dict[str, Fraction] = {}
    communities = {c for g in ordered if g.present for c in g.community_means}
    for community in sorted(communities, key=_community_key):
        pairs = [
            (g.weight, g.community_means[community])
            for g in ordered
            if g.present and community in g.community_means
        ]
        den = sum((w for w, _ in pairs), Fraction(0))
        if den:
            by_community[community] = sum((w * s for w, s in pairs), Fraction(0)) / den

    rows = [
        GroupResult(
            kind=g.kind,
            weight=g.spec.weight,
            effective_weight=_q2(shares.get(g.kind, Fraction(0)) * HUNDRED),
            cards_counted=len(g.counted),
            cards_empty=len(g.empty),
            quorum=g.spec.quorum,
            present=g.present,
            replaces=bool(g.spec.replaces),
            score=_q2_or_none(g.score),
            contribution=None
            if failure is not None
            else _q2(shares.get(g.kind, Fraction(0)) * (g.score or Fraction(0))),
            by_community={c: _q2(v) for c, v in g.community_means.items()},
            by_indicator={c: _q2(v) for c, v in g.indicator_means.items()},
        )
        for g in ordered
    ]

    explanation = _explain(
        tree=tree,
        ordered=ordered,
        rows=rows,
        replacing=replacing,
        weight_sum=weight_sum,
        missing_rule=missing_rule,
        failure=failure,
        total_q=total_q,
        grade=grade,
        bands=checked_bands,
    )

    return ScoreBreakdown(
        status="failed" if failure is not None else "ok",
        total=total_q,
        grade=grade,
        groups=rows,
        by_indicator={c: _q2(v) for c, v in by_indicator.items()},
        by_community={c: _q2(v) for c, v in by_community.items()},
        card_scores={c: _q2_or_none(card_scores[c]) for c in sorted(card_scores)},
        missing=missing,
        missing_rule=missing_rule,
        explanation=explanation,
        inputs_digest=inputs_digest,
    )


# ---------------------------------------------------------------------------
# The explanation


def _line(code: str, level: int = 0, **params: Any) -> Line:
    """One explanation line: a message code and its parameters (JSON values only:
    numbers already as the strings shown), worded by `assessments.explain`."""
    line: Line = {"code": code, "params": params}
    if level:
        line["level"] = level
    return line


def _explain(
    *,
    tree: _Tree,
    ordered: list[_Group],
    rows: list[GroupResult],
    replacing: _Group | None,
    weight_sum: Fraction,
    missing_rule: str,
    failure: Line | None,
    total_q: Decimal | None,
    grade: str | None,
    bands: list[tuple[str, Fraction, Decimal]],
) -> list[Line]:
    lines = [
        _line(
            "tree",
            indicators=len(tree.specs),
            leaves=len(tree.leaves),
            rule=missing_rule,
        ),
        _line("card_rule"),
        _line("group_rule"),
    ]
    parts: list[str] = []
    for g, row in zip(ordered, rows, strict=True):
        kind = g.kind
        lines.append(
            _line(
                "group_cards",
                group=kind,
                weight=_plain(g.weight),
                quorum=g.spec.quorum,
                counted=row.cards_counted,
                empty=row.cards_empty,
            )
        )
        if g.empty:
            lines.append(_line("group_empty_cards", 1, group=kind, card_ids=g.empty))
        for community, mean in g.community_means.items():
            size = g.community_sizes[community]
            if community == NO_COMMUNITY:
                lines.append(
                    _line(
                        "no_community_mean",
                        1,
                        group=kind,
                        cards=size,
                        mean=str(_q2(mean)),
                    )
                )
            else:
                lines.append(
                    _line(
                        "community_mean",
                        1,
                        group=kind,
                        community=community,
                        cards=size,
                        mean=str(_q2(mean)),
                    )
                )
        if g.score is None:
            lines.append(_line("group_no_cards", group=kind))
            continue
        score = str(_q2(g.score))
        if set(g.community_means) == {NO_COMMUNITY}:
            basis = _line("basis_cards", cards=row.cards_counted, score=score)
        else:
            basis = _line(
                "basis_communities", communities=len(g.community_means), score=score
            )
        if not g.present:
            lines.append(
                _line(
                    "group_below_quorum_replacing"
                    if g.spec.replaces
                    else "group_below_quorum",
                    group=kind,
                    basis=basis,
                    quorum=g.spec.quorum,
                )
            )
        elif replacing is not None:
            if g is replacing:
                lines.append(_line("group_replaces", group=kind, basis=basis))
            else:
                lines.append(
                    _line(
                        "group_replaced",
                        group=kind,
                        basis=basis,
                        replacing=replacing.kind,
                    )
                )
        elif failure is not None:
            lines.append(_line("group_score", group=kind, basis=basis))
        else:
            lines.append(
                _line(
                    "group_contribution",
                    group=kind,
                    basis=basis,
                    weight=_plain(g.weight),
                    weight_sum=_plain(weight_sum),
                    contribution=str(row.contribution),
                )
            )
            parts.append(str(row.contribution))

    if failure is not None or total_q is None or grade is None:
        lines.append(_line("failed", reason=failure))
        return lines
    if replacing is not None:
        lines.append(
            _line("total_replaced", replacing=replacing.kind, total=str(total_q))
        )
    else:
        lines.append(_line("total_sum", parts=parts, total=str(total_q)))
        if sum((Decimal(p) for p in parts), Decimal(0)) != total_q:
            lines.append(_line("rounding_note"))
    floor = next(m for code, _, m in bands if code == grade)
    lines.append(
        _line(
            "grade",
            grade=grade,
            total=str(total_q),
            min=_plain(Fraction(floor)),
        )
    )
    return lines
