"""Residents by QR code in a real browser: the street officer prints a batch of codes,
a resident opens one on a phone-sized viewport (390×844), answers and sees the
thank-you page; the code cannot be used twice. Screenshots go to
test-results/assessments-resident-*.png."""

import pytest

import assessments.services as asvc
from assessments.choices import CardSource
from assessments.models import Scorecard
from tests.assessments.test_residents import INDICATORS
from tests.contracts.conftest import *  # noqa: F403 (fixtures)

from .helpers import DEMO_PASSWORD, login

pytestmark = pytest.mark.browser


@pytest.fixture
def rnd(transactional_db, personas, orgs, make_contract):
    """An open round of S1's plan (points 0..10, levels, yes/no) for a contract serving
    C1; the officer's password is the demo password."""
    personas.officer.set_password(DEMO_PASSWORD)
    personas.officer.save(update_fields=["password"])
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="2026年度居民满意度测评",
        year=2026,
        period_kind="year",
        contracts=[contract],
        indicators=INDICATORS,
    )
    r = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="2026年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    r.contract = contract
    return r


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def test_a_resident_answers_by_the_qr_link_on_a_phone(
    page, phone, live_server, rnd, personas, orgs, results_dir
):
    # the officer prints a batch of 4 codes for 铁佛社区
    login(page, live_server, personas.officer.username)
    page.goto(f"{live_server.url}/assessments/rounds/{rnd.pk}/tokens/")
    page.select_option("#id_contract", str(rnd.contract.pk))
    page.select_option("#id_community", str(orgs.c1.pk))
    page.fill("#id_count", "4")
    page.fill("#id_batch", "铁佛社区第一批")
    with page.expect_navigation():
        page.click("#token-form button[type=submit]")
    assert page.locator("#qr-codes figure.code svg").count() == 4
    page.emulate_media(media="print")
    page.screenshot(
        path=str(results_dir / "assessments-resident-qr-print.png"), full_page=True
    )
    page.emulate_media(media="screen")
    link = page.locator("#qr-codes figure.code .url").first.inner_text().strip()
    assert "/r/" in link

    # a resident opens the link on a phone
    phone.goto(link)
    assert phone.locator(".q[data-indicator]").count() == 3
    assert "铁佛社区" in phone.locator("#resident-subject").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on the phone
    phone.tap('[data-indicator="1"] label:has(input[value="8"])')
    phone.tap('[data-indicator="2"] label:has(input[value="满意"])')
    phone.tap('[data-indicator="3"] label:has(input[value="na"])')
    phone.fill("#id_comment", "希望周末也能开放活动室")
    phone.screenshot(
        path=str(results_dir / "assessments-resident-form.png"), full_page=True
    )
    with phone.expect_navigation():
        phone.tap("#resident-form button[type=submit]")
    assert phone.url.endswith("/r/thanks/")
    assert "感谢您的评价" in phone.locator("#resident-message").inner_text()
    phone.screenshot(path=str(results_dir / "assessments-resident-thanks.png"))

    # then: one anonymous resident card for 铁佛社区
    card = Scorecard.objects.get()
    assert card.source == CardSource.RESIDENT_TOKEN
    assert card.rater is None
    assert card.community_id == orgs.c1.pk
    assert card.answers == {"1": 8, "2": "满意", "3": None}

    # the same code again: already used
    response = phone.goto(link)
    assert response.status == 409
    assert "该评价码已使用" in phone.locator("#resident-message").inner_text()
    phone.screenshot(path=str(results_dir / "assessments-resident-used.png"))
