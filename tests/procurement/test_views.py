"""The HTML pages of procurement: the list, the create form, the project page with its
action pages, the vendor's bid form and receipt, the committee's scoring screen and
the public notices. The `flow` fixture sets up each state through the services."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement import services
from procurement.choices import BidStatus, NoticeKind, ProjectStatus, SheetStatus
from procurement.models import Bid, Notice, ProcurementProject, ScoreSheet
from tests.factories import UserFactory
from tests.vendors.test_eligibility import REQUIRED, add_check, add_document, at
from vendors.choices import CreditList

from .conftest import PRICES, finished_document

SECRET_TEXT = "我们承诺每周三次入户探访并建立困难群众动态台账"


def announce_live(flow, days_ahead=30):
    """Announce the flow's project today with a deadline still ahead (for the pages
    that take a bid now)."""
    project = flow.project or flow.create()
    today = timezone.localdate()
    services.project_publish_intention(
        actor=flow.p.officer, project=project, on=today - dt.timedelta(days=40)
    )
    finished_document(project)
    deadline = timezone.localtime() + dt.timedelta(days=days_ahead)
    flow.project = services.project_announce(
        actor=flow.p.officer, project=project, bid_deadline=deadline, on=today
    )
    flow.deadline = deadline
    return flow.project


def bid_post(lot, price, **extra):
    data = {
        f"price_{lot.pk}": price,
        "technical_response": SECRET_TEXT,
        "declare_no_conflict": "on",
        "declare_credit": "on",
        "bond_form": "none",
    }
    data.update(extra)
    return data


def field_block(html: str, name: str) -> str:
    """The markup of one form field's block (label, input, errors)."""
    at = html.index(f'name="{name}"')
    start = html.rfind('<div class="field', 0, at)
    end = html.index("</div>", at)
    return html[start:end]


def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def project_form(world, **overrides):
    data = {
        "title": "簇锦街道困难群众服务项目",
        "fiscal_year": "2026",
        "method": "",
        "scoring_method": "comprehensive",
        "price_weight": "30",
        "criteria": "plan|服务方案|40|主观\nteam|团队与管理|20|主观\nrecord|同类项目经验|10|客观",
        "qualification_conditions": "在武侯区设有固定服务场所",
        "term_years": "1",
        "payment_terms": "首付|40|合同签订后\n尾款|60|年度考核合格后",
        "sme_exemption": "on",
        "sme_exemption_reason": "面向社会组织采购",
        "bid_bond": "0",
        "lots": "1",
        **lot_fields(
            1,
            name="困难群众服务",
            budget="800000",
            budget_source="fiscal",
            communities=[str(c.pk) for c in world.communities],
            items=[str(i.pk) for i in world.items],
        ),
    }
    data.update(overrides)
    return data


def lot_fields(n, **fields):
    """Lot n's fields as the project form posts them (`lot-<n>-budget` …)."""
    return {f"lot-{n}-{key}": value for key, value in fields.items()}


# --- the list ----------------------------------------------------------------------------


def test_list_shows_each_user_the_projects_they_may_see(flow, personas, web):
    # given: a draft project of street S1
    project = flow.create()
    url = reverse("procurement:project-list")
    # then: the buyer's officer and the district see it; another street does not
    assert project.code in web(personas.officer).get(url).content.decode()
    assert project.code in web(personas.admin).get(url).content.decode()
    other = web(personas.other_officer).get(url)
    assert other.status_code == 200
    assert project.code not in other.content.decode()
    # and a vendor does not see a draft, a community worker may not list at all
    assert project.code not in web(personas.vendor).get(url).content.decode()
    assert web(personas.community).get(url).status_code == 403
    assert web(None).get(url).status_code == 302


def test_vendor_sees_a_project_once_announced(flow, personas, web):
    # given: an announced project
    flow.create()
    project = flow.announce()
    # when
    html = web(personas.vendor).get(reverse("procurement:project-list")).content
    # then
    assert project.code in html.decode()


def test_list_filters_by_status_method_and_words(flow, personas, web):
    # given: a draft 磋商 and an announced one
    draft = flow.create(title="甲项目")
    flow.project = None
    flow.create(title="乙项目")
    announced = flow.announce()
    client = web(personas.officer)
    url = reverse("procurement:project-list")
    # when / then
    html = client.get(url, {"status": "announced"}).content.decode()
    assert announced.code in html
    assert draft.code not in html
    html = client.get(url, {"q": "甲"}).content.decode()
    assert draft.code in html
    assert announced.code not in html
    html = client.get(url, {"method": "tender"}).content.decode()
    assert draft.code not in html
    assert announced.code not in html
    # and nonsense in a filter is no server error
    assert client.get(url, {"status": "nope", "page": "x\x00"}).status_code == 200


def test_list_budget_is_the_sum_of_lots_even_with_a_committee(flow, personas, web):
    # given: an opened project with a committee of three
    flow.create()
    flow.announce()
    flow.committee()
    # when
    html = web(personas.officer).get(reverse("procurement:project-list")).content
    # then: the budget is the lot's, not multiplied by the members
    assert "¥800,000.00" in html.decode()


# --- create and edit ---------------------------------------------------------------------


def test_create_form_offers_the_published_items_and_disables_prohibited(
    world, personas, web, catalogue
):
    # when
    response = web(personas.officer).get(reverse("procurement:project-create"))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    prohibited = catalogue.published.items.get(code="A08-07")
    option = re.search(rf'<option value="{prohibited.pk}"[^>]*>[^<]*', html).group(0)
    assert "disabled" in option
    assert "不得购买" in option
    assert "<optgroup" in html
    for c in world.communities:
        assert c.name in html


def test_create_with_bad_input_shows_chinese_errors_and_saves_nothing(
    world, personas, web, catalogue
):
    # given: no budget, a prohibited item and a price weight out of bounds
    prohibited = catalogue.published.items.get(code="A08-07")
    data = project_form(
        world,
        **lot_fields(1, budget="", items=[str(world.items[0].pk), str(prohibited.pk)]),
    )
    # when
    response = web(personas.officer).post(reverse("procurement:project-create"), data)
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "GPS-17" in field_block(html, "lot-1-budget")
    assert "不得购买" in html
    assert "项目尚未保存" in html
    assert not ProcurementProject.objects.exists()


def test_create_refuses_a_criteria_line_it_cannot_read(world, personas, web):
    # when
    response = web(personas.officer).post(
        reverse("procurement:project-create"),
        project_form(world, criteria="服务方案 四十分", title=""),
    )
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "编码|名称|分值" in html
    assert "必填" in field_block(html, "title")
    assert not ProcurementProject.objects.exists()


def test_create_reports_weights_that_do_not_add_up(world, personas, web):
    response = web(personas.officer).post(
        reverse("procurement:project-create"),
        project_form(world, criteria="plan|服务方案|50|主观"),
    )
    assert response.status_code == 400
    assert "之和应为100" in response.content.decode()
    assert not ProcurementProject.objects.exists()


def test_create_with_good_input_records_the_method_and_its_reasons(
    world, personas, web
):
    # when
    response = web(personas.officer).post(
        reverse("procurement:project-create"), project_form(world)
    )
    # then
    project = ProcurementProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.method == "cuoshang"
    assert project.lots.get().items.count() == 3
    assert [c["code"] for c in project.criteria] == ["plan", "team", "record"]
    html = web(personas.officer).get(project.get_absolute_url()).content.decode()
    assert "PM-06" in html


def test_method_preview_explains_the_choice(world, personas, web):
    response = web(personas.officer).get(
        reverse("procurement:method-preview"),
        {"lot_budget": "5000000"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "公开招标" in response.content.decode()
    assert "PM-02" in response.content.decode()


def test_edit_changes_a_draft_and_refuses_after_the_notice(flow, world, personas, web):
    # given
    project = flow.create()
    url = reverse("procurement:project-edit", args=[project.pk])
    client = web(personas.officer)
    assert "服务方案" in client.get(url).content.decode()
    # when
    response = client.post(url, project_form(world, title="改后的名称"))
    # then
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "改后的名称"
    # and once announced the draft can no longer be edited
    flow.announce()
    refused = client.get(url)
    assert refused.status_code == 409
    # the refusal names the reason and leads back to the project (no referer sent)
    assert f'href="{project.get_absolute_url()}"' in refused.content.decode()
    assert web(personas.other_officer).get(url).status_code == 404


# --- the project page --------------------------------------------------------------------


def test_project_page_visibility(flow, personas, web):
    project = flow.create()
    url = project.get_absolute_url()
    assert web(personas.officer).get(url).status_code == 200
    assert web(personas.auditor).get(url).status_code == 200
    assert web(personas.other_officer).get(url).status_code == 404
    assert web(personas.outsider).get(url).status_code == 404
    assert web(personas.vendor).get(url).status_code == 404  # a draft
    assert web(personas.expert).get(url).status_code == 404
    assert web(None).get(url).status_code == 302
    flow.announce()
    assert web(personas.vendor).get(url).status_code == 200


def test_project_page_shows_timeline_notices_and_actions(flow, personas, web):
    project = flow.create()
    html = web(personas.officer).get(project.get_absolute_url()).content.decode()
    assert 'data-action="publish_intention"' in html
    assert 'data-action="announce"' in html
    assert 'id="next-step"' in html
    assert "TL-01" in html
    # the vendor sees no action
    flow.announce()
    html = web(personas.vendor).get(project.get_absolute_url()).content.decode()
    assert "data-action=" not in html
    assert "磋商公告" in html


def test_publish_intention_and_generate_document_by_buttons(
    flow, personas, web, django_capture_on_commit_callbacks
):
    project = flow.create()
    client = web(personas.officer)
    # when
    r = client.post(
        reverse("procurement:project-action", args=[project.pk, "publish_intention"])
    )
    # then
    assert r.status_code == 302
    assert project.notices.filter(kind=NoticeKind.INTENTION).exists()
    # when: the document is generated (the job itself is not run here)
    with django_capture_on_commit_callbacks(execute=False):
        r = client.post(
            reverse(
                "procurement:project-action", args=[project.pk, "generate_document"]
            )
        )
    assert r.status_code == 302
    doc = project.documents.get()
    html = client.get(project.get_absolute_url()).content.decode()
    assert reverse("procurement:document-status", args=[project.pk, 1]) in html
    status = client.get(
        reverse("procurement:document-status", args=[project.pk, doc.version]),
        HTTP_HX_REQUEST="true",
    )
    assert 'data-status="pending"' in status.content.decode()


def test_announce_page_names_the_field_at_fault(flow, personas, web):
    # given: a project with its intention and document
    project = flow.create()
    today = timezone.localdate()
    services.project_publish_intention(
        actor=personas.officer, project=project, on=today - dt.timedelta(days=40)
    )
    finished_document(project)
    url = reverse("procurement:project-action", args=[project.pk, "announce"])
    client = web(personas.officer)
    assert client.get(url).status_code == 200
    # when: a deadline only two days ahead
    soon = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url, {"bid_deadline": soon})
    # then
    assert r.status_code == 400
    assert "不得早于" in field_block(r.content.decode(), "bid_deadline")
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert not project.notices.exclude(kind=NoticeKind.INTENTION).exists()
    # when: a lawful deadline
    later = (timezone.localtime() + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url, {"bid_deadline": later})
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.ANNOUNCED


def test_action_pages_refuse_others(flow, personas, web):
    project = flow.create()
    flow.announce()
    url = reverse("procurement:project-action", args=[project.pk, "terminate"])
    assert web(personas.vendor).get(url).status_code == 403
    assert web(personas.other_officer).get(url).status_code == 404
    assert web(personas.auditor).get(url).status_code == 403
    # an action that does not fit the state is a 409, an unknown one a 404
    award = reverse("procurement:project-action", args=[project.pk, "award"])
    assert web(personas.officer).post(award).status_code == 409
    bogus = reverse("procurement:project-action", args=[project.pk, "bogus"])
    assert web(personas.officer).get(bogus).status_code == 404


def test_terminate_needs_a_reason(flow, personas, web):
    project = flow.create()
    flow.announce()
    url = reverse("procurement:project-action", args=[project.pk, "terminate"])
    r = web(personas.officer).post(url, {"reason": "  "})
    assert r.status_code == 400
    assert "请写明终止理由" in r.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.ANNOUNCED
    r = web(personas.officer).post(url, {"reason": "需求发生重大变化"})
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.TERMINATED


# --- documents ---------------------------------------------------------------------------


def test_document_download_for_staff_and_vendors_once_announced(flow, personas, web):
    project = flow.create()
    doc = finished_document(project)
    url = reverse("procurement:document-download", args=[project.pk, doc.version])
    r = web(personas.officer).get(url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    assert web(personas.vendor).get(url).status_code == 404
    assert web(personas.other_officer).get(url).status_code == 404
    flow.announce()
    assert web(personas.vendor).get(url).status_code == 200
    missing = reverse("procurement:document-download", args=[project.pk, 99])
    assert web(personas.officer).get(missing).status_code == 404


# --- the vendor's bid --------------------------------------------------------------------


def test_vendor_bids_and_sees_a_receipt_without_price_or_content(
    flow, world, personas, web
):
    # given: a project taking bids
    project = announce_live(flow)
    lot = project.lots.get()
    client = web(personas.vendor)
    assert 'id="bid-form"' in client.get(project.get_absolute_url()).content.decode()
    pdf = SimpleUploadedFile(
        "方案.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    )
    # when
    r = client.post(
        reverse("procurement:bid-submit", args=[project.pk]),
        {**bid_post(lot, "650000"), "files": [pdf]},
    )
    # then
    assert r.status_code == 302, r.content.decode()[:2000]
    bid = Bid.objects.get(project=project)
    assert bid.status == BidStatus.SUBMITTED
    html = client.get(project.get_absolute_url()).content.decode()
    receipt = html[html.index('id="bid-receipt"') :]
    assert "1 个文件" in receipt
    assert 'data-status="submitted"' in receipt
    assert 'id="withdraw-form"' in html


def test_sealed_before_opening_for_officer_superuser_and_bidder(
    flow, world, personas, web
):
    # given: a bid of ¥650,000 submitted through the page
    project = announce_live(flow)
    lot = project.lots.get()
    vendor_client = web(personas.vendor)
    vendor_client.post(
        reverse("procurement:bid-submit", args=[project.pk]), bid_post(lot, "650000")
    )
    assert Bid.objects.filter(project=project).exists()
    pages = [
        (personas.officer, project.get_absolute_url()),
        (superuser(), project.get_absolute_url()),
        (personas.vendor, project.get_absolute_url()),
        (personas.vendor, reverse("procurement:my-bids")),
        (personas.officer, reverse("procurement:project-list")),
    ]
    for user, url in pages:
        # when
        response = web(user).get(url)
        # then: who and when only
        assert response.status_code == 200
        html = response.content.decode()
        for secret in ("650000", "650,000", "650 000", SECRET_TEXT):
            assert secret not in html, (user, url, secret)
    officer_html = web(personas.officer).get(project.get_absolute_url()).content
    assert world.bidders[0].organisation.name in officer_html.decode()


def test_after_opening_the_officer_sees_prices_and_responses(
    flow, world, personas, web
):
    # given: three bids submitted before the deadline, the deadline passed
    flow.create()
    flow.announce()
    for vendor, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(vendor, price)
    url = flow.project.get_absolute_url()
    html = web(personas.officer).get(url).content.decode()
    assert "650,000" not in html
    assert "的服务方案" not in html
    # when
    r = web(personas.officer).post(
        reverse("procurement:project-action", args=[flow.project.pk, "open"])
    )
    # then: the opening happened through the page (after the deadline)
    assert r.status_code == 302
    html = web(personas.officer).get(url).content.decode()
    assert "¥650,000.00" in html
    assert f"{world.bidders[1].organisation.name}的服务方案" in html
    # and the bidder sees its own price now, not the others'
    vendor_html = web(personas.vendor).get(url).content.decode()
    assert "¥700,000.00" in vendor_html
    assert "¥650,000.00" not in vendor_html


def test_late_bid_is_refused(flow, world, personas, web):
    # given: a deadline that has passed
    project = flow.create()
    flow.announce()
    lot = project.lots.get()
    # when
    r = web(personas.vendor).post(
        reverse("procurement:bid-submit", args=[project.pk]), bid_post(lot, "650000")
    )
    # then
    assert r.status_code == 409
    assert "已过" in r.content.decode()
    assert not Bid.objects.exists()


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("0", "大于零"),
        ("-5000", "大于零"),
        ("650000.125", "两位小数"),
        ("800000.01", "最高限价"),
        ("六十万", "不是有效的金额"),
        ("1e400", "金额过大"),
    ],
)
def test_bad_price_is_refused_at_the_price_field(flow, personas, web, price, reason):
    # given
    project = announce_live(flow)
    lot = project.lots.get()
    # when
    r = web(personas.vendor).post(
        reverse("procurement:bid-submit", args=[project.pk]), bid_post(lot, price)
    )
    # then
    assert r.status_code == 400
    block = field_block(r.content.decode(), f"price_{lot.pk}")
    assert reason in block
    assert "第1包" in block
    assert not Bid.objects.exists()


def test_bid_without_declarations_names_them(flow, personas, web):
    project = announce_live(flow)
    lot = project.lots.get()
    data = bid_post(lot, "650000")
    del data["declare_credit"]
    r = web(personas.vendor).post(
        reverse("procurement:bid-submit", args=[project.pk]), data
    )
    assert r.status_code == 400
    assert "CR-01" in field_block(r.content.decode(), "declare_credit")
    assert not Bid.objects.exists()


def test_only_vendor_staff_bid(flow, personas, web):
    project = announce_live(flow)
    lot = project.lots.get()
    url = reverse("procurement:bid-submit", args=[project.pk])
    assert web(personas.officer).post(url, bid_post(lot, "1")).status_code == 403
    assert web(personas.other_officer).post(url, bid_post(lot, "1")).status_code == 404


def test_withdraw_before_the_deadline(flow, world, personas, web):
    project = announce_live(flow)
    lot = project.lots.get()
    client = web(personas.vendor)
    client.post(
        reverse("procurement:bid-submit", args=[project.pk]), bid_post(lot, "650000")
    )
    r = client.post(reverse("procurement:bid-withdraw", args=[project.pk]))
    assert r.status_code == 302
    assert Bid.objects.get().status == BidStatus.WITHDRAWN
    # nothing left to withdraw
    r = client.post(reverse("procurement:bid-withdraw", args=[project.pk]))
    assert r.status_code == 404


def test_my_bids_lists_own_bids_only(flow, world, personas, web):
    flow.create()
    flow.announce()
    flow.bid(world.bidders[0], PRICES[0])
    flow.bid(world.bidders[1], PRICES[1])
    html = web(personas.vendor).get(reverse("procurement:my-bids")).content.decode()
    assert world.bidders[0].organisation.name in html
    assert world.bidders[1].organisation.name not in html
    assert flow.project.code in html
    assert web(personas.officer).get(reverse("procurement:my-bids")).status_code == 403


# --- qualification, committee and scoring ------------------------------------------------


def opened(flow, world, n=3, committee=False):
    flow.create()
    flow.announce()
    for vendor, price in zip(world.bidders[:n], PRICES, strict=False):
        flow.bid(vendor, price)
    members = flow.committee() if committee else None
    flow.open()
    flow.members = members
    return flow.project


def test_qualify_page_records_each_condition(flow, world, personas, web):
    project = opened(flow, world)
    bid = project.bids.order_by("pk").first()
    # the page judges eligibility today: fresh documents and credit checks
    today = timezone.localdate()
    for kind in REQUIRED:
        add_document(bid.vendor, kind, valid_from=today - dt.timedelta(days=30))
    for list_kind in CreditList.values:
        add_check(bid.vendor, list_kind, when=at(today - dt.timedelta(days=3)))
    url = reverse("procurement:bid-qualify", args=[project.pk, bid.pk])
    client = web(personas.officer)
    assert "在武侯区设有固定服务场所" in client.get(url).content.decode()
    # when: "not met" without a reason
    r = client.post(url, {"met_1": "no", "note_1": ""})
    assert r.status_code == 400
    assert "写明理由" in r.content.decode()
    bid.refresh_from_db()
    assert bid.status == BidStatus.OPENED
    # when: met
    r = client.post(url, {"met_1": "yes", "note_1": "已核实租赁合同"})
    assert r.status_code == 302
    bid.refresh_from_db()
    assert bid.status == BidStatus.QUALIFIED
    assert web(personas.vendor).get(url).status_code == 403


def test_draw_committee_page(flow, world, personas, web):
    project = opened(flow, world)
    url = reverse("procurement:project-action", args=[project.pk, "draw_committee"])
    client = web(personas.officer)
    assert client.get(url).status_code == 200
    # an even committee is refused
    r = client.post(url, {"experts": "1", "buyer_representatives": []})
    assert r.status_code == 400
    assert not project.committee.exists()
    r = client.post(
        url, {"experts": "2", "buyer_representatives": [str(personas.officer.pk)]}
    )
    assert r.status_code == 302
    assert project.committee.count() == 3


def evaluating(flow, world):
    project = opened(flow, world, committee=True)
    flow.qualify_all()
    return project, flow.members


def test_scoring_page_for_members_only(flow, world, personas, web):
    project, members = evaluating(flow, world)
    lot = project.lots.get()
    url = reverse("procurement:lot-score", args=[project.pk, lot.pk])
    expert = next(m for m in members if m.role == "expert")
    assert web(expert.user).get(url).status_code == 200
    assert web(personas.auditor).get(url).status_code == 403
    assert web(personas.vendor).get(url).status_code == 403
    assert web(personas.other_officer).get(url).status_code == 404


def test_scoring_hides_other_sheets_until_own_is_submitted(flow, world, personas, web):
    # given: member A submitted a sheet with a distinctive score
    project, members = evaluating(flow, world)
    lot = project.lots.get()
    a, b = members[0], members[1]
    bids = services.scorable_bids(lot)
    services.sheet_save(
        actor=a.user,
        lot=lot,
        scores={
            str(bl.bid_id): {"plan": "37.77", "team": "15", "record": "10"}
            for bl in bids
        },
        submit=True,
    )
    url = reverse("procurement:lot-score", args=[project.pk, lot.pk])
    client = web(b.user)
    # when: B has not submitted
    html = client.get(url).content.decode()
    # then
    assert "37.77" not in html
    assert 'id="others-hidden"' in html
    # when: B submits through the page
    data = {"op": "submit"}
    for bl in bids:
        data[f"s_{bl.bid_id}_plan"] = "30"
        data[f"s_{bl.bid_id}_team"] = "15"
        data[f"s_{bl.bid_id}_record"] = "10"
    r = client.post(url, data)
    assert r.status_code == 302
    # then: B sees A's sheet
    html = client.get(url).content.decode()
    assert "37.77" in html
    assert ScoreSheet.objects.get(member=b, lot=lot).status == SheetStatus.SUBMITTED


def test_scoring_refuses_points_out_of_range(flow, world, personas, web):
    project, members = evaluating(flow, world)
    lot = project.lots.get()
    bids = services.scorable_bids(lot)
    url = reverse("procurement:lot-score", args=[project.pk, lot.pk])
    data = {"op": "submit"}
    for bl in bids:
        data[f"s_{bl.bid_id}_plan"] = "41"
        data[f"s_{bl.bid_id}_team"] = "15"
        data[f"s_{bl.bid_id}_record"] = "10"
    r = web(members[0].user).post(url, data)
    assert r.status_code == 400
    assert "0–40" in r.content.decode()
    assert not ScoreSheet.objects.exists()


def test_member_declares_before_scoring(flow, world, personas, web):
    # given: a committee drawn but nobody has declared
    flow.create()
    flow.announce()
    for vendor, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(vendor, price)
    members = services.committee_draw(
        actor=personas.officer,
        project=flow.project,
        experts=2,
        buyer_representatives=[personas.officer],
        seed="fixed-seed",
    )
    flow.open()
    project = flow.qualify_all()
    lot = project.lots.get()
    url = reverse("procurement:lot-score", args=[project.pk, lot.pk])
    client = web(members[0].user)
    html = client.get(url).content.decode()
    assert 'id="declare"' in html
    assert 'id="score-grid"' not in html
    # when: a conflict without saying which
    r = client.post(url, {"op": "declare", "conflict": "yes", "declaration": ""})
    assert r.status_code == 400
    assert "请说明存在的利害关系" in field_block(r.content.decode(), "declaration")
    members[0].refresh_from_db()
    assert members[0].declared_at is None
    # when: none
    r = client.post(url, {"op": "declare", "conflict": "no"})
    assert r.status_code == 302
    assert 'id="score-grid"' in client.get(url).content.decode()


def test_sign_award_and_public_notice(flow, world, personas, web):
    # given: every sheet submitted
    project, members = evaluating(flow, world)
    flow.score_all()
    assert flow.project.status == ProjectStatus.EVALUATED
    # when: every member signs through the page
    for m in flow.project.committee.all():
        r = web(m.user).post(
            reverse("procurement:report-sign", args=[project.pk]), {"agrees": "yes"}
        )
        assert r.status_code == 302
    # and a dissent without reasons would have been refused
    # when: the officer awards
    r = web(personas.officer).post(
        reverse("procurement:project-action", args=[project.pk, "award"])
    )
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.AWARDED
    html = web(personas.officer).get(project.get_absolute_url()).content.decode()
    assert 'id="awards"' in html
    assert 'id="results"' in html
    # then: the award notice is public, with winners, amount and experts
    notice = Notice.objects.get(project=project, kind=NoticeKind.AWARD)
    public = web(None).get(reverse("notices:detail", args=[notice.pk]))
    assert public.status_code == 200
    body = public.content.decode()
    assert world.bidders[1].organisation.name in body  # the lowest price wins
    assert "650000.00" in body or "650,000.00" in body
    for m in project.committee.filter(role="expert"):
        assert str(m.user) in body


def test_dissent_needs_reasons(flow, world, personas, web):
    project, members = evaluating(flow, world)
    flow.score_all()
    r = web(members[0].user).post(
        reverse("procurement:report-sign", args=[project.pk]),
        {"agrees": "no", "dissent": ""},
    )
    assert r.status_code == 400
    assert "COM-09" in r.content.decode()


def test_committee_names_hidden_from_vendors_before_the_award(
    flow, world, personas, web
):
    project, members = evaluating(flow, world)
    html = web(personas.vendor).get(project.get_absolute_url()).content.decode()
    expert = next(m for m in members if m.role == "expert")
    assert str(expert.user) not in html
    officer_html = web(personas.officer).get(project.get_absolute_url()).content
    assert str(expert.user) in officer_html.decode()


def test_challenge_after_the_award(flow, world, personas, web):
    project, members = evaluating(flow, world)
    flow.score_all()
    flow.sign_all()
    # the award is dated today so the challenge window is open
    services.project_award(actor=personas.officer, project=flow.project)
    client = web(personas.vendor)
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'id="challenge-form"' in html
    r = client.post(
        reverse("procurement:challenge-file", args=[project.pk]), {"grounds": ""}
    )
    assert r.status_code == 400
    r = client.post(
        reverse("procurement:challenge-file", args=[project.pk]),
        {"grounds": "评分不公"},
    )
    assert r.status_code == 302
    challenge = project.challenges.get()
    # the officer answers it
    url = reverse("procurement:challenge-answer", args=[project.pk, challenge.pk])
    assert web(personas.vendor).get(url).status_code == 403
    r = web(personas.officer).post(url, {"reply": "经复核，评分符合评审标准。"})
    assert r.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == "answered"
    assert challenge.upheld is False


# --- public notices ----------------------------------------------------------------------


def test_public_notices_without_login(flow, personas, web):
    # given: an intention and a 磋商 notice, and one dated in the future
    project = flow.create()
    flow.announce()
    future = Notice.objects.create(
        project=project,
        kind=NoticeKind.CORRECTION,
        title="尚未发布的更正",
        body="x",
        published_on=timezone.localdate() + dt.timedelta(days=5),
    )
    # when
    r = web(None).get(reverse("notices:list"))
    # then
    assert r.status_code == 200
    html = r.content.decode()
    assert "采购意向" in html
    assert "磋商公告" in html
    assert "尚未发布的更正" not in html
    assert web(None).get(reverse("notices:detail", args=[future.pk])).status_code == 404
    # and filtered by kind
    html = web(None).get(reverse("notices:list"), {"kind": "intention"}).content
    assert "磋商公告" not in html.decode().split('id="notice-table"')[1]
    notice = project.notices.get(kind=NoticeKind.CUOSHANG)
    detail = web(None).get(reverse("notices:detail", args=[notice.pk]))
    assert detail.status_code == 200
    assert project.code in detail.content.decode()


def test_nothing_half_saved_when_the_service_refuses(flow, world, personas, web):
    # a bid whose bond is missing where the project asks for one
    project = flow.create(bid_bond="10000")
    announce_live(flow)
    lot = project.lots.get()
    r = web(personas.vendor).post(
        reverse("procurement:bid-submit", args=[project.pk]),
        bid_post(lot, "650000", bond_form="none"),
    )
    assert r.status_code == 400
    assert "BD-01" in field_block(r.content.decode(), "bond_form")
    assert not Bid.objects.exists()
    assert Decimal(project.bid_bond) == Decimal("10000")


JUNK = ["", "abc", "-1", "NaN", "Infinity", "1e400", "0.001", "\x00", "9" * 40]


@pytest.mark.parametrize("junk", JUNK)
def test_no_server_error_on_junk(flow, world, personas, web, junk):
    # given: a draft project and an evaluating one
    draft = flow.create()
    flow.project = None
    project, members = evaluating(flow, world)
    lot = project.lots.get()
    officer = web(personas.officer)
    posts = [
        (
            officer,
            reverse("procurement:project-create"),
            project_form(
                world,
                fiscal_year=junk,
                price_weight=junk,
                bid_bond=junk,
                term_years=junk,
                lots=junk,
                **lot_fields(1, budget=junk, ceiling=junk, items=[junk]),
                **lot_fields(2, budget=junk, communities=[junk]),
                criteria=f"a|b|{junk}|主观",
                payment_terms=f"首付|{junk}|x",
            ),
        ),
        (
            officer,
            reverse("procurement:project-edit", args=[draft.pk]),
            project_form(world, **lot_fields(1, budget=junk, communities=[junk])),
        ),
        (
            officer,
            reverse("procurement:project-action", args=[draft.pk, "announce"]),
            {"bid_deadline": junk, "documents_from": junk, "documents_until": junk},
        ),
        (
            officer,
            reverse("procurement:project-action", args=[project.pk, "return_sheets"]),
            {"case": junk, "members": [junk]},
        ),
        (
            web(members[0].user),
            reverse("procurement:lot-score", args=[project.pk, lot.pk]),
            {
                "op": "submit",
                **{
                    f"s_{bl.bid_id}_{c}": junk
                    for bl in services.scorable_bids(lot)
                    for c in ("plan", "team", "record")
                },
            },
        ),
        (
            web(members[0].user),
            reverse("procurement:lot-score", args=[project.pk, lot.pk]),
            {"op": "abnormal", "bid_lot": junk},
        ),
        (
            web(members[0].user),
            reverse("procurement:report-sign", args=[project.pk]),
            {"agrees": junk, "dissent": junk},
        ),
    ]
    for client, url, data in posts:
        # when
        response = client.post(url, data)
        # then
        assert response.status_code in (200, 302, 400, 404, 409), (
            url,
            junk,
            response.status_code,
        )
    for url in (
        reverse("procurement:project-list") + f"?status={junk}&q={junk}&page={junk}",
        reverse("notices:list") + f"?kind={junk}&q={junk}&page={junk}",
        reverse("procurement:method-preview") + f"?lot_budget={junk}&buyer={junk}",
        reverse("procurement:method-preview") + f"?lot-1-budget={junk}&lot-2-budget=1",
        reverse("procurement:project-create") + f"?lots={junk}",
    ):
        assert officer.get(url).status_code in (200, 400), (url, junk)


def two_lots(world, **lot2):
    """The form's fields for two lots: lot 1 in community 1 buying item 1, lot 2 in
    community 2 buying items 2 and 3 (lot 2's fields overridden by `lot2`)."""
    return {
        "lots": "2",
        **lot_fields(
            1,
            name="巡访",
            budget="500000",
            ceiling="480000",
            budget_source="fiscal",
            budget_note="民政专项",
            communities=[str(world.communities[0].pk)],
            items=[str(world.items[0].pk)],
        ),
        **lot_fields(
            2,
            **{
                "name": "受理辅助",
                "budget": "300000",
                "ceiling": "",
                "budget_source": "lottery",
                "budget_note": "",
                "communities": [str(world.communities[1].pk)],
                "items": [str(world.items[1].pk), str(world.items[2].pk)],
                **lot2,
            },
        ),
    }


def lot_rows(project):
    return [
        (
            lot.name,
            lot.budget,
            lot.budget_source,
            sorted(c.pk for c in lot.communities.all()),
            sorted(li.item_id for li in lot.items.all()),
        )
        for lot in project.lots.order_by("number")
    ]


def test_create_with_two_lots_saves_each_lot_with_its_own_fields(world, personas, web):
    # when: the form is posted with two lots
    response = web(personas.officer).post(
        reverse("procurement:project-create"),
        project_form(world, **two_lots(world)),
    )
    # then: both lots are saved, each with its budget, communities and items
    assert response.status_code == 302, response.content.decode()
    project = ProcurementProject.objects.get()
    c1, c2 = (c.pk for c in world.communities)
    i1, i2, i3 = (i.pk for i in world.items)
    assert lot_rows(project) == [
        ("巡访", Decimal("500000.00"), "fiscal", [c1], [i1]),
        ("受理辅助", Decimal("300000.00"), "lottery", [c2], sorted([i2, i3])),
    ]
    first = project.lots.get(number=1)
    assert first.ceiling == Decimal("480000.00")
    assert first.budget_note == "民政专项"
    assert project.lots.get(number=2).ceiling is None


def test_bad_budget_in_lot_two_is_shown_on_lot_two_and_saves_nothing(
    world, personas, web
):
    # when: lot 2's budget is not an amount and it names no community
    response = web(personas.officer).post(
        reverse("procurement:project-create"),
        project_form(world, **two_lots(world, budget="三十万", communities=[])),
    )
    # then: the errors stand by lot 2's fields, lot 1's are clean, nothing is saved
    assert response.status_code == 400
    html = response.content.decode()
    assert "field-error" in field_block(html, "lot-2-budget")
    assert "field-error" not in field_block(html, "lot-1-budget")
    assert "请选择服务社区" in html[html.index('id="lot-2"') :]
    assert "请选择服务社区" not in html[: html.index('id="lot-2"')]
    assert "项目尚未保存" in html
    assert not ProcurementProject.objects.exists()
    # and what was typed is still there, both lots shown
    assert 'value="三十万"' in field_block(html, "lot-2-budget")
    assert 'value="500000"' in field_block(html, "lot-1-budget")
    assert 'name="lots" value="2"' in html


def test_add_and_remove_a_lot_redraw_the_form_as_typed(world, personas, web):
    client = web(personas.officer)
    url = reverse("procurement:project-create")
    # when: 「增加一个包」 is pressed on a one-lot form
    response = client.post(url, project_form(world, title="加包项目", add_lot="1"))
    # then: the same form with an empty second lot, nothing checked or saved
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="加包项目"' in field_block(html, "title")
    assert 'value="800000"' in field_block(html, "lot-1-budget")
    assert 'value=""' in field_block(html, "lot-2-budget")
    assert 'name="lots" value="2"' in html
    assert "项目尚未保存" not in html
    assert "field-error" not in html
    assert not ProcurementProject.objects.exists()
    # when: lot 1 of two is removed
    response = client.post(url, project_form(world, **two_lots(world), remove_lot="1"))
    # then: lot 2 moves up to be lot 1
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="受理辅助"' in field_block(html, "lot-1-name")
    assert 'value="300000"' in field_block(html, "lot-1-budget")
    assert 'name="lot-2-budget"' not in html
    assert 'name="lots" value="1"' in html
    assert not ProcurementProject.objects.exists()
    # and the one lot left has no remove button
    assert 'name="remove_lot"' not in html


def test_create_form_shows_as_many_lots_as_asked(world, personas, web):
    html = (
        web(personas.officer)
        .get(reverse("procurement:project-create"), {"lots": "3"})
        .content.decode()
    )
    assert 'name="lot-3-budget"' in html
    assert 'name="lot-4-budget"' not in html
    assert html.count('name="remove_lot"') == 3


def test_method_preview_adds_up_the_lots(world, personas, web):
    response = web(personas.officer).get(
        reverse("procurement:method-preview"),
        {"lot-1-budget": "3000000", "lot-2-budget": "2000000", "lot-3-budget": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "公开招标" in response.content.decode()


def test_edit_shows_every_lot_and_changes_lot_two(flow, world, personas, web):
    # given: a draft with two lots
    project = flow.create(
        lots=[
            {
                "name": name,
                "budget": "300000.00",
                "budget_source": "fiscal",
                "communities": [world.communities[0].pk],
                "items": [world.items[i].pk],
            }
            for i, name in enumerate(("巡访", "受理辅助"))
        ]
    )
    url = reverse("procurement:project-edit", args=[project.pk])
    client = web(personas.officer)
    # when: the edit page is opened
    html = client.get(url).content.decode()
    # then: both lots are there to edit
    assert 'value="巡访"' in field_block(html, "lot-1-name")
    assert 'value="受理辅助"' in field_block(html, "lot-2-name")
    assert 'value="300000.00"' in field_block(html, "lot-2-budget")
    assert 'name="lots" value="2"' in html
    assert "保持不变" not in html
    # when: lot 2's name, budget, communities and items are changed
    c1, c2 = (c.pk for c in world.communities)
    i1, i2, i3 = (i.pk for i in world.items)
    r = client.post(
        url,
        project_form(
            world,
            lots="2",
            **lot_fields(
                1,
                name="巡访",
                budget="300000.00",
                budget_source="fiscal",
                communities=[str(c1)],
                items=[str(i1)],
            ),
            **lot_fields(
                2,
                name="受理辅助（修改）",
                budget="260000",
                budget_source="fiscal",
                communities=[str(c1), str(c2)],
                items=[str(i2), str(i3)],
            ),
        ),
    )
    # then: both lots are kept, lot 1 as it was and lot 2 changed
    assert r.status_code == 302, r.content.decode()
    assert lot_rows(project) == [
        ("巡访", Decimal("300000.00"), "fiscal", [c1], [i1]),
        (
            "受理辅助（修改）",
            Decimal("260000.00"),
            "fiscal",
            sorted([c1, c2]),
            sorted([i2, i3]),
        ),
    ]


def test_edit_can_remove_a_lot(flow, world, personas, web):
    # given: a draft with two lots, edited down to the first one
    project = flow.create(
        lots=[
            {
                "name": name,
                "budget": "300000.00",
                "budget_source": "fiscal",
                "communities": [world.communities[0].pk],
                "items": [world.items[i].pk],
            }
            for i, name in enumerate(("巡访", "受理辅助"))
        ]
    )
    url = reverse("procurement:project-edit", args=[project.pk])
    client = web(personas.officer)
    data = project_form(
        world,
        **two_lots(world, budget_source="fiscal"),
        remove_lot="2",
    )
    html = client.post(url, data).content.decode()
    assert 'name="lot-2-name"' not in html
    assert project.lots.count() == 2  # nothing saved yet
    # when: the form as redrawn is saved
    data = project_form(world, lots="1", **lot_fields(1, name="巡访", budget="500000"))
    r = client.post(url, data)
    # then
    assert r.status_code == 302
    assert list(project.lots.values_list("name", flat=True)) == ["巡访"]


def test_project_page_queries_do_not_grow_with_the_bids(flow, world, personas):
    from decimal import Decimal

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .conftest import PRICES

    def count() -> int:
        client = Client()
        client.force_login(personas.officer)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(flow.project.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    flow.create()
    flow.announce()
    for vendor, price in zip(world.bidders[:2], PRICES, strict=False):
        flow.bid(vendor, price)
    sealed_two = count()
    flow.bid(world.bidders[2], PRICES[2])
    flow.bid(world.bidders[3], Decimal("720000"))
    assert count() == sealed_two
    flow.committee()
    flow.open()
    opened_four = count()
    # the budget of the opened page, whatever the number of bids
    assert opened_four <= 30
