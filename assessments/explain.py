"""The words of the scoring (issue #7): the message catalogue of the explanation lines
and of the refused inputs, rendered with gettext in the reader's language.

`assessments.scoring` stays free of words: an explanation line is a message code with
its parameters, `{"code": "group_mean", "params": {...}}` (optionally `"level": 1` for a
detail line under the one before), and a `ScoringInputError` carries the same. The
breakdown stored in `RoundResult.breakdown` keeps these structured lines, so the text
is produced when it is shown, in the language of whoever reads it:

    render_line(line) -> str        one line (a plain string, as stored by older
                                    versions, is returned as it is); `names` maps
                                    community keys (ids) to the names to show
    render_lines(lines) -> [str]    every line
    line_level(line) -> int         0 for a main line, 1 for a detail under it
    error_message(exc) -> lazy str  a `ScoringInputError`'s message (`short=True`: the
                                    answer errors without the card and the indicator,
                                    for a message shown beside the indicator itself)

Parameters that are codes get their label: rater kinds (`group`, `replacing`,
`groups`) by `RaterKind`, grades (`grade`, `band`) by `Grade`, the missing-group rule
(`rule`) by `MissingGroupRule`; lists are joined with "、" (`parts` with " + "); a
parameter that is itself a line (`basis`, `reason`) is rendered in turn. An unknown code
renders as the code with its parameters, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.choices import Grade

from .choices import MissingGroupRule, RaterKind

# --- the explanation -------------------------------------------------------------------

LINES: dict[str, Any] = {
    "tree": _(
        "指标体系：共 %(indicators)s 项指标（末级 %(leaves)s 项），各级权重合计 100；"
        "评价主体缺席时：%(rule)s。"
    ),
    "card_rule": _(
        "每份评分表：末级指标换算为 0–100 分（分值 ÷ 满分 × 100；等级按对应得分率；"
        "是 = 100、否 = 0），再逐级按权重加权平均；不适用的指标不计，"
        "其余同级指标的权重按比例放大。全部不适用的评分表为空白，不计入。"
    ),
    "group_rule": _(
        "每个评价主体：先按社区求平均，再对各社区平均分求平均（各社区同等看待）。"
    ),
    "group_cards": _(
        "%(group)s（权重 %(weight)s，至少 %(quorum)s 份）："
        "有效评分表 %(counted)s 份，空白 %(empty)s 份。"
    ),
    "group_empty_cards": _("%(group)s空白评分表（全部不适用，不计入）：%(card_ids)s"),
    "community_mean": _("%(group)s·社区 %(community)s：%(cards)s 份平均 %(mean)s 分"),
    "no_community_mean": _("%(group)s·不分社区：%(cards)s 份平均 %(mean)s 分"),
    "group_no_cards": _("%(group)s：没有有效评分表，不计入总分。"),
    "basis_cards": _("%(cards)s份评分表平均 %(score)s 分"),
    "basis_communities": _("%(communities)s个社区平均 %(score)s 分"),
    "group_below_quorum": _(
        "%(group)s：%(basis)s，有效评分表少于 %(quorum)s 份，视为缺席，不计入总分。"
    ),
    "group_below_quorum_replacing": _(
        "%(group)s：%(basis)s，有效评分表少于 %(quorum)s 份，不替代其他评价主体。"
    ),
    "group_replaces": _("%(group)s：%(basis)s，替代其他评价主体，即为总分。"),
    "group_replaced": _(
        "%(group)s：%(basis)s，由%(replacing)s的评分替代，不计入总分。"
    ),
    "group_score": _("%(group)s：%(basis)s。"),
    "group_contribution": _(
        "%(group)s：%(basis)s × 权重 %(weight)s/%(weight_sum)s = %(contribution)s 分"
    ),
    "failed": _("计分失败：%(reason)s"),
    "fail_no_group": _("没有任何评价主体达到最少评分表份数，无法计分。"),
    "fail_missing": _("缺少评价主体 %(groups)s，按缺席规则本轮考核不成立。"),
    "fail_zero_weight": _("参与计分的评价主体权重合计为 0，无法计分。"),
    "total_replaced": _("总分 = %(replacing)s得分 = %(total)s 分"),
    "total_sum": _("总分 = %(parts)s = %(total)s 分"),
    "rounding_note": _("（各项按精确值计算，四舍五入后之和与总分可能相差 0.01 分。）"),
    "grade": _("等级：%(grade)s（总分 %(total)s ≥ %(min)s 分）"),
}

# --- the refused inputs (ScoringInputError.code) ---------------------------------------

ERRORS: dict[str, Any] = {
    "indicators_empty": _("指标体系为空。"),
    "indicator_code_blank": _("指标编号不能为空。"),
    "indicator_duplicate": _("指标编号「%(indicator)s」重复。"),
    "indicator_weight": _("指标「%(indicator)s」的权重应为不小于 0 的数。"),
    "indicator_scale": _(
        "指标「%(indicator)s」的计分方式「%(scale)s」未知（应为分值、等级或是/否）。"
    ),
    "indicator_max_points": _("指标「%(indicator)s」的满分应大于 0。"),
    "indicator_level": _(
        "指标「%(indicator)s」的等级「%(level)s」应对应 0–100 的得分率。"
    ),
    "indicator_no_levels": _("指标「%(indicator)s」按等级计分，但没有设定等级。"),
    "indicator_parent": _("指标「%(indicator)s」的上级指标「%(parent)s」不存在。"),
    "indicator_cycle": _("指标「%(indicator)s」的上下级关系构成循环。"),
    "weights_first_level": _("一级指标权重合计为 %(total)s，应为 100。"),
    "weights_children": _(
        "指标「%(parent)s」的下级指标权重合计为 %(total)s，应为 100。"
    ),
    "no_first_level": _("指标体系没有一级指标。"),
    "answer_unknown_indicator": _(
        "评分表「%(card)s」回答了不存在的指标「%(indicator)s」。"
    ),
    "answer_not_leaf": _(
        "评分表「%(card)s」回答了非末级指标「%(indicator)s」（只对末级指标评分）。"
    ),
    "answer_not_number": _("评分表「%(card)s」对指标「%(indicator)s」的评分应为数字。"),
    "answer_out_of_range": _(
        "评分表「%(card)s」对指标「%(indicator)s」的评分 %(value)s 超出 0–%(max)s 分。"
    ),
    "answer_unknown_level": _(
        "评分表「%(card)s」对指标「%(indicator)s」的等级「%(level)s」未知"
        "（应为 %(levels)s）。"
    ),
    "answer_not_yes_no": _("评分表「%(card)s」对指标「%(indicator)s」应回答是或否。"),
    "group_kind_blank": _("评价主体类别不能为空。"),
    "group_duplicate": _("评价主体「%(group)s」重复。"),
    "group_weight": _("评价主体「%(group)s」的权重应为不小于 0 的数。"),
    "group_quorum": _("评价主体「%(group)s」的最少评分表份数应为不小于 1 的整数。"),
    "groups_replaces": _("至多一个评价主体可以替代其他评价主体。"),
    "band_min": _("等级「%(band)s」的最低分应为不小于 0 的数。"),
    "band_duplicate": _("等级「%(band)s」重复。"),
    "bands_order": _("等级应按最低分从高到低排列，且最低分各不相同。"),
    "bands_no_zero": _("等级中必须有一个最低分为 0 的等级。"),
    "card_duplicate": _("评分表编号「%(card)s」重复。"),
    "card_group": _("评分表「%(card)s」属于未设定的评价主体「%(group)s」。"),
    "card_community": _("评分表「%(card)s」的社区不能写作「%(community)s」。"),
    "missing_rule": _("缺席规则「%(value)s」未知（应为 reweight 或 fail）。"),
}

# The answer errors as said beside the indicator itself (a form field, `answers.<code>`).
SHORT: dict[str, Any] = {
    "answer_unknown_indicator": _("本考核方案没有这一指标。"),
    "answer_not_leaf": _("只对末级指标评分。"),
    "answer_not_number": _("请填写数字。"),
    "answer_out_of_range": _("评分应在 0 到 %(max)s 分之间。"),
    "answer_unknown_level": _("请从给出的等级中选择（%(levels)s）。"),
    "answer_not_yes_no": _("请选择“是”或“否”。"),
}

KIND_PARAMS = frozenset({"group", "replacing", "groups"})
GRADE_PARAMS = frozenset({"grade", "band"})
RULE_PARAMS = frozenset({"rule"})
JOINERS = {"parts": " + "}


def _label(name: str, value: Any) -> str:
    choices: Any = None
    if name in KIND_PARAMS:
        choices = RaterKind
    elif name in GRADE_PARAMS:
        choices = Grade
    elif name in RULE_PARAMS:
        choices = MissingGroupRule
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


def kind_label(kind: str) -> str:
    """A rater kind's label in the active language (an unknown kind as it is)."""
    return _label("group", kind)


def grade_label(grade: str) -> str:
    """A grade's label in the active language (an unknown code as it is)."""
    return _label("grade", grade)


def _param(name: str, value: Any, names: Mapping[str, str] | None) -> str:
    if isinstance(value, Mapping) and "code" in value:
        return render_line(value, names)
    if isinstance(value, list | tuple):
        parts = [_param(name, v, names) for v in value]
        return JOINERS.get(name, gettext("、")).join(parts)
    if value is None:
        return "—"
    if name == "community" and names:
        return str(names.get(str(value), value))
    return _label(name, value)


def _render(
    templates: Mapping[str, Any],
    code: str,
    params: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
) -> str:
    template = templates.get(code)
    values = {str(k): _param(str(k), v, names) for k, v in params.items()}
    if template is None:
        # An unknown code (a newer or older catalogue): the code and its parameters.
        shown = "，".join(f"{k}={v}" for k, v in values.items())
        return f"{code}（{shown}）" if shown else str(code)
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        # A translation naming a parameter the line lacks: the template as it is.
        return str(template)


def render_line(line: Any, names: Mapping[str, str] | None = None) -> str:
    """One explanation line as text in the active language (a stored plain string is
    returned as it is). `names`: community key → name, to show names, not ids."""
    if isinstance(line, str):
        return line
    if not isinstance(line, Mapping) or "code" not in line:
        return str(line)
    params = line.get("params") or {}
    if not isinstance(params, Mapping):
        params = {}
    text = _render(LINES, str(line["code"]), params, names)
    level = line.get("level") or 0
    return "  " * level + text if isinstance(level, int) and level > 0 else text


def render_lines(
    lines: Iterable[Any] | None, names: Mapping[str, str] | None = None
) -> list[str]:
    return [render_line(line, names) for line in (lines or [])]


def line_level(line: Any) -> int:
    """How far a line is indented under the one before (0 for a main line)."""
    if isinstance(line, Mapping) and isinstance(line.get("level"), int):
        return max(0, int(line["level"]))
    if isinstance(line, str):
        return (len(line) - len(line.lstrip(" "))) // 2
    return 0


def render_error(code: str, params: Mapping[str, Any], short: bool = False) -> str:
    """A refused input's message in the active language."""
    if short and code in SHORT:
        return _render(SHORT, code, params)
    return _render(ERRORS, code, params)


_lazy_error = lazy(render_error, str)


def error_message(exc: Any, short: bool = False) -> Any:
    """A `ScoringInputError`'s message, lazily translated (rendered when shown)."""
    return _lazy_error(exc.code, dict(exc.params), short)
