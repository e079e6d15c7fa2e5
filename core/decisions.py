"""Permission predicates return a Decision: allowed or not, and why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .exceptions import NotPermitted


@dataclass(frozen=True)
class Decision:
    """The answer of a `can_<verb>_<entity>` predicate, with a reason users can read."""

    allowed: bool
    reason: Any = ""
    code: str = "permission_denied"

    def __bool__(self) -> bool:
        return self.allowed

    def raise_if_denied(self) -> None:
        """Raise NotPermitted with this decision's reason when it is a refusal.

        Raises:
            NotPermitted: when the decision denies the action.
        """
        if not self.allowed:
            raise NotPermitted(self.reason or None, code=self.code)


ALLOW = Decision(True)


def deny(reason: Any, code: str = "permission_denied") -> Decision:
    """A refusal with its reason."""
    return Decision(False, reason, code)
