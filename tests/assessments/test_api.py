"""The assessments REST API: plans, rounds, scorecards, the scoring job and results,
read by the buyer's side, with rounds also visible to their raters; vendors see
nothing, and a street's read-only token cannot write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

import assessments.services as asvc
from accounts import services as account_services
from assessments.models import AssessmentPlan, AssessmentRound, Scorecard
from core.models import Job
from tests.assessments.conftest import FOUR, all_  # noqa: E402
from tests.assessments.test_panel import seat_panel
from tests.contracts.conftest import *  # noqa: F403

pytestmark = pytest.mark.django_db

PLANS = reverse("api:assessment-plan-list")


def plan_url(plan):
    return reverse("api:assessment-plan-detail", args=[plan.pk])


def round_url(rnd, name="detail"):
    return reverse(f"api:assessment-round-{name}", args=[rnd.pk])


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


# --- plans -----------------------------------------------------------------------------


def test_officer_creates_a_plan_from_the_template(api, personas, make_contract):
    # given
    contract = make_contract()
    # when
    response = api(personas.officer).post(
        PLANS,
        {
            "name": "2026年度考核",
            "year": 2026,
            "period_kind": "year",
            "contracts": [contract.pk],
        },
        format="json",
    )
    # then: the four dimensions and the district's rater weights
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [i["name"] for i in body["indicators"]] == ["决策", "过程", "产出", "效益"]
    assert {g["kind"]: g["weight"] for g in body["groups"]} == {
        "department": "30.00",
        "community": "30.00",
        "resident": "30.00",
        "resident_unit": "10.00",
    }
    assert body["contracts"][0]["id"] == contract.pk
    assert AssessmentPlan.objects.get().buyer == contract.buyer


def test_explicit_indicator_tree_with_children_listed_first(
    api, personas, make_contract
):
    contract = make_contract()
    # when: a child comes before its parent in the request
    response = api(personas.officer).post(
        PLANS,
        {
            "name": "专家评审",
            "year": 2026,
            "period_kind": "year",
            "contracts": [contract.pk],
            "indicators": [
                {"code": "1.1", "name": "目标", "weight": 50, "parent": "1"},
                {"code": "1.2", "name": "资金", "weight": 50, "parent": "1"},
                {"code": "1", "name": "项目", "weight": 100},
            ],
            "groups": [
                {"kind": "expert_panel", "weight": 100, "quorum": 3, "replaces": True}
            ],
        },
        format="json",
    )
    # then: the tree is kept
    assert response.status_code == 201, response.json()
    tree = {i["code"]: (i["parent"], i["depth"]) for i in response.json()["indicators"]}
    assert tree == {"1": (None, 0), "1.1": ("1", 1), "1.2": ("1", 1)}


def test_weights_not_summing_to_100_are_refused_by_field(api, personas, make_contract):
    contract = make_contract()
    response = api(personas.officer).post(
        PLANS,
        {
            "name": "方案",
            "year": 2026,
            "period_kind": "year",
            "contracts": [contract.pk],
            "indicators": [
                {"code": "1", "name": "产出", "weight": 60},
                {"code": "2", "name": "效益", "weight": 30},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any(k.startswith("indicators") for k in body["fields"])
    assert not AssessmentPlan.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"year": "二〇二六"}, "year"),
        ({"period_kind": "decade"}, "period_kind"),
        ({"contracts": []}, "contracts"),
        ({"contracts": [10**30]}, "contracts"),
        ({"groups": [{"kind": "mayor", "weight": 10}]}, "groups"),
        ({"indicators": [{"code": "1", "name": "x", "weight": "abc"}]}, "indicators"),
    ],
)
def test_malformed_plans_are_refused_with_the_field(
    api, personas, make_contract, payload, field
):
    contract = make_contract()
    data = {
        "name": "方案",
        "year": 2026,
        "period_kind": "year",
        "contracts": [contract.pk],
        **payload,
    }
    response = api(personas.officer).post(PLANS, data, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]


def test_other_streets_contracts_and_plans_are_not_found(api, personas, plan):
    client = api(personas.other_officer)
    # the plan of S1 is invisible to S2
    assert client.get(plan_url(plan)).status_code == 404
    assert client.get(PLANS).json()["count"] == 0
    # a plan on S1's contract cannot be made by S2's officer
    response = client.post(
        PLANS,
        {
            "name": "x",
            "year": 2026,
            "period_kind": "year",
            "contracts": [plan.contract.pk],
        },
        format="json",
    )
    assert response.status_code == 404
    assert set(response.json()) == {"code", "detail", "fields"}


def test_list_filters_by_year_and_street(api, personas, plan, orgs):
    client = api(personas.officer)
    assert client.get(PLANS, {"year": 2026}).json()["count"] == 1
    assert client.get(PLANS, {"year": 2025}).json()["count"] == 0
    assert client.get(PLANS, {"street": orgs.s1.pk}).json()["count"] == 1
    assert client.get(PLANS, {"street": orgs.s1.code}).json()["count"] == 1
    assert client.get(PLANS, {"street": orgs.s2.pk}).json()["count"] == 0
    assert client.get(PLANS, {"street": "9" * 40}).json()["count"] == 0
    assert client.get(PLANS, {"year": "abc"}).status_code == 400


def test_plan_detail_has_tree_groups_and_rounds(api, personas, rnd):
    body = api(personas.officer).get(plan_url(rnd.plan)).json()
    assert [i["code"] for i in body["indicators"]] == list(FOUR)
    assert len(body["groups"]) == 4
    assert [r["label"] for r in body["rounds"]] == ["年度"]


def test_vendor_sees_no_plan_round_or_result(api, personas, rnd, orgs):
    _cards(rnd, personas, orgs)
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    client = api(personas.vendor)
    assert client.get(PLANS).status_code == 403
    assert client.get(plan_url(rnd.plan)).status_code == 404
    assert client.get(round_url(rnd)).status_code == 404
    assert client.get(round_url(rnd, "results")).status_code == 404
    assert (
        client.get(
            reverse("api:assessment-result-detail", args=[result.pk])
        ).status_code
        == 404
    )
    response = client.post(
        round_url(rnd, "cards"),
        {"contract": rnd.contract.pk, "answers": all_(100)},
        format="json",
    )
    assert response.status_code == 404


# --- rounds ----------------------------------------------------------------------------


def test_officer_opens_a_round_and_a_bad_period_is_refused(api, personas, plan):
    url = reverse("api:assessment-plan-rounds", args=[plan.pk])
    client = api(personas.officer)
    response = client.post(
        url,
        {"label": "上半年", "period_start": "2026-01-01", "period_end": "2026-06-30"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open"
    # the same label again, and an end before the start
    again = client.post(
        url,
        {"label": "上半年", "period_start": "2026-01-01", "period_end": "2026-06-30"},
        format="json",
    )
    assert again.status_code == 400
    assert "label" in again.json()["fields"]
    reversed_ = client.post(
        url,
        {"label": "下半年", "period_start": "2026-12-31", "period_end": "2026-07-01"},
        format="json",
    )
    assert reversed_.status_code == 400
    assert "period_end" in reversed_.json()["fields"]
    # an auditor reads but may not open
    auditor = api(personas.auditor).post(
        url,
        {"label": "下半年", "period_start": "2026-07-01", "period_end": "2026-12-31"},
        format="json",
    )
    assert auditor.status_code == 403
    assert AssessmentRound.objects.filter(plan=plan).count() == 1


def test_round_detail_counts_cards_per_contract_and_group(api, personas, rnd, orgs):
    _cards(rnd, personas, orgs)
    body = api(personas.officer).get(round_url(rnd)).json()
    counts = {(c["contract"], c["group"]): c["cards"] for c in body["card_counts"]}
    assert counts == {
        (rnd.contract.pk, "community"): 1,
        (rnd.contract.pk, "department"): 1,
        (rnd.contract.pk, "resident"): 1,
        (rnd.contract.pk, "resident_unit"): 1,
    }
    assert body["results"] == []
    assert body["job"] is None


def test_raters_see_the_round_but_not_counts_or_results(api, personas, rnd, orgs):
    for rater in (personas.community, personas.assessor):
        body = api(rater).get(round_url(rnd)).json()
        assert body["rated_contracts"] == [rnd.contract.pk]
        assert [c["id"] for c in body["contracts"]] == [rnd.contract.pk]
        assert body["card_counts"] is None
        assert body["results"] is None
        assert [i["code"] for i in body["indicators"]] == list(FOUR)
        # but the plan list is the buyer's, and so are the results
        assert api(rater).get(plan_url(rnd.plan)).status_code == 404
        refused = api(rater).get(round_url(rnd, "results"))
        assert refused.status_code == 403
        assert refused.json()["detail"]
    # an expert sees no round of a plan without an expert panel
    assert api(personas.expert).get(round_url(rnd)).status_code == 404


def test_an_expert_sees_the_round_of_a_plan_with_a_panel(
    api, personas, orgs, make_contract
):
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="末期评估",
        year=2026,
        period_kind="year",
        contracts=[make_contract()],
        groups=[{"kind": "expert_panel", "weight": 100, "replaces": True}],
    )
    rnd = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="末期",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    contract = plan.contracts.get()
    seat_panel(plan, personas.officer, personas.expert)
    client = api(personas.expert)
    assert client.get(round_url(rnd)).json()["rated_contracts"] == [contract.pk]
    response = client.post(
        round_url(rnd, "cards"),
        {"contract": contract.pk, "answers": all_(88)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["group"] == "expert_panel"
    # and the department, a group this plan does not have, is refused with why
    refused = api(personas.dept).post(
        round_url(rnd, "cards"),
        {"contract": contract.pk, "answers": all_(88)},
        format="json",
    )
    assert refused.status_code == 403
    assert Scorecard.objects.count() == 1


# --- scorecards ------------------------------------------------------------------------


def test_raters_submit_cards_for_their_group(api, personas, rnd, orgs):
    url = round_url(rnd, "cards")
    dept = api(personas.dept).post(
        url, {"contract": rnd.contract.pk, "answers": all_(80)}, format="json"
    )
    community = api(personas.community).post(
        url,
        {
            "contract": rnd.contract.pk,
            "community": orgs.c1.pk,
            "answers": all_(90),
            "comment": "服务认真",
        },
        format="json",
    )
    paper = api(personas.community).post(
        url,
        {
            "contract": rnd.contract.pk,
            "community": orgs.c1.pk,
            "answers": all_(70),
            "paper": True,
        },
        format="json",
    )
    assert [r.status_code for r in (dept, community, paper)] == [201, 201, 201]
    assert dept.json()["group"] == "department"
    assert community.json()["group"] == "community"
    assert (paper.json()["group"], paper.json()["source"]) == ("resident", "paper")
    for r in (dept, community, paper):
        assert not {"token", "rater", "entered_by"} & set(r.json())


def test_bad_cards_are_refused_with_the_field(api, personas, rnd, orgs, make_contract):
    url = round_url(rnd, "cards")
    client = api(personas.dept)
    outside = client.post(
        url, {"contract": rnd.contract.pk, "answers": all_(120)}, format="json"
    )
    assert outside.status_code == 400
    # each answer outside its scale beside its own indicator
    assert outside.json()["fields"] == {
        f"answers.{c}": ["评分应在 0 到 100 分之间。"] for c in FOUR
    }
    not_in_plan = client.post(
        url, {"contract": 10**12, "answers": all_(80)}, format="json"
    )
    assert not_in_plan.status_code == 400
    assert "contract" in not_in_plan.json()["fields"]
    no_answers = client.post(url, {"contract": rnd.contract.pk}, format="json")
    assert no_answers.status_code == 400
    assert "answers" in no_answers.json()["fields"]
    bad_community = api(personas.community).post(
        url,
        {"contract": rnd.contract.pk, "community": orgs.c2.pk, "answers": all_(80)},
        format="json",
    )
    assert bad_community.status_code == 400
    assert "community" in bad_community.json()["fields"]
    assert not Scorecard.objects.exists()


def test_the_officer_is_no_rater_and_a_closed_round_refuses(api, personas, rnd):
    url = round_url(rnd, "cards")
    officer = api(personas.officer).post(
        url, {"contract": rnd.contract.pk, "answers": all_(80)}, format="json"
    )
    assert officer.status_code == 403
    assert officer.json()["detail"]
    AssessmentRound.objects.filter(pk=rnd.pk).update(status="closed")
    closed = api(personas.dept).post(
        url, {"contract": rnd.contract.pk, "answers": all_(80)}, format="json"
    )
    assert closed.status_code == 409
    assert closed.json()["code"] == "round_closed"


# --- scoring and results ---------------------------------------------------------------


def test_scoring_returns_a_job_readable_at_the_jobs_endpoint(
    api, personas, rnd, orgs, django_capture_on_commit_callbacks
):
    _cards(rnd, personas, orgs)
    client = api(personas.officer)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(round_url(rnd, "score"), format="json")
    # then: 202 with the job, which is done and readable
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    job = client.get(reverse("api:job-detail", args=[job_id])).json()
    assert job["status"] == "done"
    body = client.get(round_url(rnd)).json()
    assert body["status"] == "scored"
    assert body["job"]["id"] == job_id
    # (30×80 + 30×90 + 30×80 + 10×60) / 100 = 81.00 → 良
    assert [(r["total"], r["grade_display"]) for r in body["results"]] == [
        ("81.00", "良")
    ]
    # and: a department reader may not run it
    refused = api(personas.dept).post(round_url(rnd, "score"), format="json")
    assert refused.status_code == 403
    assert Job.objects.count() == 1


def test_results_with_breakdown_and_explanation(api, personas, rnd, orgs):
    _cards(rnd, personas, orgs)
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    client = api(personas.officer)
    listed = client.get(round_url(rnd, "results")).json()
    assert [r["id"] for r in listed["results"]] == [result.pk]
    body = client.get(reverse("api:assessment-result-detail", args=[result.pk])).json()
    assert body["total"] == "81.00"
    assert body["grade"] == "good"
    assert body["explanation"]
    assert all(isinstance(x, str) for x in body["explanation"])
    assert Decimal(body["breakdown"]["total"]) == Decimal("81.00")
    assert {g["kind"] for g in body["breakdown"]["groups"]} >= {"resident"}
    # the other street cannot read it; nor can a rater
    assert (
        api(personas.other_officer)
        .get(reverse("api:assessment-result-detail", args=[result.pk]))
        .status_code
        == 404
    )
    assert (
        api(personas.community)
        .get(reverse("api:assessment-result-detail", args=[result.pk]))
        .status_code
        == 404
    )


def test_garbage_ids_are_404_not_500(api, personas):
    client = api(personas.officer)
    for url in (
        "/api/v1/assessments/plans/99999999999999999999999/",
        "/api/v1/assessments/rounds/99999999999999999999999/",
        "/api/v1/assessments/results/99999999999999999999999/",
    ):
        assert client.get(url).status_code == 404


# --- a street's read-only API token ----------------------------------------------------


def test_a_street_token_reads_but_cannot_write(personas, orgs, rnd):
    _token, key = account_services.api_token_create(
        actor=personas.admin, street=orgs.s1, name="区大数据中心"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    # reads its street's plan and round
    assert client.get(PLANS).json()["count"] == 1
    assert client.get(round_url(rnd)).status_code == 200
    # writes nothing
    writes = [
        (PLANS, {"name": "x", "year": 2026, "period_kind": "year", "contracts": [1]}),
        (
            reverse("api:assessment-plan-rounds", args=[rnd.plan.pk]),
            {"label": "x", "period_start": "2026-01-01", "period_end": "2026-02-01"},
        ),
        (round_url(rnd, "score"), {}),
        (round_url(rnd, "cards"), {"contract": rnd.contract.pk, "answers": all_(9)}),
    ]
    for url, data in writes:
        response = client.post(url, data, format="json")
        assert response.status_code == 403, url
        assert "只读" in response.json()["detail"]
    assert AssessmentPlan.objects.count() == 1
    assert not Scorecard.objects.exists()
