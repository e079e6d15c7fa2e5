"""Acceptance per period: one certificate line per contracted item (ACC-01), the
service recipients' opinions (ACC-02), the published result (DIS-12), and the
tranches that wait for it (ACC-04)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contracts import services
from core.exceptions import (
    Conflict,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from tests.contracts.conftest import STANDARD_PLAN, events, tranche

pytestmark = pytest.mark.django_db

RESIDENT = {"source": "resident", "name": "居民王某", "opinion": "走访及时"}


def _open(c, actor, label="中期"):
    return services.acceptance_create(
        contract=c,
        actor=actor,
        period_label=label,
        period_start=c.start_on,
        period_end=timezone.localdate(),
    )


def _record(acc, actor, results=None, opinions=None, passed=True, **kw):
    results = results or {}
    return services.acceptance_record(
        acceptance=acc,
        actor=actor,
        standards=[
            {"item": s["item"], "result": results.get(s["item"], "met")}
            for s in acc.standards
            if results.get(s["item"], "met") is not None
        ],
        opinions=[RESIDENT] if opinions is None else opinions,
        conclusion=kw.get("conclusion", "服务达到合同要求"),
        passed=passed,
        accepted_on=kw.get("accepted_on", timezone.localdate()),
    )


def test_create_prefills_one_standard_per_contracted_item(make_contract, personas):
    # given a contract of three items in two communities
    c = make_contract(tranches=STANDARD_PLAN)
    # when the officer opens the midterm acceptance
    acc = _open(c, personas.officer)
    # then there is one line per item (not per community), with its standard, empty
    assert [s["item"] for s in acc.standards] == ["A03-01", "A03-05", "A03-06"]
    assert all(s["standard"] == "每月走访一次" for s in acc.standards)
    assert all(s["result"] == "" for s in acc.standards)
    assert acc.status == "draft"
    # and the midterm tranche now names it, the final one does not
    assert tranche(c, "midterm").acceptance_id == acc.pk
    assert tranche(c, "final").acceptance_id is None
    assert len(events(acc, "contracts.acceptance_create")) == 1


def test_a_period_has_one_acceptance(make_contract, personas):
    c = make_contract()
    _open(c, personas.officer)
    with pytest.raises(ValidationFailed) as exc:
        _open(c, personas.officer)
    assert list(exc.value.fields) == ["period_label"]


def test_only_the_buyer_organises_acceptance(make_contract, personas):
    c = make_contract()
    with pytest.raises(NotPermitted):
        _open(c, personas.vendor)
    with pytest.raises(NotPermitted):
        _open(c, personas.community)
    assert not c.acceptances.exists()


def test_a_draft_contract_has_no_acceptance(make_contract, personas):
    c = make_contract(status="draft")
    with pytest.raises(TransitionNotAllowed):
        _open(c, personas.officer)


def test_record_needs_a_result_for_every_standard(make_contract, personas):
    # given an open acceptance with three lines
    c = make_contract()
    acc = _open(c, personas.officer)
    # when the result of the second line (A03-05) is left out
    with pytest.raises(ValidationFailed) as exc:
        _record(acc, personas.officer, results={"A03-05": None})
    # then that line is named, and the acceptance is still open
    assert list(exc.value.fields) == ["standards.2.result"]
    acc.refresh_from_db()
    assert acc.status == "draft"
    # and an unknown result is refused the same way
    with pytest.raises(ValidationFailed) as exc:
        _record(acc, personas.officer, results={"A03-06": "great"})
    assert list(exc.value.fields) == ["standards.3.result"]


@pytest.mark.parametrize(
    "opinions",
    [
        [],
        [{"source": "third_party", "name": "评估机构", "opinion": "合格"}],
        [{"source": "other_bidder", "name": "某中心", "opinion": "合格"}],
    ],
)
def test_record_needs_a_service_recipients_opinion(opinions, make_contract, personas):
    # given an open acceptance
    c = make_contract()
    acc = _open(c, personas.officer)
    # when no resident or resident unit gave an opinion
    with pytest.raises(ValidationFailed) as exc:
        _record(acc, personas.officer, opinions=opinions)
    # then it is refused (ACC-02)
    assert "ACC-02" in str(exc.value.fields["opinions"][0])
    acc.refresh_from_db()
    assert acc.status == "draft"


def test_a_resident_units_opinion_is_enough(make_contract, personas):
    c = make_contract()
    acc = _open(c, personas.officer)
    acc = _record(
        acc,
        personas.officer,
        opinions=[{"source": "resident_unit", "name": "簇锦小学", "opinion": "满意"}],
    )
    assert acc.status == "passed"


def test_an_opinion_needs_its_text_and_source(make_contract, personas):
    c = make_contract()
    acc = _open(c, personas.officer)
    with pytest.raises(ValidationFailed) as exc:
        _record(
            acc,
            personas.officer,
            opinions=[RESIDENT, {"source": "alien", "name": "x", "opinion": " "}],
        )
    assert set(exc.value.fields) == {"opinions.2.source", "opinions.2.opinion"}


def test_a_standard_not_met_cannot_pass(make_contract, personas):
    # given an open acceptance
    c = make_contract()
    acc = _open(c, personas.officer)
    # when A03-06 was not met and the officer marks it passed
    with pytest.raises(ValidationFailed) as exc:
        _record(acc, personas.officer, results={"A03-06": "not_met"})
    # then the pass is refused
    assert list(exc.value.fields) == ["passed"]
    # and partly met is not a reason to refuse a pass
    acc = _record(acc, personas.officer, results={"A03-06": "partly"})
    assert acc.status == "passed"


def test_a_failed_acceptance_with_a_standard_not_met(make_contract, personas):
    # given the midterm acceptance
    c = make_contract(tranches=STANDARD_PLAN)
    acc = _open(c, personas.officer)
    # when it is recorded as failed
    acc = _record(acc, personas.officer, results={"A03-06": "not_met"}, passed=False)
    # then it is failed, with the lines kept, and it cannot be recorded again
    assert acc.status == "failed"
    assert [s["result"] for s in acc.standards] == ["met", "met", "not_met"]
    with pytest.raises(Conflict):
        _record(acc, personas.officer)
    # and the midterm tranche still cannot be asked for
    with pytest.raises(TransitionNotAllowed):
        services.payment_tranche_request(
            tranche=tranche(c, "midterm"), actor=personas.vendor
        )


def test_a_passed_acceptance_unblocks_its_periods_tranche(make_contract, personas):
    # given the midterm acceptance opened but not recorded
    c = make_contract(tranches=STANDARD_PLAN)
    acc = _open(c, personas.officer)
    with pytest.raises(TransitionNotAllowed):
        services.payment_tranche_request(
            tranche=tranche(c, "midterm"), actor=personas.vendor
        )
    # when it is recorded as passed
    acc = _record(acc, personas.officer)
    # then the midterm tranche may be asked for, and the final one still may not
    t = services.payment_tranche_request(
        tranche=tranche(c, "midterm"), actor=personas.vendor
    )
    assert t.status == "requested"
    assert t.acceptance_id == acc.pk
    with pytest.raises(TransitionNotAllowed):
        services.payment_tranche_request(
            tranche=tranche(c, "final"), actor=personas.vendor
        )
    (ev,) = events(acc, "contracts.acceptance_record")
    assert (ev.from_state, ev.to_state) == ("draft", "passed")
    assert ev.payload["met"] == 3


def test_acceptance_date_cannot_be_in_the_future(make_contract, personas):
    c = make_contract()
    acc = _open(c, personas.officer)
    with pytest.raises(ValidationFailed) as exc:
        _record(
            acc,
            personas.officer,
            accepted_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert list(exc.value.fields) == ["accepted_on"]


def test_publish_date_rules(make_contract, personas):
    # given an acceptance opened but not recorded
    c = make_contract()
    acc = _open(c, personas.officer)
    today = timezone.localdate()
    # when its result is published before there is one
    # then it is refused
    with pytest.raises(Conflict):
        services.acceptance_publish(
            acceptance=acc, actor=personas.officer, published_on=today
        )
    # given it was accepted three days ago
    acc = _record(acc, personas.officer, accepted_on=today - dt.timedelta(days=3))
    # when the publication is dated before the acceptance or in the future
    for day in (today - dt.timedelta(days=4), today + dt.timedelta(days=1)):
        with pytest.raises(ValidationFailed) as exc:
            services.acceptance_publish(
                acceptance=acc, actor=personas.officer, published_on=day
            )
        # then the date is refused
        assert list(exc.value.fields) == ["published_on"]
    # when it is published on the day of acceptance
    acc = services.acceptance_publish(
        acceptance=acc,
        actor=personas.officer,
        published_on=today - dt.timedelta(days=3),
    )
    # then the date is kept, once
    assert acc.published_on == today - dt.timedelta(days=3)
    with pytest.raises(Conflict):
        services.acceptance_publish(
            acceptance=acc, actor=personas.officer, published_on=today
        )
    assert len(events(acc, "contracts.acceptance_publish")) == 1
    # and the vendor cannot publish
    with pytest.raises(NotPermitted):
        services.acceptance_publish(
            acceptance=acc, actor=personas.vendor, published_on=today
        )
