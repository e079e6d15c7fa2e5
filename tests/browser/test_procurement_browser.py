"""A procurement in a real browser, on the seeded district: the officer of 簇锦街道
creates a 磋商 project and generates its document; the project is announced with a
deadline a few seconds ahead; 同行's staff member bids in the portal (and sees no
price on the receipt); after the deadline the officer opens, qualifies and draws the
committee; the experts score in the scoring screen; the officer awards; the public
notice page shows the award with the experts' names."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.seeding import TONGXING_CODE, seed_demo_users, seed_organisations
from catalogue.seeding import seed_reference_data
from vendors.seeding import seed_vendors

from .helpers import login

pytestmark = pytest.mark.browser

TITLE = "簇锦街道困难群众关爱服务项目（浏览器）"
PRICE = "712345"  # 同行's price: never on a page before the opening
SECRET = "每周三次入户探访并建立动态台账"
SECONDS_TO_DEADLINE = 15


@pytest.fixture
def seeded(transactional_db):
    seed_organisations()
    seed_reference_data()
    seed_vendors()
    seed_demo_users()


def _logout(page):
    with page.expect_navigation():
        page.click("header form[action$='/logout/'] button[type=submit]")


def _eligible_today(vendor):
    """Fresh evidence for today (the seed's documents may have run out)."""
    from vendors.choices import CreditList
    from vendors.models import AnnualReport, CreditCheck, EligibilityDocument

    today = timezone.localdate()
    for kind in ("tax_clearance", "social_insurance", "no_violation_statement"):
        EligibilityDocument.objects.create(
            vendor=vendor,
            kind=kind,
            title=kind,
            valid_from=today - dt.timedelta(days=30),
            valid_until=None
            if kind == "no_violation_statement"
            else today + dt.timedelta(days=90),
        )
    for year in (today.year - 2, today.year - 1):
        AnnualReport.objects.update_or_create(
            vendor=vendor, year=year, defaults={"result": "qualified"}
        )
    for list_kind in CreditList.values:
        CreditCheck.objects.create(
            vendor=vendor,
            list_kind=list_kind,
            channel="信用中国",
            checked_at=timezone.now() - dt.timedelta(days=2),
            result="clear",
        )


def _bidders():
    """同行 and two other eligible suppliers of the district with distinct people."""
    from vendors.eligibility import vendor_check_eligibility
    from vendors.models import Vendor

    today = timezone.localdate()
    tongxing = Vendor.objects.select_related("organisation").get(
        organisation__code=TONGXING_CODE
    )
    chosen = [tongxing]
    people = {p.name for p in tongxing.related_persons.all()} | {
        tongxing.legal_representative
    }
    for v in (
        Vendor.objects.select_related("organisation")
        .exclude(pk=tongxing.pk)
        .filter(organisation__path__startswith=tongxing.organisation.parent.path)
        .order_by("organisation__code")
    ):
        names = {p.name for p in v.related_persons.all()} | {v.legal_representative}
        if names & people:
            continue
        _eligible_today(v)
        if vendor_check_eligibility(v, today, for_="bid").failures:
            continue
        chosen.append(v)
        people |= names
        if len(chosen) == 3:
            break
    _eligible_today(tongxing)
    assert not vendor_check_eligibility(tongxing, today, for_="bid").failures
    assert len(chosen) == 3
    return chosen


def _items():
    """Three items of the 2026 catalogue that may be bought outright."""
    from catalogue.models import CatalogueVersion

    version = CatalogueVersion.objects.filter(status="published").order_by("-year")[0]
    return list(
        version.items.filter(outsource_scope="full").order_by("code")[:3]
    ), version


def _post_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_officer_buys_vendor_bids_committee_scores_award_is_public(
    seeded, live_server, page, browser, results_dir
):
    from accounts.models import User
    from procurement import services
    from procurement.models import Bid, Notice, ProcurementProject

    bidders = _bidders()
    items, version = _items()
    assert version.year == timezone.localdate().year

    # -- 立项 ---------------------------------------------------------------------
    # given: the officer of 簇锦街道 on the procurement list
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/procurement/")
    page.click("#create-project")
    page.wait_for_url(re.compile(r"/procurement/new/$"))
    # when: they fill in the project with one lot
    page.fill("#id_title", TITLE)
    page.fill("#id_price_weight", "30")
    page.fill("#id_criteria", "plan|服务方案|70|主观")
    page.fill("#id_payment_terms", "首付|40|合同签订后\n尾款|60|年度考核合格后")
    page.check("#id_sme_exemption")
    page.fill("#id_sme_exemption_reason", "面向社会组织采购（SME-04）")
    page.fill("#id_lot-1-name", "困难群众关爱服务")
    page.fill("#id_lot-1-budget", "800000")
    # the method the budget calls for is explained as it is typed
    page.wait_for_selector("#method-preview >> text=竞争性磋商")
    page.select_option("#id_lot-1-budget_source", "fiscal")
    page.locator("input[name='lot-1-communities']").nth(0).check()
    page.locator("input[name='lot-1-communities']").nth(1).check()
    page.select_option("#id_lot-1-items", [str(i.pk) for i in items])
    page.screenshot(path=str(results_dir / "procurement-create.png"), full_page=True)
    _post_and_wait(page, "#project-save")
    # then: the project is a draft 磋商 with its reasons
    page.wait_for_url(re.compile(r"/procurement/\d+/$"))
    project = ProcurementProject.objects.get(title=TITLE)
    assert page.locator("#project-status").get_attribute("data-status") == "draft"
    assert project.method == "cuoshang"
    assert "PM-06" in page.locator("#method").inner_text()

    # -- 采购文件 ---------------------------------------------------------------------
    # when: they generate the document (the job runs eagerly here)
    _post_and_wait(page, "form[data-action=generate_document] button")
    # then: version 1 is done and downloadable
    page.wait_for_selector("#documents [data-status=done]", timeout=60000)
    assert page.locator("#documents [data-download='1']").count() == 1

    # -- 公告 (through the services: the dates would take weeks) -----------------------
    today = timezone.localdate()
    officer = User.objects.get(username="officer")
    services.project_publish_intention(
        actor=officer, project=project, on=today - dt.timedelta(days=60)
    )
    deadline = timezone.now() + dt.timedelta(seconds=SECONDS_TO_DEADLINE)
    services.project_announce(
        actor=officer,
        project=project,
        bid_deadline=deadline,
        on=today - dt.timedelta(days=20),
    )
    for vendor, price in zip(bidders[1:], ("720000", "735000"), strict=True):
        lot = project.lots.get()
        services.bid_submit(
            actor=None,
            project=project,
            vendor=vendor,
            data={
                "prices": {str(lot.pk): price},
                "technical_response": f"{vendor.organisation.name}的方案",
                "declare_no_conflict": True,
                "declare_credit": True,
            },
        )
    _logout(page)

    # -- 投标 ---------------------------------------------------------------------
    # given: 同行's staff member on the project page
    login(page, live_server, "vendor")
    page.goto(f"{live_server.url}/procurement/{project.pk}/")
    # when: they bid
    lot = project.lots.get()
    page.fill(f"#id_price_{lot.pk}", PRICE)
    page.fill("#id_technical_response", SECRET)
    page.check("#id_declare_no_conflict")
    page.check("#id_declare_credit")
    _post_and_wait(page, "#bid-form button[type=submit]")
    # then: a receipt, sealed — neither the price nor the text, not even to them
    receipt = page.locator("#bid-receipt")
    assert receipt.locator("[data-status=submitted]").count() == 1
    html = page.content()
    assert PRICE not in html
    assert "712,345" not in html
    assert SECRET not in html
    page.screenshot(path=str(results_dir / "procurement-bid.png"), full_page=True)
    page.goto(f"{live_server.url}/procurement/my-bids/")
    assert TITLE in page.locator("#my-bids-table").inner_text()
    assert PRICE not in page.content()
    assert Bid.objects.filter(project=project).count() == 3
    _logout(page)

    # -- 开标 ---------------------------------------------------------------------
    # given: the deadline has passed
    remaining = (deadline - timezone.now()).total_seconds()
    if remaining > 0:
        page.wait_for_timeout(int(remaining * 1000) + 500)
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/procurement/{project.pk}/")
    assert PRICE not in page.content()
    # when: the officer opens the bids
    _post_and_wait(page, "form[data-action=open] button")
    # then: the prices are shown
    assert page.locator("#project-status").get_attribute("data-status") == "opened"
    assert "¥712,345.00" in page.locator("#bid-table").inner_text()
    # when: they draw the committee (two experts and themselves)
    page.click("a[data-action=draw_committee]")
    page.fill("#id_experts", "2")
    page.get_by_label(str(officer), exact=True).check()
    _post_and_wait(page, "#action-form button[type=submit]")
    project.refresh_from_db()
    assert project.committee.count() == 3
    # and qualify each bidder (the project has no conditions of its own; the
    # eligibility and independence checks run in the service)
    for _ in range(3):
        page.locator("a[data-qualify][data-qualified=pending]").first.click()
        page.wait_for_url(re.compile(r"/qualify/$"))
        _post_and_wait(page, "#qualify-form button[type=submit]")
    assert page.locator("a[data-qualify][data-qualified=pending]").count() == 0
    assert page.locator("#bid-table .badge-done").count() == 3
    page.click("a[data-action=close_qualification]")
    _post_and_wait(page, "#action-form button[type=submit]")
    assert page.locator("#project-status").get_attribute("data-status") == "evaluating"
    page.screenshot(path=str(results_dir / "procurement-opened.png"), full_page=True)

    # -- 评分 ---------------------------------------------------------------------
    def score(points):
        page.goto(f"{live_server.url}/procurement/{project.pk}/")
        page.click("a[data-score-lot='1']")
        page.wait_for_url(re.compile(r"/score/$"))
        # the declaration first, then the grid
        _post_and_wait(page, "#declare button[type=submit]")
        inputs = page.locator("#score-grid input[type=number]")
        assert inputs.count() == 3
        # nobody else's sheet before their own is in
        assert page.locator("#others-hidden").count() == 1
        for i in range(inputs.count()):
            inputs.nth(i).fill(points[i])
        _post_and_wait(page, "#submit-sheet")
        assert page.locator("#sheet-status").get_attribute("data-status") == "submitted"

    score(["60", "62", "58"])
    _logout(page)
    experts = [
        m.user for m in project.committee.select_related("user").filter(role="expert")
    ]
    for expert in experts:
        login(page, live_server, expert.username)
        score(["61", "63", "59"])
        page.screenshot(path=str(results_dir / "procurement-score.png"), full_page=True)
        _logout(page)
    project.refresh_from_db()
    assert project.status == "evaluated"
    for expert in experts:  # signing is one click each; done here for time
        services.report_sign(actor=expert, project=project, agrees=True)

    # -- 定标 ---------------------------------------------------------------------
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/procurement/{project.pk}/report/")
    _post_and_wait(page, "#sign-form button[type=submit]")
    _post_and_wait(page, "form[data-action=award] button")
    assert page.locator("#project-status").get_attribute("data-status") == "awarded"
    winner = page.locator("#awards tbody tr").first.inner_text()
    page.screenshot(path=str(results_dir / "procurement-awarded.png"), full_page=True)
    _logout(page)

    # -- 公告 ---------------------------------------------------------------------
    # given: anyone, without logging in
    public = browser.new_context(locale="zh-CN")
    anon = public.new_page()
    anon.goto(f"{live_server.url}/notices/")
    # when: they open the award notice
    anon.locator("#notice-table a", has_text="中标（成交）结果公告").first.click()
    anon.wait_for_url(re.compile(r"/notices/\d+/$"))
    # then: the winner, the amount and the experts are there
    notice = Notice.objects.get(project=project, kind="award")
    assert anon.url.endswith(f"/notices/{notice.pk}/")
    winners = anon.locator("#winners").inner_text()
    assert any(name in winners for name in (b.organisation.name for b in bidders))
    assert winner.split("\t")[1].strip() in winners
    expert_line = anon.locator("#experts").inner_text()
    for expert in experts:
        assert str(expert) in expert_line
    anon.screenshot(path=str(results_dir / "procurement-notice.png"), full_page=True)
    public.close()


def test_officer_adds_a_second_lot_then_removes_it_when_editing(
    seeded, live_server, page, results_dir
):
    from procurement.models import ProcurementProject

    items, _version = _items()
    title = "簇锦街道两包项目（浏览器）"
    # given: the officer on the create form with lot 1 filled in
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/procurement/new/")
    page.fill("#id_title", title)
    page.fill("#id_criteria", "plan|服务方案|70|主观")
    page.fill("#id_payment_terms", "首付|40|合同签订后\n尾款|60|年度考核合格后")
    page.check("#id_sme_exemption")
    page.fill("#id_sme_exemption_reason", "面向社会组织采购（SME-04）")
    page.fill("#id_lot-1-name", "巡访")
    page.fill("#id_lot-1-budget", "500000")
    page.select_option("#id_lot-1-budget_source", "fiscal")
    page.locator("input[name='lot-1-communities']").nth(0).check()
    page.select_option("#id_lot-1-items", [str(items[0].pk)])
    # when: they press 「增加一个包」
    _post_and_wait(page, "#add-lot")
    # then: a second, empty lot appears under the first, with what was typed kept
    assert page.locator("#lot-2").is_visible()
    assert page.input_value("#id_title") == title
    assert page.input_value("#id_lot-1-budget") == "500000"
    assert page.input_value("#id_lot-2-budget") == ""
    # when: they fill it in; the method follows both lots' budgets together
    page.fill("#id_lot-2-name", "受理辅助")
    page.fill("#id_lot-2-budget", "4600000")
    page.wait_for_selector("#method-preview >> text=公开招标")
    page.fill("#id_lot-2-budget", "300000")
    page.wait_for_selector("#method-preview >> text=竞争性磋商")
    page.select_option("#id_lot-2-budget_source", "fiscal")
    page.locator("input[name='lot-2-communities']").nth(1).check()
    page.select_option("#id_lot-2-items", [str(items[1].pk), str(items[2].pk)])
    page.screenshot(path=str(results_dir / "procurement-two-lots.png"), full_page=True)
    # and press Enter in the title: that saves (it does not remove a lot)
    with page.expect_navigation():
        page.press("#id_title", "Enter")
    page.wait_for_url(re.compile(r"/procurement/\d+/$"))
    project = ProcurementProject.objects.get(title=title)
    assert list(
        project.lots.order_by("number").values_list("name", "budget_source")
    ) == [("巡访", "fiscal"), ("受理辅助", "fiscal")]
    second = project.lots.get(number=2)
    assert sorted(li.item_id for li in second.items.all()) == sorted(
        [items[1].pk, items[2].pk]
    )
    # when: on the edit page they remove lot 2 and save
    page.goto(f"{live_server.url}/procurement/{project.pk}/edit/")
    assert page.input_value("#id_lot-2-name") == "受理辅助"
    _post_and_wait(page, "#lot-2 button[name=remove_lot]")
    assert page.locator("#lot-2").count() == 0
    _post_and_wait(page, "#project-save")
    # then: one lot is left
    page.wait_for_url(re.compile(r"/procurement/\d+/$"))
    assert list(project.lots.values_list("name", flat=True)) == ["巡访"]
