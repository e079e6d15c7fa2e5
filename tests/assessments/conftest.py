"""Assessments test world: the contracts fixtures, a plan over one active contract of
street S1 (the district's default dimensions and rater weights), and its 年度 round."""

from __future__ import annotations

import pytest

import assessments.services as asvc
from tests.contracts.conftest import *  # noqa: F403

# The four first-level indicators of the default plan (决策 / 过程 / 产出 / 效益).
FOUR = ("1", "2", "3", "4")


def all_(points) -> dict:
    """The same points on every indicator."""
    return dict.fromkeys(FOUR, points)


@pytest.fixture
def plan(make_contract, personas, orgs):
    contract = make_contract()
    p = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="2026年度社区公共服务绩效考核",
        year=2026,
        period_kind="year",
        contracts=[contract],
    )
    p.contract = contract
    return p


@pytest.fixture
def rnd(plan, personas):
    r = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    r.contract = plan.contract
    return r
