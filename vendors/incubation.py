"""Services of the incubation pipeline (申请、评估、入驻、孵化、出壳、跟踪).

Each named transition locks the application row, checks the transition table and
its guards under the lock, changes the status, and writes one audit event. Every
number (pass marks, periods, staff minimums) is a rule parameter of the centre's region.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind
from accounts.models import User
from accounts.services import notify
from catalogue.rules import rule_value
from core.events import audit_record
from core.exceptions import NotPermitted, ValidationFailed
from core.transitions import check_transition, run_transition

from .choices import LOG_STATUSES, ApplicationStatus, LogKind
from .models import (
    IncubationApplication,
    IncubationCentre,
    IncubationLog,
    IncubationReview,
    IntakeRound,
    Vendor,
)
from .permissions import can_manage_centre, is_vendor_staff
from .services import vendor_staff_users
from .workflows import TRANSITIONS, can_manage_incubation, transition_decision

S = ApplicationStatus


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def district_of(region: Any) -> Any:
    """The district a centre's region (a district or one of its streets) lies in."""
    return region if region.kind == OrganisationKind.DISTRICT else region.parent


def _region(app: IncubationApplication) -> Any:
    return app.round.centre.region


def _applicant_staff(app: IncubationApplication) -> list[User]:
    return vendor_staff_users(app.vendor) if app.vendor is not None else []


def _lock(app: IncubationApplication) -> IncubationApplication:
    """The application row, locked for this transaction (only that row: the vendor
    is on the nullable side of the join)."""
    return (
        IncubationApplication.objects.select_for_update(of=("self",))
        .select_related("round__centre__region", "vendor__organisation")
        .get(pk=app.pk)
    )


def _check(actor: User | None, app: IncubationApplication, name: str) -> None:
    check_transition(actor, app, name, TRANSITIONS, transition_decision)


def _run(
    actor: User | None,
    app: IncubationApplication,
    name: str,
    change: Callable[[IncubationApplication], dict[str, Any]],
    comment: str = "",
) -> IncubationApplication:
    """Lock, check the transition, apply `change` (which returns the event payload), save, audit."""
    return run_transition(
        actor=actor,
        obj=app,
        name=name,
        transitions=TRANSITIONS,
        decide=transition_decision,
        lock=_lock,
        change=change,
        action=f"incubation.{name}",
        comment=comment,
    )


@transaction.atomic
def incubation_apply(
    *,
    actor: User | None,
    round: IntakeRound,
    data: dict[str, Any],
    on: dt.date | None = None,
) -> IncubationApplication:
    """申请: an organisation, or a founding team not yet registered, applies to an intake.

    Raises:
        NotPermitted: neither an officer of the region nor the applying vendor's staff.
        ValidationFailed: no applicant, no purpose or plan, too few core members, the intake is closed.
    """
    on = on or timezone.localdate()
    vendor: Vendor | None = data.get("vendor")
    region = round.centre.region
    if actor is not None and not (
        can_manage_centre(actor, region)
        or (vendor is not None and is_vendor_staff(actor, vendor))
    ):
        raise NotPermitted(_("只有工作人员或申请组织自己的人员可以提交入驻申请。"))
    errors: dict[str, list[str]] = {}
    team = str(data.get("team_name") or "").strip()
    if vendor is None and not team:
        errors["team_name"] = [_("请选择已登记的组织，或填写团队名称。")]
    for field in ("purpose", "service_plan"):
        if not str(data.get(field) or "").strip():
            errors[field] = [_("请填写此项。")]
    members = [
        m
        for m in (data.get("core_members") or [])
        if isinstance(m, dict) and str(m.get("name", "")).strip()
    ]
    minimum = int(rule_value("incubation.core_members.min", region, on))
    if len(members) < minimum:
        errors["core_members"] = [
            _("核心成员至少 %(n)s 人（含负责人）。") % {"n": minimum}
        ]
    if vendor is not None and not vendor.organisation.path.startswith(
        district_of(region).path
    ):
        errors["vendor"] = [_("该组织不在本区的承接组织名录中。")]
    if not round.is_open(on):
        errors["round"] = [
            _("该批次的受理时间为 %(a)s 至 %(b)s。")
            % {"a": round.opens_on.isoformat(), "b": round.closes_on.isoformat()}
        ]
    if vendor is not None and vendor.incubations.open().exists():
        errors["vendor"] = [_("该组织已有一份进行中的入驻申请。")]
    if errors:
        raise ValidationFailed(fields=errors)
    app = IncubationApplication.objects.create(
        round=round,
        vendor=vendor,
        team_name=team,
        purpose=str(data["purpose"]).strip(),
        service_plan=str(data["service_plan"]).strip(),
        core_members=members,
    )
    audit_record(
        actor=actor,
        action="incubation.apply",
        obj=app,
        to_state=app.status,
        payload={"members": len(members)},
    )
    return app


def incubation_review_record(
    *,
    actor: User | None,
    application: IncubationApplication,
    reviewer: str = "",
    scores: dict[str, Any],
    comment: str = "",
    on: dt.date | None = None,
) -> IncubationReview:
    """评估: one panel member's sheet, each criterion of the region's admission
    criteria scored 0–100 and weighted. An expert scores under their own name; an
    officer records a named member's paper sheet.

    Raises:
        NotPermitted, TransitionNotAllowed: see the transition table.
        ValidationFailed: no reviewer, a reviewer who already scored or who is one of
            the applicant's core members, a missing or out-of-range score.
    """
    on = on or timezone.localdate()
    own_sheet = actor is not None and not can_manage_incubation(actor, application)
    if own_sheet:
        reviewer = str(actor)
    reviewer = (reviewer or "").strip()
    with transaction.atomic():
        app = _lock(application)
        _check(actor, app, "review")
        weights = rule_value("incubation.admission.criteria", _region(app), on)
        errors: dict[str, list[str]] = {}
        if not reviewer:
            errors["reviewer"] = [_("请填写评审人姓名。")]
        elif app.reviews.filter(reviewer=reviewer).exists():
            errors["reviewer"] = [_("%(name)s 已为该申请评分。") % {"name": reviewer}]
        elif reviewer in {m.get("name") for m in app.core_members}:
            # Nobody judges their own team (by analogy with COM-08).
            errors["reviewer"] = [
                _("%(name)s 是申请团队的核心成员，应当回避。") % {"name": reviewer}
            ]
        try:
            total = _weighted_total(scores, weights)
        except ValidationFailed as exc:
            errors.update(exc.fields)
        if errors:
            raise ValidationFailed(fields=errors)
        sheet = IncubationReview.objects.create(
            application=app,
            reviewer=reviewer,
            reviewer_account=actor if own_sheet else None,
            scores=scores,
            weights=weights,
            total=total,
            comment=(comment or "").strip(),
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="incubation.review",
            obj=app,
            payload={"reviewer": reviewer, "total": total},
        )
    return sheet


def panel_mean(sheets: list[IncubationReview]) -> float | None:
    """The mean of the members' weighted totals (None before anybody scored)."""
    if not sheets:
        return None
    return round(sum(float(s.total) for s in sheets) / len(sheets), 2)


def _panel_result(app: IncubationApplication, on: dt.date) -> dict[str, Any]:
    sheets = list(app.reviews.all())
    region = _region(app)
    return {
        "sheets": [{"reviewer": s.reviewer, "total": float(s.total)} for s in sheets],
        "mean": panel_mean(sheets),
        "pass_mark": int(rule_value("incubation.admission.min_score", region, on)),
        "min_panel": int(rule_value("incubation.panel.min_size", region, on)),
        "on": on.isoformat(),
    }


def incubation_admit(
    *,
    actor: User | None,
    application: IncubationApplication,
    comment: str = "",
    on: dt.date | None = None,
) -> IncubationApplication:
    """评估 → admit: enough panel members have scored and their mean weighted total
    reaches the pass mark (both rule parameters of the centre's region).

    Raises:
        NotPermitted, TransitionNotAllowed: see the transition table.
        ValidationFailed: too few sheets, or a mean below the pass mark.
    """
    on = on or timezone.localdate()

    def change(app: IncubationApplication) -> dict[str, Any]:
        result = _panel_result(app, on)
        if len(result["sheets"]) < result["min_panel"]:
            raise ValidationFailed(
                fields={
                    "reviews": [
                        _("至少需要 %(n)s 名评审人评分，现有 %(m)s 份。")
                        % {"n": result["min_panel"], "m": len(result["sheets"])}
                    ]
                }
            )
        if result["mean"] < result["pass_mark"]:
            raise ValidationFailed(
                _("评审平均分 %(total)s 低于合格线 %(mark)s，应评估不通过。")
                % {"total": result["mean"], "mark": result["pass_mark"]},
                fields={"reviews": [_("评审平均分低于合格线。")]},
            )
        app.assessment = result
        app.decided_reason = (comment or "").strip()
        return {"mean": result["mean"]}

    app = _run(actor, application, "admit", change, comment)
    notify(
        users=_applicant_staff(app),
        verb="incubation_decided",
        title=_("入驻评估通过：%(name)s") % {"name": app.display_name},
        body=app.decided_reason,
        link=app.get_absolute_url(),
    )
    return app


def _weighted_total(scores: dict[str, Any], weights: dict[str, Any]) -> float:
    errors: dict[str, list[str]] = {}
    total = 0.0
    for criterion, weight in weights.items():
        raw = scores.get(criterion)
        try:
            value = float(str(raw))
        except (TypeError, ValueError):
            errors[f"scores.{criterion}"] = [_("请给出 0 到 100 的分数。")]
            continue
        if not 0 <= value <= 100:
            errors[f"scores.{criterion}"] = [_("分数应在 0 到 100 之间。")]
            continue
        total += value * float(weight) / 100
    unknown = sorted(set(scores) - set(weights))
    if unknown:
        errors["scores"] = [
            _("未知的评分项：%(keys)s。") % {"keys": "、".join(unknown)}
        ]
    if errors:
        raise ValidationFailed(fields=errors)
    return round(total, 2)


def _with_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [message]})
    return reason


def incubation_reject(
    *, actor: User | None, application: IncubationApplication, reason: str
) -> IncubationApplication:
    """评估 → reject, with the reasons sent to the applicant.

    Raises:
        NotPermitted, TransitionNotAllowed: see the transition table.
        ValidationFailed: no reason.
    """
    reason = _with_reason(reason, _("请写明不通过的理由。"))

    def change(app: IncubationApplication) -> dict[str, Any]:
        app.assessment = _panel_result(app, timezone.localdate())
        app.decided_reason = reason
        return {"mean": app.assessment["mean"]}

    app = _run(actor, application, "reject", change, reason)
    notify(
        users=_applicant_staff(app),
        verb="incubation_decided",
        title=_("入驻评估未通过：%(name)s") % {"name": app.display_name},
        body=reason,
        link=app.get_absolute_url(),
    )
    return app


def incubation_move_in(
    *,
    actor: User | None,
    application: IncubationApplication,
    agreement_no: str,
    seat: str,
    start_date: dt.date,
) -> IncubationApplication:
    """入驻: the agreement is signed and a seat allocated; the planned end follows the
    incubation period (INC-07).

    Raises:
        NotPermitted, TransitionNotAllowed: see the transition table.
        ValidationFailed: no agreement number, no seat, the seat taken or the centre full.
    """
    errors: dict[str, list[str]] = {}
    if not (agreement_no or "").strip():
        errors["agreement_no"] = [_("请填写入驻协议编号。")]
    if not (seat or "").strip():
        errors["seat"] = [_("请填写工位。")]
    if not isinstance(start_date, dt.date):
        errors["start_date"] = [_("请填写入驻日期。")]
    if errors:
        raise ValidationFailed(fields=errors)

    def change(app: IncubationApplication) -> dict[str, Any]:
        # Seats are the centre's: lock it, so two move-ins cannot take the last one.
        centre = IncubationCentre.objects.select_for_update().get(
            pk=app.round.centre_id
        )
        occupied = IncubationApplication.objects.filter(
            round__centre=centre
        ).holding_seats()
        if occupied.filter(seat=seat.strip()).exists():
            raise ValidationFailed(
                fields={"seat": [_("工位“%(seat)s”已有组织入驻。") % {"seat": seat}]}
            )
        if occupied.count() >= centre.seats:
            raise ValidationFailed(
                fields={
                    "seat": [_("孵化中心的 %(n)s 个工位已满。") % {"n": centre.seats}]
                }
            )
        months = int(rule_value("incubation.period.months", centre.region, start_date))
        app.agreement_no, app.seat, app.start_date = (
            agreement_no.strip(),
            seat.strip(),
            start_date,
        )
        app.planned_end = add_months(start_date, months)
        return {
            "seat": app.seat,
            "start": start_date.isoformat(),
            "planned_end": app.planned_end.isoformat(),
        }

    return _run(actor, application, "move_in", change)


def incubation_start(
    *, actor: User | None, application: IncubationApplication
) -> IncubationApplication:
    """孵化: incubation services begin (mentoring, training, registration help …)."""
    return _run(actor, application, "start", lambda app: {})


def incubation_extend(
    *, actor: User | None, application: IncubationApplication, reason: str = ""
) -> IncubationApplication:
    """Extend the incubation once, to the maximum period (INC-07).

    Raises:
        NotPermitted, TransitionNotAllowed: see the transition table (only once).
    """

    def change(app: IncubationApplication) -> dict[str, Any]:
        start = app.start_date or timezone.localdate()
        months = int(rule_value("incubation.period.max_months", _region(app), start))
        app.planned_end, app.extended = add_months(start, months), True
        return {"planned_end": app.planned_end.isoformat()}

    return _run(actor, application, "extend", change, reason)


def incubation_graduate(
    *,
    actor: User | None,
    application: IncubationApplication,
    checklist: dict[str, Any],
    registration: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> IncubationApplication:
    """出壳: the graduation assessment against INC-08; the organisation becomes (or is
    linked to) an active supplier in the register.

    `checklist`: governance (bool), own_finances (bool), fulltime_staff (int),
    flagship_months (int), score (0–100). A team not yet registered gives `registration`
    (the register's fields) and is registered now.

    Raises:
        NotPermitted, TransitionNotAllowed: see the transition table.
        ValidationFailed: each unmet criterion with its reason, or bad registration data.
    """
    from .services import vendor_create

    on = on or timezone.localdate()
    region = _region(application)
    min_staff = int(rule_value("incubation.graduation.min_fulltime_staff", region, on))
    min_months = int(
        rule_value("incubation.graduation.flagship_min_months", region, on)
    )
    min_score = int(rule_value("incubation.graduation.min_score", region, on))
    errors: dict[str, list[str]] = {}
    if not checklist.get("governance"):
        errors["governance"] = [_("章程和理事会、监事等治理结构未正常运转（INC-08）。")]
    if not checklist.get("own_finances"):
        errors["own_finances"] = [_("没有独立的财务制度（INC-08）。")]
    if int(checklist.get("fulltime_staff") or 0) < min_staff:
        errors["fulltime_staff"] = [
            _("专职人员少于 %(n)s 人（INC-08）。") % {"n": min_staff}
        ]
    if int(checklist.get("flagship_months") or 0) < min_months:
        errors["flagship_months"] = [
            _("品牌项目持续运行不足 %(n)s 个月（INC-08）。") % {"n": min_months}
        ]
    score = checklist.get("score")
    if not isinstance(score, (int, float)) or not 0 <= score <= 100:
        errors["score"] = [_("请给出 0 到 100 的出壳评估分数。")]
    elif score < min_score:
        errors["score"] = [
            _("出壳评估分数 %(s)s 低于 %(n)s 分（INC-08）。")
            % {"s": score, "n": min_score}
        ]
    if application.vendor_id is None and not registration:
        errors["registration"] = [_("团队尚未登记：出壳前须完成登记，并填写登记信息。")]
    elif application.vendor is not None and not application.vendor.uscc:
        errors["registration"] = [
            _("组织尚未取得统一社会信用代码，未完成登记（INC-08）。")
        ]
    if errors:
        raise ValidationFailed(fields=errors)

    def change(app: IncubationApplication) -> dict[str, Any]:
        if app.vendor_id is None:
            app.vendor = vendor_create(
                actor=actor,
                district=district_of(region),
                data={
                    **(registration or {}),
                    "name": (registration or {}).get("name") or app.team_name,
                },
            )
        app.graduation = {
            **checklist,
            "on": on.isoformat(),
            "thresholds": {
                "staff": min_staff,
                "months": min_months,
                "score": min_score,
            },
        }
        app.graduated_on = on
        return {"vendor": app.vendor_id, "score": score}

    return _run(actor, application, "graduate", change)


def incubation_track(
    *, actor: User | None, application: IncubationApplication
) -> IncubationApplication:
    """跟踪: the follow-up period after graduation starts."""

    def change(app: IncubationApplication) -> dict[str, Any]:
        start = app.graduated_on or timezone.localdate()
        app.tracking_until = add_months(
            start, int(rule_value("incubation.tracking.months", _region(app), start))
        )
        return {"until": app.tracking_until.isoformat()}

    return _run(actor, application, "track", change)


def incubation_close(
    *, actor: User | None, application: IncubationApplication
) -> IncubationApplication:
    """The follow-up ends; the incubation history stays on the vendor's page."""
    return _run(actor, application, "close", lambda app: {})


def incubation_force_exit(
    *, actor: User | None, application: IncubationApplication, reason: str
) -> IncubationApplication:
    """A forced exit from any open step (violations, inactivity), with its reason.

    Raises:
        NotPermitted, TransitionNotAllowed: see the transition table.
        ValidationFailed: no reason.
    """
    reason = _with_reason(reason, _("请写明强制退出的理由。"))

    def change(app: IncubationApplication) -> dict[str, Any]:
        app.exit_reason = reason
        return {}

    return _run(actor, application, "force_exit", change, reason)


@transaction.atomic
def incubation_log_add(
    *,
    actor: User | None,
    application: IncubationApplication,
    kind: str,
    date: dt.date | None,
    note: str,
) -> IncubationLog:
    """Record mentoring, training, an activity, a milestone, registration help, the
    mid-term review or a follow-up visit.

    Raises:
        NotPermitted: not an officer of the region.
        ValidationFailed: no kind, note or date, a date in the future, or a step
            that keeps no logs.
    """
    # Under the row lock: a log is refused once a concurrent transition closed it.
    application = _lock(application)
    if actor is not None:
        can_manage_incubation(actor, application).raise_if_denied()
    errors: dict[str, list[str]] = {}
    if kind not in LogKind.values:
        errors["kind"] = [_("请选择记录类型。")]
    if not (note or "").strip():
        errors["note"] = [_("请填写记录内容。")]
    if not isinstance(date, dt.date):
        errors["date"] = [_("请填写日期。")]
    elif date > timezone.localdate():
        errors["date"] = [_("记录的日期不能晚于今天。")]
    if application.status not in LOG_STATUSES:
        errors["kind"] = [
            _("“%(s)s”阶段不能添加孵化记录。") % {"s": application.get_status_display()}
        ]
    elif kind == LogKind.VISIT and application.status != S.TRACKING:
        errors["kind"] = [_("跟踪回访只能在跟踪期记录。")]
    if errors:
        raise ValidationFailed(fields=errors)
    assert date is not None
    log = IncubationLog.objects.create(
        application=application,
        kind=kind,
        date=date,
        note=note.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="incubation.log",
        obj=application,
        payload={"kind": kind, "date": date.isoformat()},
    )
    return log


# --- centres and their intake rounds ------------------------------------------------


@transaction.atomic
def incubation_centre_save(
    *,
    actor: User | None,
    data: dict[str, Any],
    centre: IncubationCentre | None = None,
) -> IncubationCentre:
    """Set up (or change) an incubation centre run for a district or a street: its
    operator (a supplier of the same district, often itself a purchased service),
    staff, seats and rooms. The operator and staff are later kept from judging the
    organisations the centre incubated (INC-09).

    `data`: region, name, operator (Vendor or None), staff ([{name, role}]),
    staff_accounts (users of the district), seats, rooms, address. Changing a
    centre, a key left out keeps its value.

    Raises:
        NotPermitted: not an officer of the region's district.
        ValidationFailed: each bad field with its reason.
    """
    values = {**(centre_values(centre) if centre is not None else {}), **data}
    region = values.get("region")
    if region is None or region.kind not in (
        OrganisationKind.DISTRICT,
        OrganisationKind.STREET,
    ):
        raise ValidationFailed(
            fields={"region": [_("孵化中心应服务一个区或一个街道。")]}
        )
    if actor is not None:
        can_manage_centre(actor, region).raise_if_denied()
        if centre is not None:
            can_manage_centre(actor, centre.region).raise_if_denied()
    district = district_of(region)
    errors: dict[str, list[str]] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写孵化中心名称。")]
    elif (
        IncubationCentre.objects.filter(region=region, name=name)
        .exclude(pk=centre.pk if centre is not None else 0)
        .exists()
    ):
        errors["name"] = [_("该地区已有同名的孵化中心。")]
    operator = values.get("operator")
    if operator is not None and not operator.organisation.path.startswith(
        district.path
    ):
        errors["operator"] = [_("运营方应是本区名录中的承接组织。")]
    staff = []
    for i, person in enumerate(values.get("staff") or []):
        person_name = str((person or {}).get("name") or "").strip()
        if not person_name:
            errors[f"staff.{i}"] = [_("请填写工作人员姓名。")]
            continue
        staff.append(
            {"name": person_name, "role": str(person.get("role") or "").strip()}
        )
    accounts = list(values.get("staff_accounts") or [])
    outsiders = [u for u in accounts if not _belongs_to(u, district.path)]
    if outsiders:
        errors["staff_accounts"] = [
            _("%(names)s 不是本区的用户。")
            % {"names": "、".join(str(u) for u in outsiders)}
        ]
    numbers = {}
    for field, label in (("seats", _("工位")), ("rooms", _("活动室"))):
        try:
            numbers[field] = int(values.get(field) or 0)
        except (TypeError, ValueError):
            numbers[field] = -1
        if numbers[field] < 0:
            errors[field] = [_("%(f)s数应为不小于 0 的整数。") % {"f": label}]
    if centre is not None and "seats" not in errors:
        occupied = centre_occupied_seats(centre)
        if numbers["seats"] < occupied:
            errors["seats"] = [
                _("已有 %(n)s 个组织在中心入驻，工位数不能少于此数。") % {"n": occupied}
            ]
    if errors:
        raise ValidationFailed(fields=errors)
    before = _centre_snapshot(centre) if centre is not None else {}
    if centre is None:
        centre = IncubationCentre(region=region)
    centre.region, centre.name, centre.operator, centre.staff = (
        region,
        name,
        operator,
        staff,
    )
    centre.seats, centre.rooms = numbers["seats"], numbers["rooms"]
    centre.address = str(values.get("address") or "").strip()
    centre.save()
    centre.staff_accounts.set(accounts)
    after = _centre_snapshot(centre)
    audit_record(
        actor=actor,
        action="incubation.centre_update" if before else "incubation.centre_create",
        obj=centre,
        payload={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
    )
    return centre


def _belongs_to(user: User, district_path: str) -> bool:
    return any(
        m.organisation.path.startswith(district_path) for m in user.active_memberships()
    )


def centre_values(centre: IncubationCentre) -> dict[str, Any]:
    """A centre's values as `incubation_centre_save` takes them."""
    return {
        "region": centre.region,
        "name": centre.name,
        "operator": centre.operator,
        "staff": centre.staff,
        "staff_accounts": list(centre.staff_accounts.all()),
        "seats": centre.seats,
        "rooms": centre.rooms,
        "address": centre.address,
    }


def _centre_snapshot(centre: IncubationCentre) -> dict[str, Any]:
    """The centre's values as the audit payload records them (codes and ids)."""
    values = centre_values(centre)
    values["region"] = centre.region.code
    values["operator"] = centre.operator_id
    values["staff_accounts"] = sorted(u.pk for u in values["staff_accounts"])
    return values


def centre_occupied_seats(centre: IncubationCentre) -> int:
    """Organisations moved in or incubating: each holds a seat."""
    return (
        IncubationApplication.objects.filter(round__centre=centre)
        .holding_seats()
        .count()
    )


@transaction.atomic
def intake_round_create(
    *,
    actor: User | None,
    centre: IncubationCentre,
    name: str,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    description: str = "",
) -> IntakeRound:
    """Open an intake (招募批次) of a centre, with its application window and the
    call (who may apply, conditions, materials, how the panel reviews).

    Raises:
        NotPermitted: not an officer of the centre's district.
        ValidationFailed: no name, a name the centre already used, a window that
            closes before it opens.
    """
    if actor is not None:
        can_manage_centre(actor, centre.region).raise_if_denied()
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写批次名称。")]
    elif centre.rounds.filter(name=name).exists():
        errors["name"] = [_("该中心已有同名批次。")]
    if not isinstance(opens_on, dt.date):
        errors["opens_on"] = [_("请填写开始受理日期。")]
    if not isinstance(closes_on, dt.date):
        errors["closes_on"] = [_("请填写截止受理日期。")]
    elif isinstance(opens_on, dt.date) and closes_on < opens_on:
        errors["closes_on"] = [_("截止受理日期不能早于开始受理日期。")]
    if errors:
        raise ValidationFailed(fields=errors)
    assert isinstance(opens_on, dt.date)
    assert isinstance(closes_on, dt.date)
    intake = IntakeRound.objects.create(
        centre=centre,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        description=(description or "").strip(),
    )
    audit_record(
        actor=actor,
        action="incubation.round_open",
        obj=centre,
        payload={
            "round": intake.pk,
            "name": name,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
        },
    )
    return intake
