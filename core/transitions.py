"""The one way a named state transition runs, for every app's transition table.

Lock the row, ask the table (with the actor's permission) under the lock, apply the
change, set the target status, save, and write one audit event — all in one
transaction, so a refused or failed change leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction

from .decisions import Decision
from .events import audit_record
from .exceptions import TransitionNotAllowed

M = TypeVar("M", bound=models.Model)


def check_transition(
    actor: Any,
    obj: Any,
    name: str,
    transitions: dict[str, Any],
    decide: Callable[[Any, Any, str], Decision],
) -> None:
    """The table's verdict on the (locked) row; the system (actor None) only needs
    the status to fit."""
    if actor is not None:
        decide(actor, obj, name).raise_if_denied()
    elif obj.status not in transitions[name].sources:
        raise TransitionNotAllowed()


def run_transition(
    *,
    actor: Any,
    obj: M,
    name: str,
    transitions: dict[str, Any],
    decide: Callable[[Any, Any, str], Decision],
    lock: Callable[[M], M],
    change: Callable[[M], dict[str, Any]],
    action: str,
    comment: str = "",
) -> M:
    """Run transition `name` on `obj`. `change` applies the transition's effects to the
    locked row and returns the event payload; it may set the status itself when the
    outcome decides it, otherwise the table's target is set."""
    t = transitions[name]
    with transaction.atomic():
        locked = lock(obj)
        check_transition(actor, locked, name, transitions, decide)
        before = locked.status  # type: ignore[attr-defined]
        payload = change(locked)
        if t.target is not None and locked.status == before:  # type: ignore[attr-defined]
            locked.status = t.target  # type: ignore[attr-defined]
        locked.save()
        audit_record(
            actor=actor,
            action=action,
            obj=locked,
            from_state=before,
            to_state=locked.status,  # type: ignore[attr-defined]
            comment=comment,
            payload=payload,
        )
    return locked
