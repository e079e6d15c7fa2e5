"""The catalogue REST API: filters, the version diff, the error shape, actions and tokens."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token

from catalogue import services
from catalogue.models import ServiceItem

from ..factories import DEMO_PASSWORD, ServiceItemFactory, item_payload

PASSWORD = "correct-horse-battery-9"  # the UserFactory's password
MUST_LIST_STEPS = "“仅可购买辅助环节”的事项必须列出可购买的辅助环节。"


def items_url(**params) -> tuple[str, dict]:
    return reverse("api:catalogue-item-list"), params


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return {r["id"] for r in body["results"]}


def visible_items(user) -> list[ServiceItem]:
    return list(
        ServiceItem.objects.visible_to(user).select_related("domain", "version")
    )


# --- item filters -----------------------------------------------------------------------


def test_filters_items_by_version(api, personas, catalogue):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-item-list"), {"version": catalogue.draft.pk}
    )

    # then
    assert ids(response) == {i.pk for i in catalogue.draft.items.all()}


def test_filters_items_by_domain_code_within_what_the_user_sees(
    api, personas, catalogue
):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-item-list"), {"domain": "A03"}
    )

    # then: both D1 versions' A03 items, none of D2's
    expected = {i.pk for i in visible_items(personas.officer) if i.domain.code == "A03"}
    assert ids(response) == expected
    assert len(expected) == 4
    assert catalogue.other_draft.items.get().pk not in expected


def test_filters_items_by_outsource_scope(api, personas, catalogue):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-item-list"),
        {"version": catalogue.published.pk, "outsource_scope": "aux_only"},
    )

    # then
    assert ids(response) == {
        i.pk for i in catalogue.published.items.all() if i.outsource_scope == "aux_only"
    }
    assert len(ids(response)) == 1


@pytest.mark.parametrize("q", ["巡访", "A08", "社会救助暂行办法", "走访记录"])
def test_filters_items_by_text(api, personas, catalogue, q):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-item-list"), {"version": catalogue.draft.pk, "q": q}
    )

    # then
    expected = {
        i.pk
        for i in catalogue.draft.items.all()
        if any(
            q in text
            for text in (
                i.code,
                i.name,
                i.legal_basis,
                i.service_standard,
                i.deliverable,
            )
        )
    }
    assert ids(response) == expected
    assert expected


def test_combines_filters(api, personas, catalogue, domains):
    # given
    ServiceItemFactory(
        version=catalogue.draft, domain=domains["A03"], code="A03-60", aux_only=True
    )

    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-item-list"),
        {"version": catalogue.draft.pk, "domain": "A03", "outsource_scope": "aux_only"},
    )

    # then
    assert ids(response) == {
        i.pk
        for i in catalogue.draft.items.all()
        if i.domain.code == "A03" and i.outsource_scope == "aux_only"
    }
    assert len(ids(response)) == 2


def test_refuses_a_version_filter_the_user_cannot_see(api, personas, catalogue):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-item-list"), {"version": catalogue.other_draft.pk}
    )

    # then
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"version"}


def test_vendor_sees_published_items_but_not_draft_ones(api, personas, catalogue):
    # when
    response = api(personas.vendor).get(reverse("api:catalogue-item-list"))

    # then
    assert ids(response) == {i.pk for i in catalogue.published.items.all()}


# --- the version diff -------------------------------------------------------------------


@pytest.fixture
def changed_draft(personas, catalogue):
    """The 2016 draft with A03-05 renamed and repriced, A03-70 added, A08-07 removed."""
    draft = catalogue.draft
    services.service_item_update(
        actor=personas.officer,
        item=draft.items.get(code="A03-05"),
        data={"name": "困难群众巡访（2016）", "reference_price": "95.00"},
    )
    services.service_item_create(
        actor=personas.officer,
        version=draft,
        data=item_payload(code="A03-70", name="新增的服务"),
    )
    services.service_item_delete(
        actor=personas.officer, item=draft.items.get(code="A08-07")
    )
    return draft


@pytest.mark.parametrize("explicit", [False, True], ids=["based-on", "against"])
def test_diff_lists_added_removed_and_changed_fields(
    api, personas, catalogue, changed_draft, explicit
):
    # given
    old = catalogue.published.items.get(code="A03-05")
    params = {"against": catalogue.published.pk} if explicit else {}

    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-version-diff", args=[changed_draft.pk]), params
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["old"], body["new"]) == (catalogue.published.pk, changed_draft.pk)
    assert body["added"] == [{"code": "A03-70", "name": "新增的服务"}]
    assert [r["code"] for r in body["removed"]] == ["A08-07"]
    assert body["unchanged"] == 1
    [change] = body["changed"]
    assert change["code"] == "A03-05"
    by_field = {c["field"]: c for c in change["changes"]}
    assert set(by_field) == {"name", "reference_price"}
    assert (by_field["name"]["old"], by_field["name"]["new"]) == (
        old.name,
        "困难群众巡访（2016）",
    )
    assert by_field["name"]["label"] == "事项名称"
    assert Decimal(str(by_field["reference_price"]["old"])) == old.reference_price
    assert Decimal(str(by_field["reference_price"]["new"])) == Decimal("95.00")


def test_diff_of_an_untouched_draft_is_empty(api, personas, catalogue):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-version-diff", args=[catalogue.draft.pk])
    )

    # then
    body = response.json()
    assert (body["added"], body["removed"], body["changed"]) == ([], [], [])
    assert body["unchanged"] == catalogue.draft.items.count()


def test_diff_refuses_a_bad_against(api, personas, catalogue):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-version-diff", args=[catalogue.draft.pk]),
        {"against": "last"},
    )

    # then
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"against"}


def test_diff_against_an_invisible_version_is_404(api, personas, catalogue):
    # when
    response = api(personas.officer).get(
        reverse("api:catalogue-version-diff", args=[catalogue.draft.pk]),
        {"against": catalogue.other_draft.pk},
    )

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- the error shape --------------------------------------------------------------------


def test_bad_post_names_every_missing_field(api, personas, catalogue):
    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-item-list"),
        {"version": catalogue.draft.pk},
        format="json",
    )

    # then
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == "invalid"
    assert body["detail"]
    assert {"code", "name", "domain", "outsource_scope", "reference_price"} <= set(
        body["fields"]
    )
    assert all(isinstance(m, str) for ms in body["fields"].values() for m in ms)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"outsource_scope": "maybe"}, "outsource_scope"),
        ({"unit": "公斤"}, "unit"),
        ({"allowed_steps": ["approval"]}, "allowed_steps"),
        ({"reference_price": "-1"}, "reference_price"),
        ({"domain": "Z99"}, "domain"),
        ({"code": "A08-01"}, "code"),
    ],
)
def test_bad_post_names_the_field_at_fault(api, personas, catalogue, overrides, field):
    # given
    count = catalogue.draft.items.count()

    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-item-list"),
        item_payload(version=catalogue.draft.pk, **overrides),
        format="json",
    )

    # then
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert set(body["fields"]) == {field}
    assert catalogue.draft.items.count() == count


def test_post_without_version_names_it(api, personas, catalogue):
    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-item-list"), item_payload(), format="json"
    )

    # then
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"version"}


def test_good_post_creates_the_item(api, personas, catalogue):
    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-item-list"),
        item_payload(version=catalogue.draft.pk),
        format="json",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert catalogue.draft.items.filter(pk=body["id"], code=body["code"]).exists()
    assert body["domain"] == "A03"


# --- allowed actions --------------------------------------------------------------------


def _version(api, user, version):
    return api(user).get(reverse("api:catalogue-version-detail", args=[version.pk]))


@pytest.mark.parametrize(
    ("persona", "which", "expected"),
    [
        ("officer", "draft", ["publish"]),
        ("admin", "draft", ["publish"]),
        ("auditor", "draft", []),
        ("officer", "published", []),
        ("admin", "published", ["archive"]),
        ("vendor", "published", []),
        ("community", "published", []),
    ],
)
def test_allowed_actions_depend_on_role_and_state(
    api, personas, catalogue, persona, which, expected
):
    # when
    response = _version(api, getattr(personas, persona), getattr(catalogue, which))

    # then
    assert response.status_code == 200
    assert response.json()["allowed_actions"] == expected


def test_vendor_does_not_see_a_draft_at_all(api, personas, catalogue):
    # when
    response = _version(api, personas.vendor, catalogue.draft)

    # then
    assert response.status_code == 404


def test_offered_publish_really_publishes(api, personas, catalogue):
    # given
    assert (
        "publish"
        in _version(api, personas.officer, catalogue.draft).json()["allowed_actions"]
    )

    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-version-publish", args=[catalogue.draft.pk]),
        {"comment": "发布"},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["allowed_actions"] == []


# --- tokens -----------------------------------------------------------------------------


def _token(api, username, password, **extra):
    return api(None).post(
        reverse("api:auth-token"),
        {"username": username, "password": password},
        format="json",
        **extra,
    )


def test_token_from_username_and_password_authenticates_me(api, personas):
    # given
    response = _token(api, personas.officer.username, PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]

    # when
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(reverse("api:me"))

    # then
    assert me.status_code == 200
    assert me.json()["username"] == personas.officer.username
    assert me.json()["roles"] == ["street_officer"]


def test_me_without_a_token_is_401(api, personas):
    # when / then
    assert api(None).get(reverse("api:me")).status_code == 401


def test_wrong_password_is_invalid_credentials(api, personas):
    # when
    response = _token(api, personas.officer.username, "wrong-password")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert set(response.json()) == {"code", "detail", "fields"}


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(api, personas):
    # when
    unknown = _token(api, "nobody", "wrong-password")
    wrong = _token(api, personas.officer.username, "wrong-password")

    # then
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


def test_demo_password_works_for_a_demo_account(api, personas):
    # given
    personas.officer.set_password(DEMO_PASSWORD)
    personas.officer.save()

    # when
    response = _token(api, personas.officer.username, DEMO_PASSWORD)

    # then
    assert response.status_code == 200


def test_locks_out_after_five_wrong_passwords(api, personas, settings):
    # given
    assert settings.AXES_FAILURE_LIMIT == 5
    answers = [_token(api, personas.officer.username, "wrong") for _ in range(5)]
    assert [a.status_code for a in answers[:4]] == [400] * 4

    # when
    response = _token(api, personas.officer.username, PASSWORD)

    # then: django-axes answers 429 Too Many Requests, and no token is issued
    assert response.status_code not in (200, 500)
    assert response.status_code == 429
    assert not Token.objects.filter(user=personas.officer).exists()


def test_lockout_answer_uses_the_api_error_shape(api, personas):
    # given
    for _ in range(5):
        _token(api, personas.officer.username, "wrong")

    # when
    response = _token(api, personas.officer.username, PASSWORD)

    # then
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"code", "detail", "fields"}


def test_four_wrong_passwords_do_not_lock_out(api, personas):
    # given
    for _ in range(4):
        _token(api, personas.officer.username, "wrong")

    # when
    response = _token(api, personas.officer.username, PASSWORD)

    # then
    assert response.status_code == 200


def test_lockout_is_per_username(api, personas):
    # given
    for _ in range(5):
        _token(api, personas.officer.username, "wrong")

    # when
    response = _token(api, personas.admin.username, PASSWORD)

    # then
    assert response.status_code == 200


# --- language ---------------------------------------------------------------------------


def test_error_detail_is_english_when_asked(api, personas):
    # given
    with translation.override("en"):
        english = translation.gettext("用户名或密码不正确。")
    if english == "用户名或密码不正确。":
        pytest.skip("locale/en has no translation of the invalid-credentials message")

    # when
    response = _token(
        api, personas.officer.username, "wrong", HTTP_ACCEPT_LANGUAGE="en"
    )

    # then
    assert response.status_code == 400
    assert response.json()["detail"] == english


def test_error_detail_is_chinese_by_default(api, personas):
    # when
    response = _token(api, personas.officer.username, "wrong")

    # then
    assert response.json()["detail"] == "用户名或密码不正确。"


def test_field_errors_are_english_when_asked(api, personas, catalogue):
    # given
    with translation.override("en"):
        english = translation.gettext(MUST_LIST_STEPS)
    if english == MUST_LIST_STEPS:
        pytest.skip("locale/en has no translation of the aux-only-steps message")

    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-item-list"),
        item_payload(version=catalogue.draft.pk, outsource_scope="aux_only"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then
    assert response.status_code == 400
    assert response.json()["fields"] == {"allowed_steps": [english]}
