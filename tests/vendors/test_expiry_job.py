"""The daily job that finds expired eligibility documents and tells the people responsible,
and the notifications it leaves (page and API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Notification
from accounts.services import notify
from core.models import AuditEvent
from vendors import services
from vendors.models import EligibilityDocument
from vendors.tasks import documents_expire_task

from ..factories import user_with_role

ON = dt.date(2026, 11, 23)


def add_document(vendor, valid_until, kind="tax_clearance", title="税收完税证明"):
    return EligibilityDocument.objects.create(
        vendor=vendor, kind=kind, title=title, valid_until=valid_until
    )


def notified(verb="document_expired") -> set[str]:
    return set(
        Notification.objects.filter(verb=verb).values_list("user__username", flat=True)
    )


@pytest.fixture
def with_emails(personas):
    """The vendor's staff and the street officer have an address; nobody else does."""
    for user, email in (
        (personas.vendor, "staff@tongxing.example"),
        (personas.officer, "officer@cujin.example"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    return personas


def test_notifies_the_vendors_staff_and_its_street_officers(
    vendors, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    # given: V1 serves 簇锦街道 only
    doc = add_document(vendors.own, ON - dt.timedelta(days=1))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        count = services.documents_expire(on=ON)

    # then
    assert count == 1
    assert notified() == {"p_vendor", "p_officer"}
    n = Notification.objects.filter(user=with_emails.vendor).get()
    assert vendors.own.name in n.title
    assert doc.title in n.title
    assert n.link == reverse("vendors:vendor-detail", args=[vendors.own.pk])
    assert sorted(m.to[0] for m in mailoutbox) == [
        "officer@cujin.example",
        "staff@tongxing.example",
    ]
    assert all(doc.title in m.subject for m in mailoutbox)
    doc.refresh_from_db()
    assert doc.expiry_notified_on == ON


def test_only_users_with_an_email_get_mail(
    vendors, personas, mailoutbox, django_capture_on_commit_callbacks
):
    # given: only the officer has an address
    personas.officer.email = "officer@cujin.example"
    personas.officer.save(update_fields=["email"])
    add_document(vendors.own, ON - dt.timedelta(days=3))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.documents_expire(on=ON)

    # then: both are notified in the app, only one by mail
    assert notified() == {"p_vendor", "p_officer"}
    assert [m.to for m in mailoutbox] == [["officer@cujin.example"]]


def test_staff_of_other_vendors_and_other_streets_are_not_told(vendors, personas, orgs):
    # given: staff of V2 and a second officer of 簇锦街道
    other_staff = user_with_role(Role.VENDOR_STAFF, vendors.other.organisation)
    second_officer = user_with_role(Role.STREET_OFFICER, orgs.s1)
    add_document(vendors.own, ON - dt.timedelta(days=1))

    # when
    services.documents_expire(on=ON)

    # then
    assert notified() == {"p_vendor", "p_officer", second_officer.username}
    assert other_staff.username not in notified()


def test_vendor_serving_no_street_tells_the_district_admins(vendors, personas):
    # given
    vendors.own.streets.clear()
    add_document(vendors.own, ON - dt.timedelta(days=1))

    # when
    services.documents_expire(on=ON)

    # then
    assert notified() == {"p_vendor", "p_admin"}


def test_second_run_the_same_day_or_the_next_does_nothing(
    vendors, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    add_document(vendors.own, ON - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.documents_expire(on=ON)
    notifications, mails = Notification.objects.count(), len(mailoutbox)
    events = AuditEvent.objects.filter(action="vendor.document_expired").count()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        again = services.documents_expire(on=ON)
        next_day = services.documents_expire(on=ON + dt.timedelta(days=1))

    # then
    assert (again, next_day) == (0, 0)
    assert Notification.objects.count() == notifications
    assert len(mailoutbox) == mails
    assert AuditEvent.objects.filter(action="vendor.document_expired").count() == events


def test_renewed_document_that_expires_again_is_notified_again(vendors, personas):
    # given: notified once, then renewed
    doc = add_document(vendors.own, ON - dt.timedelta(days=1))
    services.documents_expire(on=ON)
    doc.valid_until = ON + dt.timedelta(days=30)
    doc.save()

    # when: still valid, then expired again
    while_valid = services.documents_expire(on=ON + dt.timedelta(days=10))
    after = services.documents_expire(on=ON + dt.timedelta(days=31))

    # then
    assert (while_valid, after) == (0, 1)
    assert Notification.objects.filter(user=personas.vendor).count() == 2
    doc.refresh_from_db()
    assert doc.expiry_notified_on == ON + dt.timedelta(days=31)


def test_document_not_expired_is_untouched(vendors):
    # given: valid until the day itself (inclusive), or open-ended
    today = add_document(vendors.own, ON)
    forever = add_document(vendors.own, None, kind="charter", title="章程")

    # when
    count = services.documents_expire(on=ON)

    # then
    assert count == 0
    assert not Notification.objects.exists()
    for doc in (today, forever):
        doc.refresh_from_db()
        assert doc.expiry_notified_on is None
    assert not AuditEvent.objects.filter(action="vendor.document_expired").exists()


def test_records_a_system_event_per_document(vendors):
    # given
    docs = [
        add_document(vendors.own, ON - dt.timedelta(days=1)),
        add_document(
            vendors.other, ON - dt.timedelta(days=40), kind="social_insurance"
        ),
    ]

    # when
    services.documents_expire(on=ON)

    # then
    events = AuditEvent.objects.filter(action="vendor.document_expired")
    assert sorted(e.payload["document"] for e in events) == sorted(d.pk for d in docs)
    assert all(e.actor is None and e.actor_repr == "system" for e in events)
    assert {e.object_id for e in events} == {str(vendors.own.pk), str(vendors.other.pk)}
    by_doc = {e.payload["document"]: e.payload["valid_until"] for e in events}
    assert by_doc == {d.pk: d.valid_until.isoformat() for d in docs}


def test_task_expires_documents_as_of_today(
    vendors, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    today = timezone.localdate()
    expired = add_document(vendors.own, today - dt.timedelta(days=1))
    valid = add_document(vendors.own, today, kind="social_insurance")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = documents_expire_task.apply()

    # then
    assert result.successful()
    assert result.get() == 1
    assert notified() == {"p_vendor", "p_officer"}
    assert len(mailoutbox) == 2
    expired.refresh_from_db()
    valid.refresh_from_db()
    assert expired.expiry_notified_on == today
    assert valid.expiry_notified_on is None
    assert documents_expire_task() == 0


def test_rolled_back_run_sends_no_mail(
    vendors, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    # given: the notification is left, but the transaction fails afterwards
    from django.db import transaction

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(users=[with_emails.vendor], verb="x", title="t")
                raise RuntimeError
        except RuntimeError:
            pass

    # then
    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.filter(verb="x").exists()


# --- notifications page and API ---------------------------------------------------------


@pytest.fixture
def expired_notices(vendors, personas):
    add_document(vendors.own, ON - dt.timedelta(days=1), title="税收完税证明")
    add_document(
        vendors.own,
        ON - dt.timedelta(days=2),
        kind="social_insurance",
        title="社保缴费证明",
    )
    services.documents_expire(on=ON)
    return list(Notification.objects.filter(user=personas.vendor).order_by("pk"))


def test_page_lists_notifications_with_unread_count(web, personas, expired_notices):
    # when
    response = web(personas.vendor).get(reverse("accounts:notification-list"))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    for n in expired_notices:
        assert n.title in html
    assert f'id="unread-count">{len(expired_notices)}<' in html


def test_page_post_marks_all_read(web, personas, expired_notices):
    # given
    client = web(personas.vendor)

    # when
    response = client.post(reverse("accounts:notification-list"))

    # then
    assert response.status_code == 302
    assert not Notification.objects.filter(
        user=personas.vendor, read_at__isnull=True
    ).exists()
    assert (
        'id="unread-count"'
        not in client.get(reverse("accounts:notification-list")).content.decode()
    )
    # the officer's copies stay unread
    assert (
        Notification.objects.filter(user=personas.officer, read_at__isnull=True).count()
        == 2
    )


def test_api_lists_unread_notifications_of_the_user(api, personas, expired_notices):
    # given
    first, second = expired_notices
    first.read_at = timezone.now()
    first.save()

    # when
    response = api(personas.vendor).get(
        reverse("api:notification-list"), {"unread": "true"}
    )

    # then
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [second.pk]


def test_api_marks_the_given_notifications_read_and_no_others(
    api, personas, expired_notices
):
    # given
    first, second = expired_notices
    officers = list(Notification.objects.filter(user=personas.officer))

    # when
    response = api(personas.vendor).post(
        reverse("api:notification-read"),
        {"ids": [first.pk, officers[0].pk]},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json() == {"marked": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert not Notification.objects.filter(
        user=personas.officer, read_at__isnull=False
    ).exists()


def test_api_never_shows_another_users_notifications(api, personas, expired_notices):
    # given
    officers = Notification.objects.filter(user=personas.officer)

    # when
    listing = api(personas.vendor).get(reverse("api:notification-list"))
    detail = api(personas.vendor).get(
        reverse("api:notification-detail", args=[officers[0].pk])
    )

    # then
    assert {r["id"] for r in listing.json()["results"]} == {
        n.pk for n in expired_notices
    }
    assert detail.status_code == 404


def test_api_marks_all_read_when_no_ids_are_given(api, personas, expired_notices):
    # when
    response = api(personas.vendor).post(
        reverse("api:notification-read"), {}, format="json"
    )

    # then
    assert response.json() == {"marked": len(expired_notices)}
    assert (
        Notification.objects.filter(user=personas.officer, read_at__isnull=True).count()
        == 2
    )
