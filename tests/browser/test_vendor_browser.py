"""The supplier register and the vendor portal in a real browser, on the seeded register."""

import re

import pytest

from accounts.seeding import seed_demo_users, seed_organisations
from catalogue.seeding import seed_reference_data
from vendors.seeding import seed_vendors

from .helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(transactional_db):
    seed_organisations()
    seed_reference_data()
    seed_vendors()
    seed_demo_users()


def test_officer_finds_vendors_with_problems_and_sees_why(
    seeded, live_server, page, results_dir
):
    # given: the officer of 簇锦街道 in the supplier register
    login(page, live_server, "officer")
    page.wait_for_url(re.compile(r"/catalogue/$"))
    page.get_by_role("link", name="承接组织", exact=True).click()
    page.wait_for_selector("#vendor-table")
    # when: the officer asks for the vendors with eligibility problems
    page.select_option("#id_problems", "true")
    page.wait_for_function(
        "() => document.querySelectorAll('#vendor-table tbody tr').length < 25"
    )
    rows = page.locator("#vendor-table tbody tr")
    assert rows.count() >= 3
    page.screenshot(path=str(results_dir / "vendors-problems.png"), full_page=True)
    # and opens one
    rows.nth(0).locator("a").first.click()
    # then: the page lists each failed condition with its rule ID
    failures = page.locator("#eligibility li")
    assert failures.count() >= 1
    assert re.search(r"(GPS|CR)-\d\d", failures.first.inner_text())


def test_vendor_staff_see_only_their_own_organisation(
    seeded, live_server, page, results_dir
):
    from vendors.models import Vendor

    # given: 同行's staff member logs in
    login(page, live_server, "vendor")
    # when: they open the register and their portal
    page.goto(f"{live_server.url}/vendors/")
    # then: they land on their own page, which says whether they are eligible
    page.wait_for_selector("#eligibility")
    assert page.locator("h1").inner_text() == "成都市同行社会工作服务中心"
    page.screenshot(path=str(results_dir / "vendor-portal.png"), full_page=True)
    # and another organisation's page does not exist for them
    other = Vendor.objects.exclude(organisation__code="CN-51-01-07-V0001").first()
    response = page.goto(f"{live_server.url}/vendors/{other.pk}/")
    assert response.status == 404
