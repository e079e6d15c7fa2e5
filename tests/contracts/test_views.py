"""The contract pages: each renders for the right role, refusals show their reason,
bad input is shown next to the field with what was typed kept, nothing half-saved."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import (
    Acceptance,
    Contract,
    ContractChange,
    DeliveryRecord,
    Evidence,
    ExtensionRequest,
    ExtraWork,
    ResidualWork,
)
from contracts.services import delivery as delivery_services
from procurement.choices import AwardStatus
from tests.contracts.conftest import *  # noqa: F403
from tests.contracts.conftest import delivery

pytestmark = pytest.mark.django_db


def jpeg(color=(200, 30, 30), name="现场.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def html(response) -> str:
    return response.content.decode()


def _create_data(**overrides):
    today = timezone.localdate()
    data = {
        "start_on": (today - dt.timedelta(days=10)).isoformat(),
        "end_on": (today + dt.timedelta(days=300)).isoformat(),
        "performance_bond": "",
        "bond_form": "",
        "code": "",
        "tranche_rows": "3",
        "t-1-kind": "advance",
        "t-1-share": "40",
        "t-2-kind": "midterm",
        "t-2-share": "30",
        "t-2-needs_acceptance": "on",
        "t-2-period_label": "中期",
        "t-3-kind": "final",
        "t-3-share": "30",
        "t-3-needs_acceptance": "on",
        "t-3-period_label": "年度",
        "t-3-min_grade": "good",
        "t-3-deduction_share": "10",
    }
    data.update(overrides)
    return data


def _delivery(contract, personas, count=5, photo=True):
    ci = contract.items.order_by("pk").first()
    today = timezone.localdate()
    return delivery_services.delivery_report(
        contract=contract,
        actor=personas.vendor,
        contract_item=ci,
        period_start=today - dt.timedelta(days=7),
        period_end=today - dt.timedelta(days=1),
        count=count,
        files=[("photo", jpeg())] if photo else [],
    )


# --- list --------------------------------------------------------------------------------


def test_list_shows_visible_contracts_with_flags(make_contract, personas, web):
    # given: an active contract of S1
    contract = make_contract()
    # when: the officer, the vendor and the community staff open the list
    for user in (personas.officer, personas.vendor, personas.community):
        response = web(user).get(reverse("contracts:contract-list"))
        # then: the contract is a row with its status
        assert response.status_code == 200
        assert f'data-contract="{contract.pk}"' in html(response)
    # and: another street's officer does not see it
    response = web(personas.other_officer).get(reverse("contracts:contract-list"))
    assert f'data-contract="{contract.pk}"' not in html(response)


def test_list_filters_by_status(make_contract, personas, web):
    # given: an active contract
    contract = make_contract()
    # when: filtering for drafts
    response = web(personas.officer).get(
        reverse("contracts:contract-list"), {"status": "draft"}
    )
    # then: it is not listed
    assert f'data-contract="{contract.pk}"' not in html(response)
    response = web(personas.officer).get(
        reverse("contracts:contract-list"), {"status": "active"}
    )
    assert f'data-contract="{contract.pk}"' in html(response)


def test_list_refuses_experts(personas, web, cworld):
    response = web(personas.expert).get(reverse("contracts:contract-list"))
    assert response.status_code == 403


# --- create from an award ---------------------------------------------------------------


def test_create_form_prefills_the_rule_tranches(personas, web, cworld):
    # when: the officer opens the form for the final award
    url = reverse("contracts:contract-create") + f"?award={cworld.award.pk}"
    response = web(personas.officer).get(url)
    # then: the default plan 40 / 30 / 30 is prefilled
    assert response.status_code == 200
    body = html(response)
    assert 'name="t-1-share" value="40"' in body
    assert 'name="t-3-share" value="30"' in body


def test_create_refuses_tranches_not_summing_to_100_and_keeps_input(
    personas, web, cworld
):
    # given: tranches of 40 + 30 + 25 = 95 %
    url = reverse("contracts:contract-create") + f"?award={cworld.award.pk}"
    data = _create_data(**{"t-3-share": "25", "bond_form": "银行保函"})
    # when
    response = web(personas.officer).post(url, data)
    # then: 400, the reason on the tranche table, the typed values kept, nothing saved
    assert response.status_code == 400
    body = html(response)
    assert "合计应为100%" in body
    assert 'name="t-3-share" value="25"' in body
    assert 'value="银行保函"' in body
    assert not Contract.objects.filter(award=cworld.award).exists()


def test_create_puts_a_row_error_on_its_cell(personas, web, cworld):
    # given: a tranche tied to acceptance without its period
    url = reverse("contracts:contract-create") + f"?award={cworld.award.pk}"
    data = _create_data(**{"t-2-period_label": ""})
    # when
    response = web(personas.officer).post(url, data)
    # then: the message is in row 2 of the table
    assert response.status_code == 400
    body = html(response)
    row2 = body[body.index('data-row="2"') : body.index('data-row="3"')]
    assert "须写明对应的履约期" in row2
    assert not Contract.objects.exists()


def test_create_drafts_the_contract(personas, web, cworld):
    url = reverse("contracts:contract-create") + f"?award={cworld.award.pk}"
    response = web(personas.officer).post(url, _create_data())
    contract = Contract.objects.get(award=cworld.award)
    assert response.status_code == 302
    assert response["Location"] == contract.get_absolute_url()
    assert contract.status == "draft"
    assert [str(t.share) for t in contract.tranches.order_by("number")] == [
        "40.00",
        "30.00",
        "30.00",
    ]


def test_create_refuses_the_vendor_and_a_confirmed_award(personas, web, cworld):
    url = reverse("contracts:contract-create") + f"?award={cworld.award.pk}"
    # the vendor may see the project, but signing a contract is the buyer's
    assert web(personas.vendor).get(url).status_code in (403, 404)
    # a confirmed (not final) award cannot become a contract yet: 409 with the reason
    cworld.award.status = AwardStatus.CONFIRMED
    cworld.award.save(update_fields=["status"])
    response = web(personas.officer).get(url)
    assert response.status_code == 409
    assert "尚未生效" in html(response)


def test_create_with_a_bad_award_id_is_404(personas, web, cworld):
    for raw in ("", "abc", "999999", "²"):
        response = web(personas.officer).get(
            reverse("contracts:contract-create") + f"?award={raw}"
        )
        assert response.status_code == 404


def test_project_page_links_to_the_contract_form(personas, web, cworld):
    response = web(personas.officer).get(cworld.award.lot.project.get_absolute_url())
    assert f'data-create-contract="{cworld.award.pk}"' in html(response)


# --- the contract page and its actions -----------------------------------------------------


def test_detail_shows_progress_tranches_and_disabled_reasons(
    make_contract, personas, web
):
    # given: an active contract whose term is not over
    contract = make_contract()
    # when: the officer opens it
    response = web(personas.officer).get(contract.get_absolute_url())
    body = html(response)
    # then: the progress table, the tranches and "complete" disabled with the reason
    assert response.status_code == 200
    assert 'id="progress-table"' in body
    assert body.count("data-tranche=") == 3
    assert 'data-action="complete" data-disabled="1"' in body
    assert "履行期限尚未届满" in body
    # and: the officer's terminate button is live
    assert reverse("contracts:contract-action", args=[contract.pk, "terminate"]) in body


def test_progress_filters_by_community(make_contract, personas, web, cworld):
    contract = make_contract()
    other = cworld.communities[1]
    response = web(personas.officer).get(
        contract.get_absolute_url(), {"community": cworld.communities[0].pk}
    )
    body = html(response)
    table = body[body.index('id="progress-table"') :]
    assert f'<th data-community="{cworld.communities[0].pk}"' in table
    assert f'<th data-community="{other.pk}"' not in table


def test_vendor_signs_and_officer_countersigns(make_contract, personas, web):
    # given: a draft
    contract = make_contract(status="draft")
    sign = reverse("contracts:contract-action", args=[contract.pk, "sign"])
    countersign = reverse(
        "contracts:contract-action", args=[contract.pk, "countersign"]
    )
    # then: the officer may not sign for the vendor
    assert web(personas.officer).get(sign).status_code == 403
    # when: the vendor signs, then the officer countersigns
    assert web(personas.vendor).post(sign).status_code == 302
    response = web(personas.officer).post(countersign, {"signed_on": ""})
    # then: the contract is in force with its publication and filing due dates
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "active"
    assert contract.publish_due
    assert contract.file_due


def test_countersign_twice_is_409_with_reason(make_contract, personas, web):
    contract = make_contract()
    url = reverse("contracts:contract-action", args=[contract.pk, "countersign"])
    response = web(personas.officer).get(url)
    assert response.status_code == 409
    assert "不允许此操作" in html(response)


def test_publication_with_a_bad_date_keeps_input(make_contract, personas, web):
    contract = make_contract()
    url = reverse("contracts:contract-action", args=[contract.pk, "publish"])
    response = web(personas.officer).post(
        url, {"published_on": "2026-13-40", "url": "https://ccgp.example/x"}
    )
    assert response.status_code == 400
    assert 'value="https://ccgp.example/x"' in html(response)
    contract.refresh_from_db()
    assert contract.published_on is None


def test_terminate_page_lists_open_tranches_then_cancels_them(
    make_contract, personas, web
):
    contract = make_contract()
    url = reverse("contracts:contract-action", args=[contract.pk, "terminate"])
    body = html(web(personas.officer).get(url))
    assert body.count("data-tranche=") == 3
    # a missing reason is refused and nothing changes
    response = web(personas.officer).post(
        url, {"kind": "mutual", "reason": "", "terminated_on": "2026-01-01"}
    )
    assert response.status_code == 400
    contract.refresh_from_db()
    assert contract.status == "active"
    response = web(personas.officer).post(
        url,
        {
            "kind": "mutual",
            "reason": "双方协商一致",
            "terminated_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "terminated"
    assert set(contract.tranches.values_list("status", flat=True)) == {"cancelled"}


def test_unknown_action_is_404(make_contract, personas, web):
    contract = make_contract()
    url = reverse("contracts:contract-action", args=[contract.pk, "explode"])
    assert web(personas.officer).get(url).status_code == 404


# --- tranches -----------------------------------------------------------------------------


def test_tranche_request_and_approve(make_contract, personas, web):
    # given: the advance tranche (no condition)
    contract = make_contract()
    t1 = contract.tranches.get(kind="advance")
    request_url = reverse(
        "contracts:tranche-action", args=[contract.pk, t1.pk, "request"]
    )
    approve_url = reverse(
        "contracts:tranche-action", args=[contract.pk, t1.pk, "approve"]
    )
    # when: the vendor requests and the officer approves
    assert web(personas.vendor).post(request_url).status_code == 302
    assert web(personas.vendor).get(approve_url).status_code == 403
    assert web(personas.officer).post(approve_url).status_code == 302
    # then
    t1.refresh_from_db()
    assert t1.status == "approved"
    assert t1.approved_by == personas.officer


def test_tranche_waiting_for_acceptance_shows_the_reason(make_contract, personas, web):
    contract = make_contract()
    body = html(web(personas.officer).get(contract.get_absolute_url()))
    t2 = contract.tranches.get(kind="final")
    row = body[body.index(f'data-tranche="{t2.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "disabled" in row
    assert "验收合格" in row
    url = reverse("contracts:tranche-action", args=[contract.pk, t2.pk, "request"])
    response = web(personas.officer).post(url)
    assert response.status_code == 409
    t2.refresh_from_db()
    assert t2.status == "pending"


def test_tranche_pay_refuses_a_future_date(make_contract, personas, web):
    contract = make_contract()
    t1 = contract.tranches.get(kind="advance")
    services.payment_tranche_request(tranche=t1, actor=personas.vendor)
    services.payment_tranche_approve(tranche=t1, actor=personas.officer)
    url = reverse("contracts:tranche-action", args=[contract.pk, t1.pk, "pay"])
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = web(personas.officer).post(
        url, {"paid_on": future, "payment_ref": "PZ-1"}
    )
    assert response.status_code == 400
    assert 'value="PZ-1"' in html(response)
    t1.refresh_from_db()
    assert t1.status == "approved"


# --- changes and versions -----------------------------------------------------------------


def test_change_above_the_cap_is_refused_on_the_field(make_contract, personas, web):
    # given: a ¥200,000 contract (cap ¥20,000)
    contract = make_contract()
    url = reverse("contracts:change-create", args=[contract.pk])
    # when: proposing an addition of ¥30,000
    response = web(personas.officer).post(
        url,
        {
            "kind": "addition",
            "reason_code": "demand_growth",
            "rationale": "新增服务需求",
            "value_delta": "30000",
        },
    )
    # then
    assert response.status_code == 400
    body = html(response)
    assert "CT-01" in body
    assert 'value="30000"' in body
    assert "新增服务需求" in body
    assert not ContractChange.objects.exists()


def test_change_accepted_by_the_other_party_and_diffed(make_contract, personas, web):
    contract = make_contract()
    response = web(personas.officer).post(
        reverse("contracts:change-create", args=[contract.pk]),
        {
            "kind": "addition",
            "reason_code": "demand_growth",
            "rationale": "新增服务需求",
            "value_delta": "15000",
        },
    )
    assert response.status_code == 302
    change = ContractChange.objects.get()
    accept = reverse("contracts:change-action", args=[contract.pk, change.pk, "accept"])
    # the proposer cannot accept its own change
    assert web(personas.officer).get(accept).status_code == 403
    assert web(personas.vendor).post(accept, {"note": "同意"}).status_code == 302
    contract.refresh_from_db()
    assert contract.version == 2
    first = contract.versions.order_by("number").first().number
    diff = web(personas.officer).get(
        reverse("contracts:version-diff", args=[contract.pk, first, 2])
    )
    assert diff.status_code == 200
    assert "215000" in html(diff)
    missing = reverse("contracts:version-diff", args=[contract.pk, 1, 99])
    assert web(personas.officer).get(missing).status_code == 404


def test_reject_needs_a_reason(make_contract, personas, web):
    contract = make_contract()
    change = services.contract_change_propose(
        contract=contract,
        actor=personas.officer,
        kind="variation",
        reason_code="scope_adjust",
        rationale="调整",
        new_end_on=contract.end_on + dt.timedelta(days=30),
    )
    url = reverse("contracts:change-action", args=[contract.pk, change.pk, "reject"])
    assert web(personas.vendor).post(url, {"note": ""}).status_code == 400
    change.refresh_from_db()
    assert change.status == "proposed"


# --- extensions --------------------------------------------------------------------------


def test_extension_page_shows_the_snapshot_it_will_store(make_contract, personas, web):
    contract = make_contract()
    url = reverse("contracts:extension-create", args=[contract.pk])
    response = web(personas.vendor).get(url)
    assert response.status_code == 200
    assert 'id="snapshot"' in html(response)
    assert "0/2 社区 = 0%" in html(response)
    # a date before the current end is refused, the reason kept
    response = web(personas.vendor).post(
        url, {"requested_end_on": "2000-01-01", "reason": "疫情影响入户"}
    )
    assert response.status_code == 400
    assert "疫情影响入户" in html(response)
    assert not ExtensionRequest.objects.exists()
    later = (contract.end_on + dt.timedelta(days=60)).isoformat()
    response = web(personas.vendor).post(
        url, {"requested_end_on": later, "reason": "疫情影响入户"}
    )
    assert response.status_code == 302
    ext = ExtensionRequest.objects.get()
    assert ext.snapshot["communities_total"] == 2
    # the officer refuses without a reason: refused, then with one
    refuse = reverse("contracts:extension-action", args=[contract.pk, ext.pk, "refuse"])
    assert web(personas.vendor).get(refuse).status_code == 403
    assert web(personas.officer).post(refuse, {"reason": ""}).status_code == 400
    assert (
        web(personas.officer).post(refuse, {"reason": "理由不充分"}).status_code == 302
    )
    ext.refresh_from_db()
    assert ext.status == "refused"


# --- deliveries and evidence ---------------------------------------------------------------


def test_vendor_reports_a_delivery_with_a_photo(make_contract, personas, web, cworld):
    contract = make_contract()
    ci = contract.items.order_by("pk").first()
    today = timezone.localdate()
    url = reverse("contracts:delivery-create", args=[contract.pk])
    assert web(personas.vendor).get(url).status_code == 200
    response = web(personas.vendor).post(
        url,
        {
            "item": ci.item_id,
            "community": ci.community_id,
            "period_start": (today - dt.timedelta(days=5)).isoformat(),
            "period_end": (today - dt.timedelta(days=1)).isoformat(),
            "count": "12",
            "notes": "入户探访",
            "photos": [jpeg()],
        },
    )
    assert response.status_code == 302, html(response)[:2000]
    delivery = DeliveryRecord.objects.get()
    assert delivery.count == 12
    assert delivery.evidence.get().kind == "photo"


def test_delivery_with_a_wrong_file_saves_nothing_and_keeps_input(
    make_contract, personas, web
):
    contract = make_contract()
    ci = contract.items.order_by("pk").first()
    today = timezone.localdate()
    fake = SimpleUploadedFile(
        "照片.jpg", b"not an image at all", content_type="image/jpeg"
    )
    response = web(personas.vendor).post(
        reverse("contracts:delivery-create", args=[contract.pk]),
        {
            "item": ci.item_id,
            "community": ci.community_id,
            "period_start": (today - dt.timedelta(days=5)).isoformat(),
            "period_end": (today - dt.timedelta(days=1)).isoformat(),
            "count": "7",
            "notes": "签到表另附",
            "photos": [fake],
        },
    )
    assert response.status_code == 400
    body = html(response)
    assert "签到表另附" in body
    assert 'value="7"' in body
    photos = body[
        body.index('id="id_photos"') - 400 : body.index('id="id_photos"') + 600
    ]
    assert "field-error" in photos
    assert not DeliveryRecord.objects.exists()
    assert not Evidence.objects.exists()


def test_delivery_refuses_a_negative_count_and_a_pair_outside_the_contract(
    make_contract, personas, web, orgs
):
    contract = make_contract()
    ci = contract.items.order_by("pk").first()
    today = timezone.localdate()
    data = {
        "item": ci.item_id,
        "community": ci.community_id,
        "period_start": (today - dt.timedelta(days=5)).isoformat(),
        "period_end": (today - dt.timedelta(days=1)).isoformat(),
        "count": "-3",
    }
    url = reverse("contracts:delivery-create", args=[contract.pk])
    assert web(personas.vendor).post(url, data).status_code == 400
    # a community of another street is not even a choice
    response = web(personas.vendor).post(
        url, {**data, "count": "3", "community": orgs.c2.pk}
    )
    assert response.status_code == 400
    assert not DeliveryRecord.objects.exists()


def test_community_confirms_and_others_may_not(make_contract, personas, web):
    contract = make_contract()
    delivery = _delivery(contract, personas)
    detail = reverse("contracts:delivery-detail", args=[contract.pk, delivery.pk])
    confirm = reverse(
        "contracts:delivery-action", args=[contract.pk, delivery.pk, "confirm"]
    )
    # the community sees the confirm button; the vendor does not and may not
    assert 'data-delivery-action="confirm"' in html(web(personas.community).get(detail))
    assert 'data-delivery-action="confirm"' not in html(
        web(personas.vendor).get(detail)
    )
    assert web(personas.vendor).post(confirm).status_code == 403
    assert web(personas.community).post(confirm).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "confirmed"
    # confirmed twice: 409
    assert web(personas.community).post(confirm).status_code == 409


def test_dispute_then_correct(make_contract, personas, web):
    contract = make_contract()
    delivery = _delivery(contract, personas, photo=False)
    dispute = reverse(
        "contracts:delivery-action", args=[contract.pk, delivery.pk, "dispute"]
    )
    assert web(personas.community).post(dispute, {"note": ""}).status_code == 400
    assert (
        web(personas.community).post(dispute, {"note": "数量不符"}).status_code == 302
    )
    correct = reverse(
        "contracts:delivery-action", args=[contract.pk, delivery.pk, "correct"]
    )
    assert (
        web(personas.vendor)
        .post(correct, {"count": "3", "notes": "已核对"})
        .status_code
        == 302
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.count) == ("reported", 3)


def test_evidence_download_follows_the_contract_visibility(
    make_contract, personas, web
):
    contract = make_contract()
    delivery = _delivery(contract, personas)
    evidence = delivery.evidence.get()
    url = reverse("contracts:evidence-download", args=[contract.pk, evidence.pk])
    response = web(personas.officer).get(url + "?inline=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert web(personas.other_officer).get(url).status_code == 404


# --- residual and extra work ----------------------------------------------------------------


def test_community_records_residual_work(make_contract, personas, web):
    contract = make_contract()
    ci = contract.items.filter(community__code="D1-S1-C1").order_by("pk").first()
    url = reverse("contracts:residual-create", args=[contract.pk])
    data = {
        "item": ci.item_id,
        "community": ci.community_id,
        "happened_on": timezone.localdate().isoformat(),
        "description": "社区自行入户",
        "hours": "0",
        "reason": "承接方人手不足",
    }
    response = web(personas.community).post(url, data)
    assert response.status_code == 400
    assert "承接方人手不足" in html(response)
    assert not ResidualWork.objects.exists()
    assert (
        web(personas.community).post(url, {**data, "hours": "3.5"}).status_code == 302
    )
    assert ResidualWork.objects.get().hours == Decimal("3.5")
    assert web(personas.vendor).get(url).status_code == 403


def test_extra_work_recorded_by_community_disputed_by_vendor(
    make_contract, personas, web, cworld
):
    contract = make_contract()
    url = reverse("contracts:extra-work-create", args=[contract.pk])
    response = web(personas.community).post(
        url,
        {
            "side": "community",
            "community": cworld.communities[0].pk,
            "requested_by_name": "铁佛社区居委会",
            "description": "社区迎检材料整理",
            "assigned_on": timezone.localdate().isoformat(),
            "hours": "6",
        },
    )
    assert response.status_code == 302, html(response)[:1500]
    extra = ExtraWork.objects.get()
    dispute = reverse(
        "contracts:extra-work-action", args=[contract.pk, extra.pk, "dispute"]
    )
    assert web(personas.community).get(dispute).status_code == 403
    assert (
        web(personas.vendor).post(dispute, {"note": "非合同约定内容"}).status_code
        == 302
    )
    extra.refresh_from_db()
    assert extra.status == "disputed"
    assert "非合同约定内容" in html(
        web(personas.officer).get(contract.get_absolute_url())
    )


# --- acceptance ------------------------------------------------------------------------------


def test_acceptance_without_resident_opinion_is_refused(make_contract, personas, web):
    contract = make_contract()
    response = web(personas.officer).post(
        reverse("contracts:acceptance-create", args=[contract.pk]),
        {
            "period_label": "中期",
            "period_start": contract.start_on.isoformat(),
            "period_end": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    acc = Acceptance.objects.get()
    url = reverse("contracts:acceptance-record", args=[contract.pk, acc.pk])
    form = html(web(personas.officer).get(url))
    n = form.count('name="s-')
    rows = len(acc.standards)
    assert n == rows * 2
    data = {f"s-{i}-result": "met" for i in range(1, rows + 1)}
    data.update(
        {
            "o-1-source": "third_party",
            "o-1-name": "第三方评估机构",
            "o-1-opinion": "基本达标",
            "conclusion": "合格",
            "passed": "yes",
            "accepted_on": timezone.localdate().isoformat(),
        }
    )
    response = web(personas.officer).post(url, data)
    assert response.status_code == 400
    body = html(response)
    assert "ACC-02" in body
    assert "第三方评估机构" in body
    acc.refresh_from_db()
    assert acc.status == "draft"
    data.update({"o-2-source": "resident", "o-2-name": "张大爷", "o-2-opinion": "满意"})
    assert web(personas.officer).post(url, data).status_code == 302
    acc.refresh_from_db()
    assert acc.status == "passed"
    publish = reverse("contracts:acceptance-publish", args=[contract.pk, acc.pk])
    assert (
        web(personas.officer)
        .post(publish, {"published_on": timezone.localdate().isoformat()})
        .status_code
        == 302
    )
    detail = web(personas.vendor).get(
        reverse("contracts:acceptance-detail", args=[contract.pk, acc.pk])
    )
    assert "张大爷" in html(detail)


# --- ledger ------------------------------------------------------------------------------------


def test_ledger_for_buyer_readers_and_the_vendor(make_contract, personas, web):
    contract = make_contract()
    url = reverse("contracts:contract-ledger", args=[contract.pk])
    response = web(personas.vendor).get(url)
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert web(personas.auditor).get(url).status_code == 200
    assert web(personas.community).get(url).status_code == 403
    assert web(personas.other_officer).get(url).status_code == 404


def test_detail_queries_do_not_grow_with_deliveries(make_contract, personas, web):
    # given: a contract with one delivery (and its photo) and one residual record
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contract = make_contract()
    client = web(personas.officer)
    _delivery(contract, personas)
    client.get(contract.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        assert client.get(contract.get_absolute_url()).status_code == 200
    # when: five more deliveries with photos and an accepted change
    for n in range(5):
        delivery_services.delivery_report(
            contract=contract,
            actor=personas.vendor,
            contract_item=contract.items.order_by("pk")[n % 2],
            period_start=timezone.localdate() - dt.timedelta(days=3),
            period_end=timezone.localdate() - dt.timedelta(days=2),
            count=1,
            files=[("photo", jpeg(color=(n * 40, 10, 10)))],
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get(contract.get_absolute_url()).status_code == 200
    # then: the same number of queries, within a fixed budget
    assert len(large) == len(small), [q["sql"][:100] for q in large.captured_queries]
    assert len(large) <= 40


def test_timeline_names_what_happened_on_the_contract_and_its_parts(
    make_contract, personas, web
):
    # given: an active contract whose advance the vendor asked for
    contract = make_contract()
    first = contract.tranches.order_by("number").first()
    services.payment_tranche_request(tranche=first, actor=personas.vendor)
    # when: the officer opens the contract page
    page = html(web(personas.officer).get(contract.get_absolute_url()))
    # then: the timeline has the events of the contract and of its tranche, each named
    # in words (the code stays in the title)
    timeline = page[page.index('class="timeline"') :]
    for label, code in (
        ("起草合同", "contracts.create"),
        ("承接方签署", "contracts.sign"),
        ("购买主体签署", "contracts.countersign"),
        ("申请付款", "contracts.tranche_request"),
    ):
        assert f'<span title="{code}">{label}</span>' in timeline


def test_contract_page_shows_the_extra_work_ratio(make_contract, personas, web, orgs):
    # given: three confirmed deliveries in 铁佛社区 and one approved 迎检 task there
    contract = make_contract()
    item = contract.items.filter(community=orgs.c1).first()
    for _ in range(3):
        delivery(item, 5)
    extra = delivery_services.extra_work_record(
        contract=contract,
        actor=personas.community,
        side="community",
        requested_by_name="铁佛社区居委会",
        description="迎接区级检查，整理台账",
        assigned_on=timezone.localdate(),
        hours="6",
        community=orgs.c1,
    )
    delivery_services.extra_work_approve(extra=extra, actor=personas.officer)
    # when: the officer opens the contract
    page = html(web(personas.officer).get(contract.get_absolute_url()))
    # then: 1 ÷ (1 + 3) = 25.0 % for the community and for the vendor
    table = page[page.index('id="extra-work-ratio"') :]
    table = table[: table.index("</table>")]
    rows = table.split("<tr data-ratio=")[1:]
    assert len(rows) == 2
    assert all("25.0%" in r for r in rows)
    assert "铁佛社区" in rows[1]
    assert "6.0" in rows[1]


def test_change_form_states_the_cap_and_what_is_used_of_it(
    make_contract, personas, web
):
    # given: 200,000.00 with a pending addition of 5,000.00
    contract = make_contract()
    services.contract_change_propose(
        contract=contract,
        actor=personas.officer,
        kind="addition",
        reason_code="demand_growth",
        rationale="困难群众增加",
        value_delta="5000",
    )
    # when: the officer opens the change form
    page = html(
        web(personas.officer).get(
            reverse("contracts:change-create", args=[contract.pk])
        )
    )
    # then: the cap is the rule's share of the original value, and the pending
    # proposal counts as used
    box = page[page.index('id="cap"') :]
    box = box[: box.index("</div>")]
    assert "¥5,000.00" in box
    assert "¥20,000.00" in box
    assert "10%" in box
