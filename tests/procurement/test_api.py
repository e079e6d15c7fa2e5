"""The procurement REST API: visibility, input errors, every transition as a POST
action, and the seal on bids before the opening.

The services take explicit dates; the API acts on today. Where an API-driven action
depends on a deadline, the project is set up through the services with suitable dates
and, where said so, a date column is moved directly (e.g. the bid deadline into the
past, so that the opening may run today).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement import services
from procurement.choices import (
    AwardStatus,
    BidStatus,
    ChallengeStatus,
    MemberStatus,
    NoticeKind,
    ProjectStatus,
)
from procurement.models import Award, Bid, BidLot, Notice, ProcurementProject
from tests.factories import UserFactory
from tests.vendors.test_eligibility import REQUIRED, add_check, add_document
from vendors.choices import CreditList
from vendors.models import AnnualReport

from .conftest import PRICES, finished_document, project_data

# Bid content the seal must hide: distinctive enough to search the raw JSON for.
SECRET_PRICE = "654321.98"
SECRET_TEXT = "独特的技术响应内容QX7"


def url(name: str, *args) -> str:
    return reverse(f"api:procurement-{name}", args=args)


def _json(client, method: str, path: str, data=None):
    return getattr(client, method)(path, data or {}, format="json")


def _deadline_passed(project: ProcurementProject) -> ProcurementProject:
    """Move the bid deadline an hour into the past (the API opens "now")."""
    ProcurementProject.objects.filter(pk=project.pk).update(
        bid_deadline=timezone.now() - dt.timedelta(hours=1)
    )
    project.refresh_from_db()
    return project


def _eligible_today(vendors) -> None:
    """Evidence valid today, for the qualification the API runs on today's date."""
    today = timezone.localdate()
    for v in vendors:
        for kind in REQUIRED:
            add_document(
                v,
                kind,
                valid_from=today - dt.timedelta(days=60),
                valid_until=None
                if kind == "no_violation_statement"
                else today + dt.timedelta(days=90),
            )
        for year in (today.year - 2, today.year - 1):
            AnnualReport.objects.get_or_create(
                vendor=v, year=year, defaults={"result": "qualified"}
            )
        for list_kind in CreditList.values:
            add_check(v, list_kind, when=timezone.now() - dt.timedelta(days=5))


def _announce_now(flow, personas, api):
    """A project announced through the API today, its deadline 40 days ahead: the
    intention is published (through the service) 40 days ago and a document is done."""
    project = flow.create()
    today = timezone.localdate()
    services.project_publish_intention(
        actor=personas.officer, project=project, on=today - dt.timedelta(days=40)
    )
    finished_document(project)
    deadline = timezone.localtime() + dt.timedelta(days=40)
    deadline = deadline.replace(hour=9, minute=30, second=0, microsecond=0)
    response = _json(
        api(personas.officer),
        "post",
        url("announce", project.pk),
        {"bid_deadline": deadline.isoformat()},
    )
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    return project


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# --- visibility ------------------------------------------------------------------------


def test_officer_sees_own_streets_project_and_others_get_404(flow, personas, api):
    # given: a draft project of street S1
    project = flow.create()
    # when / then: the buyer's officer reads it, with what they may do next
    response = api(personas.officer).get(url("detail", project.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == project.code
    assert "announce" in body["allowed_actions"]
    assert body["lots"][0]["items"][0]["code"]
    assert body["timeline"]
    assert body["next_step"]["key"]
    # another street's officer, another district, a vendor (draft): not visible
    for persona in ("other_officer", "outsider", "vendor"):
        response = api(getattr(personas, persona)).get(url("detail", project.pk))
        assert response.status_code == 404, persona
        assert set(response.json()) == {"code", "detail", "fields"}
    listed = api(personas.other_officer).get(url("list")).json()
    assert project.code not in json.dumps(listed, ensure_ascii=False)


def test_vendor_sees_a_project_only_once_announced(flow, personas, api):
    # given: a draft project
    project = flow.create()
    vendor = api(personas.vendor)
    assert vendor.get(url("list")).json()["count"] == 0
    # when: it is announced
    flow.announce()
    # then: the vendor lists and reads it, and may do none of the buyer's actions
    listed = vendor.get(url("list")).json()
    assert [p["id"] for p in listed["results"]] == [project.pk]
    detail = vendor.get(url("detail", project.pk)).json()
    assert detail["status"] == ProjectStatus.ANNOUNCED
    assert detail["allowed_actions"] == []


def test_invalid_ids_are_404_not_500(flow, personas, api):
    project = flow.create()
    client = api(personas.officer)
    for method, path in (
        ("get", url("detail", "abc")),
        ("get", url("detail", 10**30)),
        ("post", url("bid-withdraw", project.pk, "x")),
        ("get", url("lot-sheet", project.pk, 999999)),
        ("post", url("member-declare", project.pk, "1e3")),
    ):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (path, response.content)


def test_list_filters(flow, personas, api):
    # given: a draft project
    project = flow.create()
    client = api(personas.officer)
    # then: each filter narrows the list; a bad buyer id is a 400 that names the field
    assert client.get(url("list"), {"status": "draft"}).json()["count"] == 1
    assert client.get(url("list"), {"status": "announced"}).json()["count"] == 0
    assert client.get(url("list"), {"method": "cuoshang"}).json()["count"] == 1
    assert client.get(url("list"), {"fiscal_year": 2025}).json()["count"] == 0
    assert client.get(url("list"), {"q": "簇锦"}).json()["count"] == 1
    assert client.get(url("list"), {"q": "不存在"}).json()["count"] == 0
    assert client.get(url("list"), {"buyer": project.buyer_id}).json()["count"] == 1
    bad = client.get(url("list"), {"buyer": "abc"})
    assert bad.status_code == 400
    assert "buyer" in bad.json()["fields"]


# --- create and edit -------------------------------------------------------------------


def test_officer_creates_a_project(world, personas, api, rules):
    # when
    response = _json(api(personas.officer), "post", url("list"), project_data(world))
    # then: the buyer defaults to the officer's street; the method has its reasons
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["buyer"]["code"] == "D1-S1"
    assert body["method"] == "cuoshang"
    assert body["method_reasons"]
    assert body["status"] == ProjectStatus.DRAFT
    assert len(body["lots"][0]["items"]) == 3


def test_bad_input_names_each_field_and_creates_nothing(world, personas, api, rules):
    # given: a title missing, a negative budget, an unknown source and item, a bad weight
    data = project_data(world, title="", price_weight="abc")
    data["lots"][0].update(budget="-5", budget_source="gold", items=["NOPE-1"])
    # when
    response = _json(api(personas.officer), "post", url("list"), data)
    # then
    assert response.status_code == 400
    fields = response.json()["fields"]
    for name in (
        "title",
        "price_weight",
        "lots.1.budget",
        "lots.1.budget_source",
        "lots.1.items",
    ):
        assert name in fields, (name, fields)
    assert ProcurementProject.objects.count() == 0


def test_wrong_shapes_are_400_not_500(world, personas, api, rules):
    client = api(personas.officer)
    for data in (
        {"lots": "x"},
        {"lots": [{"communities": ["a"]}]},
        {"criteria": [1]},
        {"buyer": 999999, **project_data(world)},
    ):
        response = _json(client, "post", url("list"), data)
        assert response.status_code == 400, (data, response.content)
    assert ProcurementProject.objects.count() == 0


def test_create_is_refused_to_a_vendor_and_for_another_street(
    world, personas, orgs, api, rules
):
    response = _json(api(personas.vendor), "post", url("list"), project_data(world))
    assert response.status_code == 403
    other = _json(
        api(personas.officer),
        "post",
        url("list"),
        {"buyer": orgs.s2.pk, **project_data(world)},
    )
    assert other.status_code == 403
    assert ProcurementProject.objects.count() == 0


def test_patch_overlays_the_fields_sent(flow, personas, api):
    # given
    project = flow.create()
    # when: only the title changes
    response = _json(
        api(personas.officer), "patch", url("detail", project.pk), {"title": "新名称"}
    )
    # then: the rest (lots, description) is kept
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "新名称"
    assert body["description"] == project.description
    assert len(body["lots"]) == 1
    assert len(body["lots"][0]["items"]) == 3
    # and a bad field is named, nothing changes
    bad = _json(
        api(personas.officer),
        "patch",
        url("detail", project.pk),
        {"price_weight": "90"},
    )
    assert bad.status_code == 400
    assert "price_weight" in bad.json()["fields"]
    project.refresh_from_db()
    assert project.title == "新名称"
    assert project.price_weight == Decimal("30")


def test_patch_after_announce_is_409_with_reason(flow, personas, api):
    project = flow.create()
    flow.announce()
    response = _json(
        api(personas.officer), "patch", url("detail", project.pk), {"title": "x"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "公告中" in response.json()["detail"]


# --- notices and documents -------------------------------------------------------------


def test_intention_document_announce_and_correction(flow, personas, api):
    # given: a draft project
    project = flow.create()
    client = api(personas.officer)
    # when: the intention is published and a document is generated
    r = client.post(url("publish-intention", project.pk))
    assert r.status_code == 200, r.content
    assert r.json()["intention_published_on"] == timezone.localdate().isoformat()
    r = _json(client, "post", url("generate-document", project.pk), {"note": "初稿"})
    # then: the document comes back with its job to poll
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["version"] == 1
    assert doc["status"] == "pending"
    assert client.get(doc["job"]["url"]).status_code == 200
    # and a second publication of the intention is a conflict
    again = client.post(url("publish-intention", project.pk))
    assert again.status_code == 409


def test_announce_and_correct_through_the_api(flow, personas, api):
    # given: announced through the API today
    project = _announce_now(flow, personas, api)
    assert project.status == ProjectStatus.ANNOUNCED
    # when: a correction that does not affect bids
    r = _json(
        api(personas.officer),
        "post",
        url("correct", project.pk),
        {"body": "更正联系人电话", "affects_bids": False},
    )
    # then
    assert r.status_code == 200, r.content
    kinds = [n["kind"] for n in r.json()["notices"]]
    assert NoticeKind.CORRECTION in kinds
    # and an empty correction names the field
    bad = _json(
        api(personas.officer), "post", url("correct", project.pk), {"body": " "}
    )
    assert bad.status_code == 400
    assert "body" in bad.json()["fields"]


def test_announce_with_a_short_deadline_names_the_field(flow, personas, api):
    project = flow.create()
    services.project_publish_intention(
        actor=personas.officer,
        project=project,
        on=timezone.localdate() - dt.timedelta(days=40),
    )
    finished_document(project)
    r = _json(
        api(personas.officer),
        "post",
        url("announce", project.pk),
        {"bid_deadline": (timezone.now() + dt.timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 400
    assert "bid_deadline" in r.json()["fields"]
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_document_download(flow, personas, api):
    project = flow.create()
    doc = finished_document(project)
    flow.announce()
    detail = api(personas.vendor).get(url("detail", project.pk)).json()
    link = next(d["download_url"] for d in detail["documents"] if d["id"] == doc.pk)
    response = api(personas.vendor).get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert api(personas.other_officer).get(link).status_code == 404


def test_public_notices_need_no_login(flow, personas, api):
    # given: an announced project (intention and tender notices published)
    flow.create()
    flow.announce()
    # when: an anonymous client lists the notices
    response = api(None).get(url("notice-list"))
    # then
    assert response.status_code == 200
    kinds = {n["kind"] for n in response.json()["results"]}
    assert {NoticeKind.INTENTION, NoticeKind.CUOSHANG} <= kinds
    only = api(None).get(url("notice-list"), {"kind": "intention"}).json()
    assert {n["kind"] for n in only["results"]} == {"intention"}
    first = response.json()["results"][0]["id"]
    assert api(None).get(url("notice-detail", first)).status_code == 200
    # a notice dated in the future is not published yet
    future = Notice.objects.create(
        project=flow.project,
        kind=NoticeKind.CORRECTION,
        title="明日更正",
        body="x",
        published_on=timezone.localdate() + dt.timedelta(days=1),
    )
    assert api(None).get(url("notice-detail", future.pk)).status_code == 404
    # read-only: anyone may read, nobody may write
    assert api(None).post(url("notice-list"), {}).status_code == 405


# --- bids and the seal -----------------------------------------------------------------


def _submit(api, world, project, vendor, price=SECRET_PRICE, text=SECRET_TEXT, **extra):
    lot = project.lots.get()
    return _json(
        api(world.staff[vendor.pk]),
        "post",
        url("bids", project.pk),
        {
            "prices": {str(lot.pk): price},
            "technical_response": text,
            "declare_no_conflict": True,
            "declare_credit": True,
            **extra,
        },
    )


def test_bids_are_sealed_until_the_opening(flow, world, personas, api, superuser):
    # given: an announced project and a bid submitted through the API with a file
    project = _announce_now(flow, personas, api)
    lot = project.lots.get()
    pdf = SimpleUploadedFile(
        "报价明细.pdf", b"%PDF-1.4 secret", content_type="application/pdf"
    )
    r = api(personas.vendor).post(
        url("bids", project.pk),
        {
            "prices": json.dumps({str(lot.pk): SECRET_PRICE}),
            "technical_response": SECRET_TEXT,
            "declare_no_conflict": "true",
            "declare_credit": "true",
            "files": [pdf],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    assert set(r.json()) == {"id", "vendor", "submitted_at", "status", "files"}
    assert r.json()["files"] == 1
    # when: the officer, a superuser and the bidder read the bids and the project
    for user in (personas.officer, superuser, personas.vendor):
        client = api(user)
        bids = client.get(url("bids", project.pk))
        detail = client.get(url("detail", project.pk))
        # then: who bid and when, nothing of what the bid says
        assert bids.status_code == 200
        assert detail.status_code == 200
        for raw in (bids.content.decode(), detail.content.decode()):
            assert SECRET_PRICE not in raw
            assert "654321" not in raw
            assert SECRET_TEXT not in raw
            assert "报价明细" not in raw
        rows = bids.json()
        assert len(rows) == 1
        assert set(rows[0]) == {"id", "vendor", "submitted_at", "status", "files"}
        assert rows[0]["vendor"]["name"] == world.bidders[0].organisation.name
    # when: the deadline passes (moved into the past) and the officer opens
    _deadline_passed(project)
    opened = api(personas.officer).post(url("open", project.pk))
    assert opened.status_code == 200, opened.content
    # then: the prices and the response are there
    for user in (personas.officer, personas.vendor):
        raw = api(user).get(url("bids", project.pk)).content.decode()
        assert SECRET_PRICE in raw
        assert SECRET_TEXT in raw
    row = api(personas.officer).get(url("bids", project.pk)).json()[0]
    assert row["prices"][0]["price"] == SECRET_PRICE
    assert row["declaration"]["no_conflict"] is True


def test_bid_errors_are_named_and_nothing_is_saved(flow, world, personas, api):
    project = _announce_now(flow, personas, api)
    lot = project.lots.get()
    for price, field in (
        ("0", f"prices.{lot.pk}"),
        ("-1", f"prices.{lot.pk}"),
        ("1.234", f"prices.{lot.pk}"),
        ("900000000", f"prices.{lot.pk}"),
    ):
        r = _submit(api, world, project, world.bidders[0], price=price)
        assert r.status_code == 400, (price, r.content)
        assert field in r.json()["fields"], (price, r.content)
    r = _submit(api, world, project, world.bidders[0], declare_credit=False, text="")
    assert {"technical_response", "declare_credit"} <= set(r.json()["fields"])
    r = _json(api(personas.vendor), "post", url("bids", project.pk), {"prices": "nope"})
    assert r.status_code == 400
    assert "prices" in r.json()["fields"]
    assert not Bid.objects.exists()
    # the buyer cannot bid
    r = _json(api(personas.officer), "post", url("bids", project.pk), {"prices": {}})
    assert r.status_code == 403


def test_malformed_lot_ids_and_foreign_vendors_are_refused_not_500(
    flow, world, personas, api
):
    # given: an announced project and a bidder's staff
    project = _announce_now(flow, personas, api)
    lot = project.lots.get()
    staff = api(world.staff[world.bidders[0].pk])
    base = {
        "technical_response": SECRET_TEXT,
        "declare_no_conflict": True,
        "declare_credit": True,
    }
    # then: a lot id that is no id (a superscript digit, 5000 digits, a word) is a 400
    for key in ("²", "9" * 5000, "abc", "-1"):
        r = _json(
            staff, "post", url("bids", project.pk), {"prices": {key: "1000"}, **base}
        )
        assert r.status_code == 400, (key[:10], r.content)
        assert "prices" in r.json()["fields"], r.content
    # and bidding for another vendor, or one that does not exist, is a 403 with a reason
    for vendor in (world.bidders[1].pk, 10**30):
        r = _json(
            staff,
            "post",
            url("bids", project.pk),
            {"vendor": vendor, "prices": {str(lot.pk): "700000"}, **base},
        )
        assert r.status_code == 403, (vendor, r.content)
        assert r.json()["detail"]
    assert not Bid.objects.exists()


def test_vendor_replaces_and_withdraws_before_the_deadline(flow, world, personas, api):
    project = _announce_now(flow, personas, api)
    first = _submit(api, world, project, world.bidders[0]).json()
    second = _submit(api, world, project, world.bidders[0], price="500000.00").json()
    assert Bid.objects.get(pk=first["id"]).status == BidStatus.REPLACED
    # another vendor cannot withdraw it (it does not see it); the buyer may not
    other = api(world.staff[world.bidders[1].pk]).post(
        url("bid-withdraw", project.pk, second["id"])
    )
    assert other.status_code == 404
    assert (
        api(personas.officer)
        .post(url("bid-withdraw", project.pk, second["id"]))
        .status_code
        == 403
    )
    # when
    r = api(personas.vendor).post(url("bid-withdraw", project.pk, second["id"]))
    # then
    assert r.status_code == 200, r.content
    assert r.json()["status"] == BidStatus.WITHDRAWN
    assert "500000" not in r.content.decode()


def test_a_bid_after_the_deadline_is_refused(flow, world, personas, api):
    project = _announce_now(flow, personas, api)
    _deadline_passed(project)
    r = _submit(api, world, project, world.bidders[0])
    assert r.status_code == 409
    assert r.json()["code"] == "deadline_passed"
    assert "截止" in r.json()["detail"]


def test_opening_before_the_deadline_is_409_in_chinese(flow, personas, api):
    project = _announce_now(flow, personas, api)
    r = api(personas.officer).post(url("open", project.pk))
    assert r.status_code == 409
    assert "投标截止时间未到" in r.json()["detail"]


def test_a_transition_in_the_wrong_state_is_409_with_a_chinese_reason(
    flow, personas, api
):
    project = flow.create()
    r = api(personas.officer).post(url("award", project.pk))
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "transition_not_allowed"
    assert "草稿" in body["detail"]
    assert "确定中标人" in body["detail"]
    # the wrong person is a 403 before the state is even looked at
    assert api(personas.auditor).post(url("award", project.pk)).status_code == 403


# --- committee, qualification, scoring, award -----------------------------------------


def _opened_with_committee(flow, world, personas, api, prices=PRICES):
    """Three bids through the services, a committee drawn and declared through the
    API, the deadline moved into the past and the project opened through the API."""
    project = flow.create()
    flow.announce()
    for vendor, price in zip(world.bidders[:3], prices, strict=True):
        flow.bid(vendor, price)
    officer = api(personas.officer)
    r = _json(
        officer,
        "post",
        url("draw-committee", project.pk),
        {"experts": 2, "buyer_representatives": [personas.officer.pk]},
    )
    assert r.status_code == 200, r.content
    committee = r.json()["committee"]
    assert len(committee) == 3
    assert all(m["name"] for m in committee)
    for m in project.committee.select_related("user"):
        d = _json(
            api(m.user),
            "post",
            url("member-declare", project.pk, m.pk),
            {"conflict": False},
        )
        assert d.status_code == 200, d.content
        assert d.json()["declared"] is True
    _deadline_passed(project)
    assert officer.post(url("open", project.pk)).status_code == 200
    _eligible_today(world.bidders[:3])
    project.refresh_from_db()
    return project


def _qualify_all(api, personas, project):
    officer = api(personas.officer)
    for bid in project.bids.filter(status=BidStatus.OPENED):
        r = _json(
            officer,
            "post",
            url("bid-qualify", project.pk, bid.pk),
            {"conditions": {"1": {"met": True}}},
        )
        assert r.status_code == 200, r.content
        assert r.json()["qualified"] is True, r.json()["qualification"]
    r = _json(officer, "post", url("close-qualification", project.pk), {})
    assert r.status_code == 200, r.content
    return r.json()


def _score_all(api, project):
    lot = project.lots.get()
    members = project.committee.filter(status=MemberStatus.ACTIVE).select_related(
        "user"
    )
    last = None
    for m in members:
        client = api(m.user)
        view = client.get(url("lot-sheet", project.pk, lot.pk)).json()
        scores = {
            str(b["bid"]): {"plan": "30", "team": "15", "record": "10"}
            for b in view["bids"]
        }
        last = _json(
            client,
            "put",
            url("lot-sheet", project.pk, lot.pk),
            {"scores": scores, "submit": True},
        )
        assert last.status_code == 200, last.content
    return last


def test_evaluation_and_award_through_the_api(flow, world, personas, api):
    # given: opened with a declared committee
    project = _opened_with_committee(flow, world, personas, api)
    # when: qualification, then every member scores
    body = _qualify_all(api, personas, project)
    assert body["status"] == ProjectStatus.EVALUATING
    lot = project.lots.get()
    expert = project.committee.filter(role="expert").select_related("user").first()
    # a member sees only their own (empty) sheet before submitting
    view = api(expert.user).get(url("lot-sheet", project.pk, lot.pk)).json()
    assert view["sheets"] == []
    assert len(view["bids"]) == 3
    out_of_range = _json(
        api(expert.user),
        "put",
        url("lot-sheet", project.pk, lot.pk),
        {"scores": {str(view["bids"][0]["bid"]): {"plan": "99"}}},
    )
    assert out_of_range.status_code == 400
    assert any(k.endswith(".plan") for k in out_of_range.json()["fields"])
    # a vendor may not read the sheets
    assert (
        api(personas.vendor).get(url("lot-sheet", project.pk, lot.pk)).status_code
        == 403
    )
    _score_all(api, project)
    # then: evaluated, the results per lot in the detail
    detail = api(personas.officer).get(url("detail", project.pk)).json()
    assert detail["status"] == ProjectStatus.EVALUATED
    rows = detail["lots"][0]["evaluation"]
    assert rows[0]["price"] == "650000.00"
    assert rows[0]["rank"] == 1
    assert {"vendor", "price_points", "criteria", "total", "tie"} <= set(rows[0])
    # when: every member signs, then the officer awards
    for m in project.committee.filter(status=MemberStatus.ACTIVE).select_related(
        "user"
    ):
        s = _json(api(m.user), "post", url("sign-report", project.pk), {"agrees": True})
        assert s.status_code == 200, s.content
    first = api(personas.officer).post(url("award", project.pk))
    second = api(personas.officer).post(url("award", project.pk))
    # then: one award; the second attempt is refused with the reason
    assert first.status_code == 200, first.content
    assert second.status_code == 409
    assert "已定标" in second.json()["detail"]
    assert Award.objects.filter(lot=lot).count() == 1
    awarded = first.json()
    assert awarded["awards"][0]["amount"] == "650000.00"
    assert NoticeKind.AWARD in [n["kind"] for n in awarded["notices"]]
    # the losing bidder sees its own row only
    mine = (
        api(personas.vendor)
        .get(url("detail", project.pk))
        .json()["lots"][0]["evaluation"]
    )
    own_bid = Bid.objects.get(
        project=project, vendor=world.bidders[0], status=BidStatus.QUALIFIED
    )
    assert [r["bid"] for r in mine] == [own_bid.pk]
    # the experts' names are public once the award notice is out
    committee = api(personas.vendor).get(url("detail", project.pk)).json()["committee"]
    assert committee
    assert all(m["name"] for m in committee)

    # when: the losing bidder challenges and the officer answers
    c = _json(
        api(personas.vendor),
        "post",
        url("challenges", project.pk),
        {"grounds": "评分不公"},
    )
    assert c.status_code == 201, c.content
    cid = c.json()["id"]
    early = api(personas.officer).post(url("finalise", project.pk))
    assert early.status_code == 409
    a = _json(
        api(personas.officer),
        "post",
        url("challenge-answer", project.pk, cid),
        {"reply": "经复核，评分符合评审标准。", "upheld": False},
    )
    assert a.status_code == 200, a.content
    assert a.json()["status"] == ChallengeStatus.ANSWERED
    # and the window closes (moved into the past): the result becomes final
    Award.objects.filter(lot=lot).update(
        challenge_until=timezone.localdate() - dt.timedelta(days=1)
    )
    f = api(personas.officer).post(url("finalise", project.pk))
    assert f.status_code == 200, f.content
    assert f.json()["status"] == ProjectStatus.FINAL
    assert Award.objects.get(lot=lot).status == AwardStatus.FINAL


def test_abnormal_price_decision_by_the_chair(flow, world, personas, api):
    # given: one price far below the ceiling, flagged at qualification (SC-13)
    prices = [Decimal("700000.00"), Decimal("650000.00"), Decimal("300000.00")]
    project = _opened_with_committee(flow, world, personas, api, prices=prices)
    _qualify_all(api, personas, project)
    bl = BidLot.objects.get(lot__project=project, price=Decimal("300000.00"))
    assert bl.abnormal_reasons
    chair = project.committee.get(is_chair=True)
    other = project.committee.filter(is_chair=False).select_related("user").first()
    body = {"explanation": "人员成本由志愿者承担，已提供证明。", "accepted": True}
    # when: another member tries, then the chair records it
    refused = _json(
        api(other.user), "post", url("bid-lot-abnormal", project.pk, bl.pk), body
    )
    r = _json(api(chair.user), "post", url("bid-lot-abnormal", project.pk, bl.pk), body)
    # then
    assert refused.status_code == 403
    assert r.status_code == 200, r.content
    assert r.json()["explanation_accepted"] is True


def test_return_sheets_and_replace_a_member(flow, world, personas, api):
    # given: evaluated
    project = _opened_with_committee(flow, world, personas, api)
    _qualify_all(api, personas, project)
    _score_all(api, project)
    expert = project.committee.filter(role="expert").first()
    officer = api(personas.officer)
    # when: a statutory case returns one member's sheet
    bad = _json(
        officer,
        "post",
        url("return-sheets", project.pk),
        {"members": [expert.pk], "case": "whim"},
    )
    r = _json(
        officer,
        "post",
        url("return-sheets", project.pk),
        {"members": [expert.pk], "case": "totalling"},
    )
    # then
    assert bad.status_code == 400
    assert "case" in bad.json()["fields"]
    assert r.status_code == 200, r.content
    assert r.json()["status"] == ProjectStatus.EVALUATING
    # when: that member (no submitted sheet now) is replaced by a new draw
    rep = _json(officer, "post", url("member-replace", project.pk, expert.pk), {})
    assert rep.status_code == 201, rep.content
    expert.refresh_from_db()
    assert expert.status == MemberStatus.REPLACED
    assert rep.json()["id"] == expert.replaced_by_id


def test_terminate_and_restart(flow, personas, api):
    # given
    project = flow.create()
    flow.announce()
    officer = api(personas.officer)
    empty = _json(officer, "post", url("terminate", project.pk), {"reason": " "})
    assert empty.status_code == 400
    assert "reason" in empty.json()["fields"]
    # when
    r = _json(
        officer, "post", url("terminate", project.pk), {"reason": "需求发生重大变化"}
    )
    # then: terminated with its notice, then restarted as a new draft
    assert r.status_code == 200, r.content
    assert r.json()["status"] == ProjectStatus.TERMINATED
    assert NoticeKind.TERMINATION in [n["kind"] for n in r.json()["notices"]]
    new = officer.post(url("restart", project.pk))
    assert new.status_code == 201, new.content
    assert new.json()["status"] == ProjectStatus.DRAFT
    assert new.json()["restarted_from"] == project.pk
    assert new.json()["id"] != project.pk


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=99999",
        "?status=planet",
        "?method=auction",
        "?fiscal_year=abc",
        "?fiscal_year=99999999999999999999",
        "?buyer=999999",
        "?kind=planet",
        "?q=%00",
        "?q=" + "%F0%9F%98%80" * 50,
    ],
)
def test_lists_never_fail_on_junk_queries(query, flow, personas, api):
    # given: an announced project with its notices
    flow.create()
    flow.announce()
    # then: each list answers 200, 400 or 404, never a server error
    for client, path in (
        (api(personas.officer), url("list")),
        (api(None), url("notice-list")),
    ):
        response = client.get(path + query)
        assert response.status_code in (200, 400, 404), (path + query, response.content)


def test_out_of_range_ids_in_bodies_are_400_not_500(flow, world, personas, api):
    # given: a draft project
    project = flow.create()
    client = api(personas.officer)
    huge = 10**30
    # then: ids beyond any database column are refused as input, never a 500
    cases = [
        ("post", url("list"), {"buyer": huge, **project_data(world)}, "buyer"),
        ("patch", url("detail", project.pk), {"drafted_by": [huge]}, "drafted_by"),
    ]
    for method, path, body, field in cases:
        response = _json(client, method, path, body)
        assert response.status_code == 400, (path, response.content)
        assert field in response.json()["fields"], (field, response.content)


def test_opened_bid_lists_its_documents_for_download(flow, world, personas):
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from rest_framework.test import APIClient

    from procurement import services

    flow.create()
    flow.announce()
    lot = flow.project.lots.get()
    pdf = SimpleUploadedFile(
        "资质证明.pdf", b"%PDF-1.4 cert", content_type="application/pdf"
    )
    services.bid_submit(
        actor=world.staff[world.bidders[0].pk],
        project=flow.project,
        vendor=world.bidders[0],
        data={
            "prices": {str(lot.pk): "700000"},
            "technical_response": "方案",
            "declare_no_conflict": True,
            "declare_credit": True,
        },
        files=[pdf],
        now=flow.deadline - dt.timedelta(days=1),
    )
    client = APIClient()
    client.force_authenticate(personas.officer)
    url = reverse("api:procurement-bids", args=[flow.project.pk])
    assert "资质证明" not in client.get(url).content.decode()  # sealed
    flow.open()
    rows = client.get(url).json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    files = rows[0]["files"]
    assert [f["name"] for f in files] == ["资质证明.pdf"]
    response = client.get(files[0]["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 cert"
