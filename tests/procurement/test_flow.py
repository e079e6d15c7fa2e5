"""The whole procedure through the services, on the real rule parameters."""

from __future__ import annotations

from decimal import Decimal

from core.events import audit_events_for
from procurement.choices import AwardStatus, BidStatus, NoticeKind, ProjectStatus
from procurement.models import Award, Notice

from .conftest import PRICES


def test_cuoshang_from_project_to_award(flow, world, personas):
    project = flow.create()
    assert project.method == "cuoshang"
    assert project.method_reasons
    assert "PM-06" in project.method_reasons[0]
    flow.announce()
    for vendor, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(vendor, price)
    flow.committee()
    flow.open()
    assert set(project.bids.values_list("status", flat=True)) == {BidStatus.OPENED}
    flow.qualify_all()
    assert flow.project.status == ProjectStatus.EVALUATING
    flow.score_all()
    assert flow.project.status == ProjectStatus.EVALUATED
    lot = flow.project.lots.get()
    rows = lot.evaluation["rows"]
    # Equal sheets: the lowest price wins with full price points.
    assert rows[0]["price"] == "650000.00"
    assert rows[0]["price_points"] == "30.00"
    flow.sign_all()
    flow.award()
    award = Award.objects.get(lot=lot)
    assert award.status == AwardStatus.CONFIRMED
    assert award.amount == Decimal("650000.00")
    notice = Notice.objects.get(project=project, kind=NoticeKind.AWARD)
    for m in project.committee.filter(role="expert"):
        assert str(m.user) in notice.body
    actions = list(audit_events_for(project).values_list("action", flat=True))
    assert "procurement.award" in actions
    assert "procurement.open" in actions
