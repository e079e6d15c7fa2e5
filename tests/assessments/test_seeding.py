"""The demo assessments and admission lists, seeded by `manage.py demo` into an empty
database from the real seed files, as seed 000 tells the story: 簇锦's organisation
graded 差 for 2014 and eliminated in March 2015, the re-tender drafted by that
elimination and completed by procurement's seed; the 2015 assessment of the 90-odd
organisations by every rater group, and the 2015 list that takes them to 70-odd;
this year's round open for scoring; a second run that creates nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command, get_commands
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from assessments import seeding
from assessments.choices import (
    CardSource,
    ConsequenceKind,
    ListStatus,
    ObjectionStatus,
    RaterKind,
    RoundStatus,
)
from assessments.models import (
    AdmissionEntry,
    AdmissionList,
    AdmissionObjection,
    AssessmentPlan,
    AssessmentRound,
    Consequence,
    ResidentToken,
    RoundResult,
    Scorecard,
)
from contracts.choices import ContractStatus
from contracts.models import Contract, PaymentTranche
from procurement.choices import ProjectStatus
from procurement.models import ProcurementProject
from procurement.seeding import CUJIN_CODE, RETENDER_TITLE, RETENDER_YEAR

pytestmark = pytest.mark.slow  # the whole demo, with the re-tender's tender document


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, media):
    settings.MEDIA_ROOT = media
    return media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media):
    """`manage.py demo` once for the module, rolled back at its end."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        call_command("demo", quiet=True)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(world, db):
    return world


def results_2015():
    return RoundResult.objects.filter(round__plan__year=seeding.YEAR)


def test_the_demo_command_belongs_to_the_top_app():
    assert get_commands()["demo"] == "assessments"


# --- 2014 and the March 2015 elimination ------------------------------------------------


def test_cujins_organisation_is_graded_poor_for_2014(seeded):
    result = RoundResult.objects.select_related("contract").get(round__plan__year=2014)
    assert result.vendor.organisation.code == seeding.ELIMINATED_CODE
    assert result.grade == "poor"
    assert result.round.scored_at.date() == seeding.SCORED_2014
    contract = result.contract
    assert contract.buyer.code == CUJIN_CODE
    assert (contract.start_on, contract.end_on) == (
        seeding.CUJIN_2014_START,
        seeding.CUJIN_2014_END,
    )
    # every rater group scored it, residents by their one-time codes
    groups = Counter(
        Scorecard.objects.filter(round=result.round).values_list("group", flat=True)
    )
    assert set(groups) == {
        RaterKind.DEPARTMENT,
        RaterKind.COMMUNITY,
        RaterKind.RESIDENT,
        RaterKind.RESIDENT_UNIT,
    }
    assert result.breakdown["missing"] == []
    assert result.consequences.filter(
        kind=ConsequenceKind.ELIMINATION_PROPOSAL
    ).exists()


def test_the_march_2015_elimination_drafted_the_retender_procurement_completed(
    seeded,
):
    entry = AdmissionEntry.objects.select_related("admission_list").get(
        admission_list__year=2014, vendor__organisation__code=seeding.ELIMINATED_CODE
    )
    assert entry.admission_list.status == ListStatus.PUBLISHED
    assert entry.admission_list.published_on == dt.date(2015, 3, 2)
    assert entry.standing == "eliminate"
    assert entry.ending == "terminate"
    assert entry.ends_on == seeding.ELIMINATED_ENDS_ON
    assert "过渡期间由街道社区服务中心工作人员及原社区工作人员承担" in (
        entry.interim_arrangement
    )
    # one re-tender project: the drafted one, taken to its final award
    retenders = list(entry.retenders.all())
    same_title = ProcurementProject.objects.filter(
        buyer__code=CUJIN_CODE, fiscal_year=RETENDER_YEAR, title=RETENDER_TITLE
    )
    assert retenders == list(same_title)
    project = retenders[0]
    assert project.replaces_contract_of == entry.vendor
    assert project.status == ProjectStatus.FINAL
    assert project.method == "tender"
    # the eliminated organisation's contract ended with March
    old = Contract.objects.get(vendor=entry.vendor, project__fiscal_year=2014)
    assert old.status == ContractStatus.TERMINATED
    assert old.terminated_on == seeding.ELIMINATED_ENDS_ON


# --- 2015 -------------------------------------------------------------------------------


def test_ninety_odd_organisations_assessed_in_2015_in_every_street(seeded):
    assert results_2015().values("vendor").distinct().count() >= 90
    plans = AssessmentPlan.objects.filter(year=seeding.YEAR)
    assert plans.count() == 13
    assert plans.values("buyer").distinct().count() == 13
    assert not AssessmentRound.objects.filter(
        plan__year=seeding.YEAR, status=RoundStatus.OPEN
    ).exists()
    # every contract of every plan has a result with every rater group present
    assert results_2015().count() == sum(p.contracts.count() for p in plans)
    for result in results_2015():
        assert result.status == "ok"
        assert result.breakdown["missing"] == []


def test_more_than_a_thousand_anonymous_resident_answers(seeded):
    cards = Scorecard.objects.filter(
        round__plan__year=seeding.YEAR, group=RaterKind.RESIDENT
    )
    assert cards.count() >= 1000
    assert not cards.exclude(source=CardSource.RESIDENT_TOKEN).exists()
    assert not cards.filter(rater__isnull=False).exists()
    assert not cards.filter(entered_by__isnull=False).exists()
    # one card per used token
    assert cards.filter(token__used_at__isnull=False).count() == cards.count()
    assert (
        ResidentToken.objects.filter(
            round__plan__year=seeding.YEAR, used_at__isnull=True
        ).count()
        == 0
    )
    groups = set(
        Scorecard.objects.filter(round__plan__year=seeding.YEAR).values_list(
            "group", flat=True
        )
    )
    assert groups == {
        RaterKind.DEPARTMENT,
        RaterKind.COMMUNITY,
        RaterKind.RESIDENT,
        RaterKind.RESIDENT_UNIT,
    }


def test_cujins_demo_raters_scored_through_their_accounts(seeded):
    by_rater = Counter(
        Scorecard.objects.filter(
            round__plan__year=seeding.YEAR, rater__isnull=False
        ).values_list("rater__username", flat=True)
    )
    assert {"dept", "community", "assessor"} <= set(by_rater)


def test_grades_are_spread_as_the_list_needs(seeded):
    grades = Counter(results_2015().values_list("grade", flat=True))
    assert 20 <= grades["poor"] <= 23
    assert 8 <= grades["fair"] <= 12
    assert grades["good"] + grades["excellent"] >= 55
    # each organisation got the grade the seed aimed at
    planned = seeding.planned_grades()
    for code, grade in results_2015().values_list(
        "vendor__organisation__code", "grade"
    ):
        assert planned[code] == grade, code


def test_the_retender_winners_grade_reaches_its_annual_tranche(seeded):
    result = results_2015().get(vendor__organisation__code="CN-51-01-07-V0001")
    assert result.grade in ("good", "excellent")
    tranche = PaymentTranche.objects.get(contract=result.contract, period_label="年度")
    assert (tranche.grade, tranche.score) == (result.grade, result.total)
    assert tranche.deduction == 0
    assert tranche.assessment_ref == f"assessment-round:{result.round_id}"


def test_consequences_carry_the_storys_dates(seeded):
    rectifications = Consequence.objects.filter(
        result__round__plan__year=seeding.YEAR,
        kind=ConsequenceKind.RECTIFICATION,
    )
    assert (
        rectifications.count()
        == Counter(results_2015().values_list("grade", flat=True))["fair"]
    )
    assert set(rectifications.values_list("due_on", flat=True)) == {
        seeding.SCORED_2015 + dt.timedelta(days=30)
    }


def test_the_2015_list_takes_ninety_odd_organisations_to_seventy_odd(seeded):
    lst = AdmissionList.objects.get(year=seeding.YEAR)
    assert lst.status == ListStatus.PUBLISHED
    assert lst.published_on == seeding.LIST_2015_PUBLISHED
    standings = Counter(lst.entries.values_list("standing", flat=True))
    assert sum(standings.values()) >= 90
    assert 70 <= standings["keep"] + standings["warn"] < 80
    # consistent with the grades: 差 → eliminate, 中 → warn, the rest kept
    grade_of = dict(results_2015().values_list("vendor_id", "grade"))
    expected = {
        "poor": "eliminate",
        "fair": "warn",
        "good": "keep",
        "excellent": "keep",
    }
    for vendor_id, standing in lst.entries.values_list("vendor_id", "standing"):
        assert standing == expected[grade_of[vendor_id]]


def test_an_eliminated_organisations_objection_is_answered_with_reasons(seeded):
    objection = AdmissionObjection.objects.select_related("entry").get(
        entry__admission_list__year=seeding.YEAR
    )
    assert objection.entry.proposed == "eliminate"
    assert objection.entry.vendor == seeding.objecting_vendor()
    assert objection.status == ObjectionStatus.REJECTED
    assert objection.decision == seeding.OBJECTION_DECISION
    assert objection.filed_on == seeding.OBJECTION_FILED
    assert objection.filed_by.memberships.filter(
        organisation=objection.entry.vendor.organisation
    ).exists()


# --- this year --------------------------------------------------------------------------


def test_this_years_round_is_open_for_scoring(seeded):
    today = timezone.localdate()
    rnd = AssessmentRound.objects.get(plan__year=today.year)
    assert rnd.status == RoundStatus.OPEN
    assert rnd.period_start <= today <= rnd.period_end
    contracts = list(rnd.plan.contracts.all())
    assert contracts
    assert all(c.status == ContractStatus.ACTIVE for c in contracts)
    assert 0 < rnd.cards.count() <= 10
    assert not rnd.results.exists()


# --- idempotence ------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (
            AssessmentPlan,
            AssessmentRound,
            Scorecard,
            ResidentToken,
            RoundResult,
            Consequence,
            AdmissionList,
            AdmissionEntry,
            AdmissionObjection,
            Contract,
            ProcurementProject,
        )
    }


def test_a_second_run_creates_nothing(seeded):
    before = counts()
    statuses = dict(Consequence.objects.values_list("pk", "status"))
    call_command("demo", quiet=True)
    assert counts() == before
    assert dict(Consequence.objects.values_list("pk", "status")) == statuses
