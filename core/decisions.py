"""Permission predicates return a Decision: allowed or not, and why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .exceptions import Conflict, NotPermitted, TransitionNotAllowed


@dataclass(frozen=True)
class Decision:
    """The answer of a `can_<verb>_<entity>` predicate, with a reason users can read."""

    allowed: bool
    reason: Any = ""
    code: str = "permission_denied"

    def __bool__(self) -> bool:
        return self.allowed

    def raise_if_denied(self) -> None:
        """Raise the error this refusal stands for, with its reason.

        Raises:
            NotPermitted: the user may not act (403).
            TransitionNotAllowed: not in the object's present state (409).
            Conflict: any other refusal, under its own code (409).
        """
        if self.allowed:
            return
        reason = self.reason or None
        if self.code == "permission_denied":
            raise NotPermitted(reason)
        if self.code == "transition_not_allowed":
            raise TransitionNotAllowed(reason)
        raise Conflict(reason, code=self.code)


ALLOW = Decision(True)


def deny(reason: Any, code: str = "permission_denied") -> Decision:
    """A refusal with its reason."""
    return Decision(False, reason, code)
