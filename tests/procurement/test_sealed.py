"""Bids stay sealed until the opening, on every interface the others' tests do not
cover: the admin, the audit log and the application's own logging, the tender
document PDF and the notices."""

from __future__ import annotations

import datetime as dt
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


def _bid_with_file(flow, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from procurement import services

    flow.create()
    flow.announce()
    lot = flow.project.lots.get()
    pdf = SimpleUploadedFile(
        "服务方案.pdf", b"%PDF-1.4 plan ZX9", content_type="application/pdf"
    )
    return services.bid_submit(
        actor=world.staff[world.bidders[0].pk],
        project=flow.project,
        vendor=world.bidders[0],
        data={
            "prices": {str(lot.pk): PRICE},
            "technical_response": "方案",
            "declare_no_conflict": True,
            "declare_credit": True,
        },
        files=[pdf],
        now=flow.deadline - dt.timedelta(days=1),
    )


def test_bid_documents_open_with_the_bids_and_only_for_readers_of_the_bid(
    flow, world, personas, superuser
):
    from procurement.models import BidFile

    bid = _bid_with_file(flow, world)
    f = BidFile.objects.get(bid=bid)
    url = reverse("procurement:bid-file", args=[flow.project.pk, bid.pk, f.pk])
    for user in (personas.officer, superuser, world.staff[world.bidders[0].pk]):
        c = Client()
        c.force_login(user)
        assert c.get(url).status_code == 404  # sealed: not even its name
    assert f.name == ""
    assert not f.file
    flow.open()
    f.refresh_from_db()
    assert f.name == "服务方案.pdf"
    officer = Client()
    officer.force_login(personas.officer)
    response = officer.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan ZX9"
    assert (
        "服务方案.pdf" in officer.get(flow.project.get_absolute_url()).content.decode()
    )
    rival = Client()
    rival.force_login(world.staff[world.bidders[1].pk])
    assert rival.get(url).status_code == 404


def test_members_are_checked_again_against_the_final_bidders_at_opening(
    flow, world, personas
):
    import datetime as dt

    from core.exceptions import Conflict
    from procurement import services
    from vendors.models import RelatedPerson

    flow.create()
    flow.announce()
    members = flow.committee()  # drawn and declared before anyone bid
    expert = next(m for m in members if m.role == "expert")
    RelatedPerson.objects.create(
        vendor=world.bidders[2], name=str(expert.user), role="director"
    )
    for v, price in zip(world.bidders[:3], ["700000", "650000", "780000"], strict=True):
        flow.bid(v, price)
    flow.open()
    expert.refresh_from_db()
    assert any("COM-08" in r for r in expert.conflict_reasons)
    flow.qualify_all()
    lot = flow.project.lots.get()
    with pytest.raises(Conflict) as exc:
        services.sheet_save(
            actor=expert.user,
            lot=lot,
            scores={},
            now=flow.deadline + dt.timedelta(hours=1),
        )
    assert exc.value.code == "conflicted"
