"""The officer's path through the catalogue, in a real browser, on the real seed data."""

import re

import pytest

from accounts.seeding import seed_demo_users, seed_organisations
from catalogue.seeding import seed_reference_data

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(transactional_db):
    seed_organisations()
    seed_reference_data()
    seed_demo_users()


def test_officer_filters_aux_only_social_assistance_items_and_opens_one(
    seeded, live_server, page, results_dir
):
    # given: the officer of 簇锦街道 logs in on the Chinese login page
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", "demo-pass-2015")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/catalogue/$"))
    # when: the officer opens the 2015 catalogue and filters to 社会救助 items that
    # may only be bought as auxiliary steps
    page.get_by_role("link", name="武侯区社区公共服务购买目录（2015年版）").click()
    assert "共 139 条" in page.locator(".pagination").inner_text()
    page.select_option("#id_domain", "A03")
    page.select_option("#id_outsource_scope", "aux_only")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#item-table tbody tr')].every(r => r.innerText.includes('仅可购买辅助环节'))"
    )
    rows = page.locator("#item-table tbody tr")
    count = rows.count()
    assert count >= 3
    for i in range(count):
        text = rows.nth(i).inner_text()
        assert "社会救助" in text
        assert "仅可购买辅助环节" in text
    assert "domain=A03" in page.url
    assert "outsource_scope=aux_only" in page.url
    page.screenshot(path=str(results_dir / "catalogue-filtered.png"), full_page=True)
    # and opens the first one
    first_name = rows.nth(0).locator("td").nth(1).inner_text()
    rows.nth(0).locator("a").first.click()
    # then: the item page says what may be bought and what stays with government
    page.wait_for_selector("#item-facts")
    assert first_name in page.locator("h1").inner_text()
    facts = page.locator("#item-facts").inner_text()
    assert "仅可购买辅助环节" in facts
    assert "社会救助" in facts
    steps = page.locator("#allowed-steps").inner_text()
    assert any(
        step in steps for step in ("受理", "材料初审/预审", "入户调查协助", "登记")
    )
    assert page.locator("[data-scope=aux_only]").count() == 1
    page.screenshot(path=str(results_dir / "catalogue-item.png"), full_page=True)


def test_language_switch_shows_english(seeded, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.select_option("#lang-select", "en")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Log in"
