"""HTML adapters shared by every app: the home page, error pages, job polling,
and the mixin that turns DomainError into a page with the reason."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

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
        "core/partials/_job_status.html"
        if getattr(request, "htmx", False)
        else "core/job_detail.html"
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


ERROR_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    500: "server_error",
}


def _error(request: HttpRequest, status: int, reason: str = "") -> HttpResponse:
    """Error pages; under /api/ the API's error shape instead of HTML."""
    if request.path.startswith("/api/"):
        default = {
            400: _("请求有误。"),
            403: _("您没有执行此操作的权限。"),
            404: _("未找到。"),
            500: _("系统出错了，错误已记录。"),
        }[status]
        return JsonResponse(
            {
                "code": ERROR_CODES[status],
                "detail": reason or str(default),
                "fields": {},
            },
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request,
        "core/http_error.html",
        {"status": status, "reason": reason},
        status=status,
    )


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _error(request, 400)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _error(request, 403, str(exception or ""))


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)
