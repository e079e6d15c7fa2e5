"""Procurement services: each rule refused with its reason, nothing half-saved, and
the sealed bids really sealed in storage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from procurement import services
from procurement.choices import BidStatus, LotStatus, NoticeKind, ProjectStatus
from procurement.models import Bid, BidFile, BidLot, Notice, ProcurementProject
from tests.factories import ServiceItemFactory

from .conftest import DAY0, PRICES, at, finished_document, project_data


def _lot(world, **kw):
    lot = {
        "name": "困难群众服务",
        "budget": "800000.00",
        "budget_source": "fiscal",
        "communities": [c.pk for c in world.communities],
        "items": [i.pk for i in world.items],
    }
    lot.update(kw)
    return lot


def _create(personas, world, **overrides):
    return services.project_create(
        actor=personas.officer,
        buyer=personas.officer.active_memberships()[0].organisation,
        data=project_data(world, **overrides),
        on=DAY0,
    )


def _errors(exc_info) -> dict:
    return {k: " ".join(str(m) for m in v) for k, v in exc_info.value.fields.items()}


# --- the project -----------------------------------------------------------------------


def test_prohibited_item_is_refused_with_its_reason(personas, world, catalogue, orgs):
    prohibited = catalogue.published.items.get(code="A08-07")
    with pytest.raises(ValidationFailed) as exc:
        _create(
            personas,
            world,
            lots=[_lot(world, items=[world.items[0].pk, prohibited.pk])],
        )
    assert "A08-07" in _errors(exc)["lots.1.items"]
    assert "不得购买" in _errors(exc)["lots.1.items"]
    assert not ProcurementProject.objects.exists()


def test_aux_only_item_whose_deliverable_is_the_decision_is_refused(
    personas, world, catalogue
):
    item = ServiceItemFactory(
        version=catalogue.published,
        domain=world.items[0].domain,
        code="A03-09",
        aux_only=True,
        name="临时救助审批",
    )
    item.deliverable = "临时救助审批决定书"
    item.save()
    with pytest.raises(ValidationFailed) as exc:
        _create(personas, world, lots=[_lot(world, items=[item.pk])])
    assert "A03-09" in _errors(exc)["lots.1.items"]


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("", "预算"),
        ("0", "大于零"),
        ("-5", "大于零"),
        ("100.001", "两位小数"),
        ("abc", "有效"),
    ],
)
def test_a_lot_without_a_real_budget_is_refused(personas, world, budget, message):
    with pytest.raises(ValidationFailed) as exc:
        _create(personas, world, lots=[_lot(world, budget=budget)])
    assert message in _errors(exc)["lots.1.budget"]
    assert not ProcurementProject.objects.exists()


def test_method_comes_from_the_rules_with_its_reasons(personas, world):
    # ¥2.5m reaches Sichuan's open-tender threshold (¥2m): tender is required (PM-02).
    with pytest.raises(ValidationFailed) as exc:
        _create(
            personas, world, method="cuoshang", lots=[_lot(world, budget="2500000.00")]
        )
    assert "PM-02" in _errors(exc)["method"]
    project = _create(
        personas,
        world,
        method="",
        price_weight="30",
        lots=[_lot(world, budget="2500000.00")],
    )
    assert project.method == "tender"
    assert "¥2,000,000.00" in project.method_reasons[0]


def test_bixuan_below_the_limit_and_warned_above_it(personas, world):
    small = _create(
        personas,
        world,
        method="",
        price_weight="30",
        lots=[_lot(world, budget="200000.00")],
    )
    assert small.method == "bixuan"
    assert "PM-11" in small.method_reasons[0]
    other_items = [
        ServiceItemFactory(
            version=world.items[0].version, domain=world.items[0].domain, code="A03-20"
        ).pk
    ]
    big = _create(
        personas,
        world,
        method="bixuan",
        lots=[_lot(world, budget="500000.00", items=other_items)],
    )
    assert any("PM-11" in w for w in big.method_warnings)


def test_price_weight_outside_the_method_band_is_refused(personas, world):
    with pytest.raises(ValidationFailed) as exc:
        _create(
            personas,
            world,
            price_weight="40",
            criteria=[{"code": "plan", "name": "方案", "weight": "60"}],
        )
    assert "10" in _errors(exc)["price_weight"]
    assert "30" in _errors(exc)["price_weight"]


def test_criteria_must_add_up_to_100_with_the_price(personas, world):
    with pytest.raises(ValidationFailed) as exc:
        _create(
            personas, world, criteria=[{"code": "plan", "name": "方案", "weight": "50"}]
        )
    assert "100" in _errors(exc)["criteria"]


def test_three_year_term_only_when_stated(personas, world):
    with pytest.raises(ValidationFailed) as exc:
        _create(personas, world, term_years=3)
    assert "CT-04" in _errors(exc)["term_years"]
    project = _create(personas, world, term_years=3, multi_year_stated=True)
    assert project.term_years == 3
    assert project.multi_year_stated


def test_splitting_the_same_items_under_the_threshold_is_refused(personas, world):
    _create(personas, world, lots=[_lot(world, budget="1500000.00")])
    with pytest.raises(ValidationFailed) as exc:
        _create(
            personas,
            world,
            lots=[_lot(world, budget="600000.00", items=[world.items[0].pk])],
        )
    assert "PM-03" in _errors(exc)["method"]
    assert ProcurementProject.objects.count() == 1


def test_sme_exemption_needs_a_reason_and_bond_is_capped(personas, world):
    with pytest.raises(ValidationFailed) as exc:
        _create(
            personas,
            world,
            sme_exemption=True,
            sme_exemption_reason="",
            bid_bond="20000",
        )
    errors = _errors(exc)
    assert "SME-04" in errors["sme_exemption_reason"]
    assert "BD-01" in errors["bid_bond"]  # 2 % of 800,000 is 16,000


def test_only_the_buyer_street_may_buy(personas, world, orgs):
    with pytest.raises(NotPermitted):
        services.project_create(
            actor=personas.other_officer,
            buyer=orgs.s1,
            data=project_data(world),
            on=DAY0,
        )
    with pytest.raises(NotPermitted):
        services.project_create(
            actor=personas.vendor, buyer=orgs.s1, data=project_data(world), on=DAY0
        )


def test_communities_must_belong_to_the_buyer(personas, world, orgs):
    with pytest.raises(ValidationFailed) as exc:
        _create(personas, world, lots=[_lot(world, communities=[orgs.c2.pk])])
    assert "lots.1.communities" in exc.value.fields


# --- announcing ------------------------------------------------------------------------


def test_announce_needs_a_document_and_the_intention_30_days_ahead(flow, personas):
    project = flow.create()
    with pytest.raises(Conflict) as exc:
        services.project_announce(
            actor=personas.officer,
            project=project,
            bid_deadline=at(DAY0 + dt.timedelta(days=60)),
            on=DAY0 + dt.timedelta(days=31),
        )
    assert exc.value.code == "no_document"
    finished_document(project)
    services.project_publish_intention(actor=personas.officer, project=project, on=DAY0)
    with pytest.raises(ValidationFailed) as exc:
        services.project_announce(
            actor=personas.officer,
            project=project,
            bid_deadline=at(DAY0 + dt.timedelta(days=60)),
            on=DAY0 + dt.timedelta(days=10),
        )
    assert "TL-01" in _errors(exc)["intention"]
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert not Notice.objects.filter(kind=NoticeKind.CUOSHANG).exists()


def test_cuoshang_deadline_at_least_ten_days_after_the_documents(flow, personas):
    project = flow.create()
    finished_document(project)
    services.project_publish_intention(actor=personas.officer, project=project, on=DAY0)
    start = DAY0 + dt.timedelta(days=31)
    with pytest.raises(ValidationFailed) as exc:
        services.project_announce(
            actor=personas.officer,
            project=project,
            bid_deadline=at(start + dt.timedelta(days=7)),
            on=start,
        )
    assert "TL-07" in _errors(exc)["bid_deadline"]
    project = services.project_announce(
        actor=personas.officer,
        project=project,
        bid_deadline=at(start + dt.timedelta(days=14)),
        on=start,
    )
    assert project.status == ProjectStatus.ANNOUNCED
    # documents are on offer at least 5 working days
    assert project.documents_until >= start + dt.timedelta(days=7)


def test_a_correction_that_affects_bids_moves_a_deadline_that_is_too_close(
    flow, personas
):
    flow.create()
    flow.announce()
    deadline = flow.deadline
    on = deadline.date() - dt.timedelta(days=2)
    project = services.project_correct(
        actor=personas.officer,
        project=flow.project,
        body="服务范围增加簇桥社区",
        affects_bids=True,
        on=on,
        now=at(on),
    )
    assert project.bid_deadline.date() >= on + dt.timedelta(days=5)
    assert (
        project.bid_deadline.time()
        == deadline.astimezone(project.bid_deadline.tzinfo).time()
    )
    notice = Notice.objects.get(kind=NoticeKind.CORRECTION)
    assert "顺延" in notice.body
    # a change that does not affect bids leaves it
    same = services.project_correct(
        actor=personas.officer,
        project=project,
        body="更正联系人电话",
        affects_bids=False,
        on=on,
        now=at(on),
    )
    assert same.bid_deadline == project.bid_deadline


# --- bids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("0", "大于零"),
        ("-1", "大于零"),
        ("1000.005", "两位小数"),
        ("800000.01", "最高限价"),
        ("一百万", "有效"),
        ("NaN", "有效"),
    ],
)
def test_bad_prices_are_refused_with_the_lot_named(flow, world, price, message):
    flow.create()
    flow.announce()
    lot = flow.project.lots.get()
    with pytest.raises(ValidationFailed) as exc:
        flow.bid(world.bidders[0], price)
    assert message in _errors(exc)[f"prices.{lot.pk}"]
    assert not Bid.objects.exists()


def test_declarations_and_response_are_required(flow, world):
    flow.create()
    flow.announce()
    with pytest.raises(ValidationFailed) as exc:
        flow.bid(
            world.bidders[0],
            "700000",
            declare_no_conflict=False,
            declare_credit=False,
            technical_response="",
        )
    assert {"declare_no_conflict", "declare_credit", "technical_response"} <= set(
        exc.value.fields
    )


def test_a_bid_after_the_deadline_is_refused(flow, world):
    flow.create()
    flow.announce()
    with pytest.raises(Conflict) as exc:
        flow.bid(world.bidders[0], "700000", now=flow.deadline)
    assert exc.value.code == "deadline_passed"
    assert not Bid.objects.exists()


def test_only_the_vendors_own_staff_bid(flow, world, personas):
    flow.create()
    flow.announce()
    with pytest.raises(NotPermitted):
        services.bid_submit(
            actor=personas.officer,
            project=flow.project,
            vendor=world.bidders[0],
            data={},
            now=flow.deadline - dt.timedelta(days=1),
        )


def test_sealed_bid_is_stored_without_plaintext(flow, world):
    flow.create()
    flow.announce()
    pdf = SimpleUploadedFile(
        "服务方案.pdf", b"%PDF-1.4 secret plan 7654321", content_type="application/pdf"
    )
    lot = flow.project.lots.get()
    bid = services.bid_submit(
        actor=world.staff[world.bidders[0].pk],
        project=flow.project,
        vendor=world.bidders[0],
        data={
            "prices": {str(lot.pk): "765432.10"},
            "technical_response": "独家服务方案ZX#7",
            "declare_no_conflict": True,
            "declare_credit": True,
        },
        files=[pdf],
        now=flow.deadline - dt.timedelta(days=1),
    )
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM procurement_bid WHERE id = %s", [bid.pk])
        row = " ".join(str(v) for v in cur.fetchone())
    # Markers that ciphertext (URL-safe base64) cannot contain by chance: a plain "ZX"
    # turned up in random Fernet output about one run in ten.
    for secret in ("765432", "765,432", "独家服务方案", "ZX#7"):
        assert secret not in row
    assert not BidLot.objects.exists()
    stored = BidFile.objects.get(bid=bid)
    assert b"secret plan" not in stored.blob.read()
    assert "服务方案" not in stored.sealed_name
    assert "pdf" not in stored.blob.name


def test_resubmitting_replaces_and_withdrawal_stops_at_the_deadline(flow, world):
    flow.create()
    flow.announce()
    first = flow.bid(world.bidders[0], "700000")
    second = flow.bid(world.bidders[0], "690000")
    first.refresh_from_db()
    assert first.status == BidStatus.REPLACED
    assert second.status == BidStatus.SUBMITTED
    staff = world.staff[world.bidders[0].pk]
    with pytest.raises(Conflict):
        services.bid_withdraw(actor=staff, bid=second, now=flow.deadline)
    services.bid_withdraw(
        actor=staff, bid=second, now=flow.deadline - dt.timedelta(hours=1)
    )
    second.refresh_from_db()
    assert second.status == BidStatus.WITHDRAWN


def test_a_vendor_that_drafted_the_requirements_cannot_bid(flow, world):
    flow.create(drafted_by=[world.bidders[3].pk])
    flow.announce()
    with pytest.raises(ValidationFailed) as exc:
        flow.bid(world.bidders[3], "700000")
    assert "CR-07" in str(exc.value)


# --- opening and qualification ---------------------------------------------------------


def test_opening_before_the_deadline_is_refused(flow, world, personas):
    flow.create()
    flow.announce()
    flow.bid(world.bidders[0], "700000")
    with pytest.raises(Conflict):
        services.project_open(
            actor=personas.officer,
            project=flow.project,
            now=flow.deadline - dt.timedelta(seconds=1),
        )
    assert not BidLot.objects.exists()


def test_opening_reveals_prices_and_records_the_opening(flow, world):
    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    flow.open()
    assert sorted(BidLot.objects.values_list("price", flat=True)) == sorted(PRICES)
    bid = Bid.objects.get(vendor=world.bidders[0])
    assert bid.technical_response.endswith("的服务方案")
    from core.events import audit_events_for

    record = (
        audit_events_for(flow.project).get(action="procurement.open").payload["record"]
    )
    assert len(record) == 3
    assert all("prices" in r and "bond" in r for r in record)


def test_same_responsible_person_disqualifies_both(flow, world):
    world.bidders[1].legal_representative = world.bidders[0].legal_representative
    world.bidders[1].save()
    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:4], [*PRICES, Decimal("720000")], strict=True):
        flow.bid(v, price)
    flow.open()
    flow.qualify_all()
    a, b = (Bid.objects.get(vendor=v) for v in world.bidders[:2])
    assert a.status == b.status == BidStatus.DISQUALIFIED
    assert "CR-07" in a.qualification["reasons"][0]["rule"]


def test_tender_with_fewer_than_three_qualified_fails_with_reasons(
    flow, world, personas
):
    flow.create(
        method="tender", price_weight="30", lots=[_lot(world, budget="2500000.00")]
    )
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    flow.open()
    project = flow.qualify_all(failing=[world.bidders[2]])
    assert project.status == ProjectStatus.FAILED
    assert "SUP-01" in project.outcome_reason
    notice = Notice.objects.get(kind=NoticeKind.FAILURE)
    assert world.bidders[2].organisation.name in notice.body
    # restarting makes a new draft with the same items
    new = services.project_restart(
        actor=personas.officer, project=project, on=DAY0 + dt.timedelta(days=90)
    )
    assert new.status == ProjectStatus.DRAFT
    assert new.restarted_from == project
    assert set(new.lots.get().items.values_list("item_id", flat=True)) == {
        i.pk for i in world.items
    }


@pytest.mark.parametrize(
    ("qualified", "continue_with_fewer", "status"),
    [
        (2, True, ProjectStatus.EVALUATING),
        (2, False, ProjectStatus.TERMINATED),
        (1, True, ProjectStatus.TERMINATED),
    ],
)
def test_cuoshang_supplier_count_outcomes(
    flow, world, qualified, continue_with_fewer, status, personas
):
    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    flow.open()
    failing = world.bidders[qualified:3]
    on = flow.deadline.date()
    for bid in flow.project.bids.all():
        met = bid.vendor not in failing
        services.bid_qualify(
            actor=personas.officer,
            bid=bid,
            on=on,
            conditions={"1": {"met": met, "note": "" if met else "无场所"}},
        )
    project = services.project_close_qualification(
        actor=personas.officer,
        project=flow.project,
        continue_with_fewer=continue_with_fewer,
        on=on,
    )
    assert project.status == status
    if status == ProjectStatus.TERMINATED:
        assert Notice.objects.filter(kind=NoticeKind.TERMINATION).exists()
        assert project.lots.get().status == LotStatus.FAILED


def test_qualification_names_each_undecided_condition(flow, world, personas):
    flow.create()
    flow.announce()
    flow.bid(world.bidders[0], "700000")
    flow.open()
    bid = Bid.objects.get()
    with pytest.raises(ValidationFailed) as exc:
        services.bid_qualify(
            actor=personas.officer, bid=bid, conditions={}, on=flow.deadline.date()
        )
    assert "conditions.1" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.bid_qualify(
            actor=personas.officer,
            bid=bid,
            conditions={"1": {"met": False, "note": ""}},
            on=flow.deadline.date(),
        )


# --- committee -------------------------------------------------------------------------


def test_draw_is_reproducible_and_passes_over_conflicted_experts(flow, world, personas):
    from vendors.models import RelatedPerson

    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    expert = world.experts[3]
    RelatedPerson.objects.create(
        vendor=world.bidders[1], name=str(expert), role="director"
    )
    members = services.committee_draw(
        actor=personas.officer,
        project=flow.project,
        experts=8,
        buyer_representatives=[personas.officer],
        seed="abc",
        now=flow.deadline,
    )
    users = {m.user for m in members}
    assert expert not in users
    assert len(users) == 9
    from core.events import audit_events_for

    payload = (
        audit_events_for(flow.project).get(action="procurement.draw_committee").payload
    )
    assert payload["seed"] == "abc"
    assert payload["passed_over"][0]["user"] == expert.pk


@pytest.mark.parametrize(("experts", "message"), [(1, "单数"), (3, "单数")])
def test_committee_that_breaks_the_rules_is_refused(
    flow, world, personas, experts, message
):
    flow.create()
    flow.announce()
    with pytest.raises(ValidationFailed) as exc:
        services.committee_draw(
            actor=personas.officer,
            project=flow.project,
            experts=experts,
            buyer_representatives=[personas.officer],
            seed="x",
        )
    assert message in _errors(exc)["experts"]
    assert not flow.project.committee.exists()


def test_tender_committee_needs_five_with_two_thirds_experts(
    flow, world, personas, orgs
):
    from accounts.choices import Role
    from tests.factories import user_with_role

    flow.create(
        method="tender", price_weight="30", lots=[_lot(world, budget="2500000.00")]
    )
    flow.announce()
    reps = [
        personas.officer,
        user_with_role(Role.STREET_OFFICER, orgs.s1, username="rep2"),
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.committee_draw(
            actor=personas.officer,
            project=flow.project,
            experts=3,
            buyer_representatives=reps,
            seed="x",
        )
    assert "三分之二" in _errors(exc)["experts"]
    members = services.committee_draw(
        actor=personas.officer,
        project=flow.project,
        experts=4,
        buyer_representatives=reps[:1],
        seed="x",
    )
    assert len(members) == 5


def test_a_member_who_declares_a_conflict_cannot_score_and_is_replaced(
    flow, world, personas
):
    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    members = services.committee_draw(
        actor=personas.officer,
        project=flow.project,
        experts=2,
        buyer_representatives=[personas.officer],
        seed="s",
        now=flow.deadline,
    )
    conflicted = members[0]
    services.member_declare(
        actor=conflicted.user, member=conflicted, conflict=True, text="曾在同行任职"
    )
    new = services.member_replace(actor=personas.officer, member=conflicted, seed="r")
    assert new.user != conflicted.user
    assert new.is_chair
    conflicted.refresh_from_db()
    assert conflicted.status == "replaced"
    assert conflicted.replaced_by == new


# --- scoring, award and challenge ------------------------------------------------------


def _to_evaluating(flow, world):
    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    flow.committee()
    flow.open()
    flow.qualify_all()


def test_scores_out_of_range_are_refused(flow, world):
    _to_evaluating(flow, world)
    lot = flow.project.lots.get()
    member = flow.project.committee.first()
    bid = services.scorable_bids(lot)[0].bid
    with pytest.raises(ValidationFailed) as exc:
        services.sheet_save(
            actor=member.user,
            lot=lot,
            scores={str(bid.pk): {"plan": "41", "team": "-1", "record": "5.555"}},
        )
    errors = _errors(exc)
    assert "0–40" in errors[f"scores.{bid.pk}.plan"]
    assert f"scores.{bid.pk}.team" in errors
    assert f"scores.{bid.pk}.record" in errors


def test_a_submitted_sheet_cannot_change_and_a_non_member_cannot_score(
    flow, world, personas
):
    _to_evaluating(flow, world)
    lot = flow.project.lots.get()
    member = flow.project.committee.first()
    scores = {
        str(bl.bid_id): {"plan": "30", "team": "15", "record": "10"}
        for bl in services.scorable_bids(lot)
    }
    services.sheet_save(actor=member.user, lot=lot, scores=scores, submit=True)
    with pytest.raises(Conflict):
        services.sheet_save(actor=member.user, lot=lot, scores=scores, submit=True)
    with pytest.raises(NotPermitted):
        services.sheet_save(actor=personas.admin, lot=lot, scores=scores)


def test_objective_disagreement_holds_the_evaluation_until_returned(
    flow, world, personas
):
    _to_evaluating(flow, world)
    project = flow.score_all(
        points=lambda i, bid: {"plan": "30", "team": "15", "record": "10" if i else "8"}
    )
    assert project.status == ProjectStatus.EVALUATING
    lot = project.lots.get()
    assert lot.evaluation["disagreements"]
    with pytest.raises(ValidationFailed):
        services.sheets_return(
            actor=personas.officer,
            project=project,
            members=list(project.committee.all()),
            case="price_too_high",
        )
    first = project.committee.order_by("pk").first()
    services.sheets_return(
        actor=personas.officer,
        project=project,
        members=[first],
        case="objective_inconsistent",
    )
    scores = {
        str(bl.bid_id): {"plan": "30", "team": "15", "record": "10"}
        for bl in services.scorable_bids(lot)
    }
    services.sheet_save(actor=first.user, lot=lot, scores=scores, submit=True)
    project.refresh_from_db()
    assert project.status == ProjectStatus.EVALUATED


def test_award_needs_every_signature_then_publishes_with_expert_names(
    flow, world, personas
):
    _to_evaluating(flow, world)
    flow.score_all()
    with pytest.raises(Conflict) as exc:
        flow.award()
    assert exc.value.code == "report_unsigned"
    member = flow.project.committee.first()
    with pytest.raises(ValidationFailed):
        services.report_sign(
            actor=member.user, project=flow.project, agrees=False, dissent=""
        )
    flow.sign_all()
    project = flow.award()
    assert project.status == ProjectStatus.AWARDED
    notice = Notice.objects.get(kind=NoticeKind.AWARD)
    assert notice.data["winners"][0]["vendor"] == world.bidders[1].organisation.name
    assert len(notice.data["experts"]) == 2
    # losing bidders hear their own score and rank (TL-12)
    from accounts.models import Notification

    loser_staff = world.staff[world.bidders[2].pk]
    note = Notification.objects.get(user=loser_staff, verb="procurement.award")
    assert "排名第 3 / 3" in note.body


def test_challenge_window_and_finality(flow, world, personas):
    _to_evaluating(flow, world)
    flow.score_all()
    flow.sign_all()
    project = flow.award()
    award = project.lots.get().awards.get()
    loser = world.bidders[2]
    staff = world.staff[loser.pk]
    with pytest.raises(Conflict):
        services.award_finalise(
            actor=personas.officer, project=project, on=award.challenge_until
        )
    challenge = services.challenge_file(
        actor=staff,
        project=project,
        vendor=loser,
        grounds="评分不公",
        now=at(award.challenge_until),
    )
    with pytest.raises(Conflict) as exc:
        services.award_finalise(
            actor=personas.officer,
            project=project,
            on=award.challenge_until + dt.timedelta(days=1),
        )
    assert exc.value.code == "challenge_open"
    services.challenge_answer(
        actor=personas.officer,
        challenge=challenge,
        reply="经复核评分无误",
        upheld=False,
    )
    late = award.challenge_until + dt.timedelta(days=1)
    with pytest.raises(Conflict) as exc:
        services.challenge_file(
            actor=staff, project=project, vendor=loser, grounds="再次质疑", now=at(late)
        )
    assert exc.value.code == "challenge_window_closed"
    project = services.award_finalise(actor=personas.officer, project=project, on=late)
    assert project.status == ProjectStatus.FINAL
    assert project.lots.get().awards.get().status == "final"


def test_a_vendor_that_did_not_bid_cannot_challenge(flow, world, personas):
    _to_evaluating(flow, world)
    flow.score_all()
    flow.sign_all()
    project = flow.award()
    outsider = world.bidders[3]
    with pytest.raises(NotPermitted):
        services.challenge_file(
            actor=world.staff[outsider.pk],
            project=project,
            vendor=outsider,
            grounds="x",
            now=at(flow.deadline.date() + dt.timedelta(days=2)),
        )


def test_wrong_state_is_a_transition_error(flow, personas):
    project = flow.create()
    with pytest.raises(TransitionNotAllowed):
        services.project_open(actor=personas.officer, project=project)
    with pytest.raises(TransitionNotAllowed):
        services.project_award(actor=personas.officer, project=project)


def test_daily_task_finalises_awards_whose_window_has_closed(
    flow, world, personas, monkeypatch
):
    from django.utils import timezone

    from procurement.tasks import finalise_due_awards_task

    _to_evaluating(flow, world)
    flow.score_all()
    flow.sign_all()
    project = flow.award()
    until = project.lots.get().awards.get().challenge_until
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: until)
    assert finalise_due_awards_task() == 0
    monkeypatch.setattr(
        timezone, "localdate", lambda *a, **k: until + dt.timedelta(days=1)
    )
    assert finalise_due_awards_task() == 1
    project.refresh_from_db()
    assert project.status == ProjectStatus.FINAL


def test_department_staff_read_their_street_projects_only(flow, personas, orgs):
    from accounts.choices import Role
    from procurement.selectors import project_list_for_user
    from tests.factories import OrganisationFactory, user_with_role

    project = flow.create()
    assert list(project_list_for_user(personas.dept)) == [project]
    other_dept = OrganisationFactory(
        code="D1-S2-D1", name="玉林社区发展科", kind="department", parent=orgs.s2
    )
    assert (
        list(
            project_list_for_user(
                user_with_role(Role.DEPARTMENT_STAFF, other_dept, username="d2")
            )
        )
        == []
    )
    # reading is not buying
    from procurement.permissions import can_manage_project

    assert not can_manage_project(personas.dept, project)


def test_tender_with_two_qualified_goes_on_only_with_the_finance_approval(
    flow, world, personas
):
    flow.create(
        method="tender", price_weight="30", lots=[_lot(world, budget="2500000.00")]
    )
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)
    flow.open()
    on = flow.deadline.date()
    for bid in flow.project.bids.all():
        met = bid.vendor != world.bidders[2]
        services.bid_qualify(
            actor=personas.officer,
            bid=bid,
            on=on,
            conditions={"1": {"met": met, "note": "" if met else "无场所"}},
        )
    with pytest.raises(ValidationFailed) as exc:
        services.project_close_qualification(
            actor=personas.officer,
            project=flow.project,
            continue_with_fewer=True,
            on=on,
        )
    assert "SUP-04" in _errors(exc)["approval"]
    flow.project.refresh_from_db()
    assert flow.project.status == ProjectStatus.OPENED
    project = services.project_close_qualification(
        actor=personas.officer,
        project=flow.project,
        continue_with_fewer=True,
        approval="武财采〔2026〕12号",
        on=on,
    )
    assert project.status == ProjectStatus.EVALUATING
    from core.events import audit_events_for

    event = audit_events_for(project).get(action="procurement.close_qualification")
    assert event.payload["approval"] == "武财采〔2026〕12号"


def test_finalise_is_not_offered_during_the_challenge_window(
    flow, world, personas, monkeypatch
):
    from django.utils import timezone

    from procurement.workflows import allowed_actions

    _to_evaluating(flow, world)
    flow.score_all()
    flow.sign_all()
    project = flow.award()
    until = project.lots.get().awards.get().challenge_until
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: until)
    assert "finalise" not in allowed_actions(personas.officer, project)
    monkeypatch.setattr(
        timezone, "localdate", lambda *a, **k: until + dt.timedelta(days=1)
    )
    assert "finalise" in allowed_actions(personas.officer, project)
    # a challenge filed on the last day holds the award past the window (TL-20)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: until)
    services.challenge_file(
        actor=world.staff[world.bidders[2].pk],
        project=project,
        vendor=world.bidders[2],
        grounds="评分不公",
        now=at(until),
    )
    monkeypatch.setattr(
        timezone, "localdate", lambda *a, **k: until + dt.timedelta(days=1)
    )
    assert "finalise" not in allowed_actions(personas.officer, project)
