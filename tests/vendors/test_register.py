"""Registering and changing suppliers in the district register, and who sees them."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership, Organisation
from core.exceptions import NotFound, NotPermitted, ValidationFailed
from core.models import AuditEvent
from vendors import services
from vendors.models import Vendor
from vendors.selectors import vendor_get_for_user

from ..factories import user_with_role, valid_uscc

CJK = re.compile(r"[\u4e00-\u9fff]")


def payload(**overrides) -> dict:
    """Raw input for a valid social service agency."""
    data = {
        "name": "成都市新桥社会工作服务中心",
        "short_name": "新桥社工",
        "org_type": "social_service_agency",
        "uscc": valid_uscc(4242),
        "registration_authority": "成都市武侯区民政局",
        "registration_date": "2015-03-02",
        "legal_representative": "周明",
        "address": "成都市武侯区新桥路1号",
        "streets": ["D1-S1"],
        "communities": ["D1-S1-C1"],
        "fulltime_staff": 6,
        "parttime_staff": 2,
        "volunteers": 30,
    }
    data.update(overrides)
    return data


def wrong_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


BAD_CHECK = wrong_check_character(valid_uscc(4242))


def refusal(orgs, **overrides) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        services.vendor_create(actor=None, district=orgs.d1, data=payload(**overrides))
    return exc.value


# --- vendor_create ----------------------------------------------------------------------


def test_creates_a_social_service_agency_under_the_district(orgs, personas):
    # given
    data = payload()

    # when
    vendor = services.vendor_create(actor=personas.admin, district=orgs.d1, data=data)

    # then
    vendor.refresh_from_db()
    org = vendor.organisation
    assert org.kind == OrganisationKind.VENDOR
    assert org.parent == orgs.d1
    assert org.path == f"{orgs.d1.path}{org.code}/"
    assert re.fullmatch(r"D1-V\d{4}", org.code)
    assert org.name == data["name"]
    assert org.short_name == data["short_name"]
    assert vendor.uscc == data["uscc"]
    assert vendor.registration_date == dt.date(2015, 3, 2)
    assert list(vendor.streets.all()) == [orgs.s1]
    assert list(vendor.communities.all()) == [orgs.c1]
    event = AuditEvent.objects.get(action="vendor.create", object_id=str(vendor.pk))
    assert event.actor == personas.admin
    assert event.payload["uscc"] == data["uscc"]


def test_numbers_new_vendors_after_the_highest_code_of_the_district(orgs):
    # given
    first = services.vendor_create(actor=None, district=orgs.d1, data=payload())

    # when
    second = services.vendor_create(
        actor=None,
        district=orgs.d1,
        data=payload(name="第二家社工中心", uscc=valid_uscc(4243)),
    )

    # then
    n1 = int(first.organisation.code.removeprefix("D1-V"))
    n2 = int(second.organisation.code.removeprefix("D1-V"))
    assert n2 == n1 + 1
    assert re.fullmatch(r"D1-V\d{4}", second.organisation.code)


def test_lowercase_and_spaced_code_is_normalised(orgs):
    # given
    code = valid_uscc(4244)
    spaced = f"{code[:9]} {code[9:]}".lower()

    # when
    vendor = services.vendor_create(
        actor=None, district=orgs.d1, data=payload(uscc=spaced)
    )

    # then
    assert vendor.uscc == code


def test_community_filed_organisation_needs_no_credit_code(orgs):
    # when
    vendor = services.vendor_create(
        actor=None,
        district=orgs.d1,
        data=payload(
            name="铁佛社区志愿者协会",
            org_type="community_filed",
            uscc="",
            registration_date="",
        ),
    )

    # then
    vendor.refresh_from_db()
    assert vendor.uscc is None
    assert vendor.org_type == "community_filed"


def test_registered_organisation_without_credit_code_is_refused(orgs):
    # when
    exc = refusal(orgs, uscc="")

    # then
    assert list(exc.fields) == ["uscc"]
    assert CJK.search(str(exc.fields["uscc"][0]))


def test_refuses_a_wrong_check_character(orgs):
    # given
    code = wrong_check_character(valid_uscc(4242))

    # when
    exc = refusal(orgs, uscc=code)

    # then
    assert list(exc.fields) == ["uscc"]
    message = str(exc.fields["uscc"][0])
    assert code in message
    assert "校验位" in message


def test_refuses_a_code_another_vendor_uses_and_names_it(orgs, vendors):
    # when
    exc = refusal(orgs, uscc=vendors.other.uscc)

    # then
    assert list(exc.fields) == ["uscc"]
    assert vendors.other.name in str(exc.fields["uscc"][0])


def test_refuses_a_missing_name(orgs):
    # when
    exc = refusal(orgs, name="   ")

    # then
    assert list(exc.fields) == ["name"]
    assert CJK.search(str(exc.fields["name"][0]))


def test_refuses_a_registration_date_in_the_future(orgs):
    # given
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    # when
    exc = refusal(orgs, registration_date=tomorrow.isoformat())

    # then
    assert list(exc.fields) == ["registration_date"]
    assert "今天" in str(exc.fields["registration_date"][0])


def test_accepts_a_registration_date_of_today(orgs):
    # when
    vendor = services.vendor_create(
        actor=None,
        district=orgs.d1,
        data=payload(registration_date=timezone.localdate().isoformat()),
    )

    # then
    assert vendor.registration_date == timezone.localdate()


@pytest.mark.parametrize(
    "street",
    ["D1-S9", "D2-S1", "D1-S1-C1"],
    ids=["unknown", "other-district", "not-a-street"],
)
def test_refuses_a_street_outside_the_district(orgs, street):
    # when
    exc = refusal(orgs, streets=[street], communities=[])

    # then
    assert list(exc.fields) == ["streets"]
    message = str(exc.fields["streets"][0])
    assert street in message
    assert CJK.search(message)


def test_refuses_a_community_outside_the_chosen_streets(orgs):
    # when: 玉林北路社区 belongs to 玉林街道, not 簇锦街道
    exc = refusal(orgs, streets=["D1-S1"], communities=["D1-S2-C1"])

    # then
    assert list(exc.fields) == ["communities"]
    assert orgs.c2.name in str(exc.fields["communities"][0])


@pytest.mark.parametrize("field", ["fulltime_staff", "parttime_staff", "volunteers"])
def test_refuses_negative_staff_counts(orgs, field):
    # when
    exc = refusal(orgs, **{field: -1})

    # then
    assert list(exc.fields) == [field]
    assert CJK.search(str(exc.fields[field][0]))


def test_refuses_a_grade_without_a_date(orgs):
    # when
    exc = refusal(orgs, grade="4A", graded_on=None)

    # then
    assert list(exc.fields) == ["graded_on"]
    assert CJK.search(str(exc.fields["graded_on"][0]))


def test_names_every_field_at_fault_at_once(orgs):
    # when
    exc = refusal(orgs, name="", fulltime_staff=-3, grade="4A")

    # then
    assert set(exc.fields) == {"name", "fulltime_staff", "graded_on"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"uscc": BAD_CHECK},
        {"name": ""},
        {"registration_date": "2999-01-01"},
        {"streets": ["D2-S1"], "communities": []},
        {"communities": ["D1-S2-C1"]},
        {"volunteers": -5},
        {"grade": "3A"},
    ],
    ids=["check", "name", "future", "street", "community", "staff", "grade"],
)
def test_a_refused_registration_creates_nothing(orgs, overrides):
    # given
    organisations, vendors_before = Organisation.objects.count(), Vendor.objects.count()
    events = AuditEvent.objects.count()

    # when
    refusal(orgs, **overrides)

    # then
    assert Organisation.objects.count() == organisations
    assert Vendor.objects.count() == vendors_before
    assert AuditEvent.objects.count() == events


def test_a_concurrent_registration_of_the_same_code_leaves_no_organisation_behind(
    orgs, vendors
):
    # given: between the duplicate check and the insert, another vendor takes the code
    code = valid_uscc(4242)
    real_clean = services.clean_vendor_data

    def clean_then_race(*args, **kwargs):
        out = real_clean(*args, **kwargs)
        Vendor.objects.filter(pk=vendors.outside.pk).update(uscc=code)
        return out

    organisations = Organisation.objects.count()

    # when
    with (
        mock.patch.object(services, "clean_vendor_data", clean_then_race),
        pytest.raises(ValidationFailed) as exc,
    ):
        services.vendor_create(actor=None, district=orgs.d1, data=payload(uscc=code))

    # then
    assert list(exc.value.fields) == ["uscc"]
    assert Organisation.objects.count() == organisations
    assert not Organisation.objects.filter(name=payload()["name"]).exists()
    assert not AuditEvent.objects.filter(action="organisation.create").exists()


def test_vendor_staff_cannot_register_a_vendor(orgs, personas):
    # when / then
    with pytest.raises(NotPermitted):
        services.vendor_create(actor=personas.vendor, district=orgs.d1, data=payload())
    assert not Organisation.objects.filter(name=payload()["name"]).exists()


# --- vendor_update ----------------------------------------------------------------------


def test_update_records_old_and_new_of_changed_fields_only(personas, vendors):
    # given
    vendor = vendors.own
    old_staff, old_rep = vendor.fulltime_staff, vendor.legal_representative

    # when
    services.vendor_update(
        actor=personas.officer,
        vendor=vendor,
        data={
            "fulltime_staff": old_staff + 3,
            "legal_representative": old_rep,  # given, but unchanged
            "address": "成都市武侯区簇锦路2号",
        },
    )

    # then
    vendor.refresh_from_db()
    assert vendor.fulltime_staff == old_staff + 3
    assert vendor.address == "成都市武侯区簇锦路2号"
    event = AuditEvent.objects.get(action="vendor.update", object_id=str(vendor.pk))
    assert event.actor == personas.officer
    assert event.payload["changes"] == {
        "fulltime_staff": [old_staff, old_staff + 3],
        "address": ["", "成都市武侯区簇锦路2号"],
    }


def test_update_records_a_changed_name_and_streets(personas, vendors, orgs):
    # given
    vendor = vendors.own
    old_name = vendor.name

    # when
    services.vendor_update(
        actor=personas.admin,
        vendor=vendor,
        data={"name": "同行社会工作服务中心（更名）", "streets": ["D1-S1", "D1-S2"]},
    )

    # then
    vendor.refresh_from_db()
    assert vendor.organisation.name == "同行社会工作服务中心（更名）"
    changes = AuditEvent.objects.get(action="vendor.update").payload["changes"]
    assert changes == {
        "name": [old_name, "同行社会工作服务中心（更名）"],
        "streets": [["D1-S1"], ["D1-S1", "D1-S2"]],
    }


def test_update_without_changes_records_no_event(personas, vendors):
    # when
    services.vendor_update(
        actor=personas.officer,
        vendor=vendors.own,
        data={"fulltime_staff": vendors.own.fulltime_staff},
    )

    # then
    assert not AuditEvent.objects.filter(action="vendor.update").exists()


def test_refused_update_changes_nothing(personas, vendors):
    # given
    vendor = vendors.own
    before = vendor.fulltime_staff

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.vendor_update(
            actor=personas.officer,
            vendor=vendor,
            data={"fulltime_staff": before + 1, "uscc": vendors.other.uscc},
        )

    # then
    assert list(exc.value.fields) == ["uscc"]
    vendor.refresh_from_db()
    assert vendor.fulltime_staff == before
    assert not AuditEvent.objects.filter(action="vendor.update").exists()


def test_vendor_may_keep_its_own_credit_code_on_update(personas, vendors):
    # when
    updated = services.vendor_update(
        actor=personas.officer,
        vendor=vendors.own,
        data={"uscc": vendors.own.uscc, "volunteers": 12},
    )

    # then
    assert updated.volunteers == 12


def test_own_staff_cannot_update_their_vendor(personas, vendors):
    # given
    vendor = vendors.own

    # when
    with pytest.raises(NotPermitted):
        services.vendor_update(
            actor=personas.vendor, vendor=vendor, data={"name": "自己改的名字"}
        )

    # then
    vendor.refresh_from_db()
    assert vendor.organisation.name != "自己改的名字"


def test_another_districts_admin_cannot_fetch_the_vendor(personas, vendors):
    # when / then
    with pytest.raises(NotFound):
        vendor_get_for_user(vendors.own.pk, personas.outsider)
    with pytest.raises(NotFound):
        vendor_get_for_user(vendors.own.pk, personas.outsider, "change")


def test_another_districts_admin_cannot_update_the_vendor(personas, vendors):
    # when / then
    with pytest.raises(NotPermitted):
        services.vendor_update(
            actor=personas.outsider, vendor=vendors.own, data={"volunteers": 1}
        )


# --- visibility -------------------------------------------------------------------------


def visible(user) -> set[int]:
    return set(Vendor.objects.visible_to(user).values_list("pk", flat=True))


def test_vendor_staff_see_exactly_their_own_vendor(personas, vendors):
    assert visible(personas.vendor) == {vendors.own.pk}


@pytest.mark.parametrize("persona", ["officer", "community", "admin", "auditor"])
def test_district_staff_see_the_districts_vendors_only(personas, vendors, persona):
    assert visible(getattr(personas, persona)) == {vendors.own.pk, vendors.other.pk}


def test_other_districts_admin_sees_only_that_districts_vendors(personas, vendors):
    assert visible(personas.outsider) == {vendors.outside.pk}


@pytest.mark.parametrize("persona", ["expert", "assessor"])
def test_roles_outside_the_register_see_no_vendor(personas, vendors, persona):
    assert visible(getattr(personas, persona)) == set()


def test_editor_role_in_one_district_gives_no_edit_right_in_another(orgs, vendors):
    # given: an officer of D2's street who is an auditor (a reader only) in D1
    user = user_with_role(Role.STREET_OFFICER, orgs.s3, username="p_two_hats")
    Membership.objects.create(user=user, organisation=orgs.d1, role=Role.AUDITOR)

    # when / then: D1's vendors are readable but not changeable
    assert visible(user) >= {vendors.own.pk, vendors.other.pk}
    assert not Vendor.objects.visible_to(user, "change").filter(pk=vendors.own.pk)
    with pytest.raises(NotPermitted):
        services.vendor_update(actor=user, vendor=vendors.own, data={"volunteers": 1})
