"""The vendor portal: profile edits apply at once, legal-field edits wait for an officer."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import Membership, Notification
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.models import AuditEvent
from vendors import services
from vendors.models import Vendor, VendorChangeRequest

from ..factories import valid_uscc


def _submit(personas, vendor, **data):
    return services.vendor_profile_submit(
        actor=personas.vendor, vendor=vendor, data=data
    )


def test_profile_fields_apply_at_once_without_a_request(personas, vendors):
    # when: the vendor's staff change the address and staff counts
    change = _submit(
        personas, vendors.own, address="武侯区簇锦北路8号", fulltime_staff=11
    )
    # then
    assert change is None
    vendors.own.refresh_from_db()
    assert vendors.own.address == "武侯区簇锦北路8号"
    assert vendors.own.fulltime_staff == 11
    assert AuditEvent.objects.filter(
        action="vendor.profile_update", object_id=str(vendors.own.pk)
    ).exists()


def test_legal_fields_wait_for_an_officer_who_is_notified(personas, vendors):
    # when: the staff change the legal representative
    change = _submit(personas, vendors.own, legal_representative="王芳")
    # then: nothing changes yet; a pending request shows old and new
    vendors.own.refresh_from_db()
    assert vendors.own.legal_representative == "李晓岚"
    assert change.status == "pending"
    assert change.changes == {"legal_representative": ["李晓岚", "王芳"]}
    # and the officer of the street the vendor serves is told
    assert Notification.objects.filter(
        user=personas.officer, verb="vendor_change_request"
    ).exists()
    assert not Notification.objects.filter(user=personas.vendor).exists()


def test_a_second_legal_change_waits_for_the_first(personas, vendors):
    _submit(personas, vendors.own, legal_representative="王芳")
    with pytest.raises(Conflict):
        _submit(personas, vendors.own, legal_representative="赵敏")
    assert VendorChangeRequest.objects.filter(vendor=vendors.own).count() == 1


def test_officer_approves_and_the_register_changes(personas, vendors):
    # given
    change = _submit(personas, vendors.own, legal_representative="王芳")
    # when
    services.vendor_change_approve(actor=personas.officer, request=change)
    # then
    vendors.own.refresh_from_db()
    change.refresh_from_db()
    assert vendors.own.legal_representative == "王芳"
    assert change.status == "approved"
    assert change.decided_by == personas.officer
    assert Notification.objects.filter(
        user=personas.vendor, verb="vendor_change_decided"
    ).exists()


def test_two_officers_deciding_at_once_only_one_wins(personas, vendors):
    # given: both officers loaded the same pending request
    change = _submit(personas, vendors.own, legal_representative="王芳")
    stale = VendorChangeRequest.objects.get(pk=change.pk)
    services.vendor_change_approve(actor=personas.officer, request=change)
    # when: the second decides from the stale copy
    with pytest.raises(TransitionNotAllowed):
        services.vendor_change_reject(
            actor=personas.admin, request=stale, reason="不同意"
        )
    # then: the first decision stands and the register was changed once
    assert VendorChangeRequest.objects.get(pk=change.pk).status == "approved"
    assert AuditEvent.objects.filter(action="vendor.change_approve").count() == 1


def test_reject_needs_a_reason_and_leaves_the_register(personas, vendors):
    change = _submit(personas, vendors.own, legal_representative="王芳")
    with pytest.raises(ValidationFailed) as exc:
        services.vendor_change_reject(
            actor=personas.officer, request=change, reason=" "
        )
    assert "reason" in exc.value.fields
    services.vendor_change_reject(
        actor=personas.officer, request=change, reason="与登记证书不符"
    )
    vendors.own.refresh_from_db()
    assert vendors.own.legal_representative == "李晓岚"
    assert VendorChangeRequest.objects.get(pk=change.pk).reason == "与登记证书不符"


def test_approval_that_no_longer_passes_the_checks_changes_nothing(personas, vendors):
    # given: the staff ask for a credit code that another vendor takes meanwhile
    code = valid_uscc(987654)
    change = _submit(personas, vendors.own, uscc=code)
    Vendor.objects.filter(pk=vendors.other.pk).update(uscc=code)
    # when / then: the approval is refused with the reason, and the request stays pending
    with pytest.raises(ValidationFailed) as exc:
        services.vendor_change_approve(actor=personas.officer, request=change)
    assert "uscc" in exc.value.fields
    assert VendorChangeRequest.objects.get(pk=change.pk).status == "pending"


def test_only_the_vendors_staff_submit_and_only_officers_decide(personas, vendors):
    with pytest.raises(NotPermitted):
        services.vendor_profile_submit(
            actor=personas.officer, vendor=vendors.own, data={"address": "x"}
        )
    change = _submit(personas, vendors.own, legal_representative="王芳")
    for persona in (personas.vendor, personas.community):
        with pytest.raises(NotPermitted):
            services.vendor_change_approve(actor=persona, request=change)


def test_pages_show_the_diff_and_the_buttons_to_officers_only(personas, vendors, web):
    _submit(personas, vendors.own, legal_representative="王芳")
    url = reverse("vendors:vendor-detail", args=[vendors.own.pk])
    officer_html = web(personas.officer).get(url).content.decode()
    vendor_html = web(personas.vendor).get(url).content.decode()
    for html in (officer_html, vendor_html):
        box = html.split('id="change-request"')[1].split("</section>")[0]
        assert "李晓岚" in box
        assert "王芳" in box
    assert 'data-action="approve"' in officer_html
    assert 'data-action="approve"' not in vendor_html


def test_api_profile_and_decision(personas, vendors, api):
    # when: the vendor's staff submit through the API
    response = api(personas.vendor).post(
        reverse("api:vendor-profile", args=[vendors.own.pk]),
        {"legal_representative": "王芳"},
        format="json",
    )
    assert response.status_code == 200
    change = response.json()["change_request"]
    assert change["status"] == "pending"
    assert change["allowed_actions"] == []
    # then: the officer sees approve/reject and approves
    detail = (
        api(personas.officer)
        .get(reverse("api:vendor-change-request-detail", args=[change["id"]]))
        .json()
    )
    assert detail["allowed_actions"] == ["approve", "reject"]
    response = api(personas.officer).post(
        reverse("api:vendor-change-request-approve", args=[change["id"]]),
        {},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    # and approving again is a 409 with the error shape
    again = api(personas.officer).post(
        reverse("api:vendor-change-request-approve", args=[change["id"]]),
        {},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"


def test_street_officer_of_another_street_is_notified_only_if_the_vendor_serves_it(
    personas, vendors, orgs
):
    # the own vendor serves street S1 only: S2's officer hears nothing
    _submit(personas, vendors.own, legal_representative="王芳")
    assert not Notification.objects.filter(user=personas.other_officer).exists()
    assert Membership.objects.filter(
        user=personas.officer, role=Role.STREET_OFFICER, organisation=orgs.s1
    ).exists()
