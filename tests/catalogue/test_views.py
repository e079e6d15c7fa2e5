"""HTML pages of the catalogue: what a street officer sees and does in the browser."""

import re

from django.urls import reverse

from catalogue.choices import VersionStatus
from core.models import AuditEvent


def _hidden_token(html: str) -> str:
    return re.search(r'name="expected_updated_at" value="([^"]*)"', html).group(1)


def _form_data(item, token, **changes):
    data = {
        "code": item.code,
        "name": item.name,
        "domain": item.domain.code,
        "service_class": item.service_class,
        "matter_type": item.matter_type,
        "legal_basis": item.legal_basis,
        "decision_authority": item.decision_authority,
        "authority_level": item.authority_level,
        "outsource_scope": item.outsource_scope,
        "allowed_steps": item.allowed_steps,
        "deliverable": item.deliverable,
        "prohibited_reason": item.prohibited_reason,
        "unit": item.unit,
        "service_standard": item.service_standard,
        "assessment_standard": item.assessment_standard,
        "assessment_method": item.assessment_method,
        "price_basis": item.price_basis,
        "reference_price": str(item.reference_price),
        "annual_volume": item.annual_volume,
        "expected_updated_at": token,
    }
    data.update(changes)
    return data


def test_officer_edits_a_draft_item_and_the_change_is_audited(personas, catalogue, web):
    # given: the edit form of a draft item
    client = web(personas.officer)
    item = catalogue.draft.items.get(code="A03-05")
    token = _hidden_token(
        client.get(reverse("catalogue:item-edit", args=[item.pk])).content.decode()
    )
    # when: the officer changes the price and saves
    response = client.post(
        reverse("catalogue:item-edit", args=[item.pk]),
        _form_data(item, token, reference_price="95.50"),
    )
    # then
    assert response.status_code == 302
    item.refresh_from_db()
    assert str(item.reference_price) == "95.50"
    event = AuditEvent.objects.get(
        action="catalogue_item.update", object_id=str(item.pk)
    )
    assert event.payload["changes"]["reference_price"] == ["80.00", "95.50"]


def test_second_officer_saving_a_stale_form_is_told_and_loses_nothing(
    personas, catalogue, web
):
    # given: two officers open the same item
    item = catalogue.draft.items.get(code="A03-05")
    url = reverse("catalogue:item-edit", args=[item.pk])
    first, second = web(personas.officer), web(personas.other_officer)
    token1 = _hidden_token(first.get(url).content.decode())
    token2 = _hidden_token(second.get(url).content.decode())
    # when: the first saves, then the second saves from the old page
    assert (
        first.post(url, _form_data(item, token1, reference_price="90.00")).status_code
        == 302
    )
    response = second.post(url, _form_data(item, token2, reference_price="70.00"))
    # then: the second is refused with a reason, and the first change stands
    assert response.status_code == 400
    assert "已被他人修改" in response.content.decode()
    item.refresh_from_db()
    assert str(item.reference_price) == "90.00"


def test_htmx_filter_returns_only_the_table(personas, catalogue, web):
    url = (
        reverse("catalogue:version-detail", args=[catalogue.published.pk])
        + "?outsource_scope=aux_only"
    )
    response = web(personas.officer).get(
        url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="item-results"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "最低生活保障申请受理" in html
    assert "困难群众主动发现与巡访探视" not in html


def test_publish_button_is_disabled_with_the_reason_for_those_who_may_not(
    personas, catalogue, web
):
    html = (
        web(personas.auditor)
        .get(reverse("catalogue:version-detail", args=[catalogue.draft.pk]))
        .content.decode()
    )
    assert re.search(
        r'<button[^>]*disabled title="只有本区的区级管理员和街道工作人员可以发布目录。"[^>]*data-action="publish"',
        html,
    )
    html = (
        web(personas.officer)
        .get(reverse("catalogue:version-detail", args=[catalogue.draft.pk]))
        .content.decode()
    )
    assert re.search(
        r'<button class="button primary" type="submit"\s+data-action="publish"', html
    )


def test_officer_publishes_a_draft_from_its_page(personas, catalogue, web):
    client = web(personas.officer)
    response = client.post(
        reverse("catalogue:version-transition", args=[catalogue.draft.pk, "publish"]),
        follow=True,
    )
    catalogue.draft.refresh_from_db()
    assert catalogue.draft.status == VersionStatus.PUBLISHED
    assert "目录已发布" in response.content.decode()


def test_publishing_twice_says_why_instead_of_failing(personas, catalogue, web):
    client = web(personas.officer)
    client.post(
        reverse("catalogue:version-transition", args=[catalogue.draft.pk, "publish"])
    )
    response = client.post(
        reverse("catalogue:version-transition", args=[catalogue.draft.pk, "publish"]),
        follow=True,
    )
    assert response.status_code == 200
    assert "“已发布”状态的目录不能发布" in response.content.decode()


def test_diff_page_shows_added_removed_and_changed_fields(
    personas, catalogue, web, domains
):
    # given: the draft renames one item, drops one and adds one
    from catalogue import services
    from tests.factories import item_payload

    item = catalogue.draft.items.get(code="A03-05")
    services.service_item_update(
        actor=personas.officer, item=item, data={"name": "困难群众主动发现、巡访与转介"}
    )
    services.service_item_delete(
        actor=personas.officer, item=catalogue.draft.items.get(code="A08-07")
    )
    services.service_item_create(
        actor=personas.officer,
        version=catalogue.draft,
        data=item_payload(code="A03-60"),
    )
    # when
    html = (
        web(personas.officer)
        .get(reverse("catalogue:version-diff", args=[catalogue.draft.pk]))
        .content.decode()
    )
    # then
    added = html.split('id="diff-added"')[1].split("</section>")[0]
    removed = html.split('id="diff-removed"')[1].split("</section>")[0]
    changed = html.split('id="diff-changed"')[1].split("</section>")[0]
    assert "A03-60" in added
    assert "A08-07" in removed
    assert "困难群众主动发现与巡访探视" in changed
    assert "困难群众主动发现、巡访与转介" in changed


def test_english_interface(personas, catalogue, web):
    client = web(personas.officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(
        reverse("catalogue:version-detail", args=[catalogue.published.pk])
    ).content.decode()
    assert "Export Excel" in html
    assert "导出 Excel" not in html


def test_diff_page_shows_choice_labels_not_codes(personas, catalogue, web):
    from catalogue import services

    item = catalogue.draft.items.get(code="A03-05")
    services.service_item_update(
        actor=personas.officer,
        item=item,
        data={
            "outsource_scope": "prohibited",
            "prohibited_reason": "改由政府直接提供",
            "matter_type": "other",
        },
    )
    html = (
        web(personas.officer)
        .get(reverse("catalogue:version-diff", args=[catalogue.draft.pk]))
        .content.decode()
    )
    changed = html.split('id="diff-changed"')[1]
    assert "可整体购买" in changed
    assert "不得购买" in changed
    assert ">prohibited<" not in changed


def test_timeline_names_states_in_words(personas, catalogue, web):
    from catalogue import services

    services.catalogue_version_publish(actor=personas.officer, version=catalogue.draft)
    html = (
        web(personas.officer)
        .get(reverse("catalogue:version-detail", args=[catalogue.draft.pk]))
        .content.decode()
    )
    timeline = html.split('class="timeline"')[1]
    assert "草稿 → 已发布" in timeline
