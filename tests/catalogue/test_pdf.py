"""A catalogue version rendered as a PDF by a job: real WeasyPrint, real Chinese text."""

import io

import pytest
from pypdf import PdfReader

from catalogue.services import catalogue_pdf_request
from core.models import JobStatus


def _text(content: bytes) -> str:
    return "".join(
        page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages
    )


@pytest.mark.slow
def test_job_renders_the_version_with_its_chinese_item_names(
    catalogue, personas, django_capture_on_commit_callbacks
):
    # given: the published version (最低生活保障申请受理, 困难群众主动发现与巡访探视 …)
    version = catalogue.published
    # when: the officer asks for the PDF (the task runs in-process in tests)
    with django_capture_on_commit_callbacks(execute=True):
        job = catalogue_pdf_request(actor=personas.officer, version=version)
    job.refresh_from_db()
    # then: the job is done and its file is a PDF with the Chinese names in it
    assert job.status == JobStatus.DONE, job.error
    content = job.file.read()
    assert content.startswith(b"%PDF")
    text = _text(content)
    for name in version.items.values_list("name", flat=True):
        assert name in text.replace("\n", ""), name
    assert job.result["items"] == 3


def test_job_is_created_pending_and_scheduled_after_commit(
    catalogue, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = catalogue_pdf_request(actor=personas.officer, version=catalogue.published)
    assert job.status == JobStatus.PENDING
    assert len(callbacks) == 1


def test_task_is_idempotent_for_a_finished_job(
    catalogue, personas, django_capture_on_commit_callbacks
):
    from catalogue.tasks import catalogue_pdf_render_task

    with django_capture_on_commit_callbacks(execute=True):
        job = catalogue_pdf_request(actor=personas.officer, version=catalogue.published)
    assert catalogue_pdf_render_task.run(job.pk) == "skipped"


def test_job_page_polls_until_done_and_offers_the_file(
    catalogue, personas, web, django_capture_on_commit_callbacks
):
    client = web(personas.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/catalogue/versions/{catalogue.published.pk}/pdf/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'data-status="done"' in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling
