"""Concurrent writes on PostgreSQL: the row locks make each outcome happen once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from core.events import audit_events_for
from core.exceptions import DomainError
from procurement import services
from procurement.choices import ProjectStatus
from procurement.models import Award

from .conftest import PRICES

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def _together(*calls):
    """Run the calls in threads released at the same instant; return their outcomes."""
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
    return outcomes


def _evaluating(flow, world):
    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    flow.committee()
    flow.open()
    flow.qualify_all()


def test_two_members_submitting_at_once_finish_the_evaluation_once(
    transactional_db, flow, world
):
    _evaluating(flow, world)
    lot = flow.project.lots.get()
    members = list(flow.project.committee.order_by("pk"))
    scores = {
        str(bl.bid_id): {"plan": "30", "team": "15", "record": "10"}
        for bl in services.scorable_bids(lot)
    }
    # the first member has submitted; the last two submit at the same moment
    services.sheet_save(actor=members[0].user, lot=lot, scores=scores, submit=True)
    outcomes = _together(
        *[
            (
                lambda m=m: services.sheet_save(
                    actor=m.user, lot=lot, scores=scores, submit=True
                )
            )
            for m in members[1:]
        ]
    )
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    flow.project.refresh_from_db()
    assert flow.project.status == ProjectStatus.EVALUATED
    finishes = [
        e
        for e in audit_events_for(flow.project).filter(action="procurement.score")
        if e.payload.get("evaluation") == "evaluated"
    ]
    assert len(finishes) == 1


def test_two_officers_awarding_at_once_award_once(
    transactional_db, flow, world, personas
):
    from accounts.choices import Role
    from tests.factories import user_with_role

    _evaluating(flow, world)
    flow.score_all()
    flow.sign_all()
    second = user_with_role(
        Role.STREET_OFFICER,
        personas.officer.active_memberships()[0].organisation,
        username="officer2",
    )
    on = flow.deadline.date()
    outcomes = _together(
        lambda: services.project_award(
            actor=personas.officer, project=flow.project, on=on
        ),
        lambda: services.project_award(actor=second, project=flow.project, on=on),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], DomainError), outcomes
    assert errors[0].status_code == 409
    assert Award.objects.filter(lot__project=flow.project).count() == 1


def test_two_bids_by_one_vendor_at_once_leave_one_live_bid(
    transactional_db, flow, world
):
    flow.create()
    flow.announce()
    vendor = world.bidders[0]
    outcomes = _together(
        lambda: flow.bid(vendor, "700000"), lambda: flow.bid(vendor, "690000")
    )
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert flow.project.bids.filter(status="submitted").count() == 1
    assert flow.project.bids.filter(status="replaced").count() == 1
