"""The catalogue version's transitions: a declarative table (pure, no writes).

Templates render the action buttons from it and the API returns `allowed_actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.decisions import ALLOW, Decision, deny

from .choices import VersionStatus
from .models import CatalogueVersion
from .permissions import can_archive_catalogue, can_publish_catalogue


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    permission: Callable[[Any, CatalogueVersion], Decision]
    guards: tuple[Callable[[CatalogueVersion], Decision], ...] = field(default=())


def has_items(version: CatalogueVersion) -> Decision:
    if not version.items.exists():
        return deny(_("目录中没有任何事项，不能发布。"), code="empty_catalogue")
    return ALLOW


def items_pass_sanity_rules(version: CatalogueVersion) -> Decision:
    from .validation import item_errors

    bad = [
        item.code
        for item in version.items.select_related("domain")
        if item_errors(item)
    ]
    if bad:
        return deny(
            _("以下事项不符合目录规则，请先修改：%(codes)s")
            % {"codes": "、".join(bad[:20])},
            code="catalogue_items_invalid",
        )
    return ALLOW


TRANSITIONS: dict[str, Transition] = {
    "publish": Transition(
        name="publish",
        label=_("发布"),
        sources=frozenset({VersionStatus.DRAFT}),
        target=VersionStatus.PUBLISHED,
        permission=can_publish_catalogue,
        guards=(has_items, items_pass_sanity_rules),
    ),
    "archive": Transition(
        name="archive",
        label=_("归档"),
        sources=frozenset({VersionStatus.PUBLISHED}),
        target=VersionStatus.ARCHIVED,
        permission=can_archive_catalogue,
    ),
}


def transition_decision(
    user: Any, version: CatalogueVersion, name: str, *, run_guards: bool = True
) -> Decision:
    """Whether `user` may run transition `name` on `version` now, and why not."""
    t = TRANSITIONS[name]
    # Permission first: a user who may not act learns nothing about the state.
    decision = t.permission(user, version)
    if not decision:
        return decision
    if version.status not in t.sources:
        return deny(
            _("“%(status)s”状态的目录不能%(action)s。")
            % {"status": version.get_status_display(), "action": t.label},
            code="transition_not_allowed",
        )
    if run_guards:
        for guard in t.guards:
            decision = guard(version)
            if not decision:
                return decision
    return ALLOW


def allowed_actions(user: Any, version: CatalogueVersion) -> list[str]:
    """Transition names whose source state and permission fit (guards are checked on run)."""
    return [
        name
        for name in TRANSITIONS
        if transition_decision(user, version, name, run_guards=False)
    ]
