"""Whether a supplier may take part on a date, and the rule ID of every reason it may not."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from vendors.choices import CreditList, DocumentKind
from vendors.eligibility import vendor_check_eligibility
from vendors.models import AnnualReport, CreditCheck, EligibilityDocument

ON = dt.date(2026, 11, 23)
BEIJING = ZoneInfo("Asia/Shanghai")
REQUIRED = ["tax_clearance", "social_insurance", "no_violation_statement"]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BEIJING)


def add_document(vendor, kind, valid_from=None, valid_until=None, title=""):
    return EligibilityDocument.objects.create(
        vendor=vendor,
        kind=kind,
        title=title or DocumentKind(kind).label,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def add_check(vendor, list_kind, result="clear", when=None):
    return CreditCheck.objects.create(
        vendor=vendor,
        list_kind=list_kind,
        channel="信用中国（www.creditchina.gov.cn）",
        checked_at=when,
        result=result,
    )


def make_eligible(vendor, on: dt.date = ON):
    """Give a vendor everything it needs on `on`: the three required documents,
    last year's annual report qualified, every credit list checked clear recently."""
    vendor.refresh_from_db()
    for kind in REQUIRED:
        add_document(
            vendor,
            kind,
            valid_from=on - dt.timedelta(days=60),
            valid_until=None
            if kind == "no_violation_statement"
            else on + dt.timedelta(days=90),
        )
    for year in (on.year - 2, on.year - 1):
        AnnualReport.objects.create(vendor=vendor, year=year, result="qualified")
    for list_kind in CreditList.values:
        add_check(vendor, list_kind, when=at(on - dt.timedelta(days=10)))
    return vendor


def failures(vendor, on: dt.date = ON) -> list[tuple[str, str]]:
    return [(f.rule_id, f.code) for f in vendor_check_eligibility(vendor, on).failures]


@pytest.fixture
def eligible(vendors):
    return make_eligible(vendors.own)


def test_fully_eligible_vendor_has_no_failures(eligible):
    # when
    result = vendor_check_eligibility(eligible, ON)

    # then
    assert result.eligible is True
    assert result.failures == []
    assert result.as_dict()["eligible"] is True


def _status(v):
    v.status = "suspended"
    v.save()


def _excluded(v):
    v.excluded_public_body = True
    v.save()


def _community_filed(v):
    v.org_type = "community_filed"
    v.uscc = None
    v.save()


def _drop_document(kind):
    def change(v):
        v.documents.filter(kind=kind).delete()

    return change


def _expired_registration(v):
    add_document(
        v, "registration_certificate", dt.date(2016, 7, 1), dt.date(2026, 6, 30)
    )


def _drop_report(v):
    v.annual_reports.filter(year=ON.year - 1).delete()


def _report(result):
    def change(v):
        v.annual_reports.filter(year=ON.year - 1).update(result=result)

    return change


def _unchecked(list_kind):
    def change(v):
        v.credit_checks.filter(list_kind=list_kind).delete()

    return change


def _listed(list_kind):
    def change(v):
        add_check(v, list_kind, "listed", at(ON - dt.timedelta(days=2)))

    return change


FAILURE_CASES = [
    (_status, [("GPS-05", "not_active")]),
    (_excluded, [("GPS-07", "excluded_public_body")]),
    (_community_filed, [("GPS-06", "not_registered")]),
    (_drop_document("tax_clearance"), [("GPS-06", "missing_tax_clearance")]),
    (_drop_document("social_insurance"), [("GPS-06", "missing_social_insurance")]),
    (
        _drop_document("no_violation_statement"),
        [("GPS-06", "missing_no_violation_statement")],
    ),
    (_expired_registration, [("GPS-06", "expired_document")]),
    (_drop_report, [("CR-08", "no_annual_report")]),
    (_report("unqualified"), [("CR-08", "annual_report_failed")]),
    (_report("not_submitted"), [("CR-08", "annual_report_failed")]),
    (_unchecked("dishonest_executed"), [("CR-01", "unchecked_dishonest_executed")]),
    (_unchecked("tax_violation"), [("CR-01", "unchecked_tax_violation")]),
    (
        _unchecked("procurement_blacklist"),
        [("CR-01", "unchecked_procurement_blacklist")],
    ),
    (_unchecked("social_org_abnormal"), [("CR-08", "unchecked_social_org_abnormal")]),
    (_unchecked("social_org_serious"), [("CR-08", "unchecked_social_org_serious")]),
    (_listed("dishonest_executed"), [("CR-01", "listed_dishonest_executed")]),
    (_listed("social_org_abnormal"), [("CR-08", "listed_social_org_abnormal")]),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    FAILURE_CASES,
    ids=[
        "not-active",
        "excluded-public-body",
        "community-filed",
        "no-tax-clearance",
        "no-social-insurance",
        "no-violation-statement",
        "expired-registration-certificate",
        "no-annual-report",
        "annual-report-unqualified",
        "annual-report-not-submitted",
        "unchecked-dishonest",
        "unchecked-tax",
        "unchecked-procurement",
        "unchecked-abnormal",
        "unchecked-serious",
        "listed-dishonest",
        "listed-abnormal",
    ],
)
def test_each_failure_carries_its_rule_and_code(eligible, change, expected):
    # given
    change(eligible)

    # when
    result = vendor_check_eligibility(eligible, ON)

    # then
    assert [(f.rule_id, f.code) for f in result.failures] == expected
    assert result.eligible is False
    assert all(f.reason for f in result.failures)


def test_failures_accumulate(eligible):
    # given
    _status(eligible)
    _drop_document("tax_clearance")(eligible)
    _listed("procurement_blacklist")(eligible)

    # when / then
    assert failures(eligible) == [
        ("GPS-05", "not_active"),
        ("GPS-06", "missing_tax_clearance"),
        ("CR-01", "listed_procurement_blacklist"),
    ]


def test_expired_document_replaced_by_a_valid_one_of_the_same_kind_does_not_fail(
    eligible,
):
    # given
    _expired_registration(eligible)
    add_document(
        eligible, "registration_certificate", dt.date(2026, 7, 1), dt.date(2031, 6, 30)
    )

    # when / then
    assert failures(eligible) == []


def test_expired_required_document_fails_both_as_missing_and_expired(eligible):
    # given
    eligible.documents.filter(kind="tax_clearance").update(
        valid_until=ON - dt.timedelta(days=1)
    )

    # when / then
    assert failures(eligible) == [
        ("GPS-06", "missing_tax_clearance"),
        ("GPS-06", "expired_document"),
    ]


def test_document_valid_until_the_day_itself_still_counts(eligible):
    # given
    eligible.documents.filter(kind="tax_clearance").update(valid_until=ON)

    # when / then
    assert failures(eligible) == []
    assert ("GPS-06", "missing_tax_clearance") in failures(
        eligible, ON + dt.timedelta(days=1)
    )


@pytest.mark.parametrize("kind", ["rating_certificate", "other"])
def test_expired_rating_certificate_or_other_document_does_not_fail(eligible, kind):
    # given
    add_document(eligible, kind, dt.date(2021, 12, 8), dt.date(2026, 11, 1))

    # when / then
    assert failures(eligible) == []


def test_enterprise_is_not_checked_against_the_social_organisation_lists(eligible):
    # given: an enterprise, never checked against CR-08's lists and without annual reports
    eligible.org_type = "enterprise"
    eligible.save()
    eligible.credit_checks.filter(
        list_kind__in=["social_org_abnormal", "social_org_serious"]
    ).delete()
    eligible.annual_reports.all().delete()

    # when / then
    assert failures(eligible) == []


def test_enterprise_is_still_checked_against_the_cr01_lists(eligible):
    # given
    eligible.org_type = "enterprise"
    eligible.save()
    _unchecked("tax_violation")(eligible)

    # when / then
    assert failures(eligible) == [("CR-01", "unchecked_tax_violation")]


def test_latest_check_of_a_list_decides(eligible):
    # given: listed a year ago, cleared since
    add_check(eligible, "dishonest_executed", "listed", at(ON - dt.timedelta(days=365)))

    # when / then
    assert failures(eligible) == []


def test_document_valid_from_next_year_does_not_count_before_it(vendors):
    # given
    on = dt.date(2026, 1, 1)
    vendor = make_eligible(vendors.own, on)
    vendor.documents.filter(kind="tax_clearance").update(valid_from=dt.date(2026, 1, 1))

    # when / then
    assert failures(vendor, dt.date(2026, 1, 1)) == []
    assert failures(vendor, dt.date(2025, 12, 31)) == [
        ("GPS-06", "missing_tax_clearance")
    ]


def test_credit_check_made_after_the_date_does_not_count(eligible):
    # given: the only check of a list was made after the date asked about
    eligible.credit_checks.filter(list_kind="tax_violation").update(
        checked_at=at(ON + dt.timedelta(days=3))
    )

    # when / then
    assert failures(eligible) == [("CR-01", "unchecked_tax_violation")]


def test_credit_check_made_early_next_morning_beijing_time_does_not_count(eligible):
    # given: the only check of a list was made at 07:00 on the day after (Beijing time)
    eligible.credit_checks.filter(list_kind="tax_violation").update(
        checked_at=at(ON + dt.timedelta(days=1), hour=7)
    )

    # when / then
    assert failures(eligible) == [("CR-01", "unchecked_tax_violation")]


def test_registered_vendor_without_registration_date_yet_fails(eligible):
    # given: registered after the date asked about
    eligible.registration_date = ON + dt.timedelta(days=1)
    eligible.save()

    # when / then
    assert failures(eligible) == [("GPS-06", "not_registered_yet")]


# --- API --------------------------------------------------------------------------------


def test_api_returns_the_same_failures(api, personas, eligible):
    # given
    _drop_document("social_insurance")(eligible)
    _listed("social_org_abnormal")(eligible)
    expected = vendor_check_eligibility(eligible, ON).as_dict()

    # when
    response = api(personas.officer).get(
        reverse("api:vendor-eligibility", args=[eligible.pk]), {"on": "2026-11-23"}
    )

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == expected
    assert [(f["rule_id"], f["code"]) for f in body["failures"]] == [
        ("GPS-06", "missing_social_insurance"),
        ("CR-08", "listed_social_org_abnormal"),
    ]
    assert body["on"] == "2026-11-23"
    assert body["eligible"] is False


def test_api_refuses_a_bad_date(api, personas, vendors):
    # when
    response = api(personas.officer).get(
        reverse("api:vendor-eligibility", args=[vendors.own.pk]), {"on": "bad"}
    )

    # then
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["on"]


def test_api_answers_404_for_another_districts_vendor(api, personas, vendors):
    # when
    response = api(personas.outsider).get(
        reverse("api:vendor-eligibility", args=[vendors.own.pk]), {"on": "2026-11-23"}
    )

    # then
    assert response.status_code == 404
