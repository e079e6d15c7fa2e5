"""Residents answer by a printed QR code without an account: the phone page, its JSON
twin, the rate limit, and the officer's page that issues and prints a batch."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse

import assessments.services as asvc
from assessments.choices import CardSource, RaterKind, RoundStatus
from assessments.models import AssessmentRound, ResidentToken, Scorecard
from tests.contracts.conftest import *  # noqa: F403

pytestmark = pytest.mark.django_db

TOKEN_URL = re.compile(r"/r/([A-Za-z0-9_-]{22})/")
INDICATORS = [
    {
        "code": "1",
        "name": "服务态度",
        "weight": 40,
        "scale": "points",
        "max_points": 10,
        "standard": "工作人员热情、耐心，办事公道",
    },
    {
        "code": "2",
        "name": "服务效果",
        "weight": 30,
        "scale": "levels",
        "levels": {"满意": 100, "基本满意": 60, "不满意": 0},
        "standard": "居民的实际困难得到解决",
    },
    {"code": "3", "name": "是否知晓服务项目", "weight": 30, "scale": "yes_no"},
]


@pytest.fixture
def rnd(make_contract, personas, orgs):
    """An open round of S1's plan for one contract serving C1, with the three scales."""
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="2026年度居民满意度测评",
        year=2026,
        period_kind="year",
        contracts=[contract],
        indicators=INDICATORS,
    )
    r = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="2026年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    r.contract = contract
    return r


@pytest.fixture
def token(rnd, personas, orgs):
    raws = asvc.resident_tokens_issue(
        round=rnd,
        actor=personas.officer,
        contract=rnd.contract,
        community=orgs.c1,
        count=2,
        batch="第一批",
    )
    return raws[0]


def ids(rnd) -> dict[str, int]:
    return dict(rnd.plan.indicators.values_list("code", "pk"))


def good_post(rnd, **over) -> dict[str, str]:
    i = ids(rnd)
    data = {
        f"q{i['1']}": "8",
        f"q{i['2']}": "满意",
        f"q{i['3']}": "yes",
        "comment": "希望多组织老年人活动",
    }
    data.update(over)
    return data


def page_url(raw: str) -> str:
    return reverse("residents:answer", args=[raw])


# --- the phone page ------------------------------------------------------------------


def test_the_phone_page_asks_one_question_per_indicator(client, token, orgs, personas):
    # when: a resident opens the QR link
    response = client.get(page_url(token))
    # then: a phone page in Chinese with each indicator, its standard and the n/a choice
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="viewport"' in body
    for text in ("服务态度", "工作人员热情、耐心，办事公道", "服务效果", "基本满意"):
        assert text in body
    assert "是否知晓服务项目" in body
    assert "不了解/不适用" in body
    assert body.count('type="radio"') == 11 + 1 + 3 + 1 + 2 + 1  # 0..10, levels, yes/no
    assert orgs.c1.name in body
    # nothing names the vendor's staff
    assert personas.vendor.username not in body
    assert response["Cache-Control"] == "no-store"


def test_an_answer_is_saved_once_as_an_anonymous_resident_card(
    client, rnd, token, orgs
):
    # when: the resident answers
    response = client.post(page_url(token), good_post(rnd))
    # then: the thank-you page, and one anonymous card for the token's community
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:thanks")
    thanks = client.get(response["Location"])
    assert "感谢您的评价" in thanks.content.decode()
    card = Scorecard.objects.get()
    assert card.rater is None
    assert card.entered_by is None
    assert card.source == CardSource.RESIDENT_TOKEN
    assert card.group == RaterKind.RESIDENT
    assert card.community == orgs.c1
    assert card.contract == rnd.contract
    assert card.answers == {"1": 8, "2": "满意", "3": True}
    assert card.comment == "希望多组织老年人活动"
    assert ResidentToken.objects.get(pk=card.token_id).used_at is not None

    # when: the same token is used again
    again = client.post(page_url(token), good_post(rnd))
    reopened = client.get(page_url(token))
    # then: 409 "already used", and still one card
    assert again.status_code == 409
    assert "该评价码已使用" in again.content.decode()
    assert reopened.status_code == 409
    assert Scorecard.objects.count() == 1


def test_not_applicable_answers_are_kept_as_none(client, rnd, token):
    i = ids(rnd)
    response = client.post(
        page_url(token), good_post(rnd, **{f"q{i['2']}": "na", f"q{i['3']}": "na"})
    )
    assert response.status_code == 302
    assert Scorecard.objects.get().answers == {"1": 8, "2": None, "3": None}


@pytest.mark.parametrize(
    "raw",
    [
        "AAAAAAAAAAAAAAAAAAAAAA",  # 22 characters, like a real one
        "guess",
        "x" * 300,
        "%3Cscript%3E",
    ],
)
def test_a_guessed_token_is_invalid_and_says_nothing_more(client, token, raw):
    response = client.get(f"/r/{raw}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "评价码无效" in body
    assert "已使用" not in body
    assert "停止" not in body
    # a POST with a guessed token writes nothing
    assert client.post(f"/r/{raw}/", {"comment": "x"}).status_code == 404
    assert not Scorecard.objects.exists()


@pytest.mark.parametrize(
    ("code", "value", "reason"),
    [
        ("1", "11", "0 到 10"),
        ("1", "-1", "0 到 10"),
        ("1", "十", "请填写数字"),
        ("1", "NaN", "请填写数字"),
        ("2", "很好", "请从给出的等级中选择"),
        ("3", "maybe", "请选择“是”或“否”"),
        ("3", "", "请作答"),
    ],
)
def test_answers_outside_the_scale_give_the_form_again(
    client, rnd, token, code, value, reason
):
    # when: an answer is outside its scale (or missing)
    data = good_post(rnd, **{f"q{ids(rnd)[code]}": value})
    response = client.post(page_url(token), data)
    # then: the form again with the reason, and nothing saved
    assert response.status_code == 400
    body = response.content.decode()
    assert reason in body
    assert "希望多组织老年人活动" in body  # the comment is kept
    assert not Scorecard.objects.exists()
    assert ResidentToken.objects.filter(used_at__isnull=False).count() == 0


def test_all_not_applicable_is_refused(client, rnd, token):
    data = {f"q{pk}": "na" for pk in ids(rnd).values()}
    response = client.post(page_url(token), data)
    assert response.status_code == 400
    assert "请至少对一项作出评价" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_a_closed_round_stops_answers(client, rnd, token):
    AssessmentRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.SCORED)
    for response in (
        client.get(page_url(token)),
        client.post(page_url(token), good_post(rnd)),
    ):
        assert response.status_code == 409
        assert "本轮考核已停止评分" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_the_page_is_rate_limited_per_address(client, token, settings, monkeypatch):
    import types

    # given: a limit of 3 a minute, and the clock inside one window (a fixed window
    # rolling over mid-test would reset the count)
    settings.RESIDENTS_RATE_LIMIT = "3/minute"
    monkeypatch.setattr(
        "assessments.views_residents.time", types.SimpleNamespace(time=lambda: 6000.0)
    )
    # when: a fourth request comes within the minute
    codes = [client.get(page_url(token)).status_code for _n in range(3)]
    blocked = client.get("/r/guess-after-limit/")
    # then: 429 in Chinese with Retry-After, whatever the token
    assert codes == [200, 200, 200]
    assert blocked.status_code == 429
    assert "请求过于频繁" in blocked.content.decode()
    assert int(blocked["Retry-After"]) >= 1
    # another address is not affected
    other = client.get(page_url(token), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


# --- the JSON twin -------------------------------------------------------------------

API = "/api/v1/residents/answers/"


def test_the_api_takes_an_answer_once(rnd, token, orgs):
    from rest_framework.test import APIClient

    api = APIClient()
    body = {"token": token, "answers": {"1": 9, "2": "基本满意", "3": False}}
    # when
    first = api.post(API, body, format="json")
    second = api.post(API, body, format="json")
    # then
    assert first.status_code == 201, first.content
    card = Scorecard.objects.get()
    assert card.source == CardSource.RESIDENT_TOKEN
    assert card.rater is None
    assert card.community == orgs.c1
    assert card.answers == {"1": 9, "2": "基本满意", "3": False}
    assert second.status_code == 409
    assert second.json()["code"] == "token_used"
    assert set(second.json()) == {"code", "detail", "fields"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"token": "AAAAAAAAAAAAAAAAAAAAAA", "answers": {"1": 5}}, 404),
        ({"token": "{token}", "answers": {"1": 11}}, 400),
        ({"token": "{token}", "answers": {"2": "很好"}}, 400),
        ({"token": "{token}", "answers": {"9": 5}}, 400),
        ({"token": "{token}", "answers": {"1": [1]}}, 400),
        ({"token": "{token}", "answers": {"1": {"a": 1}}}, 400),
        ({"token": "{token}", "answers": {}}, 400),
        ({"token": "{token}", "answers": []}, 400),
        ({"token": "{token}"}, 400),
        ([1, 2], 400),
    ],
)
def test_the_api_refuses_bad_input_with_the_error_shape(token, body, status):
    from rest_framework.test import APIClient

    if isinstance(body, dict) and body.get("token") == "{token}":
        body = dict(body, token=token)
    response = APIClient().post(API, body, format="json")
    assert response.status_code == status, response.content
    assert set(response.json()) == {"code", "detail", "fields"}
    assert not Scorecard.objects.exists()


def test_the_api_is_rate_limited(token, settings):
    from rest_framework.test import APIClient

    settings.RESIDENTS_RATE_LIMIT = "2/minute"
    api = APIClient()
    codes = [
        api.post(API, {"token": "x", "answers": {"1": 1}}, format="json").status_code
        for _n in range(3)
    ]
    assert codes == [404, 404, 429]
    last = api.post(API, {"token": token, "answers": {"1": 1}}, format="json")
    assert last.status_code == 429
    assert last.json()["code"] == "throttled"
    assert "请求过于频繁" in last.json()["detail"]
    assert not Scorecard.objects.exists()


# --- the officer's batch page --------------------------------------------------------


def batch_url(rnd) -> str:
    return reverse("residents_admin:token-batches", args=[rnd.pk])


def test_the_officer_prints_a_batch_of_qr_codes(client, rnd, personas, orgs):
    client.force_login(personas.officer)
    # when: the officer issues 5 tokens for C1
    response = client.post(
        batch_url(rnd),
        {
            "contract": rnd.contract.pk,
            "community": orgs.c1.pk,
            "count": 5,
            "batch": "铁佛社区第一批",
        },
    )
    # then: a printable page with 5 QR codes, the community and the batch
    assert response.status_code == 200, response.content[:500]
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert body.count("<svg") == 5
    assert "@page" in body
    assert "A4" in body
    assert orgs.c1.name in body
    assert "铁佛社区第一批" in body
    raws = TOKEN_URL.findall(body)
    assert len(raws) == 5
    assert len(set(raws)) == 5
    assert all(f"http://testserver/r/{raw}/" in body for raw in raws)
    stored = set(
        ResidentToken.objects.filter(round=rnd, batch="铁佛社区第一批").values_list(
            "token_hash", flat=True
        )
    )
    assert stored == {hashlib.sha256(r.encode()).hexdigest() for r in raws}
    # and a printed code opens the resident's page
    client.logout()
    assert client.get(f"/r/{raws[0]}/").status_code == 200

    # when: the officer comes back to the page
    client.force_login(personas.officer)
    listing = client.get(batch_url(rnd))
    # then: the batch with its counts, and no token
    text = listing.content.decode()
    assert listing.status_code == 200
    assert "铁佛社区第一批" in text
    assert not TOKEN_URL.search(text)
    assert not any(raw in text for raw in raws)


def test_the_batch_list_counts_used_and_unused(client, rnd, token, personas):
    asvc.resident_answer(raw_token=token, answers={"1": 5})
    client.force_login(personas.officer)
    response = client.get(batch_url(rnd))
    row = re.search(r'<tr data-batch="第一批">(.*?)</tr>', response.content.decode())
    assert row is not None
    nums = re.findall(r'<td class="num">(\d+)</td>', row.group(1))
    assert nums == ["2", "1", "1"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"count": 0}, "1"),
        ({"count": 1001}, "1000"),
        ({"count": "many"}, ""),
        ({"batch": "   "}, ""),
        ({"contract": "999999"}, ""),
        ({"community": "abc"}, ""),
    ],
)
def test_a_bad_batch_request_gives_the_form_again(
    client, rnd, personas, orgs, data, reason
):
    client.force_login(personas.officer)
    post = {
        "contract": rnd.contract.pk,
        "community": orgs.c1.pk,
        "count": 5,
        "batch": "第二批",
    }
    post.update(data)
    response = client.post(batch_url(rnd), post)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not ResidentToken.objects.exists()


def test_a_community_the_contract_does_not_serve_is_refused(
    client, rnd, personas, orgs
):
    # given: C2 (another street's community) is not served by the contract
    assert not rnd.contract.items.filter(community=orgs.c2).exists()
    client.force_login(personas.officer)
    response = client.post(
        batch_url(rnd),
        {
            "contract": rnd.contract.pk,
            "community": orgs.c2.pk,
            "count": 5,
            "batch": "x",
        },
    )
    assert response.status_code == 400
    assert not ResidentToken.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_officer", 404),
        ("outsider", 404),
        ("vendor", 404),
        ("community", 404),
        ("dept", 403),
        ("auditor", 403),
        ("admin", 200),
    ],
)
def test_who_may_open_the_batch_page(client, rnd, personas, orgs, persona, status):
    client.force_login(getattr(personas, persona))
    assert client.get(batch_url(rnd)).status_code == status
    response = client.post(
        batch_url(rnd),
        {
            "contract": rnd.contract.pk,
            "community": orgs.c1.pk,
            "count": 1,
            "batch": "x",
        },
    )
    assert response.status_code == status
    assert ResidentToken.objects.exists() == (status == 200)


def test_anonymous_is_sent_to_login_and_bad_ids_are_404(client, rnd, personas):
    response = client.get(batch_url(rnd))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    client.force_login(personas.officer)
    for bad in ("0", "abc", "99999999", "1" * 40):
        assert client.get(f"/assessments/rounds/{bad}/tokens/").status_code == 404
