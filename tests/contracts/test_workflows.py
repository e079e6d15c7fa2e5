"""The transition tables, persona by persona: who may do what to a contract and to a
payment tranche in each state, and why not (transition_not_allowed for the state,
permission_denied for the person)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contracts import services
from contracts.workflows import (
    TRANCHE_TRANSITIONS,
    TRANSITIONS,
    allowed_actions,
    tranche_allowed_actions,
    tranche_decision,
    transition_decision,
)
from tests.contracts.conftest import STANDARD_PLAN, pass_acceptance, tranche

pytestmark = pytest.mark.django_db

PERSONAS = [
    "officer",
    "other_officer",
    "admin",
    "outsider",
    "dept",
    "community",
    "assessor",
    "expert",
    "vendor",
    "auditor",
]
MANAGERS = {"officer", "admin"}
VENDOR = {"vendor"}

# Written from the issue, not copied from the table: who acts, and from which states.
WHO = {
    "update": MANAGERS,
    "sign": VENDOR,
    "countersign": MANAGERS,
    "publish": MANAGERS,
    "file": MANAGERS,
    "propose_change": MANAGERS | VENDOR,
    "request_extension": VENDOR,
    "report_delivery": VENDOR,
    "record_residual": {"community"},
    "record_extra_work": MANAGERS | VENDOR | {"dept", "community"},
    "create_acceptance": MANAGERS,
    "complete": MANAGERS,
    "terminate": MANAGERS,
}
SIGNED = {"active", "completed", "terminated"}
FROM = {
    "update": {"draft"},
    "sign": {"draft"},
    "countersign": {"vendor_signed"},
    "publish": SIGNED,
    "file": SIGNED,
    "propose_change": {"active"},
    "request_extension": {"active"},
    "report_delivery": {"active"},
    "record_residual": {"active"},
    "record_extra_work": {"active"},
    "create_acceptance": {"active", "completed"},
    "complete": {"active"},
    "terminate": {"draft", "vendor_signed", "active"},
}
STATUS_LABEL = {
    "draft": "草稿",
    "vendor_signed": "承接方已签",
    "active": "履行中",
    "completed": "履行完毕",
    "terminated": "已终止",
}


def _contract_in(status, make_contract, personas):
    """A contract brought to `status` through the services. Completed and terminated
    contracts have a term that is over, so `complete` is not held back by the term."""
    today = timezone.localdate()
    if status in ("draft", "vendor_signed", "active"):
        return make_contract(status=status)
    c = make_contract(
        start_on=today - dt.timedelta(days=200), end_on=today - dt.timedelta(days=1)
    )
    if status == "completed":
        return services.contract_complete(contract=c, actor=personas.officer)
    return services.contract_terminate(
        contract=c,
        actor=personas.officer,
        kind="mutual",
        reason="双方协商一致",
        terminated_on=today,
    )


def _expected(status, name, who):
    """(allowed, code) the issue asks for; guards are added by the caller."""
    if status not in FROM[name]:
        return False, "transition_not_allowed"
    if who not in WHO[name]:
        return False, "permission_denied"
    return True, None


def test_the_expected_table_covers_every_transition():
    # given the transitions the product defines
    # then this test's table names exactly the same ones (a new one must be added here)
    assert set(TRANSITIONS) == set(WHO) == set(FROM)
    assert set(TRANCHE_TRANSITIONS) == {"request", "approve", "pay"}


@pytest.mark.parametrize(
    "status", ["draft", "vendor_signed", "active", "completed", "terminated"]
)
def test_contract_transitions_by_status_and_persona(status, make_contract, personas):
    # given a contract in `status` (neither published nor filed yet)
    contract = _contract_in(status, make_contract, personas)
    assert contract.status == status
    term_over = contract.end_on <= timezone.localdate()
    mismatches = []
    # when every persona asks for every transition
    for name in TRANSITIONS:
        for who in PERSONAS:
            user = getattr(personas, who)
            d = transition_decision(user, contract, name)
            allowed, code = _expected(status, name, who)
            if allowed and name == "complete" and not term_over:
                allowed, code = False, "transition_not_allowed"
            # then the verdict and its code are the expected ones, with a reason
            got = (d.allowed, None if d.allowed else d.code)
            if got != (allowed, code):
                mismatches.append((name, who, got, (allowed, code), str(d.reason)))
            elif not d.allowed and not str(d.reason).strip():
                mismatches.append((name, who, "denied without a reason"))
    assert mismatches == []


def test_state_refusal_names_the_current_status(make_contract, personas):
    # given a draft
    contract = make_contract(status="draft")
    # when the officer tries to countersign before the vendor signed
    d = transition_decision(personas.officer, contract, "countersign")
    # then it is a state refusal naming 草稿, even for the right person
    assert not d.allowed
    assert d.code == "transition_not_allowed"
    assert STATUS_LABEL["draft"] in str(d.reason)
    # and the state is checked before the person: an outsider gets the same code
    assert (
        transition_decision(personas.outsider, contract, "countersign").code
        == "transition_not_allowed"
    )


def test_permission_refusals_say_who_may_act(make_contract, personas):
    # given an active contract
    contract = make_contract()
    # when the wrong side tries the other side's steps
    vendor_only = transition_decision(personas.officer, contract, "request_extension")
    buyer_only = transition_decision(personas.vendor, contract, "terminate")
    community_only = transition_decision(personas.vendor, contract, "record_residual")
    # then each refusal is a permission refusal with its own reason
    assert vendor_only.code == buyer_only.code == "permission_denied"
    assert "承接组织" in str(vendor_only.reason)
    assert "购买主体" in str(buyer_only.reason)
    assert "社区" in str(community_only.reason)
    assert not community_only.allowed


def test_publish_and_file_guards_after_recording(make_contract, personas):
    # given an active contract that has been published and filed
    contract = make_contract()
    today = timezone.localdate()
    contract = services.contract_record_publication(
        contract=contract, actor=personas.officer, published_on=today
    )
    contract = services.contract_record_filing(
        contract=contract, actor=personas.officer, filed_on=today
    )
    # when the officer asks to record them again
    pub = transition_decision(personas.officer, contract, "publish")
    fil = transition_decision(personas.officer, contract, "file")
    # then both are state refusals with the reason
    assert (pub.allowed, pub.code) == (False, "transition_not_allowed")
    assert "已公开" in str(pub.reason)
    assert (fil.allowed, fil.code) == (False, "transition_not_allowed")
    assert "已备案" in str(fil.reason)
    # and the vendor is refused as a person (the person is checked before guards)
    assert transition_decision(personas.vendor, contract, "publish").code == (
        "permission_denied"
    )


def test_complete_guard_until_the_term_is_over(make_contract, personas):
    # given an active contract whose term ends in the future
    contract = make_contract()
    # when the officer asks to complete it
    d = transition_decision(personas.officer, contract, "complete")
    # then it is held back by the term, with the reason
    assert (d.allowed, d.code) == (False, "transition_not_allowed")
    assert "尚未届满" in str(d.reason)
    # when the term ended today
    contract.end_on = timezone.localdate()
    # then it is allowed
    assert transition_decision(personas.officer, contract, "complete").allowed


def test_allowed_actions_of_each_side_on_an_active_contract(make_contract, personas):
    # given an active contract
    contract = make_contract()
    # then each side sees its own buttons, in the table's order
    assert allowed_actions(personas.vendor, contract) == [
        "propose_change",
        "request_extension",
        "report_delivery",
        "record_extra_work",
    ]
    assert allowed_actions(personas.officer, contract) == [
        "publish",
        "file",
        "propose_change",
        "record_extra_work",
        "create_acceptance",
        "terminate",
    ]
    assert allowed_actions(personas.community, contract) == [
        "record_residual",
        "record_extra_work",
    ]
    assert allowed_actions(personas.other_officer, contract) == []
    assert allowed_actions(personas.auditor, contract) == []


# --- tranches ----------------------------------------------------------------

TRANCHE_WHO = {
    "request": MANAGERS | VENDOR,
    "approve": MANAGERS,
    "pay": MANAGERS,
}
TRANCHE_FROM = {"request": "pending", "approve": "requested", "pay": "approved"}


def _advance_in(status, make_contract, personas):
    """The advance tranche (no acceptance, no grade) brought to `status` through the
    services; the vendor asked for it, so the officers may approve."""
    contract = make_contract(tranches=STANDARD_PLAN)
    t = tranche(contract, "advance")
    if status in ("requested", "approved", "paid"):
        t = services.payment_tranche_request(tranche=t, actor=personas.vendor)
    if status in ("approved", "paid"):
        t = services.payment_tranche_approve(tranche=t, actor=personas.officer)
    if status == "paid":
        t = services.payment_tranche_pay(
            tranche=t, actor=personas.officer, paid_on=timezone.localdate()
        )
    if status == "cancelled":
        services.contract_terminate(
            contract=contract,
            actor=personas.officer,
            kind="breach",
            reason="严重违约",
            terminated_on=timezone.localdate(),
        )
    return tranche(contract, "advance")


@pytest.mark.parametrize(
    "status", ["pending", "requested", "approved", "paid", "cancelled"]
)
def test_tranche_actions_by_status_and_persona(status, make_contract, personas):
    # given the advance tranche in `status`
    t = _advance_in(status, make_contract, personas)
    assert t.status == status
    mismatches = []
    # when every persona asks for every tranche action
    for name in TRANCHE_TRANSITIONS:
        for who in PERSONAS:
            d = tranche_decision(getattr(personas, who), t, name)
            if TRANCHE_FROM[name] != status:
                want = (False, "transition_not_allowed")
            elif who not in TRANCHE_WHO[name]:
                want = (False, "permission_denied")
            else:
                want = (True, None)
            # then the verdict and its code are the expected ones
            got = (d.allowed, None if d.allowed else d.code)
            if got != want:
                mismatches.append((name, who, got, want, str(d.reason)))
    assert mismatches == []


def test_the_requester_may_not_approve_their_own_request(
    make_contract, personas, second_officer
):
    # given the advance tranche requested by the officer
    contract = make_contract(tranches=STANDARD_PLAN)
    t = services.payment_tranche_request(
        tranche=tranche(contract, "advance"), actor=personas.officer
    )
    # when the officer and others ask to approve it
    own = tranche_decision(personas.officer, t, "approve")
    # then the requester is refused as a person, with the reason
    assert (own.allowed, own.code) == (False, "permission_denied")
    assert "不能审批自己的申请" in str(own.reason)
    # and another officer of the street or the district admin may approve
    assert tranche_decision(second_officer, t, "approve").allowed
    assert tranche_decision(personas.admin, t, "approve").allowed
    assert tranche_allowed_actions(personas.officer, t) == []


def test_tranche_conditions_are_state_refusals_with_reasons(make_contract, personas):
    # given an active contract with the standard plan, nothing accepted or assessed
    contract = make_contract(tranches=STANDARD_PLAN)
    mid = tranche(contract, "midterm")
    final = tranche(contract, "final")
    # when the vendor asks for the midterm and the final tranche
    d_mid = tranche_decision(personas.vendor, mid, "request")
    d_final = tranche_decision(personas.vendor, final, "request")
    # then both are state refusals naming what is missing
    assert (d_mid.allowed, d_mid.code) == (False, "transition_not_allowed")
    assert "“中期”验收合格" in str(d_mid.reason)
    assert "“年度”验收合格" in str(d_final.reason)
    assert "考核结果" in str(d_final.reason)
    # when the midterm acceptance passed
    pass_acceptance(contract, "中期", personas.officer)
    # then the midterm tranche may be asked for
    assert tranche_decision(personas.vendor, tranche(contract, "midterm"), "request")


def test_a_tranche_of_an_unsigned_contract_cannot_be_requested(make_contract, personas):
    # given a contract the vendor signed but the street has not countersigned
    contract = make_contract(status="vendor_signed", tranches=STANDARD_PLAN)
    # when the vendor asks for the advance
    d = tranche_decision(personas.vendor, tranche(contract, "advance"), "request")
    # then it is refused because the contract is not in force
    assert (d.allowed, d.code) == (False, "transition_not_allowed")
    assert "未生效" in str(d.reason)
