"""邀请比选 and the admission list: a 比选 may invite organisations and the list bars
an eliminated one until its cooling-off date (PM-11); in 公开招标 and 磋商 the list
is shown and never enforced (PM-12, 财办库〔2021〕14号)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from core.events import audit_events_for
from core.exceptions import Conflict, NotPermitted, ValidationFailed
from procurement import services
from procurement.choices import BidStatus
from procurement.models import Invitation
from vendors.choices import Standing
from vendors.models import VendorStanding

from .conftest import DAY0, at

BIXUAN_NOTE = "比选不属于政府采购，准入名单中被淘汰且在冷却期内的组织不得受邀。"
PM12_NOTE = "准入名单仅供参考：政府采购活动中不得以名单限制供应商参加（财办库〔2021〕14号，PM-12）。"


def eliminate(vendor, district, *, decided_on, until, year=2025):
    return VendorStanding.objects.create(
        vendor=vendor,
        district=district,
        year=year,
        standing=Standing.ELIMINATE,
        decided_on=decided_on,
        cooling_off_until=until,
        source="2025年度准入名单",
    )


def invite(personas, project, vendor, **kw):
    kw.setdefault("on", DAY0)
    kw.setdefault("now", at(DAY0))
    return services.project_invite(
        actor=personas.officer, project=project, vendor=vendor, **kw
    )


def _fields(exc_info) -> dict:
    return {k: " ".join(str(m) for m in v) for k, v in exc_info.value.fields.items()}


# --- inviting --------------------------------------------------------------------------


def test_officer_invites_an_organisation_to_a_bixuan(flow, personas, world):
    # given: a draft 比选
    project = flow.create(method="bixuan")
    vendor = world.bidders[1]
    # when
    invitation = invite(personas, project, vendor, note="曾承接同类服务")
    # then: recorded, audited, and the organisation's staff are told
    assert invitation.invited_by == personas.officer
    assert list(project.invitations.values_list("vendor", flat=True)) == [vendor.pk]
    event = audit_events_for(project).filter(action="procurement.invite").get()
    assert event.payload["vendor"] == vendor.pk
    assert Notification.objects.filter(
        user=world.staff[vendor.pk], verb="procurement.invite"
    ).exists()


def test_a_second_invitation_of_the_same_organisation_is_refused(flow, personas, world):
    project = flow.create(method="bixuan")
    invite(personas, project, world.bidders[1])
    with pytest.raises(Conflict) as exc:
        invite(personas, project, world.bidders[1])
    assert exc.value.code == "already_invited"
    assert project.invitations.count() == 1


def test_an_eliminated_organisation_in_its_cooling_off_is_refused_with_the_reason(
    flow, personas, world, orgs
):
    # given: the organisation was eliminated from D1's list, cooling off for a year
    project = flow.create(method="bixuan")
    vendor = world.bidders[2]
    eliminate(
        vendor,
        orgs.d1,
        decided_on=DAY0 - dt.timedelta(days=30),
        until=DAY0 + dt.timedelta(days=335),
    )
    # when / then: refused on the vendor field, with the year and the date
    with pytest.raises(ValidationFailed) as exc:
        invite(personas, project, vendor)
    reason = _fields(exc)["vendor"]
    assert "被淘汰" in reason
    assert (DAY0 + dt.timedelta(days=335)).isoformat() in reason
    assert not Invitation.objects.exists()


def test_the_same_organisation_may_be_invited_from_its_cooling_off_date(
    flow, personas, world, orgs
):
    project = flow.create(method="bixuan")
    vendor = world.bidders[2]
    until = DAY0 + dt.timedelta(days=10)
    eliminate(vendor, orgs.d1, decided_on=DAY0 - dt.timedelta(days=30), until=until)
    with pytest.raises(ValidationFailed):
        invite(personas, project, vendor, on=until - dt.timedelta(days=1))
    invitation = invite(personas, project, vendor, on=until)
    assert invitation.vendor == vendor


def test_another_districts_elimination_does_not_bar(flow, personas, world, orgs):
    project = flow.create(method="bixuan")
    vendor = world.bidders[2]
    eliminate(
        vendor,
        orgs.d2,
        decided_on=DAY0 - dt.timedelta(days=30),
        until=DAY0 + dt.timedelta(days=300),
    )
    assert invite(personas, project, vendor).vendor == vendor


def test_an_organisation_that_is_not_active_is_refused(flow, personas, world):
    project = flow.create(method="bixuan")
    vendor = world.bidders[3]
    vendor.status = "suspended"
    vendor.save(update_fields=["status"])
    with pytest.raises(ValidationFailed) as exc:
        invite(personas, project, vendor)
    assert "状态" in _fields(exc)["vendor"]


@pytest.mark.parametrize("method", ["cuoshang", "tender"])
def test_government_procurement_takes_no_invitations(flow, personas, world, method):
    project = flow.create(method=method)
    with pytest.raises(Conflict) as exc:
        invite(personas, project, world.bidders[1])
    assert exc.value.code == "not_bixuan"
    assert "PM-12" in str(exc.value.message)


@pytest.mark.parametrize("persona", ["other_officer", "vendor", "auditor"])
def test_only_the_buyers_officers_invite(flow, personas, world, persona):
    project = flow.create(method="bixuan")
    with pytest.raises(NotPermitted):
        services.project_invite(
            actor=getattr(personas, persona),
            project=project,
            vendor=world.bidders[1],
            on=DAY0,
        )


def test_no_invitation_or_removal_after_the_deadline(flow, personas, world):
    project = flow.create(method="bixuan")
    invite(personas, project, world.bidders[0])
    flow.announce()
    after = flow.deadline + dt.timedelta(minutes=1)
    with pytest.raises(Conflict) as exc:
        invite(personas, project, world.bidders[1], now=after)
    assert exc.value.code == "deadline_passed"
    with pytest.raises(Conflict):
        services.project_uninvite(
            actor=personas.officer,
            project=project,
            vendor=world.bidders[0],
            now=after,
        )
    assert project.invitations.count() == 1


def test_an_invitation_is_removed_before_the_deadline_and_audited(
    flow, personas, world
):
    project = flow.create(method="bixuan")
    invite(personas, project, world.bidders[1])
    services.project_uninvite(
        actor=personas.officer, project=project, vendor=world.bidders[1], now=at(DAY0)
    )
    assert not project.invitations.exists()
    assert audit_events_for(project).filter(action="procurement.uninvite").exists()


def test_an_organisation_that_responded_cannot_be_uninvited(flow, personas, world):
    project = flow.create(method="bixuan")
    invite(personas, project, world.bidders[0])
    flow.announce()
    flow.bid(world.bidders[0], "150000.00")
    with pytest.raises(Conflict) as exc:
        services.project_uninvite(
            actor=personas.officer,
            project=project,
            vendor=world.bidders[0],
            now=flow.deadline - dt.timedelta(days=1),
        )
    assert exc.value.code == "already_responded"


def test_an_open_bixuan_with_responses_cannot_become_an_invited_one(
    flow, personas, world
):
    project = flow.create(method="bixuan")
    flow.announce()
    flow.bid(world.bidders[0], "150000.00")
    with pytest.raises(Conflict) as exc:
        invite(
            personas,
            project,
            world.bidders[1],
            now=flow.deadline - dt.timedelta(days=2),
        )
    assert exc.value.code == "open_bixuan_has_bids"


# --- bidding ---------------------------------------------------------------------------


def test_an_uninvited_organisation_cannot_bid_in_an_invited_bixuan(
    flow, personas, world
):
    # given: a 比选 with one invited organisation
    project = flow.create(method="bixuan")
    invite(personas, project, world.bidders[0])
    flow.announce()
    # when: another organisation bids
    with pytest.raises(ValidationFailed) as exc:
        flow.bid(world.bidders[1], "150000.00")
    # then: refused on the vendor, and the invited one bids
    assert _fields(exc)["vendor"] == "本次比选为邀请比选，该组织未获邀请。"
    assert flow.bid(world.bidders[0], "150000.00").status == BidStatus.SUBMITTED


def test_an_invited_organisation_barred_after_its_invitation_cannot_bid(
    flow, personas, world, orgs
):
    project = flow.create(method="bixuan")
    vendor = world.bidders[0]
    invite(personas, project, vendor)
    flow.announce()
    # the list is published after the invitation
    bid_day = (flow.deadline - dt.timedelta(days=1)).date()
    eliminate(
        vendor,
        orgs.d1,
        decided_on=bid_day - dt.timedelta(days=2),
        until=bid_day + dt.timedelta(days=365),
    )
    with pytest.raises(ValidationFailed) as exc:
        flow.bid(vendor, "150000.00")
    assert "被淘汰" in _fields(exc)["vendor"]


def test_an_open_bixuan_takes_every_eligible_organisation(flow, world):
    flow.create(method="bixuan")
    flow.announce()
    assert flow.bid(world.bidders[1], "150000.00").status == BidStatus.SUBMITTED


@pytest.mark.parametrize("method", ["tender", "cuoshang"])
def test_an_eliminated_organisation_still_bids_in_government_procurement(
    flow, world, orgs, method
):
    # given: the organisation is eliminated and cooling off in D1 (PM-12: the list
    # may not gate who takes part in 政府采购)
    vendor = world.bidders[1]
    flow.create(method=method)
    flow.announce()
    eliminate(
        vendor,
        orgs.d1,
        decided_on=DAY0,
        until=DAY0 + dt.timedelta(days=700),
    )
    # when
    bid = flow.bid(vendor, "700000.00")
    # then: the bid is taken like any other
    assert bid.status == BidStatus.SUBMITTED


# --- the project page ------------------------------------------------------------------


def _today_elimination(vendor, orgs):
    today = timezone.localdate()
    return eliminate(
        vendor,
        orgs.d1,
        decided_on=today - dt.timedelta(days=10),
        until=today + dt.timedelta(days=300),
    )


def test_the_bixuan_page_lists_invitations_with_the_standing_and_the_rule(
    flow, personas, world, orgs, web
):
    project = flow.create(method="bixuan")
    services.project_invite(
        actor=personas.officer, project=project, vendor=world.bidders[1]
    )
    html = web(personas.officer).get(project.get_absolute_url()).content.decode()
    assert "邀请参加比选的组织" in html
    assert BIXUAN_NOTE in html
    assert PM12_NOTE not in html
    assert world.bidders[1].organisation.name in html
    assert 'id="invite-form"' in html
    assert "撤销邀请" in html


def test_the_invite_form_shows_the_bar_on_the_field(flow, personas, world, orgs, web):
    project = flow.create(method="bixuan")
    vendor = world.bidders[2]
    _today_elimination(vendor, orgs)
    client = web(personas.officer)
    url = reverse("procurement:invitation-create", args=[project.pk])
    response = client.post(url, {"vendor": vendor.pk, "note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert "不得受邀参加比选" in html
    assert not project.invitations.exists()
    # a listed organisation that may be invited
    ok = client.post(url, {"vendor": world.bidders[1].pk, "note": "熟悉本街道"})
    assert ok.status_code == 302
    inv = project.invitations.get()
    assert inv.note == "熟悉本街道"
    # and removed again
    removed = client.post(
        reverse("procurement:invitation-delete", args=[project.pk, inv.pk])
    )
    assert removed.status_code == 302
    assert not project.invitations.exists()


def test_other_streets_and_vendors_cannot_invite_from_the_page(
    flow, personas, world, web
):
    project = flow.create(method="bixuan")
    url = reverse("procurement:invitation-create", args=[project.pk])
    data = {"vendor": world.bidders[1].pk}
    assert web(personas.other_officer).post(url, data).status_code == 404
    assert web(personas.auditor).post(url, data).status_code == 403
    assert not project.invitations.exists()


def test_an_uninvited_vendor_is_told_on_the_page(flow, personas, world, web):
    project = flow.create(method="bixuan")
    services.project_invite(
        actor=personas.officer, project=project, vendor=world.bidders[1]
    )
    flow.announce()
    html = web(personas.vendor).get(project.get_absolute_url()).content.decode()
    assert "本组织未获邀请" in html
    assert world.bidders[1].organisation.name not in html


def test_tender_and_cuoshang_pages_show_the_standing_as_information_only(
    flow, personas, world, orgs, web
):
    # given: a 磋商 with a bid from an eliminated organisation
    vendor = world.bidders[1]
    project = flow.create()
    flow.announce()
    flow.bid(vendor, "700000.00")
    _today_elimination(vendor, orgs)
    # when
    html = web(personas.officer).get(project.get_absolute_url()).content.decode()
    # then: the sentence, the standing beside the bidder, and no invitation section
    assert PM12_NOTE in html
    assert 'data-standing="eliminate"' in html
    assert "邀请参加比选的组织" not in html
    assert BIXUAN_NOTE not in html
    # a vendor sees neither the standing nor the note
    mine = web(personas.vendor).get(project.get_absolute_url()).content.decode()
    assert "data-standing" not in mine


# --- API -------------------------------------------------------------------------------


def _api_url(name, pk):
    return reverse(f"api:procurement-{name}", args=[pk])


def test_api_invites_lists_and_uninvites(flow, personas, world, api):
    project = flow.create(method="bixuan")
    client = api(personas.officer)
    response = client.post(
        _api_url("invite", project.pk),
        {"vendor": world.bidders[1].pk, "note": "邀请"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    rows = response.json()["invitations"]
    assert [r["vendor"]["id"] for r in rows] == [world.bidders[1].pk]
    assert rows[0]["standing"] is None
    detail = client.get(reverse("api:procurement-detail", args=[project.pk])).json()
    assert len(detail["invitations"]) == 1
    response = client.post(
        _api_url("uninvite", project.pk),
        {"vendor": world.bidders[1].pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["invitations"] == []


def test_api_errors_name_the_field(flow, personas, world, orgs, api):
    project = flow.create(method="bixuan")
    client = api(personas.officer)
    barred = world.bidders[2]
    _today_elimination(barred, orgs)
    response = client.post(
        _api_url("invite", project.pk), {"vendor": barred.pk}, format="json"
    )
    assert response.status_code == 400
    assert "不得受邀参加比选" in response.json()["fields"]["vendor"][0]
    missing = client.post(
        _api_url("invite", project.pk), {"vendor": 999999}, format="json"
    )
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"vendor"}
    shape = client.post(_api_url("invite", project.pk), {}, format="json")
    assert shape.status_code == 400
    assert "vendor" in shape.json()["fields"]
    not_invited = client.post(
        _api_url("uninvite", project.pk), {"vendor": barred.pk}, format="json"
    )
    assert not_invited.status_code == 400
    assert "vendor" in not_invited.json()["fields"]


def test_api_refuses_invitations_in_a_cuoshang_and_to_others(
    flow, personas, world, api
):
    cuoshang = flow.create()
    response = api(personas.officer).post(
        _api_url("invite", cuoshang.pk), {"vendor": world.bidders[1].pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_bixuan"
    bixuan = flow.create(method="bixuan")
    # the auditor reads the draft but runs nothing; to a vendor a draft is invisible
    for persona, code in (("auditor", 403), ("vendor", 404), ("other_officer", 404)):
        response = api(getattr(personas, persona)).post(
            _api_url("invite", bixuan.pk),
            {"vendor": world.bidders[1].pk},
            format="json",
        )
        assert response.status_code == code
    assert not Invitation.objects.exists()


def test_api_shows_a_vendor_only_its_own_invitation(flow, personas, world, api):
    project = flow.create(method="bixuan")
    services.project_invite(
        actor=personas.officer, project=project, vendor=world.bidders[0]
    )
    services.project_invite(
        actor=personas.officer, project=project, vendor=world.bidders[1]
    )
    flow.announce()
    rows = (
        api(personas.vendor)
        .get(reverse("api:procurement-detail", args=[project.pk]))
        .json()["invitations"]
    )
    assert [r["vendor"]["id"] for r in rows] == [world.bidders[0].pk]
