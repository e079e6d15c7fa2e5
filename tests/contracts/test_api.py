"""The contracts REST API: list filters, the detail a polling client reads (ETag and
304 included), allowed actions, every action's happy path and its refusals, and who
sees what (a vendor its own contracts only; another street's contract is a 404)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OrganisationKind
from catalogue.models import RuleParameter
from contracts import services
from contracts.models import Contract, ContractFeedEntry
from procurement.choices import AwardStatus, BidStatus, LotStatus, Method, ProjectStatus
from procurement.models import Award, Bid, Lot, LotItem, ProcurementProject
from tests.factories import OrganisationFactory, ServiceItemFactory
from tests.procurement.conftest import RULES, rules  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

WUHOU = "CN-51-01-07"


@pytest.fixture(autouse=True)
def _evidence_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the world: two streets, each with a contract from a final award -----------------


def district_rules(orgs) -> None:
    """The Wuhou district's own parameters (tranche plan, extension cap, grade
    deduction) given to the test districts, as the product would give them."""
    data = json.loads(RULES.read_text(encoding="utf-8"))
    RuleParameter.objects.bulk_create(
        [
            RuleParameter(
                key=p["key"],
                jurisdiction=district,
                valid_from=dt.date.fromisoformat(p["valid_from"]),
                valid_to=dt.date.fromisoformat(p["valid_to"])
                if p.get("valid_to")
                else None,
                value_type=p["value_type"],
                value=p["value"],
                rule_ids=p.get("rule_ids", []),
            )
            for p in data["parameters"]
            if p["jurisdiction"] == WUHOU
            for district in (orgs.d1, orgs.d2)
        ]
    )


def final_award(*, buyer, vendor, items, communities, code, amount="200000.00"):
    """A procurement at 结果生效 with one lot and the winner's final award (rows only:
    the procurement flow is tested in tests/procurement)."""
    now = timezone.now()
    project = ProcurementProject.objects.create(
        code=code,
        title="社区公共服务购买项目",
        buyer=buyer,
        district=buyer.parent,
        catalogue_version=items[0].version,
        fiscal_year=now.year,
        method=Method.BIXUAN,
        status=ProjectStatus.FINAL,
        acceptance_plan="按季度验收。",
    )
    lot = Lot.objects.create(
        project=project,
        number=1,
        name="社区公共服务",
        budget=Decimal(amount) + 10000,
        status=LotStatus.FINAL,
    )
    lot.communities.set(communities)
    for item in items:
        LotItem.objects.create(lot=lot, item=item)
    bid = Bid.objects.create(
        project=project,
        vendor=vendor,
        status=BidStatus.QUALIFIED,
        submitted_at=now,
        sealed_content="",
    )
    return Award.objects.create(
        lot=lot,
        bid=bid,
        amount=Decimal(amount),
        status=AwardStatus.FINAL,
        confirmed_at=now,
        final_at=now,
    )


# 首付 40 % on signing, 中期 30 % after the mid-term acceptance, 尾款 30 % after the
# yearly acceptance and a grade of at least 良.
TRANCHES = [
    {"kind": "advance", "share": "40"},
    {
        "kind": "midterm",
        "share": "30",
        "needs_acceptance": True,
        "period_label": "中期",
    },
    {
        "kind": "final",
        "share": "30",
        "needs_acceptance": True,
        "period_label": "年度",
        "min_grade": "good",
        "deduction_share": "10",
    },
]


def make_contract(award, personas, status="active", officer=None, vendor=None):
    """A contract through the real services, brought to `status`."""
    today = timezone.localdate()
    contract = services.contract_create_from_award(
        award=award,
        actor=officer or personas.officer,
        start_on=today - dt.timedelta(days=30),
        end_on=today + dt.timedelta(days=300),
        tranches=TRANCHES,
    )
    if status in ("vendor_signed", "active"):
        contract = services.contract_sign_vendor(
            contract=contract, actor=vendor or personas.vendor
        )
    if status == "active":
        contract = services.contract_countersign(
            contract=contract, actor=officer or personas.officer
        )
    return contract


@pytest.fixture
def cw(orgs, personas, catalogue, vendors, rules):  # noqa: F811
    """S1's award to `vendors.own` (two communities, two items) and S2's award to
    `vendors.other` (one community), no contracts yet."""
    from accounts.choices import Role
    from tests.factories import user_with_role

    district_rules(orgs)
    published = catalogue.published
    items = [
        published.items.get(code="A03-05"),
        ServiceItemFactory(
            version=published,
            domain=published.items.get(code="A03-05").domain,
            code="A03-06",
            name="高龄老人居家探访",
        ),
    ]
    c1b = OrganisationFactory(
        code="D1-S1-C2",
        name="簇桥社区",
        kind=OrganisationKind.COMMUNITY,
        parent=orgs.s1,
    )
    award = final_award(
        buyer=orgs.s1,
        vendor=vendors.own,
        items=items,
        communities=[orgs.c1, c1b],
        code="CG-S1-001",
    )
    other_award = final_award(
        buyer=orgs.s2,
        vendor=vendors.other,
        items=items[:1],
        communities=[orgs.c2],
        code="CG-S2-001",
        amount="90000.00",
    )
    other_vendor_staff = user_with_role(
        Role.VENDOR_STAFF, vendors.other.organisation, username="p_other_vendor"
    )
    return SimpleNamespace(
        award=award,
        other_award=other_award,
        items=items,
        communities=[orgs.c1, c1b],
        other_vendor_staff=other_vendor_staff,
    )


@pytest.fixture
def two(cw, personas):
    """An active contract of S1 and an active one of S2."""
    mine = make_contract(cw.award, personas)
    other = make_contract(
        cw.other_award,
        personas,
        officer=personas.other_officer,
        vendor=cw.other_vendor_staff,
    )
    return SimpleNamespace(mine=mine, other=other)


def url(name, *args):
    return reverse(f"api:contract-{name}", args=args)


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- list and filters ------------------------------------------------------------------


def test_list_shows_only_visible_contracts(api, personas, two, cw):
    # when / then: each street's officer sees its own street's contract
    assert _ids(api(personas.officer).get(url("list"))) == {two.mine.pk}
    assert _ids(api(personas.other_officer).get(url("list"))) == {two.other.pk}
    # the district admin sees both
    assert _ids(api(personas.admin).get(url("list"))) == {two.mine.pk, two.other.pk}
    # the vendor sees only its own organisation's contract
    assert _ids(api(personas.vendor).get(url("list"))) == {two.mine.pk}
    assert _ids(api(cw.other_vendor_staff).get(url("list"))) == {two.other.pk}
    # community staff see the contracts that serve their community
    assert _ids(api(personas.community).get(url("list"))) == {two.mine.pk}


def test_list_refuses_roles_without_contracts_and_anonymous(api, personas, two):
    # when
    expert = api(personas.expert).get(url("list"))
    anonymous = api(None).get(url("list"))
    # then
    assert expert.status_code == 403
    assert expert.json()["code"] == "permission_denied"
    assert anonymous.status_code == 401


def test_list_filters(api, personas, two, cw, orgs, vendors):
    client = api(personas.admin)
    # status
    services.contract_terminate(
        contract=two.other,
        actor=personas.other_officer,
        kind="mutual",
        reason="双方协商一致",
        terminated_on=timezone.localdate(),
    )
    assert _ids(client.get(url("list") + "?status=active")) == {two.mine.pk}
    assert _ids(client.get(url("list") + "?status=terminated")) == {two.other.pk}
    # street, vendor, community, item
    assert _ids(client.get(url("list") + f"?street={orgs.s2.pk}")) == {two.other.pk}
    assert _ids(client.get(url("list") + f"?vendor={vendors.own.pk}")) == {two.mine.pk}
    assert _ids(client.get(url("list") + f"?community={orgs.c2.pk}")) == {two.other.pk}
    assert _ids(client.get(url("list") + f"?item={cw.items[1].pk}")) == {two.mine.pk}
    # q searches code, title and vendor name
    assert _ids(client.get(url("list") + "?q=" + two.mine.code)) == {two.mine.pk}
    # updated_since
    later = (timezone.now() + dt.timedelta(minutes=5)).isoformat()
    response = client.get(url("list"), {"updated_since": later})
    assert response.status_code == 200
    assert _ids(response) == set()
    earlier = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert _ids(client.get(url("list"), {"updated_since": earlier})) == {
        two.mine.pk,
        two.other.pk,
    }


def test_list_filter_with_bad_values_is_a_400_naming_the_field(api, personas, two):
    client = api(personas.admin)
    for query, field in (
        ("?status=nonsense", "status"),
        ("?street=abc", "street"),
        ("?updated_since=yesterday", "updated_since"),
        ("?vendor=99999999", "vendor"),
    ):
        # when
        response = client.get(url("list") + query)
        # then
        assert response.status_code == 400, query
        body = response.json()
        assert body["code"] == "invalid"
        assert field in body["fields"], (query, body)


def test_list_queries_do_not_grow_with_contracts(api, personas, cw, orgs, vendors):
    # given: one contract
    make_contract(cw.award, personas)
    client = api(personas.admin)
    client.get(url("list"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("list")).status_code == 200
    # when: four contracts
    for i in range(3):
        award = final_award(
            buyer=orgs.s1,
            vendor=vendors.own,
            items=cw.items,
            communities=cw.communities,
            code=f"CG-S1-1{i}",
        )
        make_contract(award, personas)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("list") + f"?street={orgs.s1.pk}&q=HT")
    # then
    assert response.status_code == 200
    assert len(response.json()["results"]) == 4
    assert len(large) <= len(small) + 1  # + the street filter's lookup


# --- detail ----------------------------------------------------------------------------


def test_detail_content(api, personas, two, cw):
    # given: the first tranche paid, a change and an extension open, one delivery
    c = two.mine
    t1 = c.tranches.get(number=1)
    services.payment_tranche_request(tranche=t1, actor=personas.vendor)
    services.payment_tranche_approve(tranche=t1, actor=personas.officer)
    services.payment_tranche_pay(
        tranche=t1, actor=personas.officer, paid_on=timezone.localdate()
    )
    services.contract_change_propose(
        contract=c,
        actor=personas.vendor,
        kind="addition",
        reason_code="demand_growth",
        rationale="走访需求增加",
        value_delta="10000",
    )
    services.extension_request_create(
        contract=c,
        actor=personas.vendor,
        reason="部分社区尚未覆盖",
        requested_end_on=c.end_on + dt.timedelta(days=60),
    )
    # when
    response = api(personas.officer).get(url("detail", c.pk))
    # then
    assert response.status_code == 200
    d = response.json()
    assert d["status"] == "active"
    assert d["buyer"]["id"] == c.buyer_id
    assert d["vendor"]["id"] == c.vendor_id
    assert d["term"]["end_on"] == c.end_on.isoformat()
    assert Decimal(d["value"]) == Decimal("200000.00")
    assert Decimal(d["amounts"]["paid"]) == Decimal("80000.00")
    assert Decimal(d["amounts"]["outstanding"]) == Decimal("120000.00")
    # per item and community: 2 items × 2 communities
    assert len(d["progress"]) == 4
    row = d["progress"][0]
    assert {"target", "delivered", "pct", "community_id", "item_code"} <= set(row)
    assert [t["number"] for t in d["tranches"]] == [1, 2, 3]
    assert d["tranches"][0]["status"] == "paid"
    assert len(d["open_changes"]) == 1
    assert d["open_changes"][0]["kind"] == "addition"
    assert len(d["open_extensions"]) == 1
    assert d["open_extensions"][0]["snapshot"]["communities_total"] == 2
    assert any(o["kind"] == "end" for o in d["next_obligations"])
    assert "propose_change" in d["allowed_actions"]
    assert d["feed_seq"] == Contract.objects.get(pk=c.pk).feed_seq


def test_allowed_actions_follow_role_and_state(api, personas, cw):
    # given: a draft
    draft = make_contract(cw.award, personas, status="draft")
    # when
    officer = api(personas.officer).get(url("detail", draft.pk)).json()
    vendor = api(personas.vendor).get(url("detail", draft.pk)).json()
    auditor = api(personas.auditor).get(url("detail", draft.pk)).json()
    # then: the vendor may sign; the officer may edit or terminate, not countersign yet
    assert "sign" in vendor["allowed_actions"]
    assert "countersign" not in officer["allowed_actions"]
    assert {"update", "terminate"} <= set(officer["allowed_actions"])
    assert "sign" not in officer["allowed_actions"]
    assert auditor["allowed_actions"] == []


def test_detail_of_another_street_or_vendor_is_a_404(api, personas, two, cw):
    # when / then
    assert (
        api(personas.other_officer).get(url("detail", two.mine.pk)).status_code == 404
    )
    assert api(cw.other_vendor_staff).get(url("detail", two.mine.pk)).status_code == 404
    assert api(personas.vendor).get(url("detail", two.other.pk)).status_code == 404
    assert api(personas.outsider).get(url("detail", two.mine.pk)).status_code == 404
    # bad ids are 404s, never server errors
    for bad in ("abc", "0", "-1", "99999999999999999999999", "１"):
        response = api(personas.officer).get(f"/api/v1/contracts/{bad}/")
        assert response.status_code == 404, bad


def test_detail_sends_an_etag_and_answers_304_until_something_changes(
    api, personas, two
):
    client = api(personas.officer)
    # given
    first = client.get(url("detail", two.mine.pk))
    etag = first["ETag"]
    assert etag
    # when: asked again with the ETag
    again = client.get(url("detail", two.mine.pk), HTTP_IF_NONE_MATCH=etag)
    weak = client.get(url("detail", two.mine.pk), HTTP_IF_NONE_MATCH=f"W/{etag}")
    other = client.get(url("detail", two.mine.pk), HTTP_IF_NONE_MATCH='"nope", "x"')
    # then
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert weak.status_code == 304
    assert other.status_code == 200
    # when: anything on the contract changes (a payment request)
    services.payment_tranche_request(
        tranche=two.mine.tranches.get(number=1), actor=personas.vendor
    )
    changed = client.get(url("detail", two.mine.pk), HTTP_IF_NONE_MATCH=etag)
    # then
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["tranches"][0]["status"] == "requested"


def test_304_does_not_leak_invisible_contracts(api, personas, two):
    etag = api(personas.officer).get(url("detail", two.mine.pk))["ETag"]
    response = api(personas.other_officer).get(
        url("detail", two.mine.pk), HTTP_IF_NONE_MATCH=etag
    )
    assert response.status_code == 404


def test_detail_queries_do_not_grow_with_items(api, personas, two, cw, orgs):
    client = api(personas.officer)
    client.get(url("detail", two.mine.pk))
    with CaptureQueriesContext(connection) as small:
        client.get(url("detail", two.mine.pk))
    # when: the contract serves many more communities
    for i in range(6):
        community = OrganisationFactory(
            kind=OrganisationKind.COMMUNITY, parent=orgs.s1, code=f"D1-S1-X{i}"
        )
        for item in cw.items:
            two.mine.items.create(
                item=item, community=community, unit=item.unit, target=10
            )
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("detail", two.mine.pk))
    # then
    assert len(response.json()["progress"]) == 16
    assert len(large) == len(small)
    assert len(large) <= 16, [q["sql"][:120] for q in large.captured_queries]


# --- create from award and the contract's own transitions ------------------------------


def test_create_from_award(api, personas, cw):
    # when
    response = api(personas.officer).post(
        url("list"), {"award": cw.award.pk, "bond_form": "保函"}, format="json"
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["award"] == cw.award.pk
    assert len(body["progress"]) == 4
    assert sum(Decimal(t["share"]) for t in body["tranches"]) == 100
    assert ContractFeedEntry.objects.filter(contract_id=body["id"]).count() == 1


def test_create_refusals(api, personas, cw):
    # tranches not summing to 100 %: a 400 naming the field, nothing saved
    response = api(personas.officer).post(
        url("list"),
        {
            "award": cw.award.pk,
            "tranches": [
                {"kind": "advance", "share": "50"},
                {"kind": "final", "share": "40"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "tranches" in response.json()["fields"], response.json()
    assert not Contract.objects.exists()
    # a missing award field
    response = api(personas.officer).post(url("list"), {}, format="json")
    assert response.status_code == 400
    assert "award" in response.json()["fields"]
    # another street's award is not visible
    response = api(personas.other_officer).post(
        url("list"), {"award": cw.award.pk}, format="json"
    )
    assert response.status_code == 404
    # the vendor may not draft contracts
    response = api(personas.vendor).post(
        url("list"), {"award": cw.award.pk}, format="json"
    )
    assert response.status_code in (403, 404)
    # twice from the same award
    assert (
        api(personas.officer)
        .post(url("list"), {"award": cw.award.pk}, format="json")
        .status_code
        == 201
    )
    again = api(personas.officer).post(
        url("list"), {"award": cw.award.pk}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "contract_exists"


def test_sign_countersign_publication_filing(api, personas, cw):
    draft = make_contract(cw.award, personas, status="draft")
    today = timezone.localdate()
    # the officer may not sign for the vendor
    refused = api(personas.officer).post(url("sign", draft.pk))
    assert refused.status_code == 403
    assert refused.json()["detail"]
    # the vendor signs, the officer countersigns
    signed = api(personas.vendor).post(url("sign", draft.pk))
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "vendor_signed"
    active = api(personas.officer).post(
        url("countersign", draft.pk), {"signed_on": today.isoformat()}, format="json"
    )
    assert active.status_code == 200, active.json()
    assert active.json()["status"] == "active"
    assert active.json()["deadlines"]["publish_due"]
    # countersigning twice is a conflict
    assert api(personas.officer).post(url("countersign", draft.pk)).status_code == 409
    # publication: a bad date is refused with the field named
    bad = api(personas.officer).post(
        url("publication", draft.pk), {"published_on": "2026-13-40"}, format="json"
    )
    assert bad.status_code == 400
    assert "published_on" in bad.json()["fields"]
    future = api(personas.officer).post(
        url("publication", draft.pk),
        {"published_on": (today + dt.timedelta(days=3)).isoformat()},
        format="json",
    )
    assert future.status_code == 400
    assert "published_on" in future.json()["fields"]
    ok = api(personas.officer).post(
        url("publication", draft.pk),
        {"published_on": today.isoformat(), "url": "http://www.ccgp-sichuan.gov.cn/x"},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["deadlines"]["published_on"] == today.isoformat()
    assert "publish" not in ok.json()["allowed_actions"]
    filed = api(personas.officer).post(
        url("filing", draft.pk),
        {"filed_on": today.isoformat(), "ref": "财备-001"},
        format="json",
    )
    assert filed.status_code == 200, filed.json()
    assert filed.json()["deadlines"]["filing_ref"] == "财备-001"


def test_terminate_and_complete(api, personas, two):
    # complete before the term is over: a conflict with the reason
    early = api(personas.officer).post(url("complete", two.mine.pk), {}, format="json")
    assert early.status_code == 409
    assert early.json()["detail"]
    # terminate: the kind is checked by shape, the reason by the service
    bad = api(personas.officer).post(
        url("terminate", two.mine.pk),
        {"kind": "whatever", "reason": "", "terminated_on": "x"},
        format="json",
    )
    assert bad.status_code == 400
    assert {"kind", "reason", "terminated_on"} <= set(bad.json()["fields"])
    # the vendor may not terminate
    vendor = api(personas.vendor).post(
        url("terminate", two.mine.pk),
        {
            "kind": "mutual",
            "reason": "协商",
            "terminated_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert vendor.status_code == 403
    ok = api(personas.officer).post(
        url("terminate", two.mine.pk),
        {
            "kind": "breach",
            "reason": "连续两个季度未提供服务",
            "terminated_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    body = ok.json()
    assert body["status"] == "terminated"
    assert {t["status"] for t in body["tranches"]} == {"cancelled"}
    assert not {"terminate", "complete", "propose_change"} & set(
        body["allowed_actions"]
    )


# --- tranches --------------------------------------------------------------------------


def test_tranche_request_approve_pay(api, personas, two):
    c = two.mine
    # the vendor asks, the officer approves and pays
    requested = api(personas.vendor).post(url("tranche-request", c.pk, 1))
    assert requested.status_code == 200, requested.json()
    assert requested.json()["status"] == "requested"
    # the vendor may not approve
    assert api(personas.vendor).post(url("tranche-approve", c.pk, 1)).status_code == 403
    approved = api(personas.officer).post(url("tranche-approve", c.pk, 1))
    assert approved.status_code == 200, approved.json()
    assert approved.json()["allowed_actions"] == ["pay"]
    # paying: a future date and an amount above the payable are refused
    bad = api(personas.officer).post(
        url("tranche-pay", c.pk, 1),
        {
            "paid_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "amount": "999999",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"paid_on", "amount"} <= set(bad.json()["fields"])
    paid = api(personas.officer).post(
        url("tranche-pay", c.pk, 1),
        {"paid_on": timezone.localdate().isoformat(), "payment_ref": "ZF-001"},
        format="json",
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "paid"
    assert Decimal(paid.json()["paid_amount"]) == Decimal("80000.00")


def test_tranche_refusals(api, personas, two):
    c = two.mine
    # a tranche that waits for its acceptance cannot be asked for yet (409 + reason)
    waiting = next(t for t in c.tranches.all() if t.needs_acceptance or t.min_grade)
    response = api(personas.vendor).post(url("tranche-request", c.pk, waiting.number))
    assert response.status_code == 409
    assert response.json()["detail"]
    # an unknown tranche number, and another street's contract
    assert (
        api(personas.vendor).post(url("tranche-request", c.pk, 99)).status_code == 404
    )
    assert (
        api(personas.other_officer).post(url("tranche-request", c.pk, 1)).status_code
        == 404
    )
    # approve before any request
    assert (
        api(personas.officer).post(url("tranche-approve", c.pk, 1)).status_code == 409
    )


# --- changes and extensions ------------------------------------------------------------


def test_change_propose_accept(api, personas, two):
    c = two.mine
    proposed = api(personas.officer).post(
        url("propose-change", c.pk),
        {
            "kind": "addition",
            "reason_code": "demand_growth",
            "rationale": "新增高龄老人走访",
            "value_delta": "15000",
            "item_changes": [
                {"item": "A03-06", "community": "D1-S1-C1", "target": 120}
            ],
        },
        format="json",
    )
    assert proposed.status_code == 201, proposed.json()
    number = proposed.json()["number"]
    # the proposer cannot accept its own proposal (CT-01)
    own = api(personas.officer).post(
        url("change-accept", c.pk, number), {}, format="json"
    )
    assert own.status_code == 403
    accepted = api(personas.vendor).post(
        url("change-accept", c.pk, number), {"note": "同意"}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "effective"
    detail = api(personas.officer).get(url("detail", c.pk)).json()
    assert Decimal(detail["value"]) == Decimal("215000.00")
    assert detail["version"] == 2


def test_change_refusals(api, personas, two):
    c = two.mine
    # above the 10 % cap: refused, the field named, nothing saved
    over = api(personas.officer).post(
        url("propose-change", c.pk),
        {
            "kind": "addition",
            "reason_code": "demand_growth",
            "rationale": "追加",
            "value_delta": "20000.01",
        },
        format="json",
    )
    assert over.status_code == 400
    assert "value_delta" in over.json()["fields"]
    assert not c.changes.exists()
    # a bad kind and no rationale
    bad = api(personas.officer).post(
        url("propose-change", c.pk), {"kind": "x", "reason_code": "y"}, format="json"
    )
    assert bad.status_code == 400
    assert {"kind", "reason_code", "rationale"} <= set(bad.json()["fields"])
    # an auditor is not a party
    auditor = api(personas.auditor).post(
        url("propose-change", c.pk),
        {
            "kind": "reduction",
            "reason_code": "other",
            "rationale": "x",
            "value_delta": "-1",
        },
        format="json",
    )
    assert auditor.status_code == 403
    # reject needs a reason; withdraw only by the proposer
    ch = services.contract_change_propose(
        contract=c,
        actor=personas.vendor,
        kind="variation",
        reason_code="scope_adjust",
        rationale="调整",
        new_end_on=c.end_on - dt.timedelta(days=10),
    )
    no_reason = api(personas.officer).post(
        url("change-reject", c.pk, ch.number), {}, format="json"
    )
    assert no_reason.status_code == 400
    assert "note" in no_reason.json()["fields"]
    assert (
        api(personas.officer).post(url("change-withdraw", c.pk, ch.number)).status_code
        == 403
    )
    withdrawn = api(personas.vendor).post(url("change-withdraw", c.pk, ch.number))
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    # decided already
    again = api(personas.officer).post(
        url("change-reject", c.pk, ch.number), {"note": "不同意"}, format="json"
    )
    assert again.status_code == 409
    assert (
        api(personas.vendor).post(url("change-withdraw", c.pk, 999)).status_code == 404
    )


def test_extension_request_approve_refuse(api, personas, two):
    c = two.mine
    new_end = (c.end_on + dt.timedelta(days=45)).isoformat()
    # the officer may not ask for the vendor
    assert (
        api(personas.officer)
        .post(
            url("request-extension", c.pk),
            {"reason": "x", "requested_end_on": new_end},
            format="json",
        )
        .status_code
        == 403
    )
    # a date before the current end is refused with the field named
    early = api(personas.vendor).post(
        url("request-extension", c.pk),
        {"reason": "来不及", "requested_end_on": c.start_on.isoformat()},
        format="json",
    )
    assert early.status_code == 400
    assert "requested_end_on" in early.json()["fields"]
    # an item of another contract
    foreign = api(personas.vendor).post(
        url("request-extension", c.pk),
        {
            "reason": "来不及",
            "requested_end_on": new_end,
            "contract_item": two.other.items.first().pk,
        },
        format="json",
    )
    assert foreign.status_code == 400
    assert "contract_item" in foreign.json()["fields"]
    created = api(personas.vendor).post(
        url("request-extension", c.pk),
        {"reason": "20个社区中尚有4个未覆盖", "requested_end_on": new_end},
        format="json",
    )
    assert created.status_code == 201, created.json()
    eid = created.json()["id"]
    assert created.json()["snapshot"]["communities_total"] == 2
    # refuse needs a reason; the vendor may not decide
    assert (
        api(personas.officer)
        .post(url("extension-refuse", c.pk, eid), {}, format="json")
        .status_code
        == 400
    )
    assert (
        api(personas.vendor)
        .post(url("extension-approve", c.pk, eid), {}, format="json")
        .status_code
        == 403
    )
    approved = api(personas.officer).post(
        url("extension-approve", c.pk, eid), {"reason": "同意"}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert (
        api(personas.officer).get(url("detail", c.pk)).json()["term"]["end_on"]
        == new_end
    )
    # decided already; and not found on another contract
    assert (
        api(personas.officer)
        .post(url("extension-refuse", c.pk, eid), {"reason": "x"}, format="json")
        .status_code
        == 409
    )
    assert (
        api(personas.other_officer)
        .post(url("extension-approve", two.other.pk, eid), {}, format="json")
        .status_code
        == 404
    )


def test_actions_on_invisible_contracts_are_404(api, personas, two):
    for name in ("sign", "countersign", "complete"):
        response = api(personas.other_officer).post(url(name, two.mine.pk))
        assert response.status_code == 404, name
    response = api(personas.other_officer).post(
        url("propose-change", two.mine.pk),
        {"kind": "variation", "reason_code": "other", "rationale": "x"},
        format="json",
    )
    assert response.status_code == 404


# --- deliveries, residual work, extra work ---------------------------------------------


def _jpeg(name="visit.jpg", colour=(200, 120, 40)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def _delivery_form(contract, community, **extra):
    item = contract.items.filter(community=community).order_by("pk").first()
    today = timezone.localdate()
    data = {
        "contract_item": item.pk,
        "period_start": (today - dt.timedelta(days=7)).isoformat(),
        "period_end": (today - dt.timedelta(days=1)).isoformat(),
        "count": 12,
        "notes": "入户走访12户",
    }
    data.update(extra)
    return data


def test_delivery_report_with_a_photo_then_confirm(api, personas, two, orgs):
    c = two.mine
    # when: the vendor reports with a photo (multipart)
    created = api(personas.vendor).post(
        url("deliveries", c.pk),
        _delivery_form(c, orgs.c1, photos=[_jpeg()]),
        format="multipart",
    )
    # then
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "reported"
    assert body["community"] == orgs.c1.pk
    assert [e["kind"] for e in body["evidence"]] == ["photo"]
    assert len(body["evidence"][0]["sha256"]) == 64
    # the list shows it
    listed = api(personas.officer).get(url("deliveries", c.pk) + "?status=reported")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["results"]] == [body["id"]]
    # the vendor may not confirm its own report; the community's staff confirm it
    assert (
        api(personas.vendor)
        .post(url("delivery-confirm", c.pk, body["id"]), {}, format="json")
        .status_code
        == 403
    )
    confirmed = api(personas.community).post(
        url("delivery-confirm", c.pk, body["id"]), {"note": "已核实"}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "confirmed"
    detail = api(personas.officer).get(url("detail", c.pk)).json()
    row = next(r for r in detail["progress"] if r["id"] == body["contract_item"])
    assert row["delivered"] == 12
    # a second review is a conflict
    again = api(personas.community).post(
        url("delivery-dispute", c.pk, body["id"]), {"reason": "数量不符"}, format="json"
    )
    assert again.status_code == 409


def test_delivery_refusals(api, personas, two, orgs):
    c = two.mine
    vendor = api(personas.vendor)
    # a file of the wrong type: refused, nothing saved
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("x.jpg", b"MZ\x90\x00" * 50, content_type="image/jpeg")
    wrong = vendor.post(
        url("deliveries", c.pk),
        _delivery_form(c, orgs.c1, photos=[exe]),
        format="multipart",
    )
    assert wrong.status_code == 400
    assert wrong.json()["fields"], wrong.json()
    # a negative count
    negative = vendor.post(
        url("deliveries", c.pk), _delivery_form(c, orgs.c1, count=-3), format="json"
    )
    assert negative.status_code == 400
    assert "count" in negative.json()["fields"]
    # an item of another contract (a community outside this contract)
    foreign = vendor.post(
        url("deliveries", c.pk),
        {**_delivery_form(c, orgs.c1), "contract_item": two.other.items.first().pk},
        format="json",
    )
    assert foreign.status_code == 400
    assert "contract_item" in foreign.json()["fields"]
    assert not c.deliveries.exists()
    # the officer may not report for the vendor
    assert (
        api(personas.officer)
        .post(url("deliveries", c.pk), _delivery_form(c, orgs.c1), format="json")
        .status_code
        == 403
    )
    # dispute needs a reason; unknown record is a 404
    ok = vendor.post(url("deliveries", c.pk), _delivery_form(c, orgs.c1), format="json")
    assert ok.status_code == 201, ok.json()
    did = ok.json()["id"]
    no_reason = api(personas.community).post(
        url("delivery-dispute", c.pk, did), {}, format="json"
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    assert (
        api(personas.community)
        .post(url("delivery-confirm", c.pk, 999999), {}, format="json")
        .status_code
        == 404
    )
    # bad list filters
    assert vendor.get(url("deliveries", c.pk) + "?status=x").status_code == 400


def test_residual_work_by_community_staff(api, personas, two, orgs):
    c = two.mine
    item = c.items.filter(community=orgs.c1).first()
    data = {
        "contract_item": item.pk,
        "happened_on": timezone.localdate().isoformat(),
        "description": "社区工作人员自行入户走访",
        "hours": "3.5",
        "reason": "承接组织人手不足",
    }
    # the vendor may not record what the community does itself
    assert (
        api(personas.vendor)
        .post(url("residual-work", c.pk), data, format="json")
        .status_code
        == 403
    )
    bad = api(personas.community).post(
        url("residual-work", c.pk), {**data, "hours": "-1"}, format="json"
    )
    assert bad.status_code == 400
    assert "hours" in bad.json()["fields"]
    created = api(personas.community).post(
        url("residual-work", c.pk), data, format="json"
    )
    assert created.status_code == 201, created.json()
    detail = api(personas.officer).get(url("detail", c.pk)).json()
    row = next(r for r in detail["progress"] if r["id"] == item.pk)
    assert Decimal(row["residual_hours"]) == Decimal("3.5")


def test_extra_work_record_dispute_approve_refuse(api, personas, two, orgs):
    c = two.mine
    data = {
        "side": "vendor",
        "requested_by_name": "街道综治办",
        "description": "社区迎检：整理台账、布置展板",
        "assigned_on": timezone.localdate().isoformat(),
        "hours": "16",
        "community": orgs.c1.pk,
    }
    # an auditor records nothing
    assert (
        api(personas.auditor)
        .post(url("extra-work", c.pk), data, format="json")
        .status_code
        == 403
    )
    created = api(personas.vendor).post(url("extra-work", c.pk), data, format="json")
    assert created.status_code == 201, created.json()
    xid = created.json()["id"]
    # the officer refuses without a note: the field is named
    no_note = api(personas.officer).post(
        url("extra-work-refuse", c.pk, xid), {}, format="json"
    )
    assert no_note.status_code == 400
    assert "note" in no_note.json()["fields"]
    approved = api(personas.officer).post(
        url("extra-work-approve", c.pk, xid), {"note": "属实"}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    # the vendor may dispute; the officer may not dispute for it
    assert (
        api(personas.officer)
        .post(url("extra-work-dispute", c.pk, xid), {"response": "x"}, format="json")
        .status_code
        == 403
    )
    disputed = api(personas.vendor).post(
        url("extra-work-dispute", c.pk, xid),
        {"response": "迎检工作量远超合同约定"},
        format="json",
    )
    assert disputed.status_code == 200, disputed.json()
    assert disputed.json()["status"] == "disputed"
    # bad side and another street's officer
    bad = api(personas.vendor).post(
        url("extra-work", c.pk), {**data, "side": "mayor"}, format="json"
    )
    assert bad.status_code == 400
    assert "side" in bad.json()["fields"]
    assert (
        api(personas.other_officer)
        .post(url("extra-work-approve", c.pk, xid), {}, format="json")
        .status_code
        == 404
    )
