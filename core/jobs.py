"""Services for the generic Job record. Tasks call these; pages poll the row."""

from __future__ import annotations

import traceback
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from .models import Job, JobStatus


def job_create(
    *,
    kind: str,
    actor: Any,
    obj: models.Model | None = None,
    params: dict | None = None,
) -> Job:
    """Create a pending job for `obj`, requested by `actor`."""
    return Job.objects.create(
        kind=kind,
        created_by=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(obj)
        if obj is not None
        else None,
        object_id=str(obj.pk) if obj is not None else "",
        params=params or {},
    )


def job_start(job: Job) -> bool:
    """Mark a pending job running. Returns False when another worker got it first.

    A compare-and-swap on the status, so two deliveries of the same task never
    both do the work.
    """
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=now, updated_at=now, progress=0
    )
    job.refresh_from_db()
    return updated == 1


def job_progress(job: Job, progress: int, message: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        progress=max(0, min(100, progress)),
        message=message[:255],
        updated_at=timezone.now(),
    )


def job_finish(
    job: Job,
    *,
    result: dict | None = None,
    filename: str = "",
    content: bytes | None = None,
) -> Job:
    """Mark the job done, storing its result and optional file."""
    if content is not None:
        job.file.save(filename, ContentFile(content), save=False)
    job.status = JobStatus.DONE
    job.progress = 100
    job.result = result or {}
    job.finished_at = timezone.now()
    job.save()
    return job


def job_fail(job: Job, exc: BaseException) -> Job:
    """Mark the job failed with the error, for the page to show."""
    job.status = JobStatus.FAILED
    job.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
    job.finished_at = timezone.now()
    job.save()
    return job
