"""Concurrent writes on PostgreSQL: the contract and tranche row locks make each
outcome happen once."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from contracts import services
from contracts.models import ContractVersion
from core.exceptions import Conflict, DomainError, TransitionNotAllowed
from tests.contracts.conftest import STANDARD_PLAN, events, tranche

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def _together(*calls):
    """Run the calls in threads released at the same instant, each on its own
    connection; return their outcomes (a result or the exception)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # the outcome under test
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def test_two_officers_approving_one_request_approve_it_once(
    make_contract, personas, second_officer
):
    # given the advance requested by the vendor
    c = make_contract(tranches=STANDARD_PLAN)
    t = services.payment_tranche_request(
        tranche=tranche(c, "advance"), actor=personas.vendor
    )
    # when two officers of the street approve it at the same instant
    outcomes = _together(
        lambda: services.payment_tranche_approve(tranche=t, actor=personas.officer),
        lambda: services.payment_tranche_approve(tranche=t, actor=second_officer),
    )
    # then exactly one succeeds and the other is told it is no longer requested
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionNotAllowed), outcomes
    winner = next(o for o in outcomes if not isinstance(o, Exception))
    # and the tranche is approved once, by the winner, with one event
    fresh = tranche(c, "advance")
    assert fresh.status == "approved"
    assert fresh.approved_by_id == winner.approved_by_id
    assert len(events(fresh, "contracts.tranche_approve")) == 1


def test_two_officers_accepting_one_change_accept_it_once(
    make_contract, personas, second_officer
):
    # given an addition of 10000.00 proposed by the vendor
    c = make_contract()
    ch = services.contract_change_propose(
        contract=c,
        actor=personas.vendor,
        kind="addition",
        reason_code="demand_growth",
        rationale="服务对象增加",
        value_delta="10000",
    )
    # when two officers accept it at the same instant
    outcomes = _together(
        lambda: services.contract_change_accept(change=ch, actor=personas.officer),
        lambda: services.contract_change_accept(change=ch, actor=second_officer),
    )
    # then exactly one succeeds and the other gets a conflict
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict), outcomes
    # and the value grew once, in one new version linked to the change
    c.refresh_from_db()
    assert (c.value, c.version) == (Decimal("210000.00"), 2)
    assert ContractVersion.objects.filter(contract=c).count() == 2
    assert ContractVersion.objects.get(contract=c, number=2).change_id == ch.pk
    assert len(events(ch, "contracts.change_accept")) == 1


def test_two_additions_proposed_at_once_stay_within_the_cap(make_contract, personas):
    # given an active contract of 200000.00 (additions capped at 20000.00)
    c = make_contract()

    def propose(actor):
        return services.contract_change_propose(
            contract=c,
            actor=actor,
            kind="addition",
            reason_code="demand_growth",
            rationale="服务对象增加",
            value_delta="15000",
        )

    # when both sides propose 15000.00 at the same instant
    outcomes = _together(
        lambda: propose(personas.officer), lambda: propose(personas.vendor)
    )
    # then one proposal is kept and the other refused for the cap
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], DomainError), outcomes
    assert "value_delta" in errors[0].fields
    assert c.changes.count() == 1


def test_approving_while_the_contract_is_terminated_is_never_a_server_error(
    make_contract, personas, monkeypatch
):
    # given the advance requested by the vendor
    from contracts.services import payments

    c = make_contract(tranches=STANDARD_PLAN)
    t = services.payment_tranche_request(
        tranche=tranche(c, "advance"), actor=personas.vendor
    )
    # and the approval pauses just after taking its first lock, so that the
    # termination starts in between (the interleaving of a busy afternoon)
    original = payments._lock_tranche
    locked = threading.Event()

    def slow_lock(tr):
        row = original(tr)
        locked.set()
        time.sleep(1.5)
        return row

    monkeypatch.setattr(payments, "_lock_tranche", slow_lock)

    def terminate():
        assert locked.wait(10)
        return services.contract_terminate(
            contract=c,
            actor=personas.admin,
            kind="breach",
            reason="严重违约",
            terminated_on=timezone.localdate(),
        )

    # when the officer approves while the admin terminates
    outcomes = _together(
        lambda: services.payment_tranche_approve(tranche=t, actor=personas.officer),
        terminate,
    )
    # then each either succeeds or is refused as a domain error (no deadlock, no 500)
    unexpected = [
        o
        for o in outcomes
        if isinstance(o, Exception) and not isinstance(o, DomainError)
    ]
    assert unexpected == [], outcomes
    # and the contract is terminated with the advance approved or cancelled
    c.refresh_from_db()
    assert c.status == "terminated"
    assert tranche(c, "advance").status in ("approved", "cancelled")
