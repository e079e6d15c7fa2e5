"""Shared helpers of the procurement services: the project lock and transition runner, money parsing, notices and telling bidders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from accounts.models import User
from accounts.services import notify
from core.events import audit_record
from core.money import parse_yuan
from core.transitions import check_transition, run_transition
from vendors.services import vendor_staff_users

from ..choices import (
    LIVE_BID_STATUSES,
    ProjectStatus,
)
from ..models import (
    Bid,
    Notice,
    ProcurementProject,
)
from ..workflows import TRANSITIONS, transition_decision

S = ProjectStatus


MAX_BID_FILE_BYTES = 20 * 1024 * 1024


BID_FILE_TYPES = ("pdf", "jpeg", "png")


def _lock(project: ProcurementProject) -> ProcurementProject:
    return (
        ProcurementProject.objects.select_for_update(of=("self",))
        .select_related("buyer", "district", "catalogue_version")
        .get(pk=project.pk)
    )


def _check(actor: User | None, project: ProcurementProject, name: str) -> None:
    check_transition(actor, project, name, TRANSITIONS, transition_decision)


def _run(
    actor: User | None,
    project: ProcurementProject,
    name: str,
    change: Callable[[ProcurementProject], dict[str, Any]],
    comment: str = "",
) -> ProcurementProject:
    """Run a project transition: lock, check, `change` (returns the event payload;
    it may set the status when the outcome decides it), save, audit."""
    return run_transition(
        actor=actor,
        obj=project,
        name=name,
        transitions=TRANSITIONS,
        decide=transition_decision,
        lock=_lock,
        change=change,
        action=f"procurement.{name}",
        comment=comment,
    )


def _money(
    raw: Any, field: str, errors: dict[str, list[str]], *, positive: bool = True
) -> Decimal | None:
    """A yuan amount (core.money.parse_yuan), or None with the reason in `errors`."""
    try:
        return parse_yuan(raw, positive=positive)
    except ValueError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def _yuan(v: Decimal) -> str:
    return f"¥{v:,.2f}"


def _notice(
    project: ProcurementProject,
    kind: str,
    title: str,
    body: str,
    *,
    actor: User | None,
    on: dt.date,
    period_ends: dt.date | None = None,
    data: dict[str, Any] | None = None,
) -> Notice:
    notice = Notice.objects.create(
        project=project,
        kind=kind,
        title=title,
        body=body,
        published_on=on,
        period_ends=period_ends,
        published_by=actor if getattr(actor, "pk", None) else None,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action="procurement.notice_publish",
        obj=notice,
        payload={"kind": kind},
    )
    return notice


def _bidders(project: ProcurementProject) -> list[Bid]:
    """The live bids with their vendors and the vendors' related persons (for the
    conflict checks of COM-08)."""
    return list(
        project.bids.filter(status__in=LIVE_BID_STATUSES)
        .select_related("vendor__organisation")
        .prefetch_related("vendor__related_persons")
    )


def _tell_bidders(
    project: ProcurementProject, verb: str, title: str, body: str
) -> None:
    users: list[User] = []
    for bid in _bidders(project):
        users.extend(vendor_staff_users(bid.vendor))
    if users:
        notify(
            users=users,
            verb=verb,
            title=title,
            body=body,
            link=project.get_absolute_url(),
        )
