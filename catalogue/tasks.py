"""Celery adapters for the catalogue: take ids, re-fetch, call one service."""

from __future__ import annotations

from celery import shared_task

from core.jobs import job_fail, job_finish, job_progress, job_start
from core.models import Job, JobStatus


@shared_task(
    name="catalogue.catalogue_pdf_render_task",
    bind=True,
    max_retries=2,
    default_retry_delay=5,
)
def catalogue_pdf_render_task(self, job_id: int) -> str:
    """Render a catalogue version to PDF. Idempotent: a finished job is skipped."""
    from .documents import render_catalogue_pdf
    from .models import CatalogueVersion

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status == JobStatus.DONE:
        return "skipped"
    if not job_start(job):
        return "taken"
    try:
        version = CatalogueVersion.objects.select_related("region").get(
            pk=job.params["version"]
        )
        job_progress(job, 10, "rendering")
        pdf = render_catalogue_pdf(version)
        job_finish(
            job,
            result={"bytes": len(pdf), "items": version.items.count()},
            filename=f"catalogue-{version.region.code}-{version.year}.pdf",
            content=pdf,
        )
    except Exception as exc:  # the page shows the error; nothing is half-written
        job_fail(job, exc)
        raise
    return "done"
