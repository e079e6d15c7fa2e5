"""Payment tranches: gated by acceptance and assessment (ACC-04, ACC-05), deductions
by rule, separation of duties, and the money summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import selectors, services
from contracts.models import ContractFeedEntry
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from tests.contracts.conftest import STANDARD_PLAN, events, pass_acceptance, tranche

pytestmark = pytest.mark.django_db

# 123456.78 yuan on 40/30/30: advance 49382.71, midterm 37037.03 (37037.034 rounded),
# final the remainder 123456.78 - 49382.71 - 37037.03 = 37037.04.
VALUE = Decimal("123456.78")
ADVANCE = Decimal("49382.71")
MIDTERM = Decimal("37037.03")
FINAL = Decimal("37037.04")
# 10 % of the final tranche, in cents: 3703.704 -> 3703.70; payable 33333.34.
FINAL_DEDUCTION = Decimal("3703.70")


@pytest.fixture
def contract(make_contract, cworld):
    cworld.award.amount = VALUE
    cworld.award.save(update_fields=["amount"])
    return make_contract(tranches=STANDARD_PLAN)


def _assessment_events(c):
    return events(c, "contracts.tranche_assessment")


def test_the_worked_example_amounts(contract):
    # then the plan's amounts are as computed by hand above
    assert [(t.kind, t.amount) for t in contract.tranches.all()] == [
        ("advance", ADVANCE),
        ("midterm", MIDTERM),
        ("final", FINAL),
    ]


# --- gating -----------------------------------------------------------------------


def test_a_tranche_needing_acceptance_waits_for_it(contract, personas):
    # given the midterm tranche, whose acceptance has not passed
    mid = tranche(contract, "midterm")
    # when the vendor asks for it
    with pytest.raises(TransitionNotAllowed) as exc:
        services.payment_tranche_request(tranche=mid, actor=personas.vendor)
    # then it is refused with the reason, and stays pending
    assert "“中期”验收合格" in str(exc.value.message)
    assert tranche(contract, "midterm").status == "pending"
    assert events(mid, "contracts.tranche_request") == []
    # when the midterm acceptance failed
    pass_acceptance(contract, "中期", personas.officer, passed=False)
    # then it is still refused
    with pytest.raises(TransitionNotAllowed):
        services.payment_tranche_request(
            tranche=tranche(contract, "midterm"), actor=personas.vendor
        )


def test_a_tranche_with_a_grade_threshold_waits_for_the_grade(contract, personas):
    # given the final tranche whose yearly acceptance passed
    pass_acceptance(contract, "年度", personas.officer)
    final = tranche(contract, "final")
    assert final.acceptance is not None
    # when the vendor asks for it before a grade arrived
    with pytest.raises(TransitionNotAllowed) as exc:
        services.payment_tranche_request(tranche=final, actor=personas.vendor)
    # then it is refused for the missing grade (not for the acceptance)
    assert "考核结果" in str(exc.value.message)
    assert "验收" not in str(exc.value.message)
    # when the assessment hands in a grade
    services.payment_tranche_apply_assessment(
        contract=contract, period_label="年度", grade="good", score="85", source="考核"
    )
    # then it may be asked for
    t = services.payment_tranche_request(
        tranche=tranche(contract, "final"), actor=personas.vendor
    )
    assert t.status == "requested"
    assert t.requested_by == personas.vendor


# --- assessment and deduction ---------------------------------------------------


def test_a_grade_below_the_threshold_deducts_the_configured_share(contract):
    # given the final tranche of 37037.04 with 良 as threshold and 10 % deduction
    # when the assessment gives 中 (72 points)
    out = services.payment_tranche_apply_assessment(
        contract=contract,
        period_label="年度",
        grade="fair",
        score="72",
        source="2026年度绩效评价",
    )
    # then 10 % of it, 3703.70, is deducted, with the reason, and 33333.34 is payable
    assert [t.kind for t in out] == ["final"]
    t = tranche(contract, "final")
    assert (t.grade, t.score, t.deduction) == ("fair", Decimal("72"), FINAL_DEDUCTION)
    assert t.payable == Decimal("33333.34")
    assert "3703.70" in t.deduction_reason
    assert "中" in t.deduction_reason
    assert "良" in t.deduction_reason
    assert t.assessment_ref == "2026年度绩效评价"
    # and the other tranches are untouched
    assert tranche(contract, "midterm").deduction == 0
    assert tranche(contract, "midterm").grade == ""
    # and one event records it
    (ev,) = _assessment_events(contract)
    assert ev.payload["tranches"] == [{"number": 3, "deduction": "3703.70"}]


@pytest.mark.parametrize("grade", ["good", "excellent"])
def test_a_grade_at_or_above_the_threshold_deducts_nothing(grade, contract):
    # when the assessment gives the threshold grade or better
    services.payment_tranche_apply_assessment(
        contract=contract, period_label="年度", grade=grade, score="90", source="考核"
    )
    # then the grade is kept and nothing is deducted
    t = tranche(contract, "final")
    assert t.grade == grade
    assert t.deduction == 0
    assert t.deduction_reason == ""
    assert t.payable == FINAL


def test_reapplying_the_same_result_changes_nothing(contract):
    # given a result already applied
    kwargs = {
        "contract": contract,
        "period_label": "年度",
        "grade": "poor",
        "score": "50",
        "source": "考核",
    }
    services.payment_tranche_apply_assessment(**kwargs)
    feed = ContractFeedEntry.objects.filter(contract=contract).count()
    # when the same result arrives again
    services.payment_tranche_apply_assessment(**kwargs)
    # then no new event, no feed row, same deduction
    assert len(_assessment_events(contract)) == 1
    assert ContractFeedEntry.objects.filter(contract=contract).count() == feed
    assert tranche(contract, "final").deduction == FINAL_DEDUCTION


def test_a_new_result_replaces_the_old_before_approval(contract, personas):
    # given a 中 result with its deduction, and the tranche requested
    pass_acceptance(contract, "年度", personas.officer)
    services.payment_tranche_apply_assessment(
        contract=contract, period_label="年度", grade="fair", score="70", source="初评"
    )
    services.payment_tranche_request(
        tranche=tranche(contract, "final"), actor=personas.vendor
    )
    # when a review gives 良 before approval
    services.payment_tranche_apply_assessment(
        contract=contract, period_label="年度", grade="good", score="81", source="复核"
    )
    # then the new result replaces the old and the deduction is gone
    t = tranche(contract, "final")
    assert (t.grade, t.score, t.deduction) == ("good", Decimal("81"), Decimal("0"))
    assert t.deduction_reason == ""
    assert t.assessment_ref == "复核"
    assert len(_assessment_events(contract)) == 2


def test_a_new_result_after_approval_is_a_conflict(contract, personas):
    # given the final tranche graded 良, requested and approved
    pass_acceptance(contract, "年度", personas.officer)
    services.payment_tranche_apply_assessment(
        contract=contract, period_label="年度", grade="good", score="85", source="考核"
    )
    t = services.payment_tranche_request(
        tranche=tranche(contract, "final"), actor=personas.vendor
    )
    services.payment_tranche_approve(tranche=t, actor=personas.officer)
    # when a different result arrives
    with pytest.raises(Conflict) as exc:
        services.payment_tranche_apply_assessment(
            contract=contract,
            period_label="年度",
            grade="poor",
            score="40",
            source="考核",
        )
    # then it is refused and the approved amount stands
    assert exc.value.code == "tranche_closed"
    t = tranche(contract, "final")
    assert (t.grade, t.deduction, t.status) == ("good", Decimal("0"), "approved")
    # and the same result again is harmless
    services.payment_tranche_apply_assessment(
        contract=contract, period_label="年度", grade="good", score="85", source="考核"
    )
    assert len(_assessment_events(contract)) == 1


def test_assessment_input_is_checked(contract, personas):
    # when the grade is unknown, the score out of range, the period has no tranche,
    # or an actor is not the buyer
    with pytest.raises(ValidationFailed) as exc:
        services.payment_tranche_apply_assessment(
            contract=contract, period_label="年度", grade="A+", score="101", source="x"
        )
    assert set(exc.value.fields) == {"grade", "score"}
    with pytest.raises(Conflict) as exc2:
        services.payment_tranche_apply_assessment(
            contract=contract, period_label="中期", grade="good", score="80", source="x"
        )
    assert exc2.value.code == "no_tranche_for_period"
    with pytest.raises(NotPermitted):
        services.payment_tranche_apply_assessment(
            contract=contract,
            period_label="年度",
            grade="good",
            score="80",
            source="x",
            actor=personas.vendor,
        )
    # then nothing was recorded
    assert tranche(contract, "final").grade == ""
    assert _assessment_events(contract) == []


# --- request, approve, pay -------------------------------------------------------


def test_the_requester_cannot_approve_their_own_request(
    contract, personas, second_officer
):
    # given the officer asked for the advance
    t = services.payment_tranche_request(
        tranche=tranche(contract, "advance"), actor=personas.officer
    )
    # when the same officer approves it
    with pytest.raises(NotPermitted) as exc:
        services.payment_tranche_approve(tranche=t, actor=personas.officer)
    # then it is refused with the reason and still waits
    assert "不能审批自己的申请" in str(exc.value.message)
    assert tranche(contract, "advance").status == "requested"
    assert events(t, "contracts.tranche_approve") == []
    # when another officer of the street approves
    t = services.payment_tranche_approve(tranche=t, actor=second_officer)
    # then it is approved by them, with one event
    assert (t.status, t.approved_by) == ("approved", second_officer)
    assert len(events(t, "contracts.tranche_approve")) == 1


def test_the_vendor_cannot_approve_its_request(contract, personas):
    # given the vendor asked for the advance
    t = services.payment_tranche_request(
        tranche=tranche(contract, "advance"), actor=personas.vendor
    )
    # when the vendor approves its own request
    with pytest.raises(NotPermitted):
        services.payment_tranche_approve(tranche=t, actor=personas.vendor)
    # then it still waits
    assert tranche(contract, "advance").status == "requested"


def test_pay_more_than_payable_is_refused(contract, personas):
    # given the approved advance of 49382.71
    t = services.payment_tranche_request(
        tranche=tranche(contract, "advance"), actor=personas.vendor
    )
    t = services.payment_tranche_approve(tranche=t, actor=personas.officer)
    today = timezone.localdate()
    # when the officer records a payment one cent above it
    with pytest.raises(ValidationFailed) as exc:
        services.payment_tranche_pay(
            tranche=t, actor=personas.officer, paid_on=today, amount="49382.72"
        )
    # then it is refused on the amount, naming the payable, and stays approved
    assert list(exc.value.fields) == ["amount"]
    assert "49382.71" in str(exc.value.fields["amount"][0])
    assert tranche(contract, "advance").status == "approved"
    # and a payment dated tomorrow is refused on the date
    with pytest.raises(ValidationFailed) as exc:
        services.payment_tranche_pay(
            tranche=t, actor=personas.officer, paid_on=today + dt.timedelta(days=1)
        )
    assert list(exc.value.fields) == ["paid_on"]
    # when the payable itself is paid
    t = services.payment_tranche_pay(
        tranche=t,
        actor=personas.officer,
        paid_on=today,
        amount="49382.71",
        payment_ref="国库集中支付2026-88",
    )
    # then it is paid with the amount and reference
    assert (t.status, t.paid_amount, t.paid_on) == ("paid", ADVANCE, today)
    assert t.payment_ref == "国库集中支付2026-88"
    # and it cannot be paid twice
    with pytest.raises(TransitionNotAllowed):
        services.payment_tranche_pay(tranche=t, actor=personas.officer, paid_on=today)


def test_pay_without_an_amount_pays_the_payable_after_deduction(contract, personas):
    # given the final tranche graded 中 (3703.70 deducted), requested and approved
    pass_acceptance(contract, "年度", personas.officer)
    services.payment_tranche_apply_assessment(
        contract=contract, period_label="年度", grade="fair", score="72", source="考核"
    )
    t = services.payment_tranche_request(
        tranche=tranche(contract, "final"), actor=personas.vendor
    )
    t = services.payment_tranche_approve(tranche=t, actor=personas.officer)
    # when it is paid without an amount
    t = services.payment_tranche_pay(
        tranche=t, actor=personas.officer, paid_on=timezone.localdate()
    )
    # then the payable is paid
    assert t.paid_amount == Decimal("33333.34")


def test_contract_amounts(make_contract, cworld, personas):
    # given 123456.78 yuan on the standard plan with due dates: the advance (past
    # due) is paid, the midterm (past due) approved, the final (due later) graded
    # 中 and still pending
    cworld.award.amount = VALUE
    cworld.award.save(update_fields=["amount"])
    today = timezone.localdate()
    plan = [dict(row) for row in STANDARD_PLAN]
    plan[0]["due_on"] = (today - dt.timedelta(days=20)).isoformat()
    plan[1]["due_on"] = (today - dt.timedelta(days=10)).isoformat()
    plan[2]["due_on"] = (today + dt.timedelta(days=30)).isoformat()
    c = make_contract(tranches=plan)
    adv = services.payment_tranche_request(
        tranche=tranche(c, "advance"), actor=personas.vendor
    )
    adv = services.payment_tranche_approve(tranche=adv, actor=personas.officer)
    services.payment_tranche_pay(
        tranche=adv, actor=personas.officer, paid_on=today, amount="40000.00"
    )
    pass_acceptance(c, "中期", personas.officer)
    mid = services.payment_tranche_request(
        tranche=tranche(c, "midterm"), actor=personas.vendor
    )
    services.payment_tranche_approve(tranche=mid, actor=personas.officer)
    services.payment_tranche_apply_assessment(
        contract=c, period_label="年度", grade="fair", score="72", source="考核"
    )
    # when the amounts are summed
    amounts = selectors.contract_amounts(c)
    # then paid is what was paid, approved the midterm, the deduction the final's,
    # outstanding the midterm plus the final's payable, overdue the midterm only
    assert amounts == {
        "value": VALUE,
        "paid": Decimal("40000.00"),
        "approved": MIDTERM,
        "deductions": FINAL_DEDUCTION,
        "outstanding": MIDTERM + FINAL - FINAL_DEDUCTION,
        "overdue": MIDTERM,
    }


def test_each_tranche_step_is_one_event_and_one_feed_row(contract, personas):
    # given the advance
    t = tranche(contract, "advance")
    feed0 = ContractFeedEntry.objects.filter(contract=contract).count()
    # when it is requested, approved and paid
    t = services.payment_tranche_request(tranche=t, actor=personas.vendor)
    t = services.payment_tranche_approve(tranche=t, actor=personas.officer)
    t = services.payment_tranche_pay(
        tranche=t, actor=personas.officer, paid_on=timezone.localdate()
    )
    # then each step wrote one event on the tranche with its states
    for action, states in (
        ("request", ("pending", "requested")),
        ("approve", ("requested", "approved")),
        ("pay", ("approved", "paid")),
    ):
        (ev,) = events(t, f"contracts.tranche_{action}")
        assert (ev.from_state, ev.to_state) == states
    # and three feed rows on the contract
    assert list(
        ContractFeedEntry.objects.filter(contract=contract)
        .order_by("id")
        .values_list("action", flat=True)[feed0:]
    ) == ["tranche_request", "tranche_approve", "tranche_pay"]
