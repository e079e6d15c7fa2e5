"""A real Celery worker process, started against Redis and PostgreSQL, runs a job end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from catalogue.services import catalogue_pdf_request
from config.celery import app as celery_app
from core.models import Job, JobStatus

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker must share the test database",
    ),
]


@pytest.fixture
def worker(transactional_db, tmp_path):
    """Start `celery worker` on a private queue with the test database's URL."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_QUEUE": queue,
        "SERVICEPACT_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("SERVICEPACT_TESTING", None)
    log = tmp_path / "worker.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    old = {
        k: celery_app.conf[k]
        for k in (
            "task_always_eager",
            "broker_url",
            "result_backend",
            "task_default_queue",
        )
    }
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=os.environ["REDIS_URL"],
        result_backend=os.environ["REDIS_URL"],
        task_default_queue=queue,
    )
    try:
        yield proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        celery_app.conf.update(**old)


def wait_for(job: Job, proc: subprocess.Popen, *, seconds: int) -> Job:
    """Poll the job until the worker finishes or fails it (or the worker dies)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (JobStatus.DONE, JobStatus.FAILED) or proc.poll() is not None:
            break
        time.sleep(0.5)
    return job


def test_worker_renders_a_catalogue_pdf(worker, catalogue, personas):
    proc, log = worker
    # when: the officer asks for a PDF and the transaction commits
    job = catalogue_pdf_request(actor=personas.officer, version=catalogue.published)
    # then: the worker process picks it up and finishes it
    wait_for(job, proc, seconds=90)
    assert job.status == JobStatus.DONE, (
        f"{job.status} {job.error}\n{log.read_text()[-3000:]}"
    )
    assert job.file.read().startswith(b"%PDF")
    assert "catalogue.catalogue_pdf_render_task" in log.read_text()
    assert Job.objects.get(pk=job.pk).result["items"] == 3


# The tender document below needs the procurement world (rule parameters, items,
# communities, bidders): its fixtures are imported so that this module can use them.
from io import BytesIO  # noqa: E402, I001

from pypdf import PdfReader  # noqa: E402

from procurement import services as procurement_services  # noqa: E402
from tests.procurement.conftest import Flow, rules, world  # noqa: E402, F401


def test_worker_renders_a_tender_document(worker, world, personas):  # noqa: F811
    proc, log = worker
    # given: a 磋商 project of three catalogue items
    project = Flow(world, personas).create()
    # when: the officer generates its document and the transaction commits
    doc = procurement_services.tender_document_generate(
        actor=personas.officer, project=project
    )
    job = doc.job
    # then: the worker process renders it end to end
    wait_for(job, proc, seconds=120)
    assert job.status == JobStatus.DONE, (
        f"{job.status} {job.error}\n{log.read_text()[-3000:]}"
    )
    assert "procurement.tender_document_render_task" in log.read_text()
    content = job.file.read()
    text = "".join(
        page.extract_text() or "" for page in PdfReader(BytesIO(content)).pages
    ).replace("\n", "")
    for item in world.items:
        assert item.name in text, item.name
    assert job.result["items"] == len(world.items)
    assert job.result["pages"] > 1


# The assessment round below needs a contract: the contracts fixtures.
from decimal import Decimal  # noqa: E402

import assessments.services as assessment_services  # noqa: E402
from assessments.models import RoundResult  # noqa: E402
from tests.contracts.conftest import cworld, local_rules, make_contract  # noqa: E402, F401


def test_worker_scores_an_assessment_round(worker, make_contract, personas, orgs):  # noqa: F811
    proc, log = worker
    # given: a round with a card from each rater group
    contract = make_contract()
    plan = assessment_services.plan_create(
        actor=personas.officer,
        buyer=orgs.s1,
        name="年度考核",
        year=2026,
        period_kind="year",
        contracts=[contract],
    )
    rnd = assessment_services.round_open(
        plan=plan,
        actor=personas.officer,
        label="年度",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )

    def card(actor, points, **kw):
        assessment_services.scorecard_submit(
            round=rnd,
            actor=actor,
            contract=contract,
            answers=dict.fromkeys(("1", "2", "3", "4"), points),
            **kw,
        )

    card(personas.dept, 80)
    card(personas.community, 90, community=orgs.c1)
    card(personas.assessor, 60)
    (raw,) = assessment_services.resident_tokens_issue(
        round=rnd,
        actor=personas.officer,
        contract=contract,
        community=orgs.c1,
        count=1,
        batch="b",
    )
    assessment_services.resident_answer(
        raw_token=raw, answers=dict.fromkeys(("1", "2", "3", "4"), 80)
    )
    # when: the officer asks for scoring and the transaction commits
    job = assessment_services.round_score_request(round=rnd, actor=personas.officer)
    # then: the worker scores it: (30×80 + 30×90 + 30×80 + 10×60) / 100 = 81.00 → 良
    wait_for(job, proc, seconds=90)
    assert job.status == JobStatus.DONE, (
        f"{job.status} {job.error}\n{log.read_text()[-3000:]}"
    )
    assert "assessments.round_score_task" in log.read_text()
    result = RoundResult.objects.get(round=rnd)
    assert (result.total, result.grade) == (Decimal("81.00"), "good")
    assert job.result == {"results": 1, "graded": 1}
