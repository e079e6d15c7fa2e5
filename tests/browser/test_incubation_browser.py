"""Incubation in a real browser: an organisation applies in the vendor portal, the
district admits it after the panel's review and moves it in, and the organisation
sees the result (but not the panel's individual sheets) in its portal."""

import re

import pytest
from django.utils import timezone

from accounts.seeding import seed_demo_users, seed_organisations
from catalogue.seeding import seed_reference_data
from vendors.seeding import seed_incubation, seed_vendors

from .helpers import login

pytestmark = pytest.mark.browser

VENDOR_CODE = "CN-51-01-07-V0001"  # 成都市同行社会工作服务中心, never incubated
VENDOR_NAME = "成都市同行社会工作服务中心"
CENTRE_NAME = "武侯区社会组织孵化中心"
CORE_MEMBERS = (
    "王丽，簇锦社区社工\n刘强，铁佛社区综合协管员\n陈静，武侯区志愿者协会干事"
)
PANEL = [  # reviewer, score of every criterion
    ("李明", "80"),
    ("赵芳", "75"),
    ("孙伟", "85"),
]


@pytest.fixture
def seeded(transactional_db):
    seed_organisations()
    seed_reference_data()
    seed_vendors()
    seed_incubation()
    seed_demo_users()


def _logout(page):
    with page.expect_navigation():
        page.click("header form[action$='/logout/'] button[type=submit]")


def _open_action(page, action):
    """Open the <details> of one action in #actions and return its form."""
    details = page.locator("#actions details").filter(
        has=page.locator(f"form[data-action={action}]")
    )
    if not details.evaluate("d => d.open"):  # a 400 re-render opens the failed one
        details.locator("summary").click()
    return details.locator("form")


def _post_review(page, reviewer, score):
    form = _open_action(page, "review")
    form.locator("#reviewer").fill(reviewer)
    scores = form.locator("input[name^=score_]")
    for i in range(scores.count()):
        scores.nth(i).fill(score)
    with (
        page.expect_navigation(),
        page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/review/")
        ) as response,
    ):
        form.locator("button[type=submit]").click()
    return response.value


def test_vendor_applies_district_admits_and_moves_in_vendor_sees_result(
    seeded, live_server, page, results_dir
):
    from catalogue.rules import rule_value
    from vendors.models import IncubationApplication, Vendor

    vendor = Vendor.objects.select_related("organisation").get(
        organisation__code=VENDOR_CODE
    )
    assert not vendor.incubations.exists()
    this_round = f"{timezone.localdate().year}年常年招募"

    # -- 申请 ---------------------------------------------------------------
    # given: 同行's staff member in their portal
    login(page, live_server, "vendor")
    page.goto(f"{live_server.url}/vendors/portal/")
    page.wait_for_url(re.compile(rf"/vendors/{vendor.pk}/$"))
    assert page.locator("h1").inner_text() == VENDOR_NAME
    assert page.locator("#incubation-history").count() == 0
    # when: they apply for incubation to the open year-round intake
    apply = page.locator("#apply-incubation")
    assert apply.inner_text().strip() == "申请入驻孵化"
    apply.click()
    page.wait_for_url(re.compile(r"/vendors/incubation/apply/$"))
    round_option = page.locator("#id_round option", has_text=this_round)
    assert CENTRE_NAME in round_option.inner_text()
    page.select_option("#id_round", value=round_option.get_attribute("value"))
    page.fill("#id_purpose", "为簇锦街道困境儿童和留守老人提供社区支持服务")
    page.fill(
        "#id_service_plan",
        "第一年：在三个社区开展四点半课堂；\n第二年：培育社区志愿者队伍并形成品牌项目。",
    )
    page.fill("#id_core_members", CORE_MEMBERS)
    page.screenshot(path=str(results_dir / "incubation-apply.png"), full_page=True)
    page.locator("main form.card button[type=submit]").click()
    # then: they land on the application, which is 申请 (applied)
    page.wait_for_url(re.compile(r"/vendors/incubation/\d+/$"))
    assert page.locator("#app-status").get_attribute("data-status") == "applied"
    app = IncubationApplication.objects.get(vendor=vendor)
    assert page.url.endswith(f"/vendors/incubation/{app.pk}/")
    assert app.round.name == this_round
    assert [m["name"] for m in app.core_members] == ["王丽", "刘强", "陈静"]
    # and they cannot act on it nor see the panel's sheets
    assert page.locator("#actions").count() == 0
    assert page.locator("#reviews").count() == 0
    _logout(page)

    # -- 评估 ---------------------------------------------------------------
    # given: the district admin on the incubation board
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/vendors/incubation/")
    applied = page.locator("#board section[data-step=applied]")
    # when: they open the new application
    applied.get_by_role("link", name=VENDOR_NAME, exact=True).click()
    page.wait_for_url(re.compile(rf"/vendors/incubation/{app.pk}/$"))
    assert page.locator("#app-status").get_attribute("data-status") == "applied"
    # and record a sheet with a score out of range
    response = _post_review(page, "李明", "120")
    # then: the page is shown again with the reason, and nothing is recorded
    assert response.status == 400
    errors = page.locator("#action-errors")
    assert "0 到 100" in errors.inner_text()
    assert page.locator("#app-status").get_attribute("data-status") == "applied"
    assert page.locator("#reviews tbody").inner_text().strip() == "尚无评审人评分。"
    assert not app.reviews.exists()
    page.screenshot(
        path=str(results_dir / "incubation-review-error.png"), full_page=True
    )
    # when: they record as many sheets as the panel needs
    panel_min = int(
        rule_value(
            "incubation.panel.min_size", app.round.centre.region, timezone.localdate()
        )
    )
    assert panel_min == len(PANEL)
    for reviewer, score in PANEL:
        assert _post_review(page, reviewer, score).status == 302
        assert page.locator("#action-errors").count() == 0
    # then: the panel's sheets and their mean are shown to the officer
    assert page.locator("#reviews tbody tr").count() == panel_min
    assert page.locator("#review-mean").inner_text() == "80.0"
    # when: they admit the application
    admit = _open_action(page, "admit")
    admit.locator("textarea[name=comment]").fill(
        "团队扎根社区，服务计划可行，同意入驻。"
    )
    with page.expect_navigation():
        admit.locator("button[type=submit]").click()
    # then: it is admitted with the panel's result
    assert page.locator("#app-status").get_attribute("data-status") == "admitted"
    assert "80.0" in page.locator("#assessment-result").inner_text()
    page.screenshot(path=str(results_dir / "incubation-admitted.png"), full_page=True)

    # -- 入驻 ---------------------------------------------------------------
    # when: they move it in with the agreement and a seat
    move_in = _open_action(page, "move_in")
    move_in.locator("#agreement_no").fill("WHFH-2015-031")
    move_in.locator("#seat").fill("A-12")
    start = move_in.locator("#start_date").input_value()
    assert start == timezone.localdate().isoformat()
    with page.expect_navigation():
        move_in.locator("button[type=submit]").click()
    # then: it has moved in
    assert page.locator("#app-status").get_attribute("data-status") == "moved_in"
    assert "A-12" in page.locator("#move-in").inner_text()
    app.refresh_from_db()
    assert (app.status, app.seat, app.agreement_no) == (
        "moved_in",
        "A-12",
        "WHFH-2015-031",
    )
    assert app.reviews.count() == panel_min
    _logout(page)

    # -- the organisation sees the result -------------------------------------
    # given: 同行's staff member again
    login(page, live_server, "vendor")
    # then: a notification tells them they were admitted
    assert int(page.locator("#unread-count").inner_text()) >= 1
    page.goto(f"{live_server.url}/accounts/notifications/")
    assert page.get_by_text(f"入驻评估通过：{VENDOR_NAME}").count() >= 1
    # when: they open their organisation's page
    page.goto(f"{live_server.url}/vendors/portal/")
    page.wait_for_url(re.compile(rf"/vendors/{vendor.pk}/$"))
    # then: the incubation history shows the application, moved in
    history = page.locator("#incubation-history")
    assert this_round in history.inner_text()
    assert history.locator(".badge").first.inner_text() == "入驻"
    # and they may not apply again while it is open
    assert page.locator("#apply-incubation").count() == 0
    page.screenshot(path=str(results_dir / "incubation-portal.png"), full_page=True)
    # when: they open the application
    history.get_by_role("link", name=re.compile(this_round)).click()
    page.wait_for_url(re.compile(rf"/vendors/incubation/{app.pk}/$"))
    # then: they see the admission result and the move-in, not the panel's sheets
    assert page.locator("#app-status").get_attribute("data-status") == "moved_in"
    assert "80.0" in page.locator("#assessment-result").inner_text()
    assert "合格线" in page.locator("#assessment-result").inner_text()
    move_in_text = page.locator("#move-in").inner_text()
    assert "A-12" in move_in_text
    assert "WHFH-2015-031" in move_in_text
    assert page.locator("#reviews").count() == 0
    assert page.locator("#actions").count() == 0
    assert page.locator("#actions form, form[data-action]").count() == 0
    body = page.locator("main").inner_text()
    assert not any(reviewer in body for reviewer, _score in PANEL)
    page.screenshot(
        path=str(results_dir / "incubation-vendor-application.png"), full_page=True
    )
