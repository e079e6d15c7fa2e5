"""Row locks, always taken in primary-key order so two transactions never deadlock."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock_one(model: type[M], pk: object) -> M:
    """SELECT ... FOR UPDATE one row; must run inside transaction.atomic."""
    return model._default_manager.select_for_update().get(pk=pk)


def lock_many(model: type[M], pks: list[object]) -> list[M]:
    return list(
        model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk")
    )
