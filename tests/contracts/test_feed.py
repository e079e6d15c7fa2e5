"""The contract change feed (`GET /api/v1/contracts/changes/?cursor=…`): a client that
pages with the cursor sees every change once, in order, and only the contracts it may
see, even while transactions commit out of order around it."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.feed import contract_touch
from contracts.models import Contract, ContractFeedEntry

from . import test_api as _api
from .test_api import final_award, make_contract

# The contract world of the API tests (fixtures, shared by name).
cw, rules, two = _api.cw, _api.rules, _api.two

FEED = reverse("api:contract-changes")

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL (SQLite serialises writers)",
)


def page(client, cursor, limit=100):
    response = client.get(FEED, {"cursor": cursor, "limit": limit})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def drain(client, cursor="0", limit=3):
    """Every row after `cursor`, page by page; returns (rows, last cursor)."""
    rows = []
    while True:
        body = page(client, cursor, limit)
        rows.extend(body["results"])
        if not body["results"]:
            assert body["next_cursor"] == str(cursor)
            return rows, cursor
        assert body["next_cursor"] == str(body["results"][-1]["id"])
        cursor = body["next_cursor"]


# --- paging ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_paging_never_repeats_or_misses(api, personas, two):
    # given: several changes on the S1 contract
    t = two.mine.tranches.get(number=1)
    services.payment_tranche_request(tranche=t, actor=personas.vendor)
    services.payment_tranche_approve(tranche=t, actor=personas.officer)
    client = api(personas.admin)
    # when: read three rows at a time
    rows, cursor = drain(client, limit=3)
    # then: every row of the district, once, in id order
    ids = [r["id"] for r in rows]
    assert ids == sorted(set(ids))
    assert ids == list(
        ContractFeedEntry.objects.order_by("id").values_list("id", flat=True)
    )
    assert rows[-1]["action"] == "tranche_approve"
    assert {"id", "contract", "code", "action", "status", "version", "at"} == set(
        rows[0]
    )
    # when: something else changes, the next poll returns only that
    services.payment_tranche_pay(
        tranche=two.mine.tranches.get(number=1),
        actor=personas.officer,
        paid_on=timezone.localdate(),
    )
    body = page(client, cursor)
    assert [r["action"] for r in body["results"]] == ["tranche_pay"]
    assert body["results"][0]["code"] == two.mine.code
    assert int(body["next_cursor"]) > int(cursor)


@pytest.mark.django_db
def test_feed_shows_only_visible_contracts(api, personas, two, cw):
    # when
    officer = [r["contract"] for r in drain(api(personas.officer))[0]]
    other = [r["contract"] for r in drain(api(personas.other_officer))[0]]
    vendor = [r["contract"] for r in drain(api(cw.other_vendor_staff))[0]]
    # then
    assert officer
    assert set(officer) == {two.mine.pk}
    assert other
    assert set(other) == {two.other.pk}
    assert set(vendor) == {two.other.pk}


@pytest.mark.django_db
def test_feed_refusals(api, personas, two):
    client = api(personas.officer)
    for query, field in (
        ({"cursor": "abc"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"cursor": "1" * 30}, "cursor"),
        ({"cursor": "3.5"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
    ):
        # when
        response = client.get(FEED, query)
        # then: a 400 naming the parameter, never a server error
        assert response.status_code == 400, query
        assert field in response.json()["fields"], (query, response.json())
    assert api(None).get(FEED).status_code == 401
    assert api(personas.expert).get(FEED).status_code == 403


@pytest.mark.django_db
def test_cursor_past_the_end_returns_it_unchanged(api, personas, two):
    body = page(api(personas.officer), 10**12)
    assert body == {"results": [], "next_cursor": str(10**12)}


# --- concurrency (PostgreSQL) ----------------------------------------------------------


def _hold_feed_row(contract_pk, inserted, release, errors):
    """A writer whose transaction inserts its feed row, then waits before it commits."""
    try:
        with transaction.atomic():
            contract_touch(Contract.objects.get(pk=contract_pk), "api_test_slow")
            inserted.set()
            release.wait(20)
    except Exception as exc:  # reported to the test
        errors.append(exc)
    finally:
        connections.close_all()


def _touch(contract_pk, done, errors):
    try:
        with transaction.atomic():
            contract_touch(Contract.objects.get(pk=contract_pk), "api_test_fast")
        done.set()
    except Exception as exc:
        errors.append(exc)
    finally:
        connections.close_all()


def _waiting_on_advisory_lock() -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        return cur.fetchone()[0] > 0


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_late_commit_is_not_skipped(api, personas, two):
    client = api(personas.admin)
    _, cursor = drain(client)
    errors: list = []
    inserted, release, done = threading.Event(), threading.Event(), threading.Event()
    # given: A has inserted its feed row but not committed
    slow = threading.Thread(
        target=_hold_feed_row, args=(two.mine.pk, inserted, release, errors)
    )
    slow.start()
    assert inserted.wait(10)
    # and B writes after it (it waits for A's commit on the feed lock)
    fast = threading.Thread(target=_touch, args=(two.other.pk, done, errors))
    fast.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_advisory_lock() and time.monotonic() < deadline:
        time.sleep(0.01)
    # when: the client polls in between, then after both commit
    between = page(client, cursor)
    release.set()
    slow.join(10)
    fast.join(10)
    after = page(client, between["next_cursor"])
    # then: nothing was visible early, and both rows arrive, in commit order
    assert not errors, errors
    assert between["results"] == []
    assert [r["action"] for r in after["results"]] == ["api_test_slow", "api_test_fast"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_without_the_feed_lock_a_late_commit_would_be_missed(
    api, personas, two, monkeypatch
):
    # The control for the test above: the same interleaving without the advisory
    # lock loses A's row, so the lock (not luck) is what the test above observes.
    monkeypatch.setattr("contracts.feed._lock_feed", lambda: None)
    client = api(personas.admin)
    _, cursor = drain(client)
    errors: list = []
    inserted, release = threading.Event(), threading.Event()
    slow = threading.Thread(
        target=_hold_feed_row, args=(two.mine.pk, inserted, release, errors)
    )
    slow.start()
    assert inserted.wait(10)
    with transaction.atomic():  # B commits first, with the higher id
        contract_touch(Contract.objects.get(pk=two.other.pk), "api_test_fast")
    seen = page(client, cursor)
    release.set()
    slow.join(10)
    later = page(client, seen["next_cursor"])
    assert not errors, errors
    assert [r["action"] for r in seen["results"]] == ["api_test_fast"]
    assert later["results"] == []  # A's row (a lower id) is behind the cursor
    assert ContractFeedEntry.objects.filter(action="api_test_slow").exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_poller_sees_every_change_once_under_concurrent_writes(
    api, personas, cw, orgs, vendors
):
    # given: four contracts, one writer thread each; writer 0 always sleeps after its
    # feed insert before committing, the others do some work before their insert
    contracts = [make_contract(cw.award, personas)]
    for i in range(3):
        award = final_award(
            buyer=orgs.s1,
            vendor=vendors.own,
            items=cw.items,
            communities=cw.communities,
            code=f"CG-S1-C{i}",
        )
        contracts.append(make_contract(award, personas))
    client = api(personas.admin)
    _, start = drain(client)
    writes_per_thread = 12
    errors: list = []
    stop = threading.Event()

    def writer(n, contract_pk):
        rng = random.Random(n)
        try:
            for _ in range(writes_per_thread):
                with transaction.atomic():
                    if n:
                        time.sleep(rng.uniform(0, 0.004))
                    contract_touch(Contract.objects.get(pk=contract_pk), f"api_w{n}")
                    time.sleep(0.02 if n == 0 else rng.uniform(0, 0.002))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    seen: list[dict] = []

    def poller():
        cursor = start
        try:
            while True:
                finished = stop.is_set()
                body = page(client, cursor, limit=5)
                seen.extend(body["results"])
                cursor = body["next_cursor"]
                if finished and not body["results"]:
                    return
                time.sleep(0.003)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    # when
    writers = [
        threading.Thread(target=writer, args=(n, c.pk)) for n, c in enumerate(contracts)
    ]
    reader = threading.Thread(target=poller)
    reader.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    stop.set()
    reader.join(60)
    # then: the union of the pages is every row written, each once, in id order
    assert not errors, errors
    ids = [r["id"] for r in seen]
    assert len(ids) == len(set(ids)), "a row was read twice"
    assert ids == sorted(ids)
    written = list(
        ContractFeedEntry.objects.filter(id__gt=int(start))
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert len(written) == 4 * writes_per_thread
    assert ids == written, "a row was missed"
