"""Assessment plans, scorecards from each rater group (residents by one-time tokens),
and the scoring of a round down to the contract's tranches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import assessments.services as asvc
from assessments.choices import CardSource, RaterKind, RoundStatus
from assessments.models import ResidentToken, RoundResult, Scorecard
from contracts.models import PaymentTranche
from core.exceptions import Conflict, NotPermitted, ValidationFailed
from core.models import AuditEvent
from tests.assessments.conftest import all_  # noqa: E402
from tests.contracts.conftest import *  # noqa: F403
from tests.contracts.conftest import make_final_award

pytestmark = pytest.mark.django_db


def test_a_plan_takes_the_districts_dimensions_and_rater_weights(plan):
    # then: 决策/过程/产出/效益 at 20/20/30/30 (CN rule) and the Wuhou rater weights
    rows = list(plan.indicators.values_list("code", "name", "weight"))
    assert rows == [
        ("1", "决策", Decimal("20.00")),
        ("2", "过程", Decimal("20.00")),
        ("3", "产出", Decimal("30.00")),
        ("4", "效益", Decimal("30.00")),
    ]
    groups = dict(plan.groups.values_list("kind", "weight"))
    assert groups == {
        RaterKind.DEPARTMENT: Decimal("30.00"),
        RaterKind.COMMUNITY: Decimal("30.00"),
        RaterKind.RESIDENT: Decimal("30.00"),
        RaterKind.RESIDENT_UNIT: Decimal("10.00"),
    }


def test_weights_not_summing_to_100_are_refused(make_contract, personas, orgs):
    # when: two first-level indicators weigh 60 + 30
    with pytest.raises(ValidationFailed) as exc:
        asvc.plan_create(
            actor=personas.officer,
            buyer=orgs.s1,
            name="方案",
            year=2026,
            period_kind="year",
            contracts=[make_contract()],
            indicators=[
                {"code": "1", "name": "产出", "weight": 60},
                {"code": "2", "name": "效益", "weight": 30},
            ],
        )
    # then: the indicators are named and nothing was written
    assert any(k.startswith("indicators") for k in exc.value.fields)
    from assessments.models import AssessmentPlan

    assert not AssessmentPlan.objects.exists()


def test_a_plan_is_the_buyers(make_contract, personas, orgs):
    contract = make_contract()
    with pytest.raises(NotPermitted):
        asvc.plan_create(
            actor=personas.other_officer,
            buyer=orgs.s1,
            name="方案",
            year=2026,
            period_kind="year",
            contracts=[contract],
        )


def test_each_rater_scores_for_their_own_group(rnd, personas, orgs):
    # when: the department, the community and the resident unit submit
    d = asvc.scorecard_submit(
        round=rnd, actor=personas.dept, contract=rnd.contract, answers=all_(80)
    )
    c = asvc.scorecard_submit(
        round=rnd,
        actor=personas.community,
        contract=rnd.contract,
        answers=all_(90),
        community=orgs.c1,
    )
    u = asvc.scorecard_submit(
        round=rnd, actor=personas.assessor, contract=rnd.contract, answers=all_(60)
    )
    # then: each card is in its group
    assert (d.group, c.group, u.group) == (
        RaterKind.DEPARTMENT,
        RaterKind.COMMUNITY,
        RaterKind.RESIDENT_UNIT,
    )
    # and: the vendor rates nothing
    with pytest.raises(NotPermitted):
        asvc.scorecard_submit(
            round=rnd, actor=personas.vendor, contract=rnd.contract, answers=all_(100)
        )


def test_scores_outside_the_scale_are_refused(rnd, personas):
    with pytest.raises(ValidationFailed) as exc:
        asvc.scorecard_submit(
            round=rnd, actor=personas.dept, contract=rnd.contract, answers=all_(120)
        )
    assert any(k.startswith("answers") for k in exc.value.fields)
    assert not Scorecard.objects.exists()


def test_a_resident_token_answers_once_and_carries_128_bits(rnd, personas, orgs):
    # given: a batch of 3 tokens for 铁佛社区
    raws = asvc.resident_tokens_issue(
        round=rnd,
        actor=personas.officer,
        contract=rnd.contract,
        community=orgs.c1,
        count=3,
        batch="第一批",
    )
    # then: only hashes are stored, and each token is 16 random bytes (22 characters)
    assert len(set(raws)) == 3
    assert all(len(r) == 22 for r in raws)
    stored = set(ResidentToken.objects.values_list("token_hash", flat=True))
    assert not stored & set(raws)
    # when: a resident answers
    card = asvc.resident_answer(raw_token=raws[0], answers=all_(70))
    # then: an anonymous resident card for the token's community
    assert card.group == RaterKind.RESIDENT
    assert card.source == CardSource.RESIDENT_TOKEN
    assert card.community == orgs.c1
    assert card.rater is None
    # and: the same token again, or a guessed one, is refused
    with pytest.raises(Conflict):
        asvc.resident_answer(raw_token=raws[0], answers=all_(10))
    with pytest.raises(NotPermitted):
        asvc.resident_answer(raw_token="A" * 22, answers=all_(10))
    assert Scorecard.objects.count() == 1


def test_paper_questionnaires_are_recorded_as_such(rnd, personas, orgs):
    card = asvc.scorecard_submit(
        round=rnd,
        actor=personas.community,
        contract=rnd.contract,
        answers=all_(85),
        community=orgs.c1,
        paper=True,
    )
    assert card.group == RaterKind.RESIDENT
    assert card.source == CardSource.PAPER
    assert card.entered_by == personas.community
    assert card.rater is None


def _score_all(rnd, personas, orgs, dept, community, residents, unit):
    asvc.scorecard_submit(
        round=rnd, actor=personas.dept, contract=rnd.contract, answers=all_(dept)
    )
    asvc.scorecard_submit(
        round=rnd,
        actor=personas.community,
        contract=rnd.contract,
        answers=all_(community),
        community=orgs.c1,
    )
    raws = asvc.resident_tokens_issue(
        round=rnd,
        actor=personas.officer,
        contract=rnd.contract,
        community=orgs.c1,
        count=len(residents),
        batch="b",
    )
    for raw, points in zip(raws, residents, strict=True):
        asvc.resident_answer(raw_token=raw, answers=all_(points))
    asvc.scorecard_submit(
        round=rnd, actor=personas.assessor, contract=rnd.contract, answers=all_(unit)
    )


def test_scoring_a_round_weighs_the_groups_and_grades(rnd, personas, orgs):
    # given: departments 80, community 90, residents 70 and 90 (mean 80), unit 60
    _score_all(rnd, personas, orgs, 80, 90, [70, 90], 60)
    # when: the round is scored
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    # then: (30×80 + 30×90 + 30×80 + 10×60) / 100 = 81.00 → 良
    assert result.total == Decimal("81.00")
    assert result.grade == "good"
    assert result.status == "ok"
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.SCORED
    # and: the final tranche (年度, threshold 良) has the grade and no deduction
    final = PaymentTranche.objects.get(contract=rnd.contract, period_label="年度")
    assert (final.grade, final.score, final.deduction) == (
        "good",
        Decimal("81.00"),
        Decimal("0.00"),
    )


def test_a_grade_below_the_threshold_deducts_through_the_contract(rnd, personas, orgs):
    # given: (30×50 + 30×70 + 30×60 + 10×60) / 100 = 60.00 → 中
    _score_all(rnd, personas, orgs, 50, 70, [60], 60)
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    assert (result.total, result.grade) == (Decimal("60.00"), "fair")
    # then: 10 % of the final tranche (30 % of 200,000 = 60,000) is deducted
    final = PaymentTranche.objects.get(contract=rnd.contract, period_label="年度")
    assert final.deduction == Decimal("6000.00")
    assert "中" in final.deduction_reason


def test_scoring_again_changes_nothing(rnd, personas, orgs):
    _score_all(rnd, personas, orgs, 50, 70, [60], 60)
    (first,) = asvc.round_score(round=rnd, actor=personas.officer)
    tranche_events = AuditEvent.objects.filter(
        action="contracts.tranche_assessment"
    ).count()
    # when: the round is scored a second time with the same cards
    (second,) = asvc.round_score(round=rnd, actor=None)
    # then: the same result and digest, one result row, no second tranche event
    assert (second.total, second.grade, second.inputs_digest) == (
        first.total,
        first.grade,
        first.inputs_digest,
    )
    assert RoundResult.objects.count() == 1
    assert (
        AuditEvent.objects.filter(action="contracts.tranche_assessment").count()
        == tranche_events
    )


def test_a_missing_group_is_reweighted_by_default(rnd, personas, orgs):
    # given: no resident-unit card: (30×80 + 30×90 + 30×80) / 90 = 83.33
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
    (raw,) = asvc.resident_tokens_issue(
        round=rnd,
        actor=personas.officer,
        contract=rnd.contract,
        community=orgs.c1,
        count=1,
        batch="b",
    )
    asvc.resident_answer(raw_token=raw, answers=all_(80))
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    assert result.total == Decimal("83.33")
    assert result.breakdown["missing"] == [RaterKind.RESIDENT_UNIT]


def test_the_scoring_job_runs_the_service_and_reports_progress(
    rnd, personas, orgs, django_capture_on_commit_callbacks
):
    _score_all(rnd, personas, orgs, 80, 90, [70, 90], 60)
    # when: the officer asks for scoring (eager Celery in tests)
    with django_capture_on_commit_callbacks(execute=True):
        job = asvc.round_score_request(round=rnd, actor=personas.officer)
    job.refresh_from_db()
    # then: the job is done with its result, and the round is scored
    assert job.status == "done"
    assert job.progress == 100
    assert job.result == {"results": 1, "graded": 1}
    assert RoundResult.objects.get().total == Decimal("81.00")


def test_a_fair_grade_sends_a_rectification_notice_with_a_deadline(rnd, personas, orgs):
    from django.utils import timezone

    from accounts.models import Notification
    from assessments.models import Consequence

    # given: 60.00 → 中
    _score_all(rnd, personas, orgs, 50, 70, [60], 60)
    # when: scored
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    # then: one open rectification notice, due in 30 days (the district's rule),
    # and the vendor's staff are told
    (c,) = Consequence.objects.filter(result=result)
    assert (c.kind, c.status) == ("rectification", "open")
    assert c.due_on == timezone.localdate() + dt.timedelta(days=30)
    assert Notification.objects.filter(
        user=personas.vendor, verb="assessment_rectification"
    ).exists()
    assert AuditEvent.objects.filter(action="assessments.rectification").count() == 1
    # and: scoring again adds nothing
    asvc.round_score(round=rnd, actor=None)
    assert Consequence.objects.count() == 1


def test_fair_twice_running_or_poor_proposes_elimination(plan, personas, orgs):
    from assessments.models import Consequence

    # given: two quarters, both graded 中
    q1 = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="第一季度",
        period_start="2026-01-01",
        period_end="2026-03-31",
    )
    q2 = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="第二季度",
        period_start="2026-04-01",
        period_end="2026-06-30",
    )
    for r in (q1, q2):
        r.contract = plan.contract
        _score_all(r, personas, orgs, 50, 70, [60], 60)
    (first,) = asvc.round_score(round=q1, actor=personas.officer)
    (second,) = asvc.round_score(round=q2, actor=personas.officer)
    # then: the first quarter only asks for rectification; the second also proposes
    # elimination, naming both rounds
    assert set(first.consequences.values_list("kind", flat=True)) == {"rectification"}
    kinds = dict(second.consequences.values_list("kind", "reason"))
    assert set(kinds) == {"rectification", "elimination_proposal"}
    assert "第一季度" in kinds["elimination_proposal"]
    assert Consequence.objects.filter(kind="elimination_proposal").count() == 1


def test_a_poor_grade_proposes_elimination_and_a_rescore_withdraws_it(
    rnd, personas, orgs
):
    from assessments.models import Consequence, Scorecard

    # given: (30×40 + 30×50 + 30×50 + 10×50) / 100 = 47.00 → 差
    _score_all(rnd, personas, orgs, 40, 50, [50], 50)
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    assert result.grade == "poor"
    (c,) = Consequence.objects.filter(result=result)
    assert c.kind == "elimination_proposal"
    # when: the department's card is found to be a typo and corrected to 95, 95…
    Scorecard.objects.filter(group=RaterKind.DEPARTMENT).update(answers=all_(95))
    Scorecard.objects.filter(group=RaterKind.COMMUNITY).update(answers=all_(95))
    Scorecard.objects.filter(group=RaterKind.RESIDENT).update(answers=all_(95))
    Scorecard.objects.filter(group=RaterKind.RESIDENT_UNIT).update(answers=all_(95))
    (again,) = asvc.round_score(round=rnd, actor=personas.officer)
    # then: 95.00 → 优, and the proposal is withdrawn with its event
    assert again.grade == "excellent"
    c.refresh_from_db()
    assert c.status == "withdrawn"
    assert AuditEvent.objects.filter(action="assessments.consequence_withdraw").exists()


def test_a_scoring_run_killed_midway_and_run_again_gives_the_same_results(
    make_contract, cworld, personas, orgs, monkeypatch
):
    from assessments.models import RoundResult

    # given: a plan over two contracts with the same cards on each
    second_award = make_final_award(
        buyer=orgs.s1,
        vendor=cworld.vendor,
        items=cworld.items,
        communities=cworld.communities,
        code="CG-2026-002",
    )
    contracts = [make_contract(), make_contract(award=second_award)]
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="方案",
        year=2026,
        period_kind="year",
        contracts=contracts,
    )
    rnd = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    for c in contracts:
        rnd.contract = c
        _score_all(rnd, personas, orgs, 50, 70, [60, 65], 60)
    # when: the worker dies after the first contract (the process is gone: nothing
    # after that point runs)
    from core.models import Job

    job = Job.objects.create(kind="assessment-scoring")

    class Killed(BaseException):
        pass

    calls = {"n": 0}

    def die_after_first(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Killed

    monkeypatch.setattr("assessments.services.job_progress", die_after_first)
    with pytest.raises(Killed):
        asvc.round_score(round=rnd, actor=None, job=job)
    half = dict(RoundResult.objects.values_list("contract_id", "inputs_digest"))
    assert len(half) == 1
    # and: the scoring is run again to the end
    monkeypatch.undo()
    asvc.round_score(round=rnd, actor=None)
    again = {
        r.contract_id: (r.total, r.grade, r.inputs_digest)
        for r in RoundResult.objects.all()
    }
    # then: both contracts are scored, the first exactly as before, and both the same
    # as a clean run gives
    assert len(again) == 2
    (first_id,) = half
    assert again[first_id][2] == half[first_id]
    RoundResult.objects.all().delete()
    asvc.round_score(round=rnd, actor=None)
    clean = {
        r.contract_id: (r.total, r.grade, r.inputs_digest)
        for r in RoundResult.objects.all()
    }
    assert clean == again


def test_a_card_for_a_group_the_plan_lacks_is_refused(make_contract, personas, orgs):
    # given: a plan rated by departments and communities only
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="方案",
        year=2026,
        period_kind="year",
        contracts=[contract],
        groups=[
            {"kind": "department", "weight": 50},
            {"kind": "community", "weight": 50},
        ],
    )
    rnd = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    # when: the resident unit and an expert try to score
    for actor in (personas.assessor, personas.expert):
        with pytest.raises(NotPermitted):
            asvc.scorecard_submit(
                round=rnd, actor=actor, contract=contract, answers=all_(80)
            )
    # then: nothing is saved, and scoring the round is not disturbed
    assert not Scorecard.objects.exists()
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    assert result.status == "failed"


def test_the_first_round_puts_the_plan_into_force(plan, personas):
    # given: a new plan is a draft
    assert plan.status == "draft"
    # when: its first round opens
    asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="第一季度",
        period_start="2026-01-01",
        period_end="2026-03-31",
    )
    # then: the plan is in force
    plan.refresh_from_db()
    assert plan.status == "active"


def test_rounds_whose_period_ended_are_scored_by_the_morning_job(
    rnd, personas, orgs, django_capture_on_commit_callbacks
):
    import datetime as dt

    from assessments.tasks import rounds_score_ended_task

    _score_all(rnd, personas, orgs, 80, 90, [70, 90], 60)
    # the period has not ended: nothing is queued
    assert asvc.rounds_score_ended(on=rnd.period_end) == []
    # when: the morning after the period end (eager Celery in tests)
    with django_capture_on_commit_callbacks(execute=True):
        (job,) = asvc.rounds_score_ended(on=rnd.period_end + dt.timedelta(days=1))
    job.refresh_from_db()
    rnd.refresh_from_db()
    # then: the system scored it, and a second morning queues nothing again
    assert job.status == "done"
    assert job.created_by is None
    assert rnd.status == RoundStatus.SCORED
    assert RoundResult.objects.get().total == Decimal("81.00")
    assert asvc.rounds_score_ended(on=rnd.period_end + dt.timedelta(days=2)) == []
    # and: the beat task is the same service for today (no round ended yet)
    assert rounds_score_ended_task.run() == 0
