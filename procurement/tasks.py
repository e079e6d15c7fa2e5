"""Celery adapters for procurement: take ids, re-fetch, call one service."""

from __future__ import annotations

from celery import shared_task

from core.jobs import job_fail, job_finish, job_progress, job_start
from core.models import Job, JobStatus


@shared_task(
    name="procurement.tender_document_render_task",
    bind=True,
    max_retries=2,
    default_retry_delay=5,
)
def tender_document_render_task(self, job_id: int) -> str:
    """Render one version of a tender document to PDF. Idempotent: a finished job is
    skipped and a job another worker took is left to it."""
    from .documents import render_tender_pdf
    from .models import TenderDocument

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status == JobStatus.DONE:
        return "skipped"
    if not job_start(job):
        return "taken"
    try:
        doc = TenderDocument.objects.select_related("project__buyer").get(job=job)
        job_progress(job, 10, "rendering")
        pdf, info = render_tender_pdf(doc)
        job_finish(
            job,
            result=info,
            filename=f"{doc.project.code}-v{doc.version}.pdf",
            content=pdf,
        )
    except Exception as exc:
        job_fail(job, exc)
        # A failed job may be retried: put it back to pending for the next attempt.
        if self.request.retries < self.max_retries and not self.request.is_eager:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)
            raise self.retry(exc=exc) from exc
        raise
    return "done"


@shared_task(name="procurement.finalise_due_awards_task")
def finalise_due_awards_task() -> int:
    """Daily: awards whose challenge window has closed with nothing open become final."""
    from django.utils import timezone

    from .services import award_finalise, final_awards_due

    n = 0
    for project in final_awards_due(timezone.localdate()):
        award_finalise(actor=None, project=project)
        n += 1
    return n
