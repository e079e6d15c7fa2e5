"""The `visible_to(user, action)` queryset base shared by every app.

HTML views, API viewsets and tasks all read through it, so an object that is
not visible to a user is a 404 everywhere.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class VisibleQuerySet(models.QuerySet):
    """Subclasses say which rows a user may see for an action."""

    def visibility_filter(self, user: Any, action: str) -> models.Q | None:
        """Return a Q for the rows `user` may act on, or None for all rows."""
        raise NotImplementedError

    def visible_to(self, user: Any, action: str = "view") -> VisibleQuerySet:
        if (
            user is None
            or not getattr(user, "is_authenticated", False)
            or not user.is_active
        ):
            return self.none()
        q = self.visibility_filter(user, action)
        if q is None:
            return self
        return self.filter(q)
