"""Changes and supplementary agreements (CT-01: one side proposes, the other agrees;
additions capped at 10 % of the original value), and extension requests (capped by
rule, with the completion at the time of asking)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalogue.models import RuleParameter
from contracts import selectors, services
from contracts.models import ContractItem, ContractVersion
from core.exceptions import Conflict, NotPermitted, ValidationFailed
from tests.contracts.conftest import delivery, events

pytestmark = pytest.mark.django_db


def _propose(c, actor, delta="0", **kw):
    kw.setdefault("kind", "addition")
    return services.contract_change_propose(
        contract=c,
        actor=actor,
        reason_code=kw.pop("reason_code", "demand_growth"),
        rationale=kw.pop("rationale", "辖区困难群众增加"),
        value_delta=delta,
        **kw,
    )


def test_an_addition_takes_effect_when_the_vendor_accepts(make_contract, personas):
    # given an active contract of 200000.00, every item with a target of 100
    c = make_contract()
    v1 = ContractVersion.objects.get(contract=c, number=1)
    # when the officer proposes 15000.00 more with a higher target in 铁佛社区
    ch = _propose(
        c,
        personas.officer,
        "15000",
        item_changes=[{"item": "A03-05", "community": "D1-S1-C1", "target": 150}],
    )
    # then nothing changes until the vendor agrees
    c.refresh_from_db()
    assert (c.value, c.version) == (Decimal("200000.00"), 1)
    # when the vendor accepts
    ch = services.contract_change_accept(change=ch, actor=personas.vendor, note="同意")
    # then the value, the target and the version move on
    c.refresh_from_db()
    assert (c.value, c.original_value, c.version) == (
        Decimal("215000.00"),
        Decimal("200000.00"),
        2,
    )
    assert ch.status == "effective"
    assert ch.decided_by == personas.vendor
    ci = c.items.get(item__code="A03-05", community__code="D1-S1-C1")
    assert ci.target == 150
    # and version 2 is a snapshot linked to the change
    v2 = ContractVersion.objects.get(contract=c, number=2)
    assert v2.change == ch
    assert v2.snapshot["value"] == "215000.00"
    # and the diff shows the value and the target
    diff = selectors.version_diff(v1.snapshot, v2.snapshot)
    assert [(f["field"], f["before"], f["after"]) for f in diff["fields"]] == [
        ("value", "200000.00", "215000.00")
    ]
    assert diff["items"] == [
        {"item": "A03-05", "community": "D1-S1-C1", "before": 100, "after": 150}
    ]
    # and one event for the proposal and one for the acceptance
    assert len(events(ch, "contracts.change_propose")) == 1
    assert len(events(ch, "contracts.change_accept")) == 1


def test_additions_above_ten_percent_are_refused_with_cap_and_used(
    make_contract, personas
):
    # given 15000.00 of 20000.00 (10 % of 200000.00) already added
    c = make_contract()
    services.contract_change_accept(
        change=_propose(c, personas.officer, "15000"), actor=personas.vendor
    )
    # when another 5000.01 is proposed
    with pytest.raises(ValidationFailed) as exc:
        _propose(c, personas.vendor, "5000.01")
    # then it is refused on the amount, naming the cap and what is used
    msg = str(exc.value.fields["value_delta"][0])
    assert "CT-01" in msg
    assert "20000.00" in msg
    assert "15000.00" in msg
    assert c.changes.count() == 1
    # and exactly the rest, 5000.00, is allowed
    ch = _propose(c, personas.vendor, "5000")
    assert ch.status == "proposed"


def test_the_cap_is_on_the_original_value_not_the_grown_one(make_contract, personas):
    # given 20000.00 added (the value is now 220000.00)
    c = make_contract()
    services.contract_change_accept(
        change=_propose(c, personas.officer, "20000"), actor=personas.vendor
    )
    # when one more cent is proposed (10 % of 220000 would leave room for 2000)
    with pytest.raises(ValidationFailed):
        _propose(c, personas.officer, "0.01")


def test_a_pending_proposal_reserves_its_share_of_the_cap(make_contract, personas):
    # given a pending addition of 15000.00
    c = make_contract()
    first = _propose(c, personas.officer, "15000")
    # when 6000.00 more is proposed
    with pytest.raises(ValidationFailed) as exc:
        _propose(c, personas.vendor, "6000")
    # then it is refused as if the first were effective
    assert "15000.00" in str(exc.value.fields["value_delta"][0])
    # when the first is withdrawn by its proposer
    services.contract_change_withdraw(change=first, actor=personas.officer)
    # then 6000.00 fits
    assert _propose(c, personas.vendor, "6000").status == "proposed"


def test_a_rejected_proposal_frees_the_cap(make_contract, personas):
    # given a proposal of 20000.00 rejected by the vendor
    c = make_contract()
    ch = _propose(c, personas.officer, "20000")
    services.contract_change_reject(change=ch, actor=personas.vendor, note="价格过低")
    # when another 20000.00 is proposed
    # then it fits
    assert _propose(c, personas.officer, "20000").status == "proposed"


def test_the_proposer_cannot_accept_its_own_proposal(
    make_contract, personas, second_officer
):
    # given a change proposed by the officer
    c = make_contract()
    ch = _propose(c, personas.officer, "1000")
    # when the officer, another officer of the street, or the district admin accepts
    for who in (personas.officer, second_officer, personas.admin):
        with pytest.raises(NotPermitted) as exc:
            services.contract_change_accept(change=ch, actor=who)
        # then it is refused (CT-01)
        assert "CT-01" in str(exc.value.message)
    ch.refresh_from_db()
    assert ch.status == "proposed"
    c.refresh_from_db()
    assert c.value == Decimal("200000.00")
    # and a change proposed by the vendor cannot be accepted by the vendor
    mine = _propose(c, personas.vendor, "1000")
    with pytest.raises(NotPermitted):
        services.contract_change_accept(change=mine, actor=personas.vendor)
    # but the street's officer may accept it
    assert (
        services.contract_change_accept(change=mine, actor=second_officer).status
        == "effective"
    )


def test_outsiders_cannot_propose_or_decide(make_contract, personas):
    # given a proposal of the vendor
    c = make_contract()
    ch = _propose(c, personas.vendor, "1000")
    # when an officer of another street decides it, or proposes one
    with pytest.raises(NotPermitted):
        services.contract_change_accept(change=ch, actor=personas.other_officer)
    with pytest.raises(NotPermitted):
        _propose(c, personas.other_officer, "1000")
    # then only the vendor's proposal exists, still pending
    assert list(c.changes.values_list("status", flat=True)) == ["proposed"]


def test_reject_needs_a_reason(make_contract, personas):
    # given a proposal of the officer
    c = make_contract()
    ch = _propose(c, personas.officer, "1000")
    # when the vendor rejects without a reason
    with pytest.raises(ValidationFailed) as exc:
        services.contract_change_reject(change=ch, actor=personas.vendor, note="  ")
    # then the reason is asked for and the proposal still waits
    assert list(exc.value.fields) == ["note"]
    ch.refresh_from_db()
    assert ch.status == "proposed"
    # when it gives one
    ch = services.contract_change_reject(
        change=ch, actor=personas.vendor, note="人手不足"
    )
    # then it is rejected with the note, and cannot be accepted afterwards
    assert (ch.status, ch.decision_note) == ("rejected", "人手不足")
    with pytest.raises(Conflict):
        services.contract_change_accept(change=ch, actor=personas.vendor)
    c.refresh_from_db()
    assert c.version == 1


def test_an_item_change_outside_the_street_is_refused_on_the_field(
    make_contract, personas, orgs
):
    # given an active contract of 簇锦街道
    c = make_contract()
    # when a target is proposed in a community of 玉林街道, and for an unknown item
    with pytest.raises(ValidationFailed) as exc:
        services.contract_change_propose(
            contract=c,
            actor=personas.officer,
            kind="variation",
            reason_code="scope_adjust",
            rationale="调整",
            item_changes=[
                {"item": "A03-05", "community": orgs.c2.code, "target": 10},
                {"item": "Z99-99", "community": "D1-S1-C1", "target": 10},
            ],
        )
    # then each row's field is named
    assert set(exc.value.fields) == {
        "item_changes.1.community",
        "item_changes.2.item",
    }
    assert not c.changes.exists()


def test_a_negative_or_fractional_target_is_refused(make_contract, personas):
    c = make_contract()
    for bad in (-1, "2.5", "x"):
        with pytest.raises(ValidationFailed) as exc:
            services.contract_change_propose(
                contract=c,
                actor=personas.officer,
                kind="variation",
                reason_code="scope_adjust",
                rationale="调整",
                item_changes=[
                    {"item": "A03-05", "community": "D1-S1-C1", "target": bad}
                ],
            )
        assert list(exc.value.fields) == ["item_changes.1.target"]


def test_target_zero_deactivates_the_item(make_contract, personas):
    # given an active contract
    c = make_contract()
    # when the vendor agrees to stop A03-01 in 铁佛社区
    ch = services.contract_change_propose(
        contract=c,
        actor=personas.officer,
        kind="variation",
        reason_code="community_change",
        rationale="该社区改由区级统一受理",
        item_changes=[{"item": "A03-01", "community": "D1-S1-C1", "target": 0}],
    )
    services.contract_change_accept(change=ch, actor=personas.vendor)
    # then the row is inactive, out of the progress and the new version
    ci = ContractItem.objects.get(
        contract=c, item__code="A03-01", community__code="D1-S1-C1"
    )
    assert (ci.active, ci.target) == (False, 0)
    assert ci.pk not in {r["id"] for r in selectors.contract_progress(c)}
    v2 = ContractVersion.objects.get(contract=c, number=2)
    assert "A03-01@D1-S1-C1" not in v2.snapshot["items"]
    assert len(v2.snapshot["items"]) == 5
    # and the value did not move
    c.refresh_from_db()
    assert c.value == Decimal("200000.00")


def test_a_change_with_no_content_is_refused(make_contract, personas):
    c = make_contract()
    with pytest.raises(ValidationFailed) as exc:
        services.contract_change_propose(
            contract=c,
            actor=personas.officer,
            kind="variation",
            reason_code="other",
            rationale="无",
        )
    assert "kind" in exc.value.fields


def test_a_change_on_a_draft_is_refused(make_contract, personas):
    # given a draft (not yet in force)
    c = make_contract(status="draft")
    # when a change is proposed
    with pytest.raises(Conflict):
        _propose(c, personas.officer, "1000")
    # then none exists
    assert not c.changes.exists()


# --- extensions -------------------------------------------------------------------


def _extend(c, personas, days=30, **kw):
    return services.extension_request_create(
        contract=c,
        actor=personas.vendor,
        reason=kw.pop("reason", "汛期影响入户"),
        requested_end_on=c.end_on + dt.timedelta(days=days),
        **kw,
    )


def test_the_third_extension_request_is_refused(make_contract, personas):
    # given two requests, one approved and one refused (the Wuhou cap is 2)
    c = make_contract()
    services.extension_approve(extension=_extend(c, personas), actor=personas.officer)
    c.refresh_from_db()
    services.extension_refuse(
        extension=_extend(c, personas), actor=personas.officer, reason="理由不充分"
    )
    # when the vendor asks a third time
    with pytest.raises(ValidationFailed) as exc:
        _extend(c, personas)
    # then it is refused, naming the cap
    assert list(exc.value.fields) == ["contract"]
    assert "2" in str(exc.value.fields["contract"][0])
    assert c.extensions.count() == 2


def test_the_extension_cap_comes_from_the_rule_parameter(make_contract, personas, orgs):
    # given the district raised its cap to 3
    RuleParameter.objects.filter(
        key="contract.extension.max_requests", jurisdiction=orgs.d1
    ).update(value=3)
    c = make_contract()
    for _n in range(2):
        services.extension_refuse(
            extension=_extend(c, personas), actor=personas.officer, reason="不同意"
        )
    # when the vendor asks a third time
    ext = _extend(c, personas)
    # then it is accepted as a request, and a fourth is refused
    assert ext.status == "pending"
    services.extension_refuse(extension=ext, actor=personas.officer, reason="不同意")
    with pytest.raises(ValidationFailed):
        _extend(c, personas)


def test_a_withdrawn_request_does_not_count(make_contract, personas):
    # given two requests the vendor withdrew
    c = make_contract()
    for _n in range(2):
        services.extension_withdraw(
            extension=_extend(c, personas), actor=personas.vendor
        )
    # when it asks again
    # then it may
    assert _extend(c, personas).status == "pending"


def test_the_request_keeps_the_completion_at_the_time(make_contract, personas):
    # given confirmed deliveries only in 铁佛社区 (30 + 45 of 600 in all), and a
    # reported, not yet confirmed one in 簇桥社区
    c = make_contract()
    ci = {
        (x.item.code, x.community.code): x
        for x in c.items.select_related("item", "community")
    }
    delivery(ci[("A03-05", "D1-S1-C1")], 30)
    delivery(ci[("A03-06", "D1-S1-C1")], 45)
    delivery(ci[("A03-05", "D1-S1-C2")], 100, status="reported")
    # when the vendor asks to extend the whole contract
    ext = _extend(c, personas)
    # then 1 of 2 communities was reached (50.0 %) and 75 of 600 delivered (12.5 %)
    snap = ext.snapshot
    assert (snap["communities_reached"], snap["communities_total"]) == (1, 2)
    assert snap["communities_pct"] == "50.0"
    assert (snap["delivered_total"], snap["target_total"]) == (75, 600)
    assert snap["volume_pct"] == "12.5"
    # and the event carries the same snapshot
    (ev,) = events(ext, "contracts.extension_request")
    assert ev.payload["snapshot"]["volume_pct"] == "12.5"


def test_an_item_extension_snapshot_covers_that_item(make_contract, personas):
    # given 30 confirmed of A03-05 in 铁佛社区 (A03-05 has 200 in its two communities)
    c = make_contract()
    row = c.items.get(item__code="A03-05", community__code="D1-S1-C1")
    delivery(row, 30)
    delivery(c.items.get(item__code="A03-06", community__code="D1-S1-C2"), 80)
    # when the vendor asks to extend that deliverable
    ext = _extend(c, personas, contract_item=row.pk)
    # then the snapshot is that item's: 1 of 2 communities, 30 of 200
    snap = ext.snapshot
    assert snap["item"] == "A03-05"
    assert (snap["communities_reached"], snap["communities_total"]) == (1, 2)
    assert (snap["delivered_total"], snap["target_total"]) == (30, 200)
    assert snap["volume_pct"] == "15.0"


def test_approving_a_contract_extension_moves_the_end_and_makes_a_version(
    make_contract, personas
):
    # given a pending whole-contract extension by 60 days
    c = make_contract()
    old_end = c.end_on
    ext = _extend(c, personas, days=60)
    # when the officer approves it
    ext = services.extension_approve(
        extension=ext, actor=personas.officer, reason="同意"
    )
    # then the term ends 60 days later, in version 2
    c.refresh_from_db()
    assert c.end_on == old_end + dt.timedelta(days=60)
    assert c.version == 2
    v2 = ContractVersion.objects.get(contract=c, number=2)
    assert v2.snapshot["end_on"] == c.end_on.isoformat()
    assert ext.status == "approved"
    assert ext.decided_by == personas.officer
    # and it cannot be decided twice
    with pytest.raises(Conflict):
        services.extension_refuse(extension=ext, actor=personas.officer, reason="x")


def test_approving_an_item_extension_leaves_the_contract_term(make_contract, personas):
    # given a pending extension of one deliverable
    c = make_contract()
    row = c.items.get(item__code="A03-05", community__code="D1-S1-C1")
    ext = _extend(c, personas, contract_item=row.pk)
    # when the officer approves it
    services.extension_approve(extension=ext, actor=personas.officer)
    # then the contract's end, version and versions are unchanged
    end, version = c.end_on, c.version
    c.refresh_from_db()
    assert (c.end_on, c.version) == (end, version)
    assert ContractVersion.objects.filter(contract=c).count() == 1


def test_refusing_an_extension_needs_a_reason(make_contract, personas):
    # given a pending extension
    c = make_contract()
    ext = _extend(c, personas)
    # when the officer refuses without a reason
    with pytest.raises(ValidationFailed) as exc:
        services.extension_refuse(extension=ext, actor=personas.officer, reason="")
    # then the reason is asked for and it still waits
    assert list(exc.value.fields) == ["reason"]
    ext.refresh_from_db()
    assert ext.status == "pending"


def test_only_the_buyer_decides_and_only_the_vendor_asks(make_contract, personas):
    # given an active contract
    c = make_contract()
    # when the officer asks for an extension
    with pytest.raises(NotPermitted):
        services.extension_request_create(
            contract=c,
            actor=personas.officer,
            reason="x",
            requested_end_on=c.end_on + dt.timedelta(days=5),
        )
    # and the vendor approves its own
    ext = _extend(c, personas)
    with pytest.raises(NotPermitted):
        services.extension_approve(extension=ext, actor=personas.vendor)
    # then it is still pending and the term unchanged
    ext.refresh_from_db()
    assert ext.status == "pending"


def test_an_extension_must_move_the_end_later(make_contract, personas):
    c = make_contract()
    with pytest.raises(ValidationFailed) as exc:
        services.extension_request_create(
            contract=c, actor=personas.vendor, reason="x", requested_end_on=c.end_on
        )
    assert list(exc.value.fields) == ["requested_end_on"]


def test_a_change_of_value_is_spread_over_the_open_tranches(make_contract, personas):
    # given 200,000.00 in 40/30/30 with the advance already paid (80,000.00)
    c = make_contract()
    t1, t2, t3 = c.tranches.order_by("number")
    services.payment_tranche_request(tranche=t1, actor=personas.vendor)
    services.payment_tranche_approve(tranche=t1, actor=personas.officer)
    # when an addition of 10,000.00 takes effect
    ch = _propose(c, personas.officer, "10000")
    services.contract_change_accept(change=ch, actor=personas.vendor)
    # then the approved advance keeps its amount, the two open tranches share the
    # addition in proportion (60,000 each → 65,000 each) and the shares are
    # restated against 210,000.00: 80,000 / 210,000 = 38.10 %, 65,000 / 210,000 =
    # 30.95 %, the last taking the rounding remainder
    rows = list(c.tranches.order_by("number").values_list("amount", "share"))
    assert rows == [
        (Decimal("80000.00"), Decimal("38.10")),
        (Decimal("65000.00"), Decimal("30.95")),
        (Decimal("65000.00"), Decimal("30.95")),
    ]


def test_a_reduction_larger_than_what_is_open_is_refused(make_contract, personas):
    # given 200,000.00 with the advance (80,000) and the mid-term (60,000) approved
    c = make_contract(
        tranches=[
            {"kind": "advance", "share": 40},
            {"kind": "midterm", "share": 30},
            {"kind": "final", "share": 30},
        ]
    )
    for t in list(c.tranches.order_by("number"))[:2]:
        services.payment_tranche_request(tranche=t, actor=personas.vendor)
        services.payment_tranche_approve(tranche=t, actor=personas.officer)
    # when a reduction of 70,000 (more than the 60,000 still open) is accepted
    ch = _propose(
        c, personas.officer, "-70000", kind="reduction", reason_code="scope_adjust"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.contract_change_accept(change=ch, actor=personas.vendor)
    # then it is refused on the amount and nothing changed
    assert "value_delta" in exc.value.fields
    c.refresh_from_db()
    assert c.value == Decimal("200000.00")
    assert c.version == 1
    ch.refresh_from_db()
    assert ch.status == "proposed"
    assert [t.amount for t in c.tranches.order_by("number")] == [
        Decimal("80000.00"),
        Decimal("60000.00"),
        Decimal("60000.00"),
    ]
