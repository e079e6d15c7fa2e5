"""The contract's own lifecycle through the services: created from a final award,
signed, countersigned, published, filed, terminated or completed, with the rules the
issue names (GPS-23/24, CT-03/04, BD-04, TL-13..15) and one audit event and one feed
row per transition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from catalogue.rules import add_calendar_days, add_working_days
from contracts import selectors, services
from contracts.models import (
    Contract,
    ContractFeedEntry,
    ContractItem,
    ContractVersion,
    PaymentTranche,
)
from core.events import audit_events_for
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.models import AuditEvent
from procurement.choices import AwardStatus
from tests.contracts.conftest import delivery, events, make_final_award

pytestmark = pytest.mark.django_db

CLAUSES = [
    "parties",
    "subject",
    "quantity",
    "quality",
    "price",
    "term",
    "settlement",
    "acceptance",
    "rights",
    "liability",
    "dispute",
]
# A Monday result notice, and a Friday signing after it (no holidays in November).
NOTICE = dt.date(2026, 11, 2)
FRIDAY = dt.date(2026, 11, 20)


def _award(cworld, orgs, **kw):
    kw.setdefault("code", "CG-2026-101")
    return make_final_award(
        buyer=orgs.s1,
        vendor=cworld.vendor,
        items=cworld.items,
        communities=cworld.communities,
        **kw,
    )


def _counts():
    return {
        m.__name__: m.objects.count()
        for m in (
            Contract,
            ContractItem,
            PaymentTranche,
            ContractVersion,
            AuditEvent,
            ContractFeedEntry,
        )
    }


def _feed(contract):
    return list(
        ContractFeedEntry.objects.filter(contract=contract)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- creation from the award ---------------------------------------------------


def test_create_from_award_copies_items_value_deadline_and_clauses(
    cworld, orgs, personas
):
    # given a final award with a result notice on a Thursday whose 30th day is a
    # Saturday, for three items with different yearly volumes in two communities
    volumes = {"A03-05": 120, "A03-01": 40, "A03-06": 250}
    for item in cworld.items:
        item.annual_volume = volumes[item.code]
        item.save(update_fields=["annual_volume"])
    notice = dt.date(2026, 10, 15)
    award = _award(cworld, orgs, amount=Decimal("186000.00"), notice_day=notice)
    # when the officer creates the contract for one year
    c = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on="2026-11-01",
        end_on="2027-10-31",
    )
    # then it is a draft between the street and the winner, for the award amount
    assert c.status == "draft"
    assert (c.buyer, c.vendor, c.award) == (orgs.s1, cworld.vendor, award)
    assert c.value == c.original_value == Decimal("186000.00")
    assert c.term_years == 1
    # and one row per item and community, targets = yearly volume x 1 year
    rows = {
        (ci.item.code, ci.community.code): ci.target
        for ci in c.items.select_related("item", "community")
    }
    assert rows == {
        (code, comm.code): vol
        for code, vol in volumes.items()
        for comm in cworld.communities
    }
    # and the signing deadline is 30 days after the notice, moved off the weekend
    assert c.award_notice_on == notice
    assert c.sign_due == dt.date(2026, 11, 16)
    assert c.sign_due == add_calendar_days(notice, 30)
    # and every statutory clause (CT-03) is there and not empty
    assert sorted(c.clauses) == sorted(CLAUSES)
    assert all(str(c.clauses[k]).strip() for k in CLAUSES)
    assert "186000.00" in c.clauses["price"]
    # and the creation is one audit event and one feed row
    assert len(events(c, "contracts.create")) == 1
    assert _feed(c) == ["create"]


def test_multi_year_contract_multiplies_the_targets(cworld, orgs, personas):
    # given an award whose procurement stated a multi-year term
    award = _award(cworld, orgs, term_years=2, multi_year_stated=True)
    # when the contract runs two years
    c = services.contract_create_from_award(
        award=award, actor=personas.officer, start_on="2026-01-01", end_on="2027-12-31"
    )
    # then the term is 2 years and each target is the yearly volume x 2
    assert c.term_years == 2
    assert {ci.target for ci in c.items.all()} == {2 * 100}


def test_default_tranches_follow_the_district_rule_and_sum_to_the_value(
    cworld, orgs, personas
):
    # given an award of 100000.01 yuan (shares that do not divide into cents)
    award = _award(cworld, orgs, amount=Decimal("100000.01"))
    # when the contract is created without a plan
    c = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on="2026-11-01",
        end_on="2027-10-31",
    )
    # then the plan is the Wuhou rule: advance 40, midterm 30, final 30
    by_kind = {t.kind: t for t in c.tranches.all()}
    assert {k: t.share for k, t in by_kind.items()} == {
        "advance": Decimal("40"),
        "midterm": Decimal("30"),
        "final": Decimal("30"),
    }
    # and the amounts sum to the value exactly
    assert sum(t.amount for t in by_kind.values()) == c.value
    # and the midterm and final wait for acceptance, the final for a 良 grade with
    # 10 % deducted below it
    assert by_kind["advance"].needs_acceptance is False
    assert (by_kind["midterm"].needs_acceptance, by_kind["midterm"].period_label) == (
        True,
        "中期",
    )
    final = by_kind["final"]
    assert (final.needs_acceptance, final.period_label) == (True, "年度")
    assert (final.min_grade, final.deduction_share) == ("good", Decimal("10"))


def test_default_tranches_are_numbered_advance_midterm_final(cworld, orgs, personas):
    # given an award of 100000.01 yuan
    award = _award(cworld, orgs, amount=Decimal("100000.01"))
    # when the contract is created without a plan
    c = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on="2026-11-01",
        end_on="2027-10-31",
    )
    # then the tranches are in payment order, the last one takes the rounding cent
    assert [(t.number, t.kind, t.share, t.amount) for t in c.tranches.all()] == [
        (1, "advance", Decimal("40.00"), Decimal("40000.00")),
        (2, "midterm", Decimal("30.00"), Decimal("30000.00")),
        (3, "final", Decimal("30.00"), Decimal("30000.01")),
    ]


def test_explicit_tranches_put_the_rounding_remainder_on_the_last(
    cworld, orgs, personas
):
    # given an award of 1000.01 yuan and a plan of 40/30/30
    award = _award(cworld, orgs, amount=Decimal("1000.01"))
    plan = [
        {"kind": "advance", "share": "40"},
        {"kind": "midterm", "share": "30"},
        {"kind": "final", "share": "30"},
    ]
    # when the contract is created
    c = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on="2026-11-01",
        end_on="2027-10-31",
        tranches=plan,
    )
    # then 400.004 and 300.003 round to cents, and the last takes the remainder
    assert [t.amount for t in c.tranches.all()] == [
        Decimal("400.00"),
        Decimal("300.00"),
        Decimal("300.01"),
    ]


def test_a_missing_clause_is_refused_on_its_field(cworld, personas):
    # given the award and the rows before
    before = _counts()
    # when the officer blanks the liability clause
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create_from_award(
            award=cworld.award, actor=personas.officer, clauses={"liability": "  "}
        )
    # then the refusal names that clause (CT-03) and nothing was saved
    assert list(exc.value.fields) == ["clauses.liability"]
    assert "CT-03" in str(exc.value.fields["clauses.liability"][0])
    assert _counts() == before


def test_a_non_final_award_is_a_conflict(cworld, personas):
    # given an award that is confirmed but not yet final
    cworld.award.status = AwardStatus.CONFIRMED
    cworld.award.save(update_fields=["status"])
    # when the officer creates its contract
    with pytest.raises(Conflict) as exc:
        services.contract_create_from_award(award=cworld.award, actor=personas.officer)
    # then it is refused and no contract exists
    assert exc.value.code == "award_not_final"
    assert not Contract.objects.exists()


def test_a_second_contract_for_the_award_is_a_conflict(make_contract, cworld, personas):
    # given the award already has its contract
    make_contract(status="draft")
    before = _counts()
    # when the officer creates another one with another code
    with pytest.raises(Conflict) as exc:
        services.contract_create_from_award(
            award=cworld.award, actor=personas.officer, code="HT-OTHER"
        )
    # then it is refused and nothing was written
    assert exc.value.code == "contract_exists"
    assert _counts() == before


@pytest.mark.parametrize("who", ["other_officer", "outsider", "vendor", "community"])
def test_only_the_buyer_creates_the_contract(who, cworld, personas):
    # when someone other than the street's officers creates the contract
    with pytest.raises(NotPermitted):
        services.contract_create_from_award(
            award=cworld.award, actor=getattr(personas, who)
        )
    # then nothing exists
    assert not Contract.objects.exists()


def test_the_district_admin_may_create_the_contract(cworld, personas):
    # when the district's admin creates it
    c = services.contract_create_from_award(award=cworld.award, actor=personas.admin)
    # then it exists
    assert c.pk
    assert c.created_by == personas.admin


# --- term and bond -------------------------------------------------------------


def test_term_over_one_year_needs_the_multi_year_statement(cworld, orgs, personas):
    # given an award whose procurement did not state a multi-year term
    # when the contract would run one day past a year
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create_from_award(
            award=cworld.award,
            actor=personas.officer,
            start_on="2026-01-01",
            end_on="2027-01-01",
        )
    # then the end date is refused with the rule
    assert list(exc.value.fields) == ["end_on"]
    assert "GPS-24" in str(exc.value.fields["end_on"][0])
    # and exactly one year is fine
    c = services.contract_create_from_award(
        award=cworld.award,
        actor=personas.officer,
        start_on="2026-01-01",
        end_on="2026-12-31",
    )
    assert c.term_years == 1


def test_multi_year_statement_allows_up_to_three_years(cworld, orgs, personas):
    # given an award whose procurement stated a multi-year term
    award = _award(cworld, orgs, term_years=3, multi_year_stated=True)
    # when the contract would run three years and a day
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create_from_award(
            award=award,
            actor=personas.officer,
            start_on="2026-01-01",
            end_on="2029-01-01",
        )
    # then it is refused on the end date
    assert list(exc.value.fields) == ["end_on"]
    assert "3" in str(exc.value.fields["end_on"][0])
    # and three years exactly are allowed
    c = services.contract_create_from_award(
        award=award, actor=personas.officer, start_on="2026-01-01", end_on="2028-12-31"
    )
    assert c.term_years == 3


def test_end_before_start_is_refused(cworld, personas):
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create_from_award(
            award=cworld.award,
            actor=personas.officer,
            start_on="2026-05-01",
            end_on="2026-04-30",
        )
    assert "end_on" in exc.value.fields


def test_bond_above_ten_percent_is_refused(cworld, personas):
    # given an award of 200000.00 (10 % is 20000.00)
    before = _counts()
    # when the bond is one cent above it
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create_from_award(
            award=cworld.award, actor=personas.officer, performance_bond="20000.01"
        )
    # then the bond is refused (BD-04) and nothing was saved
    assert list(exc.value.fields) == ["performance_bond"]
    assert "BD-04" in str(exc.value.fields["performance_bond"][0])
    assert _counts() == before
    # and exactly 10 % is accepted
    c = services.contract_create_from_award(
        award=cworld.award,
        actor=personas.officer,
        performance_bond="20000.00",
        bond_form="银行保函",
    )
    assert c.performance_bond == Decimal("20000.00")


def test_draft_update_checks_the_bond_too(make_contract, personas):
    # given a draft
    c = make_contract(status="draft")
    # when the bond is raised above 10 %
    with pytest.raises(ValidationFailed) as exc:
        services.contract_update_draft(
            contract=c, actor=personas.officer, performance_bond="20000.01"
        )
    # then it is refused and the draft is unchanged
    assert "performance_bond" in exc.value.fields
    c.refresh_from_db()
    assert c.performance_bond is None


# --- tranches -------------------------------------------------------------------


def test_tranches_not_summing_to_100_save_nothing(cworld, personas):
    # given the rows before
    before = _counts()
    # when the plan sums to 90 %
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create_from_award(
            award=cworld.award,
            actor=personas.officer,
            tranches=[
                {"kind": "advance", "share": "40"},
                {"kind": "final", "share": "50"},
            ],
        )
    # then the plan is refused with the total, and no row was written
    assert "tranches" in exc.value.fields
    assert "90" in str(exc.value.fields["tranches"][0])
    assert _counts() == before


def test_replacing_a_drafts_plan_refuses_a_bad_sum_and_keeps_the_old(
    make_contract, personas
):
    # given a draft with its default plan
    c = make_contract(status="draft")
    old = sorted(c.tranches.values_list("kind", "share"))
    before = _counts()
    # when the officer replaces it with shares summing to 110
    with pytest.raises(ValidationFailed):
        services.contract_tranches_set(
            contract=c,
            actor=personas.officer,
            tranches=[
                {"kind": "advance", "share": "60"},
                {"kind": "final", "share": "50"},
            ],
        )
    # then nothing changed
    assert _counts() == before
    assert sorted(c.tranches.values_list("kind", "share")) == old
    # when the plan sums to 100
    services.contract_tranches_set(
        contract=c,
        actor=personas.officer,
        tranches=[{"kind": "advance", "share": "50"}, {"kind": "final", "share": "50"}],
    )
    # then it replaces the old one, with one event
    assert list(c.tranches.values_list("kind", "amount")) == [
        ("advance", Decimal("100000.00")),
        ("final", Decimal("100000.00")),
    ]
    assert len(events(c, "contracts.update")) == 1


# --- signing, publication, filing ----------------------------------------------


def test_sign_and_countersign_start_the_publication_and_filing_deadlines(
    cworld, orgs, personas
):
    # given a draft from an award noticed on a Monday
    award = _award(cworld, orgs, notice_day=NOTICE)
    c = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on="2026-11-23",
        end_on="2027-11-22",
    )
    # when the vendor signs
    c = services.contract_sign_vendor(contract=c, actor=personas.vendor)
    # then the contract is signed by the vendor, with who and when
    assert c.status == "vendor_signed"
    assert c.vendor_signed_by == personas.vendor
    assert c.vendor_signed_at
    # when the street countersigns on a Friday
    c = services.contract_countersign(
        contract=c, actor=personas.officer, signed_on=FRIDAY
    )
    # then it is in force from that day
    assert (c.status, c.signed_on, c.countersigned_by) == (
        "active",
        FRIDAY,
        personas.officer,
    )
    # and publication is due 2 working days later (Tuesday), filing 7 (Tuesday next)
    assert c.publish_due == dt.date(2026, 11, 24)
    assert c.publish_due == add_working_days(FRIDAY, 2)
    assert c.file_due == dt.date(2026, 12, 1)
    assert c.file_due == add_working_days(FRIDAY, 7)
    # and version 1 keeps the terms as signed
    v1 = ContractVersion.objects.get(contract=c)
    assert v1.number == 1
    assert v1.change is None
    assert v1.snapshot["value"] == "200000.00"
    assert v1.snapshot["end_on"] == "2027-11-22"
    assert len(v1.snapshot["items"]) == 6
    # and the countersign event carries the deadlines
    (ev,) = events(c, "contracts.countersign")
    assert ev.payload["publish_due"] == "2026-11-24"
    assert ev.payload["late"] is False


def test_countersign_date_must_be_between_notice_and_today(cworld, orgs, personas):
    # given a vendor-signed contract of an award noticed on 2026-11-02
    award = _award(cworld, orgs, notice_day=NOTICE)
    c = services.contract_create_from_award(award=award, actor=personas.officer)
    c = services.contract_sign_vendor(contract=c, actor=personas.vendor)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    # when the street dates its signature before the notice or tomorrow
    for day in (NOTICE - dt.timedelta(days=1), tomorrow):
        with pytest.raises(ValidationFailed) as exc:
            services.contract_countersign(
                contract=c, actor=personas.officer, signed_on=day
            )
        # then the date is refused and the contract still waits
        assert list(exc.value.fields) == ["signed_on"]
    c.refresh_from_db()
    assert c.status == "vendor_signed"
    assert not ContractVersion.objects.filter(contract=c).exists()


def test_signing_by_the_wrong_side_is_refused(make_contract, personas):
    # given a draft
    c = make_contract(status="draft")
    # when the officer signs for the vendor, or the vendor countersigns a draft
    with pytest.raises(NotPermitted):
        services.contract_sign_vendor(contract=c, actor=personas.officer)
    with pytest.raises(TransitionNotAllowed):
        services.contract_countersign(contract=c, actor=personas.vendor)
    # then the draft is untouched
    c.refresh_from_db()
    assert c.status == "draft"
    assert c.vendor_signed_at is None
    # and once the vendor signed, the vendor still cannot countersign
    c = services.contract_sign_vendor(contract=c, actor=personas.vendor)
    with pytest.raises(NotPermitted):
        services.contract_countersign(contract=c, actor=personas.vendor)


def _signed_on_friday(cworld, orgs, personas):
    award = _award(cworld, orgs, notice_day=NOTICE)
    c = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on="2026-11-23",
        end_on="2027-11-22",
    )
    c = services.contract_sign_vendor(contract=c, actor=personas.vendor)
    return services.contract_countersign(
        contract=c, actor=personas.officer, signed_on=FRIDAY
    )


def test_late_publication_is_flagged(cworld, orgs, personas):
    # given a contract signed on a Friday (publication due on Tuesday 11-24)
    c = _signed_on_friday(cworld, orgs, personas)
    # then before publication, the flag is off on the due day and on after it
    assert (
        selectors.deadline_flags(c, today=dt.date(2026, 11, 24))["publish_overdue"]
        is False
    )
    assert selectors.deadline_flags(c, today=dt.date(2026, 11, 25))["publish_overdue"]
    # when it is published on Wednesday
    c = services.contract_record_publication(
        contract=c,
        actor=personas.officer,
        published_on="2026-11-25",
        url="https://www.ccgp-sichuan.gov.cn/ht/1",
    )
    # then the event says it was late, and the flag stays on
    (ev,) = events(c, "contracts.publish")
    assert ev.payload == {"published_on": "2026-11-25", "late": True}
    assert selectors.deadline_flags(c)["publish_overdue"] is True
    assert c.published_on == dt.date(2026, 11, 25)


def test_publication_and_filing_on_time_are_not_flagged(cworld, orgs, personas):
    # given a contract signed on a Friday
    c = _signed_on_friday(cworld, orgs, personas)
    # when it is published on the due Tuesday and filed on the due Tuesday after
    c = services.contract_record_publication(
        contract=c, actor=personas.officer, published_on="2026-11-24"
    )
    c = services.contract_record_filing(
        contract=c, actor=personas.officer, filed_on="2026-12-01", ref="武财备2026-1"
    )
    # then neither is late
    assert events(c, "contracts.publish")[0].payload["late"] is False
    assert events(c, "contracts.file")[0].payload["late"] is False
    flags = selectors.deadline_flags(c)
    assert (flags["publish_overdue"], flags["file_overdue"]) == (False, False)
    assert c.filing_ref == "武财备2026-1"


def test_publication_date_cannot_be_before_signing_or_in_the_future(
    cworld, orgs, personas
):
    # given a contract signed on 2026-11-20
    c = _signed_on_friday(cworld, orgs, personas)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    # when the publication is dated before signing, in the future, or garbled
    for day in ("2026-11-19", tomorrow.isoformat(), "2026-13-01"):
        with pytest.raises(ValidationFailed) as exc:
            services.contract_record_publication(
                contract=c, actor=personas.officer, published_on=day
            )
        # then it is refused on the date field
        assert list(exc.value.fields) == ["published_on"]
    c.refresh_from_db()
    assert c.published_on is None


def test_publication_cannot_be_recorded_twice(make_contract, personas):
    # given a published contract
    c = make_contract()
    today = timezone.localdate()
    services.contract_record_publication(
        contract=c, actor=personas.officer, published_on=today
    )
    # when it is recorded again
    with pytest.raises(TransitionNotAllowed):
        services.contract_record_publication(
            contract=c, actor=personas.officer, published_on=today
        )
    # then there is still one event
    assert len(events(c, "contracts.publish")) == 1


# --- termination and completion --------------------------------------------------


def test_terminate_cancels_open_tranches_and_withdraws_pending_requests(
    make_contract, personas
):
    # given four unconditional tranches: paid, approved, requested and pending,
    # and a pending extension and change
    plan = [
        {"kind": "advance", "share": "25"},
        {"kind": "other", "share": "25"},
        {"kind": "other", "share": "25"},
        {"kind": "final", "share": "25"},
    ]
    c = make_contract(tranches=plan)
    today = timezone.localdate()
    t = {x.number: x for x in c.tranches.all()}
    for n in (1, 2, 3):
        services.payment_tranche_request(tranche=t[n], actor=personas.vendor)
    for n in (1, 2):
        services.payment_tranche_approve(tranche=t[n], actor=personas.officer)
    services.payment_tranche_pay(tranche=t[1], actor=personas.officer, paid_on=today)
    ext = services.extension_request_create(
        contract=c,
        actor=personas.vendor,
        reason="疫情影响",
        requested_end_on=c.end_on + dt.timedelta(days=30),
    )
    ch = services.contract_change_propose(
        contract=c,
        actor=personas.vendor,
        kind="addition",
        reason_code="demand_growth",
        rationale="服务对象增加",
        value_delta="5000",
    )
    # when the officer terminates for breach
    c = services.contract_terminate(
        contract=c,
        actor=personas.officer,
        kind="breach",
        reason="未按约提供服务",
        terminated_on=today,
    )
    # then the paid and approved tranches stay, the others are cancelled
    assert list(c.tranches.order_by("number").values_list("status", flat=True)) == [
        "paid",
        "approved",
        "cancelled",
        "cancelled",
    ]
    # and the pending extension and change are withdrawn
    ext.refresh_from_db()
    ch.refresh_from_db()
    assert (ext.status, ch.status) == ("withdrawn", "withdrawn")
    # and the contract records why, with one event naming the cancelled tranches
    assert (c.status, c.termination_kind, c.terminated_on) == (
        "terminated",
        "breach",
        today,
    )
    (ev,) = events(c, "contracts.terminate")
    assert ev.payload["cancelled_tranches"] == [3, 4]
    assert ev.comment == "未按约提供服务"
    # and what was approved is still owed
    assert selectors.contract_amounts(c)["approved"] == Decimal("50000.00")


def test_terminate_needs_a_kind_and_a_reason(make_contract, personas):
    # given an active contract
    c = make_contract()
    # when the officer terminates without a reason and with an unknown kind
    with pytest.raises(ValidationFailed) as exc:
        services.contract_terminate(
            contract=c,
            actor=personas.officer,
            kind="whim",
            reason=" ",
            terminated_on=timezone.localdate(),
        )
    # then both are named, and the contract is still in force
    assert set(exc.value.fields) == {"kind", "reason"}
    c.refresh_from_db()
    assert c.status == "active"
    assert not c.tranches.filter(status="cancelled").exists()


def test_complete_is_refused_before_the_term_ends(make_contract, personas):
    # given an active contract whose term ends in the future
    c = make_contract()
    before = _counts()
    # when the officer completes it
    with pytest.raises(TransitionNotAllowed) as exc:
        services.contract_complete(contract=c, actor=personas.officer)
    # then it is refused with the reason and nothing was written
    assert "尚未届满" in str(exc.value.message)
    assert _counts() == before
    c.refresh_from_db()
    assert c.status == "active"
    assert c.completed_on is None


def test_complete_after_the_term(make_contract, personas):
    # given an active contract whose term ended yesterday
    today = timezone.localdate()
    c = make_contract(
        start_on=today - dt.timedelta(days=200), end_on=today - dt.timedelta(days=1)
    )
    # when the officer completes it
    c = services.contract_complete(contract=c, actor=personas.officer)
    # then it is completed today, and the event counts the tranches still open
    assert (c.status, c.completed_on) == ("completed", today)
    (ev,) = events(c, "contracts.complete")
    assert ev.payload["open_tranches"] == 3


# --- one event and one feed row per transition ----------------------------------


def test_every_transition_writes_one_event_and_one_feed_row(cworld, orgs, personas):
    # given a contract taken through each transition
    today = timezone.localdate()
    steps = [
        ("create", None),
        (
            "sign",
            lambda c: services.contract_sign_vendor(contract=c, actor=personas.vendor),
        ),
        (
            "countersign",
            lambda c: services.contract_countersign(contract=c, actor=personas.officer),
        ),
        (
            "publish",
            lambda c: services.contract_record_publication(
                contract=c, actor=personas.officer, published_on=today
            ),
        ),
        (
            "file",
            lambda c: services.contract_record_filing(
                contract=c, actor=personas.officer, filed_on=today
            ),
        ),
        (
            "terminate",
            lambda c: services.contract_terminate(
                contract=c,
                actor=personas.officer,
                kind="mutual",
                reason="协商一致",
                terminated_on=today,
            ),
        ),
    ]
    c = services.contract_create_from_award(award=cworld.award, actor=personas.officer)
    done = ["create"]
    for name, step in steps[1:]:
        before_status = c.status
        c = step(c)
        done.append(name)
        # then each step adds exactly one audit event, with from and to states
        (ev,) = events(c, f"contracts.{name}")
        assert (ev.from_state, ev.to_state) == (before_status, c.status)
        assert ev.actor is not None
        assert audit_events_for(c).count() == len(done)
        # and exactly one feed row, whose id is the contract's ETag
        assert _feed(c) == done
        c.refresh_from_db()
        assert (
            c.feed_seq == ContractFeedEntry.objects.filter(contract=c).latest("id").pk
        )
    assert c.status == "terminated"


def test_a_refused_transition_writes_nothing(make_contract, personas):
    # given a draft
    c = make_contract(status="draft")
    before = _counts()
    seq = c.feed_seq
    # when someone without the right tries to sign it
    with pytest.raises(NotPermitted):
        services.contract_sign_vendor(contract=c, actor=personas.other_officer)
    # then no event, no feed row, no ETag change
    assert _counts() == before
    c.refresh_from_db()
    assert c.feed_seq == seq


# --- read-side helpers the pages show ----------------------------------------------


def test_next_obligations_after_a_friday_signing(cworld, orgs, personas):
    # given a contract signed on Friday 2026-11-20, neither published nor filed
    c = _signed_on_friday(cworld, orgs, personas)
    today = timezone.localdate()
    # when its next obligations are listed
    rows = selectors.next_obligations(c)
    # then publication and filing come first, flagged overdue once passed, then the end
    assert [(r["kind"], r["due_on"]) for r in rows] == [
        ("publish", dt.date(2026, 11, 24)),
        ("file", dt.date(2026, 12, 1)),
        ("end", dt.date(2027, 11, 22)),
    ]
    assert [r["overdue"] for r in rows] == [
        dt.date(2026, 11, 24) < today,
        dt.date(2026, 12, 1) < today,
        False,
    ]
    # when it is published
    c = services.contract_record_publication(
        contract=c, actor=personas.officer, published_on="2026-11-24"
    )
    # then publication is no longer listed
    assert "publish" not in [r["kind"] for r in selectors.next_obligations(c)]


def test_contract_progress_counts_only_confirmed_deliveries(make_contract):
    # given 30 confirmed, 10 reported and 5 disputed of A03-05 in 铁佛社区 (target 100)
    c = make_contract()
    row = c.items.get(item__code="A03-05", community__code="D1-S1-C1")
    delivery(row, 30)
    delivery(row, 10, status="reported")
    delivery(row, 5, status="disputed")
    # when the progress is computed
    rows = {
        (r["item_code"], r["community_id"]): r for r in selectors.contract_progress(c)
    }
    # then that row shows 30 delivered (30.0 %), 10 awaiting, 5 disputed
    r = rows[("A03-05", row.community_id)]
    assert (r["target"], r["delivered"], r["awaiting"], r["disputed"]) == (
        100,
        30,
        10,
        5,
    )
    assert r["pct"] == Decimal("30.0")
    # and the other five rows have nothing delivered
    assert len(rows) == 6
    assert sum(x["delivered"] for x in rows.values()) == 30
