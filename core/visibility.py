"""Scope helpers that do not depend on any app's models.

An organisation path looks like "CN/CN-51/CN-51-01/CN-51-01-07/"; a user's
scopes are the paths of the organisations their memberships cover. The accounts
app sets `user.scope_paths()`; this module only reads it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every path above it, root first:
    "CN/CN-51/" -> ["CN/", "CN/CN-51/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def scope_q(user: Any, field: str) -> Q:
    """Rows whose `field` (an organisation path) lies under one of the user's scopes."""
    paths = user.scope_paths() if hasattr(user, "scope_paths") else []
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def audit_scope_q(user: Any) -> Q | None:
    if user.is_superuser:
        return None
    return scope_q(user, "scope")
