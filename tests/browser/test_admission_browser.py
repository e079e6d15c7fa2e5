"""From the grade to the re-tender in a real browser: the street officer runs the
scoring of a round (the job polled on the page), the district's administrator drafts
the admission list from the grades, publicises it, publishes it once publicity is
over, and handles the elimination: the re-tender is drafted for exactly the work the
organisation held. Screenshots go to test-results/admission-*.png."""

import datetime as dt

import pytest
from django.utils import timezone

import assessments.services as asvc
from assessments.models import AdmissionList
from procurement.models import ProcurementProject
from tests.assessments.conftest import all_
from tests.contracts.conftest import *  # noqa: F403 (fixtures)

from .helpers import DEMO_PASSWORD, login

pytestmark = pytest.mark.browser


@pytest.fixture
def cards(transactional_db, personas, orgs, make_contract):
    """S1's open 2026 round with every rater group's cards at 差 level (≈47)."""
    for who in (personas.officer, personas.admin):
        who.set_password(DEMO_PASSWORD)
        who.save(update_fields=["password"])
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="2026年度社区公共服务绩效考核",
        year=2026,
        period_kind="year",
        contracts=[contract],
    )
    rnd = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="2026年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    asvc.scorecard_submit(
        round=rnd, actor=personas.dept, contract=contract, answers=all_(40)
    )
    asvc.scorecard_submit(
        round=rnd,
        actor=personas.community,
        contract=contract,
        answers=all_(50),
        community=orgs.c1,
    )
    asvc.scorecard_submit(
        round=rnd, actor=personas.assessor, contract=contract, answers=all_(50)
    )
    rnd.contract = contract
    return rnd


def test_scoring_to_admission_list_to_retender(
    page, live_server, cards, personas, results_dir
):
    # the officer runs the scoring and the round page shows the grade
    login(page, live_server, personas.officer.username)
    page.goto(f"{live_server.url}/assessments/rounds/{cards.pk}/")
    page.click("#score-form button[type=submit]")
    page.wait_for_selector('#round-job [data-status="done"]')
    page.goto(f"{live_server.url}/assessments/rounds/{cards.pk}/")
    results = page.locator("#results").inner_text()
    assert "差" in results
    page.screenshot(path=str(results_dir / "admission-scored.png"), full_page=True)

    # the district's administrator drafts the 2026 list from the grades
    page.context.clear_cookies()
    login(page, live_server, personas.admin.username)
    page.goto(f"{live_server.url}/admission-list/")
    page.fill("#id_year", "2026")
    with page.expect_navigation():
        page.click("#build-form button[type=submit]")
    assert "淘汰 1" in page.locator("#proposed-counts").inner_text()
    assert "PM-12" in page.locator("#pm12-notice").inner_text()
    with page.expect_navigation():
        page.click("#publicise")
    assert page.locator("#list-status").inner_text() == "公示中"

    # publicity over (5 working days later), the list is published
    alist = AdmissionList.objects.get()
    AdmissionList.objects.filter(pk=alist.pk).update(
        publicity_start=timezone.localdate() - dt.timedelta(days=14),
        publicity_end=timezone.localdate() - dt.timedelta(days=7),
    )
    page.reload()
    with page.expect_navigation():
        page.click("#publish")
    assert page.locator("#list-status").inner_text() == "已发布"
    assert "淘汰 1" in page.locator("#standing-counts").inner_text()
    page.screenshot(path=str(results_dir / "admission-published.png"), full_page=True)

    # the elimination: terminate today, interim cover, the re-tender drafted
    with page.expect_navigation():
        page.click("#entries tbody a")
    page.check("input[name=ending][value=terminate]")
    page.fill("#id_ends_on", timezone.localdate().isoformat())
    page.fill("#id_interim_arrangement", "街道社区服务中心临时承接，至新合同开始。")
    with page.expect_navigation():
        page.click("#eliminate-form button[type=submit]")
    project = ProcurementProject.objects.get(replaces_contract_of=cards.contract.vendor)
    assert project.code in page.locator("#retenders").inner_text()
    page.screenshot(path=str(results_dir / "admission-retender.png"), full_page=True)
    with page.expect_navigation():
        page.click("#retenders a")
    assert project.code in page.content()
    cards.contract.refresh_from_db()
    assert cards.contract.status == "terminated"
