"""Delivery records (服务记录): the vendor reports with evidence, the community confirms
or disputes (社区签收), the vendor corrects or withdraws; residual work (社区自办)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Notification
from contracts import selectors_delivery as sel
from contracts import services
from contracts.models import ContractFeedEntry, DeliveryRecord, Evidence, ResidualWork
from contracts.services import delivery as svc
from core.events import audit_events_for
from core.exceptions import (
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from tests.contracts.conftest import make_final_award
from tests.contracts.test_evidence import PDF, exif_block, near_copy, pdf, photo
from tests.factories import user_with_role

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def other_vendor_contract(orgs, personas, cworld, code="CG-2026-002"):
    """A second active contract of street S1, with another vendor, for the same items
    and communities; returns it and that vendor's staff member."""
    vendor = cworld.world.bidders[1]
    staff = cworld.world.staff[vendor.pk]
    award = make_final_award(
        buyer=orgs.s1,
        vendor=vendor,
        items=cworld.items,
        communities=cworld.communities,
        code=code,
    )
    today = timezone.localdate()
    contract = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on=today - dt.timedelta(days=30),
        end_on=today + dt.timedelta(days=300),
    )
    contract = services.contract_sign_vendor(contract=contract, actor=staff)
    contract = services.contract_countersign(contract=contract, actor=personas.officer)
    return contract, staff


@pytest.fixture
def d(make_contract, personas, cworld, orgs):
    """An active contract; its item in the `community` persona's community (c1) and in
    the neighbouring community (c1b) with that community's own staff member."""
    contract = make_contract()
    c1, c1b = cworld.communities
    return SimpleNamespace(
        contract=contract,
        c1_item=contract.items.get(item=cworld.items[0], community=c1),
        c1b_item=contract.items.get(item=cworld.items[0], community=c1b),
        c1b_staff=user_with_role(Role.COMMUNITY_STAFF, c1b, username="c1b_staff"),
        start=contract.start_on,
    )


DEFAULT = object()


def report(d, actor, item=DEFAULT, files=(), count=12, **kw):
    kw.setdefault("period_start", d.start)
    kw.setdefault("period_end", d.start + dt.timedelta(days=6))
    return svc.delivery_report(
        contract=d.contract,
        actor=actor,
        contract_item=d.c1_item if item is DEFAULT else item,
        count=count,
        notes=kw.pop("notes", "入户探访 12 户次"),
        files=files,
        **kw,
    )


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- reporting --------------------------------------------------------------------------


def test_vendor_reports_delivery_with_photo_and_sign_in_sheet(d, personas, settings):
    # given a photo with capture time and place, and a PDF sign-in sheet
    files = [("photo", photo(exif=exif_block())), ("sign_in", pdf())]

    # when the vendor reports a week of visits in c1
    record = report(d, personas.vendor, files=files)

    # then the record awaits the community's review, with both files stored
    assert record.status == "reported"
    assert record.count == 12
    assert record.reported_by == personas.vendor
    ev = list(record.evidence.order_by("id"))
    assert [e.kind for e in ev] == ["photo", "sign_in"]
    assert ev[0].captured_at == dt.datetime(2026, 3, 15, 10, 20, 30, tzinfo=SHANGHAI)
    assert ev[0].latitude == Decimal("30.605000")
    assert ev[0].longitude == Decimal("104.060139")
    assert len(ev[0].phash) == 16
    assert ev[0].duplicate_of is None
    assert ev[1].phash == ""
    assert len(media_files(settings)) == 2
    assert ev[1].file.name.endswith(".pdf")
    # and the community staff are told, the change is audited and in the feed
    assert Notification.objects.filter(
        user=personas.community, verb="contract_delivery_reported"
    ).exists()
    assert not Notification.objects.filter(user=d.c1b_staff).exists()
    assert [e.action for e in audit_events_for(record)] == ["contracts.delivery_report"]
    assert ContractFeedEntry.objects.filter(contract=d.contract).last().action == (
        "delivery_report"
    )


def test_stored_name_carries_the_type_read_from_the_content(d, personas):
    # given a PNG photo named .jpg
    from tests.contracts.test_evidence import encode, picture

    upload = SimpleUploadedFile("现场.jpg", encode(picture(9), "PNG"))

    # when it is reported
    record = report(d, personas.vendor, files=[("photo", upload)])

    # then the original name is kept for display, the stored file says .png
    ev = record.evidence.get()
    assert ev.name == "现场.jpg"
    assert ev.file.name.endswith(".png")


def test_pdf_disguised_as_jpg_is_refused_and_nothing_saved(d, personas, settings):
    # given a PDF named like a photo
    fake = SimpleUploadedFile("活动照片.jpg", PDF, "image/jpeg")

    # when the vendor reports with it
    with pytest.raises(ValidationFailed) as exc:
        report(d, personas.vendor, files=[("photo", fake)])

    # then the files field says why, and nothing is saved
    assert "照片只接受 JPEG、PNG 或 WebP" in exc.value.fields["files"][0]
    assert "活动照片.jpg" in exc.value.fields["files"][0]
    assert not DeliveryRecord.objects.exists()
    assert media_files(settings) == []


def test_bad_second_file_leaves_no_record_and_no_file(d, personas, settings):
    # given a good photo, a broken second file and a good sign-in sheet
    files = [
        ("photo", photo(1)),
        ("photo", SimpleUploadedFile("b.jpg", b"\xff\xd8\xff" + b"junk" * 50)),
        ("sign_in", pdf()),
    ]
    feed_before = ContractFeedEntry.objects.count()

    # when the vendor reports
    with pytest.raises(ValidationFailed) as exc:
        report(d, personas.vendor, files=files)

    # then the second file is named, and no record, evidence, file or feed row exists
    assert "b.jpg" in exc.value.fields["files"][0]
    assert not DeliveryRecord.objects.exists()
    assert not Evidence.objects.exists()
    assert media_files(settings) == []
    assert ContractFeedEntry.objects.count() == feed_before


def test_failure_after_files_are_stored_removes_them(
    d, personas, settings, monkeypatch
):
    # given the last step of the write fails after both files were stored
    def boom(contract, action):
        raise RuntimeError("feed down")

    monkeypatch.setattr(svc, "contract_touch", boom)

    # when the vendor reports
    with pytest.raises(RuntimeError):
        report(d, personas.vendor, files=[("photo", photo(1)), ("sign_in", pdf())])

    # then the transaction left no row and the stored files are gone again
    assert not DeliveryRecord.objects.exists()
    assert not Evidence.objects.exists()
    assert media_files(settings) == []


@pytest.mark.parametrize(
    ("count", "reason"),
    [
        (-1, "数量不能为负数。"),
        ("-3", "数量不能为负数。"),
        ("1.5", "数量必须是整数。"),
        ("十二", "数量必须是整数。"),
        ("", "请填写数量。"),
        (10**9, "数量过大。"),
    ],
)
def test_bad_count_is_refused(d, personas, count, reason):
    # when the vendor reports a bad count
    with pytest.raises(ValidationFailed) as exc:
        report(d, personas.vendor, count=count)

    # then the count field says why, and nothing is saved
    assert exc.value.fields["count"] == [reason]
    assert not DeliveryRecord.objects.exists()


def test_zero_count_is_allowed(d, personas):
    # a period in which nothing was delivered is still a report
    assert report(d, personas.vendor, count="0").count == 0


def test_item_of_another_contract_or_community_is_refused(d, personas, orgs, cworld):
    # given another contract's item (same item and community, other vendor)
    other, _staff = other_vendor_contract(orgs, personas, cworld)
    foreign = other.items.get(item=cworld.items[0], community=cworld.communities[0])

    # when the vendor reports against it, or against nonsense ids
    for bad in (foreign, foreign.pk, "../1", "", None, 10**30):
        with pytest.raises(ValidationFailed) as exc:
            report(d, personas.vendor, item=bad)

        # then the contract_item field is at fault
        assert "contract_item" in exc.value.fields
    assert not DeliveryRecord.objects.exists()


def test_period_must_be_ordered_inside_the_term_and_not_future(d, personas):
    c = d.contract
    today = timezone.localdate()
    cases = [
        (
            {"period_start": d.start + dt.timedelta(days=5), "period_end": d.start},
            "period_end",
        ),
        ({"period_start": c.start_on - dt.timedelta(days=1)}, "period_start"),
        ({"period_end": c.end_on + dt.timedelta(days=1)}, "period_end"),
        (
            {
                "period_start": today + dt.timedelta(days=1),
                "period_end": today + dt.timedelta(days=2),
            },
            "period_start",
        ),
        ({"period_start": "2026-02-30"}, "period_start"),
        ({"period_end": "not a date"}, "period_end"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            report(d, personas.vendor, **kwargs)
        assert field in exc.value.fields, kwargs
    assert not DeliveryRecord.objects.exists()


def test_only_the_contracts_vendor_reports(d, personas, orgs, cworld):
    # given the buyer's officer, the community, and another vendor's staff
    _other, other_staff = other_vendor_contract(orgs, personas, cworld)

    # then none of them may report for this vendor (403 with the reason)
    for actor in (personas.officer, personas.community, other_staff):
        with pytest.raises(NotPermitted) as exc:
            report(d, actor)
        assert exc.value.status_code == 403
        assert "承接组织" in str(exc.value.message)
    assert not DeliveryRecord.objects.exists()


def test_no_delivery_on_a_contract_not_yet_active(make_contract, personas, cworld):
    # given a contract the vendor has signed but the street has not countersigned
    contract = make_contract(status="vendor_signed")
    item = contract.items.first()

    # when the vendor reports
    with pytest.raises(TransitionNotAllowed):
        svc.delivery_report(
            contract=contract,
            actor=personas.vendor,
            contract_item=item,
            period_start=contract.start_on,
            period_end=contract.start_on,
            count=1,
        )
    assert not DeliveryRecord.objects.exists()


def test_too_many_files_are_refused(d, personas):
    files = [("sign_in", pdf(f"{i}.pdf")) for i in range(svc.MAX_FILES_PER_REPORT + 1)]
    with pytest.raises(ValidationFailed) as exc:
        report(d, personas.vendor, files=files)
    assert "每次最多上传" in exc.value.fields["files"][0]


# --- near-identical photos across vendors -----------------------------------------------


def test_near_identical_photo_is_flagged_across_vendors(d, personas, orgs, cworld):
    # given vendor A's report with a photo
    first = report(d, personas.vendor, files=[("photo", photo(1))])
    original = first.evidence.get()
    other, other_staff = other_vendor_contract(orgs, personas, cworld)
    item_b = other.items.get(item=cworld.items[0], community=cworld.communities[0])

    # when vendor B reports the same picture, resized and re-encoded, and a
    # different picture
    second = svc.delivery_report(
        contract=other,
        actor=other_staff,
        contract_item=item_b,
        period_start=other.start_on,
        period_end=other.start_on,
        count=3,
        files=[("photo", near_copy(1)), ("photo", photo(2, name="other.jpg"))],
    )

    # then the copy is flagged as a reuse of A's photo, within the threshold
    copy, different = second.evidence.order_by("id")
    assert copy.sha256 != original.sha256
    assert copy.duplicate_of == original
    assert 0 < copy.duplicate_distance <= 6
    # and the different picture is not
    assert different.duplicate_of is None
    assert different.duplicate_distance is None
    # and the buyer's officer is told; the selector lists it for contract B only
    assert Notification.objects.filter(
        user=personas.officer, verb="contract_evidence_duplicate"
    ).exists()
    assert list(sel.duplicate_photos(other)) == [copy]
    assert list(sel.duplicate_photos(d.contract)) == []


def test_exact_same_file_is_flagged_even_added_later(d, personas):
    # given a confirmed-looking earlier report with a photo
    first = report(d, personas.vendor, files=[("photo", photo(3))])
    later = report(d, personas.vendor, item=d.c1b_item)

    # when the vendor adds the very same file to another record
    ev = svc.evidence_add(
        delivery=later, actor=personas.vendor, kind="photo", file=photo(3)
    )

    # then it is flagged at distance 0
    assert ev.duplicate_of == first.evidence.get()
    assert ev.duplicate_distance == 0


def test_zero_threshold_flags_only_exact_hashes(d, personas, orgs):
    # given the street sets the distance to 0
    from catalogue.models import RuleParameter

    RuleParameter.objects.create(
        key="evidence.photo.duplicate_distance",
        jurisdiction=orgs.s1,
        valid_from=dt.date(2000, 1, 1),
        value_type="integer",
        value=0,
    )
    report(d, personas.vendor, files=[("photo", photo(1))])

    # when a near (not identical) copy is reported
    second = report(d, personas.vendor, files=[("photo", near_copy(1))])

    # then it is not flagged
    assert second.evidence.get().duplicate_of is None


# --- the community's review -------------------------------------------------------------


def test_dispute_correct_confirm_flow(d, personas):
    # given a reported record in c1
    record = report(d, personas.vendor, count=12)

    # when c1's staff dispute it without a reason, then with one
    with pytest.raises(ValidationFailed) as exc:
        svc.delivery_dispute(delivery=record, actor=personas.community, reason="  ")
    assert exc.value.fields == {"reason": ["请填写异议理由。"]}
    record = svc.delivery_dispute(
        delivery=record, actor=personas.community, reason="实际只探访了 9 户"
    )

    # then it is disputed and the vendor is told
    assert record.status == "disputed"
    assert record.dispute_reason == "实际只探访了 9 户"
    assert record.reviewed_by == personas.community
    assert Notification.objects.filter(
        user=personas.vendor, verb="contract_delivery_disputed"
    ).exists()
    # and it cannot be confirmed while disputed (409)
    with pytest.raises(TransitionNotAllowed):
        svc.delivery_confirm(delivery=record, actor=personas.community)

    # when the vendor corrects the count (a negative one is refused first)
    with pytest.raises(ValidationFailed):
        svc.delivery_correct(
            delivery=record, actor=personas.vendor, count=-9, notes="更正"
        )
    record = svc.delivery_correct(
        delivery=record, actor=personas.vendor, count=9, notes="更正为 9 户次"
    )

    # then it awaits review again, and the community confirms it
    assert record.status == "reported"
    assert record.count == 9
    assert record.dispute_reason == ""
    record = svc.delivery_confirm(
        delivery=record, actor=personas.community, note="已核"
    )
    assert record.status == "confirmed"
    assert record.reviewed_by == personas.community
    assert record.reviewed_at is not None
    # and every step is audited and in the feed, in order
    assert [e.action for e in audit_events_for(record)][::-1] == [
        "contracts.delivery_report",
        "contracts.delivery_dispute",
        "contracts.delivery_correct",
        "contracts.delivery_confirm",
    ]
    actions = list(
        ContractFeedEntry.objects.filter(contract=d.contract)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "delivery_report",
        "delivery_dispute",
        "delivery_correct",
        "delivery_confirm",
    ]
    # and a confirmed record can be neither withdrawn nor given more evidence
    with pytest.raises(TransitionNotAllowed):
        svc.delivery_withdraw(delivery=record, actor=personas.vendor)
    with pytest.raises(TransitionNotAllowed):
        svc.evidence_add(
            delivery=record, actor=personas.vendor, kind="file", file=pdf()
        )


def test_vendor_withdraws_a_disputed_record(d, personas):
    record = report(d, personas.vendor)
    record = svc.delivery_dispute(
        delivery=record, actor=personas.community, reason="重复填报"
    )

    record = svc.delivery_withdraw(
        delivery=record, actor=personas.vendor, reason="确系重复"
    )

    assert record.status == "withdrawn"
    with pytest.raises(TransitionNotAllowed):
        svc.delivery_correct(delivery=record, actor=personas.vendor, count=1, notes="")


def test_only_the_items_community_reviews(d, personas):
    # given a record in c1
    record = report(d, personas.vendor)

    # when the staff of the neighbouring community c1b, the vendor or the officer
    # try to confirm or dispute it
    for actor in (d.c1b_staff, personas.vendor, personas.officer):
        with pytest.raises(NotPermitted) as exc:
            svc.delivery_confirm(delivery=record, actor=actor)
        assert exc.value.status_code == 403
        with pytest.raises(NotPermitted):
            svc.delivery_dispute(delivery=record, actor=actor, reason="x")

    # then the record is untouched
    record.refresh_from_db()
    assert record.status == "reported"
    # and the neighbour may confirm records of its own community
    own = report(d, personas.vendor, item=d.c1b_item)
    assert svc.delivery_confirm(delivery=own, actor=d.c1b_staff).status == "confirmed"


def test_community_cannot_correct_and_vendor_cannot_confirm(d, personas):
    record = report(d, personas.vendor)
    record = svc.delivery_dispute(
        delivery=record, actor=personas.community, reason="少"
    )
    with pytest.raises(NotPermitted):
        svc.delivery_correct(
            delivery=record, actor=personas.community, count=1, notes=""
        )
    with pytest.raises(NotPermitted):
        svc.delivery_withdraw(delivery=record, actor=personas.community)


def test_evidence_add_checks_the_file_before_writing(d, personas, settings):
    record = report(d, personas.vendor)
    with pytest.raises(ValidationFailed) as exc:
        svc.evidence_add(
            delivery=record,
            actor=personas.vendor,
            kind="photo",
            file=SimpleUploadedFile("x.jpg", PDF),
        )
    assert "file" in exc.value.fields
    assert not Evidence.objects.exists()
    assert media_files(settings) == []
    with pytest.raises(NotPermitted):
        svc.evidence_add(
            delivery=record, actor=personas.community, kind="photo", file=photo()
        )


# --- who sees what ----------------------------------------------------------------------


def test_outsiders_get_not_found_through_the_selector(d, personas):
    record = report(d, personas.vendor)

    # the parties and the buyer's staff see the contract's deliveries
    for user in (personas.vendor, personas.community, personas.officer, personas.dept):
        assert list(sel.deliveries_for(d.contract, user)) == [record]
        assert sel.delivery_get_for_user(record.pk, user) == record

    # another street's officer and another district's admin do not: 404
    for user in (personas.other_officer, personas.outsider, personas.expert):
        with pytest.raises(NotFound):
            sel.deliveries_for(d.contract, user)
        with pytest.raises(NotFound):
            sel.delivery_get_for_user(record.pk, user)
    # and nonsense ids are 404 too
    for bad in ("abc", "-1", "", None, "9" * 40):
        with pytest.raises(NotFound):
            sel.delivery_get_for_user(bad, personas.officer)


def test_allowed_actions_follow_state_and_party(d, personas):
    record = report(d, personas.vendor)
    assert sel.delivery_allowed_actions(personas.community, record) == [
        "confirm",
        "dispute",
    ]
    assert sel.delivery_allowed_actions(personas.vendor, record) == [
        "withdraw",
        "add_evidence",
    ]
    assert sel.delivery_allowed_actions(d.c1b_staff, record) == []


def test_deliveries_list_has_a_fixed_query_count(
    d, personas, django_assert_max_num_queries
):
    for i in range(3):
        report(d, personas.vendor, files=[("photo", photo(10 + i))])

    with django_assert_max_num_queries(5):
        rows = list(sel.deliveries_for(d.contract, personas.officer))
        names = [e.name for r in rows for e in r.evidence.all()]
        labels = [
            (r.contract_item.item.name, r.contract_item.community.name) for r in rows
        ]
    assert len(names) == 3
    assert len(labels) == 3


# --- residual work (社区自办) -----------------------------------------------------------


def residual(d, actor, item=None, **kw):
    kw.setdefault("happened_on", d.start + dt.timedelta(days=1))
    kw.setdefault("hours", "2.5")
    return svc.residual_work_record(
        contract=d.contract,
        actor=actor,
        contract_item=item or d.c1_item,
        description=kw.pop("description", "社区干部自行入户探访"),
        reason=kw.pop("reason", "承接组织人手不足"),
        **kw,
    )


def test_community_staff_record_residual_work_and_summary(d, personas):
    # given c1's staff did the item twice themselves, c1b's staff once
    residual(d, personas.community, hours="2.5")
    residual(d, personas.community, hours=3)
    residual(d, d.c1b_staff, item=d.c1b_item, hours="1.0")

    # when the summary is read
    rows = {r["pk"]: r for r in sel.residual_summary(d.contract)}

    # then per item × community: records and hours, zeros elsewhere
    assert rows[d.c1_item.pk]["residual_records"] == 2
    assert rows[d.c1_item.pk]["residual_hours"] == Decimal("5.5")
    assert rows[d.c1b_item.pk]["residual_records"] == 1
    assert rows[d.c1b_item.pk]["residual_hours"] == Decimal("1.0")
    others = [r for pk, r in rows.items() if pk not in (d.c1_item.pk, d.c1b_item.pk)]
    assert len(others) == d.contract.items.count() - 2
    assert all(r["residual_records"] == 0 and r["residual_hours"] == 0 for r in others)
    assert (
        ContractFeedEntry.objects.filter(
            contract=d.contract, action="residual_work_record"
        ).count()
        == 3
    )


def test_residual_summary_is_one_query(d, personas, django_assert_num_queries):
    residual(d, personas.community)
    with django_assert_num_queries(1):
        sel.residual_summary(d.contract)


def test_residual_work_only_by_the_items_community(d, personas):
    # c1's staff may not record for c1b's item; the vendor and the officer not at all
    with pytest.raises(NotPermitted):
        residual(d, personas.community, item=d.c1b_item)
    for actor in (personas.vendor, personas.officer):
        with pytest.raises(NotPermitted):
            residual(d, actor)
    assert not ResidualWork.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "abc"}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"hours": "NaN"}, "hours"),
        ({"happened_on": "2999-01-01"}, "happened_on"),
        ({"happened_on": "yesterday"}, "happened_on"),
        ({"description": ""}, "description"),
        ({"reason": " "}, "reason"),
    ],
)
def test_residual_work_bad_input(d, personas, kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        residual(d, personas.community, **kwargs)
    assert field in exc.value.fields
    assert not ResidualWork.objects.exists()


def test_residual_work_not_in_the_future(d, personas):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        residual(d, personas.community, happened_on=tomorrow)
    assert exc.value.fields["happened_on"] == ["日期不能晚于今天。"]
