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


def _panel(app, actor, scores=GOOD, reviewers=("何志明", "梁晓红")):
    """The panel's sheets (the fixture's minimum panel is 2)."""
    for reviewer in reviewers:
        svc.incubation_review_record(
            actor=actor, application=app, reviewer=reviewer, scores=scores
        )


def _admit(app, actor):
    _panel(app, actor)
    return svc.incubation_admit(actor=actor, application=app)


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
            app = _admit(app, actor)
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
        "incubation.review",
        "incubation.review",
        "incubation.admit",
        "incubation.move_in",
        "incubation.start",
        "incubation.extend",
        "incubation.graduate",
        "incubation.track",
        "incubation.close",
    ]


def test_admission_needs_the_panel_minimum_and_a_passing_mean(incubation, personas):
    # given: one sheet of the two the region requires
    _panel(incubation.app, personas.officer, reviewers=("何志明",))
    # when / then: admitting is refused and says how many sheets are missing
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_admit(actor=personas.officer, application=incubation.app)
    assert "至少需要 2 名评审人评分，现有 1 份" in exc.value.fields["reviews"][0]
    # given: a second, low sheet brings the mean under the pass mark (60)
    _panel(
        incubation.app,
        personas.officer,
        scores=dict.fromkeys(GOOD, 30),
        reviewers=("梁晓红",),
    )
    # when / then: refused with the mean: (73.25 + 30) / 2 = 51.625, shown 51.62
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_admit(actor=personas.officer, application=incubation.app)
    assert "评审平均分 51.62 低于合格线 60" in str(exc.value.message)
    assert IncubationApplication.objects.get(pk=incubation.app.pk).status == S.APPLIED


def test_a_sheet_is_weighted_by_the_rule_parameter_criteria(incubation, personas):
    # when: a member scores 80/75/70/65 with weights 30/25/25/20
    sheet = svc.incubation_review_record(
        actor=personas.officer,
        application=incubation.app,
        reviewer="何志明",
        scores=GOOD,
    )
    # then: 80×0.30 + 75×0.25 + 70×0.25 + 65×0.20 = 73.25
    assert float(sheet.total) == 73.25
    assert sheet.weights == {
        "public_benefit": 30,
        "local_need": 25,
        "team": 25,
        "plan": 20,
    }
    assert AuditEvent.objects.filter(
        action="incubation.review", object_id=str(incubation.app.pk)
    ).exists()


def test_bad_sheets_are_refused_with_their_reasons(incubation, personas):
    # an out-of-range score, an unknown criterion and a missing one
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_review_record(
            actor=personas.officer,
            application=incubation.app,
            reviewer="何志明",
            scores={"public_benefit": 80, "local_need": 75, "plan": 120, "luck": 9},
        )
    assert set(exc.value.fields) == {"scores.plan", "scores.team", "scores"}
    # no reviewer named
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_review_record(
            actor=personas.officer, application=incubation.app, scores=GOOD
        )
    assert "reviewer" in exc.value.fields
    # a core member of the team judges their own application
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_review_record(
            actor=personas.officer,
            application=incubation.app,
            reviewer="张华",
            scores=GOOD,
        )
    assert "回避" in exc.value.fields["reviewer"][0]
    # the same reviewer twice
    _panel(incubation.app, personas.officer, reviewers=("何志明",))
    with pytest.raises(ValidationFailed) as exc:
        _panel(incubation.app, personas.officer, reviewers=("何志明",))
    assert "已为该申请评分" in exc.value.fields["reviewer"][0]
    assert incubation.app.reviews.count() == 1


def test_an_expert_scores_under_their_own_name_and_sees_only_what_awaits_them(
    incubation, personas
):
    # when: an expert of the district scores, naming somebody else
    sheet = svc.incubation_review_record(
        actor=personas.expert,
        application=incubation.app,
        reviewer="别人",
        scores=GOOD,
    )
    # then: the sheet is theirs
    assert sheet.reviewer == str(personas.expert)
    assert sheet.reviewer_account == personas.expert
    # and they see the applications awaiting the panel in their district only
    visible = IncubationApplication.objects.visible_to(personas.expert, "view")
    assert list(visible) == [incubation.app]
    # but they cannot decide
    assert not transition_decision(personas.expert, incubation.app, "admit")


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
    second = _admit(second, personas.officer)
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
    third = _admit(third, personas.officer)
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
    # an organisation of another district's register cannot apply here
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_apply(
            actor=personas.officer,
            round=incubation.round,
            data={**data, "vendor": vendors.outside},
        )
    assert "不在本区" in exc.value.fields["vendor"][0]
    # another vendor's staff cannot apply in its name
    with pytest.raises(NotPermitted):
        svc.incubation_apply(
            actor=personas.vendor,
            round=incubation.round,
            data={**data, "vendor": vendors.other},
        )


def test_two_officers_admitting_at_once_only_one_wins(incubation, personas):
    # given: both loaded the application while it was 'applied'
    _panel(incubation.app, personas.officer)
    stale = IncubationApplication.objects.get(pk=incubation.app.pk)
    svc.incubation_admit(actor=personas.officer, application=incubation.app)
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
    assert incubation.other.display_name not in board  # another district's
    review = reverse("vendors:incubation-action", args=[incubation.app.pk, "review"])
    # a bad sheet: the page says which score is wrong and records nothing
    response = client.post(
        review, {"reviewer": "何志明", **{f"score_{k}": 130 for k in GOOD}}
    )
    assert response.status_code == 400
    body = response.content.decode()
    # each criterion named as the user reads it, and what was typed kept
    assert "<strong>公益性</strong>：分数应在 0 到 100 之间" in body
    assert 'name="score_team" min="0" max="100" step="0.5" value="130"' in body
    assert incubation.app.reviews.count() == 0
    # reloading the refused page lands on the application, not an error
    assert client.get(review)["Location"] == incubation.app.get_absolute_url()
    # two good sheets, then admit
    for reviewer in ("何志明", "梁晓红"):
        response = client.post(
            review, {"reviewer": reviewer, **{f"score_{k}": v for k, v in GOOD.items()}}
        )
        assert response.status_code == 302
    admit = reverse("vendors:incubation-action", args=[incubation.app.pk, "admit"])
    assert client.post(admit, {"comment": "同意入驻"}).status_code == 302
    detail = client.get(
        reverse("vendors:incubation-detail", args=[incubation.app.pk])
    ).content.decode()
    assert 'data-status="admitted"' in detail
    assert 'id="review-mean"' in detail
    # and the vendor's page shows the history
    page = client.get(
        reverse("vendors:vendor-detail", args=[incubation.app.vendor_id])
    ).content.decode()
    assert 'id="incubation-history"' in page
    assert "评估通过" in page


def test_board_filters_by_step_and_name(incubation, personas, web):
    second = IncubationApplication.objects.create(
        round=incubation.round,
        team_name="望江邻里互助社",
        purpose="x",
        service_plan="y",
        core_members=incubation.members,
    )
    _admit(second, personas.officer)
    client = web(personas.officer)
    board = client.get(
        reverse("vendors:incubation-board"), {"status": "admitted"}
    ).content.decode()
    assert "望江邻里互助社" in board
    assert incubation.app.display_name not in board
    board = client.get(
        reverse("vendors:incubation-board"), {"q": "望江"}
    ).content.decode()
    assert "望江邻里互助社" in board
    assert incubation.app.display_name not in board


def test_the_applicant_sees_decisions_but_not_the_panel_sheets(
    incubation, personas, web, api
):
    # given: admitted by a panel with comments
    app = _admit(incubation.app, personas.officer)
    # when: the vendor's staff open their application
    page = web(personas.vendor).get(app.get_absolute_url()).content.decode()
    body = api(personas.vendor).get(
        reverse("api:incubation-application-detail", args=[app.pk])
    )
    # then: the result and mean, not who scored what, and no actions
    assert 'id="assessment-result"' in page
    assert 'id="reviews"' not in page
    assert "何志明" not in page
    assert 'id="actions"' not in page
    assert body.json()["reviews"] == []
    assert body.json()["assessment"]["mean"] == 73.25
    # and they were told
    from accounts.models import Notification

    assert Notification.objects.filter(
        user=personas.vendor, verb="incubation_decided"
    ).exists()


def test_a_vendor_applies_for_its_own_organisation_in_the_portal(
    incubation, personas, vendors, web
):
    # given: the vendor's earlier application ended
    svc.incubation_reject(
        actor=personas.officer, application=incubation.app, reason="材料不全"
    )
    client = web(personas.vendor)
    page = client.get(
        reverse("vendors:vendor-detail", args=[vendors.own.pk])
    ).content.decode()
    assert 'id="apply-incubation"' in page
    form = client.get(reverse("vendors:incubation-apply")).content.decode()
    assert 'name="team_name"' not in form  # the organisation is theirs, fixed
    # when: too few core members
    data = {
        "round": incubation.round.pk,
        "purpose": "为铁佛社区老年人提供助餐和探访",
        "service_plan": "每周三次助餐，每月一次入户探访",
        "core_members": "张华，铁佛社区综合协管员\n李娜，社区志愿者",
    }
    response = client.post(reverse("vendors:incubation-apply"), data)
    # then: the page says why and nothing is saved
    assert response.status_code == 400
    assert "核心成员至少 3 人" in response.content.decode()
    assert vendors.own.incubations.count() == 1
    # when: a third member is added
    data["core_members"] += "\n王强，社区社工"
    response = client.post(reverse("vendors:incubation-apply"), data)
    # then: the application is the vendor's own, awaiting the panel
    assert response.status_code == 302
    app = vendors.own.incubations.get(status=S.APPLIED)
    assert app.core_members[0] == {
        "name": "张华",
        "former_post": "铁佛社区综合协管员",
    }
    page = client.get(
        reverse("vendors:vendor-detail", args=[vendors.own.pk])
    ).content.decode()
    assert 'id="apply-incubation"' not in page  # one open application at a time


def test_api_review_admit_and_allowed_actions(incubation, personas, api):
    url = reverse("api:incubation-application-detail", args=[incubation.app.pk])
    assert set(api(personas.officer).get(url).json()["allowed_actions"]) == {
        "review",
        "admit",
        "reject",
        "force_exit",
    }
    assert api(personas.vendor).get(url).json()["allowed_actions"] == []
    assert api(personas.expert).get(url).json()["allowed_actions"] == ["review"]
    review = reverse("api:incubation-application-review", args=[incubation.app.pk])
    bad = api(personas.officer).post(
        review, {"reviewer": "何志明", "scores": {**GOOD, "plan": 101}}, format="json"
    )
    assert bad.status_code == 400
    assert "scores.plan" in bad.json()["fields"]
    for who in ("何志明", "梁晓红"):
        sheet = api(personas.officer).post(
            review, {"reviewer": who, "scores": GOOD}, format="json"
        )
        assert sheet.status_code == 201
        assert sheet.json()["total"] == "73.25"
    admit = reverse("api:incubation-application-admit", args=[incubation.app.pk])
    response = api(personas.officer).post(admit, {"comment": "同意"}, format="json")
    assert response.json()["status"] == "admitted"
    assert response.json()["assessment"]["mean"] == 73.25
    again = api(personas.officer).post(admit, {}, format="json")
    assert again.status_code == 409


def test_centre_set_up_changed_and_audited(incubation, personas, vendors, orgs):
    # when: the centre's fields are wrong
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_centre_save(
            actor=personas.officer,
            data={
                "region": orgs.s1,
                "name": "测试孵化中心",
                "operator": vendors.outside,
                "staff": [{"name": " "}],
                "seats": -1,
            },
        )
    # then: a blank staff name, an operator of another district, negative seats
    assert set(exc.value.fields) == {"operator", "staff.0", "seats"}
    centre = svc.incubation_centre_save(
        actor=personas.officer,
        data={
            "region": orgs.s1,
            "name": "簇锦街道社区社会组织孵化园",
            "operator": vendors.other,
            "staff": [{"name": "罗建", "role": "项目督导"}],
            "staff_accounts": [personas.dept],
            "seats": 8,
            "rooms": 2,
        },
    )
    assert centre.region == orgs.s1
    assert list(centre.staff_accounts.all()) == [personas.dept]
    # a duplicate name in the same region is refused
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_centre_save(
            actor=personas.officer,
            data={"region": orgs.s1, "name": "簇锦街道社区社会组织孵化园"},
        )
    assert "同名" in exc.value.fields["name"][0]
    # fewer seats than organisations moved in is refused
    _to(incubation.app, S.MOVED_IN, personas.officer)
    with pytest.raises(ValidationFailed) as exc:
        svc.incubation_centre_save(
            actor=personas.officer,
            centre=incubation.centre,
            data={"name": incubation.centre.name, "seats": 0},
        )
    assert "已有 1 个组织" in exc.value.fields["seats"][0]
    # another district's admin may not touch it
    with pytest.raises(NotPermitted):
        svc.incubation_centre_save(
            actor=personas.outsider,
            centre=centre,
            data={"name": "改名"},
        )
    centre = svc.incubation_centre_save(
        actor=personas.officer,
        centre=centre,
        data={"name": centre.name, "seats": 10, "rooms": 2, "operator": None},
    )
    event = AuditEvent.objects.filter(action="incubation.centre_update").get()
    assert event.payload["seats"] == [8, 10]
    assert event.payload["operator"] == [vendors.other.pk, None]


def test_intake_rounds_need_a_name_and_a_window_that_closes_after_it_opens(
    incubation, personas
):
    with pytest.raises(ValidationFailed) as exc:
        svc.intake_round_create(
            actor=personas.officer,
            centre=incubation.centre,
            name=incubation.round.name,
            opens_on=dt.date(2026, 3, 1),
            closes_on=dt.date(2026, 2, 1),
        )
    assert set(exc.value.fields) == {"name", "closes_on"}
    intake = svc.intake_round_create(
        actor=personas.officer,
        centre=incubation.centre,
        name="2027年第1批",
        opens_on=dt.date(2027, 1, 4),
        closes_on=dt.date(2027, 2, 26),
        description="面向初创期社区社会组织",
    )
    assert intake.centre == incubation.centre
    with pytest.raises(NotPermitted):
        svc.intake_round_create(
            actor=personas.vendor,
            centre=incubation.centre,
            name="x",
            opens_on=dt.date(2027, 1, 4),
            closes_on=dt.date(2027, 2, 26),
        )


def test_centre_pages_and_api(incubation, personas, vendors, orgs, web, api):
    client = web(personas.officer)
    # the form refuses a bad window and keeps what was typed
    url = reverse("vendors:incubation-centre", args=[incubation.centre.pk])
    response = client.post(
        url,
        {"name": "2027年第1批", "opens_on": "2027-03-01", "closes_on": "2027-01-01"},
    )
    assert response.status_code == 400
    assert "截止受理日期不能早于开始受理日期" in response.content.decode()
    assert (
        client.post(
            url,
            {
                "name": "2027年第1批",
                "opens_on": "2027-01-04",
                "closes_on": "2027-02-26",
            },
        ).status_code
        == 302
    )
    assert "2027年第1批" in client.get(url).content.decode()
    # the centre form, in HTML
    response = client.post(
        reverse("vendors:incubation-centre-create"),
        {
            "region": orgs.s1.pk,
            "name": "簇锦街道孵化园",
            "staff": "罗建，项目督导\n邓晓燕，中心主任",
            "seats": 6,
            "rooms": 1,
        },
    )
    assert response.status_code == 302
    from vendors.models import IncubationCentre

    created = IncubationCentre.objects.get(name="簇锦街道孵化园")
    assert created.staff[1] == {"name": "邓晓燕", "role": "中心主任"}
    # the API: create, change, open a round
    body = api(personas.officer).post(
        reverse("api:incubation-centre-list"),
        {
            "region": "D1",
            "name": "测试区一第二孵化中心",
            "seats": 4,
            "staff": [{"name": "罗建", "role": "督导"}],
            "address": "武侯大道1号",
        },
        format="json",
    )
    assert body.status_code == 201, body.content
    pk = body.json()["id"]
    patched = api(personas.officer).patch(
        reverse("api:incubation-centre-detail", args=[pk]),
        {"seats": 12, "staff_accounts": [personas.dept.username]},
        format="json",
    )
    assert patched.json()["seats"] == 12
    assert patched.json()["staff_accounts"] == [personas.dept.username]
    # what the PATCH left out stays as it was
    assert patched.json()["name"] == "测试区一第二孵化中心"
    assert patched.json()["address"] == "武侯大道1号"
    assert patched.json()["staff"] == [{"name": "罗建", "role": "督导"}]
    # an account of another district cannot be the centre's staff
    outsider = api(personas.officer).patch(
        reverse("api:incubation-centre-detail", args=[pk]),
        {"staff_accounts": [personas.outsider.username]},
        format="json",
    )
    assert outsider.status_code == 400
    assert "不是本区的用户" in outsider.json()["fields"]["staff_accounts"][0]
    # and the HTML form does not offer one
    form = client.get(
        reverse("vendors:incubation-centre-edit", args=[pk])
    ).content.decode()
    assert f">{personas.dept}<" in form
    assert f">{personas.outsider}<" not in form
    bad = api(personas.officer).post(
        reverse("api:incubation-centre-rounds", args=[pk]),
        {"name": "第1批", "opens_on": "2027-03-01", "closes_on": "2027-01-01"},
        format="json",
    )
    assert bad.status_code == 400
    assert "closes_on" in bad.json()["fields"]


def test_incubator_operator_and_staff_are_recorded_as_ties_of_the_incubated(
    incubation, personas, vendors, web
):
    from vendors.selectors import incubation_ties, vendors_incubated_by

    # given: the centre is run by another vendor, with named staff and an account
    incubation.centre.operator = vendors.other
    incubation.centre.staff = [{"name": "邓晓燕", "role": "中心主任"}]
    incubation.centre.save()
    incubation.centre.staff_accounts.set([personas.dept])
    # an application alone ties nobody: the centre has not incubated it yet
    assert incubation_ties(vendors.own) == []
    # when: the organisation moves in
    _to(incubation.app, S.MOVED_IN, personas.officer)
    # then: the incubated vendor is tied to the operator and the staff …
    assert incubation_ties(vendors.own) == [
        {
            "centre": "测试孵化中心",
            "operator": vendors.other.name,
            "operator_id": vendors.other.pk,
            "operator_organisation_id": vendors.other.organisation_id,
            "staff": ["邓晓燕"],
            "staff_accounts": [personas.dept.pk],
            "status": "moved_in",
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


def test_conflict_reasons_name_who_may_not_judge_the_incubated(
    incubation, personas, vendors, orgs
):
    from accounts.choices import Role
    from vendors.selectors import incubation_conflict_reasons

    from ..factories import user_with_role

    # given: a centre run by `other`, a staff account, and a staff name on the list
    incubation.centre.operator = vendors.other
    incubation.centre.staff = [{"name": "邓晓燕", "role": "中心主任"}]
    incubation.centre.save()
    incubation.centre.staff_accounts.set([personas.dept])
    _to(incubation.app, S.MOVED_IN, personas.officer)
    operator_staff = user_with_role(
        Role.VENDOR_STAFF, vendors.other.organisation, username="op_staff"
    )
    namesake = user_with_role(Role.EXPERT, orgs.pool, username="deng")
    namesake.display_name = "邓晓燕"
    namesake.save()
    # then: each is kept from judging the incubated organisation, with the reason
    assert "INC-09" in incubation_conflict_reasons(personas.dept, vendors.own)[0]
    assert "运营" in incubation_conflict_reasons(operator_staff, vendors.own)[0]
    assert incubation_conflict_reasons(namesake, vendors.own)
    # and nobody else is
    assert incubation_conflict_reasons(personas.expert, vendors.own) == []
    assert incubation_conflict_reasons(personas.dept, vendors.other) == []
