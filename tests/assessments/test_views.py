"""The assessments pages: the plan list and the raters' 待评分 list, a new plan, the
plan page with its round form, the round page with scoring, the result explained,
and the rater's scorecard beside what the contract stage knows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

import assessments.services as asvc
from accounts.models import Organisation
from assessments.choices import CardSource, RaterKind, RoundStatus
from assessments.explain import render_lines
from assessments.models import AssessmentPlan, AssessmentRound, RoundResult, Scorecard
from contracts.models import ExtraWork
from tests.assessments.conftest import FOUR, all_  # noqa: E402
from tests.assessments.test_panel import seat_panel
from tests.contracts.conftest import *  # noqa: F403

pytestmark = pytest.mark.django_db


def form_answers(points) -> dict:
    return {f"answers[{c}]": str(points) for c in FOUR}


def card_url(rnd, contract, community=None) -> str:
    url = reverse("assessments:card-create", args=[rnd.pk]) + f"?contract={contract.pk}"
    if community is not None:
        url += f"&community={community.pk}"
    return url


# --- the list --------------------------------------------------------------------------------


def test_the_officer_sees_the_streets_plans(plan, personas, web):
    # when
    response = web(personas.officer).get(reverse("assessments:plan-list"))
    # then
    assert response.status_code == 200
    assert plan.name in response.content.decode()
    assert reverse("assessments:plan-create") in response.content.decode()


def test_another_street_sees_no_plan(plan, personas, web):
    response = web(personas.other_officer).get(reverse("assessments:plan-list"))
    assert response.status_code == 200
    assert plan.name not in response.content.decode()


def test_raters_see_what_waits_for_them(rnd, personas, orgs, web):
    # when: the community's staff open the list
    response = web(personas.community).get(reverse("assessments:plan-list"))
    # then: the contract of the open round, for their community, links to the card
    body = response.content.decode()
    assert response.status_code == 200
    assert "待评分" in body
    assert card_url(rnd, rnd.contract, orgs.c1).replace("&", "&amp;") in body
    # and: the resident unit's assessor and the department see theirs too
    for who in (personas.assessor, personas.dept):
        body = web(who).get(reverse("assessments:plan-list")).content.decode()
        assert reverse("assessments:card-create", args=[rnd.pk]) in body


def test_a_closed_round_waits_for_nobody(rnd, personas, web):
    AssessmentRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.CLOSED)
    body = web(personas.dept).get(reverse("assessments:plan-list")).content.decode()
    assert reverse("assessments:card-create", args=[rnd.pk]) not in body


def test_an_expert_rates_only_plans_with_a_panel(rnd, personas, web):
    # given: the default plan has no expert panel
    body = web(personas.expert).get(reverse("assessments:plan-list")).content.decode()
    assert reverse("assessments:card-create", args=[rnd.pk]) not in body


def test_the_vendor_has_no_assessment_list(personas, web):
    response = web(personas.vendor).get(reverse("assessments:plan-list"))
    assert response.status_code == 403


def test_the_nav_shows_assessments_to_raters_not_vendors(personas, web):
    url = reverse("assessments:plan-list")
    home = reverse("contracts:contract-list")
    assert f'href="{url}"' in web(personas.community).get(home).content.decode()
    assert f'href="{url}"' not in web(personas.vendor).get(home).content.decode()


# --- a new plan ------------------------------------------------------------------------------


def test_the_officer_creates_a_plan_from_a_template(make_contract, personas, orgs, web):
    # given
    contract = make_contract()
    client = web(personas.officer)
    assert client.get(reverse("assessments:plan-create")).status_code == 200
    # when
    response = client.post(
        reverse("assessments:plan-create"),
        {
            "buyer": orgs.s1.pk,
            "name": "2026年度考核",
            "year": "2026",
            "period_kind": "half",
            "contracts": [contract.pk],
            "template": "items",
            "missing_rule": "fail",
        },
    )
    # then: a plan with one indicator per contracted item, and the plan's page
    plan = AssessmentPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:plan-detail", args=[plan.pk])
    assert (plan.period_kind, plan.missing_rule) == ("half", "fail")
    assert list(plan.contracts.all()) == [contract]
    assert plan.indicators.exclude(item_code="").count() == plan.indicators.count()


def test_a_plan_without_contracts_keeps_the_input(make_contract, personas, orgs, web):
    make_contract()
    # when: no contract chosen
    response = web(personas.officer).post(
        reverse("assessments:plan-create"),
        {
            "buyer": orgs.s1.pk,
            "name": "保留的名称",
            "year": "2026",
            "period_kind": "year",
            "template": "dimensions",
            "missing_rule": "reweight",
        },
    )
    # then: 400, the name kept, nothing written
    assert response.status_code == 400
    assert "保留的名称" in response.content.decode()
    assert not AssessmentPlan.objects.exists()


def test_another_streets_contract_cannot_be_chosen(make_contract, personas, orgs, web):
    contract = make_contract()
    response = web(personas.other_officer).post(
        reverse("assessments:plan-create"),
        {
            "buyer": orgs.s2.pk,
            "name": "越权方案",
            "year": "2026",
            "period_kind": "year",
            "contracts": [contract.pk],
            "template": "dimensions",
            "missing_rule": "reweight",
        },
    )
    assert response.status_code == 400
    assert "越权方案" in response.content.decode()
    assert not AssessmentPlan.objects.exists()


@pytest.mark.parametrize("who", ["dept", "community", "vendor", "auditor"])
def test_only_the_buyers_officer_creates_plans(who, personas, web):
    response = web(getattr(personas, who)).get(reverse("assessments:plan-create"))
    assert response.status_code == 403
    assert "购买主体" in response.content.decode()


def test_nonsense_input_is_a_400_not_an_error(personas, web, orgs):
    response = web(personas.officer).post(
        reverse("assessments:plan-create"),
        {"buyer": "x\x00", "year": "²", "contracts": ["abc"], "name": "名"},
    )
    assert response.status_code == 400


# --- the plan --------------------------------------------------------------------------------


def test_the_plan_page_shows_the_tree_the_groups_and_the_rounds(rnd, personas, web):
    body = (
        web(personas.officer)
        .get(reverse("assessments:plan-detail", args=[rnd.plan.pk]))
        .content.decode()
    )
    for text in ("决策", "过程", "产出", "效益", "30.00", "年度", "开启考核期"):
        assert text in body
    assert reverse("assessments:round-detail", args=[rnd.pk]) in body


def test_the_plan_is_invisible_to_another_street(plan, personas, web):
    url = reverse("assessments:plan-detail", args=[plan.pk])
    assert web(personas.other_officer).get(url).status_code == 404
    assert web(personas.community).get(url).status_code == 404


def test_the_officer_opens_a_round(plan, personas, web):
    # when
    response = web(personas.officer).post(
        reverse("assessments:plan-detail", args=[plan.pk]),
        {"label": "上半年", "period_start": "2026-01-01", "period_end": "2026-06-30"},
    )
    # then
    rnd = AssessmentRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:round-detail", args=[rnd.pk])
    assert (rnd.label, rnd.status) == ("上半年", RoundStatus.OPEN)


def test_a_round_ending_before_it_starts_keeps_the_input(plan, personas, web):
    response = web(personas.officer).post(
        reverse("assessments:plan-detail", args=[plan.pk]),
        {"label": "倒置", "period_start": "2026-06-30", "period_end": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "倒置" in response.content.decode()
    assert not AssessmentRound.objects.exists()


def test_a_duplicate_round_label_is_refused_with_the_reason(rnd, personas, web):
    response = web(personas.officer).post(
        reverse("assessments:plan-detail", args=[rnd.plan.pk]),
        {"label": "年度", "period_start": "2026-01-01", "period_end": "2026-12-31"},
    )
    assert response.status_code == 400
    assert "该考核期已存在" in response.content.decode()
    assert AssessmentRound.objects.count() == 1


def test_department_staff_read_the_plan_but_open_no_round(plan, personas, web):
    url = reverse("assessments:plan-detail", args=[plan.pk])
    client = web(personas.dept)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"label": "x", "period_start": "2026-01-01", "period_end": "2026-02-01"}
    )
    assert response.status_code == 403
    assert not AssessmentRound.objects.exists()


# --- the round, the scoring and a result ------------------------------------------------


def _cards(rnd, personas, orgs):
    asvc.scorecard_submit(
        round=rnd, actor=personas.dept, contract=rnd.contract, answers=all_(80)
    )
    asvc.scorecard_submit(
        round=rnd,
        actor=personas.community,
        contract=rnd.contract,
        answers=all_(90),
        community=orgs.c1,
    )
    asvc.scorecard_submit(
        round=rnd,
        actor=personas.community,
        contract=rnd.contract,
        answers=all_(80),
        community=orgs.c1,
        paper=True,
    )
    asvc.scorecard_submit(
        round=rnd, actor=personas.assessor, contract=rnd.contract, answers=all_(60)
    )


def test_the_round_page_counts_cards_per_group_and_community(rnd, personas, orgs, web):
    _cards(rnd, personas, orgs)
    response = web(personas.officer).get(
        reverse("assessments:round-detail", args=[rnd.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "铁佛社区：1" in body
    assert 'action="{}"'.format(reverse("assessments:round-score", args=[rnd.pk])) in (
        body
    )


def test_the_officer_scores_the_round_and_reads_the_explanation(
    rnd, personas, orgs, web, django_capture_on_commit_callbacks
):
    # given
    _cards(rnd, personas, orgs)
    client = web(personas.officer)
    # when: 计分 (the job runs eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:round-score", args=[rnd.pk]))
    # then: back to the round, whose job is done and whose result is listed
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert rnd.job.status == "done"
    result = RoundResult.objects.get()
    # (30×80 + 30×90 + 30×80 + 10×60) / 100 = 81.00 → 良
    assert result.total == Decimal("81.00")
    body = client.get(reverse("assessments:round-detail", args=[rnd.pk])).content
    assert reverse("assessments:result-detail", args=[result.pk]) in body.decode()
    job = client.get(
        reverse("assessments:round-job", args=[rnd.pk]), HTTP_HX_REQUEST="true"
    )
    assert job.status_code == 200
    assert 'data-status="done"' in job.content.decode()
    assert "hx-trigger" not in job.content.decode()
    # and: the result page explains it line by line with the inputs digest
    page = client.get(reverse("assessments:result-detail", args=[result.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "81.00" in text
    assert "良" in text
    assert result.inputs_digest in text
    names = {
        str(pk): name for pk, name in Organisation.objects.values_list("pk", "name")
    }
    lines = render_lines(result.breakdown["explanation"], names)
    assert "等级：良（总分 81.00 ≥ 80 分）" in lines
    for line in lines:
        assert line.strip().replace("<", "&lt;").replace(">", "&gt;") in text
    assert "铁佛社区" in text


def test_a_pending_job_is_polled(
    rnd, personas, web, django_capture_on_commit_callbacks
):
    # when: scoring is requested but the task has not run yet
    with django_capture_on_commit_callbacks(execute=False):
        asvc.round_score_request(round=rnd, actor=personas.officer)
    body = (
        web(personas.dept)
        .get(reverse("assessments:round-job", args=[rnd.pk]))
        .content.decode()
    )
    # then: the partial polls itself
    assert 'hx-trigger="every 1s"' in body


def test_only_the_buyers_officer_scores(rnd, personas, web):
    response = web(personas.dept).post(
        reverse("assessments:round-score", args=[rnd.pk])
    )
    assert response.status_code == 403
    assert "购买主体" in response.content.decode()
    rnd.refresh_from_db()
    assert rnd.job is None


def test_a_closed_round_is_not_scored(rnd, personas, web):
    AssessmentRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.CLOSED)
    response = web(personas.officer).post(
        reverse("assessments:round-score", args=[rnd.pk])
    )
    assert response.status_code == 409
    assert "本轮考核已结束" in response.content.decode()


def test_rounds_and_results_are_invisible_elsewhere(rnd, personas, orgs, web):
    _cards(rnd, personas, orgs)
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    for url in (
        reverse("assessments:round-detail", args=[rnd.pk]),
        reverse("assessments:round-job", args=[rnd.pk]),
        reverse("assessments:result-detail", args=[result.pk]),
    ):
        assert web(personas.other_officer).get(url).status_code == 404
        assert web(personas.vendor).get(url).status_code == 404
    assert web(personas.officer).get("/assessments/results/99999999/").status_code == (
        404
    )


# --- the scorecard ---------------------------------------------------------------------------


def test_department_staff_fill_in_a_card(rnd, personas, web):
    url = card_url(rnd, rnd.contract)
    client = web(personas.dept)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="answers[1]"' in page.content.decode()
    assert 'name="paper"' not in page.content.decode()
    # when
    response = client.post(url, {**form_answers(85), "comment": "服务到位"})
    # then
    assert response.status_code == 302
    card = Scorecard.objects.get()
    assert (card.group, card.rater, card.comment) == (
        RaterKind.DEPARTMENT,
        personas.dept,
        "服务到位",
    )
    assert card.answers == all_(85)


def test_blank_answers_are_not_applicable(rnd, personas, web):
    data = form_answers(70)
    data["answers[4]"] = ""
    response = web(personas.dept).post(card_url(rnd, rnd.contract), data)
    assert response.status_code == 302
    assert Scorecard.objects.get().answers == {"1": 70, "2": 70, "3": 70}


def test_a_score_above_the_scale_keeps_the_input(rnd, personas, web):
    data = {**form_answers(80), "answers[2]": "120", "comment": "保留的意见"}
    response = web(personas.dept).post(card_url(rnd, rnd.contract), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "保留的意见" in body
    assert 'value="120"' in body
    assert not Scorecard.objects.exists()


def test_an_empty_card_is_refused(rnd, personas, web):
    response = web(personas.dept).post(card_url(rnd, rnd.contract), {"comment": "x"})
    assert response.status_code == 400
    assert "请至少为一项指标评分" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_community_staff_type_in_a_paper_questionnaire(rnd, personas, orgs, web):
    url = card_url(rnd, rnd.contract, orgs.c1)
    client = web(personas.community)
    assert 'name="paper"' in client.get(url).content.decode()
    # when
    response = client.post(url, {**form_answers(75), "paper": "on"})
    # then: a resident card, entered by the staff member, back to an empty form
    assert response.status_code == 302
    assert response["Location"] == url
    card = Scorecard.objects.get()
    assert (card.group, card.source, card.entered_by, card.rater) == (
        RaterKind.RESIDENT,
        CardSource.PAPER,
        personas.community,
        None,
    )
    assert card.community == orgs.c1


def test_the_card_shows_what_the_contract_stage_knows(rnd, personas, orgs, web):
    # given: an extra-work record and a disputed delivery on the contract
    ExtraWork.objects.create(
        contract=rnd.contract,
        community=orgs.c1,
        side="community",
        requested_by_name="铁佛社区",
        description="社区迎检准备",
        assigned_on=timezone.localdate(),
        hours=Decimal("4"),
        recorded_at=timezone.now(),
    )
    ci = rnd.contract.items.filter(community=orgs.c1).first()
    d = delivery(ci, 3, status="disputed")  # noqa: F405
    d.dispute_reason = "签到表人数不符"
    d.save()
    # when
    body = web(personas.dept).get(card_url(rnd, rnd.contract)).content.decode()
    # then: the counts beside each indicator and the extra work listed
    assert "社区迎检准备" in body
    assert "合同外工作 1" in body
    assert "有异议的服务记录 1" in body


def test_the_card_by_items_shows_records_beside_their_item(
    make_contract, personas, orgs, web
):
    # given: a plan built from the contract's items and a disputed delivery
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="按事项",
        year=2026,
        period_kind="year",
        contracts=[contract],
        template="items",
    )
    rnd = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    ci = contract.items.filter(community=orgs.c1).first()
    d = delivery(ci, 3, status="disputed")  # noqa: F405
    d.dispute_reason = "签到表人数不符"
    d.save()
    # when
    body = web(personas.dept).get(card_url(rnd, contract)).content.decode()
    # then: the dispute sits on the row of its item
    row = body.split(f'data-indicator="{ci.item.code}"', 1)[1].split("</tr>", 1)[0]
    assert "签到表人数不符" in row


def test_someone_who_rates_nothing_is_told_why(rnd, personas, web):
    response = web(personas.officer).get(card_url(rnd, rnd.contract))
    assert response.status_code == 403
    assert "您不是本合同的评价主体" in response.content.decode()


def test_the_vendor_cannot_see_the_card(rnd, personas, web):
    assert web(personas.vendor).get(card_url(rnd, rnd.contract)).status_code == 404
    response = web(personas.vendor).post(card_url(rnd, rnd.contract), form_answers(99))
    assert response.status_code == 404
    assert not Scorecard.objects.exists()


def test_another_community_is_refused(rnd, personas, orgs, web):
    # the contract does not serve 玉林北路社区 (c2)
    response = web(personas.community).get(card_url(rnd, rnd.contract, orgs.c2))
    assert response.status_code == 403


@pytest.mark.parametrize("contract", ["", "abc", "99999999", "²"])
def test_a_bad_contract_is_a_404(contract, rnd, personas, web):
    url = reverse("assessments:card-create", args=[rnd.pk]) + f"?contract={contract}"
    assert web(personas.dept).get(url).status_code == 404


def test_a_closed_round_takes_no_more_cards(rnd, personas, orgs, web):
    url = card_url(rnd, rnd.contract, orgs.c1)
    AssessmentRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.SCORED)
    client = web(personas.community)
    # the rater still reaches the page, which says scoring has stopped …
    page = client.get(url)
    assert page.status_code == 200
    assert "本轮考核已停止评分" in page.content.decode()
    # … and the service refuses the card for the round's state
    response = client.post(url, form_answers(80))
    assert response.status_code == 409
    assert "本轮考核已停止评分" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_a_levels_and_yes_no_card(make_contract, personas, orgs, web):
    # given: a plan with a level and a yes/no indicator
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="等级",
        year=2026,
        period_kind="year",
        contracts=[contract],
        indicators=[
            {
                "code": "1",
                "name": "服务质量",
                "weight": 60,
                "scale": "levels",
                "levels": {"好": 100, "中": 60, "差": 0},
            },
            {"code": "2", "name": "按时完成", "weight": 40, "scale": "yes_no"},
        ],
    )
    rnd = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="年度",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    url = card_url(rnd, contract)
    # when: an unknown level
    bad = web(personas.dept).post(url, {"answers[1]": "极好", "answers[2]": "yes"})
    assert bad.status_code == 400
    # when: a good one
    ok = web(personas.dept).post(url, {"answers[1]": "中", "answers[2]": "no"})
    assert ok.status_code == 302
    assert Scorecard.objects.get().answers == {"1": "中", "2": False}


def test_an_expert_panel_scores_the_final_report(make_contract, personas, orgs, web):
    # given: a plan whose expert panel replaces the other groups
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="专家评审",
        year=2026,
        period_kind="year",
        contracts=[contract],
        groups=[
            {"kind": "department", "weight": 50},
            {"kind": "expert_panel", "weight": 50, "replaces": True},
        ],
    )
    rnd = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    seat_panel(plan, personas.officer, personas.expert)
    client = web(personas.expert)
    # then: the expert's list offers the card, and the card is the panel's
    body = client.get(reverse("assessments:plan-list")).content.decode()
    assert card_url(rnd, contract) in body
    response = client.post(card_url(rnd, contract), form_answers(88))
    assert response.status_code == 302
    assert Scorecard.objects.get().group == RaterKind.EXPERT_PANEL
    # and: the community's staff rate nothing here (no community group)
    assert web(personas.community).get(
        card_url(rnd, contract, orgs.c1)
    ).status_code == (404)
