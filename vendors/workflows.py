"""The incubation pipeline's transitions: a declarative table (pure, no writes).

申请 → 评估 → 入驻 → 孵化 → 出壳 → 跟踪, with a forced exit from any step still open.
Pages render buttons from it and the API returns `allowed_actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.decisions import ALLOW, Decision, deny

from .choices import FINAL_STATUSES, ApplicationStatus
from .models import IncubationApplication
from .permissions import can_manage_centre, is_vendor_staff

S = ApplicationStatus
OPEN = frozenset(s for s in ApplicationStatus.values if s not in FINAL_STATUSES)


def can_manage_incubation(user: Any, application: IncubationApplication) -> Decision:
    """The officers of the centre's district run the pipeline."""
    if can_manage_centre(user, application.round.centre.region):
        return ALLOW
    return deny(_("只有区级管理员和街道工作人员可以办理孵化流程。"))


def can_review_incubation(user: Any, application: IncubationApplication) -> Decision:
    """The region's officers record the panel's sheets; an expert of the district
    scores for themself."""
    if can_manage_incubation(user, application):
        return ALLOW
    path = application.round.centre.region.path
    if any(path.startswith(d) for d in user.district_paths_for(Role.EXPERT)):
        return ALLOW
    return deny(_("只有工作人员和本区评审专家可以为入驻申请评分。"))


def can_view_as_applicant(user: Any, application: IncubationApplication) -> bool:
    """The applying organisation's own staff (who see decisions, not sheets)."""
    return application.vendor is not None and is_vendor_staff(user, application.vendor)


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str | None  # None: the status stays (review, extend)
    permission: Callable[[Any, IncubationApplication], Decision] = can_manage_incubation


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "review",
            _("评审打分"),
            frozenset({S.APPLIED}),
            None,
            permission=can_review_incubation,
        ),
        Transition("admit", _("评估通过"), frozenset({S.APPLIED}), S.ADMITTED),
        Transition("reject", _("评估不通过"), frozenset({S.APPLIED}), S.REJECTED),
        Transition("move_in", _("入驻"), frozenset({S.ADMITTED}), S.MOVED_IN),
        Transition("start", _("开始孵化"), frozenset({S.MOVED_IN}), S.INCUBATING),
        Transition("extend", _("延长孵化期"), frozenset({S.INCUBATING}), None),
        Transition("graduate", _("出壳"), frozenset({S.INCUBATING}), S.GRADUATED),
        Transition("track", _("进入跟踪期"), frozenset({S.GRADUATED}), S.TRACKING),
        Transition("close", _("结束跟踪"), frozenset({S.TRACKING}), S.CLOSED),
        Transition("force_exit", _("强制退出"), OPEN, S.EXITED),
    )
}


def transition_decision(
    user: Any, application: IncubationApplication, name: str
) -> Decision:
    """Whether `user` may run `name` on the application in its current status."""
    t = TRANSITIONS[name]
    # Permission first: a user who may not act learns nothing about the state.
    decision = t.permission(user, application)
    if not decision:
        return decision
    if application.status not in t.sources:
        return deny(
            _("“%(status)s”阶段不能%(action)s。")
            % {"status": application.get_status_display(), "action": t.label},
            code="transition_not_allowed",
        )
    if name == "extend" and application.extended:
        return deny(_("孵化期只能延长一次。"), code="transition_not_allowed")
    return ALLOW


def allowed_actions(user: Any, application: IncubationApplication) -> list[str]:
    return [
        name for name in TRANSITIONS if transition_decision(user, application, name)
    ]
