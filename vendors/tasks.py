"""Celery adapters for the supplier register."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="vendors.documents_expire_task")
def documents_expire_task() -> int:
    """Daily: mark expired eligibility documents and notify (idempotent)."""
    from .services import documents_expire

    return documents_expire(on=timezone.localdate())
