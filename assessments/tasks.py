"""Celery adapters for assessments: take ids, re-fetch, call one service."""

from __future__ import annotations

from celery import shared_task

from core.jobs import job_fail, job_finish, job_start
from core.models import Job, JobStatus


@shared_task(name="assessments.round_score_task", bind=True, max_retries=2)
def round_score_task(self, job_id: int) -> str:
    """Score a round. Idempotent: a finished job is skipped, a job another worker
    took is left to it, and scoring the same cards again gives the same results."""
    from .models import AssessmentRound
    from .services import round_score

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status == JobStatus.DONE:
        return "skipped"
    if not job_start(job):
        return "taken"
    try:
        rnd = AssessmentRound.objects.select_related(
            "plan__buyer", "plan__district"
        ).get(pk=int(job.object_id))
        results = round_score(round=rnd, actor=None, job=job)
        job_finish(
            job,
            result={
                "results": len(results),
                "graded": sum(1 for r in results if r.grade),
            },
        )
    except Exception as exc:
        job_fail(job, exc)
        raise
    return "done"


@shared_task(name="assessments.rounds_score_ended_task")
def rounds_score_ended_task() -> int:
    """Every morning: score the rounds whose period has ended (beat schedule)."""
    from .services import rounds_score_ended

    return len(rounds_score_ended())
