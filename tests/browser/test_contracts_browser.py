"""A contract in a real browser: the vendor reports a delivery with a photo and asks
for the advance payment; the community's staff member confirms the delivery; the
street officer approves the payment. Screenshots go to test-results/contracts-*.png."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from contracts.models import DeliveryRecord, PaymentTranche
from tests.contracts.conftest import *  # noqa: F403 (fixtures)

from .helpers import DEMO_PASSWORD, login

pytestmark = pytest.mark.browser


@pytest.fixture
def contract(transactional_db, personas, make_contract):
    """An active contract of 簇锦 (S1) with 同行 (the `vendor` persona's organisation),
    and the personas' passwords set to the demo password for the login page."""
    for user in (personas.vendor, personas.community, personas.officer):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return make_contract()


@pytest.fixture
def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "入户探访.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 140, 200)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return path


def _logout(page):
    with page.expect_navigation():
        page.click("header form[action$='/logout/'] button[type=submit]")


def test_delivery_confirmation_and_payment_approval(
    page, live_server, contract, personas, photo, results_dir
):
    base = f"{live_server.url}/contracts/{contract.pk}/"
    ci = contract.items.filter(community__code="D1-S1-C1").order_by("pk").first()
    today = timezone.localdate()
    advance = contract.tranches.get(kind="advance")

    # the vendor reports a delivery with a photo
    login(page, live_server, personas.vendor.username)
    page.goto(base)
    page.click("#report-delivery")
    page.select_option("#id_item", str(ci.item_id))
    page.select_option("#id_community", str(ci.community_id))
    page.fill("#id_period_start", (today - dt.timedelta(days=6)).isoformat())
    page.fill("#id_period_end", (today - dt.timedelta(days=1)).isoformat())
    page.fill("#id_count", "9")
    page.fill("#id_notes", "入户探访困难群众9户次")
    page.set_input_files("#id_photos", str(photo))
    with page.expect_navigation():
        page.click("#delivery-form button[type=submit]")
    assert page.locator("#delivery-status").get_attribute("data-status") == "reported"
    assert page.locator("#evidence img").count() == 1
    page.screenshot(
        path=str(results_dir / "contracts-delivery-reported.png"), full_page=True
    )

    # ... and asks for the advance payment
    page.goto(base + "#tranches")
    page.click(f'[data-tranche="{advance.pk}"] [data-tranche-action="request"]')
    with page.expect_navigation():
        page.click("#action-form button[type=submit]")
    _logout(page)

    # the community's staff member confirms the delivery
    login(page, live_server, personas.community.username)
    page.goto(base + "#deliveries")
    page.click("#delivery-table a.button")
    with page.expect_navigation():
        page.click('[data-delivery-action="confirm"] button')
    assert page.locator("#delivery-status").get_attribute("data-status") == "confirmed"
    page.screenshot(
        path=str(results_dir / "contracts-delivery-confirmed.png"), full_page=True
    )
    _logout(page)

    # the officer sees the progress and approves the payment
    login(page, live_server, personas.officer.username)
    page.goto(base)
    cell = page.locator(
        f'#progress-table tr[data-item="{ci.item.code}"] td[data-community="{ci.community_id}"]'
    )
    assert cell.inner_text().startswith("9/")
    page.click(f'[data-tranche="{advance.pk}"] [data-tranche-action="approve"]')
    with page.expect_navigation():
        page.click("#action-form button[type=submit]")
    assert (
        page.locator(f'[data-tranche="{advance.pk}"]').get_attribute("data-status")
        == "approved"
    )
    page.screenshot(
        path=str(results_dir / "contracts-payment-approved.png"), full_page=True
    )

    # then: the database agrees
    assert DeliveryRecord.objects.get().status == "confirmed"
    assert PaymentTranche.objects.get(pk=advance.pk).approved_by == personas.officer
