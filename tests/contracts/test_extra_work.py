"""Work outside the contract (合同外工作): recorded by a department, a community or the
vendor, approved or refused by the buyer, disputed by the vendor (seed 002),
compensated; and the extra-work ratio per vendor and community."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.choices import Role
from accounts.models import Notification
from contracts import selectors_delivery as sel
from contracts.models import ContractFeedEntry, ExtraWork
from contracts.services import delivery as svc
from core.events import audit_events_for
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from tests.contracts.test_delivery import other_vendor_contract
from tests.factories import user_with_role


@pytest.fixture
def x(make_contract, personas, cworld, orgs):
    contract = make_contract()
    c1, c1b = cworld.communities
    return SimpleNamespace(
        contract=contract,
        c1=c1,
        c1b=c1b,
        c2_staff=user_with_role(Role.COMMUNITY_STAFF, orgs.c2, username="c2_staff"),
        day=contract.start_on + dt.timedelta(days=2),
    )


def record(x, actor, side, community=None, hours="4", **kw):
    return svc.extra_work_record(
        contract=x.contract,
        actor=actor,
        side=side,
        requested_by_name=kw.pop("requested_by_name", "街道社区发展科 王科长"),
        description=kw.pop("description", "社区迎检：整理台账、布置展板"),
        assigned_on=kw.pop("assigned_on", x.day),
        hours=hours,
        community=community,
    )


# --- recording --------------------------------------------------------------------------


def test_each_side_records_extra_work(x, personas):
    # a department, c1's staff (for c1) and the vendor itself each record a task
    by_dept = record(x, personas.dept, "department")
    by_comm = record(x, personas.community, "community", community=x.c1, hours="6.5")
    by_vendor = record(x, personas.vendor, "vendor", community=x.c1.pk)

    assert by_dept.status == by_comm.status == by_vendor.status == "recorded"
    assert by_dept.community is None
    assert by_comm.community == x.c1
    assert by_comm.hours == Decimal("6.5")
    assert by_vendor.recorded_by == personas.vendor
    # the vendor hears of work recorded against it by others; the buyer of all
    assert (
        Notification.objects.filter(
            user=personas.vendor, verb="contract_extra_work_recorded"
        ).count()
        == 2
    )
    assert (
        Notification.objects.filter(
            user=personas.officer, verb="contract_extra_work_recorded"
        ).count()
        == 3
    )
    assert [e.action for e in audit_events_for(by_comm)] == [
        "contracts.extra_work_record"
    ]
    assert (
        ContractFeedEntry.objects.filter(
            contract=x.contract, action="extra_work_record"
        ).count()
        == 3
    )


def test_officer_may_record_for_the_department(x, personas):
    assert record(x, personas.officer, "department").side == "department"


def test_each_side_only_by_its_own_people(x, personas, orgs, cworld):
    _other, other_staff = other_vendor_contract(orgs, personas, cworld)
    refused = [
        (personas.vendor, "department", None),
        (personas.community, "department", None),
        (personas.other_officer, "department", None),
        (personas.vendor, "community", x.c1),
        (personas.community, "community", x.c1b),  # not c1's staff's community
        (personas.officer, "vendor", None),
        (other_staff, "vendor", None),
        (personas.outsider, "department", None),
    ]
    for actor, side, community in refused:
        with pytest.raises(NotPermitted) as exc:
            record(x, actor, side, community=community)
        assert exc.value.status_code == 403, (actor, side)
    assert not ExtraWork.objects.exists()


def test_community_outside_the_contract_is_refused(x, personas, orgs):
    # given c2's staff (c2 lies in street S2, outside this contract): not a party
    with pytest.raises(NotPermitted):
        record(x, x.c2_staff, "community", community=orgs.c2)
    # and a department naming a community outside the contract
    with pytest.raises(ValidationFailed) as exc:
        record(x, personas.dept, "department", community=orgs.c2)
    assert exc.value.fields == {"community": ["该社区不在本合同的服务范围内。"]}
    # and a community is required when a community records
    with pytest.raises(ValidationFailed) as exc:
        record(x, personas.community, "community")
    assert "community" in exc.value.fields
    # and nonsense community ids are field errors, not server errors
    for bad in ("abc", "-4", 10**30):
        with pytest.raises(ValidationFailed) as exc:
            record(x, personas.dept, "department", community=bad)
        assert "community" in exc.value.fields
    assert not ExtraWork.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"side": "mayor"}, "side"),
        ({"hours": "0"}, "hours"),
        ({"hours": "-2"}, "hours"),
        ({"hours": "Infinity"}, "hours"),
        ({"hours": None}, "hours"),
        ({"requested_by_name": ""}, "requested_by_name"),
        ({"description": "  "}, "description"),
        ({"assigned_on": "2999-01-01"}, "assigned_on"),
        ({"assigned_on": "2026-13-01"}, "assigned_on"),
        ({"assigned_on": "2000-01-01"}, "assigned_on"),
    ],
)
def test_bad_input_is_refused(x, personas, kwargs, field):
    side = kwargs.pop("side", "department")
    with pytest.raises(ValidationFailed) as exc:
        record(x, personas.dept, side, **kwargs)
    assert field in exc.value.fields
    assert not ExtraWork.objects.exists()


# --- deciding, disputing, compensating --------------------------------------------------


def test_vendor_disputes_extra_work_piled_onto_it(x, personas):
    # given a community's inspection-preparation task (社区迎检)
    extra = record(x, personas.community, "community", community=x.c1, hours="8")

    # when the vendor pushes back (a response is required)
    with pytest.raises(ValidationFailed) as exc:
        svc.extra_work_dispute(extra=extra, actor=personas.vendor, response="")
    assert exc.value.fields == {"response": ["请填写承接组织的意见。"]}
    extra = svc.extra_work_dispute(
        extra=extra,
        actor=personas.vendor,
        response="迎检准备不属于合同服务内容，且未给予补偿",
    )

    # then it is disputed with the response, and the buyer's officers are told
    assert extra.status == "disputed"
    assert extra.vendor_response.startswith("迎检准备")
    assert Notification.objects.filter(
        user=personas.officer, verb="contract_extra_work_disputed"
    ).exists()
    # and only the vendor may dispute, and not twice
    with pytest.raises(NotPermitted):
        svc.extra_work_dispute(extra=extra, actor=personas.community, response="x")
    with pytest.raises(TransitionNotAllowed):
        svc.extra_work_dispute(extra=extra, actor=personas.vendor, response="x")

    # when the officer approves it as extra work and records the compensation
    extra = svc.extra_work_approve(
        extra=extra, actor=personas.officer, note="确属合同外工作"
    )
    assert extra.status == "approved"
    assert extra.decided_by == personas.officer
    extra = svc.extra_work_compensate(
        extra=extra, actor=personas.officer, amount="1,200.50"
    )

    # then it is compensated, once
    assert extra.compensated is True
    assert extra.compensation == Decimal("1200.50")
    with pytest.raises(Conflict) as exc:
        svc.extra_work_compensate(extra=extra, actor=personas.officer, amount="10")
    assert exc.value.code == "already_compensated"
    assert [e.action for e in audit_events_for(extra)][::-1] == [
        "contracts.extra_work_record",
        "contracts.extra_work_dispute",
        "contracts.extra_work_approve",
        "contracts.extra_work_compensate",
    ]


def test_vendor_may_dispute_an_approved_record(x, personas):
    extra = record(x, personas.dept, "department")
    extra = svc.extra_work_approve(extra=extra, actor=personas.officer)
    extra = svc.extra_work_dispute(
        extra=extra, actor=personas.vendor, response="工时不止4小时"
    )
    assert extra.status == "disputed"


def test_officer_refuses_with_a_reason(x, personas):
    extra = record(x, personas.vendor, "vendor")
    with pytest.raises(ValidationFailed) as exc:
        svc.extra_work_refuse(extra=extra, actor=personas.officer, note="")
    assert "note" in exc.value.fields
    extra = svc.extra_work_refuse(
        extra=extra, actor=personas.officer, note="属于合同约定的服务内容"
    )
    assert extra.status == "refused"
    assert Notification.objects.filter(
        user=personas.vendor, verb="contract_extra_work_decided"
    ).exists()
    # a refused record is closed
    for call in (
        lambda: svc.extra_work_approve(extra=extra, actor=personas.officer),
        lambda: svc.extra_work_dispute(
            extra=extra, actor=personas.vendor, response="x"
        ),
        lambda: svc.extra_work_compensate(
            extra=extra, actor=personas.officer, amount="5"
        ),
    ):
        with pytest.raises(TransitionNotAllowed):
            call()


def test_only_the_buyers_officers_decide(x, personas):
    extra = record(x, personas.dept, "department")
    for actor in (
        personas.vendor,
        personas.dept,
        personas.community,
        personas.other_officer,
    ):
        with pytest.raises(NotPermitted):
            svc.extra_work_approve(extra=extra, actor=actor)
        with pytest.raises(NotPermitted):
            svc.extra_work_refuse(extra=extra, actor=actor, note="x")
    extra.refresh_from_db()
    assert extra.status == "recorded"


def test_compensation_needs_approval_and_a_valid_amount(x, personas):
    extra = record(x, personas.dept, "department")
    with pytest.raises(TransitionNotAllowed):
        svc.extra_work_compensate(extra=extra, actor=personas.officer, amount="100")
    extra = svc.extra_work_approve(extra=extra, actor=personas.officer)
    for bad in ("-5", "0", "abc", "1.234", "", None):
        with pytest.raises(ValidationFailed) as exc:
            svc.extra_work_compensate(extra=extra, actor=personas.officer, amount=bad)
        assert "amount" in exc.value.fields
    with pytest.raises(NotPermitted):
        svc.extra_work_compensate(extra=extra, actor=personas.vendor, amount="100")
    extra.refresh_from_db()
    assert extra.compensated is False


def test_extra_work_selector_hides_invisible_contracts(x, personas):
    from core.exceptions import NotFound

    extra = record(x, personas.dept, "department")
    assert list(sel.extra_work_for(x.contract, personas.vendor)) == [extra]
    assert sel.extra_work_get_for_user(extra.pk, personas.community) == extra
    assert sel.extra_work_allowed_actions(personas.officer, extra) == [
        "approve",
        "refuse",
    ]
    assert sel.extra_work_allowed_actions(personas.vendor, extra) == ["dispute"]
    for user in (personas.other_officer, personas.outsider):
        with pytest.raises(NotFound):
            sel.extra_work_for(x.contract, user)
        with pytest.raises(NotFound):
            sel.extra_work_get_for_user(extra.pk, user)


# --- the ratio --------------------------------------------------------------------------


def confirmed_delivery(contract, vendor_staff, item, community_staff):
    rec = svc.delivery_report(
        contract=contract,
        actor=vendor_staff,
        contract_item=item,
        period_start=contract.start_on,
        period_end=contract.start_on,
        count=1,
    )
    return svc.delivery_confirm(delivery=rec, actor=community_staff)


def test_extra_work_ratio_by_vendor_and_community(
    x, personas, orgs, cworld, django_assert_num_queries
):
    c1_staff = personas.community
    c1b_staff = user_with_role(Role.COMMUNITY_STAFF, x.c1b, username="c1b_staff")
    item = cworld.items[0]
    a_c1 = x.contract.items.get(item=item, community=x.c1)
    a_c1b = x.contract.items.get(item=item, community=x.c1b)
    # given vendor A: 3 confirmed deliveries in c1 and 1 in c1b, plus one still
    # awaiting review and one disputed (neither counts)
    for _ in range(3):
        confirmed_delivery(x.contract, personas.vendor, a_c1, c1_staff)
    confirmed_delivery(x.contract, personas.vendor, a_c1b, c1b_staff)
    svc.delivery_report(
        contract=x.contract,
        actor=personas.vendor,
        contract_item=a_c1,
        period_start=x.day,
        period_end=x.day,
        count=1,
    )
    # and A's extra work: approved in c1 (4 h), disputed in c1 (2.5 h), approved
    # for the department without a community (3 h) — counted; refused in c1 and
    # undecided in c1b — not counted
    e1 = record(x, c1_staff, "community", community=x.c1, hours="4")
    svc.extra_work_approve(extra=e1, actor=personas.officer)
    e2 = record(x, c1_staff, "community", community=x.c1, hours="2.5")
    svc.extra_work_dispute(extra=e2, actor=personas.vendor, response="不属合同内容")
    e3 = record(x, personas.dept, "department", hours="3")
    svc.extra_work_approve(extra=e3, actor=personas.officer)
    e4 = record(x, c1_staff, "community", community=x.c1, hours="9")
    svc.extra_work_refuse(extra=e4, actor=personas.officer, note="合同内工作")
    record(x, c1b_staff, "community", community=x.c1b, hours="5")
    # and vendor B: 1 confirmed delivery in c1, 1 approved extra task in c1 (2 h)
    other, b_staff = other_vendor_contract(orgs, personas, cworld)
    confirmed_delivery(
        other, b_staff, other.items.get(item=item, community=x.c1), c1_staff
    )
    eb = svc.extra_work_record(
        contract=other,
        actor=c1_staff,
        side="community",
        community=x.c1,
        requested_by_name="社区书记",
        description="协助疫苗接种登记",
        assigned_on=other.start_on,
        hours="2",
    )
    svc.extra_work_approve(extra=eb, actor=personas.officer)

    # when the ratios are read for the whole street (one query per grouping)
    with django_assert_num_queries(2):
        ratios = sel.extra_work_ratio()

    # then by hand: A = 3 ÷ (3 + 4) = 0.4286 with 9.5 h; B = 1 ÷ (1 + 1) = 0.5
    by_vendor = {r.id: r for r in ratios.by_vendor}
    a = by_vendor[x.contract.vendor_id]
    assert (a.extra_count, a.delivery_count, a.extra_hours) == (3, 4, Decimal("9.5"))
    assert a.ratio == Decimal("0.4286")
    assert a.percent == Decimal("42.9")
    b = by_vendor[other.vendor_id]
    assert (b.extra_count, b.delivery_count, b.ratio) == (1, 1, Decimal("0.5000"))
    # c1: extra (e1, e2, eb) = 3, confirmed (3 of A + 1 of B) = 4 → 3/7; c1b: 0/1
    by_comm = {r.id: r for r in ratios.by_community}
    assert (by_comm[x.c1.pk].extra_count, by_comm[x.c1.pk].delivery_count) == (3, 4)
    assert by_comm[x.c1.pk].extra_hours == Decimal("8.5")
    assert by_comm[x.c1.pk].ratio == Decimal("0.4286")
    assert by_comm[x.c1b.pk].ratio == Decimal("0.0000")

    # when narrowed to contract A and to community c1
    only_a = sel.extra_work_ratio(contract=x.contract)
    assert [(r.id, r.ratio) for r in only_a.by_vendor] == [
        (x.contract.vendor_id, Decimal("0.4286"))
    ]
    a_c1_ratio = sel.extra_work_ratio(vendor=x.contract.vendor, community=x.c1)
    # then A in c1: extra e1, e2 = 2; confirmed 3 → 2/5
    assert [
        (r.extra_count, r.delivery_count, r.ratio) for r in a_c1_ratio.by_vendor
    ] == [(2, 3, Decimal("0.4000"))]
    assert [r.id for r in a_c1_ratio.by_community] == [x.c1.pk]


def test_ratio_is_none_without_any_work():
    row = sel.RatioRow(
        id=1, name="x", extra_count=0, extra_hours=Decimal(0), delivery_count=0
    )
    assert row.ratio is None
    assert row.percent is None
