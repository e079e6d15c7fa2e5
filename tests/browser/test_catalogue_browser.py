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
    assert page.locator("h1").inner_text() == "登录"
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("h1").inner_text() == "Log in"


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-pass-2015")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/catalogue/$"))


def test_officer_compares_drafts_edits_imports_and_publishes(
    seeded, live_server, page, results_dir, tmp_path
):
    from catalogue.importing import export_xlsx
    from catalogue.models import CatalogueVersion

    _login(page, live_server, "officer")
    # the 2026 catalogue: how it differs from 2015
    page.get_by_role("link", name="武侯区社区公共服务购买目录（2026年版）").click()
    page.get_by_role("link", name="与 2015 年版比较").click()
    assert "就业创业证" in page.locator("#diff-changed").inner_text()
    assert page.locator("#diff-removed li").count() >= 1
    page.screenshot(path=str(results_dir / "catalogue-diff.png"), full_page=True)
    # draft 2027 from 2026
    page.goto(f"{live_server.url}/catalogue/")
    page.get_by_role("link", name="武侯区社区公共服务购买目录（2026年版）").click()
    page.get_by_role("link", name="起草新版本").click()
    page.fill("#id_year", "2027")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已起草新版本，共 139 项")
    draft_url = page.url
    # edit one item: a new reference price
    page.fill("#id_q", "A03-01")
    page.wait_for_function(
        "() => document.querySelectorAll('#item-table tbody tr').length === 1"
    )
    page.locator("#item-table tbody a").first.click()
    page.get_by_role("link", name="编辑").click()
    page.fill("#id_reference_price", "55.00")
    page.click("form.form-grid button[type=submit]")
    page.wait_for_selector("text=已保存事项 A03-01")
    assert "¥55.00" in page.locator("#item-facts").inner_text()
    # import a change from Excel: a bad file first (nothing changes, every error listed) …
    draft = CatalogueVersion.objects.get(year=2027)
    items = list(draft.items.select_related("domain").order_by("code"))
    bad = tmp_path / "bad.xlsx"
    broken = items[0]
    broken.reference_price = -5
    bad.write_bytes(export_xlsx(items, "2027"))
    page.goto(draft_url)
    page.get_by_role("link", name="从文件导入").click()
    page.set_input_files("#id_file", str(bad))
    page.click("form.card button[type=submit]")
    errors = page.locator("#import-errors").inner_text()
    assert "金额不能为负数" in errors
    assert "参考单价或限价（元）" in errors
    # … then a good one that changes one standard
    items = list(draft.items.select_related("domain").order_by("code"))
    items[1].service_standard = "材料齐全的当场受理，1个工作日内完成初审并移交。"
    good = tmp_path / "good.xlsx"
    good.write_bytes(export_xlsx(items, "2027"))
    page.set_input_files("#id_file", str(good))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=更新 1 项")
    # publish
    page.click("button[data-action=publish]")
    page.wait_for_selector("text=目录已发布")
    assert page.locator(".page-head .badge").inner_text() == "已发布"
    page.screenshot(path=str(results_dir / "catalogue-published.png"), full_page=True)
    draft.refresh_from_db()
    assert draft.status == "published"
    assert str(draft.items.get(code="A03-01").reference_price) == "55.00"
