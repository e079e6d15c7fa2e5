"""Reminders of missed deadlines after signing (TL-14 publication within 2 working
days, TL-15 filing within 7): the street's officers hear of it the day after."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Notification
from contracts import services
from tests.contracts.conftest import make_final_award

pytestmark = pytest.mark.django_db

NOTICE = dt.date(2026, 11, 2)
FRIDAY = dt.date(2026, 11, 20)  # publication due Tue 11-24, filing due Tue 12-01


@pytest.fixture
def signed(cworld, orgs, personas):
    """A contract of 簇锦街道 signed on Friday 2026-11-20."""
    award = make_final_award(
        buyer=orgs.s1,
        vendor=cworld.vendor,
        items=cworld.items,
        communities=cworld.communities,
        code="CG-2026-201",
        notice_day=NOTICE,
    )
    c = services.contract_create_from_award(
        award=award,
        actor=personas.officer,
        start_on="2026-11-23",
        end_on="2027-11-22",
    )
    c = services.contract_sign_vendor(contract=c, actor=personas.vendor)
    c = services.contract_countersign(
        contract=c, actor=personas.officer, signed_on=FRIDAY
    )
    assert (c.publish_due, c.file_due) == (dt.date(2026, 11, 24), dt.date(2026, 12, 1))
    return c


def _notes(user):
    return list(Notification.objects.filter(user=user, verb="contract_deadline_missed"))


def test_the_day_after_a_missed_publication_the_streets_officers_are_told(
    signed, personas
):
    # given the contract is not published by its due day (Tuesday 11-24)
    # when the reminders run on Wednesday
    n = services.contract_deadlines_notify(on=dt.date(2026, 11, 25))
    # then the contract is reported to the street's officer, naming it and 公开
    assert n == 1
    (note,) = _notes(personas.officer)
    assert signed.code in note.title
    assert "公开" in note.title
    assert "备案" not in note.title
    assert note.link == signed.get_absolute_url()
    # and not to another street's officer, another district, or the vendor
    assert _notes(personas.other_officer) == []
    assert _notes(personas.outsider) == []
    assert _notes(personas.vendor) == []


def test_nothing_on_the_due_day_itself(signed, personas):
    # when the reminders run on the due day
    n = services.contract_deadlines_notify(on=dt.date(2026, 11, 24))
    # then nothing is reported yet
    assert n == 0
    assert not Notification.objects.exists()


def test_nothing_when_published_in_time(signed, personas):
    # given the contract was published on Monday
    services.contract_record_publication(
        contract=signed, actor=personas.officer, published_on="2026-11-23"
    )
    # when the reminders run the day after the due day
    n = services.contract_deadlines_notify(on=dt.date(2026, 11, 25))
    # then nothing is reported
    assert n == 0
    assert not Notification.objects.exists()


def test_a_missed_filing_is_reported_the_day_after(signed, personas):
    # given the contract was published but not filed by Tuesday 12-01
    services.contract_record_publication(
        contract=signed, actor=personas.officer, published_on="2026-11-23"
    )
    # when the reminders run on Wednesday 12-02
    n = services.contract_deadlines_notify(on=dt.date(2026, 12, 2))
    # then the filing is reported
    assert n == 1
    (note,) = _notes(personas.officer)
    assert "备案" in note.title
    assert "公开" not in note.title


def test_a_missed_signing_is_reported_while_unsigned(cworld, orgs, personas):
    # given a draft of an award noticed on 2026-11-02 (signing due 2026-12-02), and
    # another award's contract already in force
    award = make_final_award(
        buyer=orgs.s1,
        vendor=cworld.vendor,
        items=cworld.items,
        communities=cworld.communities,
        code="CG-2026-202",
        notice_day=NOTICE,
    )
    draft = services.contract_create_from_award(award=award, actor=personas.officer)
    assert draft.sign_due == dt.date(2026, 12, 2)
    # when the reminders run the day after
    n = services.contract_deadlines_notify(on=dt.date(2026, 12, 3))
    # then the draft is reported for its signature
    assert n == 1
    (note,) = _notes(personas.officer)
    assert draft.code in note.title
    assert "签订" in note.title
    # when the vendor has signed but the street has not
    Notification.objects.all().delete()
    services.contract_sign_vendor(contract=draft, actor=personas.vendor)
    # then it is still reported
    assert services.contract_deadlines_notify(on=dt.date(2026, 12, 3)) == 1
