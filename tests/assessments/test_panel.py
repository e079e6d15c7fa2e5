"""A plan's expert panel (issue #7 §3, seed 001): the buyer's officer seats experts
and peer reviewers from the pool, nobody tied to an assessed organisation sits, each
member declares (no conflict, or a conflict and recuses), the panel's composition
follows the rule parameters (odd size, the target numbers), and expert cards are
accepted only from declared members of a valid panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

import assessments.services as asvc
from accounts.choices import Role
from assessments import panel
from assessments.choices import PanelRole, RaterKind
from assessments.models import PanelMember, Scorecard
from catalogue.models import RuleParameter
from core.events import audit_events_for
from core.exceptions import Conflict, NotPermitted, ValidationFailed
from tests.assessments.conftest import all_  # noqa: E402
from tests.contracts.conftest import *  # noqa: F403
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def seat_panel(plan, officer, first=None):
    """A valid panel for `plan` (three experts and two peers of the pool, as the
    test districts' rule parameters ask), every member declared free of conflict;
    `first` (e.g. the `expert` persona) is one of the experts."""
    pool = list(panel.panel_pool(plan))
    if first is not None:
        pool = [first] + [u for u in pool if u.pk != first.pk]
    roles = [PanelRole.EXPERT] * 3 + [PanelRole.PEER] * 2
    members = []
    for user, role in zip(pool, roles, strict=False):
        m = panel.panel_member_add(actor=officer, plan=plan, user=user, role=role)
        panel.panel_declare(actor=user, member=m, no_conflict=True)
        members.append(m)
    assert len(members) == 5, "the pool has fewer than five experts"
    return members


@pytest.fixture
def pplan(make_contract, personas, orgs):
    """A plan of S1 scored by an expert panel alone (the final report), with an
    open round."""
    contract = make_contract()
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="末期评估",
        year=2026,
        period_kind="year",
        contracts=[contract],
        groups=[{"kind": "expert_panel", "weight": 100, "replaces": True}],
    )
    plan.contract = contract
    plan.round = asvc.round_open(
        plan=plan,
        actor=personas.officer,
        label="末期",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    return plan


def pool_user(orgs, username, *, vendor_org=None):
    user = user_with_role(Role.EXPERT, orgs.pool, username=username)
    if vendor_org is not None:
        from accounts.models import Membership

        Membership.objects.create(
            user=user, organisation=vendor_org, role=Role.VENDOR_STAFF
        )
    return user


def incubated_by(vendor, orgs, staff_account):
    """The vendor moved into a centre of D1 whose staff includes `staff_account`."""
    from vendors.choices import ApplicationStatus
    from vendors.models import IncubationApplication, IncubationCentre, IntakeRound

    centre = IncubationCentre.objects.create(region=orgs.d1, name="簇锦孵化园", seats=2)
    centre.staff_accounts.set([staff_account])
    today = dt.date.today()
    intake = IntakeRound.objects.create(
        centre=centre,
        name="第一期",
        opens_on=today - dt.timedelta(days=30),
        closes_on=today - dt.timedelta(days=1),
    )
    IncubationApplication.objects.create(
        round=intake,
        vendor=vendor,
        purpose="社区服务",
        service_plan="计划",
        core_members=[],
        status=ApplicationStatus.MOVED_IN,
    )
    return centre


def submit_expert_card(plan, actor, points=88):
    return asvc.scorecard_submit(
        round=plan.round, actor=actor, contract=plan.contract, answers=all_(points)
    )


# --- seating ------------------------------------------------------------------------


def test_the_officer_seats_experts_and_peers_until_the_panel_is_complete(
    pplan, personas
):
    # given: an empty panel falls short of the plan's target composition
    problems = panel.panel_check(pplan)
    assert "评审组尚无成员。" in problems
    assert any("评审专家 3 名，现有 0 名" in p for p in problems)
    assert any("同行评议人 2 名，现有 0 名" in p for p in problems)
    # when: three experts and two peers are seated
    members = seat_panel(pplan, personas.officer, personas.expert)
    # then: the panel is complete, and each seat was recorded by whom
    assert panel.panel_check(pplan) == []
    assert sorted(m.role for m in PanelMember.objects.filter(plan=pplan)) == [
        "expert",
        "expert",
        "expert",
        "peer",
        "peer",
    ]
    events = list(audit_events_for(members[0]).order_by("pk"))
    assert [e.action for e in events] == [
        "assessments.panel_member_add",
        "assessments.panel_declare",
    ]
    assert events[0].actor == personas.officer
    assert events[0].scope == pplan.buyer.path


def test_the_panel_size_must_be_odd_when_the_rule_says_so(pplan, personas, orgs):
    # given: a district whose targets are two experts and two peers
    RuleParameter.objects.filter(
        key__in=["assessment.panel.expert_count", "assessment.panel.peer_count"],
        jurisdiction=orgs.d1,
    ).update(value=2)
    pool = list(panel.panel_pool(pplan))
    for user, role in zip(pool, ["expert", "expert", "peer", "peer"], strict=False):
        panel.panel_member_add(actor=personas.officer, plan=pplan, user=user, role=role)
    # then: four members meet the targets but are an even number
    assert panel.panel_check(pplan) == ["评审组成员（不含回避者）应为单数，现有 4 人。"]
    # when: the district's own parameter lifts the odd-size rule
    RuleParameter.objects.create(
        key="committee.odd_size_required",
        jurisdiction=orgs.d1,
        valid_from=dt.date(2000, 1, 1),
        value_type="boolean",
        value=False,
    )
    # then: nothing is wrong any more
    assert panel.panel_check(pplan) == []


def test_a_recused_member_does_not_count(pplan, personas):
    members = seat_panel(pplan, personas.officer)
    # when: a sixth member is seated and recuses
    extra = [
        u for u in panel.panel_pool(pplan) if u.pk not in {m.user_id for m in members}
    ][0]
    m = panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=extra, role="expert"
    )
    assert any("单数，现有 6 人" in p for p in panel.panel_check(pplan))
    panel.panel_declare(actor=extra, member=m, no_conflict=False, note="曾任其理事")
    # then: five seated members remain, an odd number
    assert panel.panel_check(pplan) == []


def test_who_may_not_sit_is_refused_with_the_reason(pplan, personas, orgs):
    vendor = pplan.contract.vendor
    # a user outside the pool
    with pytest.raises(ValidationFailed) as outside:
        panel.panel_member_add(
            actor=personas.officer, plan=pplan, user=personas.dept, role="expert"
        )
    assert "专家库" in str(outside.value.fields["user"][0])
    # staff of the assessed organisation, though in the pool
    staff = pool_user(orgs, "vendor_expert", vendor_org=vendor.organisation)
    with pytest.raises(ValidationFailed) as own_staff:
        panel.panel_member_add(
            actor=personas.officer, plan=pplan, user=staff, role="peer"
        )
    assert vendor.organisation.name in str(own_staff.value.fields["user"][0])
    assert "COM-08" in str(own_staff.value.fields["user"][0])
    # a staff member of the centre that incubated it
    mentor = pool_user(orgs, "mentor")
    incubated_by(vendor, orgs, mentor)
    with pytest.raises(ValidationFailed) as tie:
        panel.panel_member_add(
            actor=personas.officer, plan=pplan, user=mentor, role="expert"
        )
    assert "簇锦孵化园" in str(tie.value.fields["user"][0])
    assert "INC-09" in str(tie.value.fields["user"][0])
    # someone already seated
    panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=personas.expert, role="expert"
    )
    with pytest.raises(ValidationFailed) as twice:
        panel.panel_member_add(
            actor=personas.officer, plan=pplan, user=personas.expert, role="peer"
        )
    assert "已在评审组中" in str(twice.value.fields["user"][0])
    # an unknown role
    with pytest.raises(ValidationFailed) as role:
        panel.panel_member_add(
            actor=personas.officer, plan=pplan, user=pool_user(orgs, "x"), role="chair"
        )
    assert "role" in role.value.fields
    # then: only the one seat exists
    assert PanelMember.objects.filter(plan=pplan).count() == 1


def test_only_the_buyer_seats_and_only_a_plan_with_a_panel(pplan, personas, orgs):
    for actor in (personas.other_officer, personas.expert, personas.dept):
        with pytest.raises(NotPermitted):
            panel.panel_member_add(
                actor=actor, plan=pplan, user=personas.expert, role="expert"
            )
    # a plan with the default rater groups has no expert panel
    plan = asvc.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="年度考核",
        year=2026,
        period_kind="year",
        contracts=[pplan.contract],
    )
    with pytest.raises(Conflict):
        panel.panel_member_add(
            actor=personas.officer, plan=plan, user=personas.expert, role="expert"
        )
    assert not PanelMember.objects.exists()


def test_a_member_is_removed_until_they_score(pplan, personas):
    members = seat_panel(pplan, personas.officer, personas.expert)
    spare = members[-1]
    # when: a member who has not scored is removed
    panel.panel_member_remove(actor=personas.officer, member=spare)
    # then: the seat is gone, and the plan's timeline says so
    assert not PanelMember.objects.filter(pk=spare.pk).exists()
    assert (
        audit_events_for(pplan)
        .filter(action="assessments.panel_member_remove", payload__user=spare.user_id)
        .exists()
    )
    # given: the panel complete again, and the expert has scored
    again = panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=spare.user, role=spare.role
    )
    panel.panel_declare(actor=spare.user, member=again, no_conflict=True)
    submit_expert_card(pplan, personas.expert)
    # then: the expert may not be removed; and nobody but the buyer removes
    with pytest.raises(Conflict):
        panel.panel_member_remove(actor=personas.officer, member=members[0])
    with pytest.raises(NotPermitted):
        panel.panel_member_remove(actor=personas.expert, member=again)
    assert PanelMember.objects.filter(plan=pplan).count() == 5


# --- declarations --------------------------------------------------------------------


def test_declarations_are_the_members_own_and_made_once(pplan, personas, orgs):
    m = panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=personas.expert, role="expert"
    )
    # nobody declares for another
    with pytest.raises(NotPermitted):
        panel.panel_declare(actor=personas.officer, member=m, no_conflict=True)
    # a conflict must be described
    with pytest.raises(ValidationFailed) as bare:
        panel.panel_declare(actor=personas.expert, member=m, no_conflict=False)
    assert "note" in bare.value.fields
    # when: the member declares a conflict
    panel.panel_declare(
        actor=personas.expert, member=m, no_conflict=False, note="配偶在该机构任职"
    )
    # then: they recuse, once and for all
    m.refresh_from_db()
    assert (m.recused, m.no_conflict, m.conflict_note) == (
        True,
        False,
        "配偶在该机构任职",
    )
    assert m.declared_at is not None
    with pytest.raises(Conflict):
        panel.panel_declare(actor=personas.expert, member=m, no_conflict=True)
    event = audit_events_for(m).get(action="assessments.panel_declare")
    assert event.to_state == "recused"


def test_no_conflict_cannot_be_declared_over_a_tie_on_record(pplan, personas, orgs):
    # given: a seated expert, and then the vendor moves into a centre they staff
    m = panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=personas.expert, role="expert"
    )
    incubated_by(pplan.contract.vendor, orgs, personas.expert)
    # when: they declare no conflict
    with pytest.raises(ValidationFailed) as refused:
        panel.panel_declare(actor=personas.expert, member=m, no_conflict=True)
    # then: the tie is named, and nothing is declared
    assert "INC-09" in str(refused.value.fields["no_conflict"][0])
    m.refresh_from_db()
    assert m.declared_at is None


# --- expert cards ---------------------------------------------------------------------


def test_expert_cards_wait_for_a_valid_panel(pplan, personas):
    # a pool expert who is not on the panel
    with pytest.raises(NotPermitted):
        submit_expert_card(pplan, personas.expert)
    # on the panel, not yet declared
    m = panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=personas.expert, role="expert"
    )
    with pytest.raises(NotPermitted):
        submit_expert_card(pplan, personas.expert)
    # declared, but the panel has one member of five
    panel.panel_declare(actor=personas.expert, member=m, no_conflict=True)
    with pytest.raises(Conflict) as incomplete:
        submit_expert_card(pplan, personas.expert)
    assert "评审专家 3 名，现有 1 名" in str(incomplete.value.message)
    assert not Scorecard.objects.exists()
    # when: the panel is completed
    others = [u for u in panel.panel_pool(pplan) if u.pk != personas.expert.pk][:4]
    for user, role in zip(others, ["expert", "expert", "peer", "peer"], strict=False):
        seat = panel.panel_member_add(
            actor=personas.officer, plan=pplan, user=user, role=role
        )
        panel.panel_declare(actor=user, member=seat, no_conflict=True)
    # then: the expert's card is the panel's
    card = submit_expert_card(pplan, personas.expert)
    assert card.group == RaterKind.EXPERT_PANEL
    # and a peer reviewer scores too
    assert submit_expert_card(pplan, others[-1]).group == RaterKind.EXPERT_PANEL


def test_a_recused_member_does_not_score(pplan, personas):
    members = seat_panel(pplan, personas.officer, personas.expert)
    seated = {m.user_id for m in members}
    recusing = next(u for u in panel.panel_pool(pplan) if u.pk not in seated)
    # given: a sixth member who declares a conflict (the panel stays at five)
    m = panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=recusing, role="peer"
    )
    panel.panel_declare(actor=recusing, member=m, no_conflict=False, note="曾任理事")
    # then: the panel is valid, and the recused member is refused
    assert panel.panel_check(pplan) == []
    with pytest.raises(NotPermitted) as refused:
        submit_expert_card(pplan, recusing)
    assert refused.value.code == "panel_recused"
    assert submit_expert_card(pplan, personas.expert).group == RaterKind.EXPERT_PANEL


# --- pages ---------------------------------------------------------------------------


def panel_url(plan):
    return reverse("assessments_panel:panel", args=[plan.pk])


def test_the_panel_page_shows_targets_problems_and_what_experts_score(
    pplan, personas, web
):
    client = web(personas.officer)
    body = client.get(panel_url(pplan)).content.decode()
    # the target composition, the problems, the four aspects and the indicators
    assert "目标组成" in body
    assert "本方案的目标组成为评审专家 3 名，现有 0 名。" in body
    for aspect in ("目标完成", "指标达成", "资金使用", "完成情况"):
        assert aspect in body
    assert 'data-indicator="1"' in body
    # the plan page links here
    detail = client.get(reverse("assessments:plan-detail", args=[pplan.pk]))
    assert panel_url(pplan) in detail.content.decode()
    # when: the officer adds the expert
    response = client.post(
        panel_url(pplan), {"user": personas.expert.pk, "role": "expert"}
    )
    assert response.status_code == 302
    body = client.get(panel_url(pplan)).content.decode()
    assert f'data-member="{PanelMember.objects.get().pk}"' in body
    assert "未声明" in body


def test_the_panel_page_keeps_a_refused_choice_with_its_reason(pplan, personas, web):
    client = web(personas.officer)
    client.post(panel_url(pplan), {"user": personas.expert.pk, "role": "expert"})
    response = client.post(
        panel_url(pplan), {"user": personas.expert.pk, "role": "peer"}
    )
    assert response.status_code == 400
    assert "已在评审组中" in response.content.decode()
    # and the wrong people are turned away
    assert (
        web(personas.dept)
        .post(panel_url(pplan), {"user": personas.expert.pk, "role": "expert"})
        .status_code
        == 403
    )
    assert web(personas.other_officer).get(panel_url(pplan)).status_code == 404


def test_the_member_declares_on_their_page(pplan, personas, web):
    m = panel.panel_member_add(
        actor=personas.officer, plan=pplan, user=personas.expert, role="expert"
    )
    client = web(personas.expert)
    url = reverse("assessments_panel:member-declare", args=[m.pk])
    # the expert's seats list the pending declaration
    seats = client.get(reverse("assessments_panel:my-seats")).content.decode()
    assert url in seats
    assert "待声明" in seats
    # the page shows the plan, its contracts and the assessed organisation
    body = client.get(url).content.decode()
    assert pplan.name in body
    assert pplan.contract.code in body
    assert pplan.contract.vendor.organisation.name in body
    # a conflict without a word is sent back
    bare = client.post(url, {"decision": "conflict", "note": ""})
    assert bare.status_code == 400
    assert "请说明存在的利害关系" in bare.content.decode()
    # when: the expert declares no conflict
    assert client.post(url, {"decision": "no_conflict"}).status_code == 302
    m.refresh_from_db()
    assert m.no_conflict
    assert not m.recused
    # then: the page no longer offers the form; a second POST is a conflict
    assert 'id="declare-form"' not in client.get(url).content.decode()
    assert client.post(url, {"decision": "no_conflict"}).status_code == 409
    # the officer reads the page but cannot declare for the member
    assert web(personas.officer).get(url).status_code == 200
    assert web(personas.officer).post(url, {"decision": "conflict"}).status_code == 403
    assert web(personas.vendor).get(url).status_code == 404


# --- API -----------------------------------------------------------------------------

PANEL_API = reverse("api:assessment-panel-list")


def test_api_seats_declares_and_removes(pplan, personas, api):
    officer = api(personas.officer)
    # field errors: missing and bad input, a user outside the pool
    missing = officer.post(PANEL_API, {"plan": pplan.pk}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) >= {"user", "role"}
    outside = officer.post(
        PANEL_API,
        {"plan": pplan.pk, "user": personas.dept.pk, "role": "expert"},
        format="json",
    )
    assert outside.status_code == 400
    assert "专家库" in outside.json()["fields"]["user"][0]
    # when: the officer seats the expert
    created = officer.post(
        PANEL_API,
        {"plan": pplan.pk, "user": personas.expert.pk, "role": "expert"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    member_id = created.json()["id"]
    # then: the check names what is missing
    check = officer.get(reverse("api:assessment-panel-check") + f"?plan={pplan.pk}")
    assert check.json()["target_experts"] == 3
    assert check.json()["odd_size_required"] is True
    assert any("同行评议人 2 名" in p for p in check.json()["problems"])
    # the expert sees their seat and declares; a bare conflict is a field error
    expert = api(personas.expert)
    assert [r["id"] for r in expert.get(PANEL_API).json()["results"]] == [member_id]
    declare = reverse("api:assessment-panel-declare", args=[member_id])
    bad = expert.post(declare, {"no_conflict": False}, format="json")
    assert bad.status_code == 400
    assert "note" in bad.json()["fields"]
    assert expert.post(declare, {}, format="json").json()["fields"]["no_conflict"]
    ok = expert.post(declare, {"no_conflict": True}, format="json")
    assert ok.status_code == 200
    assert ok.json()["no_conflict"] is True
    assert officer.post(declare, {"no_conflict": True}, format="json").status_code == (
        403
    )
    # the officer removes the member
    detail = reverse("api:assessment-panel-detail", args=[member_id])
    assert expert.delete(detail).status_code == 403
    assert officer.delete(detail).status_code == 204
    assert not PanelMember.objects.exists()
    # another street sees nothing of it
    assert api(personas.other_officer).get(PANEL_API).json()["results"] == []
