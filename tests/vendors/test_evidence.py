"""Eligibility documents (type read from the content), credit checks and related persons
with resident ID numbers encrypted at rest and masked for all but district admins."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership
from core.crypto import decrypt_text
from core.exceptions import NotPermitted, ValidationFailed
from core.models import AuditEvent
from vendors import services
from vendors.models import CreditCheck, EligibilityDocument, RelatedPerson

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
ID_NUMBER = "11010519491231002X"
WRONG_ID_NUMBER = "110105194912310021"  # same number, another check digit


def upload(content: bytes, name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def document_data(**overrides) -> dict:
    data = {
        "kind": "tax_clearance",
        "title": "税收完税证明（2026年7–9月）",
        "valid_from": "2026-10-01",
        "valid_until": "2027-01-31",
    }
    data.update(overrides)
    return data


def stored_files(media_root) -> list:
    return (
        [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    )


# --- documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [(PDF, "完税证明.pdf"), (JPEG, "scan.jpg"), (PNG, "scan.png")],
    ids=["pdf", "jpeg", "png"],
)
def test_accepts_pdf_jpeg_and_png(personas, vendors, content, name):
    # when
    doc = services.document_add(
        actor=personas.officer,
        vendor=vendors.own,
        data=document_data(),
        upload=upload(content, name),
    )

    # then
    doc.refresh_from_db()
    assert doc.vendor == vendors.own
    assert doc.valid_until == dt.date(2027, 1, 31)
    assert doc.uploaded_by == personas.officer
    with doc.file.open("rb") as fh:
        assert fh.read() == content
    event = AuditEvent.objects.get(action="vendor.document_add")
    assert event.payload["document"] == doc.pk


def test_own_staff_may_add_a_document(personas, vendors):
    # when
    doc = services.document_add(
        actor=personas.vendor,
        vendor=vendors.own,
        data=document_data(),
        upload=upload(PDF),
    )

    # then
    assert doc.uploaded_by == personas.vendor


def test_staff_of_another_vendor_may_not_add_a_document(personas, vendors):
    # when / then
    with pytest.raises(NotPermitted):
        services.document_add(
            actor=personas.vendor,
            vendor=vendors.other,
            data=document_data(),
            upload=upload(PDF),
        )
    assert not EligibilityDocument.objects.exists()


@pytest.mark.parametrize(
    ("content", "data", "field", "reason"),
    [
        (b"just some text, not a PDF at all", {}, "file", "PDF"),
        (b"", {}, "file", "空"),
        (
            PDF,
            {"valid_from": "2026-10-01", "valid_until": "2026-09-30"},
            "valid_until",
            "早于",
        ),
        (PDF, {"kind": "diploma"}, "kind", "类型"),
    ],
    ids=["text-named-pdf", "empty", "dates-reversed", "unknown-kind"],
)
def test_refuses_bad_evidence_and_saves_nothing(
    personas, vendors, settings, content, data, field, reason
):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.document_add(
            actor=personas.officer,
            vendor=vendors.own,
            data=document_data(**data),
            upload=upload(content, "证明.pdf"),
        )

    # then
    assert list(exc.value.fields) == [field]
    assert reason in str(exc.value.fields[field][0])
    assert EligibilityDocument.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []
    assert not AuditEvent.objects.filter(action="vendor.document_add").exists()


def test_refuses_a_file_above_the_limit(personas, vendors, settings):
    # given
    big = PDF + b"0" * 200

    # when
    with (
        override_settings(EVIDENCE_MAX_BYTES=100),
        pytest.raises(ValidationFailed) as exc,
    ):
        services.document_add(
            actor=personas.officer,
            vendor=vendors.own,
            data=document_data(),
            upload=upload(big),
        )

    # then
    assert list(exc.value.fields) == ["file"]
    assert "过大" in str(exc.value.fields["file"][0])
    assert EligibilityDocument.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_accepts_a_file_exactly_at_the_limit(personas, vendors):
    # given
    exact = (PDF + b"0" * 100)[:100]

    # when
    with override_settings(EVIDENCE_MAX_BYTES=100):
        doc = services.document_add(
            actor=personas.officer,
            vendor=vendors.own,
            data=document_data(),
            upload=upload(exact),
        )

    # then
    assert doc.file.size == 100


# --- credit checks ----------------------------------------------------------------------


def credit_data(**overrides) -> dict:
    data = {
        "list_kind": "dishonest_executed",
        "channel": "信用中国（www.creditchina.gov.cn）",
        "checked_at": timezone.now() - dt.timedelta(hours=1),
        "result": "clear",
    }
    data.update(overrides)
    return data


def test_officer_records_a_credit_check(personas, vendors):
    # when
    check = services.credit_check_record(
        actor=personas.officer, vendor=vendors.own, data=credit_data()
    )

    # then
    check.refresh_from_db()
    assert check.checked_by == personas.officer
    assert check.result == "clear"
    assert AuditEvent.objects.filter(
        action="vendor.credit_check", object_id=str(vendors.own.pk)
    ).exists()


def test_vendor_cannot_clear_itself(personas, vendors):
    # when / then
    with pytest.raises(NotPermitted):
        services.credit_check_record(
            actor=personas.vendor, vendor=vendors.own, data=credit_data()
        )
    assert not CreditCheck.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"checked_at": timezone.now() + dt.timedelta(days=1)}, "checked_at"),
        ({"list_kind": "bad_neighbours"}, "list_kind"),
        ({"result": "maybe"}, "result"),
        ({"channel": " "}, "channel"),
    ],
    ids=["future", "unknown-list", "unknown-result", "no-channel"],
)
def test_refuses_a_bad_credit_check(personas, vendors, overrides, field):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.credit_check_record(
            actor=personas.officer, vendor=vendors.own, data=credit_data(**overrides)
        )

    # then
    assert list(exc.value.fields) == [field]
    assert not CreditCheck.objects.exists()


# --- related persons --------------------------------------------------------------------


@pytest.fixture
def person(personas, vendors):
    return services.related_person_add(
        actor=personas.officer,
        vendor=vendors.own,
        data={"name": "张三", "role": "founder", "id_number": ID_NUMBER},
    )


def test_refuses_a_wrong_id_number(personas, vendors):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.related_person_add(
            actor=personas.officer,
            vendor=vendors.own,
            data={"name": "张三", "role": "founder", "id_number": WRONG_ID_NUMBER},
        )

    # then
    assert list(exc.value.fields) == ["id_number"]
    assert "身份证" in str(exc.value.fields["id_number"][0])
    assert not RelatedPerson.objects.exists()


def test_id_number_is_stored_encrypted(person):
    # when
    row = RelatedPerson.objects.filter(pk=person.pk).values().get()

    # then: no column holds the number or its first 14 characters
    for value in row.values():
        assert ID_NUMBER not in str(value)
        assert ID_NUMBER[:14] not in str(value)
    assert row["id_number_encrypted"]
    assert decrypt_text(row["id_number_encrypted"]) == ID_NUMBER


def test_masked_number_shows_only_the_last_four_characters(person):
    # when
    masked = RelatedPerson.objects.get(pk=person.pk).masked_id_number

    # then
    assert masked.endswith(ID_NUMBER[-4:])
    assert set(masked[:-4]) == {"*"}
    assert len(masked) == len(ID_NUMBER)


def test_lowercase_check_letter_is_accepted_and_stored_uppercase(personas, vendors):
    # when
    p = services.related_person_add(
        actor=personas.officer,
        vendor=vendors.own,
        data={"name": "李四", "role": "director", "id_number": ID_NUMBER.lower()},
    )

    # then
    assert RelatedPerson.objects.get(pk=p.pk).id_number_plain == ID_NUMBER


def test_audit_payload_does_not_contain_the_id_number(person):
    # when
    event = AuditEvent.objects.get(action="vendor.related_person_add")

    # then
    text = (
        json.dumps(event.payload, ensure_ascii=False)
        + event.comment
        + event.object_repr
    )
    assert ID_NUMBER not in text
    assert ID_NUMBER[:14] not in text
    assert event.payload["person"] == person.pk


def api_id_numbers(client, vendor) -> list[str]:
    response = client.get(reverse("api:vendor-detail", args=[vendor.pk]))
    assert response.status_code == 200, response.content
    return [p["id_number"] for p in response.json()["related_persons"]]


def test_api_shows_the_full_number_to_the_district_admin(
    api, personas, vendors, person
):
    assert api_id_numbers(api(personas.admin), vendors.own) == [ID_NUMBER]


@pytest.mark.parametrize("persona", ["officer", "vendor"])
def test_api_shows_the_masked_number_to_everyone_else(
    api, personas, vendors, person, persona
):
    # when
    numbers = api_id_numbers(api(getattr(personas, persona)), vendors.own)

    # then
    assert numbers == [person.masked_id_number]
    assert ID_NUMBER not in numbers[0]


def test_detail_page_shows_the_full_number_to_the_admin_only(
    web, personas, vendors, person
):
    # when
    url = reverse("vendors:vendor-detail", args=[vendors.own.pk])
    admin_page = web(personas.admin).get(url)
    officer_page = web(personas.officer).get(url)

    # then
    assert admin_page.status_code == officer_page.status_code == 200
    assert ID_NUMBER in admin_page.content.decode()
    officer_html = officer_page.content.decode()
    assert ID_NUMBER not in officer_html
    assert ID_NUMBER[:14] not in officer_html
    assert person.masked_id_number in officer_html


def test_admin_of_another_district_sees_masked_numbers(
    api, personas, vendors, orgs, person
):
    # given: D2's admin also holds a reader role in D1
    Membership.objects.create(
        user=personas.outsider, organisation=orgs.c1, role=Role.COMMUNITY_STAFF
    )

    # when
    numbers = api_id_numbers(api(personas.outsider), vendors.own)

    # then
    assert numbers == [person.masked_id_number]
