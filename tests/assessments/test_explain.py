"""The words of the scoring (`assessments.explain`): every message the scoring emits
has a translatable template, the lines are worded when shown (in the reader's
language, through gettext), old plain-text lines still show, and a refused answer is
reported beside its own indicator (`answers.<code>`) by the service, the API, the
residents' page and the scorecard form."""

from __future__ import annotations

import ast
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import assessments.services as asvc
from assessments import explain, scoring
from assessments.explain import ERRORS, LINES, SHORT, render_line, render_lines
from assessments.forms import ScorecardForm
from assessments.models import ResidentToken, RoundResult, Scorecard
from assessments.scoring import (
    Card,
    GroupSpec,
    IndicatorSpec,
    ScoringInputError,
    answer_errors,
    compute_vendor_score,
)
from core.exceptions import ValidationFailed
from core.forms import place_errors
from tests.assessments.test_residents import (  # noqa: F401 - fixtures
    good_post,
    ids,
    page_url,
    rnd,
    token,
)
from tests.assessments.test_scoring import BAD_INPUTS, BANDS, CARDS, GROUPS, TREE, score

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def codes_in_scoring() -> tuple[set[str], set[str]]:
    """Every message code written in scoring.py: (explanation lines, errors)."""
    tree = ast.parse(Path(scoring.__file__).read_text(encoding="utf-8"))
    lines: set[str] = set()
    errors: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        target = {"_line": lines, "ScoringInputError": errors}.get(node.func.id)
        if target is None or not node.args:
            continue
        found = {
            n.value
            for n in ast.walk(node.args[0])
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        assert found, f"line {node.lineno}: the message code is not written out"
        target |= found
    return lines, errors


def all_lines(lines):
    """The lines with the lines nested in their parameters (basis, reason)."""
    for line in lines:
        yield line
        for value in line["params"].values():
            if isinstance(value, dict) and "code" in value:
                yield from all_lines([value])


def scenarios():
    """Breakdowns that go through every kind of line: ok, reweighted, failed,
    replaced, below quorum, empty cards, rounding."""
    panel = GroupSpec("expert_panel", D(30), replaces=True)
    panel_of_two = GroupSpec("expert_panel", D(30), quorum=2, replaces=True)
    report = Card("p1", "expert_panel", None, {"2.2": 90})
    empty = Card("n1", "department", None, {"1.1": None})
    thirds = [
        IndicatorSpec("1", None, D(100), "points", max_points=D(3)),
    ]
    return [
        compute_vendor_score(TREE, GROUPS, CARDS + [empty], BANDS),
        compute_vendor_score(TREE, GROUPS, CARDS[:6], BANDS, "fail"),
        compute_vendor_score(TREE, GROUPS, [], BANDS),
        compute_vendor_score(TREE, [*GROUPS, panel], CARDS, BANDS),
        compute_vendor_score(TREE, [*GROUPS, panel], [*CARDS, report], BANDS),
        compute_vendor_score(TREE, [*GROUPS, panel_of_two], [*CARDS, report], BANDS),
        compute_vendor_score(
            TREE,
            [GroupSpec("department", D(1), quorum=5), *GROUPS[1:]],
            CARDS,
            BANDS,
        ),
        compute_vendor_score(TREE, [GroupSpec("department", D(0))], CARDS[:2], BANDS),
        compute_vendor_score(
            thirds,
            [GroupSpec("department", D(1)), GroupSpec("community", D(1))],
            [
                Card("a", "department", None, {"1": 1}),
                Card("b", "community", "x", {"1": 1}),
            ],
            BANDS,
        ),
    ]


# --- the catalogue ---------------------------------------------------------------------


def test_every_code_the_scoring_writes_has_a_template():
    lines, errors = codes_in_scoring()
    assert lines
    assert errors
    assert lines <= set(LINES), lines - set(LINES)
    assert errors <= set(ERRORS), errors - set(ERRORS)
    assert set(SHORT) <= set(ERRORS)
    # and nothing in the catalogue is left over from an older wording
    assert set(LINES) <= lines
    assert set(ERRORS) <= errors


def test_every_emitted_line_fills_its_template():
    seen: set[str] = set()
    for r in scenarios():
        for line in all_lines(r.explanation):
            seen.add(line["code"])
            wanted = set(PLACEHOLDER.findall(str(LINES[line["code"]])))
            assert wanted <= set(line["params"]), line
            text = render_line(line)
            assert "%(" not in text, line
            assert text.strip(), line
    # the scenarios reach every line of the catalogue
    assert seen == set(LINES), set(LINES) - seen


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_every_refused_input_has_a_filled_message(case):
    kwargs = {
        "groups": GROUPS,
        "cards": CARDS,
        "indicators": TREE,
        "bands": BANDS,
        "rule": "reweight",
        **case.changes,
    }
    with pytest.raises(ScoringInputError) as caught:
        score(**kwargs)
    exc = caught.value
    assert exc.code in ERRORS
    assert set(PLACEHOLDER.findall(str(ERRORS[exc.code]))) <= set(exc.params)
    for text in (str(exc), str(exc.message), str(exc.short_message)):
        assert text
        assert "%(" not in text
    if exc.field.startswith(("indicators[", "cards[")) and "answers[" in exc.field:
        assert exc.indicator == exc.field.rsplit("[", 1)[1].rstrip("]")


# --- rendering -------------------------------------------------------------------------


def test_lines_render_in_chinese_with_labels_and_numbers():
    line = {
        "code": "group_contribution",
        "params": {
            "group": "resident",
            "basis": {
                "code": "basis_communities",
                "params": {"communities": 2, "score": "86.67"},
            },
            "weight": "30",
            "weight_sum": "100",
            "contribution": "26.00",
        },
    }
    assert render_line(line) == "居民：2个社区平均 86.67 分 × 权重 30/100 = 26.00 分"
    grade = {
        "code": "grade",
        "params": {"grade": "good", "total": "80.14", "min": "80"},
    }
    assert render_line(grade) == "等级：良（总分 80.14 ≥ 80 分）"
    tree = {"code": "tree", "params": {"indicators": 6, "leaves": 4, "rule": "fail"}}
    assert render_line(tree).endswith("评价主体缺席时：本轮考核不成立。")
    failed = {
        "code": "failed",
        "params": {
            "reason": {
                "code": "fail_missing",
                "params": {"groups": ["resident_unit", "community"]},
            }
        },
    }
    assert (
        render_line(failed)
        == "计分失败：缺少评价主体 驻区单位、社区，按缺席规则本轮考核不成立。"
    )
    total = {
        "code": "total_sum",
        "params": {"parts": ["1.00", "2.50"], "total": "3.50"},
    }
    assert render_line(total) == "总分 = 1.00 + 2.50 = 3.50 分"


def test_detail_lines_are_indented_and_communities_can_be_named():
    line = {
        "code": "community_mean",
        "level": 1,
        "params": {"group": "resident", "community": "17", "cards": 3, "mean": "73.33"},
    }
    assert render_line(line) == "  居民·社区 17：3 份平均 73.33 分"
    assert (
        render_line(line, {"17": "铁佛社区"})
        == "  居民·社区 铁佛社区：3 份平均 73.33 分"
    )
    assert explain.line_level(line) == 1
    assert explain.line_level({"code": "tree", "params": {}}) == 0


def test_stored_plain_text_and_unknown_lines_do_not_break_the_page():
    old = "总分 = 21.06 + 24.90 = 45.96 分"
    assert render_line(old) == old
    assert render_line("  居民·社区 北城：3 份平均 73.33 分").startswith("  居民")
    assert explain.line_level("  居民·社区 北城：3 份平均 73.33 分") == 1
    unknown = render_line({"code": "from_the_future", "params": {"n": 3}})
    assert "from_the_future" in unknown
    assert "3" in unknown
    assert render_line({"code": "card_rule", "params": "nonsense"})
    assert render_line({"code": "group_score", "params": {}})  # params missing
    assert render_line(None) == "None"
    assert render_lines(None) == []
    assert render_lines([old, {"code": "group_rule"}])[0] == old


def test_unknown_kinds_and_grades_are_shown_as_they_are():
    line = {"code": "group_no_cards", "params": {"group": "volunteers"}}
    assert render_line(line) == "volunteers：没有有效评分表，不计入总分。"
    assert explain.grade_label("platinum") == "platinum"
    assert explain.kind_label("expert_panel") == "专家评审组"


def test_rendering_goes_through_gettext_at_display_time(monkeypatch):
    # given: a structured line, stored before any language was chosen
    line = {
        "code": "group_score",
        "params": {
            "group": "resident",
            "basis": {"code": "basis_cards", "params": {"cards": 2, "score": "80.00"}},
        },
    }
    # when: it is shown with a catalogue that marks every translated text
    with translation.override("en"):
        trans = translation._trans  # noqa: SLF001 - the active gettext
        monkeypatch.setattr(trans, "gettext", lambda s: f"«{s}»")
        text = render_line(line)
        exc = ScoringInputError(
            "answer_not_yes_no", "cards[c1].answers[3]", indicator="3", card="c1"
        )
        message, short = str(exc.message), str(exc.short_message)
    # then: the template, the nested line and the kind label were each translated
    assert text == "««居民»：«2份评分表平均 80.00 分»。»"
    assert message == "«评分表「c1」对指标「3」应回答是或否。»"
    assert short == "«请选择“是”或“否”。»"


def test_english_rendering_fills_every_line():
    with translation.override("en"):
        for r in scenarios():
            for text in render_lines(r.explanation):
                assert text.strip()
                assert "%(" not in text


# --- answers reported per indicator ----------------------------------------------------


def test_answer_errors_lists_each_refused_answer_by_indicator():
    errors = answer_errors(TREE, {"1.1": 11, "1.2": "Z", "2.1": "yes", "2.2": 50})
    assert [(e.indicator, e.code) for e in errors] == [
        ("1.1", "answer_out_of_range"),
        ("1.2", "answer_unknown_level"),
        ("2.1", "answer_not_yes_no"),
    ]
    assert [str(e.short_message) for e in errors] == [
        "评分应在 0 到 10 分之间。",
        "请从给出的等级中选择（A、B、C、D）。",
        "请选择“是”或“否”。",
    ]
    assert answer_errors(TREE, {"1.1": 10, "2.1": True}) == []


@pytest.mark.django_db
def test_scorecard_submit_reports_a_bad_answer_under_its_indicator(rnd, personas):  # noqa: F811
    with pytest.raises(ValidationFailed) as caught:
        asvc.scorecard_submit(
            round=rnd,
            actor=personas.dept,
            contract=rnd.contract,
            answers={"1": 8, "2": "很好", "3": True},
        )
    assert {k: [str(m) for m in v] for k, v in caught.value.fields.items()} == {
        "answers.2": ["请从给出的等级中选择（不满意、基本满意、满意）。"]
    }
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_the_residents_api_reports_a_bad_answer_under_its_indicator(api, rnd, token):  # noqa: F811
    body = {"token": token, "answers": {"1": 9, "2": "很好", "3": False}}
    response = api(None).post("/api/v1/residents/answers/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "answers.2": ["请从给出的等级中选择（不满意、基本满意、满意）。"]
    }
    assert not ResidentToken.objects.filter(used_at__isnull=False).exists()


@pytest.mark.django_db
def test_the_residents_page_shows_the_error_beside_the_indicator(client, rnd, token):  # noqa: F811
    data = good_post(rnd, **{f"q{ids(rnd)['2']}": "很好"})
    response = client.post(page_url(token), data)
    assert response.status_code == 400
    body = response.content.decode()
    blocks = re.split(r'(?=<div class="q[^"]*" data-indicator=")', body)
    by_code = {
        re.search(r'data-indicator="([^"]+)"', b).group(1): b
        for b in blocks
        if 'data-indicator="' in b[:80]
    }
    assert "请从给出的等级中选择" in by_code["2"]
    assert "has-error" in by_code["2"][:60]
    assert "请从给出的等级中选择" not in by_code["1"] + by_code["3"]
    assert "请检查标出的题目" in body
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_the_card_form_puts_the_services_answer_error_beside_the_indicator(rnd):  # noqa: F811
    leaves = list(rnd.plan.indicators.all())
    form = ScorecardForm({}, leaves=leaves, paper_allowed=False)
    form.is_valid()
    place_errors(form, ValidationFailed(fields={"answers.2": ["请选择等级。"]}))
    assert form.errors["answers[2]"] == ["请选择等级。"]
    assert "请选择等级。" not in " ".join(form.non_field_errors())


# --- the stored breakdown --------------------------------------------------------------


@pytest.mark.django_db
def test_a_stored_breakdown_keeps_codes_and_old_text_still_shows(
    rnd,  # noqa: F811
    personas,
    web,
    api,
):
    asvc.scorecard_submit(
        round=rnd,
        actor=personas.dept,
        contract=rnd.contract,
        answers={"1": 8, "2": "满意", "3": True},
    )
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    stored = result.breakdown["explanation"]
    assert all(isinstance(x, dict) and x["code"] in LINES for x in stored)
    url = reverse("api:assessment-result-detail", args=[result.pk])
    body = api(personas.officer).get(url).json()
    assert body["explanation"] == render_lines(stored)
    assert [x["code"] for x in body["explanation_lines"]] == [x["code"] for x in stored]
    # given: a result stored by the older version, its lines as Chinese text
    old = ["总分 = 80.00 分", "等级：良（总分 80.00 ≥ 80 分）"]
    RoundResult.objects.filter(pk=result.pk).update(
        breakdown={**result.breakdown, "explanation": old}
    )
    # then: the page and the API show those lines as they are
    page = web(personas.officer).get(
        reverse("assessments:result-detail", args=[result.pk])
    )
    assert page.status_code == 200
    assert all(line in page.content.decode() for line in old)
    body = api(personas.officer).get(url).json()
    assert body["explanation"] == old
    assert [x["code"] for x in body["explanation_lines"]] == ["", ""]
