"""The admission list (准入名单): proposals from the grades, publicity with objections,
publication with cooling-off dates on the vendors' register, appeals within their
window, and an elimination drafting the re-tender of exactly the work it leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

import assessments.admission as adm
import assessments.services as asvc
from assessments.choices import EntryStatus, ListStatus, ObjectionStatus
from assessments.models import AdmissionEntry, AdmissionList
from catalogue.rules import add_working_days
from contracts.models import Contract
from core.exceptions import Conflict, NotPermitted, ValidationFailed
from core.models import AuditEvent
from procurement.models import ProcurementProject
from tests.assessments.test_services import _score_all
from tests.contracts.conftest import *  # noqa: F403
from vendors.models import VendorStanding
from vendors.selectors import bixuan_bar_reason

pytestmark = pytest.mark.django_db

YEAR = 2026


def _graded(rnd, personas, orgs, points):
    """Score the round with every group giving `points` (one resident)."""
    _score_all(rnd, personas, orgs, points, points, [points], points)
    (result,) = asvc.round_score(round=rnd, actor=personas.officer)
    return result


def _published(rnd, personas, orgs, points=50):
    result = _graded(rnd, personas, orgs, points)
    today = timezone.localdate()
    alist = adm.admission_list_build(
        actor=personas.admin, district=orgs.d1, year=YEAR, on=today
    )
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=alist, on=today
    )
    alist = adm.admission_list_publish(
        actor=personas.admin,
        admission_list=alist,
        on=alist.publicity_end + dt.timedelta(days=1),
    )
    return result, alist, alist.entries.get()


@pytest.mark.parametrize(
    ("points", "standing"), [(50, "eliminate"), (70, "warn"), (85, "keep")]
)
def test_the_year_grades_propose_each_standing(rnd, personas, orgs, points, standing):
    # given: a round scored 差 / 中 / 良
    result = _graded(rnd, personas, orgs, points)
    # when: the district's administrator drafts the year's list
    alist = adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    # then: the organisation is proposed with the standing its grade gives, the
    # grade kept beside it
    (entry,) = alist.entries.all()
    assert entry.vendor_id == result.vendor_id
    assert entry.proposed == standing
    assert entry.grades[0]["grade"] == result.grade
    assert entry.grades[0]["total"] == str(result.total)
    assert alist.status == ListStatus.DRAFT


def test_no_graded_result_that_year_is_refused_by_field(rnd, personas, orgs):
    with pytest.raises(ValidationFailed) as exc:
        adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    assert "year" in exc.value.fields
    assert not AdmissionList.objects.exists()


def test_only_the_districts_administrator_runs_the_list(rnd, personas, orgs):
    _graded(rnd, personas, orgs, 50)
    for who in (personas.officer, personas.vendor, personas.outsider):
        with pytest.raises(NotPermitted):
            adm.admission_list_build(actor=who, district=orgs.d1, year=YEAR)


def test_publicity_runs_for_the_rules_working_days_and_tells_the_vendor(
    rnd, personas, orgs
):
    _graded(rnd, personas, orgs, 50)
    alist = adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    day = dt.date(2026, 12, 1)
    # when: publicised on 1 December
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=alist, on=day
    )
    # then: open for the Wuhou rule's 5 working days, and the vendor is told
    assert alist.status == ListStatus.PUBLICITY
    assert alist.publicity_end == add_working_days(day, 5)
    assert personas.vendor.notifications.filter(verb="admission_publicity").exists()


def test_an_objection_after_publicity_is_refused_with_the_date(rnd, personas, orgs):
    _graded(rnd, personas, orgs, 50)
    alist = adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    day = dt.date(2026, 12, 1)
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=alist, on=day
    )
    entry = alist.entries.get()
    with pytest.raises(Conflict) as exc:
        adm.admission_entry_object(
            actor=personas.vendor,
            entry=entry,
            text="考核期间社区换届，评价人不熟悉项目。",
            on=alist.publicity_end + dt.timedelta(days=1),
        )
    assert alist.publicity_end.isoformat() in str(exc.value)
    assert not entry.objections.exists()
    # and: another organisation's staff may not object for it
    with pytest.raises(NotPermitted):
        adm.admission_entry_object(
            actor=personas.officer, entry=entry, text="理由", on=day
        )


def test_an_upheld_objection_changes_the_proposal_and_publication_waits(
    rnd, personas, orgs
):
    _graded(rnd, personas, orgs, 50)
    alist = adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    day = dt.date(2026, 12, 1)
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=alist, on=day
    )
    entry = alist.entries.get()
    objection = adm.admission_entry_object(
        actor=personas.vendor, entry=entry, text="居民问卷样本不足。", on=day
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.OBJECTED
    after = alist.publicity_end + dt.timedelta(days=1)
    # when: publishing with the objection open → refused
    with pytest.raises(Conflict) as exc:
        adm.admission_list_publish(actor=personas.admin, admission_list=alist, on=after)
    assert exc.value.code == "objections_open"
    # and: an upheld objection must name the new standing
    with pytest.raises(ValidationFailed) as exc2:
        adm.admission_objection_decide(
            actor=personas.admin, objection=objection, upheld=True, decision="成立"
        )
    assert "standing" in exc2.value.fields
    adm.admission_objection_decide(
        actor=personas.admin,
        objection=objection,
        upheld=True,
        decision="样本确实不足，改为警示并限期整改。",
        standing="warn",
        on=after,
    )
    # then: published with the changed standing
    alist = adm.admission_list_publish(
        actor=personas.admin, admission_list=alist, on=after
    )
    entry.refresh_from_db()
    assert (entry.standing, entry.status, entry.cooling_off_until) == (
        "warn",
        EntryStatus.DECIDED,
        None,
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD


def test_publication_before_publicity_ends_is_refused(rnd, personas, orgs):
    _graded(rnd, personas, orgs, 50)
    alist = adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    day = dt.date(2026, 12, 1)
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=alist, on=day
    )
    with pytest.raises(Conflict) as exc:
        adm.admission_list_publish(
            actor=personas.admin, admission_list=alist, on=alist.publicity_end
        )
    assert exc.value.code == "publicity_running"
    alist.refresh_from_db()
    assert alist.status == ListStatus.PUBLICITY


def test_an_elimination_bars_bixuan_invitations_until_the_cooling_off_date(
    rnd, personas, orgs
):
    result, alist, entry = _published(rnd, personas, orgs)
    # then: eliminated, barred from 比选 for the Wuhou rule's 2 years
    entry.refresh_from_db()
    assert entry.standing == "eliminate"
    # and: the list decided the elimination proposal, which is closed
    (proposal,) = result.consequences.filter(kind="elimination_proposal")
    assert proposal.status == "closed"
    assert entry.cooling_off_until == alist.published_on.replace(
        year=alist.published_on.year + 2
    )
    standing = VendorStanding.objects.get(vendor_id=result.vendor_id)
    assert standing.standing == "eliminate"
    vendor = result.vendor
    assert bixuan_bar_reason(vendor, orgs.d1, alist.published_on)
    assert not bixuan_bar_reason(vendor, orgs.d1, entry.cooling_off_until)
    # and: no bar in another district
    assert not bixuan_bar_reason(vendor, orgs.d2, alist.published_on)


def test_an_appeal_after_its_window_is_refused_and_an_upheld_one_lifts_the_bar(
    rnd, personas, orgs
):
    result, alist, entry = _published(rnd, personas, orgs)
    late = alist.appeal_until + dt.timedelta(days=1)
    with pytest.raises(Conflict) as exc:
        adm.admission_entry_object(
            actor=personas.vendor, entry=entry, text="申诉理由", on=late
        )
    assert exc.value.code == "window_closed"
    assert alist.appeal_until.isoformat() in str(exc.value)
    # when: appealed in time and upheld
    appeal = adm.admission_entry_object(
        actor=personas.vendor,
        entry=entry,
        text="差评来自一名已调离的科室人员。",
        on=alist.published_on,
    )
    adm.admission_objection_decide(
        actor=personas.admin,
        objection=appeal,
        upheld=True,
        decision="复核后改为警示。",
        standing="warn",
        on=alist.published_on,
    )
    # then: the register says warn and the 比选 bar is gone
    entry.refresh_from_db()
    assert (entry.standing, entry.cooling_off_until) == ("warn", None)
    assert VendorStanding.objects.get(vendor_id=result.vendor_id).standing == "warn"
    assert not bixuan_bar_reason(result.vendor, orgs.d1, alist.published_on)


def test_an_elimination_drafts_the_retender_of_exactly_its_work(rnd, personas, orgs):
    result, alist, entry = _published(rnd, personas, orgs)
    contract = result.contract
    held = {
        (ci.item.code, ci.community_id)
        for ci in contract.items.select_related("item")
        if ci.active
    }
    ends = timezone.localdate() + dt.timedelta(days=20)
    # when: the administrator handles the elimination: terminate, interim cover
    (project,) = adm.admission_eliminate(
        actor=personas.admin,
        entry=entry,
        ending="terminate",
        ends_on=ends,
        interim_arrangement="由街道社区服务中心临时承担，至新合同开始。",
    )
    # then: a draft project of the same street replaces this organisation
    assert project.status == "draft"
    assert project.buyer_id == contract.buyer_id
    assert project.replaces_contract_of_id == result.vendor_id
    drafted = {
        (li.item.code, c.pk)
        for lot in project.lots.all()
        for li in lot.items.select_related("item")
        for c in lot.communities.all()
    }
    assert drafted == held
    # and: the contract is terminated for elimination on the chosen date
    contract.refresh_from_db()
    assert contract.status == "terminated"
    assert contract.termination_kind == "elimination"
    entry.refresh_from_db()
    assert entry.interim_arrangement.startswith("由街道社区服务中心")
    assert list(entry.retenders.all()) == [project]
    assert AuditEvent.objects.filter(action="assessments.eliminate").exists()
    # and: it is done once
    with pytest.raises(Conflict):
        adm.admission_eliminate(
            actor=personas.admin,
            entry=entry,
            ending="terminate",
            ends_on=ends,
            interim_arrangement="再来一次",
        )


def test_an_elimination_without_interim_cover_leaves_nothing(rnd, personas, orgs):
    result, alist, entry = _published(rnd, personas, orgs)
    before = ProcurementProject.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        adm.admission_eliminate(
            actor=personas.admin,
            entry=entry,
            ending="terminate",
            ends_on="2026-13-40",
            interim_arrangement=" ",
        )
    assert {"interim_arrangement", "ends_on"} <= set(exc.value.fields)
    assert ProcurementProject.objects.count() == before
    assert Contract.objects.get(pk=result.contract_id).status == "active"
    entry.refresh_from_db()
    assert entry.ending == ""


def test_a_contract_left_to_expire_keeps_running(rnd, personas, orgs):
    result, alist, entry = _published(rnd, personas, orgs)
    contract = result.contract
    (project,) = adm.admission_eliminate(
        actor=personas.admin,
        entry=entry,
        ending="expire",
        ends_on="",
        interim_arrangement="原合同到期前仍由该组织提供服务。",
    )
    contract.refresh_from_db()
    assert contract.status == "active"
    entry.refresh_from_db()
    assert entry.ends_on == contract.end_on
    # a date after the contract's end is refused
    AdmissionEntry.objects.filter(pk=entry.pk).update(ending="")
    with pytest.raises(ValidationFailed) as exc:
        adm.admission_eliminate(
            actor=personas.admin,
            entry=entry,
            ending="expire",
            ends_on=contract.end_on + dt.timedelta(days=1),
            interim_arrangement="x",
        )
    assert "ends_on" in exc.value.fields


def test_a_kept_organisation_cannot_be_eliminated(rnd, personas, orgs):
    _result, _alist, entry = _published(rnd, personas, orgs, points=90)
    assert entry.standing == "keep"
    with pytest.raises(Conflict):
        adm.admission_eliminate(
            actor=personas.admin,
            entry=entry,
            ending="terminate",
            ends_on=timezone.localdate(),
            interim_arrangement="x",
        )


def test_deciding_with_nothing_open_is_refused_by_state_not_by_a_crash(
    rnd, personas, orgs
):
    _graded(rnd, personas, orgs, 50)
    alist = adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    entry = alist.entries.get()
    with pytest.raises(Conflict) as exc:
        adm.admission_entry_decide(
            actor=personas.admin, entry=entry, upheld=False, decision="无"
        )
    assert exc.value.code == "nothing_open"
    # and: someone who may not decide hears that first
    with pytest.raises(NotPermitted):
        adm.admission_entry_decide(
            actor=personas.vendor, entry=entry, upheld=False, decision="无"
        )


def test_publication_tells_each_organisation_its_own_standing(rnd, personas, orgs):
    _result, _alist, _entry = _published(rnd, personas, orgs)
    (note,) = personas.vendor.notifications.filter(verb="admission_published")
    assert "淘汰" in note.body
