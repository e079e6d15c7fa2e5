"""The register's list (HTML and API share one FilterSet), the vendor portal, the create
form and the detail page."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from vendors.eligibility import vendor_check_eligibility
from vendors.models import CreditCheck, EligibilityDocument, Vendor

from ..factories import OrganisationFactory, make_vendor, valid_uscc


def add_document(vendor, valid_until, kind="tax_clearance"):
    return EligibilityDocument.objects.create(
        vendor=vendor, kind=kind, title="材料", valid_until=valid_until
    )


def add_check(vendor, result, list_kind="dishonest_executed", days_ago=5):
    return CreditCheck.objects.create(
        vendor=vendor,
        list_kind=list_kind,
        channel="信用中国",
        checked_at=timezone.now() - dt.timedelta(days=days_ago),
        result=result,
    )


@pytest.fixture
def register(orgs, vendors):
    """Four vendors in D1 that differ in every filtered respect, and one in D2.

    - own (社会服务机构, 簇锦, 4A): an expired document — a problem;
    - other (社会团体, 玉林): listed as 失信被执行人 — a problem;
    - care (企业, 玉林, legal representative 王五): a document expiring in 10 days;
    - fund (基金会, no street, 3A): a document expiring in 40 days.
    """
    today = timezone.localdate()
    own, other = vendors.own, vendors.other
    own.grade, own.graded_on = "4A", dt.date(2024, 12, 1)
    own.save()
    other.org_type = "social_group"
    other.legal_representative = "赵六"
    other.save()
    care = make_vendor(
        OrganisationFactory(
            code="D1-V3",
            name="锦城颐养服务有限公司",
            kind=OrganisationKind.VENDOR,
            parent=orgs.d1,
        ),
        org_type="enterprise",
        uscc=valid_uscc(777001, prefix="91510107MA"),
        legal_representative="王五",
    )
    care.streets.set([orgs.s2])
    fund = make_vendor(
        OrganisationFactory(
            code="D1-V4",
            name="武侯社区发展基金会",
            kind=OrganisationKind.VENDOR,
            parent=orgs.d1,
        ),
        org_type="foundation",
        uscc=valid_uscc(777002, prefix="53510107MJ"),
        legal_representative="孙七",
        grade="3A",
        graded_on="2023-06-01",
    )
    add_document(own, today - dt.timedelta(days=1))
    add_document(own, today + dt.timedelta(days=200), kind="charter")
    add_check(own, "clear")
    add_check(other, "listed")
    add_document(care, today + dt.timedelta(days=10))
    add_check(care, "clear")
    add_document(fund, today + dt.timedelta(days=40))
    add_document(vendors.outside, today - dt.timedelta(days=5))
    add_check(vendors.outside, "listed")
    return SimpleNamespace(
        own=own, other=other, care=care, fund=fund, outside=vendors.outside
    )


def html_names(response) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    html = response.content.decode()
    table = html[
        html.index('id="vendor-table"') : html.index(
            "</table>", html.index('id="vendor-table"')
        )
    ]
    return set(re.findall(r'<a href="/vendors/\d+/">([^<]+)</a>', table))


def api_names(response) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["count"] == len(body["results"])
    return {r["name"] for r in body["results"]}


FILTER_CASES = [
    ({}, {"own", "other", "care", "fund"}),
    ({"street": "D1-S1"}, {"own"}),
    ({"street": "D1-S2"}, {"other", "care"}),
    ({"org_type": "enterprise"}, {"care"}),
    ({"org_type": "social_group"}, {"other"}),
    ({"grade": "4A"}, {"own"}),
    ({"grade": "3A"}, {"fund"}),
    ({"problems": "true"}, {"own", "other"}),
    ({"problems": "false"}, {"care", "fund"}),
    ({"expiring_within": "30"}, {"care"}),
    ({"expiring_within": "60"}, {"care", "fund"}),
    ({"q": "锦城"}, {"care"}),
    ({"q": "王五"}, {"care"}),
    ({"q": "基金会"}, {"fund"}),
    ({"street": "D1-S2", "problems": "true"}, {"other"}),
]
FILTER_IDS = [
    "none",
    "street-s1",
    "street-s2",
    "enterprise",
    "social-group",
    "grade-4a",
    "grade-3a",
    "problems",
    "no-problems",
    "expiring-30",
    "expiring-60",
    "q-name",
    "q-legal-rep",
    "q-fund",
    "street-and-problems",
]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES, ids=FILTER_IDS)
def test_html_list_filters(web, personas, register, params, expected):
    # when
    response = web(personas.officer).get(reverse("vendors:vendor-list"), params)

    # then
    assert html_names(response) == {getattr(register, k).name for k in expected}


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES, ids=FILTER_IDS)
def test_api_list_filters(api, personas, register, params, expected):
    # when
    response = api(personas.officer).get(reverse("api:vendor-list"), params)

    # then
    assert api_names(response) == {getattr(register, k).name for k in expected}


def test_search_by_credit_code(api, personas, register):
    # when
    response = api(personas.officer).get(
        reverse("api:vendor-list"), {"q": register.fund.uscc[8:].lower()}
    )

    # then
    assert api_names(response) == {register.fund.name}


def test_other_districts_street_is_not_a_valid_filter(api, personas, register):
    # when
    response = api(personas.officer).get(
        reverse("api:vendor-list"), {"street": "D2-S1"}
    )

    # then
    assert response.status_code == 400


def test_other_districts_admin_lists_only_that_district(web, personas, register):
    # when
    response = web(personas.outsider).get(
        reverse("vendors:vendor-list"), {"problems": "true"}
    )

    # then
    assert html_names(response) == {register.outside.name}


def test_renewed_document_is_no_longer_a_problem(api, personas, register):
    # given: care's tax clearance expired and was replaced by a valid one
    today = timezone.localdate()
    add_document(register.care, today - dt.timedelta(days=100))

    # when
    response = api(personas.officer).get(
        reverse("api:vendor-list"), {"problems": "true"}
    )

    # then
    assert register.care.name not in api_names(response)


def test_listing_cleared_by_a_later_check_is_no_longer_a_problem(
    api, personas, register
):
    # given: care was listed a year ago and has been checked clear since
    add_check(register.care, "listed", days_ago=365)

    # when
    response = api(personas.officer).get(
        reverse("api:vendor-list"), {"problems": "true"}
    )

    # then
    assert register.care.name not in api_names(response)


def test_expired_rating_certificate_is_not_a_problem(api, personas, register):
    # given
    add_document(
        register.care,
        timezone.localdate() - dt.timedelta(days=1),
        kind="rating_certificate",
    )

    # when
    response = api(personas.officer).get(
        reverse("api:vendor-list"), {"problems": "true"}
    )

    # then
    assert api_names(response) == {register.own.name, register.other.name}


def test_problem_that_is_still_current_is_listed(api, personas, register):
    # given: care was checked clear five days ago and listed yesterday
    add_check(register.care, "listed", days_ago=1)

    # when
    response = api(personas.officer).get(
        reverse("api:vendor-list"), {"problems": "true"}
    )

    # then
    assert register.care.name in api_names(response)


# --- the vendor portal ------------------------------------------------------------------


def test_vendor_staff_opening_the_register_land_on_the_portal(web, personas, vendors):
    # when
    response = web(personas.vendor).get(reverse("vendors:vendor-list"))

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("vendors:portal")


def test_portal_redirects_to_the_staffs_own_vendor(web, personas, vendors):
    # when
    response = web(personas.vendor).get(reverse("vendors:portal"))

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "vendors:vendor-detail", args=[vendors.own.pk]
    )


def test_api_list_shows_vendor_staff_only_their_own_vendor(api, personas, register):
    # when
    response = api(personas.vendor).get(reverse("api:vendor-list"))

    # then
    assert api_names(response) == {register.own.name}


def test_portal_is_404_for_someone_without_a_vendor(web, personas, vendors):
    assert web(personas.officer).get(reverse("vendors:portal")).status_code == 404


def test_vendor_staff_cannot_open_another_vendors_page(web, personas, vendors):
    # when
    response = web(personas.vendor).get(
        reverse("vendors:vendor-detail", args=[vendors.other.pk])
    )

    # then
    assert response.status_code == 404


def test_expert_is_refused_the_register(web, personas, vendors):
    assert web(personas.expert).get(reverse("vendors:vendor-list")).status_code == 403


# --- create form ------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "name": "成都市新桥社会工作服务中心",
        "org_type": "social_service_agency",
        "uscc": valid_uscc(4242),
        "registration_authority": "成都市武侯区民政局",
        "registration_date": "2015-03-02",
        "legal_representative": "周明",
        "streets": ["D1-S1"],
        "fulltime_staff": "6",
        "parttime_staff": "0",
        "volunteers": "0",
    }
    data.update(overrides)
    return data


def test_create_form_registers_and_redirects_to_the_vendor(web, personas, orgs):
    # when
    response = web(personas.admin).post(reverse("vendors:vendor-create"), form_data())

    # then
    vendor = Vendor.objects.get(uscc=valid_uscc(4242))
    assert response.status_code == 302
    assert response["Location"] == vendor.get_absolute_url()
    assert vendor.organisation.parent == orgs.d1
    assert list(vendor.streets.all()) == [orgs.s1]


def test_create_form_with_a_wrong_credit_code_keeps_the_input(web, personas, orgs):
    # given
    good = valid_uscc(4242)
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    organisations = Organisation.objects.count()

    # when
    response = web(personas.admin).post(
        reverse("vendors:vendor-create"), form_data(uscc=wrong)
    )

    # then
    html = response.content.decode()
    assert response.status_code == 400
    error = re.search(r'<p class="field-error" role="alert">([^<]*)</p>', html)
    assert error
    assert wrong in error.group(1)
    assert "校验位" in error.group(1)
    assert 'name="uscc"' in html
    assert f'value="{wrong}"' in html
    assert 'value="成都市新桥社会工作服务中心"' in html
    assert 'value="周明"' in html
    assert Organisation.objects.count() == organisations
    assert not Vendor.objects.filter(
        organisation__name="成都市新桥社会工作服务中心"
    ).exists()


# --- detail page ------------------------------------------------------------------------


def test_detail_page_shows_each_eligibility_failure_with_its_rule(
    web, personas, vendors
):
    # given: V1 has no evidence, reports or checks at all
    vendor = Vendor.objects.get(pk=vendors.own.pk)
    failures = vendor_check_eligibility(vendor, timezone.localdate()).failures

    # when
    response = web(personas.officer).get(
        reverse("vendors:vendor-detail", args=[vendor.pk])
    )

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert {f.rule_id for f in failures} >= {"GPS-06", "CR-01", "CR-08"}
    for f in failures:
        assert f"<code>{f.rule_id}</code> {escape(f.reason)}" in html


def test_html_upload_of_text_named_pdf_is_refused_with_the_reason(
    web, personas, vendors
):
    # given
    fake = SimpleUploadedFile(
        "完税证明.pdf", b"plain text pretending", content_type="application/pdf"
    )

    # when
    response = web(personas.officer).post(
        reverse("vendors:document-add", args=[vendors.own.pk]),
        {"kind": "tax_clearance", "title": "完税证明", "file": fake},
    )

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "只接受 PDF、JPEG、PNG 文件。" in html
    assert not EligibilityDocument.objects.exists()


def test_html_upload_of_a_real_pdf_is_stored(web, personas, vendors):
    # given
    pdf = SimpleUploadedFile(
        "完税证明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    )

    # when
    response = web(personas.vendor).post(
        reverse("vendors:document-add", args=[vendors.own.pk]),
        {
            "kind": "tax_clearance",
            "title": "完税证明",
            "valid_until": "2027-01-31",
            "file": pdf,
        },
    )

    # then
    assert response.status_code == 302
    doc = EligibilityDocument.objects.get(vendor=vendors.own)
    assert doc.uploaded_by == personas.vendor
    assert doc.valid_until == dt.date(2027, 1, 31)
