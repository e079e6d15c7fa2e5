"""The incubation pipeline: 申请 → 评估 → 入驻 → 孵化 → 出壳 → 跟踪, and a forced exit."""

import datetime as dt

import pytest
from django.urls import reverse

from core.exceptions import NotPermitted, TransitionNotAllowed, ValidationFailed
from core.models import AuditEvent
from vendors import incubation as svc
from vendors.choices import ApplicationStatus as S
from vendors.models import IncubationApplication, Vendor
from vendors.workflows import TRANSITIONS, transition_decision

from ..factories import valid_uscc

GOOD = {"public_benefit": 80, "local_need": 75, "team": 70, "plan": 65}
CHECKLIST = {
    "governance": True,
    "own_finances": True,
    "fulltime_staff": 3,
    "flagship_months": 8,
    "score": 86,
}


def _to(app, status, actor):
    """Drive an application to `status` through the services."""
    order = [
        S.APPLIED,
        S.ADMITTED,
        S.MOVED_IN,
        S.INCUBATING,
        S.GRADUATED,
        S.TRACKING,
        S.CLOSED,
    ]
    for step in order[order.index(app.status) + 1 :]:
        if app.status == status:
            return app
        if step == S.ADMITTED:
            app = svc.incubation_admit(actor=actor, application=app, scores=GOOD)
        elif step == S.MOVED_IN:
            app = svc.incubation_move_in(
                actor=actor,
                application=app,
                agreement_no="WHFH-1",
                seat="A-01",
                start_date=dt.date(2026, 1, 31),
            )
        elif step == S.INCUBATING:
            app = svc.incubation_start(actor=actor, application=app)
        elif step == S.GRADUATED:
            app = svc.incubation_graduate(
                actor=actor, application=app, checklist=CHECKLIST
            )
        elif step == S.TRACKING:
            app = svc.incubation_track(actor=actor, application=app)
        elif step == S.CLOSED:
            app = svc.incubation_close(actor=actor, application=app)
    return app


@pytest.mark.parametrize(
    "status",
    [
        S.APPLIED,
        S.ADMITTED,
        S.MOVED_IN,
        S.INCUBATING,
        S.GRADUATED,
        S.TRACKING,
        S.CLOSED,
    ],
)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_status_and_action(status, action, incubation, personas):
    # given: an application at `status`
    app = _to(incubation.app, status, personas.officer)
    # when / then: the officer may run exactly the transitions that start there;
    # the vendor's own staff and other districts never may
    expected = status in TRANSITIONS[action].sources
    assert bool(transition_decision(personas.officer, app, action)) is expected
    assert not transition_decision(personas.vendor, app, action)
    assert not transition_decision(personas.outsider, app, action)


def test_whole_path_with_dates_from_rule_parameters_and_an_event_per_step(
    incubation, personas
):
    app = _to(incubation.app, S.INCUBATING, personas.officer)
    # 12 months from 31 January is 31 January; the period comes from incubation.period.months
    assert app.planned_end == dt.date(2027, 1, 31)
    app = svc.incubation_extend(actor=personas.officer, application=app)
    assert app.planned_end == dt.date(
        2028, 1, 31
    )  # extended once, to the 24-month maximum
    with pytest.raises(TransitionNotAllowed):
        svc.incubation_extend(actor=personas.officer, application=app)
    app = _to(app, S.CLOSED, personas.officer)
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(app.pk), action__startswith="incubation."
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "incubation.admit",
        "incubation.move_in",
        "incubation.start",
        "incubation.extend",
        "incubation.graduate",
        "incubation.track",
        "incubation.close",
    ]


def test_admission_below_the_pass_mark_is_refused(incubation, personas):
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_admit(
            actor=personas.officer,
            application=incubation.app,
            scores=dict.fromkeys(GOOD, 50),
        )
    assert "加权总分 50.0 低于合格线 60" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_admit(
            actor=personas.officer,
            application=incubation.app,
            scores={**GOOD, "plan": 120, "luck": 90},
        )
    assert set(exc.value.fields) == {"scores.plan", "scores"}
    assert IncubationApplication.objects.get(pk=incubation.app.pk).status == S.APPLIED


def test_rejection_and_exit_need_a_reason(incubation, personas):
    with pytest.raises(ValidationFailed):
        svc.incubation_reject(
            actor=personas.officer, application=incubation.app, reason=""
        )
    with pytest.raises(ValidationFailed):
        svc.incubation_force_exit(
            actor=personas.officer, application=incubation.app, reason=" "
        )
    app = svc.incubation_force_exit(
        actor=personas.officer, application=incubation.app, reason="连续半年未开展活动"
    )
    assert app.status == S.EXITED
    with pytest.raises(TransitionNotAllowed):
        svc.incubation_force_exit(
            actor=personas.officer, application=app, reason="again"
        )


def test_a_taken_seat_and_a_full_centre_are_refused(incubation, personas, vendors):
    first = _to(incubation.app, S.MOVED_IN, personas.officer)
    second = IncubationApplication.objects.create(
        round=incubation.round,
        team_name="第二个团队",
        purpose="x",
        service_plan="y",
        core_members=incubation.members,
    )
    second = svc.incubation_admit(
        actor=personas.officer, application=second, scores=GOOD
    )
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_move_in(
            actor=personas.officer,
            application=second,
            agreement_no="2",
            seat=first.seat,
            start_date=dt.date(2026, 2, 1),
        )
    assert "已有组织入驻" in exc.value.fields["seat"][0]
    svc.incubation_move_in(
        actor=personas.officer,
        application=second,
        agreement_no="2",
        seat="A-02",
        start_date=dt.date(2026, 2, 1),
    )
    third = IncubationApplication.objects.create(
        round=incubation.round,
        team_name="第三个团队",
        purpose="x",
        service_plan="y",
        core_members=incubation.members,
    )
    third = svc.incubation_admit(actor=personas.officer, application=third, scores=GOOD)
    with pytest.raises(ValidationFailed) as exc:  # the centre has 2 seats
        svc.incubation_move_in(
            actor=personas.officer,
            application=third,
            agreement_no="3",
            seat="A-03",
            start_date=dt.date(2026, 2, 1),
        )
    assert "已满" in exc.value.fields["seat"][0]


def test_graduation_names_every_unmet_criterion(incubation, personas):
    app = _to(incubation.app, S.INCUBATING, personas.officer)
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_graduate(
            actor=personas.officer,
            application=app,
            checklist={
                "governance": False,
                "own_finances": False,
                "fulltime_staff": 1,
                "flagship_months": 3,
                "score": 70,
            },
        )
    assert set(exc.value.fields) == {
        "governance",
        "own_finances",
        "fulltime_staff",
        "flagship_months",
        "score",
    }
    assert all("INC-08" in m for ms in exc.value.fields.values() for m in ms)
    assert IncubationApplication.objects.get(pk=app.pk).status == S.INCUBATING


def test_a_team_graduates_into_the_supplier_register(incubation, personas, orgs):
    # given: a founding team, not yet registered, through to incubation
    team = IncubationApplication.objects.create(
        round=incubation.round,
        team_name="铁佛邻里服务社",
        purpose="x",
        service_plan="y",
        core_members=incubation.members,
    )
    team = _to(team, S.INCUBATING, personas.officer)
    # when: it graduates with its registration
    registration = {
        "org_type": "social_service_agency",
        "uscc": valid_uscc(880001),
        "registration_date": "2026-01-15",
        "legal_representative": "张华",
    }
    team = svc.incubation_graduate(
        actor=personas.officer,
        application=team,
        checklist=CHECKLIST,
        registration=registration,
    )
    # then: it is an active supplier, linked to its incubation history
    vendor = Vendor.objects.get(uscc=registration["uscc"])
    assert vendor.name == "铁佛邻里服务社"
    assert team.vendor == vendor
    assert vendor.organisation.parent == orgs.d1


def test_applying_needs_enough_core_members_and_an_open_intake(
    incubation, personas, vendors
):
    data = {
        "team_name": "新团队",
        "purpose": "x",
        "service_plan": "y",
        "core_members": incubation.members[:2],
    }
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_apply(actor=personas.officer, round=incubation.round, data=data)
    assert "core_members" in exc.value.fields
    data["core_members"] = incubation.members
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_apply(
            actor=personas.officer,
            round=incubation.round,
            data=data,
            on=incubation.round.closes_on + dt.timedelta(days=1),
        )
    assert "round" in exc.value.fields
    # another vendor's staff cannot apply in its name
    with pytest.raises(NotPermitted):
        svc.incubation_apply(
            actor=personas.vendor,
            round=incubation.round,
            data={**data, "vendor": vendors.other},
        )


def test_two_officers_admitting_at_once_only_one_wins(incubation, personas):
    # given: both loaded the application while it was 'applied'
    stale = IncubationApplication.objects.get(pk=incubation.app.pk)
    svc.incubation_admit(
        actor=personas.officer, application=incubation.app, scores=GOOD
    )
    # when / then: the second, from its stale copy, is refused under the row lock
    with pytest.raises(TransitionNotAllowed):
        svc.incubation_reject(actor=personas.admin, application=stale, reason="不同意")
    assert IncubationApplication.objects.get(pk=stale.pk).status == S.ADMITTED
    assert (
        AuditEvent.objects.filter(
            object_id=str(stale.pk),
            action__in=["incubation.admit", "incubation.reject"],
        ).count()
        == 1
    )


def test_logs_only_in_steps_that_keep_them(incubation, personas):
    with pytest.raises(ValidationFailed):
        svc.incubation_log_add(
            actor=personas.officer,
            application=incubation.app,
            kind="mentoring",
            date=dt.date(2026, 2, 1),
            note="辅导",
        )
    app = _to(incubation.app, S.INCUBATING, personas.officer)
    svc.incubation_log_add(
        actor=personas.officer,
        application=app,
        kind="mentoring",
        date=dt.date(2026, 2, 1),
        note="财务制度辅导",
    )
    with pytest.raises(ValidationFailed):  # visits belong to the follow-up period
        svc.incubation_log_add(
            actor=personas.officer,
            application=app,
            kind="visit",
            date=dt.date(2026, 2, 2),
            note="回访",
        )
    assert app.logs.count() == 1


def test_board_detail_and_form_actions_in_html(incubation, personas, web):
    client = web(personas.officer)
    board = client.get(reverse("vendors:incubation-board")).content.decode()
    assert 'data-step="applied"' in board
    assert incubation.app.display_name in board
    # bad scores: the page says why and keeps the status
    url = reverse("vendors:incubation-action", args=[incubation.app.pk, "admit"])
    response = client.post(url, {f"score_{k}": 30 for k in GOOD})
    assert response.status_code == 400
    assert "低于合格线" in response.content.decode()
    # good scores: admitted, and the vendor's page shows the history
    assert (
        client.post(url, {f"score_{k}": v for k, v in GOOD.items()}).status_code == 302
    )
    page = client.get(
        reverse("vendors:vendor-detail", args=[incubation.app.vendor_id])
    ).content.decode()
    assert 'id="incubation-history"' in page
    assert "评估通过" in page


def test_api_actions_and_allowed_actions(incubation, personas, api):
    url = reverse("api:incubation-application-detail", args=[incubation.app.pk])
    assert set(api(personas.officer).get(url).json()["allowed_actions"]) == {
        "admit",
        "reject",
        "force_exit",
    }
    assert api(personas.vendor).get(url).json()["allowed_actions"] == []
    response = api(personas.officer).post(
        reverse("api:incubation-application-admit", args=[incubation.app.pk]),
        {"scores": GOOD},
        format="json",
    )
    assert response.json()["status"] == "admitted"
    again = api(personas.officer).post(
        reverse("api:incubation-application-admit", args=[incubation.app.pk]),
        {"scores": GOOD},
        format="json",
    )
    assert again.status_code == 409


def test_incubator_operator_and_staff_are_recorded_as_ties_of_the_incubated(
    incubation, personas, vendors, web
):
    from vendors.selectors import incubation_ties, vendors_incubated_by

    # given: the centre is run by another vendor, with named staff
    incubation.centre.operator = vendors.other
    incubation.centre.staff = [{"name": "邓晓燕", "role": "中心主任"}]
    incubation.centre.save()
    # then: the incubated vendor is tied to the operator and the staff …
    ties = incubation_ties(vendors.own)
    assert ties == [
        {
            "centre": "测试孵化中心",
            "operator": vendors.other.name,
            "operator_id": vendors.other.pk,
            "staff": ["邓晓燕"],
            "status": "applied",
        }
    ]
    # … the operator knows whom it incubated, and both pages say so
    assert list(vendors_incubated_by(vendors.other)) == [vendors.own]
    page = (
        web(personas.officer)
        .get(reverse("vendors:vendor-detail", args=[vendors.other.pk]))
        .content.decode()
    )
    assert vendors.own.name in page.split('id="conflicts"')[1]
