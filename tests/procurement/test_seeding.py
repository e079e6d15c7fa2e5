"""The demo procurements, seeded through the services into an empty database from the
real seed files: the March 2015 簇锦 re-tender completed as seed 000 tells it, and a
current-year 竞争性磋商 whose bids are still sealed; a second run changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.seeding import DEMO_USERS, seed_organisations
from catalogue.rules import add_calendar_days, rule_value
from catalogue.seeding import seed_reference_data
from core.models import AuditEvent, Job, JobStatus
from procurement import seeding
from procurement.choices import (
    AwardStatus,
    BidStatus,
    MemberRole,
    NoticeKind,
    ProjectStatus,
)
from procurement.models import (
    Award,
    Bid,
    BidLot,
    CommitteeMember,
    Notice,
    ProcurementProject,
    ScoreSheet,
    TenderDocument,
)
from procurement.sealing import unseal_json
from vendors.eligibility import vendor_check_eligibility
from vendors.models import EligibilityDocument
from vendors.seeding import seed_incubation, seed_vendors

pytestmark = pytest.mark.slow  # renders two tender documents


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, media):
    # The module's seeded world keeps its rendered PDFs for every test.
    settings.MEDIA_ROOT = media
    return media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media):
    """Seeded once for the module (two PDFs take a while), rolled back at its end."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        # given: the reference data and the register as `manage.py demo` loads them,
        # without the demo accounts: the seed brings the ones it acts through
        seed_organisations()
        seed_reference_data()
        seed_vendors()
        seed_incubation()
        # when: the procurements are seeded
        created = seeding.seed_procurement()
        yield created
        transaction.set_rollback(True)


@pytest.fixture
def seeded(world, db):
    # Each test runs in a savepoint inside the module's transaction.
    return world


def retender() -> ProcurementProject:
    return ProcurementProject.objects.get(
        buyer__code=seeding.CUJIN_CODE, fiscal_year=2015
    )


def cuoshang() -> ProcurementProject:
    return ProcurementProject.objects.get(buyer__code=seeding.YULIN_CODE)


def test_the_2015_cujin_retender_ends_as_the_seed_tells_it(seeded):
    assert seeded == 2
    project = retender()
    # an open tender of 簇锦街道办事处, final
    assert project.buyer.name == "簇锦街道办事处"
    assert project.district.code == "CN-51-01-07"
    assert project.method == "tender"
    assert project.status == ProjectStatus.FINAL
    assert "PM-02" in project.method_reasons[0]
    # one lot: the 135 buyable items of the 139, for every community of the street
    lot = project.lots.get()
    assert lot.items.count() == 135
    assert project.catalogue_version.items.count() == 139
    assert "139项" in project.description
    assert "4项" in project.description
    assert set(lot.communities.all()) == set(
        Organisation.objects.filter(parent=project.buyer, kind="community")
    )
    assert lot.budget == Decimal("2400000.00")
    # five bids, three qualified, the two others with their reasons
    bids = list(project.bids.select_related("vendor__organisation"))
    assert len(bids) == 5
    qualified = [b for b in bids if b.status == BidStatus.QUALIFIED]
    failed = [b for b in bids if b.status == BidStatus.DISQUALIFIED]
    assert len(qualified) == 3
    assert len(failed) == 2
    assert all(b.qualification["reasons"] for b in failed)
    # the qualification is honest: the vendors eligibility service on the opening day
    opened_on = timezone.localdate(project.opened_at)
    for b in qualified:
        assert vendor_check_eligibility(b.vendor, opened_on).eligible, b.vendor
    by_name = {b.vendor.organisation.name: b for b in failed}
    condition = by_name["武侯区簇桥嘉和助残服务中心"]
    assert vendor_check_eligibility(condition.vendor, opened_on).eligible
    assert "不符合资格条件" in condition.qualification["reasons"][0]["reason"]
    lapsed = by_name["成都锦宜物业管理有限公司"]
    assert not vendor_check_eligibility(lapsed.vendor, opened_on).eligible
    assert {r["rule"] for r in lapsed.qualification["reasons"]} == {"GPS-06"}
    # 同行 ranks first and wins at ¥2,379,000; the award is final
    rows = lot.evaluation["rows"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert rows[0]["vendor"] == "成都市同行社会工作服务中心"
    award = Award.objects.get(lot=lot)
    assert award.bid.vendor.organisation.code == "CN-51-01-07-V0001"
    assert award.amount == Decimal("2379000.00")
    assert award.status == AwardStatus.FINAL
    assert timezone.localdate(award.final_at) > award.challenge_until
    assert award.final_at.year == 2015  # the seed's history, not today
    # a committee of five: four drawn experts and the buyer's representative
    members = list(project.committee.select_related("user"))
    assert len(members) == 5
    experts = [m for m in members if m.role == MemberRole.EXPERT]
    assert len(experts) == 4
    assert all(m.drawn for m in experts)
    assert project.committee_seed == seeding.COMMITTEE_SEED
    assert all(m.signed_at and m.agrees for m in members)
    assert ScoreSheet.objects.filter(lot=lot, status="submitted").count() == 5
    # the award notice names the experts
    notice = Notice.objects.get(project=project, kind=NoticeKind.AWARD)
    for m in experts:
        assert str(m.user) in notice.body
    assert "¥2,379,000.00" in notice.body


def test_the_2015_dates_follow_the_rules_then_in_force(seeded):
    project = retender()
    district = project.district
    announced = project.notice_published_on
    assert project.intention_published_on is None  # TL-01 applies from 2022
    assert announced.year == 2015
    assert announced.month == 3
    deadline = timezone.localdate(project.bid_deadline)
    days = rule_value("deadline.tender.bid_preparation", district, announced)
    assert deadline >= add_calendar_days(announced, int(days))  # TL-04
    assert project.opened_at == project.bid_deadline
    assert timezone.localdate(project.evaluated_at) == deadline
    award = Award.objects.get(lot__project=project)
    assert timezone.localdate(award.confirmed_at).year == 2015
    budget = project.lots.get().budget
    assert budget >= Decimal(
        str(rule_value("threshold.open_tender.services", district, announced))
    )


def test_the_2015_tender_document_was_rendered_before_the_notice(seeded):
    project = retender()
    doc = TenderDocument.objects.select_related("job").get(project=project)
    assert doc.version == 1
    assert doc.job.status == JobStatus.DONE
    assert doc.job.file
    with doc.job.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    notice = Notice.objects.get(project=project, kind=NoticeKind.TENDER)
    assert notice.data["document_version"] == 1


def test_the_current_cuoshang_is_announced_with_its_bids_sealed(seeded):
    project = cuoshang()
    today = timezone.localdate()
    district = project.district
    assert project.fiscal_year == today.year
    assert project.method == "cuoshang"
    assert project.status == ProjectStatus.ANNOUNCED
    # a budget within the government-procurement band below open tender
    budget = project.lots.get().budget
    low = rule_value("threshold.decentralised.services", district, today)
    high = rule_value("threshold.open_tender.services", district, today)
    assert Decimal(str(low)) <= budget < Decimal(str(high))
    # the intention came at least the required days before the notice (TL-01)
    ahead = rule_value("deadline.intention.publish_ahead", district, today)
    assert project.intention_published_on is not None
    assert (
        add_calendar_days(project.intention_published_on, int(ahead))
        <= project.notice_published_on
    )
    assert project.bid_deadline > timezone.now()
    assert project.documents.get().job.status == JobStatus.DONE
    # three bids, sealed: nothing opened, no price row, no plain price anywhere
    bids = list(project.bids.all())
    assert len(bids) == 3
    assert {b.status for b in bids} == {BidStatus.SUBMITTED}
    assert project.opened_at is None
    assert not BidLot.objects.filter(bid__project=project).exists()
    prices = {s["vendor"]: s["price"] for s in seeding.CUOSHANG_BIDS}
    for b in bids:
        price = prices[b.vendor.organisation.code]
        digits = price.split(".")[0]
        assert digits not in b.sealed_content
        assert b.technical_response == ""
        assert b.bond_amount is None
        # the price is there, under the seal
        assert unseal_json(b.sealed_content)["prices"] == {
            str(project.lots.get().pk): price
        }
    for digits in (p.split(".")[0] for p in prices.values()):
        assert not Notice.objects.filter(body__contains=digits).exists()
        assert not any(
            digits in str(e.payload)
            for e in AuditEvent.objects.filter(action__startswith="procurement.")
        )
    # the demo vendor account bid for 同行
    tongxing = next(
        b for b in bids if b.vendor.organisation.code == "CN-51-01-07-V0001"
    )
    assert tongxing.submitted_by == User.objects.get(username="vendor")


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (
            ProcurementProject,
            Bid,
            BidLot,
            Notice,
            CommitteeMember,
            ScoreSheet,
            Award,
            TenderDocument,
            Job,
            EligibilityDocument,
            User,
            AuditEvent,
        )
    }


def test_a_second_run_changes_nothing(seeded):
    before = counts()
    assert seeding.seed_procurement() == 0
    assert counts() == before


def test_the_seed_acts_through_the_demo_accounts_it_brings(seeded):
    # the accounts seeding supplied the officer, the vendor account and the experts
    assert User.objects.filter(
        username__in=[u["username"] for u in DEMO_USERS]
    ).count() == len(DEMO_USERS)
    project = retender()
    assert project.created_by == User.objects.get(username="officer")
    drawn = {m.user.username for m in project.committee.filter(role=MemberRole.EXPERT)}
    assert len(drawn) == 4
    assert all(name.startswith("expert") for name in drawn)
    assert all(User.objects.get(username=name).has_demo_password for name in drawn)
