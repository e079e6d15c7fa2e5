"""Bids stay sealed until the opening, on every interface the others' tests do not
cover: the admin, the audit log and the application's own logging, the tender
document PDF and the notices."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from procurement.models import Bid, Notice

PRICE = "765432.10"
SECRETS = ("765432", "765,432", "独家方案ZX9")


def _assert_sealed(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.fixture
def sealed(flow, world, caplog):
    caplog.set_level(logging.DEBUG)
    flow.create()
    flow.announce()
    lot = flow.project.lots.get()
    flow.bid(
        world.bidders[0],
        PRICE,
        technical_response="独家方案ZX9",
        prices={str(lot.pk): PRICE},
    )
    return flow.project


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw-root-123456"
    )


def test_admin_shows_who_bid_and_when_only(sealed, superuser):
    client = Client()
    client.force_login(superuser)
    bid = Bid.objects.get()
    listing = client.get(reverse("admin:procurement_bid_changelist"))
    detail = client.get(reverse("admin:procurement_bid_change", args=[bid.pk]))
    assert listing.status_code == detail.status_code == 200
    assert bid.vendor.organisation.name in listing.content.decode()
    for response in (listing, detail):
        _assert_sealed(response.content.decode())
        assert bid.sealed_content[:40] not in response.content.decode()


def test_admin_hides_content_even_after_opening(sealed, flow, superuser):
    flow.open()
    client = Client()
    client.force_login(superuser)
    detail = client.get(
        reverse("admin:procurement_bid_change", args=[Bid.objects.get().pk])
    )
    _assert_sealed(detail.content.decode())


def test_audit_events_and_logs_carry_no_bid_content(sealed, caplog):
    events = " ".join(
        f"{e.action} {e.comment} {e.payload}" for e in AuditEvent.objects.all()
    )
    assert "procurement.bid_submit" in events
    _assert_sealed(events)
    _assert_sealed(caplog.text)


def test_notices_say_nothing_of_bids_before_opening(sealed):
    _assert_sealed(
        " ".join(f"{n.title} {n.body} {n.data}" for n in Notice.objects.all())
    )


@pytest.mark.slow
def test_a_document_generated_after_bids_arrived_holds_no_bid(
    sealed, personas, django_capture_on_commit_callbacks
):
    import io

    from pypdf import PdfReader

    from procurement import services

    with django_capture_on_commit_callbacks(execute=True):
        doc = services.tender_document_generate(
            actor=personas.officer, project=sealed, note="澄清后"
        )
    doc.job.refresh_from_db()
    assert doc.job.status == "done", doc.job.error
    text = "".join(
        p.extract_text() or "" for p in PdfReader(io.BytesIO(doc.job.file.read())).pages
    )
    assert sealed.title in text.replace("\n", "")
    _assert_sealed(text)
