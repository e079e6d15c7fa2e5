"""HTML adapters shared by every app: the home page, error pages, job polling,
and the mixin that turns DomainError into a page with the reason."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse

from .exceptions import DomainError, NotFound
from .models import Job


class DomainErrorMixin:
    """Render a DomainError raised by a service as an error page with its reason
    and the right status (400 / 403 / 404 / 409), never a 500."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainError as exc:
            return domain_error_response(request, exc)


def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return TemplateResponse(
        request,
        "core/error.html",
        {
            "error": exc,
            "status": exc.status_code,
            "back": request.headers.get("referer", ""),
        },
        status=exc.status_code,
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("catalogue:version-list")


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status partial of a job; HTMX polls it until the job is finished."""
    job = get_object_or_404(Job.objects.visible_to(request.user, "view"), pk=pk)
    template = (
        "core/partials/_job_status.html" if request.htmx else "core/job_detail.html"
    )
    return render(request, template, {"job": job})


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user, "view"), pk=pk)
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
    )


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "core/http_error.html", {"status": 400}, status=400)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(
        request,
        "core/http_error.html",
        {"status": 403, "reason": str(exception or "")},
        status=403,
    )


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "core/http_error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/http_error.html", {"status": 500}, status=500)
