"""The bid register and evaluation spreadsheets: sealed until the opening."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from .conftest import PRICES


def _cells(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _bid_three(flow, world):
    flow.create()
    flow.announce()
    for v, price in zip(world.bidders[:3], PRICES, strict=True):
        flow.bid(v, price)


def test_register_before_opening_lists_who_and_when_only(flow, world, personas):
    _bid_three(flow, world)
    rows = _cells(
        _client(personas.officer).get(
            reverse("procurement:bids-export", args=[flow.project.pk])
        )
    )
    assert rows[0] == ["投标人", "递交时间", "状态"]
    assert {r[0] for r in rows[1:]} == {v.organisation.name for v in world.bidders[:3]}
    flat = " ".join(str(c) for r in rows for c in r)
    for price in PRICES:
        assert str(int(price)) not in flat


def test_register_after_opening_has_prices_and_qualification(flow, world, personas):
    _bid_three(flow, world)
    flow.open()
    flow.qualify_all(failing=[world.bidders[2]])
    rows = _cells(
        _client(personas.officer).get(
            reverse("procurement:bids-export", args=[flow.project.pk])
        )
    )
    by_vendor = {r[0]: r for r in rows[1:]}
    own = by_vendor[world.bidders[0].organisation.name]
    assert own[3] == float(PRICES[0])
    assert own[5] == "通过"
    failed = by_vendor[world.bidders[2].organisation.name]
    assert failed[5] == "未通过"
    assert "无固定场所" in failed[6]


def test_evaluation_export_ranks_each_lot(flow, world, personas):
    _bid_three(flow, world)
    flow.committee()
    flow.open()
    flow.qualify_all()
    flow.score_all()
    rows = _cells(
        _client(personas.officer).get(
            reverse("procurement:evaluation-export", args=[flow.project.pk])
        )
    )
    assert rows[0][:3] == ["包号", "名次", "投标人"]
    assert [r[1] for r in rows[1:]] == [1, 2, 3]
    assert rows[1][2] == world.bidders[1].organisation.name  # the lowest price
    assert rows[1][5] == 30.0
