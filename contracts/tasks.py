"""Celery adapters for contracts: take ids, re-fetch, call one service or selector."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="contracts.deadlines_notify_task")
def deadlines_notify_task() -> int:
    """Daily: tell the buyer's officers about contracts whose signing (TL-13),
    publication (TL-14) or filing (TL-15) deadline passed today without the act."""
    from django.utils import timezone

    from .services import contract_deadlines_notify

    return contract_deadlines_notify(on=timezone.localdate())
