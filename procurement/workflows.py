"""The procurement project's transitions: a declarative table (pure, no writes).

草稿 → 公告中 → 已开标 → 评审中 → 评审完成 → 已定标 → 结果生效, with 废标 and 终止
as the ways out. Pages render buttons from it and the API returns `allowed_actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.decisions import ALLOW, Decision, deny

from .choices import FINISHED_STATUSES, ChallengeStatus, ProjectStatus
from .models import ProcurementProject
from .permissions import can_manage_project, can_score
from .selectors import challenge_window_end

S = ProjectStatus
RUNNING = frozenset(
    s for s in ProjectStatus.values if s not in FINISHED_STATUSES and s != S.DRAFT
)


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str | None  # None: the status stays, or the service decides it
    permission: Callable[[Any, ProcurementProject], Decision] = can_manage_project


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("update", _("修改"), frozenset({S.DRAFT}), None),
        Transition(
            "generate_document",
            _("生成采购文件"),
            frozenset({S.DRAFT, S.ANNOUNCED}),
            None,
        ),
        Transition("publish_intention", _("公开采购意向"), frozenset({S.DRAFT}), None),
        Transition("announce", _("发布采购公告"), frozenset({S.DRAFT}), S.ANNOUNCED),
        Transition("correct", _("发布更正公告"), frozenset({S.ANNOUNCED}), None),
        Transition(
            "draw_committee",
            _("抽取评审专家"),
            frozenset({S.ANNOUNCED, S.OPENED}),
            None,
        ),
        Transition(
            "replace_member",
            _("替换回避成员"),
            frozenset({S.ANNOUNCED, S.OPENED, S.EVALUATING}),
            None,
        ),
        Transition("open", _("开标"), frozenset({S.ANNOUNCED}), S.OPENED),
        Transition("qualify", _("资格审查"), frozenset({S.OPENED}), None),
        Transition(
            "close_qualification", _("确认资格审查结果"), frozenset({S.OPENED}), None
        ),
        Transition(
            "score", _("评分"), frozenset({S.EVALUATING}), None, permission=can_score
        ),
        Transition(
            "decide_abnormal",
            _("异常低价认定"),
            frozenset({S.EVALUATING}),
            None,
            permission=can_score,
        ),
        Transition(
            "return_sheets",
            _("退回评分（法定情形）"),
            frozenset({S.EVALUATING, S.EVALUATED}),
            S.EVALUATING,
        ),
        Transition(
            "sign_report",
            _("签署评审报告"),
            frozenset({S.EVALUATED}),
            None,
            permission=can_score,
        ),
        Transition("award", _("确定中标人"), frozenset({S.EVALUATED}), S.AWARDED),
        Transition("answer_challenge", _("答复质疑"), frozenset({S.AWARDED}), None),
        Transition("finalise", _("结果生效"), frozenset({S.AWARDED}), S.FINAL),
        Transition("terminate", _("终止采购"), RUNNING | {S.DRAFT}, S.TERMINATED),
        Transition("restart", _("重新采购"), frozenset({S.FAILED, S.TERMINATED}), None),
    )
}


def transition_decision(user: Any, project: ProcurementProject, name: str) -> Decision:
    """Whether `user` may run `name` on the project in its current status."""
    t = TRANSITIONS[name]
    decision = t.permission(user, project)
    if not decision:
        return decision
    if project.status not in t.sources:
        return deny(
            _("“%(status)s”阶段不能%(action)s。")
            % {"status": project.get_status_display(), "action": t.label},
            code="transition_not_allowed",
        )
    if name == "finalise":
        return finality_decision(project)
    return ALLOW


def finality_decision(project: ProcurementProject, on: Any = None) -> Decision:
    """Whether the award may become final on day `on` (today by default): only after
    its challenge window, with no challenge open or upheld (TL-17, TL-20)."""
    on = on or timezone.localdate()
    until = challenge_window_end(project)
    if until is not None and on <= until:
        return deny(
            _("质疑期至 %(d)s 届满，届满后结果才能生效（TL-17）。")
            % {"d": until.isoformat()},
            code="challenge_window_open",
        )
    if project.challenges.filter(status=ChallengeStatus.OPEN).exists():
        return deny(_("有待答复的质疑，结果暂停生效（TL-20）。"), code="challenge_open")
    if project.challenges.filter(upheld=True).exists():
        return deny(
            _("有成立的质疑，请重新评审或终止后重新采购。"), code="challenge_upheld"
        )
    return ALLOW


def allowed_actions(user: Any, project: ProcurementProject) -> list[str]:
    return [name for name in TRANSITIONS if transition_decision(user, project, name)]
