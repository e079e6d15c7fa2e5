"""Read-only API tokens of street offices: district admins create (the key shown once,
stored hashed) and revoke them; a token reads only its street's contracts, can write
nothing anywhere, and is refused once revoked."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts import services
from accounts.authentication import ApiTokenAuthentication, ApiTokenReadOnly
from accounts.models import ApiToken
from core.events import audit_events_for
from core.exceptions import NotPermitted, ValidationFailed
from tests.contracts import test_api as _contracts_api

# The contract world of the contracts API tests (fixtures, shared by name).
cw, rules, two = _contracts_api.cw, _contracts_api.rules, _contracts_api.two

pytestmark = pytest.mark.django_db

TOKENS = reverse("api:api-token-list")
CONTRACTS = reverse("api:contract-list")


@pytest.fixture(autouse=True)
def street_tokens_enabled(monkeypatch):
    """The settings line the lead adds (DEFAULT_AUTHENTICATION_CLASSES and
    DEFAULT_PERMISSION_CLASSES); applied here while it is not there yet."""
    if ApiTokenAuthentication not in APIView.authentication_classes:
        monkeypatch.setattr(
            APIView,
            "authentication_classes",
            [*APIView.authentication_classes, ApiTokenAuthentication],
        )
    if ApiTokenReadOnly not in APIView.permission_classes:
        monkeypatch.setattr(
            APIView,
            "permission_classes",
            [*APIView.permission_classes, ApiTokenReadOnly],
        )


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def s1_key(personas, orgs):
    _token, key = services.api_token_create(
        actor=personas.admin, street=orgs.s1, name="区大数据中心"
    )
    return key


# --- creating and revoking -------------------------------------------------------------


def test_admin_creates_a_token_shown_once_and_stored_hashed(api, personas, orgs):
    # when
    response = api(personas.admin).post(
        TOKENS, {"name": "区大数据中心", "street": orgs.s1.pk}, format="json"
    )
    # then: the key comes back once
    assert response.status_code == 201, response.json()
    body = response.json()
    key = body["key"]
    assert key.startswith("spt_")
    assert len(key) > 40
    token = ApiToken.objects.get(pk=body["id"])
    # stored only as its sha256 and a short prefix
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:12] == body["prefix"]
    assert key not in {token.name, token.prefix, token.key_hash}
    assert not token.user.has_usable_password()
    assert not token.user.memberships.exists()
    assert [e.action for e in audit_events_for(token)] == ["api_token.create"]
    # the list never shows the key again
    listed = api(personas.admin).get(TOKENS)
    assert listed.status_code == 200
    assert key not in listed.content.decode()
    assert [t["id"] for t in listed.json()["results"]] == [token.pk]


def test_others_may_not_manage_tokens(api, personas, orgs, s1_key):
    token = ApiToken.objects.get()
    data = {"name": "x", "street": orgs.s1.pk}
    # a street officer, a vendor, anonymous
    assert api(personas.officer).get(TOKENS).status_code == 403
    assert api(personas.officer).post(TOKENS, data, format="json").status_code == 403
    assert api(personas.vendor).post(TOKENS, data, format="json").status_code == 403
    assert api(None).get(TOKENS).status_code == 401
    # another district's admin: the street and the token are not visible
    assert api(personas.outsider).get(TOKENS).json()["results"] == []
    assert api(personas.outsider).post(TOKENS, data, format="json").status_code == 404
    revoke = reverse("api:api-token-revoke", args=[token.pk])
    assert api(personas.outsider).post(revoke).status_code == 404
    assert api(personas.officer).post(revoke).status_code == 403
    # the service refuses the same
    with pytest.raises(NotPermitted):
        services.api_token_create(actor=personas.officer, street=orgs.s1, name="x")


def test_token_refusals_name_the_field(api, personas, orgs):
    client = api(personas.admin)
    community = client.post(TOKENS, {"name": "x", "street": orgs.c1.pk}, format="json")
    assert community.status_code == 400
    assert "street" in community.json()["fields"]
    blank = client.post(TOKENS, {"name": " ", "street": orgs.s1.pk}, format="json")
    assert blank.status_code == 400
    assert "name" in blank.json()["fields"]
    bad = client.post(TOKENS, {"name": "x", "street": "abc"}, format="json")
    assert bad.status_code == 400
    assert "street" in bad.json()["fields"]
    with pytest.raises(ValidationFailed):
        services.api_token_create(actor=personas.admin, street=orgs.s1, name="")
    assert not ApiToken.objects.exists()


def test_revoked_key_is_refused_with_401(api, personas, s1_key):
    token = ApiToken.objects.get()
    assert bearer(s1_key).get(CONTRACTS).status_code == 200
    # when
    response = api(personas.admin).post(
        reverse("api:api-token-revoke", args=[token.pk])
    )
    # then
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    refused = bearer(s1_key).get(CONTRACTS)
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    assert refused["WWW-Authenticate"]
    assert [e.action for e in audit_events_for(token)][0] == "api_token.revoke"
    # revoking twice is a conflict
    again = api(personas.admin).post(reverse("api:api-token-revoke", args=[token.pk]))
    assert again.status_code == 409


def test_unknown_or_malformed_keys_are_401(s1_key):
    assert bearer("spt_" + "x" * 43).get(CONTRACTS).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    assert client.get(CONTRACTS).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {s1_key} extra")
    assert client.get(CONTRACTS).status_code == 401


# --- what a street token may read ------------------------------------------------------


def test_street_token_reads_only_its_street(personas, orgs, two, s1_key):
    client = bearer(s1_key)
    # when
    listed = client.get(CONTRACTS)
    # then
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["results"]] == [two.mine.pk]
    detail = client.get(reverse("api:contract-detail", args=[two.mine.pk]))
    assert detail.status_code == 200
    assert detail.json()["allowed_actions"] == []
    assert (
        client.get(reverse("api:contract-detail", args=[two.other.pk])).status_code
        == 404
    )
    feed = client.get(reverse("api:contract-changes"))
    assert {r["contract"] for r in feed.json()["results"]} == {two.mine.pk}
    # the token is not a person with roles: other apps show it nothing
    assert client.get(reverse("api:organisation-list")).status_code == 403
    assert client.get(TOKENS).status_code == 403
    assert ApiToken.objects.get().last_used_at is not None


def test_street_token_cannot_write_anywhere(personas, orgs, two, s1_key, catalogue):
    client = bearer(s1_key)
    c = two.mine
    writes = [
        ("post", reverse("api:contract-list"), {"award": c.award_id}),
        ("post", reverse("api:contract-sign", args=[c.pk]), {}),
        ("post", reverse("api:contract-tranche-request", args=[c.pk, 1]), {}),
        ("post", reverse("api:contract-deliveries", args=[c.pk]), {}),
        ("post", TOKENS, {"name": "x", "street": orgs.s1.pk}),
        ("post", reverse("api:api-token-revoke", args=[ApiToken.objects.get().pk]), {}),
        ("post", reverse("api:procurement-list"), {"title": "x"}),
        ("post", reverse("api:membership-list"), {"username": "p_officer"}),
        ("delete", reverse("api:membership-detail", args=[1]), None),
        ("post", reverse("api:notification-read"), {}),
        ("post", reverse("api:vendor-list"), {"name": "x"}),
        ("post", reverse("api:catalogue-version-list"), {"year": 2030}),
        ("patch", reverse("api:organisation-detail", args=[orgs.s1.pk]), {"name": "x"}),
        ("put", reverse("api:contract-detail", args=[c.pk]), {}),
        # a view with its own permission classes (AllowAny) is covered too
        ("post", reverse("api:procurement-notice-list"), {}),
    ]
    for method, path, data in writes:
        # when
        response = getattr(client, method)(path, data, format="json")
        # then: 403 with the reason, and nothing written
        assert response.status_code == 403, (method, path, response.status_code)
        body = response.json()
        assert body["code"] == "permission_denied"
        assert "只读" in body["detail"], body
    c.refresh_from_db()
    assert c.status == "active"
    assert ApiToken.objects.count() == 1


def test_read_only_permission_class_alone_refuses_writes(personas, orgs, s1_key):
    # given: the principal as the authenticator returns it
    from types import SimpleNamespace

    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    token = ApiToken.objects.get()
    request = Request(
        APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {s1_key}")
    )
    user = ApiTokenAuthentication().authenticate(request)[0]
    assert user.token_street_path == orgs.s1.path
    assert user.pk == token.user_id
    # then: unsafe methods are refused, safe ones pass
    perm = ApiTokenReadOnly()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert not perm.has_permission(SimpleNamespace(user=user, method=method), None)
    assert perm.has_permission(SimpleNamespace(user=user, method="GET"), None)
    # a person is not affected
    assert perm.has_permission(
        SimpleNamespace(user=personas.officer, method="POST"), None
    )


def test_personal_token_still_works_alongside(api, personas, two):
    assert api(personas.officer).get(CONTRACTS).status_code == 200


# --- the HTML pages --------------------------------------------------------------------


def test_pages_create_show_once_and_revoke(web, personas, orgs):
    client = web(personas.admin)
    page = reverse("accounts:api-token-list")
    assert client.get(page).status_code == 200
    # when: created
    response = client.post(page, {"name": "区大数据中心", "street": orgs.s1.pk})
    # then: the key is on this response only
    assert response.status_code == 201
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert key.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    listing = client.get(page)
    assert key.encode() not in listing.content
    assert token.prefix.encode() in listing.content
    # another district's street is not offered
    other = client.post(page, {"name": "x", "street": orgs.s3.pk})
    assert other.status_code == 400
    assert ApiToken.objects.count() == 1
    # when: revoked
    revoked = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == personas.admin


def test_pages_are_for_district_admins(web, personas, orgs, s1_key):
    page = reverse("accounts:api-token-list")
    token = ApiToken.objects.get()
    revoke = reverse("accounts:api-token-revoke", args=[token.pk])
    assert web(None).get(page).status_code == 302
    assert web(personas.officer).get(page).status_code == 403
    assert web(personas.vendor).post(page, {"name": "x"}).status_code == 403
    assert web(personas.outsider).post(revoke).status_code == 404
    assert web(personas.officer).post(revoke).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_last_used_is_written_at_most_once_a_minute(s1_key, two):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = bearer(s1_key)
    client.get(CONTRACTS)
    first = ApiToken.objects.get().last_used_at
    with CaptureQueriesContext(connection) as queries:
        client.get(CONTRACTS)
    assert ApiToken.objects.get().last_used_at == first
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    ApiToken.objects.update(last_used_at=first - dt.timedelta(minutes=5))
    client.get(CONTRACTS)
    assert ApiToken.objects.get().last_used_at > first - dt.timedelta(minutes=5)


def test_settings_enable_street_tokens_everywhere():
    # The lead's settings line: every API view authenticates Bearer keys and refuses
    # their writes (the fixture above stands in until it is there).
    from django.conf import settings

    rf = settings.REST_FRAMEWORK
    assert (
        "accounts.authentication.ApiTokenAuthentication"
        in rf["DEFAULT_AUTHENTICATION_CLASSES"]
    )
    assert (
        "accounts.authentication.ApiTokenReadOnly" in rf["DEFAULT_PERMISSION_CLASSES"]
    )
